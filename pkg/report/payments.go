package report

import (
	"fmt"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// Booking shows a payment request booked against its item (payreq sync)
// in the reconciliation's terms, for a Payments report and its summary:
// one matched line, rule payment-request, the item it paid, dated when it
// was paid. Write it with the provider as source.
func Booking(b *ledger.Booking) *reconcile.Result {
	pr := b.Request
	e := &statement.Entry{Seq: int(pr.ID), Ref: pr.ProviderRef, Amount: pr.PaidAmount, Currency: pr.Currency, BookingDate: pr.PaidAt, Status: "BOOK"}
	line := reconcile.Line{
		Amount: pr.PaidAmount, Currency: pr.Currency, BookingDate: pr.PaidAt,
		Remittance: pr.ExternalID, CounterpartyName: pr.Note,
		Outcome: reconcile.Matched, Rule: reconcile.RulePaymentRequest,
		Evidence: fmt.Sprintf("%s payment request %s (%s, sent for %s) paid %s", pr.Provider, pr.ExternalID, pr.ProviderRef, pr.Reason, statement.Money(pr.PaidAmount)),
		Items:    []reconcile.Item{b.Item},
	}
	if pr.ItemKind == ledger.ItemCollection {
		line.EndToEndID = pr.ItemKey
	}
	return &reconcile.Result{Entry: e, Lines: []reconcile.Line{line}}
}
