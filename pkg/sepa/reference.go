package sepa

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of structured references.
var (
	ErrRFShape    = errors.New("RF creditor reference must be RF, 2 check digits and 1 to 21 letters or digits (ISO 11649)")
	ErrRFChecksum = errors.New("RF creditor reference check digits do not verify (ISO 11649 mod 97)")
	ErrOGMShape   = errors.New("Belgian structured communication must hold 12 digits, as +++123/4567/89012+++")
	ErrOGMCheck   = errors.New("Belgian structured communication check digits do not verify (mod 97, 0 read as 97)")
)

// RF is an ISO 11649 structured creditor reference in electronic form.
type RF string

// ParseRF verifies an ISO 11649 reference given with or without spaces.
func ParseRF(s string) (RF, error) {
	c := compact(s)
	if len(c) < 5 || len(c) > 25 || c[:2] != "RF" || !isDigits(c[2:4]) || !isUpperAlnum(c[4:]) {
		return "", ErrRFShape
	}
	if rem, _ := mod97(c[4:] + c[:4]); rem != 1 {
		return "", ErrRFChecksum
	}
	return RF(c), nil
}

// NewRF builds an ISO 11649 reference around a creditor's own reference
// (1 to 21 letters or digits).
func NewRF(ref string) (RF, error) {
	c := compact(ref)
	if len(c) < 1 || len(c) > 21 || !isUpperAlnum(c) {
		return "", ErrRFShape
	}
	rem, _ := mod97(c + "RF00")
	return RF(fmt.Sprintf("RF%02d%s", 98-rem, c)), nil
}

// Paper returns the reference in groups of four, as printed.
func (r RF) Paper() string { return IBAN(r).Paper() }

// OGM is a Belgian structured communication (Overschrijving met
// Gestructureerde Mededeling / Virement avec Communication Structurée): 10
// digits and 2 check digits, the remainder of the first ten modulo 97, with
// 0 written as 97. It is held as its 12 digits.
type OGM string

// ParseOGM accepts "+++123/4567/89002+++", "***123/4567/89002***" or the bare
// 12 digits (with or without slashes and spaces) and verifies the check digits.
func ParseOGM(s string) (OGM, error) {
	t := strings.TrimSpace(s)
	for _, wrap := range []string{"+++", "***"} {
		if strings.HasPrefix(t, wrap) && strings.HasSuffix(t, wrap) && len(t) >= 6 {
			t = t[3 : len(t)-3]
			break
		}
	}
	t, ok := ogmDigits(t)
	if !ok {
		return "", ErrOGMShape
	}
	if rem := ogmRemainder(t[:10]); t[10] != byte('0'+rem/10) || t[11] != byte('0'+rem%10) {
		return "", fmt.Errorf("%w: expected %s", ErrOGMCheck, ogmCheck(t[:10]))
	}
	return OGM(t), nil
}

// ogmDigits drops the slashes and spaces of s and reports whether exactly 12
// digits remain. It allocates only when s holds a slash or a space.
func ogmDigits(s string) (string, bool) {
	var b [12]byte
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '/' || c == ' ':
		case c >= '0' && c <= '9' && n < len(b):
			b[n] = c
			n++
		default:
			return "", false
		}
	}
	if n != len(b) {
		return "", false
	}
	if len(s) == len(b) {
		return s, true
	}
	return string(b[:]), true
}

// NewOGM builds a structured communication from a number of at most 10 digits.
func NewOGM(base uint64) (OGM, error) {
	if base > 9999999999 {
		return "", ErrOGMShape
	}
	b := fmt.Sprintf("%010d", base)
	return OGM(b + ogmCheck(b)), nil
}

func ogmCheck(ten string) string { return fmt.Sprintf("%02d", ogmRemainder(ten)) }

// ogmRemainder is the check number of ten digits: their remainder modulo
// 97, with 0 read as 97.
func ogmRemainder(ten string) int {
	rem, _ := mod97(ten)
	if rem == 0 {
		rem = 97
	}
	return rem
}

// String returns the printed form +++123/4567/89002+++.
func (o OGM) String() string {
	if len(o) != 12 {
		return string(o)
	}
	return "+++" + string(o[:3]) + "/" + string(o[3:7]) + "/" + string(o[7:]) + "+++"
}

// Digits returns the 12 digits, the form CODA and camt files carry.
func (o OGM) Digits() string { return string(o) }

// ReferenceScheme names the scheme of a structured reference.
type ReferenceScheme string

// Schemes of structured references.
const (
	SchemeNone  ReferenceScheme = ""
	SchemeRF    ReferenceScheme = "RF"    // ISO 11649
	SchemeOGM   ReferenceScheme = "BE"    // Belgian OGM/VCS
	SchemeOther ReferenceScheme = "OTHER" // a structured reference of another scheme
)

// DetectReference classifies a structured reference: a valid RF reference,
// a valid Belgian OGM/VCS, or neither. It returns the normalised value.
func DetectReference(s string) (ReferenceScheme, string) {
	if strings.TrimSpace(s) == "" {
		return SchemeNone, ""
	}
	if rf, err := ParseRF(s); err == nil {
		return SchemeRF, string(rf)
	}
	if o, err := ParseOGM(s); err == nil {
		return SchemeOGM, string(o)
	}
	return SchemeOther, strings.TrimSpace(s)
}
