package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var d = decimal.RequireFromString

// entry is one result of the fixture and the source it came from.
type entry struct {
	source string
	r      *reconcile.Result
	dup    bool
}

// fixture is a run over an EUR statement (a batch of two collections, an
// invoice payment split over two invoices, an AM04 return, an unmatched
// transfer whose texts try a script and a spreadsheet formula, an
// ambiguous payment and a line already booked from another file) and a
// CHF statement of one unmatched line.
func fixture() ([]entry, Run) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	eur := &statement.Statement{ID: "STMT-1", Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"}}
	chf := &statement.Statement{ID: "PF-7", Account: statement.Account{IBAN: "CH9300762011623852957", Currency: "CHF"}}
	en := func(st *statement.Statement, seq int, ref, amount, ccy string, day time.Time) *statement.Entry {
		return &statement.Entry{Statement: st, Seq: seq, Ref: ref, Amount: d(amount), Currency: ccy, BookingDate: day, Status: "BOOK"}
	}
	item := func(kind reconcile.ChangeKind, key, applied, remaining string) reconcile.Item {
		return reconcile.Item{Kind: kind, Key: key, Applied: d(applied), Remaining: d(remaining)}
	}
	es := []entry{
		{"st.xml", &reconcile.Result{Entry: en(eur, 1, "BANK-1", "30.50", "EUR", day), Lines: []reconcile.Line{
			{Detail: 1, Amount: d("10.00"), Currency: "EUR", EndToEndID: "E2E-A", CounterpartyName: "Anna", Outcome: reconcile.Matched,
				Rule: reconcile.RuleEndToEnd, Evidence: "end-to-end id E2E-A", Items: []reconcile.Item{item(reconcile.ChangeCollection, "E2E-A", "10.00", "0")}},
			{Detail: 2, Amount: d("20.50"), Currency: "EUR", EndToEndID: "E2E-B", CounterpartyName: "Bert", Outcome: reconcile.Matched,
				Rule: reconcile.RuleEndToEnd, Evidence: "end-to-end id E2E-B", Items: []reconcile.Item{item(reconcile.ChangeCollection, "E2E-B", "20.50", "0")}},
		}}, false},
		{"st.xml", &reconcile.Result{Entry: en(eur, 2, "BANK-2", "1300.00", "EUR", day), Lines: []reconcile.Line{
			{Amount: d("1300.00"), Currency: "EUR", CounterpartyName: "Vandenberghe Logistics BV", CounterpartyIBAN: "BE71096123456769",
				Remittance: "INV-1 INV-2", Outcome: reconcile.Matched, Rule: reconcile.RuleSubsetSum, Evidence: "2 open invoices of the customer add up to the amount",
				Items: []reconcile.Item{item(reconcile.ChangeInvoice, "INV-1", "1000.00", "0"), item(reconcile.ChangeInvoice, "INV-2", "300.00", "0")}},
		}}, false},
		{"st.xml", &reconcile.Result{Entry: en(eur, 3, "BANK-3", "-10.00", "EUR", day.AddDate(0, 0, 2)), Lines: []reconcile.Line{
			{Detail: 1, Amount: d("-10.00"), Currency: "EUR", EndToEndID: "E2E-A", CounterpartyName: "Anna", Outcome: reconcile.Returned,
				Rule: reconcile.RuleReturn, ReturnReason: "AM04", ReturnText: "Insufficient funds", Evidence: "return of E2E-A",
				Items: []reconcile.Item{item(reconcile.ChangeCollection, "E2E-A", "-10.00", "10.00")}},
		}}, false},
		{"st.xml", &reconcile.Result{Entry: en(eur, 4, "BANK-4", "1234.56", "EUR", day.AddDate(0, 0, 2)), Lines: []reconcile.Line{
			{Detail: 1, Amount: d("1234.56"), Currency: "EUR", CounterpartyName: `=HYPERLINK("http://x")`, CounterpartyIBAN: "DE89370400440532013000",
				Remittance: "<script>alert(1)</script> & co", Outcome: reconcile.Unmatched, Evidence: "no rule matched",
				Candidates: []reconcile.Item{{Kind: reconcile.ChangeInvoice, Key: "INV-9"}}},
		}}, false},
		{"st.xml", &reconcile.Result{Entry: en(eur, 5, "BANK-5", "50.00", "EUR", day.AddDate(0, 0, 2)), Lines: []reconcile.Line{
			{Amount: d("50.00"), Currency: "EUR", CounterpartyName: "Dora", Remittance: "membership", Outcome: reconcile.Ambiguous,
				Evidence: "2 open invoices of 50.00", Candidates: []reconcile.Item{{Kind: reconcile.ChangeInvoice, Key: "INV-3"}, {Kind: reconcile.ChangeInvoice, Key: "INV-4"}}},
		}}, false},
		{"st.xml", &reconcile.Result{Entry: en(eur, 6, "BANK-6", "99.99", "EUR", day.AddDate(0, 0, 2))}, true},
		{"chf.xml", &reconcile.Result{Entry: en(chf, 1, "PF-1", "1500.00", "CHF", day.AddDate(0, 0, 1)), Lines: []reconcile.Line{
			{Amount: d("1500.00"), Currency: "CHF", CounterpartyName: "Zürcher AG", Remittance: "Rechnung 2026-77", Outcome: reconcile.Unmatched, Evidence: "no rule matched"},
		}}, false},
	}
	run := Run{Kind: Reconciliation, Generated: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)}
	files := map[string]*ledger.ImportResult{}
	for _, e := range es {
		f := files[e.source]
		if f == nil {
			f = &ledger.ImportResult{File: ledger.File{Name: e.source, SHA256: "5eed", Format: "camt"}}
			files[e.source] = f
			run.Files = append(run.Files, f)
		}
		f.Entries++
		if e.dup {
			f.Duplicates++
			f.DuplicateTotal.Add(e.r.Entry.Amount, e.r.Entry.Currency)
			continue
		}
		f.Summary.Add(e.r)
		run.Summary.Add(e.r)
	}
	return es, run
}

// write writes the fixture as a report of format f.
func write(t testing.TB, f Format, es []entry, run Run) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := New(&b, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := w.Write(e.source, e.r, e.dup); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(run); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to rewrite it); got:\n%s", name, got)
	}
}

func TestReports(t *testing.T) {
	es, run := fixture()
	run.Exports = []string{"reconcile.csv", "reconcile #2.xlsx"}
	for _, f := range []Format{CSV, JSON, HTML} {
		t.Run(string(f), func(t *testing.T) {
			golden(t, "reconcile."+string(f), write(t, f, es, run))
		})
	}
}

// TestPaymentsJSON: a report of payment bookings has no statement files:
// its "files" is [], never null (docs/json.md).
func TestPaymentsJSON(t *testing.T) {
	es, run := fixture()
	run.Kind, run.Files = Payments, nil
	got := write(t, JSON, es[:1], run)
	if !bytes.Contains(got, []byte("\n],\n\"files\": [],\n\"summary\": {")) {
		t.Errorf("JSON:\n%s", got)
	}
}

// countingWriter counts what it is given and keeps nothing.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkWrite writes a report of 10,000 synthetic lines in each format
// (see large): MB/s of report written and lines/s.
func BenchmarkWrite(b *testing.B) {
	const n = 10000
	for _, f := range []Format{CSV, JSON, XLSX, HTML} {
		b.Run(string(f), func(b *testing.B) {
			var out countingWriter
			for b.Loop() {
				out.n = 0
				w, err := New(&out, f)
				if err != nil {
					b.Fatal(err)
				}
				if err := w.Close(large(b, n, w)); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(out.n)
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
