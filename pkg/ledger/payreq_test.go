package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

func unpaidKeys(items []UnpaidItem) string {
	var s []string
	for _, it := range items {
		s = append(s, fmt.Sprintf("%s %s %s %s %s a%d", it.Kind, it.Key, it.Amount.StringFixed(2), it.Reason, it.Date.Format(time.DateOnly), it.Attempts))
	}
	return strings.Join(s, "\n")
}

func TestPaymentRequestLifecycle(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	seed(t, l, 8) // collections E2E-0,2,4,6; invoices INV-1,3,5,7 due 2024-03-01
	for _, q := range []string{
		`UPDATE collections SET status = 'returned', return_reason = 'AC04' WHERE end_to_end_id = 'E2E-00000000'`,
		`UPDATE collections SET status = 'returned', return_reason = 'AM04' WHERE end_to_end_id = 'E2E-00000002'`,
		`UPDATE collections SET status = 'collected' WHERE end_to_end_id = 'E2E-00000004'`,
		`UPDATE invoices SET status = 'partial', open_amount = ` + sqlMoney(l, "5.00", "EUR") + ` WHERE number = 'INV-00000003'`,
		`UPDATE invoices SET status = 'paid', open_amount = 0 WHERE number = 'INV-00000005'`,
		`UPDATE invoices SET due_date = '2024-04-01' WHERE number = 'INV-00000007'`,
	} {
		if _, err := l.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	sel := UnpaidSelection{Collections: true, Reasons: []string{"AC04", "MD06"}, Invoices: true, DueBefore: time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)}
	items, err := unpaidOf(l, sel)
	if err != nil {
		t.Fatal(err)
	}
	want := "collection E2E-00000000 10.00 AC04 2024-03-05 a0\ninvoice INV-00000001 10.01 overdue 2024-03-01 a0\ninvoice INV-00000003 5.00 overdue 2024-03-01 a0"
	if got := unpaidKeys(items); got != want {
		t.Fatalf("unpaid\n got %s\nwant %s", got, want)
	}
	if all, _ := unpaidOf(l, UnpaidSelection{Collections: true}); unpaidKeys(all) != "collection E2E-00000000 10.00 AC04 2024-03-05 a0\ncollection E2E-00000002 10.02 AM04 2024-03-05 a0" {
		t.Errorf("every reason: %s", unpaidKeys(all))
	}

	var prs []*PaymentRequest
	for _, it := range items {
		pr := &PaymentRequest{Provider: "tikkie", ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key, ExternalID: ExternalID(it.Key, it.Attempts, 35),
			Amount: it.Amount, Currency: it.Currency, Reason: it.Reason, Name: it.Name}
		ok, err := l.ReservePaymentRequest(ctx, pr)
		if err != nil || !ok {
			t.Fatalf("reserve %s: %v %v", it.Key, ok, err)
		}
		prs = append(prs, pr)
	}
	// A second reservation for an item with a pending request records nothing.
	dup := *prs[0]
	dup.ExternalID = "other"
	if ok, err := l.ReservePaymentRequest(ctx, &dup); ok || err != nil {
		t.Fatalf("second reservation: %v %v", ok, err)
	}
	if again, _ := unpaidOf(l, sel); len(again) != 0 {
		t.Fatalf("pending items are not unpaid any more: %s", unpaidKeys(again))
	}
	for i, pr := range prs {
		if err := l.MarkPaymentRequestSent(ctx, pr.ID, fmt.Sprintf("tok%d", i), "https://pay/"+pr.ExternalID); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.MarkPaymentRequestSent(ctx, prs[0].ID, "x", ""); !errors.Is(err, ErrNotOpen) {
		t.Errorf("marking an open request sent again: %v", err)
	}

	at := time.Date(2024, 3, 20, 10, 0, 0, 0, time.UTC)
	b, err := l.BookPaymentRequest(ctx, prs[0].ID, Payment{Amount: d("10.00"), At: at, Payer: "Debtor NL91ABNA0417164300"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%s %s open %s applied %s remaining %s %s; request %s %s %s", b.Item.Kind, b.Item.Key, b.Item.Open, b.Item.Applied, b.Item.Remaining,
		b.Status, b.Request.Status, b.Request.PaidAmount, b.Request.PaidAt.Format(time.RFC3339)); got != "collection E2E-00000000 open 10 applied 10 remaining 0 paid; request paid 10 2024-03-20T10:00:00Z" {
		t.Errorf("booking %s", got)
	}
	if _, err := l.BookPaymentRequest(ctx, prs[0].ID, Payment{Amount: d("10.00"), At: at}); !errors.Is(err, ErrNotOpen) {
		t.Errorf("booking twice: %v", err)
	}
	b, err = l.BookPaymentRequest(ctx, prs[2].ID, Payment{Amount: d("3.00"), At: at})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%s open %s remaining %s %s", b.Item.Key, b.Item.Open, b.Item.Remaining, b.Status); got != "INV-00000003 open 5 remaining 2 partial" {
		t.Errorf("partial booking %s", got)
	}
	if err := l.ClosePaymentRequest(ctx, prs[1].ID, RequestExpired, "expired after 14 days"); err != nil {
		t.Fatal(err)
	}
	if err := l.ClosePaymentRequest(ctx, prs[1].ID, RequestPaid, ""); err == nil {
		t.Error("paid is not a closing status")
	}
	c, _ := l.Counts(ctx)
	if c.Collections[reconcile.StatusPaid] != 1 || c.Invoices[reconcile.StatusPartial] != 1 {
		t.Errorf("counts %+v", c)
	}
	// The expired invoice and the now partly paid one (its request was
	// paid) are what is left: the paid request keeps INV-3 from being asked
	// again, the expired one lets INV-1 be asked a second time.
	items, err = unpaidOf(l, sel)
	if err != nil {
		t.Fatal(err)
	}
	if got := unpaidKeys(items); got != "invoice INV-00000001 10.01 overdue 2024-03-01 a1" {
		t.Fatalf("after closing\n got %s", got)
	}
	if id := ExternalID(items[0].Key, items[0].Attempts, 35); id != "INV-00000001~2" {
		t.Errorf("second attempt id %q", id)
	}
	open, err := l.PaymentRequests(ctx, "tikkie", RequestOpen)
	if err != nil || len(open) != 0 {
		t.Errorf("open requests %d %v", len(open), err)
	}
	all, _ := l.PaymentRequests(ctx, "")
	var states []string
	for _, pr := range all {
		states = append(states, pr.ExternalID+" "+pr.Status+" "+pr.ProviderRef+" "+pr.URL)
	}
	if got := strings.Join(states, "; "); got != "E2E-00000000 paid tok0 https://pay/E2E-00000000; INV-00000001 expired tok1 https://pay/INV-00000001; INV-00000003 paid tok2 https://pay/INV-00000003" {
		t.Errorf("requests %s", got)
	}
}

func TestExternalID(t *testing.T) {
	for _, tc := range []struct {
		key      string
		attempts int
		want     string
	}{
		{"INV-1", 0, "INV-1"},
		{"INV-1", 1, "INV-1~2"},
		{"INV-1", 11, "INV-1~12"},
		{"E2E-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", 0, "E2E-ABCDEFGHIJKLMNOPQRSTUVWXYZ012~1"},
		{"E2E-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123", 0, "E2E-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"},
		{"E2E-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123", 1, "E2E-ABCDEFGHIJKLMNOPQRSTUVWXYZ012~2"},
	} {
		if got := ExternalID(tc.key, tc.attempts, 35); got != tc.want || len(got) > 35 {
			t.Errorf("ExternalID(%q, %d) = %q, want %q", tc.key, tc.attempts, got, tc.want)
		}
	}
}

// TestPaymentRequestPayoutOnStatement: a Tikkie payout on the bank
// statement books a request the provider has not reported yet, and matches
// (without booking again) one that sync booked; sync afterwards finds
// nothing open.
func TestPaymentRequestPayoutOnStatement(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	seed(t, l, 4) // collections E2E-0, E2E-2; invoices INV-1, INV-3
	if _, err := l.db.Exec(`UPDATE collections SET status = 'returned', return_reason = 'AC04' WHERE end_to_end_id = 'E2E-00000000'`); err != nil {
		t.Fatal(err)
	}
	items, err := unpaidOf(l, UnpaidSelection{Collections: true, Invoices: true, DueBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(items) != 3 {
		t.Fatalf("unpaid %s %v", unpaidKeys(items), err)
	}
	ids := map[string]int64{}
	for _, it := range items {
		pr := &PaymentRequest{Provider: "tikkie", ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key, ExternalID: it.Key, Amount: it.Amount, Currency: "EUR", Reason: it.Reason}
		if ok, err := l.ReservePaymentRequest(ctx, pr); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if err := l.MarkPaymentRequestSent(ctx, pr.ID, "tok-"+it.Key, ""); err != nil {
			t.Fatal(err)
		}
		ids[it.Key] = pr.ID
	}
	// Sync booked the collection's request before the statement came.
	if _, err := l.BookPaymentRequest(ctx, ids["E2E-00000000"], Payment{Amount: d("10.00"), At: bookDate, Payer: "Debtor"}); err != nil {
		t.Fatal(err)
	}
	before := countsString(t, l)
	payout := func(amount, info string) *statement.Entry {
		return &statement.Entry{Amount: d(amount), Currency: "EUR", BookingDate: bookDate, Status: "BOOK", AccountSvcrRef: info,
			Info: info, Statement: &statement.Statement{Account: statement.Account{IBAN: "NL02ABNA0123456789"}}}
	}
	res, err := l.Import(ctx, File{Name: "tikkie.xml", SHA256: "t1"}, &sliceReader{entries: []*statement.Entry{
		payout("10.01", "Tikkie ID 1 Invoice INV-00000001"),
		payout("10.00", "Tikkie ID 2 Direct debit E2E-00000000"),
	}}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Rule(reconcile.RulePaymentRequest).Count() != 2 || res.Summary.Outcome(reconcile.Matched).Count() != 2 {
		t.Fatalf("summary %+v", res.Summary)
	}
	after := countsString(t, l)
	if want := strings.Replace(before, "invoices open 2 paid 0", "invoices open 1 paid 1", 1); after != strings.Replace(want, "files 0 lines 0 matches 0", "files 1 lines 2 matches 2", 1) {
		t.Errorf("counts\nbefore %s\nafter  %s", before, after)
	}
	var settled int
	l.db.QueryRow(`SELECT COUNT(*) FROM payment_requests WHERE settled = 1`).Scan(&settled)
	open, _ := l.PaymentRequests(ctx, "tikkie", RequestOpen)
	if settled != 2 || len(open) != 1 || open[0].ItemKey != "INV-00000003" {
		t.Errorf("settled %d, open %v", settled, open)
	}
	// Tikkie reports the invoice's request paid afterwards: already booked.
	if _, err := l.BookPaymentRequest(ctx, ids["INV-00000001"], Payment{Amount: d("10.01"), At: bookDate}); !errors.Is(err, ErrNotOpen) {
		t.Errorf("sync after the payout: %v", err)
	}
	// The customer pays the invoice once more by transfer: not booked, a
	// refund case for a person.
	res, err = l.Import(ctx, File{Name: "bank.xml", SHA256: "t2"}, &sliceReader{entries: []*statement.Entry{
		payout("10.01", "Invoice INV-00000001 again"),
	}}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Outcome(reconcile.Unmatched).Count() != 1 || res.Summary.Outcome(reconcile.Matched).Count() != 0 {
		t.Errorf("second payment: %+v", res.Summary)
	}
	if open1 := invoiceOpen(t, l, "INV-00000001"); open1 != "0" {
		t.Errorf("invoice open %s after a second payment, want 0", open1)
	}
}

// TestOneDebtOneRequest: a UBL invoice collected by direct debit is both an
// invoice and a collection (end-to-end id = invoice number); when both stay
// unpaid, one request is asked for.
func TestOneDebtOneRequest(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	seed(t, l, 2) // collection E2E-00000000, invoice INV-00000001
	for _, q := range []string{
		`UPDATE collections SET status = 'returned', return_reason = 'AC04', end_to_end_id = 'INV-00000001'`,
	} {
		if _, err := l.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	sel := UnpaidSelection{Collections: true, Invoices: true, DueBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	items, _ := unpaidOf(l, sel)
	if got := unpaidKeys(items); got != "collection INV-00000001 10.00 AC04 2024-03-05 a0\ninvoice INV-00000001 10.01 overdue 2024-03-01 a0" {
		t.Fatalf("before any request:\n%s", got)
	}
	it := items[0]
	if ok, err := l.ReservePaymentRequest(ctx, &PaymentRequest{Provider: "tikkie", ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key,
		ExternalID: it.Key, Amount: it.Amount, Currency: "EUR", Reason: it.Reason}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if items, _ := unpaidOf(l, sel); len(items) != 0 {
		t.Errorf("the invoice of the requested collection is asked for too:\n%s", unpaidKeys(items))
	}
}

func unpaidOf(l *DB, sel UnpaidSelection) ([]UnpaidItem, error) {
	var out []UnpaidItem
	err := l.Unpaid(context.Background(), sel, func(it UnpaidItem) error { out = append(out, it); return nil })
	return out, err
}

// TestUnpaidPages: Unpaid walks every item page by page, and the callback
// may write to the ledger (reserve a request) while it does.
func TestUnpaidPages(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	const n = 2*unpaidPage + 37
	seed(t, l, 2*n) // n collections
	if _, err := l.db.Exec(`UPDATE collections SET status = 'returned', return_reason = 'AC04'`); err != nil {
		t.Fatal(err)
	}
	seen, last := 0, int64(0)
	err := l.Unpaid(ctx, UnpaidSelection{Collections: true}, func(it UnpaidItem) error {
		if it.ID <= last {
			return fmt.Errorf("item %d after %d", it.ID, last)
		}
		seen, last = seen+1, it.ID
		_, err := l.ReservePaymentRequest(ctx, &PaymentRequest{Provider: "tikkie", ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key,
			ExternalID: it.Key, Amount: it.Amount, Currency: it.Currency, Reason: it.Reason})
		return err
	})
	if err != nil || seen != n {
		t.Fatalf("visited %d of %d: %v", seen, n, err)
	}
	if again, _ := unpaidOf(l, UnpaidSelection{Collections: true}); len(again) != 0 {
		t.Errorf("%d items still unpaid after reserving all", len(again))
	}
	if c, _ := l.Counts(ctx); c.Requests[RequestPending] != n {
		t.Errorf("pending requests %v, want %d", c.Requests, n)
	}
}
