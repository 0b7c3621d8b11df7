package report

import (
	"strconv"
	"strings"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// Row is one row of the ERP export: one booked line and one item it was
// booked against (a line matched to three invoices gives three rows, each
// with the line's amount and the part applied to its invoice), or one line
// without item. Amounts are written with their currency's minor units, in
// Currency.
type Row struct {
	File         string `json:"file"`
	Statement    string `json:"statement,omitempty"`
	Account      string `json:"account,omitempty"`
	BookingDate  string `json:"booking_date,omitempty"`
	Entry        int    `json:"entry"`
	EntryRef     string `json:"entry_ref,omitempty"`
	Detail       int    `json:"detail"`
	Amount       string `json:"amount"`
	Currency     string `json:"currency"`
	Status       string `json:"status"` // matched, returned, ambiguous, unmatched, duplicate
	Rule         string `json:"rule,omitempty"`
	ItemKind     string `json:"item_kind,omitempty"`
	InvoiceNo    string `json:"invoice_number,omitempty"`
	EndToEndID   string `json:"end_to_end_id,omitempty"`
	PmtInfID     string `json:"pmt_inf_id,omitempty"`
	Applied      string `json:"applied,omitempty"`
	Remaining    string `json:"remaining,omitempty"`
	ReturnReason string `json:"return_reason,omitempty"`
	ReturnText   string `json:"return_text,omitempty"`
	Counterparty string `json:"counterparty,omitempty"`
	IBAN         string `json:"counterparty_iban,omitempty"`
	Remittance   string `json:"remittance,omitempty"`
	Candidates   string `json:"candidates,omitempty"`
	Evidence     string `json:"evidence"`
}

// Header names the columns of the ERP export, in the order of Row.Fields.
var Header = []string{"file", "statement", "account", "booking_date", "entry", "entry_ref", "detail", "amount", "currency",
	"status", "rule", "item_kind", "invoice_number", "end_to_end_id", "pmt_inf_id", "applied", "remaining", "return_reason",
	"return_text", "counterparty", "counterparty_iban", "remittance", "candidates", "evidence"}

// moneyCols are the columns of Header that hold amounts.
var moneyCols = map[string]bool{"amount": true, "applied": true, "remaining": true}

// Fields returns the row's cells in the order of Header.
func (r Row) Fields() []string {
	return []string{r.File, r.Statement, r.Account, r.BookingDate, strconv.Itoa(r.Entry), r.EntryRef, strconv.Itoa(r.Detail), r.Amount,
		r.Currency, r.Status, r.Rule, r.ItemKind, r.InvoiceNo, r.EndToEndID, r.PmtInfID, r.Applied, r.Remaining, r.ReturnReason,
		r.ReturnText, r.Counterparty, r.IBAN, r.Remittance, r.Candidates, r.Evidence}
}

// needsPerson tells the rows a person has to look at.
func (r Row) needsPerson() bool {
	return r.Status == string(reconcile.Unmatched) || r.Status == string(reconcile.Ambiguous)
}

// Rows flattens the result of one entry read from source into rows: one
// per line and item, one per line without item; an entry already booked
// from another file (dup) is one "duplicate" row.
func Rows(source string, r *reconcile.Result, dup bool) []Row {
	e := r.Entry
	base := Row{File: source, Entry: e.Seq, EntryRef: e.Ref, Currency: e.Currency}
	if e.Statement != nil {
		base.Statement, base.Account = e.Statement.ID, e.Statement.Account.ID()
	}
	bd := e.BookingDate
	if bd.IsZero() {
		bd = e.ValueDate
	}
	if !bd.IsZero() {
		base.BookingDate = bd.Format("2006-01-02")
	}
	if dup {
		row := base
		row.Amount, row.Status, row.Evidence = statement.FormatAmount(e.Amount, e.Currency), "duplicate", "already booked from another file: skipped"
		return []Row{row}
	}
	var rows []Row
	for _, l := range r.Lines {
		row := base
		row.Detail, row.Amount, row.Currency = l.Detail, statement.FormatAmount(l.Amount, l.Currency), l.Currency
		row.Status, row.Rule, row.Evidence = string(l.Outcome), string(l.Rule), l.Evidence
		row.ReturnReason, row.ReturnText = l.ReturnReason, l.ReturnText
		row.Counterparty, row.IBAN, row.Remittance = l.CounterpartyName, l.CounterpartyIBAN, l.Remittance
		row.EndToEndID = l.EndToEndID
		var cands []string
		for _, c := range l.Candidates {
			cands = append(cands, string(c.Kind)+" "+c.Key)
		}
		row.Candidates = strings.Join(cands, "; ")
		if len(l.Items) == 0 {
			rows = append(rows, row)
			continue
		}
		for _, it := range l.Items {
			ir := row
			ir.ItemKind = string(it.Kind)
			switch it.Kind {
			case reconcile.ChangeInvoice:
				ir.InvoiceNo = it.Key
			case reconcile.ChangeCollection:
				ir.EndToEndID = it.Key
			case reconcile.ChangeBatch:
				ir.PmtInfID = it.Key
			}
			ir.Applied, ir.Remaining = statement.FormatAmount(it.Applied, row.Currency), statement.FormatAmount(it.Remaining, row.Currency) // in the line's currency
			rows = append(rows, ir)
		}
	}
	return rows
}
