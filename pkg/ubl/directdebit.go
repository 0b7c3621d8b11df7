package ubl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
)

// DirectDebit is what a SEPA Direct Debit collection of an invoice needs.
type DirectDebit struct {
	// Means is the payment means code that asked for a direct debit ("59"
	// SEPA direct debit, "49" direct debit), or "" when none did.
	Means      string          `json:"means,omitempty"`
	MandateID  string          `json:"mandate_id,omitempty"`  // cac:PaymentMandate/cbc:ID
	DebtorIBAN string          `json:"debtor_iban,omitempty"` // cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID
	DebtorName string          `json:"debtor_name,omitempty"` // customer name, transliterated to the EPC set
	Amount     decimal.Decimal `json:"amount"`                // LegalMonetaryTotal/PayableAmount
	Currency   string          `json:"currency,omitempty"`
	EndToEndID string          `json:"end_to_end_id,omitempty"` // from the invoice number
	// Remittance is the unstructured remittance (Ustrd): the structured
	// reference as printed (+++123/4567/89002+++ or RF..), else the invoice
	// number.
	Remittance string `json:"remittance,omitempty"`
	// CreditorReference is the structured reference in electronic form (RF
	// without spaces, OGM as 12 digits) with its scheme, when PaymentID holds one.
	CreditorReference string               `json:"creditor_reference,omitempty"`
	ReferenceScheme   sepa.ReferenceScheme `json:"reference_scheme,omitempty"`
	DueDate           time.Time            `json:"due_date,omitzero"` // the invoice's due date: the earliest sensible collection date
	// Reason says why the invoice cannot be collected when ok is false.
	Reason string `json:"reason,omitempty"`
}

// DirectDebit returns the collection of the invoice when it asks to be paid
// by direct debit: payment means 59 (SEPA direct debit), or 49 (direct
// debit) with a mandate. ok is false, with dd.Reason saying why, when the
// invoice is not to be collected; dd.Means is then set when the invoice did
// ask for a direct debit (a problem to report: no mandate, no or a bad
// debtor IBAN, an amount out of range) and empty when it did not (a credit
// note, another payment means: nothing to report).
func (inv *Invoice) DirectDebit() (dd DirectDebit, ok bool) {
	dd.Amount = inv.Totals.PayableAmount.Value
	dd.Currency = inv.Currency
	dd.DueDate = inv.DueDate
	if inv.IsCredit() {
		dd.Reason = "a credit note is never collected"
		if !inv.IsCreditNote {
			dd.Reason = fmt.Sprintf("a credit note (type code %s) is never collected", inv.TypeCode)
		}
		return dd, false
	}
	var pm *PaymentMeans
	for i := range inv.PaymentMeans {
		p := &inv.PaymentMeans[i]
		code := strings.TrimSpace(p.Code)
		hasMandate := p.Mandate != nil && strings.TrimSpace(p.Mandate.ID) != ""
		if code == "59" || code == "49" && hasMandate {
			pm = p
			break
		}
		if code == "49" && pm == nil {
			dd.Means = "49"
		}
	}
	if pm == nil {
		if dd.Means == "49" {
			dd.Reason = "payment means 49 (direct debit) without a mandate (cac:PaymentMandate/cbc:ID)"
		} else {
			dd.Reason = "the invoice does not ask for a direct debit (payment means 59, or 49 with a mandate)"
		}
		return dd, false
	}
	dd.Means = strings.TrimSpace(pm.Code)
	if pm.Mandate == nil || strings.TrimSpace(pm.Mandate.ID) == "" {
		dd.Reason = "payment means 59 (SEPA direct debit) without a mandate (cac:PaymentMandate/cbc:ID)"
		return dd, false
	}
	dd.MandateID = strings.TrimSpace(pm.Mandate.ID)
	dd.DebtorName, _ = sepa.Transliterate(inv.Customer.DisplayName())
	dd.EndToEndID = EndToEndID(inv.Number)
	dd.ReferenceScheme, dd.CreditorReference = inv.StructuredReference()
	switch dd.ReferenceScheme {
	case sepa.SchemeOGM:
		dd.Remittance = sepa.OGM(dd.CreditorReference).String()
	case sepa.SchemeRF:
		dd.Remittance = dd.CreditorReference
	default:
		dd.Remittance, _ = sepa.Transliterate(inv.Number)
		if utf8.RuneCountInString(dd.Remittance) > 140 {
			dd.Remittance = string([]rune(dd.Remittance)[:140])
		}
	}
	iban, err := sepa.ParseIBAN(pm.Mandate.PayerAccount.ID)
	idErr := sepa.ValidateID(dd.MandateID)
	switch {
	case idErr != nil:
		dd.Reason = fmt.Sprintf("mandate id %q: %v", dd.MandateID, idErr)
	case strings.TrimSpace(pm.Mandate.PayerAccount.ID) == "":
		dd.Reason = "no debtor IBAN (cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID)"
	case err != nil:
		dd.Reason = fmt.Sprintf("debtor IBAN %q: %v", pm.Mandate.PayerAccount.ID, err)
	case !inv.Totals.PayableAmount.IsSet():
		dd.Reason = "no amount due (cac:LegalMonetaryTotal/cbc:PayableAmount)"
	case !dd.Amount.IsPositive():
		dd.Reason = fmt.Sprintf("amount due %s is not positive: nothing to collect", inv.Totals.PayableAmount.Text)
	case sepa.CheckAmount(dd.Amount) != nil:
		dd.Reason = fmt.Sprintf("amount due %s: %v", inv.Totals.PayableAmount.Text, sepa.CheckAmount(dd.Amount))
	case inv.Currency != "EUR":
		dd.Reason = fmt.Sprintf("currency %q: SEPA direct debits are in EUR", inv.Currency)
	case dd.EndToEndID == "":
		dd.Reason = "no invoice number to derive the end-to-end id from"
	}
	if dd.Reason != "" {
		return dd, false
	}
	dd.DebtorIBAN = string(iban)
	return dd, true
}

// EndToEndID derives a SEPA end-to-end id (AT-10, Max35Text in the EPC
// basic Latin set) from an invoice number: transliterated, characters
// outside the set replaced, no leading, trailing or double '/'. A number
// longer than 35 characters keeps its first 26 and gets '-' and 8 hex
// digits of its SHA-256, so two long numbers never collide by truncation.
// It returns "" for an empty number.
func EndToEndID(number string) string {
	s, _ := sepa.Transliterate(strings.TrimSpace(number))
	for strings.Contains(s, "//") {
		s = strings.ReplaceAll(s, "//", "/")
	}
	s = strings.Trim(s, "/ ")
	if s == "" {
		return ""
	}
	if len(s) > sepa.MaxIDLength {
		sum := sha256.Sum256([]byte(number))
		s = strings.TrimRight(s[:26], "/ ") + "-" + hex.EncodeToString(sum[:4])
	}
	return s
}

// MarshalJSON writes the amount with its currency's minor units ("214.90")
// and the due date as YYYY-MM-DD.
func (dd DirectDebit) MarshalJSON() ([]byte, error) {
	type plain DirectDebit
	due := ""
	if !dd.DueDate.IsZero() {
		due = dd.DueDate.Format(time.DateOnly)
	}
	return json.Marshal(struct {
		plain
		Amount  string `json:"amount"`
		DueDate string `json:"due_date,omitempty"`
	}{plain(dd), sepa.FormatAmount(dd.Amount, dd.Currency), due})
}
