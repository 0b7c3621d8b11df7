package inspect

import (
	"io"
	"strings"
	"time"

	"github.com/batchtool/batchtool/pkg/ubl"
)

// UBLSummary is the one-screen overview of a UBL invoice or credit note.
type UBLSummary struct {
	Document     string            `json:"document"` // Invoice or CreditNote
	Number       string            `json:"number"`
	TypeCode     string            `json:"type_code"`
	Profile      string            `json:"customization_id,omitempty"`
	Supplier     string            `json:"supplier"`
	Customer     string            `json:"customer"`
	IssueDate    string            `json:"issue_date,omitempty"`
	DueDate      string            `json:"due_date,omitempty"`
	Currency     string            `json:"currency"`
	Lines        int               `json:"lines"`
	Totals       ubl.MonetaryTotal `json:"totals"`
	TaxTotal     string            `json:"-"`          // for the text: "2.10 EUR / 0.40 USD"
	TaxTotals    []ubl.Amount      `json:"tax_totals"` // each with its currency
	PaymentMeans []string          `json:"payment_means"`
	Attachments  []ubl.Attachment  `json:"attachments"`
	Mapping      *ubl.Mapping      `json:"mapping"`
	DirectDebit  *ubl.DirectDebit  `json:"direct_debit,omitempty"`
	Collectable  bool              `json:"collectable"`
}

func inspectUBL(name string, r io.Reader) (*Inspection, error) {
	inv, fl, err := ubl.Read(r, name)
	in := &Inspection{File: name, Format: "ubl", Findings: fl}
	if err != nil {
		return in, err
	}
	in.Format = "ubl " + inv.Root()
	in.Findings = append(in.Findings, inv.Validate()...)
	in.Summary = newUBLSummary(inv)
	return in, nil
}

func newUBLSummary(inv *ubl.Invoice) *UBLSummary {
	s := &UBLSummary{
		Document:     inv.Root(),
		Number:       inv.Number,
		TypeCode:     inv.TypeCode,
		Profile:      inv.CustomizationID,
		Supplier:     inv.Supplier.DisplayName(),
		Customer:     inv.Customer.DisplayName(),
		IssueDate:    ublDate(inv.IssueDate),
		DueDate:      ublDate(inv.DueDate),
		Currency:     inv.Currency,
		Lines:        len(inv.Lines),
		Totals:       inv.Totals,
		Attachments:  append([]ubl.Attachment{}, inv.Attachments...),
		PaymentMeans: []string{},
	}
	var taxes []string
	s.TaxTotals = []ubl.Amount{}
	for _, tt := range inv.TaxTotals {
		if tt.TaxAmount.IsSet() {
			taxes = append(taxes, strings.TrimSpace(tt.TaxAmount.Text+" "+tt.TaxAmount.Currency))
			s.TaxTotals = append(s.TaxTotals, tt.TaxAmount)
		}
	}
	s.TaxTotal = strings.Join(taxes, " / ")
	for _, pm := range inv.PaymentMeans {
		s.PaymentMeans = append(s.PaymentMeans, paymentMeansText(pm))
	}
	s.Mapping, _ = inv.Mapping()
	dd, ok := inv.DirectDebit()
	s.Collectable = ok
	if ok || dd.Means != "" {
		s.DirectDebit = &dd
	}
	return s
}

func ublDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func paymentMeansText(pm ubl.PaymentMeans) string {
	parts := []string{pm.Code}
	if name := paymentMeansName(pm.Code); name != "" {
		parts[0] += " (" + name + ")"
	}
	for _, id := range pm.PaymentIDs {
		parts = append(parts, "ref "+id.Value)
	}
	if pm.InstructionID != "" {
		parts = append(parts, "instruction "+pm.InstructionID)
	}
	if pm.PayeeAccount.ID != "" {
		parts = append(parts, "to "+pm.PayeeAccount.ID)
	}
	if pm.Mandate != nil {
		parts = append(parts, "mandate "+pm.Mandate.ID)
		if pm.Mandate.PayerAccount.ID != "" {
			parts = append(parts, "from "+pm.Mandate.PayerAccount.ID)
		}
	}
	return strings.Join(parts, ", ")
}

// paymentMeansName names the UNCL 4461 codes invoices use.
func paymentMeansName(code string) string {
	switch code {
	case "1":
		return "not defined"
	case "10":
		return "cash"
	case "20":
		return "cheque"
	case "30":
		return "credit transfer"
	case "31":
		return "debit transfer"
	case "42":
		return "payment to bank account"
	case "48":
		return "bank card"
	case "49":
		return "direct debit"
	case "57":
		return "standing agreement"
	case "58":
		return "SEPA credit transfer"
	case "59":
		return "SEPA direct debit"
	case "50":
		return "giro"
	case "97":
		return "clearing between partners"
	}
	return ""
}

func (*UBLSummary) summary() {}
