package csvsafe

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Jan Peeters", "Jan Peeters"},
		{`=HYPERLINK("http://x.example","click")`, `'=HYPERLINK("http://x.example","click")`},
		{"+32 2 123 45 67", "'+32 2 123 45 67"},
		{"-10.00", "'-10.00"}, // in a text column: a remittance, not an amount
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\tcmd", "'\tcmd"},
		{"\r=1+1", "'\r=1+1"},
		{" =1+1", " =1+1"}, // not at the start: text for every spreadsheet
		{"a=b", "a=b"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRow(t *testing.T) {
	row := []string{"-10.00", "=cmd", "EUR", "@x"}
	amount := map[int]bool{0: true}
	got := strings.Join(Row(row, func(i int) bool { return !amount[i] }), "|")
	if want := "-10.00|'=cmd|EUR|'@x"; got != want {
		t.Errorf("Row = %q, want %q", got, want)
	}
}
