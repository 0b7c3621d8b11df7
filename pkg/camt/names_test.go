package camt

import "testing"

// TestNameLookup checks both lookups of names.lookup: by words, when 16
// bytes can be loaded from the name's start (the bytes after it, here
// "/>" and garbage, must not matter), and by string, when they cannot.
func TestNameLookup(t *testing.T) {
	for n := nmOther + 1; n < numNames; n++ {
		s := elementNames[n]
		inBuffer := []byte(s + "/>Ntry xmlns=\"urn:iso\"")[:len(s)]
		exact := []byte(s)[:len(s):len(s)]
		if got := names.lookup(inBuffer); got != n {
			t.Errorf("%s followed by more bytes: %d, want %d", s, got, n)
		}
		if got := names.lookup(exact); got != n {
			t.Errorf("%s alone: %d, want %d", s, got, n)
		}
	}
	for _, s := range []string{"", "A", "Amt2", "Am", "AMT", "Ntry", "Stmt", "Document", "TxDtlsX", "EndToEndIdent", "TtlChrgsAndTaxAmtX", "TtlChrgsAndTaxAm", "xxxxxxxxxxxxxxxxxxxxxxxxx"} {
		b := []byte(s + "\x00\x00>Amt                ")[:len(s)]
		if got := names.lookup(b); got != nmOther {
			t.Errorf("%q: %d (%s), want nmOther", s, got, elementNames[got])
		}
		if got := names.lookup([]byte(s)[:len(s):len(s)]); got != nmOther {
			t.Errorf("%q alone: %d, want nmOther", s, got)
		}
	}
}
