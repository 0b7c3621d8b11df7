package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/report"
	"github.com/batchtool/batchtool/pkg/statement"
)

// A Go program writes the ERP export of results it reconciled itself: one
// Write per entry as it is booked, one Close with the run's summary.
func Example() {
	w, err := report.New(os.Stdout, report.CSV)
	if err != nil {
		panic(err)
	}
	amount := decimal.RequireFromString("25.00")
	r := &reconcile.Result{
		Entry: &statement.Entry{Seq: 1, Amount: amount, Currency: "EUR", BookingDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
		Lines: []reconcile.Line{{Amount: amount, Currency: "EUR", Outcome: reconcile.Matched, Rule: reconcile.RuleReference,
			Evidence: "structured reference +++090/9337/55493+++",
			Items:    []reconcile.Item{{Kind: reconcile.ChangeInvoice, Key: "INV-7", Applied: amount, Remaining: decimal.Zero}}}},
	}
	var run report.Run
	if err := w.Write("statement.xml", r, false); err != nil {
		panic(err)
	}
	run.Summary.Add(r)
	if err := w.Close(run); err != nil {
		panic(err)
	}
	fmt.Println(run.Summary.Total())
	// Output:
	// file,statement,account,booking_date,entry,entry_ref,detail,amount,currency,status,rule,item_kind,invoice_number,end_to_end_id,pmt_inf_id,applied,remaining,return_reason,return_text,counterparty,counterparty_iban,remittance,candidates,evidence
	// statement.xml,,,2026-11-20,1,,0,25.00,EUR,matched,structured-reference,invoice,INV-7,,,25.00,0.00,,,,,,,structured reference +++090/9337/55493+++
	// 25.00 EUR
}
