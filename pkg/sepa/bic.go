package sepa

import (
	"errors"
	"fmt"
)

// ErrBIC is returned for a string that is not shaped like an ISO 9362 BIC.
var ErrBIC = errors.New("BIC must be 8 or 11 characters: 4 letters (institution), 2 letters (country), 2 letters or digits (location), optionally 3 letters or digits (branch) (ISO 9362)")

// BIC is a Business Identifier Code (ISO 9362) in upper case.
type BIC string

// ParseBIC upper-cases and trims s and checks its ISO 9362 shape. Whether
// the institution exists cannot be checked offline.
func ParseBIC(s string) (BIC, error) {
	c := compact(s)
	if err := ValidateBIC(c); err != nil {
		return "", err
	}
	return BIC(c), nil
}

// ValidateBIC checks the shape of a BIC exactly as written.
func ValidateBIC(s string) error {
	if len(s) != 8 && len(s) != 11 {
		return fmt.Errorf("%w: %d characters", ErrBIC, len(s))
	}
	// ISO 9362:2014 allows digits in the institution code; the pain.008 XSD
	// pattern [A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1} still asks
	// for letters in the first six positions, which is what banks enforce.
	if !isUpper(s[:6]) || !isUpperAlnum(s[6:]) {
		return ErrBIC
	}
	if s[6] == '0' || s[6] == '1' || s[7] == 'O' {
		return fmt.Errorf("%w: location code %q is not allowed", ErrBIC, s[6:8])
	}
	return nil
}

// Country returns the BIC's country code (positions 5-6).
func (b BIC) Country() string {
	if len(b) < 6 {
		return ""
	}
	return string(b[4:6])
}
