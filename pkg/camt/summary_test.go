package camt_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/statement"
)

// summaryText is what SummaryOnly keeps of an entry.
func summaryText(e *statement.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "stmt %d seq %d line %d: %s %s booked %s value %s %q rev %v batch %d;",
		e.Statement.Line, e.Seq, e.Line, e.Amount, e.Currency, e.BookingDate.Format("2006-01-02"), e.ValueDate.Format("2006-01-02"),
		e.Status, e.Reversal, e.BatchCount)
	for _, t := range e.Details {
		fmt.Fprintf(&b, " [%d %s %s orig %s %s charges %s %s return %q]", t.Line, t.Amount, t.Currency, t.OrigAmount, t.OrigCurrency,
			t.Charges, t.ChargesCurrency, t.ReturnReason)
	}
	return b.String()
}

// TestSummaryOnly: a SummaryOnly Reader gives the findings, statements and
// error of a full one, and its entries the same amounts, dates, status,
// details and return reasons; references and parties are left out.
func TestSummaryOnly(t *testing.T) {
	g, _, _, _ := newGenStatement(200 << 10)
	g.bad = true
	bad, _ := io.ReadAll(g)
	inputs := map[string][]byte{"bad": bad, "multi": multiStatement(t, true)}
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "camt05*", "*.xml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(f)] = data
	}
	left := 0
	for name, data := range inputs {
		read := func(r *camt.Reader) ([]string, partsResult) {
			var es []string
			var err error
			for {
				var e *statement.Entry
				if e, err = r.Next(); err != nil {
					break
				}
				es = append(es, summaryText(e))
				for _, d := range e.Details {
					if d.EndToEndID != "" || d.Counterparty.Name != "" || d.Remittance != "" {
						left++
					}
				}
			}
			if err == io.EOF {
				err = nil
			}
			return es, resultOf(nil, r.Statements(), r.Findings(), err)
		}
		wantE, want := read(camt.NewReader(bytes.NewReader(data), "s.xml"))
		left = 0
		gotE, got := read(camt.NewReader(bytes.NewReader(data), "s.xml", camt.SummaryOnly()))
		if left > 0 {
			t.Errorf("%s: %d details with references, parties or remittance", name, left)
		}
		if strings.Join(gotE, "\n") != strings.Join(wantE, "\n") {
			t.Errorf("%s: entries\n got %.2000s\nwant %.2000s", name, strings.Join(gotE, "\n"), strings.Join(wantE, "\n"))
		}
		if got.statements != want.statements || got.findings != want.findings || got.err != want.err {
			t.Errorf("%s:\n got %s %s %s\nwant %s %s %s", name, got.statements, got.findings, got.err, want.statements, want.findings, want.err)
		}
	}
}

// TestReuseEntries: a Reader that hands out one Entry gives, entry by
// entry, what one that allocates each gives.
func TestReuseEntries(t *testing.T) {
	data := multiStatement(t, true)
	var want, got []string
	r := camt.NewReader(bytes.NewReader(data), "s.xml")
	rr := camt.NewReader(bytes.NewReader(data), "s.xml")
	rr.ReuseEntries()
	var prev *statement.Entry
	for {
		e, err := r.Next()
		ee, err2 := rr.Next()
		if (err == nil) != (err2 == nil) {
			t.Fatalf("errors %v and %v", err, err2)
		}
		if err != nil {
			break
		}
		if prev != nil && ee != prev {
			t.Fatal("a new Entry")
		}
		prev = ee
		want, got = append(want, entryText(e)), append(got, entryText(ee))
	}
	if len(want) < 100 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%d entries; reused:\n%.2000s\nallocated:\n%.2000s", len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
