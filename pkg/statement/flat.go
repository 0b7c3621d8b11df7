package statement

import (
	"strconv"
	"time"
)

// ColumnKind tells a spreadsheet writer how to type a flat column.
type ColumnKind int

// Kinds of flat columns.
const (
	Text ColumnKind = iota
	Amount
	Date
	Integer
	Bool // "true" or "false"
)

// Column is one column of the flat export.
type Column struct {
	Name string
	Kind ColumnKind
}

// FlatColumns are the columns of the flat, one-row-per-transaction export
// that ERP imports expect (`batchtool statement convert`). An entry without
// transaction details gives one row; a batch booking gives one row per
// detail, with the entry's total in entry_amount. Every amount column has
// its currency in the column after it: amount/currency (the detail's),
// entry_amount/entry_currency, charges/charges_currency,
// orig_amount/orig_currency (the instructed amount before conversion).
var FlatColumns = []Column{
	{"account", Text}, {"account_currency", Text}, {"statement_id", Text}, {"statement_kind", Text},
	{"entry_seq", Integer}, {"detail_seq", Integer}, {"booking_date", Date}, {"value_date", Date},
	{"amount", Amount}, {"currency", Text}, {"entry_amount", Amount}, {"entry_currency", Text},
	{"credit_debit", Text}, {"reversal", Bool}, {"status", Text},
	{"bank_tx_code", Text}, {"proprietary_code", Text}, {"entry_ref", Text}, {"account_servicer_ref", Text},
	{"end_to_end_id", Text}, {"mandate_id", Text}, {"payment_info_id", Text}, {"instruction_id", Text},
	{"creditor_id", Text}, {"counterparty_name", Text}, {"counterparty_iban", Text}, {"counterparty_bic", Text},
	{"reference_scheme", Text}, {"structured_reference", Text}, {"remittance", Text},
	{"return_reason", Text}, {"return_text", Text}, {"charges", Amount}, {"charges_currency", Text},
	{"orig_amount", Amount}, {"orig_currency", Text},
}

// FlatRows returns the flat rows of one entry, each value as text: money
// with its currency's minor units (more decimals when the bank sent
// significant ones), dates as YYYY-MM-DD.
func FlatRows(e *Entry) [][]string {
	details := e.Details
	if len(details) == 0 {
		details = []Transaction{{Amount: e.Amount, Currency: e.Currency}}
	}
	rows := make([][]string, 0, len(details))
	for i := range details {
		t := &details[i]
		code := e.BankTxCode
		if t.BankTxCode != (BankTxCode{}) {
			code = t.BankTxCode
		}
		cur := t.Currency
		if cur == "" {
			cur = e.Currency
		}
		chargesCcy := ""
		if !t.Charges.IsZero() {
			chargesCcy = firstNonEmpty(t.ChargesCurrency, cur)
		}
		cd := "C"
		if t.Amount.Sign() < 0 || (t.Amount.Sign() == 0 && e.Amount.Sign() < 0) {
			cd = "D"
		}
		var st Statement
		if e.Statement != nil {
			st = *e.Statement
		}
		detailSeq := ""
		if len(e.Details) > 0 {
			detailSeq = strconv.Itoa(i + 1)
		}
		iso := ""
		if code.Domain != "" {
			iso = code.Domain + "/" + code.Family + "/" + code.SubFamily
		}
		rows = append(rows, []string{
			st.Account.ID(), st.Account.Currency, st.ID, string(st.Kind),
			strconv.Itoa(e.Seq), detailSeq, date(e.BookingDate), date(e.ValueDate),
			FormatAmount(t.Amount, cur), cur, FormatAmount(e.Amount, e.Currency), e.Currency, cd, yes(e.Reversal), e.Status,
			iso, code.Proprietary, e.Ref, firstNonEmpty(t.AccountSvcrRef, e.AccountSvcrRef),
			t.EndToEndID, t.MandateID, firstNonEmpty(t.PaymentInfoID, e.BatchID), t.InstructionID,
			t.CreditorID, t.Counterparty.Name, firstNonEmpty(t.Counterparty.IBAN, t.Counterparty.Account), t.Counterparty.BIC,
			string(t.Reference.Scheme), t.Reference.Value, firstNonEmpty(t.Remittance, e.Info),
			t.ReturnReason, t.ReturnText, zeroEmpty(t.Charges, chargesCcy), chargesCcy, zeroEmpty(t.OrigAmount, t.OrigCurrency), t.OrigCurrency,
		})
	}
	return rows
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func yes(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
