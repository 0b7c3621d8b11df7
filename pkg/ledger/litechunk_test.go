package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// chunkFiles are statement files whose lines meet across chunks of a few
// lines: an invoice paid in four parts on consecutive lines, a batch
// collected and one of its collections returned on the next line, a batch
// booked with its details twice in one file (two bookings) and split in
// another (a duplicate), lines repeated from the first file, and the
// generated world's rules around them.
func chunkFiles() [][]*statement.Entry {
	st := genStatement
	ogm := func(k int) string { o, _ := sepa.NewOGM(uint64(k)); return string(o) }
	pay := func(seq int, amount string, ref string) *statement.Entry {
		tx := statement.Transaction{Amount: d(amount), Currency: "EUR", Reference: statement.Reference{Scheme: sepa.SchemeOGM, Value: ref}}
		return &statement.Entry{Statement: st, Seq: seq, Ref: fmt.Sprint("P", seq), Currency: "EUR", Status: "BOOK", BookingDate: bookDate,
			Amount: tx.Amount, Details: []statement.Transaction{tx}}
	}
	// Batch PMT-00000 holds collections 0, 2, ..., 198.
	var total = d("0")
	for k := 0; k < 200; k += 2 {
		total = total.Add(genAmount(k))
	}
	batch := &statement.Entry{Statement: st, Seq: 900, Ref: "B", Currency: "EUR", Status: "BOOK", BookingDate: bookDate, Amount: total, BatchID: "PMT-00000"}
	ret := genEntry(150)
	ret.Reversal, ret.Amount = true, genAmount(150).Neg()
	ret.Details[0].Amount, ret.Details[0].ReturnReason, ret.Details[0].MandateID = ret.Amount, "MD06", ""
	details := func(seq int, ks ...int) *statement.Entry {
		e := &statement.Entry{Statement: st, Seq: seq, Ref: fmt.Sprint("D", seq), Currency: "EUR", Status: "BOOK", BookingDate: bookDate,
			AccountSvcrRef: fmt.Sprint("DREF", seq), BatchCount: len(ks), Amount: d("0")}
		for _, k := range ks {
			c := genCollection(k)
			e.Details = append(e.Details, statement.Transaction{Amount: c.Amount, Currency: "EUR", EndToEndID: c.EndToEndID, MandateID: c.MandateID})
			e.Amount = e.Amount.Add(c.Amount)
		}
		return e
	}
	var a []*statement.Entry
	for k := range 40 {
		a = append(a, genEntry(k))
	}
	a = append(a, pay(1, "3.00", ogm(41)), pay(2, "3.00", ogm(41)), pay(3, "3.00", ogm(41)), pay(4, "3.00", ogm(41)))
	a = append(a, details(5, 160, 162, 164), details(5, 160, 162, 164))
	a = append(a, batch, ret)
	for k := 60; k < 80; k++ {
		a = append(a, genEntry(k))
	}
	a = append(a, pay(6, "1.00", ogm(43)), pay(7, "1.00", ogm(43)))
	for k := 200; k < 500; k++ { // long runs of lines; invoices paid together (updateRows)
		a = append(a, genEntry(k))
	}
	b := []*statement.Entry{genEntry(3), details(8, 160, 162), details(9, 164), genEntry(4)}
	b = append(b, details(10, 170, 172, 174), pay(6, "1.00", ogm(43)), genEntry(81), pay(11, "20.00", ogm(43)))
	for k := 250; k < 650; k++ { // duplicates and new lines
		b = append(b, genEntry(k))
		if k%3 == 0 {
			b = append(b, genEntry(k)) // the same content again: a line of its own
		}
	}
	return [][]*statement.Entry{a, b}
}

// TestChunksBookAsLines: the SQLite import booking a chunk at a time on
// two goroutines leaves the ledger exactly as booking line by line does,
// row for row, whatever the chunk size.
func TestChunksBookAsLines(t *testing.T) {
	ctx := context.Background()
	book := func(t *testing.T, chunk int) (string, []string) {
		l, err := Open(filepath.Join(t.TempDir(), "ledger.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		l.chunkLines = chunk
		l.now = func() time.Time { return time.Date(2024, 3, 9, 1, 2, 3, 0, time.UTC) }
		seed(t, l, 200)
		// Invoices 201, 203, ..., 599 too, paid by the long runs of lines
		// (updateRows at a time).
		k := 201
		if _, err := l.AddInvoices(ctx, "gen", func() (*reconcile.Invoice, error) {
			if k >= 600 {
				return nil, io.EOF
			}
			k += 2
			return genInvoice(k - 2), nil
		}); err != nil {
			t.Fatal(err)
		}
		var results []string
		for i, es := range chunkFiles() {
			name := fmt.Sprint("file-", i)
			var lines []string
			res, err := l.Import(ctx, File{Name: name, SHA256: name}, &sliceReader{entries: es}, ImportOptions{
				OnResult: func(r *reconcile.Result, dup bool) error {
					s := fmt.Sprint(r.Entry.Seq, " dup ", dup)
					for _, ln := range r.Lines {
						s += fmt.Sprint(" ", ln.Outcome, " ", ln.Rule, " ", ln.Evidence)
					}
					lines = append(lines, s)
					return nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			js, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, string(js))
			results = append(results, lines...)
		}
		return dumpLedger(t, l), results
	}
	want, wantResults := book(t, -1)
	for _, s := range []string{
		"invoices 21 INV-00000041 1041 -159 EUR overpaid\n",
		"invoices 22 INV-00000043 1043 -1157 EUR overpaid\n",
		"collections 76 E2E-00000150 MNDT-00000150 PMT-00000 1150 EUR returned MD06 ",
		"collections 77 E2E-00000152 MNDT-00000152 PMT-00000 1152 EUR collected  \n",
		"batches 1 PMT-00000 100 109900 collected\n",
		"files 2 file-1 file-1 541 255\n",
	} {
		if !strings.Contains(want, s) {
			t.Fatalf("the line-by-line import left no %q:\n%s", s, want)
		}
	}
	for _, chunk := range []int{1, 2, 3, 5, 300, 1000} {
		t.Run(fmt.Sprint("chunk=", chunk), func(t *testing.T) {
			got, gotResults := book(t, chunk)
			if got != want {
				t.Errorf("ledger differs from the line-by-line import's:\n%s", diffLines(want, got))
			}
			if g, w := strings.Join(gotResults, "\n"), strings.Join(wantResults, "\n"); g != w {
				t.Errorf("results differ from the line-by-line import's:\n%s", diffLines(w, g))
			}
		})
	}
}

// dumpLedger prints every row of the tables an import writes, in id order.
func dumpLedger(t *testing.T, l *DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT 'files', id, sha256, name, entries, duplicates FROM statement_files ORDER BY id`,
		`SELECT 'lines', * FROM statement_lines ORDER BY id`,
		`SELECT 'details', hex(identity), file_id, line_id FROM statement_details ORDER BY identity`,
		`SELECT 'matches', * FROM matches ORDER BY id`,
		`SELECT 'collections', id, end_to_end_id, mandate_id, pmtinf_id, amount, currency, status, return_reason, return_text FROM collections ORDER BY id`,
		`SELECT 'invoices', id, number, amount, open_amount, currency, status FROM invoices ORDER BY id`,
		`SELECT 'batches', id, pmtinf_id, nb_of_txs, total, status FROM batches ORDER BY id`,
	} {
		rows, err := l.db.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteByte(' ')
				}
				switch x := v.(type) {
				case []byte:
					fmt.Fprintf(&b, "%x", x)
				case nil:
				default:
					fmt.Fprint(&b, x)
				}
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

// diffLines shows the first lines where two texts differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)) && len(out) < 10; i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, fmt.Sprintf("line %d\n want %s\n  got %s", i+1, a, b))
		}
	}
	return strings.Join(out, "\n")
}

// failingReader is the generated world that fails at line fail.
type failingReader struct {
	genReader
	fail int
}

func (r *failingReader) Next() (*statement.Entry, error) {
	if r.k == r.fail {
		return nil, errors.New("bad line")
	}
	return r.genReader.Next()
}

// TestChunksAbort: an import stopped by its reader or by OnResult while
// chunks are with the database goroutine writes nothing, and the file
// imports whole afterwards.
func TestChunksAbort(t *testing.T) {
	ctx := context.Background()
	stop := errors.New("stop")
	for _, tc := range []struct {
		name string
		r    statement.Reader
		opt  ImportOptions
		want string
	}{
		{"reader", &failingReader{genReader{to: 3000}, 2500}, ImportOptions{}, "f: bad line"},
		{"OnResult", &genReader{to: 3000}, ImportOptions{OnResult: func(r *reconcile.Result, dup bool) error {
			if r.Entry.Seq == 1234 {
				return stop
			}
			return nil
		}}, "stop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Open(filepath.Join(t.TempDir(), "ledger.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			l.chunkLines = 100
			seed(t, l, 3000)
			before := countsString(t, l)
			if _, err := l.Import(ctx, File{Name: "f", SHA256: "f"}, tc.r, tc.opt); err == nil || err.Error() != tc.want {
				t.Fatalf("import: %v, want %s", err, tc.want)
			}
			if got := countsString(t, l); got != before {
				t.Fatalf("after the failed import\n got %s\nwant %s", got, before)
			}
			res, err := l.Import(ctx, File{Name: "f", SHA256: "f"}, &genReader{to: 3000}, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkSummary(t, res.Summary, 3000)
		})
	}
}

// TestChunksCancelled: an import whose context is cancelled part-way leaves
// the ledger as it was, whatever the chunks handed to SQLite already; the
// file then imports whole. Before the transaction outlived the context,
// database/sql rolled it back at once and the chunks still queued were
// written outside it: no file and no lines, yet 3,000 matches and invoices
// paid.
func TestChunksCancelled(t *testing.T) {
	for _, tc := range []struct{ chunk, at int }{{100, 5}, {100, 1234}, {2999, 150}, {3000, 2999}, {0, 1234}} {
		l, err := Open(filepath.Join(t.TempDir(), "ledger.db"))
		if err != nil {
			t.Fatal(err)
		}
		l.chunkLines = tc.chunk
		seed(t, l, 3000)
		before := countsString(t, l)
		ctx, cancel := context.WithCancel(context.Background())
		_, err = l.Import(ctx, File{Name: "f", SHA256: "f"}, &genReader{to: 3000}, ImportOptions{OnResult: func(r *reconcile.Result, dup bool) error {
			if r.Entry.Seq == tc.at {
				cancel()
			}
			return nil
		}})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("chunk %d, cancelled at %d: import: %v, want context.Canceled", tc.chunk, tc.at, err)
		}
		if got := countsString(t, l); got != before {
			t.Errorf("chunk %d, cancelled at %d: after the import\n got %s\nwant %s", tc.chunk, tc.at, got, before)
		}
		res, err := l.Import(context.Background(), File{Name: "f", SHA256: "f"}, &genReader{to: 3000}, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkSummary(t, res.Summary, 3000)
		l.Close()
	}
}

// TestLiteKeysExact: the keys load looks items up by come back from
// SQLite's json_each exactly as the lines noted them, whatever bytes they
// hold.
func TestLiteKeysExact(t *testing.T) {
	l, _ := openTemp(t)
	if l.d.postgres {
		t.Skip("SQLite only: the PostgreSQL import binds its keys as arrays")
	}
	keys := []string{"E2E-00000001", `a"b`, `back\slash`, "tab\tnew\nline", "nul\x00byte", "\x1f", "caf\u00e9", "bad\xff\xfeutf8", "+++090/9337/55493+++", " space "}
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	rows, err := l.db.db.Query(`SELECT value, typeof(value) FROM json_each(?)`, jsonStrings(m))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var v []byte
		var typ string
		if err := rows.Scan(&v, &typ); err != nil {
			t.Fatal(err)
		}
		if typ != "text" {
			t.Errorf("%q: %s", v, typ)
		}
		got[string(v)] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(m) {
		t.Errorf("json_each gave back\n%v\nnot\n%v", got, m)
	}
	var n, sum int64
	if err := l.db.QueryRow(`SELECT count(*), sum(value) FROM json_each(?)`, jsonInts(map[int64]bool{-5: true, 0: true, 123456789012: true})).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if n != 3 || sum != 123456789007 {
		t.Errorf("json_each of the totals: %d values, sum %d", n, sum)
	}
}

// TestExecRowsCounts: a statement of many rows that ignores a row instead
// of failing (OR IGNORE, see prepareLite) is an error unless it wrote every
// row.
func TestExecRowsCounts(t *testing.T) {
	ctx := context.Background()
	l, err := Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tx, err := l.db.beginConn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO statement_details (identity, file_id, line_id) VALUES (?, 1, 1), (?, 1, 2)`)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		a, b string
		want string
	}{
		{"a", "b", "<nil>"},
		{"c", "a", "ledger: 1 of 2 rows written"},
		{"b", "c", "ledger: 0 of 2 rows written"},
		{"d", "d", "ledger: 1 of 2 rows written"},
	} {
		if got := fmt.Sprint(execRows(ctx, st, 2, []any{[]byte(tc.a), []byte(tc.b)})); got != tc.want {
			t.Errorf("%s, %s: %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}
