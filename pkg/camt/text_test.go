package camt

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestScanText compares scanText, which reads eight bytes at a time, with
// the plain byte-by-byte definition on texts built from the bytes that
// matter (white space, '<', '&', ']', control and non-ASCII bytes) at
// every position.
func TestScanText(t *testing.T) {
	want := func(b []byte) (n, nl int, plain, blank bool) {
		plain, blank = true, true
		for i, c := range b {
			switch textClass[c] {
			case 1:
				return i, nl, plain, blank
			case 2:
				nl++
			case 3:
				plain = false
			}
			if !isSpace(c) {
				blank = false
			}
		}
		return len(b), nl, plain, blank
	}
	alphabet := []byte(" \n\t\r<&]\x00\x1f\x7f\x80\xc3\xa9aZ09.-/")
	rng := rand.New(rand.NewPCG(1, 2))
	cases := [][]byte{nil, []byte("        <"), []byte("\n            <Amt>"), []byte("Some other Id</Id>"), []byte("12345678<"), []byte("1234567]<")}
	for k := 0; k < 20000; k++ {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			if rng.IntN(3) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[i] = " a"[rng.IntN(2)]
			}
		}
		cases = append(cases, b)
	}
	for _, b := range cases {
		n, nl, plain, blank := scanText(b)
		wn, wnl, wplain, wblank := want(b)
		// blank is only promised for plain text.
		if n != wn || nl != wnl || plain != wplain || (wplain && blank != wblank) {
			t.Fatalf("scanText(%q) = %d, %d, %v, %v; want %d, %d, %v, %v", b, n, nl, plain, blank, wn, wnl, wplain, wblank)
		}
		if plain && blank != (len(bytes.TrimSpace(b[:n])) == 0) {
			t.Fatalf("scanText(%q): blank %v, bytes.TrimSpace says otherwise", b, blank)
		}
	}
}
