package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// payments is a file of one account paying part of each of the invoices
// INV-k (k odd, 1 <= k < n): amount each, named in the remittance.
func payments(account, ref string, n int, amount string) *sliceReader {
	st := &statement.Statement{Format: "generated", Kind: statement.KindStatement, ID: ref,
		Account: statement.Account{IBAN: account, Currency: "EUR"}}
	var es []*statement.Entry
	for k := 1; k < n; k += 2 {
		es = append(es, &statement.Entry{Statement: st, Amount: d(amount), Currency: "EUR", BookingDate: bookDate, Status: "BOOK",
			AccountSvcrRef: fmt.Sprintf("%s-%d", ref, k), Info: fmt.Sprintf("Invoice INV-%08d part", k)})
	}
	return &sliceReader{entries: es}
}

// booked tells whether an import booked its file: not one imported before
// nor one left to the worker claiming it.
func booked(r *ImportResult) bool { return !r.AlreadyImported && r.ClaimedBy == "" }

// TestConcurrentWorkers: four workers, each with a ledger connection of its
// own, import at once a file of their own account paying 1.00 on each of
// the same 200 invoices, then all four the same shared file paying 0.50 on
// each. On PostgreSQL the four are held until all of them have read the
// invoices' remainders (the moment a lost update happens): each invoice
// must end 4.50 lower, the shared file imported once (the other workers
// find it imported, or claimed by the worker importing it). On SQLite the
// imports queue for the database lock.
func TestConcurrentWorkers(t *testing.T) {
	const n, workers = 400, 4
	l, loc := openTemp(t)
	ctx := context.Background()
	seed(t, l, n)
	var met sync.WaitGroup
	met.Add(workers)
	dbs := make([]*DB, workers)
	for w := range dbs {
		var err error
		if dbs[w], err = Open(loc); err != nil {
			t.Fatal(err)
		}
		defer dbs[w].Close()
		dbs[w].hook = func(file, stage string, attempt int) {
			if strings.HasPrefix(file, "own-") && attempt == 0 {
				met.Done()
				met.Wait()
			}
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	shared := make([]bool, workers)
	for w := range dbs {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			name := fmt.Sprintf("own-%d", w)
			if _, err := dbs[w].Import(ctx, File{Name: name, SHA256: name}, payments(fmt.Sprintf("BE%014d", w), name, n, "1.00"), ImportOptions{}); err != nil {
				errs[w] = err
				return
			}
			r, err := dbs[w].Import(ctx, File{Name: "shared", SHA256: "shared"}, payments("BE99000000000099", "shared", n, "0.50"), ImportOptions{})
			errs[w], shared[w] = err, err == nil && booked(r)
		}(w)
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", w, err)
		}
	}
	imported := 0
	for _, s := range shared {
		if s {
			imported++
		}
	}
	if imported != 1 {
		t.Errorf("the shared file was imported %d times, want 1", imported)
	}
	var wrong []string
	if err := l.Invoices(ctx, func(v reconcile.Invoice) error {
		if want := v.Amount.Sub(d("4.50")); !v.Open.Equal(want) || v.Status != reconcile.StatusPartial {
			wrong = append(wrong, fmt.Sprintf("%s open %s %s (want %s partial)", v.Number, v.Open, v.Status, want))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(wrong) > 0 {
		t.Errorf("%d of %d invoices lost a payment, e.g. %s", len(wrong), n/2, wrong[0])
	}
	want := fmt.Sprintf("files 5 lines %d matches %d", 5*n/2, 5*n/2)
	c, err := l.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("files %d lines %d matches %d", c.Files, c.Lines, c.Matches); got != want {
		t.Errorf("counts %s, want %s", got, want)
	}
}

// TestWorkersOfDifferentAccountsDoNotWait: on PostgreSQL, a worker stopped
// in the middle of its import (its lines written, its items read) does not
// stop another importing a file of another account paying other items.
// (With the global lock of before, the second waited for the first.)
func TestWorkersOfDifferentAccountsDoNotWait(t *testing.T) {
	l, loc := openTemp(t)
	if !l.d.postgres {
		t.Skip("SQLite has one writer at a time")
	}
	ctx := context.Background()
	seed(t, l, 2000)
	a, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	inside, release := make(chan struct{}), make(chan struct{})
	a.hook = func(file, stage string, attempt int) {
		close(inside)
		<-release
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.Import(ctx, File{Name: "a", SHA256: "a"}, &genReader{k: 0, to: 1000}, ImportOptions{})
		done <- err
	}()
	<-inside
	st := *genStatement
	st.Account = statement.Account{IBAN: "BE02000000000002", Currency: "EUR"}
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := l.Import(bctx, File{Name: "b", SHA256: "b"}, &genReader{k: 1000, to: 2000, st: &st}, ImportOptions{})
	close(release)
	if err != nil {
		t.Fatalf("the second worker, while the first was in the middle of its file: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the first worker: %v", err)
	}
	if r.Summary.Lines != 1000 || r.Summary.Outcome(reconcile.Unmatched).Count() != 1 {
		t.Errorf("second worker: %d lines, %d unmatched (want 1000, 1)", r.Summary.Lines, r.Summary.Outcome(reconcile.Unmatched).Count())
	}
}

// TestDeadlockFailsOneImportCleanly: two workers whose files pay two
// invoices in opposite orders, one in each chunk, and meet after their
// first chunks, deadlock on PostgreSQL. PostgreSQL fails one import:
// ErrConcurrent, nothing of it written; imported again, it books its
// payment, and each invoice ends with both payments.
func TestDeadlockFailsOneImportCleanly(t *testing.T) {
	l, loc := openTemp(t)
	if !l.d.postgres {
		t.Skip("SQLite has one writer at a time")
	}
	ctx := context.Background()
	seed(t, l, 4) // INV-00000001 10.01, INV-00000003 10.03
	// A file of bulkChunk unmatched lines and a payment of first, then a
	// payment of second in the next chunk.
	file := func(w int, first, second string) *sliceReader {
		st := &statement.Statement{Format: "generated", Kind: statement.KindStatement, ID: fmt.Sprint(w),
			Account: statement.Account{IBAN: fmt.Sprintf("BE%014d", w), Currency: "EUR"}}
		var es []*statement.Entry
		pay := func(ref, inv string) *statement.Entry {
			return &statement.Entry{Statement: st, Amount: d("1.00"), Currency: "EUR", BookingDate: bookDate, Status: "BOOK",
				AccountSvcrRef: ref, Info: "Invoice " + inv}
		}
		for i := 0; i < bulkChunk-1; i++ {
			e := pay(fmt.Sprintf("GIFT-%d-%d", w, i), "none")
			e.Info = "a gift"
			es = append(es, e)
		}
		return &sliceReader{entries: append(es, pay(fmt.Sprintf("P1-%d", w), first), pay(fmt.Sprintf("P2-%d", w), second))}
	}
	var met sync.WaitGroup
	met.Add(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for w, order := range [][2]string{{"INV-00000001", "INV-00000003"}, {"INV-00000003", "INV-00000001"}} {
		db, err := Open(loc)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		chunks := 0
		db.hook = func(file, stage string, attempt int) {
			if chunks++; chunks == 2 { // the second chunk read: both hold their first invoice
				met.Done()
				met.Wait()
			}
		}
		wg.Add(1)
		go func(w int, order [2]string) {
			defer wg.Done()
			name := fmt.Sprintf("w%d", w)
			_, errs[w] = db.Import(ctx, File{Name: name, SHA256: name}, file(w, order[0], order[1]), ImportOptions{})
		}(w, order)
	}
	wg.Wait()
	failed := -1
	for w, err := range errs {
		switch {
		case err == nil:
		case errors.Is(err, ErrConcurrent) && failed < 0:
			failed = w
		default:
			t.Fatalf("worker %d: %v", w, err)
		}
	}
	if failed < 0 {
		t.Fatal("no deadlock: both imports went through")
	}
	c, _ := l.Counts(ctx)
	if c.Files != 1 || c.Lines != bulkChunk+1 {
		t.Errorf("after the failed import: %d files, %d lines (want 1, %d)", c.Files, c.Lines, bulkChunk+1)
	}
	order := [][2]string{{"INV-00000001", "INV-00000003"}, {"INV-00000003", "INV-00000001"}}[failed]
	name := fmt.Sprintf("w%d", failed)
	if _, err := l.Import(ctx, File{Name: name, SHA256: name}, file(failed, order[0], order[1]), ImportOptions{}); err != nil {
		t.Fatalf("again: %v", err)
	}
	for inv, want := range map[string]string{"INV-00000001": "8.01", "INV-00000003": "8.03"} {
		if got := invoiceOpen(t, l, inv); got != want {
			t.Errorf("%s open %s, want %s", inv, got, want)
		}
	}
}

// TestChangedItemIsDecidedAgain: on PostgreSQL, worker B reads invoices
// INV-1 and INV-3, then worker A pays INV-3 and commits before B writes.
// B's conditional update changes INV-1 but finds INV-3 changed: it must set
// INV-1 back, read both again and decide again (a second read), so that
// INV-1 is paid once and INV-3 twice, with one match per line.
func TestChangedItemIsDecidedAgain(t *testing.T) {
	l, loc := openTemp(t)
	if !l.d.postgres {
		t.Skip("SQLite has one writer at a time")
	}
	ctx := context.Background()
	seed(t, l, 4) // INV-00000001 10.01, INV-00000003 10.03
	file := func(w int, invs ...string) *sliceReader {
		st := &statement.Statement{Format: "generated", Kind: statement.KindStatement, ID: fmt.Sprint(w),
			Account: statement.Account{IBAN: fmt.Sprintf("BE%014d", w), Currency: "EUR"}}
		var es []*statement.Entry
		for i, inv := range invs {
			es = append(es, &statement.Entry{Statement: st, Amount: d("1.00"), Currency: "EUR", BookingDate: bookDate, Status: "BOOK",
				AccountSvcrRef: fmt.Sprintf("P%d-%d", w, i), Info: "Invoice " + inv})
		}
		return &sliceReader{entries: es}
	}
	a, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	bRead, aDone := make(chan struct{}), make(chan struct{})
	a.hook = func(file, stage string, attempt int) { <-bRead }
	reads := 0
	l.hook = func(file, stage string, attempt int) {
		if reads++; reads == 1 {
			close(bRead)
			<-aDone
		}
	}
	errA := make(chan error, 1)
	go func() {
		_, err := a.Import(ctx, File{Name: "a", SHA256: "a"}, file(1, "INV-00000003"), ImportOptions{})
		close(aDone)
		errA <- err
	}()
	r, err := l.Import(ctx, File{Name: "b", SHA256: "b"}, file(2, "INV-00000001", "INV-00000003"), ImportOptions{})
	if err != nil {
		t.Fatalf("worker B: %v", err)
	}
	if err := <-errA; err != nil {
		t.Fatalf("worker A: %v", err)
	}
	if reads != 2 || r.Summary.Lines != 2 {
		t.Errorf("worker B read the items %d times (want 2), booked %d lines (want 2)", reads, r.Summary.Lines)
	}
	for inv, want := range map[string]string{"INV-00000001": "9.01", "INV-00000003": "8.03"} {
		if got := invoiceOpen(t, l, inv); got != want {
			t.Errorf("%s open %s, want %s", inv, got, want)
		}
	}
	if c, _ := l.Counts(ctx); c.Lines != 3 || c.Matches != 3 {
		t.Errorf("%d lines, %d matches (want 3, 3)", c.Lines, c.Matches)
	}
}
