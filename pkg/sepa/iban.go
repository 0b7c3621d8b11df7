package sepa

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by the validators. They are wrapped with the offending
// detail; test with errors.Is.
var (
	ErrIBANCountry  = errors.New("IBAN country code is not known (ISO 13616)")
	ErrIBANLength   = errors.New("IBAN has the wrong length for its country (ISO 13616)")
	ErrIBANChars    = errors.New("IBAN may hold only letters and digits (ISO 13616)")
	ErrIBANChecksum = errors.New("IBAN check digits do not verify (ISO 13616 mod 97)")
)

// ibanLengths gives the IBAN length of every country in the SWIFT IBAN
// registry that SEPA reaches (EEA, Switzerland, UK, Monaco, San Marino,
// Andorra, Vatican, the French overseas departments under FR, and the
// other registry countries users meet in counterparties).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
	"LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
	"NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
	"SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
	"TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
	// French overseas territories with their own ISO code but FR-format IBANs.
	"GF": 27, "GP": 27, "MQ": 27, "RE": 27, "YT": 27, "PM": 27, "BL": 27, "MF": 27, "NC": 27,
	"PF": 27, "WF": 27, "TF": 27,
}

// sepaCountries is the SEPA scheme's geographical scope (EPC409-09).
var sepaCountries = map[string]bool{
	"AD": true, "AT": true, "BE": true, "BG": true, "CH": true, "CY": true, "CZ": true, "DE": true,
	"DK": true, "EE": true, "ES": true, "FI": true, "FR": true, "GB": true, "GI": true, "GR": true,
	"HR": true, "HU": true, "IE": true, "IS": true, "IT": true, "LI": true, "LT": true, "LU": true,
	"LV": true, "MC": true, "MT": true, "NL": true, "NO": true, "PL": true, "PT": true, "RO": true,
	"SE": true, "SI": true, "SK": true, "SM": true, "VA": true, "AL": true, "MD": true, "ME": true,
	"MK": true, "RS": true,
	"GF": true, "GP": true, "MQ": true, "RE": true, "YT": true, "PM": true, "BL": true, "MF": true,
}

// IsSEPACountry reports whether a two-letter country code is in the SEPA
// schemes' geographical scope.
func IsSEPACountry(cc string) bool { return sepaCountries[cc] }

// IBAN is an International Bank Account Number in electronic form: upper
// case, no spaces.
type IBAN string

// ParseIBAN accepts an IBAN in electronic or paper form ("BE68 5390 0754
// 7035") and returns its electronic form if the country, length and mod-97
// check digits verify.
func ParseIBAN(s string) (IBAN, error) {
	c := compact(s)
	if err := validateIBAN(c); err != nil {
		return "", err
	}
	return IBAN(c), nil
}

// ValidateIBAN checks an IBAN in electronic form only: spaces or lower case
// are an error, as the XML schemas require.
func ValidateIBAN(s string) error { return validateIBAN(s) }

func validateIBAN(c string) error {
	if len(c) < 5 {
		return fmt.Errorf("%w: %d characters", ErrIBANLength, len(c))
	}
	if !isUpperAlnum(c) {
		return ErrIBANChars
	}
	cc := c[:2]
	want, ok := ibanLengths[cc]
	if !ok {
		return fmt.Errorf("%w: %q", ErrIBANCountry, cc)
	}
	if len(c) != want {
		return fmt.Errorf("%w: %s IBANs have %d characters, not %d", ErrIBANLength, cc, want, len(c))
	}
	if !isDigits(c[2:4]) {
		return ErrIBANChecksum
	}
	rem, _ := mod97(c[4:]) // then the first four, as if moved to the end
	if rem, _ = mod97From(rem, c[:4]); rem != 1 {
		return ErrIBANChecksum
	}
	return nil
}

// Country returns the two-letter country code.
func (i IBAN) Country() string {
	if len(i) < 2 {
		return ""
	}
	return string(i[:2])
}

// String returns the electronic form.
func (i IBAN) String() string { return string(i) }

// Paper returns the IBAN in groups of four, as printed on invoices.
func (i IBAN) Paper() string {
	var b strings.Builder
	for n := 0; n < len(i); n += 4 {
		if n > 0 {
			b.WriteByte(' ')
		}
		end := n + 4
		if end > len(i) {
			end = len(i)
		}
		b.WriteString(string(i[n:end]))
	}
	return b.String()
}
