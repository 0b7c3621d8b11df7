package sepa

import (
	"errors"
	"fmt"
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
func ValidateCreditorID(c string) error {
	if len(c) < 8 || len(c) > 35 || !isUpperAlnum(c) || !isUpper(c[:2]) || !isDigits(c[2:4]) {
		return ErrCIShape
	}
	national := c[7:]
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
