package camt_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/batchtool/batchtool/pkg/camt"
)

// TestBadNotSlower reads a generated statement whose every entry has two
// findings (genBad) and the same statement clean: past the first 100
// findings of a rule the Reader only counts them, so the bad file must not
// cost much more. Allocations stand in for time, which a busy machine
// blurs: the old Reader built each finding's path and amount texts before
// finding it was over the cap, 3.9 times the allocations of the clean file.
// What remains (1.6 times) is each credit detail's own amount, a decimal
// that the clean file shares with its entry, and the 200 findings kept.
func TestBadNotSlower(t *testing.T) {
	read := func(bad bool) (allocs float64, findings int) {
		g, n, _, _ := newGenStatement(1 << 20)
		g.bad = bad
		data, err := io.ReadAll(g)
		if err != nil {
			t.Fatal(err)
		}
		allocs = testing.AllocsPerRun(1, func() {
			r := camt.NewReader(bytes.NewReader(data), "bad.xml")
			k := 0
			for {
				_, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				k++
			}
			if k != n {
				t.Fatalf("%d entries, want %d", k, n)
			}
			findings = len(r.Findings())
		})
		return allocs, findings
	}
	good, nGood := read(false)
	bad, nBad := read(true)
	// 100 date errors, 100 detail warnings and one count of each rule.
	if nGood != 0 || nBad != 202 {
		t.Fatalf("findings: clean %d, bad %d; want 0 and 202", nGood, nBad)
	}
	t.Logf("allocations: clean %.0f, bad %.0f (%.2fx)", good, bad, bad/good)
	if bad > 1.7*good {
		t.Errorf("the bad file makes %.0f allocations, the clean one %.0f: more than 1.7x", bad, good)
	}
}
