package coda

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestDirectDebitRemittanceContinues: a SEPA direct debit remittance of up
// to 140 characters (what pain.008 allows) no longer stops the writer at
// the 62 characters of the type 127 communication: the rest continues in
// free-text information records of the same movement and reads back whole,
// for a single movement and for details of a batch, beside the entry's own
// information. Spaces at the cut (position 62/63) survive.
func TestDirectDebitRemittanceContinues(t *testing.T) {
	long140 := strings.Repeat("Factuur 2026-0001 abonnement november ", 4)[:140]
	space62 := strings.Repeat("x", 61) + " " + strings.Repeat("y", 40) // a space at position 62
	space63 := strings.Repeat("x", 62) + " " + strings.Repeat("z", 40) // a space at position 63
	if len([]rune(long140)) != 140 {
		t.Fatal("test text is not 140 characters")
	}
	st, entries := sandboxStatement()
	entries[0].Details[0].Remittance = long140 // a detail of a batch, followed by the entry's Info
	entries[0].Details[1].Remittance = space62
	entries[0].Details[2].Remittance = space63
	entries[1].Details[0].Remittance = long140 // a single returned movement
	out := writeStatement(t, st, entries, sandboxOpts)

	r := NewReader(bytes.NewReader(out), "rt.cod")
	var got []string
	var info []string
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range e.Details {
			got = append(got, d.Remittance)
		}
		info = append(info, e.Info)
	}
	want := []string{long140, space62, space63, long140}
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Errorf("remittance %d read back %q, want %q", i+1, got[min(i, len(got)-1)], w)
		}
	}
	if info[0] != "SEPA DD COLLECTION" || info[1] != "" {
		t.Errorf("entry information %q", info[:2])
	}
	for _, f := range r.Findings() {
		t.Errorf("finding: %s", f)
	}
	// The continuation is a free-text 31 of the same movement (sequence
	// 0002, detail 0000) right after its 2.3.
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "2300020000") {
			if next := lines[i+1]; !strings.HasPrefix(next, "3100020000") || next[39] != '0' || !strings.Contains(next, long140[62:62+73]) {
				t.Errorf("after the 2.3 of movement 2: %q", next)
			}
		}
	}
}

// TestDirectDebitRemittanceLimit: a 127 communication holds 62 characters
// and one information group 268 more; 330 read back whole, 331 are refused
// by the writer (a second group would be read as the entry's information:
// the fuzz target found the character lost).
func TestDirectDebitRemittanceLimit(t *testing.T) {
	for _, tc := range []struct {
		n       int
		wantErr string
	}{
		{330, ""},
		{331, "coda: entry 1: direct debit communication of 331 characters is longer than the 330 a CODA 127 communication and one information group hold"},
	} {
		st, entries := sandboxStatement()
		rem := strings.Repeat("k", tc.n)
		entries[0].Details[0].Remittance = rem
		var buf bytes.Buffer
		w := NewWriter(&buf, sandboxOpts)
		err := w.BeginStatement(st)
		for _, e := range entries {
			if err == nil {
				err = w.WriteEntry(e)
			}
		}
		if err == nil {
			err = w.EndStatement()
		}
		if err == nil {
			err = w.Close()
		}
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%d characters: error %v, want %q", tc.n, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d characters: %v", tc.n, err)
		}
		e, err := NewReader(bytes.NewReader(buf.Bytes()), "rt.cod").Next()
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Details[0].Remittance; got != rem {
			t.Errorf("%d characters read back as %d", tc.n, len(got))
		}
	}
}
