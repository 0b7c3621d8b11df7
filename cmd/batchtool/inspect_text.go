package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/ubl"
)

// The text of `batchtool inspect`: one screen per file, from the typed
// summaries of package inspect.

// writeSummary prints the summary of one inspected file.
func writeSummary(w io.Writer, s inspect.Summary) {
	switch s := s.(type) {
	case *inspect.Pain008Summary:
		writePain008Summary(w, s)
	case *inspect.StatementsSummary:
		writeStatementsSummary(w, s)
	case *inspect.UBLSummary:
		writeUBLSummary(w, s)
	}
}

// maxGroupLines keeps the text summary on one screen.
const maxGroupLines = 20

// writePain008Summary prints a pain.008 batch in one screen.
func writePain008Summary(w io.Writer, s *inspect.Pain008Summary) {
	version := "pain.008." + s.Version
	if s.Version == "" {
		version = "unknown namespace " + s.Namespace
	}
	fmt.Fprintf(w, "message:      %s (%s)\n", s.MessageID, version)
	fmt.Fprintf(w, "scheme:       %s\n", s.Scheme)
	if t, err := time.Parse(time.RFC3339, s.CreatedAt); err == nil {
		fmt.Fprintf(w, "created:      %s", t.Format("2006-01-02 15:04:05 -07:00"))
	} else {
		fmt.Fprint(w, "created:      (missing)")
	}
	if s.InitiatingParty != "" {
		fmt.Fprintf(w, " by %s", s.InitiatingParty)
	}
	fmt.Fprintln(w)
	stated := "no CtrlSum"
	if s.StatedTotal != nil {
		stated = *s.StatedTotal
	}
	fmt.Fprintf(w, "transactions: %d, total %s (group header: %d, %s)", s.Count, s.Totals, s.StatedCount, stated)
	if s.Amendments > 0 {
		fmt.Fprintf(w, ", %d with mandate amendments", s.Amendments)
	}
	fmt.Fprintln(w)
	if !s.Complete {
		fmt.Fprintln(w, "              (reading stopped at an error: figures are of what was read)")
	}
	if s.FirstCollection != "" {
		fmt.Fprintf(w, "collection:   %s to %s\n", s.FirstCollection, s.LastCollection)
	}
	fmt.Fprintf(w, "payment information blocks: %d\n", len(s.Groups))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PmtInfId\tdate\tseq\tinstr\tcreditor\tcreditor id\tcount\ttotal")
	for i, g := range s.Groups {
		if i == maxGroupLines {
			fmt.Fprintf(tw, "  ... %d more\t\t\t\t\t\t\t\n", len(s.Groups)-maxGroupLines)
			break
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", g.PmtInfID, g.CollectionDate, g.SequenceType, g.LocalInstrument,
			g.Creditor, g.CreditorID, g.Count, g.Totals)
	}
	tw.Flush()
	if len(s.ByDate) > 0 {
		fmt.Fprintln(w, "by collection date and sequence type:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i, b := range s.ByDate {
			if i == maxGroupLines {
				fmt.Fprintf(tw, "  ... %d more\t\t\t\n", len(s.ByDate)-maxGroupLines)
				break
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", b.CollectionDate, b.SequenceType, b.Count, b.Totals)
		}
		tw.Flush()
	}
}

func balanceText(b *inspect.Balance) string {
	if b == nil {
		return "-"
	}
	s := b.Amount
	if b.Currency != "" {
		s += " " + b.Currency
	}
	if b.Date != "" {
		s += " on " + b.Date
	}
	return s
}

// writeStatementsSummary prints one block per statement.
func writeStatementsSummary(w io.Writer, s *inspect.StatementsSummary) {
	if len(s.Statements) == 0 {
		fmt.Fprintln(w, "no statements")
	}
	for _, st := range s.Statements {
		acct := st.Account.ID()
		if st.Account.Currency != "" {
			acct += " " + st.Account.Currency
		}
		if st.Account.Owner != "" {
			acct += " (" + st.Account.Owner + ")"
		}
		fmt.Fprintf(w, "%s %s, account %s\n", st.Kind, st.ID, acct)
		period := st.From + " .. " + st.To
		if st.From == "" && st.To == "" {
			period = "-"
			if st.FirstBooking != "" {
				period = "bookings " + st.FirstBooking + " .. " + st.LastBooking
			}
		}
		fmt.Fprintf(w, "  period    %s\n", period)
		fmt.Fprintf(w, "  opening   %s\n  closing   %s\n", balanceText(st.Opening), balanceText(st.Closing))
		// An empty tally is told in the account's currency, or in the
		// statement's other figures' when the account names none.
		ccy := st.Account.Currency
		for _, ts := range []reconcile.Totals{st.Credits, st.Debits} {
			if ccy == "" && len(ts) == 1 {
				ccy = ts[0].Currency
			}
		}
		fmt.Fprintf(w, "  entries   %d: credits %s, debits %s", st.Entries, countTotals(st.Credits, ccy), countTotals(st.Debits, ccy))
		if st.Reversals.Count() > 0 {
			fmt.Fprintf(w, ", reversals %s", countTotals(st.Reversals, ccy))
		}
		fmt.Fprintln(w)
		if st.Batches > 0 {
			fmt.Fprintf(w, "  batches   %d batch booking(s); %d entries with %d transaction details, %d entries without details\n",
				st.Batches, st.WithDetails, st.Details, st.Entries-st.WithDetails)
		}
		if len(st.Returns) > 0 {
			parts := make([]string, len(st.Returns))
			for i, r := range st.Returns {
				parts[i] = r.Reason + " " + countTotals(r.Totals, ccy)
			}
			fmt.Fprintf(w, "  returns   %s\n", strings.Join(parts, "; "))
		}
	}
}

// countTotals is "2 = 563.25 CHF", "0 = 0.00 EUR" when empty (in the
// account's currency, ccy), and the tallies one per currency, joined by
// " + ", when there are several.
func countTotals(ts reconcile.Totals, ccy string) string {
	if len(ts) == 0 {
		return strings.TrimSpace("0 = 0.00 " + ccy)
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.String()
	}
	return strings.Join(parts, " + ")
}

// writeUBLSummary prints the invoice in one screen.
func writeUBLSummary(w io.Writer, s *inspect.UBLSummary) {
	kind := s.Document
	if s.TypeCode != "" {
		kind += " type " + s.TypeCode
	}
	fmt.Fprintf(w, "  %-13s %s (%s)\n", "number:", s.Number, kind)
	if s.Profile != "" {
		fmt.Fprintf(w, "  %-13s %s\n", "profile:", s.Profile)
	}
	fmt.Fprintf(w, "  %-13s %s\n", "supplier:", s.Supplier)
	fmt.Fprintf(w, "  %-13s %s\n", "customer:", s.Customer)
	m := s.Mapping
	if m.CustomerNumberStep > 0 {
		fmt.Fprintf(w, "  %-13s %s (step %d of 5: %s)\n", "customer no:", m.CustomerNumber, m.CustomerNumberStep, m.CustomerNumberSource)
	} else {
		fmt.Fprintf(w, "  %-13s none (the platform refuses the file)\n", "customer no:")
	}
	fmt.Fprintf(w, "  %-13s issued %s, due %s\n", "dates:", orDash(s.IssueDate), orDash(s.DueDate))
	t := s.Totals
	var tot []string
	for _, x := range []struct {
		label string
		a     ubl.Amount
	}{
		{"lines", t.LineExtensionAmount}, {"allowances", t.AllowanceTotalAmount}, {"charges", t.ChargeTotalAmount},
		{"without VAT", t.TaxExclusiveAmount}, {"with VAT", t.TaxInclusiveAmount}, {"prepaid", t.PrepaidAmount},
		{"rounding", t.PayableRoundingAmount},
	} {
		if x.a.IsSet() {
			tot = append(tot, x.label+" "+x.a.Text)
		}
	}
	if s.TaxTotal != "" {
		tot = append(tot, "VAT "+s.TaxTotal)
	}
	fmt.Fprintf(w, "  %-13s %s\n", "totals:", strings.Join(tot, ", "))
	plural := "s"
	if s.Lines == 1 {
		plural = ""
	}
	fmt.Fprintf(w, "  %-13s %s %s (%d line%s)\n", "payable:", orDash(t.PayableAmount.Text), s.Currency, s.Lines, plural)
	if len(s.PaymentMeans) == 0 {
		fmt.Fprintf(w, "  %-13s none\n", "payment:")
	}
	for _, pm := range s.PaymentMeans {
		fmt.Fprintf(w, "  %-13s %s\n", "payment:", pm)
	}
	for _, a := range s.Attachments {
		fmt.Fprintf(w, "  %-13s %s %s (%s, %d bytes)\n", "attachment:", safename.Escape(a.ID), safename.Escape(a.Filename), safename.Escape(a.MimeCode), a.Size)
	}
	fields := []string{"number=" + m.Number, "amount=" + m.Amount.StringFixed(2)}
	add := func(k, v string) {
		if v != "" {
			fields = append(fields, k+"="+v)
		}
	}
	add("date", dateText(m.Date))
	add("duedate", dateText(m.DueDate))
	add("customerNumber", m.CustomerNumber)
	add("remittance", m.Remittance)
	add("relatedInvoiceNumber", m.RelatedInvoiceNumber)
	add("companyName", m.CompanyName)
	add("coc", m.Coc)
	add("email", m.Email)
	add("mobile", m.Mobile)
	add("lang", m.Language)
	add("address", m.Address)
	add("city", m.City)
	add("zip", m.Zip)
	add("country", m.Country)
	fmt.Fprintf(w, "  %-13s %s\n", "platform:", strings.Join(fields, " "))
	switch dd := s.DirectDebit; {
	case dd == nil:
		fmt.Fprintf(w, "  %-13s no (not asked for by the invoice)\n", "collect:")
	case s.Collectable:
		fmt.Fprintf(w, "  %-13s mandate %s, debtor %s, %s %s, end-to-end %s, remittance %s\n", "collect:",
			dd.MandateID, dd.DebtorIBAN, dd.Amount.StringFixed(2), dd.Currency, dd.EndToEndID, dd.Remittance)
	default:
		fmt.Fprintf(w, "  %-13s no: %s\n", "collect:", dd.Reason)
	}
}
