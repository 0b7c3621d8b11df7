package ledger

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

func TestMinorUnits(t *testing.T) {
	for _, c := range []struct{ amount, ccy, want string }{
		{"10.01", "EUR", "1001"},
		{"-5.5", "EUR", "-550"},
		{"0", "EUR", "0"},
		{"92233720368547758.07", "EUR", "9223372036854775807"},
		{"1500", "JPY", "1500"},
		{"1.234", "BHD", "1234"},
		{"1.2", "BHD", "1200"},
		{"-7", "EUR", "-700"},
		{"999999999999999", "EUR", "99999999999999900"}, // 15 digits: no big.Int
		{"9999999999999.99", "EUR", "999999999999999"},
		{"9999999999999999", "EUR", "999999999999999900"}, // 16 digits: big.Int
		{"1E3", "EUR", "100000"},
		{"-0.01", "EUR", "-1"},
		{"1.005", "EUR", "ledger: 1.005 EUR: amount finer than its currency's minor unit, or too large (2 decimals)"},
		{"0.5", "JPY", "ledger: 0.5 JPY: amount finer than its currency's minor unit, or too large (0 decimals)"},
		{"92233720368547758.08", "EUR", "ledger: 92233720368547758.08 EUR: amount finer than its currency's minor unit, or too large (2 decimals)"},
	} {
		got := ""
		if m, err := minorUnits(d(c.amount), c.ccy); err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprint(m)
			back, _ := (moneyCol{minor: m, kind: 'i'}).dec(c.ccy)
			if !back.Equal(d(c.amount)) {
				t.Errorf("%s %s: back %s", c.amount, c.ccy, back)
			}
		}
		if got != c.want {
			t.Errorf("%s %s: %s, want %s", c.amount, c.ccy, got, c.want)
		}
	}
}

// oldLedger creates a ledger at schema 5 (money as TEXT) at loc and fills
// it the way batchtool wrote it then.
func oldLedger(t *testing.T, loc string, rows []string) {
	t.Helper()
	all := migrations
	migrations = all[:5] // the schema before money became numbers
	old, err := Open(loc)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	for _, q := range rows {
		var args []any
		if strings.Contains(q, "INSERT INTO statement_lines") {
			args = []any{[]byte{1}, []byte{2}} // the identities
		}
		if _, err := old.db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

var oldRows = []string{
	`INSERT INTO batches (id, pmtinf_id, nb_of_txs, total, total_cents, currency, status) VALUES (1, 'PMT-1', 2, '1234567.89', 123456789, 'EUR', 'open')`,
	`INSERT INTO collections (id, end_to_end_id, mandate_id, pmtinf_id, amount, currency, status) VALUES (1, 'E2E-1', 'M-1', 'PMT-1', '1234567.8', 'EUR', 'open'),
		(2, 'E2E-2', 'M-2', 'PMT-1', '0.09', 'EUR', 'returned')`,
	`INSERT INTO invoices (id, number, number_key, reference, amount, open_amount, currency, status) VALUES
		(1, 'INV-1', 'INV1', '', '10.01', '10.01', 'EUR', 'open'),
		(2, 'INV-2', 'INV2', '', '100', '-0.5', 'EUR', 'overpaid'),
		(3, 'INV-3', 'INV3', '', '1500', '1500', 'JPY', 'open'),
		(4, 'INV-4', 'INV4', '', '1.234', '0.004', 'BHD', 'partial'),
		(5, 'INV-5', 'INV5', '', '99999999.99', '99999999.99', 'USD', 'open')`,
	`INSERT INTO statement_files (id, sha256, name, imported_at, entries, duplicates) VALUES (1, 'aa', 'a.xml', '2024-03-08T00:00:00Z', 2, 0)`,
	`INSERT INTO statement_lines (id, identity, file_id, account, entry_seq, occurrence, amount, currency, reversal) VALUES
		(1, ?, 1, 'BE68', 1, 1, '100.5', 'EUR', 0), (2, ?, 1, 'BE68', 2, 1, '-0.09', 'EUR', 1)`,
	`INSERT INTO matches (line_id, detail, outcome, amount, applied, evidence) VALUES (1, 1, 'matched', '100.5', '100.50', 'e'), (2, 1, 'returned', '-0.09', NULL, 'e')`,
	`INSERT INTO payment_requests (id, provider, item_kind, item_id, item_key, item_key_norm, external_id, amount, currency, reason, status, created_at, updated_at, paid_amount)
		VALUES (1, 'tikkie', 'invoice', 4, 'INV-4', 'INV4', 'INV-4', '1.23', 'BHD', 'overdue', 'paid', 't', 't', '1.230')`,
}

// TestMoneyMigration opens a ledger written with money as TEXT (schema 5)
// and checks every amount after the migration to numbers, to the minor
// unit, read through the API and added up by SQL per currency.
func TestMoneyMigration(t *testing.T) {
	loc := tempLocation(t)
	oldLedger(t, loc, oldRows)
	l, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	var got []string
	if err := l.Invoices(ctx, func(v reconcile.Invoice) error {
		got = append(got, fmt.Sprintf("%s %s %s/%s", v.Number, v.Currency, v.Amount, v.Open))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := l.Collections(ctx, func(c reconcile.Collection) error {
		got = append(got, fmt.Sprintf("%s %s %s", c.EndToEndID, c.Currency, c.Amount))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	prs, err := l.PaymentRequests(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range prs {
		got = append(got, fmt.Sprintf("request %s %s %s paid %s", pr.ExternalID, pr.Currency, pr.Amount, pr.PaidAmount))
	}
	for _, q := range []string{
		`SELECT 'batch', currency, total FROM batches`,
		`SELECT 'line', currency, amount FROM statement_lines ORDER BY id`,
		`SELECT 'match', currency, amount FROM matches ORDER BY id`,
		`SELECT 'applied', currency, applied FROM matches ORDER BY id`,
	} {
		rows, err := l.db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var what, ccy string
			var m moneyCol
			if err := rows.Scan(&what, &ccy, &m); err != nil {
				t.Fatal(err)
			}
			v, _ := m.dec(ccy)
			if !m.valid() {
				got = append(got, fmt.Sprintf("%s %s NULL", what, ccy))
				continue
			}
			got = append(got, fmt.Sprintf("%s %s %s", what, ccy, v))
		}
		rows.Close()
	}
	want := `INV-1 EUR 10.01/10.01
INV-2 EUR 100/-0.5
INV-3 JPY 1500/1500
INV-4 BHD 1.234/0.004
INV-5 USD 99999999.99/99999999.99
E2E-1 EUR 1234567.8
E2E-2 EUR 0.09
request INV-4 BHD 1.23 paid 1.23
batch EUR 1234567.89
line EUR 100.5
line EUR -0.09
match EUR 100.5
match EUR -0.09
applied EUR 100.5
applied EUR NULL`
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("after the migration\n got %s\nwant %s", g, want)
	}
	// A finance user's sum per currency, in the currency (PostgreSQL) or in
	// its minor units (SQLite).
	if got, want := sumByCurrency(t, l, `SELECT currency, SUM(open_amount) FROM invoices GROUP BY currency ORDER BY currency`),
		"BHD 0.004, EUR 9.51, JPY 1500, USD 99999999.99"; got != want {
		t.Errorf("SUM(open_amount) by currency: %s, want %s", got, want)
	}
}

// sumByCurrency runs q (currency, SUM(...)) and renders the sums.
func sumByCurrency(t *testing.T, l *DB, q string) string {
	t.Helper()
	rows, err := l.db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ccy string
		var m moneyCol
		if err := rows.Scan(&ccy, &m); err != nil {
			t.Fatal(err)
		}
		v, err := m.dec(ccy)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ccy+" "+v.String())
	}
	return strings.Join(out, ", ")
}

// TestMoneyMigrationRefusesToRound: on SQLite, a TEXT amount finer than
// its currency's minor unit stops the migration (nothing changes) instead
// of being rounded; PostgreSQL's NUMERIC keeps it as it is.
func TestMoneyMigrationRefusesToRound(t *testing.T) {
	loc := tempLocation(t)
	oldLedger(t, loc, []string{`INSERT INTO invoices (number, number_key, reference, amount, open_amount, currency, status)
		VALUES ('INV-1', 'INV1', '', '10.005', '10.005', 'EUR', 'open')`})
	l, err := Open(loc)
	if err == nil && l.d.postgres {
		defer l.Close()
		if got := invoiceOpen(t, l, "INV-1"); got != "10.005" {
			t.Errorf("NUMERIC made 10.005 %s", got)
		}
		return
	}
	if err == nil {
		l.Close()
		t.Fatal("the migration rounded 10.005 EUR")
	}
	if !strings.Contains(err.Error(), "migration 6") {
		t.Errorf("error %v", err)
	}
	all := migrations
	migrations = all[:5]
	old, err := Open(loc)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var amt string
	if err := old.db.QueryRow(`SELECT open_amount FROM invoices`).Scan(&amt); err != nil || amt != "10.005" {
		t.Errorf("after the failed migration: %q %v", amt, err)
	}
}

// TestSQLSumsAgreeWithTheReport: after an import, SUM(amount) by currency
// over statement_lines and over the matched matches is what the import's
// summary reports.
func TestSQLSumsAgreeWithTheReport(t *testing.T) {
	l, _ := openTemp(t)
	seed(t, l, 2000)
	r, err := l.Import(context.Background(), File{Name: "g", SHA256: "g"}, &genReader{k: 0, to: 2000}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary.In("EUR")
	for _, c := range []struct {
		q    string
		want decimal.Decimal
	}{
		{`SELECT currency, SUM(amount) FROM statement_lines GROUP BY currency`, s.Total.Amount},
		{`SELECT currency, SUM(amount) FROM matches WHERE outcome = 'matched' GROUP BY currency`, s.Matched.Amount},
		{`SELECT currency, SUM(amount) FROM matches WHERE outcome = 'returned' GROUP BY currency`, s.Returned.Amount},
	} {
		if got, want := sumByCurrency(t, l, c.q), "EUR "+c.want.String(); got != want {
			t.Errorf("%s: %s, the report %s", c.q, got, want)
		}
	}
	totals, err := l.LineTotals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%+v", totals), fmt.Sprintf("[{Currency:EUR Count:%d Sum:%s}]", s.Total.Count, s.Total.Amount); got != want {
		t.Errorf("LineTotals %s, want %s", got, want)
	}
}

// TestImportCurrencyAfterManyInvoices: an import forgets the currencies of
// the invoices it read once it has read a thousand or so (txStore.entryDone);
// an invoice in yen paid after 1,200 euro invoices keeps its remainder in
// yen, not in cents.
func TestImportCurrencyAfterManyInvoices(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	n := 2400
	seed(t, l, n)
	o, _ := sepa.NewOGM(987654)
	jpy := &reconcile.Invoice{Number: "INV-JPY", CustomerName: "Customer", Reference: string(o), Amount: d("1500"), Currency: "JPY", DueDate: dueDate}
	sent := false
	if _, err := l.AddInvoices(ctx, "yen", func() (*reconcile.Invoice, error) {
		if sent {
			return nil, io.EOF
		}
		sent = true
		return jpy, nil
	}); err != nil {
		t.Fatal(err)
	}
	var es []*statement.Entry
	for k := 0; k < n; k++ {
		es = append(es, genEntry(k))
	}
	tx := statement.Transaction{Amount: d("500"), Currency: "JPY", Reference: statement.Reference{Scheme: sepa.SchemeOGM, Value: string(o)}}
	es = append(es, &statement.Entry{Statement: genStatement, Seq: n + 1, Ref: "yen", Currency: "JPY", Status: "BOOK", BookingDate: bookDate,
		Amount: tx.Amount, Details: []statement.Transaction{tx}})
	res, err := l.Import(ctx, File{Name: "many", SHA256: "many"}, &sliceReader{entries: es}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tally(res.Summary, reconcile.RuleReference); got != 3*n/10+1 {
		t.Errorf("%d lines by reference, want %d", got, 3*n/10+1)
	}
	if got := invoiceOpen(t, l, "INV-JPY"); got != "1000" {
		t.Errorf("INV-JPY open %s, want 1000", got)
	}
}
