package statement

import (
	"strconv"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"
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
func FlatRows(e *Entry) [][]string { return new(Flattener).Rows(e) }

// Flattener makes the flat rows of one entry after another, as FlatRows
// does, with less allocation: it reuses the rows and the text of values
// that repeat (dates, codes), and formats numbers and amounts into blocks
// of text shared by many rows. The rows it returns are valid until its
// next call; the strings in them stay valid.
type Flattener struct {
	rows  [][]string
	text  []byte // the block numbers and amounts are carved from
	dates [2]dateText
	next  int
	iso   BankTxCode // the code iso is the text of
	isoS  string
}

type dateText struct {
	t time.Time
	s string
}

// Rows returns the rows of e.
func (f *Flattener) Rows(e *Entry) [][]string {
	details := e.Details
	if len(details) == 0 {
		details = []Transaction{{Amount: e.Amount, Currency: e.Currency}}
	}
	st := e.Statement
	if st == nil {
		st = &Statement{}
	}
	f.rows = f.rows[:0]
	entryAmount := f.amount(e.Amount, e.Currency)
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
		detailSeq := ""
		if len(e.Details) > 0 {
			detailSeq = f.int(i + 1)
		}
		amount := entryAmount
		if t.Amount != e.Amount || cur != e.Currency { // the same decimal: the same text
			amount = f.amount(t.Amount, cur)
		}
		f.rows = append(f.rows, f.row(len(f.rows),
			st.Account.ID(), st.Account.Currency, st.ID, string(st.Kind),
			f.int(e.Seq), detailSeq, f.date(e.BookingDate), f.date(e.ValueDate),
			amount, cur, entryAmount, e.Currency, cd, yes(e.Reversal), e.Status,
			f.isoCode(code), code.Proprietary, e.Ref, firstNonEmpty(t.AccountSvcrRef, e.AccountSvcrRef),
			t.EndToEndID, t.MandateID, firstNonEmpty(t.PaymentInfoID, e.BatchID), t.InstructionID,
			t.CreditorID, t.Counterparty.Name, firstNonEmpty(t.Counterparty.IBAN, t.Counterparty.Account), t.Counterparty.BIC,
			string(t.Reference.Scheme), t.Reference.Value, firstNonEmpty(t.Remittance, e.Info),
			t.ReturnReason, t.ReturnText, f.zeroEmpty(t.Charges, chargesCcy), chargesCcy, f.zeroEmpty(t.OrigAmount, t.OrigCurrency), t.OrigCurrency,
		))
	}
	return f.rows
}

// row returns row i of the rows, reused, holding the values.
func (f *Flattener) row(i int, values ...string) []string {
	var r []string
	if i < cap(f.rows) {
		r = f.rows[:i+1][i]
	}
	if cap(r) < len(values) {
		r = make([]string, len(values))
	}
	r = r[:len(values)]
	copy(r, values)
	return r
}

// carve returns b as a string from the text block: one allocation per
// block instead of one per value. Bytes handed out are never written again.
func (f *Flattener) carve(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(f.text)-len(f.text) < len(b) {
		f.text = make([]byte, 0, max(4096, len(b)))
	}
	start := len(f.text)
	f.text = append(f.text, b...)
	return unsafe.String(&f.text[start], len(b))
}

func (f *Flattener) int(v int) string {
	if v >= 0 && v < 100 {
		return strconv.Itoa(v) // no allocation
	}
	var buf [20]byte
	return f.carve(strconv.AppendInt(buf[:0], int64(v), 10))
}

// amount is FormatAmount(d, currency).
func (f *Flattener) amount(d decimal.Decimal, currency string) string {
	var buf [24]byte
	if b, ok := appendFixed(buf[:0], d, MinorUnits(currency)); ok {
		return f.carve(b)
	}
	return FormatAmount(d, currency)
}

func (f *Flattener) zeroEmpty(d decimal.Decimal, currency string) string {
	if d.IsZero() {
		return ""
	}
	return f.amount(d, currency)
}

func (f *Flattener) date(t time.Time) string {
	for _, d := range f.dates {
		if d.s != "" && d.t.Equal(t) && d.t.Location() == t.Location() {
			return d.s
		}
	}
	s := date(t)
	if s != "" {
		f.dates[f.next%len(f.dates)] = dateText{t, s}
		f.next++
	}
	return s
}

func (f *Flattener) isoCode(c BankTxCode) string {
	if c.Domain == "" {
		return ""
	}
	if c.Domain != f.iso.Domain || c.Family != f.iso.Family || c.SubFamily != f.iso.SubFamily || f.isoS == "" {
		f.iso, f.isoS = c, c.Domain+"/"+c.Family+"/"+c.SubFamily
	}
	return f.isoS
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
