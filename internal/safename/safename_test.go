package safename

import (
	"fmt"
	"strings"
	"testing"
)

func TestEscapeAndCheck(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"statement-2026-03-01.xml", "statement-2026-03-01.xml", ""},
		{`C:\inbox\Überweisung € 1.xml`, `C:\inbox\Überweisung € 1.xml`, ""},
		{"a\nnothing needs attention", `a\nnothing needs attention`, `name "a\nnothing needs attention" holds the control character U+000A: refused`},
		{"x\x1b[2J.xml", `x\x1b[2J.xml`, `name "x\x1b[2J.xml" holds the control character U+001B: refused`},
		{"invoice\u202efdp.exe", `invoice\u202efdp.exe`, `name "invoice\u202efdp.exe" holds the control character U+202E: refused`},
		{"tab\there\r", `tab\there\r`, `name "tab\there\r" holds the control character U+0009: refused`},
		{"c1\u0085 zw\u200b iso\u2066 bom\ufeff ls\u2028", `c1\u0085 zw\u200b iso\u2066 bom\ufeff ls\u2028`, `name "c1\u0085 zw\u200b iso\u2066 bom\ufeff ls\u2028" holds the control character U+0085: refused`},
		{"del\x7f", `del\x7f`, `name "del\x7f" holds the control character U+007F: refused`},
		{"latin1-\xe9.xml", `latin1-\xe9.xml`, `name "latin1-\xe9.xml" holds a byte that is not UTF-8 (0xe9): refused`},
	}
	for _, tc := range tests {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		err := Check(tc.in)
		if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("Check(%q) = %v, want %s", tc.in, err, tc.err)
		}
	}
}

func TestEscapeLines(t *testing.T) {
	in := "a.zip: bad\nb\x1b[31m.xml: \u202ebad"
	if got, want := EscapeLines(in), "a.zip: bad\nb\\x1b[31m.xml: \\u202ebad"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	fmt.Fprintf(w, "name:\t%s\n", "Jan\x1b[31m Peeters\u202e")
	fmt.Fprintf(w, "plain\tline\n")
	if got, want := b.String(), "name:\tJan\\x1b[31m Peeters\\u202e\nplain\tline\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
