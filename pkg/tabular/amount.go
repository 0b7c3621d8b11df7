package tabular

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// AmountError refuses an amount's notation; Rule is RuleAmount.
type AmountError struct {
	Value string
	Msg   string
}

func (e *AmountError) Error() string { return e.Msg }

// ErrAmountSyntax is the message of an amount that is no number at all.
var ErrAmountSyntax = errors.New("not an amount: digits, one decimal mark and optional thousands separators")

// NormalizeAmount rewrites an amount written with decimal mark dec into
// plain decimal notation ("1.234,56" → "1234.56"), exactly: no digit is
// added, dropped or rounded. A leading '-' is kept; checking sign, range
// and decimals is the caller's (sepa.ParseAmount). Thousands are grouped by
// the other mark, a space, a no-break space (U+00A0, U+202F) or an
// apostrophe, in groups of three.
//
// Refused, with an *AmountError saying why and what to do:
//   - a single group of three after the other mark and no decimal mark
//     ("1.234" in a decimal-comma file, "1,234" in a decimal-point file):
//     thousands or decimals, the file cannot say;
//   - the other mark used as a decimal mark ("12.50" in a decimal-comma
//     file): the file mixes notations or its decimal mark was guessed
//     wrong, which the caller fixes with --decimal-comma.
func NormalizeAmount(s string, dec Decimal) (string, error) {
	s = strings.TrimSpace(s)
	mark, other := byte('.'), byte(',')
	if dec == DecimalComma {
		mark, other = ',', '.'
	}
	if plain(s, mark) {
		if mark == ',' {
			return strings.Replace(s, ",", ".", 1), nil
		}
		return s, nil
	}
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	if body == "" {
		return "", &AmountError{Value: s, Msg: ErrAmountSyntax.Error()}
	}
	if m, o := strings.LastIndexByte(body, mark), strings.LastIndexByte(body, other); m >= 0 && o > m {
		return "", &AmountError{Value: s, Msg: wrongMark(s, dec)} // 1,234.56 in a decimal-comma file
	}
	intPart, frac := body, ""
	if i := strings.LastIndexByte(body, mark); i >= 0 {
		intPart, frac = body[:i], body[i+1:]
		if frac == "" || !allDigits(frac) {
			return "", &AmountError{Value: s, Msg: ErrAmountSyntax.Error()}
		}
	}
	// Split the integer part into digit groups and the separators between.
	var groups []string
	var seps []rune
	start := 0
	for i := 0; i < len(intPart); {
		c, n := utf8.DecodeRuneInString(intPart[i:])
		switch {
		case c >= '0' && c <= '9':
		case c == rune(other) || c == ' ' || c == '\u00a0' || c == '\u202f' || c == '\'':
			groups = append(groups, intPart[start:i])
			seps = append(seps, c)
			start = i + n
		default:
			return "", &AmountError{Value: s, Msg: ErrAmountSyntax.Error()}
		}
		i += n
	}
	groups = append(groups, intPart[start:])
	if len(groups) == 1 {
		if groups[0] == "" {
			return "", &AmountError{Value: s, Msg: ErrAmountSyntax.Error()}
		}
		return sign(neg) + groups[0] + point(frac), nil
	}
	otherOnce := len(seps) == 1 && seps[0] == rune(other)
	if otherOnce && frac == "" && len(groups[1]) != 3 && groups[0] != "" && groups[1] != "" && allDigits(groups[1]) {
		return "", &AmountError{Value: s, Msg: wrongMark(s, dec)}
	}
	for i, g := range groups {
		if g == "" || len(g) > 3 || i > 0 && len(g) != 3 || seps[min(i, len(seps)-1)] != seps[0] {
			return "", &AmountError{Value: s, Msg: "thousands separators must group digits by three (1.234.567,89 or 1,234,567.89)"}
		}
	}
	if otherOnce && frac == "" {
		return "", &AmountError{Value: s, Msg: ambiguous(s, dec)}
	}
	return sign(neg) + strings.Join(groups, "") + point(frac), nil
}

func wrongMark(s string, dec Decimal) string {
	if dec == DecimalComma {
		return "'.' is not the decimal mark of this file, which writes decimal commas (12,50): give --decimal-comma=false if its amounts are written 12.50"
	}
	return "',' is not the decimal mark of this file, which writes decimal points (12.50): give --decimal-comma if its amounts are written 12,50"
}

func ambiguous(s string, dec Decimal) string {
	if dec == DecimalComma {
		return "ambiguous: with decimal commas '.' groups thousands (" + s + " would be " + strings.ReplaceAll(strings.TrimPrefix(s, "-"), ".", "") + "), yet it reads as a decimal point: write it without the '.' or with decimals (" + s + ",00)"
	}
	return "ambiguous: with decimal points ',' groups thousands (" + s + " would be " + strings.ReplaceAll(strings.TrimPrefix(s, "-"), ",", "") + "), yet it reads as a decimal comma: write it without the ',' or with decimals (" + s + ".00)"
}

// plain reports whether s is digits with at most one mark between them
// (the common case, read without allocating for a decimal point).
func plain(s string, mark byte) bool {
	seen := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == mark && !seen && i > 0 && i < len(s)-1:
			seen = true
		default:
			return false
		}
	}
	return s != ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func sign(neg bool) string {
	if neg {
		return "-"
	}
	return ""
}

func point(frac string) string {
	if frac == "" {
		return ""
	}
	return "." + frac
}
