package sepa

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of the SEPA Creditor Identifier.
var (
	ErrCIShape    = errors.New("creditor identifier must be country code, 2 check digits, 3-character business code and a national identifier of up to 28 characters (EPC262-08)")
	ErrCIChecksum = errors.New("creditor identifier check digits do not verify (EPC262-08 mod 97)")
)

// CreditorID is a SEPA Creditor Identifier (EPC262-08), for example
// DE98ZZZ09999999999 or BE69ZZZ050D000000008.
type CreditorID string

// ParseCreditorID normalises s (spaces removed, upper case) and verifies it.
// The check digits (positions 3-4) are computed over the national identifier
// followed by the country code and "00"; the business code (positions 5-7)
// does not take part (EPC262-08 section 3.3).
func ParseCreditorID(s string) (CreditorID, error) {
	c := compact(s)
	if err := ValidateCreditorID(c); err != nil {
		return "", err
	}
	return CreditorID(c), nil
}

// ValidateCreditorID verifies a creditor identifier exactly as written.
// The business code and the national identifier are alphanumeric in
// either case (the mod 97 conversion reads a and A alike), so an
// identifier whose shape is right but whose check digits are not is told
// so, with the check digits it should have.
func ValidateCreditorID(c string) error {
	if len(c) < 8 || len(c) > 35 || !isUpper(c[:2]) || !isDigits(c[2:4]) || !isAlnum(c[4:]) {
		return ErrCIShape
	}
	national := strings.ToUpper(c[7:])
	rem, ok := mod97(national + c[:2] + "00")
	if !ok {
		return ErrCIShape
	}
	if got := fmt.Sprintf("%02d", 98-rem); got != c[2:4] {
		return fmt.Errorf("%w: expected %s", ErrCIChecksum, got)
	}
	return nil
}

// NewCreditorID builds a creditor identifier with correct check digits from
// a country code, a business code (often "ZZZ") and a national identifier.
func NewCreditorID(country, business, national string) (CreditorID, error) {
	country, business, national = compact(country), compact(business), compact(national)
	if len(country) != 2 || !isUpper(country) || len(business) != 3 || !isUpperAlnum(business) || national == "" {
		return "", ErrCIShape
	}
	rem, ok := mod97(national + country + "00")
	if !ok {
		return "", ErrCIShape
	}
	return ParseCreditorID(fmt.Sprintf("%s%02d%s%s", country, 98-rem, business, national))
}

// isAlnum reports whether s holds only ASCII letters (either case) and digits.
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
