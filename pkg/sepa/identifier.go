package sepa

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of SEPA identifiers (MsgId, PmtInfId, InstrId, EndToEndId, MndtId).
var (
	ErrIDEmpty  = errors.New("identifier is empty")
	ErrIDLength = errors.New("identifier is longer than 35 characters")
	ErrIDChars  = errors.New("identifier may hold only a-z A-Z 0-9 / - ? : ( ) . , ' + and space (EPC basic Latin)")
	ErrIDSlash  = errors.New("identifier must not start or end with '/' nor contain '//' (EPC implementation guidelines)")
)

// MaxIDLength is the length limit of Max35Text identifiers.
const MaxIDLength = 35

// ValidateID checks a SEPA identifier such as a mandate id (MndtId, AT-01)
// or an end-to-end id (EndToEndId, AT-10): 1 to 35 characters of the EPC
// basic Latin set, no leading or trailing '/' and no '//'.
func ValidateID(s string) error {
	if s == "" {
		return ErrIDEmpty
	}
	i := 0
	for i < len(s) && isEPCChar(rune(s[i])) {
		i++
	}
	if i == len(s) && len(s) <= MaxIDLength && s[0] != '/' && s[len(s)-1] != '/' && !strings.Contains(s, "//") {
		return nil // the usual case: short plain ASCII, one pass over the bytes
	}
	if n := len([]rune(s)); n > MaxIDLength {
		return fmt.Errorf("%w: %d characters", ErrIDLength, n)
	}
	pos := 0
	for _, r := range s {
		pos++
		if !isEPCChar(r) {
			return fmt.Errorf("%w: %q at position %d", ErrIDChars, r, pos)
		}
	}
	if strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return ErrIDSlash
	}
	return nil
}
