package reconcile

import (
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/statement"
)

// TestPaymentRequestPayouts: the payout of a payment request books its item
// once — whether the provider reported it paid before the statement came
// (booked then) or not (booked now) — and a second payout is not taken for
// the request.
func TestPaymentRequestPayouts(t *testing.T) {
	m := NewMemStore()
	inv := m.AddInvoice(Invoice{Number: "INV-2026-0506", CustomerName: "Sofie", Amount: d("30.02"), Open: d("15.01"), Currency: "EUR", Status: StatusPartial})
	coll := m.AddCollection(Collection{EndToEndID: "ACME-2026-11-0005", PmtInfID: "P1", Amount: d("15.03"), Currency: "EUR", Status: StatusPaid})
	other := m.AddInvoice(Invoice{Number: "INV-7", Amount: d("20.00"), Currency: "EUR"})
	reqInv := m.AddPaymentRequest(PaymentRequest{Provider: "tikkie", ExternalID: "INV-2026-0506", ItemKind: ChangeInvoice, ItemID: inv, ItemKey: "INV-2026-0506", Amount: d("15.01"), Currency: "EUR"})
	reqColl := m.AddPaymentRequest(PaymentRequest{Provider: "tikkie", ExternalID: "ACME-2026-11-0005", ItemKind: ChangeCollection, ItemID: coll, ItemKey: "ACME-2026-11-0005", Amount: d("15.03"), Currency: "EUR", Booked: true})
	m.AddPaymentRequest(PaymentRequest{Provider: "tikkie", ExternalID: "INV-7", ItemKind: ChangeInvoice, ItemID: other, ItemKey: "INV-7", Amount: d("20.00"), Currency: "EUR"})
	e := NewEngine(m, Options{})
	credit := func(amount, info string) *Line {
		t.Helper()
		res, err := e.Reconcile(&statement.Entry{Amount: d(amount), Currency: "EUR", BookingDate: day("2026-12-02"), Info: info})
		if err != nil {
			t.Fatal(err)
		}
		return &res.Lines[0]
	}
	show := func(l *Line) string {
		s := string(l.Outcome) + " " + string(l.Rule)
		for _, it := range l.Items {
			s += " " + string(it.Kind) + " " + it.Key + " open " + it.Open.StringFixed(2) + " applied " + it.Applied.StringFixed(2) + " remaining " + it.Remaining.StringFixed(2)
		}
		return s
	}

	// Not yet reported paid by Tikkie: booked now.
	l := credit("15.01", "Tikkie ID 000012 Invoice INV-2026-0506 Sofie NL91ABNA0417164300")
	if got := show(l); got != "matched payment-request invoice INV-2026-0506 open 15.01 applied 15.01 remaining 0.00" ||
		!strings.HasSuffix(l.Evidence, "for invoice INV-2026-0506: booked now") {
		t.Errorf("open request: %s (%s)", got, l.Evidence)
	}
	if v := m.Invoice(inv); v.Status != StatusPaid || !v.Open.IsZero() {
		t.Errorf("invoice after payout: %s %s", v.Status, v.Open)
	}
	if pr, settled := m.PaymentRequest(reqInv); !pr.Booked || !settled {
		t.Errorf("request after payout: booked %v settled %v", pr.Booked, settled)
	}
	// Reported paid and booked already: matched, the collection untouched.
	l = credit("15.03", "Tikkie ID 000013 Direct debit ACME-2026-11-0005")
	if got := show(l); got != "matched payment-request collection ACME-2026-11-0005 open 15.03 applied 15.03 remaining 0.00" ||
		!strings.HasSuffix(l.Evidence, "booked when tikkie reported it paid") {
		t.Errorf("booked request: %s (%s)", got, l.Evidence)
	}
	if c := m.Collection(coll); c.Status != StatusPaid {
		t.Errorf("collection %s", c.Status)
	}
	if _, settled := m.PaymentRequest(reqColl); !settled {
		t.Error("booked request not settled by its payout")
	}
	// The customer pays the same request a second time (a transfer naming
	// the invoice, after the link): not booked, named as a refund case.
	l = credit("15.01", "Invoice INV-2026-0506")
	if l.Outcome != Unmatched || len(l.Candidates) != 1 || l.Candidates[0].Key != "INV-2026-0506" || l.Evidence !=
		"paid twice: tikkie payment request INV-2026-0506 for invoice INV-2026-0506 was paid out already; refund 15.01 or keep it as a credit" {
		t.Errorf("second payment: %s (%s)", show(l), l.Evidence)
	}
	if v := m.Invoice(inv); v.Status != StatusPaid || !v.Open.IsZero() {
		t.Errorf("invoice after the second payment: %s %s", v.Status, v.Open)
	}
	// An amount other than the request's is an ordinary payment of the invoice.
	if l = credit("5.00", "Invoice INV-7"); show(l) != "matched invoice-number invoice INV-7 open 20.00 applied 5.00 remaining 15.00" {
		t.Errorf("partial transfer: %s", show(l))
	}
}

func TestSummaryShowsPaymentRequests(t *testing.T) {
	var s Summary
	s.Add(&Result{Lines: []Line{{Amount: d("15.03"), Currency: "EUR", Outcome: Matched, Rule: RulePaymentRequest}}})
	var b strings.Builder
	s.WriteText(&b)
	if !strings.Contains(b.String(), "    by payment-request             1            15.03 EUR\n") {
		t.Errorf("summary:\n%s", b.String())
	}
}
