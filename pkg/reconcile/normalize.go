package reconcile

import (
	"regexp"
	"sort"
	"strings"

	"github.com/batchtool/batchtool/pkg/sepa"
)

func sortStrings(s []string) { sort.Strings(s) }

// NumberKey is the form invoice numbers are compared in: letters upper
// case, separators (spaces, '-', '/', '.', '_', '#' ...) dropped, and leading
// zeros dropped from every run of digits, runs joined by '.'.
// "INV-2024-0042", "inv 2024/42" and "INV2024 042" all give "INV.2024.42";
// "12-345" and "123-45" stay different.
func NumberKey(s string) string {
	var b strings.Builder
	runs := splitRuns(s)
	for i, r := range runs {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(r)
	}
	return b.String()
}

// splitRuns splits s into runs of letters and runs of digits (upper-cased,
// digits without leading zeros); everything else separates.
func splitRuns(s string) []string {
	var runs []string
	start, kind := -1, 0 // kind 1 letters, 2 digits
	flush := func(end int) {
		if start < 0 {
			return
		}
		r := s[start:end]
		if kind == 2 {
			r = strings.TrimLeft(r, "0")
			if r == "" {
				r = "0"
			}
		} else {
			r = strings.ToUpper(r)
		}
		runs = append(runs, r)
		start = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		k := 0
		switch {
		case c >= '0' && c <= '9':
			k = 2
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			k = 1
		}
		if k != kind || k == 0 {
			flush(i)
		}
		if k != 0 && start < 0 {
			start = i
		}
		kind = k
	}
	flush(len(s))
	return runs
}

// maxKeyRuns is the most letter/digit runs an invoice number may span in a
// remittance text.
const maxKeyRuns = 5

// RemittanceKeys returns the NumberKeys of every window of up to 5
// consecutive letter/digit runs in an unstructured remittance that holds a
// digit and is at least 3 characters long: the candidates an invoice number
// may hide in ("Inv. nr 2024 / 0042, thanks" yields "2024.42",
// "NR.2024.42", ...). Keys are distinct, in order of appearance.
func RemittanceKeys(s string) []string {
	if digits(s) == 0 { // every key holds a digit
		return nil
	}
	runs := splitRuns(s)
	seen := map[string]bool{}
	var out []string
	for i := range runs {
		hasDigit, n := false, 0
		var b strings.Builder
		for j := i; j < len(runs) && j < i+maxKeyRuns; j++ {
			if j > i {
				b.WriteByte('.')
			}
			b.WriteString(runs[j])
			n += len(runs[j])
			if runs[j][0] >= '0' && runs[j][0] <= '9' {
				hasDigit = true
			}
			if !hasDigit || n < 3 {
				continue
			}
			k := b.String()
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// NormalizeReference returns a structured reference in the form invoices
// and statement lines are compared in: an RF reference in electronic form,
// an OGM as its 12 digits. Anything else is returned trimmed and upper-cased
// with spaces removed.
func NormalizeReference(s string) string {
	scheme, v := sepa.DetectReference(s)
	switch scheme {
	case sepa.SchemeRF, sepa.SchemeOGM:
		return v
	}
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

var (
	ogmInText = regexp.MustCompile(`[+*]{3}\s*\d{3}\s*/?\s*\d{4}\s*/?\s*\d{5}\s*[+*]{3}|\b\d{3}/\d{4}/\d{5}\b|\b\d{12}\b`)
)

// ReferencesInText finds valid structured references (OGM with verified
// check digits, RF with verified check digits) in unstructured text.
func ReferencesInText(s string) []string {
	var out []string
	// Every form of ogmInText holds 12 digits: most texts hold fewer.
	if digits(s) >= 12 {
		for _, m := range ogmInText.FindAllString(s, -1) {
			if o, err := sepa.ParseOGM(m); err == nil {
				out = append(out, string(o))
			}
		}
	}
	if !hasRF(s) {
		return out
	}
	// An RF reference is printed in groups of four, and may be followed by
	// any word: every run of whole words after "RF" that verifies is a
	// candidate (the store decides which exist).
	words := strings.Fields(strings.ToUpper(s))
	for i, w := range words {
		if !strings.HasPrefix(w, "RF") {
			continue
		}
		c := ""
		for j := i; j < len(words) && len(c) < 25; j++ {
			c += strings.Trim(words[j], ".,;:()")
			if rf, err := sepa.ParseRF(c); err == nil {
				out = append(out, string(rf))
			}
		}
	}
	return out
}

// digits counts the ASCII digits in s (what \d and splitRuns take as digits).
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// hasRF tells whether s holds "RF" in any case: where a word of
// strings.ToUpper(s) can begin with "RF" (only 'r' and 'f' upper-case to
// 'R' and 'F').
func hasRF(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i]|0x20 == 'r' && s[i+1]|0x20 == 'f' {
			return true
		}
	}
	return false
}

// normIBAN returns an IBAN in electronic form (no spaces, upper case)
// without checking it.
func normIBAN(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// NormIBAN is the form the engine and stores compare IBANs in.
func NormIBAN(s string) string { return normIBAN(s) }
