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
// does, without allocating: it reuses the rows, and formats numbers, dates
// and amounts into one buffer of text it reuses too. The rows it returns,
// and the text of their values, are valid until its next call: a caller
// copies what it keeps (the sinks of `statement convert` append the bytes).
type Flattener struct {
	rows  [][]string
	text  []byte // the buffer numbers, dates and amounts are formatted into
	dates [2]dateText
	next  int
}

// dateText is the text of a date, cached: the entries of a statement share
// few dates.
type dateText struct {
	t time.Time
	b [10]byte
	n int
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
	f.text = f.text[:0]
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
		r := f.row(len(f.rows))
		_ = r[35] // the 36 FlatColumns, in their order
		r[0], r[1], r[2], r[3] = st.Account.ID(), st.Account.Currency, st.ID, string(st.Kind)
		r[4], r[5], r[6], r[7] = f.int(e.Seq), detailSeq, f.date(e.BookingDate), f.date(e.ValueDate)
		r[8], r[9], r[10], r[11], r[12], r[13], r[14] = amount, cur, entryAmount, e.Currency, cd, yes(e.Reversal), e.Status
		r[15], r[16], r[17], r[18] = f.isoCode(code), code.Proprietary, e.Ref, firstNonEmpty(t.AccountSvcrRef, e.AccountSvcrRef)
		r[19], r[20], r[21], r[22] = t.EndToEndID, t.MandateID, firstNonEmpty(t.PaymentInfoID, e.BatchID), t.InstructionID
		r[23], r[24], r[25], r[26] = t.CreditorID, t.Counterparty.Name, firstNonEmpty(t.Counterparty.IBAN, t.Counterparty.Account), t.Counterparty.BIC
		r[27], r[28], r[29] = string(t.Reference.Scheme), t.Reference.Value, firstNonEmpty(t.Remittance, e.Info)
		r[30], r[31], r[32], r[33] = t.ReturnReason, t.ReturnText, f.zeroEmpty(t.Charges, chargesCcy), chargesCcy
		r[34], r[35] = f.zeroEmpty(t.OrigAmount, t.OrigCurrency), t.OrigCurrency
		f.rows = append(f.rows, r)
	}
	return f.rows
}

// row returns row i of the rows, reused: len(FlatColumns) values, each
// set by Rows.
func (f *Flattener) row(i int) []string {
	var r []string
	if i < cap(f.rows) {
		r = f.rows[:i+1][i]
	}
	if cap(r) < len(FlatColumns) {
		r = make([]string, len(FlatColumns))
	}
	return r[:len(FlatColumns)]
}

// carve returns the text appended to f.text since start as a string. The
// bytes are not written again before the next call of Rows; when the
// buffer grows, the strings already handed out keep the old one.
func (f *Flattener) carve(start int) string {
	if len(f.text) == start {
		return ""
	}
	return unsafe.String(&f.text[start], len(f.text)-start)
}

func (f *Flattener) int(v int) string {
	if v >= 0 && v < 100 {
		return strconv.Itoa(v) // no allocation
	}
	start := len(f.text)
	u := uint64(v)
	if v < 0 {
		f.text = append(f.text, '-')
		u = -u
	}
	f.text = appendDigits(f.text, u, 0)
	return f.carve(start)
}

// amount is FormatAmount(d, currency).
func (f *Flattener) amount(d decimal.Decimal, currency string) string {
	start := len(f.text)
	b, ok := appendFixed(f.text, d, MinorUnits(currency))
	if !ok {
		return FormatAmount(d, currency)
	}
	f.text = b
	return f.carve(start)
}

func (f *Flattener) zeroEmpty(d decimal.Decimal, currency string) string {
	if d.IsZero() {
		return ""
	}
	return f.amount(d, currency)
}

// date returns t as YYYY-MM-DD in its location ("" for the zero time),
// from the cache of the last two dates.
func (f *Flattener) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	start := len(f.text)
	for i := range f.dates {
		if d := &f.dates[i]; d.n > 0 && d.t == t { // the same instant in the same location
			f.text = append(f.text, d.b[:d.n]...)
			return f.carve(start)
		}
	}
	f.text = appendDate(f.text, t)
	if len(f.text)-start == len(dateText{}.b) { // years of four digits only
		d := &f.dates[f.next%len(f.dates)]
		d.t, d.n = t, copy(d.b[:], f.text[start:])
		f.next++
	}
	return f.carve(start)
}

// isoCode returns Domain/Family/SubFamily, "" without a domain.
func (f *Flattener) isoCode(c BankTxCode) string {
	if c.Domain == "" {
		return ""
	}
	start := len(f.text)
	f.text = append(f.text, c.Domain...)
	f.text = append(f.text, '/')
	f.text = append(f.text, c.Family...)
	f.text = append(f.text, '/')
	f.text = append(f.text, c.SubFamily...)
	return f.carve(start)
}

// appendDate appends t as YYYY-MM-DD in its location, as
// t.Format(time.DateOnly) does, without the layout parsing of Format.
func appendDate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, time.DateOnly)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
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
