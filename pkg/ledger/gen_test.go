package ledger

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// sliceReader is a statement.Reader over entries in memory.
type sliceReader struct {
	entries []*statement.Entry
	i       int
}

func (r *sliceReader) Next() (*statement.Entry, error) {
	if r.i >= len(r.entries) {
		return nil, io.EOF
	}
	r.i++
	return r.entries[r.i-1], nil
}
func (r *sliceReader) Statements() []*statement.Statement { return nil }
func (r *sliceReader) Findings() []finding.Finding        { return nil }

var (
	bookDate = time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)
	dueDate  = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	collDate = time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
)

// The generated world: item k (0 <= k < n) is collection "E2E-k" when k is
// even, invoice "INV-k" (OGM reference k, customer IBAN "CUST-k/10") when k
// is odd; its amount is genAmount(k). Line k pays item k:
//
//	k even: credit by end-to-end id; every k%100 == 0 a return (AM04) instead
//	k%10 in 1,3,5: OGM reference; 7: invoice number in the remittance;
//	9: customer IBAN + exact amount; k%1000 == 999: a gift nothing matches.
func genAmount(k int) decimal.Decimal { return decimal.New(int64(1000+k%9000), -2) }

func genCollection(k int) *reconcile.Collection {
	return &reconcile.Collection{EndToEndID: fmt.Sprintf("E2E-%08d", k), MandateID: fmt.Sprintf("MNDT-%08d", k),
		PmtInfID: fmt.Sprintf("PMT-%05d", k/1000), Amount: genAmount(k), Currency: "EUR", CollectionDate: collDate,
		DebtorName: "Debtor", DebtorIBAN: "BE71096123456769"}
}

func genInvoice(k int) *reconcile.Invoice {
	o, _ := sepa.NewOGM(uint64(k))
	return &reconcile.Invoice{Number: fmt.Sprintf("INV-%08d", k), CustomerName: "Customer", CustomerIBANs: []string{fmt.Sprintf("CUST%07d", k/10)},
		Reference: string(o), Amount: genAmount(k), Currency: "EUR", DueDate: dueDate}
}

func seed(t testing.TB, l *DB, n int) {
	t.Helper()
	ctx := context.Background()
	k := 0
	if _, err := l.AddCollections(ctx, "gen", func() (*reconcile.Collection, error) {
		for ; k < n; k++ {
			if k%2 == 0 {
				k++
				return genCollection(k - 1), nil
			}
		}
		return nil, io.EOF
	}); err != nil {
		t.Fatal(err)
	}
	k = 0
	if _, err := l.AddInvoices(ctx, "gen", func() (*reconcile.Invoice, error) {
		for ; k < n; k++ {
			if k%2 == 1 {
				k++
				return genInvoice(k - 1), nil
			}
		}
		return nil, io.EOF
	}); err != nil {
		t.Fatal(err)
	}
}

var genStatement = &statement.Statement{Format: "generated", Kind: statement.KindStatement, ID: "GEN-1",
	Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"}}

func genEntry(k int) *statement.Entry { return genEntryOf(genStatement, k) }

// genEntryOf is line k booked on the statement st (of its own account).
func genEntryOf(st *statement.Statement, k int) *statement.Entry {
	amt := genAmount(k)
	tx := statement.Transaction{Amount: amt, Currency: "EUR"}
	e := &statement.Entry{Statement: st, Seq: k + 1, Ref: fmt.Sprint(k + 1), Currency: "EUR", Status: "BOOK", BookingDate: bookDate}
	switch {
	case k%100 == 0:
		tx.Amount = amt.Neg()
		tx.EndToEndID, tx.ReturnReason = fmt.Sprintf("E2E-%08d", k), "AM04"
		e.Reversal = true
	case k%2 == 0:
		tx.EndToEndID, tx.MandateID = fmt.Sprintf("E2E-%08d", k), fmt.Sprintf("MNDT-%08d", k)
	case k%1000 == 999:
		tx.Remittance = "a gift"
	case k%10 == 7:
		tx.Remittance = fmt.Sprintf("Invoice INV %d thank you", k)
	case k%10 == 9:
		tx.Counterparty = statement.Party{Name: "Customer", IBAN: fmt.Sprintf("CUST%07d", k/10)}
	default:
		o, _ := sepa.NewOGM(uint64(k))
		tx.Reference = statement.Reference{Scheme: sepa.SchemeOGM, Value: string(o)}
	}
	e.Amount = tx.Amount
	e.Details = []statement.Transaction{tx}
	return e
}

// genReader yields lines from..to-1 of the generated world, built on the
// fly, on the statement st (genStatement when nil).
type genReader struct {
	k, to int
	st    *statement.Statement
}

func (r *genReader) Next() (*statement.Entry, error) {
	if r.k >= r.to {
		return nil, io.EOF
	}
	r.k++
	if r.st != nil {
		return genEntryOf(r.st, r.k-1), nil
	}
	return genEntry(r.k - 1), nil
}
func (r *genReader) Statements() []*statement.Statement { return []*statement.Statement{genStatement} }
func (r *genReader) Findings() []finding.Finding        { return nil }

// genExpect is the summary line counts of lines 0..n-1 (n a multiple of 1000).
type genExpect struct{ e2e, ret, ref, num, iban, unmatched int }

func expectFor(n int) genExpect {
	return genExpect{e2e: n/2 - n/100, ret: n / 100, ref: 3 * n / 10, num: n / 10, iban: n/10 - n/1000, unmatched: n / 1000}
}

func checkSummary(t testing.TB, s reconcile.Summary, n int) {
	t.Helper()
	x := expectFor(n)
	got := fmt.Sprintf("lines %d e2e %d ret %d ref %d num %d iban %d unmatched %d ambiguous %d balanced %v",
		s.Lines, tally(s, reconcile.RuleEndToEnd), s.Outcome(reconcile.Returned).Count(), tally(s, reconcile.RuleReference), tally(s, reconcile.RuleInvoiceNumber),
		tally(s, reconcile.RuleIBANAmount), s.Outcome(reconcile.Unmatched).Count(), s.Outcome(reconcile.Ambiguous).Count(), s.Balanced())
	want := fmt.Sprintf("lines %d e2e %d ret %d ref %d num %d iban %d unmatched %d ambiguous 0 balanced true",
		n, x.e2e, x.ret, x.ref, x.num, x.iban, x.unmatched)
	if got != want {
		t.Errorf("summary\n got %s\nwant %s", got, want)
	}
}

func tally(s reconcile.Summary, r reconcile.Rule) int {
	return s.Rule(r).Count()
}

var ioEOF = io.EOF

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// sqlMoney is the SQL literal of amount (decimal text) in ccy as the
// ledger's dialect stores it: minor units on SQLite, NUMERIC on PostgreSQL.
func sqlMoney(l *DB, amount, ccy string) string {
	v, err := l.d.money(d(amount), ccy)
	if err != nil {
		panic(err)
	}
	return fmt.Sprint(v)
}

// invoiceOpen reads an invoice's open remainder as stored (decimal text).
func invoiceOpen(t testing.TB, l *DB, number string) string {
	t.Helper()
	var open moneyCol
	var ccy string
	if err := l.db.QueryRow(`SELECT open_amount, currency FROM invoices WHERE number = ?`, number).Scan(&open, &ccy); err != nil {
		t.Fatal(err)
	}
	v, err := open.dec(ccy)
	if err != nil {
		t.Fatal(err)
	}
	return v.String()
}
