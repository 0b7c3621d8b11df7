package sepa

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The EPC basic Latin character set (EPC217-08, "SEPA Requirements for an
// Extended Character Set"): what every SEPA bank must accept.
//
//	a-z A-Z 0-9 / - ? : ( ) . , ' + space
func isEPCChar(r rune) bool {
	return r >= 0 && r < 128 && epcSet[r>>6]>>(r&63)&1 != 0
}

// epcSet is the EPC basic Latin set as a bit set of the 128 ASCII codes,
// one bit per code: a lookup instead of a search through the punctuation,
// on every character of every name and identifier of a batch.
var epcSet = [2]uint64{0x87fffb8100000000, 0x7fffffe07fffffe}

// ErrCharset is returned for text outside the EPC basic Latin set.
var ErrCharset = errors.New("character outside the EPC basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space)")

// ValidateText checks that s uses only the EPC basic Latin character set and
// returns the first offending character with its 1-based rune position.
func ValidateText(s string) error {
	i := 0
	for i < len(s) && isEPCChar(rune(s[i])) {
		i++
	}
	if i == len(s) {
		return nil // the usual case: plain ASCII, read byte by byte
	}
	pos := 0
	for _, r := range s {
		pos++
		if !isEPCChar(r) {
			return fmt.Errorf("%w: %q at position %d", ErrCharset, r, pos)
		}
	}
	return nil
}

// Change records one transliteration: the character at rune position Pos
// (1-based, in the input) was written as To (possibly empty).
type Change struct {
	Pos  int
	From rune
	To   string
}

func (c Change) String() string { return fmt.Sprintf("%q→%q at %d", c.From, c.To, c.Pos) }

// special maps letters that do not decompose into a base letter and marks.
var special = map[rune]string{
	'ß': "ss", 'ẞ': "SS", 'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'Ø': "O", 'ø': "o",
	'Đ': "D", 'đ': "d", 'Ł': "L", 'ł': "l", 'Þ': "TH", 'þ': "th", 'Ð': "D", 'ð': "d",
	'ı': "i", 'Ħ': "H", 'ħ': "h", '&': "+", '’': "'", '‘': "'", '´': "'", '`': "'",
	'“': "", '”': "", '"': "", '–': "-", '—': "-", '_': "-", '\t': " ", '\n': " ", '\r': " ",
	'€': "EUR", '@': "(at)", '#': "", '*': ".", ';': ",", '!': ".", '=': "-", '<': "(", '>': ")",
	'[': "(", ']': ")", '{': "(", '}': ")", '%': "", '|': "/", '\\': "/", '~': "-", '^': "", '$': "",
	'°': "", 'º': "", 'ª': "a", '\u00a0': " ",
}

// Transliterate rewrites s into the EPC basic Latin set: accented letters
// lose their accents (é→e), ligatures and special letters are spelled out
// (ß→ss, Æ→AE), common punctuation is replaced by its nearest allowed
// character, and anything else becomes '.'. Every change is reported so a
// user can see what the bank will receive.
func Transliterate(s string) (string, []Change) {
	if ValidateText(s) == nil {
		return s, nil
	}
	var b strings.Builder
	var changes []Change
	pos := 0
	for _, r := range s {
		pos++
		if isEPCChar(r) {
			b.WriteRune(r)
			continue
		}
		to, ok := special[r]
		if !ok {
			to = stripMarks(r)
		}
		b.WriteString(to)
		changes = append(changes, Change{Pos: pos, From: r, To: to})
	}
	return b.String(), changes
}

// stripMarks decomposes r (NFD) and keeps the base letters that are in the
// EPC set; a character with no such base becomes '.'.
func stripMarks(r rune) string {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFD.Bytes(buf[:n])
	var out strings.Builder
	for _, x := range string(d) {
		if unicode.Is(unicode.Mn, x) {
			continue
		}
		if isEPCChar(x) {
			out.WriteRune(x)
		}
	}
	if out.Len() == 0 {
		return "."
	}
	return out.String()
}
