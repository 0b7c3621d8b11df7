package ledger

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// TestAdoptPaymentRequests: a run takes over the pending requests of any
// earlier run and the open ones of runs that never finished (killed before
// listing their links); the open ones of finished runs stay theirs.
func TestAdoptPaymentRequests(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	seed(t, l, 8) // invoices INV-1, -3, -5, -7
	items, err := unpaidOf(l, UnpaidSelection{Invoices: true, DueBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(items) != 4 {
		t.Fatalf("unpaid %s %v", unpaidKeys(items), err)
	}
	finished, _ := l.BeginRun(ctx, "payreq create")
	killed, _ := l.BeginRun(ctx, "payreq create")
	l.FinishRun(ctx, finished, "{}")
	reserve := func(it UnpaidItem, provider string, run int64, sent bool) int64 {
		pr := &PaymentRequest{Provider: provider, ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key, ExternalID: it.Key + provider, Amount: it.Amount,
			Currency: "EUR", Reason: it.Reason, RunID: run}
		if ok, err := l.ReservePaymentRequest(ctx, pr); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if sent {
			if err := l.MarkPaymentRequestSent(ctx, pr.ID, "tok", ""); err != nil {
				t.Fatal(err)
			}
		}
		return pr.ID
	}
	ids := map[string]int64{
		"pending of a finished run": reserve(items[0], "tikkie", finished, false),
		"open of a killed run":      reserve(items[1], "tikkie", killed, true),
		"open of a finished run":    reserve(items[2], "tikkie", finished, true),
		"pending, another provider": reserve(items[3], "tinka", killed, false),
	}
	now, _ := l.BeginRun(ctx, "payreq create")
	if _, err := l.Claim(ctx, ClaimRun, RunClaimKey(now)); err != nil { // as CreateRequests does
		t.Fatal(err)
	}
	if n, err := l.AdoptPaymentRequests(ctx, "tikkie", now); n != 2 || err != nil {
		t.Fatalf("adopted %d %v, want 2", n, err)
	}
	if n, err := l.AdoptPaymentRequests(ctx, "tikkie", now); n != 0 || err != nil {
		t.Fatalf("adopted again: %d %v", n, err)
	}
	for name, want := range map[string]int64{
		"pending of a finished run": now, "open of a killed run": now,
		"open of a finished run": finished, "pending, another provider": killed,
	} {
		if pr, err := l.paymentRequest(ctx, ids[name]); err != nil || pr.RunID != want {
			t.Errorf("%s: run %d %v, want %d", name, pr.RunID, err, want)
		}
	}
}

// TestPendingRequestPayout: the payout of a request left pending by a
// killed run is booked against it (the payout proves it reached the
// provider), once; recovery then finds nothing pending.
func TestPendingRequestPayout(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	seed(t, l, 4)
	if _, err := l.db.Exec(`UPDATE collections SET status = 'returned', return_reason = 'AC04' WHERE end_to_end_id = 'E2E-00000000'`); err != nil {
		t.Fatal(err)
	}
	items, err := unpaidOf(l, UnpaidSelection{Collections: true})
	if err != nil || len(items) != 1 {
		t.Fatalf("unpaid %s %v", unpaidKeys(items), err)
	}
	it := items[0]
	killed, _ := l.BeginRun(ctx, "payreq create")
	pr := &PaymentRequest{Provider: "tikkie", ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key, ExternalID: it.Key, Amount: it.Amount,
		Currency: "EUR", Reason: it.Reason, RunID: killed}
	if ok, err := l.ReservePaymentRequest(ctx, pr); !ok || err != nil {
		t.Fatal(ok, err)
	}
	payout := &statement.Entry{Amount: d("10.00"), Currency: "EUR", BookingDate: bookDate, Status: "BOOK", AccountSvcrRef: "T2",
		Info: "Tikkie ID 2 Direct debit E2E-00000000", Statement: &statement.Statement{Account: statement.Account{IBAN: "NL02ABNA0123456789"}}}
	for i, name := range []string{"tikkie-1.xml", "tikkie-2.xml"} {
		res, err := l.Import(ctx, File{Name: name, SHA256: name}, &sliceReader{entries: []*statement.Entry{payout}}, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		eur := res.Summary.In("EUR")
		pr := eur.ByRule[reconcile.RulePaymentRequest]
		switch {
		case i == 0 && (pr == nil || pr.Count != 1 || pr.Amount.String() != "10" || eur.Matched.Count != 1):
			t.Fatalf("payout: %+v", res.Summary)
		case i == 1 && (res.Duplicates != 1 || eur.Matched.Count != 0):
			t.Fatalf("the same payout in another file: %+v, %d duplicate(s)", res.Summary, res.Duplicates)
		}
	}
	got, err := l.paymentRequest(ctx, pr.ID)
	if err != nil || got.Status != RequestPaid || got.PaidAmount.String() != "10" || got.Note != "payout seen on a bank statement" {
		t.Fatalf("request after its payout: %+v %v", got, err)
	}
	var settled int
	var coll string
	l.db.QueryRow(`SELECT settled FROM payment_requests WHERE id = ?`, pr.ID).Scan(&settled)
	l.db.QueryRow(`SELECT status FROM collections WHERE id = ?`, it.ID).Scan(&coll)
	if settled != 1 || coll != "paid" {
		t.Errorf("settled %d, collection %s", settled, coll)
	}
	if pending, _ := l.PaymentRequests(ctx, "tikkie", RequestPending); len(pending) != 0 {
		t.Errorf("still pending: %+v", pending)
	}
}

// TestAdoptLeavesLiveWorkers: with workers sharing the ledger, a run
// adopts only what dead workers left: a pending request whose claim a
// live worker holds (it is sending it now), or one whose run's claim is
// live (that run lists or recovers it), is left alone; one whose claim
// ran out, or whose holder was a process of this host that is gone, or
// that was never claimed, is taken — each by one run only.
func TestAdoptLeavesLiveWorkers(t *testing.T) {
	l, loc := openTemp(t)
	ctx := context.Background()
	seed(t, l, 12) // invoices INV-1, -3, -5, -7, -9, -11
	items, err := unpaidOf(l, UnpaidSelection{Invoices: true, DueBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(items) != 6 {
		t.Fatalf("unpaid %s %v", unpaidKeys(items), err)
	}
	other, err := Open(loc) // another worker
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	host, _ := os.Hostname()
	claimRow := func(kind ClaimKind, key, owner string, expires time.Time) {
		t.Helper()
		if _, err := l.db.ExecContext(ctx, `INSERT INTO claims (kind, key, owner, expires_ms, attempts, claimed_at) VALUES (?, ?, ?, ?, 1, ?)`,
			string(kind), key, owner, expires.UnixMilli(), l.stamp()); err != nil {
			t.Fatal(err)
		}
	}
	liveRun, _ := l.BeginRun(ctx, "payreq create")
	expiredRun, _ := l.BeginRun(ctx, "payreq create")
	if _, err := other.Claim(ctx, ClaimRun, RunClaimKey(liveRun)); err != nil {
		t.Fatal(err)
	}
	claimRow(ClaimRun, RunClaimKey(expiredRun), "elsewhere:1:aaaaaaaaaaaa", time.Now().Add(-time.Minute))
	ids := map[string]int64{}
	for i, tc := range []struct {
		name  string
		run   int64
		sent  bool
		claim func(key string)
	}{
		{"pending, held by a live worker", liveRun, false, func(key string) {
			if _, err := other.Claim(ctx, ClaimRequest, key); err != nil {
				t.Fatal(err)
			}
		}},
		{"pending, held by a gone process of this host", expiredRun, false, func(key string) {
			claimRow(ClaimRequest, key, host+":999999999:bbbbbbbbbbbb", time.Now().Add(time.Hour))
		}},
		{"pending, lease run out on another host", expiredRun, false, func(key string) {
			claimRow(ClaimRequest, key, "elsewhere:1:cccccccccccc", time.Now().Add(-time.Minute))
		}},
		{"pending, never claimed", expiredRun, false, func(string) {}},
		{"open, its run's claim live", liveRun, true, func(string) {}},
		{"open, its run's lease run out", expiredRun, true, func(string) {}},
	} {
		it := items[i]
		pr := &PaymentRequest{Provider: "tikkie", ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key, ExternalID: it.Key, Amount: it.Amount,
			Currency: "EUR", Reason: it.Reason, RunID: tc.run}
		if ok, err := l.ReservePaymentRequest(ctx, pr); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if tc.sent {
			if err := l.MarkPaymentRequestSent(ctx, pr.ID, "tok", ""); err != nil {
				t.Fatal(err)
			}
		}
		tc.claim(RequestClaimKey("tikkie", pr.ExternalID))
		ids[tc.name] = pr.ID
	}
	now, _ := l.BeginRun(ctx, "payreq create")
	if _, err := l.Claim(ctx, ClaimRun, RunClaimKey(now)); err != nil { // as CreateRequests does
		t.Fatal(err)
	}
	if n, err := l.AdoptPaymentRequests(ctx, "tikkie", now); n != 4 || err != nil {
		t.Fatalf("adopted %d %v, want 4", n, err)
	}
	later, _ := l.BeginRun(ctx, "payreq create")
	if n, err := l.AdoptPaymentRequests(ctx, "tikkie", later); n != 0 || err != nil {
		t.Fatalf("a second run adopted %d %v, want 0: the first run holds its claim", n, err)
	}
	for name, want := range map[string]int64{
		"pending, held by a live worker":               liveRun,
		"pending, held by a gone process of this host": now,
		"pending, lease run out on another host":       now,
		"pending, never claimed":                       now,
		"open, its run's claim live":                   liveRun,
		"open, its run's lease run out":                now,
	} {
		if pr, err := l.paymentRequest(ctx, ids[name]); err != nil || pr.RunID != want {
			t.Errorf("%s: run %d %v, want %d", name, pr.RunID, err, want)
		}
	}
}
