package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// tempLocation is a new, empty ledger location for one test: a SQLite file
// in the test's folder, or, when testutil.PostgresEnv is set, a schema of
// its own in the test PostgreSQL database.
func tempLocation(t testing.TB) string {
	t.Helper()
	if u := testutil.PostgresLedger(t); u != "" {
		return u
	}
	return filepath.Join(t.TempDir(), "ledger.db")
}

func openTemp(t testing.TB) (*DB, string) {
	t.Helper()
	loc := tempLocation(t)
	l, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, loc
}

func countsString(t testing.TB, l *DB) string {
	t.Helper()
	c, err := l.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("batches %d collections open %d collected %d returned %d invoices open %d paid %d partial %d overpaid %d files %d lines %d matches %d",
		c.Batches, c.Collections[reconcile.StatusOpen], c.Collections[reconcile.StatusCollected], c.Collections[reconcile.StatusReturned],
		c.Invoices[reconcile.StatusOpen], c.Invoices[reconcile.StatusPaid], c.Invoices[reconcile.StatusPartial], c.Invoices[reconcile.StatusOverpaid],
		c.Files, c.Lines, c.Matches)
}

func TestMigrations(t *testing.T) {
	l, path := openTemp(t)
	ctx := context.Background()
	if v, err := l.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("version %d %v", v, err)
	}
	l.Close()
	l2, err := Open(path) // reopening migrates nothing
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	var n int
	if err := l2.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(migrations) {
		t.Fatalf("migrations rows %d %v", n, err)
	}
	if l2.d.postgres {
		// Room on each page of open items for their updates (migration 7).
		for _, tbl := range []string{"invoices", "collections"} {
			var opts string
			if err := l2.db.QueryRow(`SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = to_regclass(?)`, tbl).Scan(&opts); err != nil || opts != "fillfactor=50" {
				t.Errorf("%s: reloptions %q %v", tbl, opts, err)
			}
		}
		return
	}
	var mode string
	if err := l2.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q %v", mode, err)
	}
	var sync int
	if err := l2.db.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("synchronous %d %v (want 2, FULL)", sync, err)
	}
}

func TestAddTwiceChangesNothing(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	add := func() (AddResult, AddResult) {
		k := 0
		cr, err := l.AddCollections(ctx, "t", func() (*reconcile.Collection, error) {
			if k == 4 {
				return nil, ioEOF
			}
			k++
			return genCollection(2 * (k - 1) * 500), nil // 0, 1000, 2000, 3000: four batches
		})
		if err != nil {
			t.Fatal(err)
		}
		j := 0
		ir, err := l.AddInvoices(ctx, "t", func() (*reconcile.Invoice, error) {
			if j == 3 {
				return nil, ioEOF
			}
			j++
			return genInvoice(2*j - 1), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return cr, ir
	}
	cr, ir := add()
	if cr != (AddResult{Added: 4, Batches: 4}) || ir != (AddResult{Added: 3}) {
		t.Fatalf("first add %+v %+v", cr, ir)
	}
	before := countsString(t, l)
	cr, ir = add()
	if cr != (AddResult{Skipped: 4}) || ir != (AddResult{Skipped: 3}) {
		t.Fatalf("second add %+v %+v", cr, ir)
	}
	if after := countsString(t, l); after != before {
		t.Errorf("counts changed\n%s\n%s", before, after)
	}
	if want := "batches 4 collections open 4 collected 0 returned 0 invoices open 3 paid 0 partial 0 overpaid 0 files 0 lines 0 matches 0"; before != want {
		t.Errorf("counts\n got %s\nwant %s", before, want)
	}
}

func TestAddRejectsBadAmount(t *testing.T) {
	l, _ := openTemp(t)
	c := genCollection(0)
	c.Amount = d("1.005")
	done := false
	_, err := l.AddCollections(context.Background(), "t", func() (*reconcile.Collection, error) {
		if done {
			return nil, ioEOF
		}
		done = true
		return c, nil
	})
	if err == nil || err.Error() != `collection "E2E-00000000": amount must be positive with at most 2 decimals: 1.005` {
		t.Fatalf("err %v", err)
	}
	if got := countsString(t, l); !strings.HasPrefix(got, "batches 0 collections open 0") {
		t.Errorf("%s", got)
	}
}

func TestImportIdempotent(t *testing.T) {
	const n = 2000
	l, _ := openTemp(t)
	ctx := context.Background()
	seed(t, l, n)
	// File A: lines 0..1499.
	ra, err := l.Import(ctx, File{Name: "a.xml", SHA256: "aaaa", Format: "camt.053"}, &genReader{k: 0, to: 1500}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ra.Entries != 1500 || ra.Duplicates != 0 || !ra.Summary.Balanced() || ra.Summary.Lines != 1500 {
		t.Fatalf("A: %+v", ra)
	}
	afterA := countsString(t, l)
	// The same file again: reported, nothing changes.
	ra2, err := l.Import(ctx, File{Name: "a-again.xml", SHA256: "aaaa"}, &genReader{k: 0, to: 1500}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !ra2.AlreadyImported || ra2.PreviousName != "a.xml" || ra2.Entries != 0 {
		t.Fatalf("A again: %+v", ra2)
	}
	if got := countsString(t, l); got != afterA {
		t.Fatalf("counts changed on the same file\n%s\n%s", afterA, got)
	}
	// File B, another file repeating lines 1000..1499 and adding 1500..1999.
	var dups int
	rb, err := l.Import(ctx, File{Name: "b.xml", SHA256: "bbbb"}, &genReader{k: 1000, to: 2000}, ImportOptions{OnResult: func(r *reconcile.Result, dup bool) error {
		if dup {
			dups++
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rb.Entries != 1000 || rb.Duplicates != 500 || dups != 500 || rb.Summary.Lines != 500 {
		t.Fatalf("B: entries %d duplicates %d (callback %d) lines %d", rb.Entries, rb.Duplicates, dups, rb.Summary.Lines)
	}
	// Both imports together equal one import of 0..1999 on a fresh ledger.
	var total reconcile.Summary
	total.Merge(ra.Summary)
	total.Merge(rb.Summary)
	if total.Lines != n || total.Outcome(reconcile.Returned).Count() != n/100 || total.Outcome(reconcile.Unmatched).Count() != n/1000 {
		t.Errorf("total %+v", total)
	}
	want := "batches 2 collections open 0 collected 980 returned 20 invoices open 2 paid 998 partial 0 overpaid 0 files 2 lines 2000 matches 2000"
	if got := countsString(t, l); got != want {
		t.Errorf("counts\n got %s\nwant %s", got, want)
	}
}

func TestImportScale(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 5000
	}
	l, _ := openTemp(t)
	t0 := time.Now()
	seed(t, l, n)
	t1 := time.Now()
	r, err := l.Import(context.Background(), File{Name: "gen", SHA256: "gen"}, &genReader{k: 0, to: n}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("n=%d: seed %v, import %v (%.0f lines/s)", n, t1.Sub(t0), time.Since(t1), float64(n)/time.Since(t1).Seconds())
	checkSummary(t, r.Summary, n)
	x := expectFor(n)
	want := fmt.Sprintf("batches %d collections open 0 collected %d returned %d invoices open %d paid %d partial 0 overpaid 0 files 1 lines %d matches %d",
		n/1000, x.e2e, x.ret, x.unmatched, n/2-x.unmatched, n, n)
	if got := countsString(t, l); got != want {
		t.Errorf("counts\n got %s\nwant %s", got, want)
	}
}

func TestLineIdentity(t *testing.T) {
	a := genEntry(4)
	b := genEntry(4)
	b.Statement = &statement.Statement{ID: "OTHER-STATEMENT", Account: genStatement.Account}
	b.Seq, b.Ref = 99, "99"
	if LineIdentity(a, 1) != LineIdentity(b, 1) {
		t.Error("re-numbered re-send of the same line has another identity")
	}
	if LineIdentity(a, 1) == LineIdentity(a, 2) {
		t.Error("second occurrence has the same identity")
	}
	c := genEntry(4)
	c.BookingDate = c.BookingDate.AddDate(0, 0, 1)
	if LineIdentity(a, 1) == LineIdentity(c, 1) {
		t.Error("another day has the same identity")
	}
	if got := len(LineIdentity(a, 1)); got != 32 {
		t.Errorf("identity length %d", got)
	}
}

func TestQueryOpenItems(t *testing.T) {
	const n = 1000
	l, _ := openTemp(t)
	ctx := context.Background()
	seed(t, l, n)
	if _, err := l.Import(ctx, File{Name: "g", SHA256: "g"}, &genReader{k: 0, to: n}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := l.Collections(ctx, func(c reconcile.Collection) error {
		got = append(got, c.EndToEndID+" "+c.Amount.StringFixed(2)+" "+string(c.Status)+" "+c.ReturnReason+" "+c.ReturnText)
		return nil
	}, reconcile.StatusReturned); err != nil {
		t.Fatal(err)
	}
	want := "E2E-00000000 10.00 returned AM04 Insufficient funds|E2E-00000100 11.00 returned AM04 Insufficient funds"
	if len(got) != n/100 || strings.Join(got[:2], "|") != want {
		t.Errorf("returned collections %d %q", len(got), got)
	}
	got = nil
	if err := l.Invoices(ctx, func(v reconcile.Invoice) error {
		got = append(got, v.Number+" "+v.Open.StringFixed(2)+" "+string(v.Status)+" "+v.Reference)
		return nil
	}, reconcile.StatusOpen, reconcile.StatusPartial); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "INV-00000999 19.99 open 000000099929" {
		t.Errorf("open invoices %q", got)
	}
}

func TestPendingNotBooked(t *testing.T) {
	l, _ := openTemp(t)
	seed(t, l, 1000)
	e1, e2 := genEntry(2), genEntry(4)
	e1.Status = "PDNG"
	r, err := l.Import(context.Background(), File{Name: "052", SHA256: "052"}, &sliceReader{entries: []*statement.Entry{e1, e2}}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Entries != 2 || r.Pending != 1 || r.PendingTotal.String() != "10.02 EUR" || r.Summary.Lines != 1 {
		t.Fatalf("%+v", r)
	}
	e1.Status = "BOOK" // the day's statement books it
	r, err = l.Import(context.Background(), File{Name: "053", SHA256: "053"}, &sliceReader{entries: []*statement.Entry{e1, e2}}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Pending != 0 || r.Duplicates != 1 || r.Summary.Outcome(reconcile.Matched).Count() != 1 {
		t.Fatalf("%+v", r)
	}
}

// TestSplitBatchIsOneBooking: a batch booked as one entry (camt) and as
// several movements (a CODA split at 9,998 details) is booked once,
// whichever file comes first.
func TestSplitBatchIsOneBooking(t *testing.T) {
	const n = 12000
	whole := &statement.Entry{Currency: "EUR", BookingDate: bookDate, Status: "BOOK", AccountSvcrRef: "CAMT-REF", BatchID: "PMT-00000", BatchCount: n,
		Statement: &statement.Statement{Account: statement.Account{IBAN: "BE68539007547034"}}}
	for k := 0; k < n; k++ {
		c := genCollection(2 * k)
		whole.Details = append(whole.Details, statement.Transaction{Amount: c.Amount, EndToEndID: c.EndToEndID, MandateID: c.MandateID})
		whole.Amount = whole.Amount.Add(c.Amount)
	}
	split := func() []*statement.Entry {
		var out []*statement.Entry
		for start := 0; start < n; start += 9998 {
			p := *whole
			p.AccountSvcrRef, p.BatchID = "CODA-REF", ""
			p.Details = whole.Details[start:min(start+9998, n)]
			p.BatchCount, p.Amount = len(p.Details), decimal.Zero
			for _, d := range p.Details {
				p.Amount = p.Amount.Add(d.Amount)
			}
			out = append(out, &p)
		}
		return out
	}
	for _, order := range []string{"camt first", "coda first"} {
		t.Run(order, func(t *testing.T) {
			l, _ := openTemp(t)
			ctx := context.Background()
			seed(t, l, 2*n)
			files := []struct {
				name    string
				entries []*statement.Entry
			}{{"camt", []*statement.Entry{whole}}, {"coda", split()}}
			if order == "coda first" {
				files[0], files[1] = files[1], files[0]
			}
			r1, err := l.Import(ctx, File{Name: files[0].name, SHA256: files[0].name}, &sliceReader{entries: files[0].entries}, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r2, err := l.Import(ctx, File{Name: files[1].name, SHA256: files[1].name}, &sliceReader{entries: files[1].entries}, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r1.Duplicates != 0 || r2.Duplicates != len(files[1].entries) || len(r2.DuplicateTotal) != 1 || !r2.DuplicateTotal[0].Amount.Equal(whole.Amount) {
				t.Fatalf("first file %d duplicates, second %d of %d (%s)", r1.Duplicates, r2.Duplicates, len(files[1].entries), r2.DuplicateTotal)
			}
			if m := r1.Summary.Outcome(reconcile.Matched); len(m) != 1 || !m[0].Amount.Equal(whole.Amount) || r1.Summary.Outcome(reconcile.Unmatched).Count() != 0 {
				t.Fatalf("first file: matched %s of %s, %d unmatched", m, whole.Amount, r1.Summary.Outcome(reconcile.Unmatched).Count())
			}
			if c, _ := l.Counts(ctx); c.Collections[reconcile.StatusCollected] != n {
				t.Errorf("collected %d, want %d", c.Collections[reconcile.StatusCollected], n)
			}
		})
	}
}

// TestConcurrentImports: two workers import at once — each its own file
// paying part of the same invoice, and both the same third file. Every
// payment lands on the invoice (no update lost) and the shared file is
// imported once. On SQLite the files queue for the write lock; on
// PostgreSQL on the invoice's row, and the shared file is claimed by one.
func TestConcurrentImports(t *testing.T) {
	l, loc := openTemp(t)
	ctx := context.Background()
	seed(t, l, 2) // invoice INV-00000001, 10.01 open
	l2, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	pay := func(amount, ref string) *statement.Entry {
		return &statement.Entry{Amount: d(amount), Currency: "EUR", BookingDate: bookDate, Status: "BOOK", AccountSvcrRef: ref,
			Info: "Invoice INV-00000001 part", Statement: genStatement}
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	shared := 0
	var mu sync.Mutex
	for i, w := range []*DB{l, l2, l, l2} {
		wg.Add(1)
		go func(i int, w *DB) {
			defer wg.Done()
			name, e := fmt.Sprintf("own-%d", i), pay("1.00", fmt.Sprintf("REF-%d", i))
			if i >= 2 {
				name, e = "shared", pay("2.00", "REF-SHARED")
			}
			r, err := w.Import(ctx, File{Name: name, SHA256: name}, &sliceReader{entries: []*statement.Entry{e}}, ImportOptions{})
			errs[i] = err
			if err == nil && i >= 2 && booked(r) {
				mu.Lock()
				shared++
				mu.Unlock()
			}
		}(i, w)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", i, err)
		}
	}
	if open := invoiceOpen(t, l, "INV-00000001"); open != "6.01" || shared != 1 {
		t.Fatalf("invoice open %s (want 6.01: 10.01 - 1.00 - 1.00 - 2.00), shared file imported %d times", open, shared)
	}
}

// TestUpgradeKeepsData opens a ledger written by a batchtool that knew only
// the first two migrations (uploads, before payment requests) and checks
// that the new ones apply on top without touching what is there.
func TestUpgradeKeepsData(t *testing.T) {
	loc := tempLocation(t)
	all := migrations
	migrations = all[:2]
	old, err := Open(loc)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	seed(t, old, 20)
	if err := old.RecordUploads(context.Background(), []Upload{{Kind: UploadBatch, Key: "PMT-00000"}}); err != nil {
		t.Fatal(err)
	}
	rows := func(l *DB) string {
		var c, i, b, u int
		l.db.QueryRow(`SELECT (SELECT COUNT(*) FROM collections), (SELECT COUNT(*) FROM invoices), (SELECT COUNT(*) FROM batches), (SELECT COUNT(*) FROM uploads)`).Scan(&c, &i, &b, &u)
		return fmt.Sprintf("collections %d invoices %d batches %d uploads %d", c, i, b, u)
	}
	before := rows(old)
	if before != "collections 10 invoices 10 batches 1 uploads 1" {
		t.Fatalf("old ledger: %s", before)
	}
	if v, _ := old.SchemaVersion(context.Background()); v != 2 {
		t.Fatalf("old ledger at schema %d", v)
	}
	old.Close()
	l, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if v, _ := l.SchemaVersion(context.Background()); v != len(migrations) {
		t.Errorf("schema %d after the upgrade, want %d", v, len(migrations))
	}
	if after := rows(l); after != before {
		t.Errorf("upgrade changed the data\nbefore %s\nafter  %s", before, after)
	}
	if u, err := l.Uploaded(context.Background(), UploadBatch, "PMT-00000"); err != nil || u == nil {
		t.Errorf("upload record lost: %v %v", u, err)
	}
	if items, err := unpaidOf(l, UnpaidSelection{Collections: true, Invoices: true, DueBefore: bookDate}); err != nil || len(items) != 10 {
		t.Errorf("the upgraded ledger's unpaid items: %d %v", len(items), err)
	}
}
