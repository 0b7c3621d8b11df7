// Package openitems reads the open receivables an ERP exports — one
// unpaid invoice a row, as CSV or XLSX — into the invoices the
// reconciliation matches statement lines against (structured reference,
// invoice number, customer IBAN, amount). Most ERPs can export such a
// list; few can export UBL.
//
// Columns are found by their header names, case-insensitively, with
// spaces, dots, hyphens and underscores alike ("Invoice No." is
// invoice_no), and common synonyms in English, Dutch, French and German
// (see Synonyms):
//
//	invoice_number   required  the invoice's number, unique in the file
//	amount           required  the open amount, > 0, at most the currency's minor units
//	currency         required  ISO 4217 code (EUR)
//	due_date         required  YYYY-MM-DD, DD.MM.YYYY, DD-MM-YYYY or DD/MM/YYYY (day first); in XLSX a date cell
//	customer_name    optional  the customer's name
//	customer_number  optional  the customer's number in the ERP
//	iban             optional  the customer's IBAN (paper form accepted)
//	reference        optional  structured reference: ISO 11649 RF or Belgian OGM (+++123/4567/89002+++)
//	issue_date       optional  the invoice date, as due_date
//
// Other columns are ignored. A CSV is read through package tabular: the
// separator found from the header, decimal comma with ';' and tab, BOM and
// CRLF, cp1252/latin1 when declared. In an XLSX (the first sheet) number
// and date cells are read as stored; an amount cell holds a binary double,
// so digits beyond the currency's minor units are dropped only when they
// are the double's rounding noise (12.300000000000001), else refused.
//
// A bad row is reported with its file, line (the sheet's row), column,
// column name, value and rule, and the reader goes on; a row with errors
// yields no invoice.
package openitems

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/tabular"
)

// Columns are the known columns, by their canonical names.
var Columns = []string{"invoice_number", "amount", "currency", "due_date", "customer_name", "customer_number", "iban", "reference", "issue_date"}

var required = []string{"invoice_number", "amount", "currency", "due_date"}

// Synonyms lists, for each column, the header names (normalised by Key)
// that mean it.
var Synonyms = map[string][]string{
	"invoice_number":  {"invoice_number", "invoice_no", "invoice_nr", "invoice", "invoice_id", "document_number", "document_no", "doc_no", "factuurnummer", "factuurnr", "factuur", "numéro_de_facture", "n_facture", "facture", "rechnungsnummer", "rechnungsnr", "belegnummer"},
	"amount":          {"amount", "open_amount", "amount_open", "amount_due", "outstanding", "outstanding_amount", "balance", "open", "openstaand", "openstaand_bedrag", "bedrag", "montant", "montant_dû", "solde", "betrag", "offener_betrag", "offen"},
	"currency":        {"currency", "currency_code", "ccy", "cur", "valuta", "munt", "devise", "währung", "waehrung"},
	"due_date":        {"due_date", "due", "date_due", "payment_due", "due_on", "vervaldatum", "vervaldag", "échéance", "date_d_échéance", "date_échéance", "fälligkeit", "fällig_am", "faelligkeit", "fälligkeitsdatum"},
	"customer_name":   {"customer_name", "customer", "debtor", "debtor_name", "name", "client", "nom_client", "klant", "klantnaam", "kunde", "kundenname"},
	"customer_number": {"customer_number", "customer_no", "customer_id", "account", "account_number", "debtor_number", "klantnummer", "numéro_client", "kundennummer"},
	"iban":            {"iban", "customer_iban", "debtor_iban", "bank_account", "rekeningnummer", "compte", "kontonummer"},
	"reference":       {"reference", "structured_reference", "payment_reference", "creditor_reference", "ogm", "vcs", "rf", "rf_reference", "gestructureerde_mededeling", "betalingskenmerk", "communication_structurée", "zahlungsreferenz", "verwendungszweck"},
	"issue_date":      {"issue_date", "invoice_date", "document_date", "date", "factuurdatum", "date_facture", "date_de_facture", "rechnungsdatum", "belegdatum"},
}

// columnOf returns the column a header name means, "" when none.
func columnOf(name string) string {
	k := Key(name)
	for col, names := range Synonyms {
		for _, n := range names {
			if n == k {
				return col
			}
		}
	}
	return ""
}

// Key normalises a header name: lower case, every run of characters that
// are not letters or digits one '_', none at either end.
func Key(name string) string {
	var b strings.Builder
	sep := false
	for _, c := range strings.ToLower(strings.TrimSpace(name)) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(c)
		} else {
			sep = true
		}
	}
	return b.String()
}

// Rules named in findings.
const (
	RuleHeader    = "open items header"
	RuleDate      = "date"
	RuleCurrency  = "ISO 4217"
	RuleAmount    = "amount"
	RuleDuplicate = "invoice number unique"
)

// Row is one row of the export: where it is, its findings and, when it
// has no errors, the invoice.
type Row struct {
	File     string
	Line     int
	Invoice  *reconcile.Invoice // nil when the row has errors
	Findings finding.List
}

// source hands out the records of a file, the header first, with the line
// of each.
type source interface {
	next() (rec []string, line int, err error)
}

// Reader reads the rows of an open-items export.
type Reader struct {
	name    string
	src     source
	dec     tabular.Decimal
	xlsx    bool
	pos     map[string]int // canonical column → index
	header  []string
	numbers map[string]int // invoice number → line of first use
}

// NewCSVReader reads an export in CSV, called name in findings.
func NewCSVReader(r io.Reader, name string, d tabular.Dialect) *Reader {
	return &Reader{name: name, src: &csvSource{r: tabular.NewReader(r, name, d)}} // dec: the dialect's, once the header told it
}

// NewXLSXReader reads the first sheet of an export in XLSX, called name in
// findings (with the sheet's name). Amounts in text cells are read with
// decimal mark dec (DecimalAuto: a point). The caller closes the reader.
func NewXLSXReader(r io.Reader, name string, dec tabular.Decimal) (*Reader, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: not an XLSX workbook: %w", name, err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fmt.Errorf("%s: the workbook has no sheet", name)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: sheet %q: %w", name, sheets[0], err)
	}
	if dec == tabular.DecimalAuto {
		dec = tabular.DecimalPoint
	}
	return &Reader{name: name + ":" + sheets[0], src: &xlsxSource{f: f, rows: rows}, dec: dec, xlsx: true}, nil
}

// Close releases an XLSX workbook; a CSV reader has nothing to release.
func (r *Reader) Close() error {
	if x, ok := r.src.(*xlsxSource); ok {
		x.rows.Close()
		return x.f.Close()
	}
	return nil
}

// File returns the name findings carry (with the sheet for XLSX).
func (r *Reader) File() string { return r.name }

type csvSource struct{ r *tabular.Reader }

func (s *csvSource) next() ([]string, int, error) {
	rec, err := s.r.Read()
	if err != nil {
		return nil, 0, err
	}
	line, _ := s.r.FieldPos(0)
	return rec, line, nil
}

func (s *csvSource) decimal() tabular.Decimal { return s.r.Dialect().Decimal }

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func (s *xlsxSource) next() ([]string, int, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
	s.line++
	rec, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	return rec, s.line, err
}

// Next returns the next row, or io.EOF. An error (not a row finding) means
// the file cannot be read on: a missing header column, a broken quote,
// bytes not in the file's encoding.
func (r *Reader) Next() (*Row, error) {
	if r.pos == nil {
		if err := r.readHeader(); err != nil {
			return nil, err
		}
	}
	for {
		rec, line, err := r.src.next()
		if err != nil {
			return nil, err
		}
		if blank(rec) {
			continue
		}
		return r.row(rec, line), nil
	}
}

func (r *Reader) readHeader() error {
	for {
		h, line, err := r.src.next()
		if err == io.EOF {
			return finding.Finding{Severity: finding.Error, File: r.name, Line: 1, Rule: RuleHeader, Message: "no header row: expected columns " + strings.Join(required, ", ")}
		}
		if err != nil {
			return err
		}
		if blank(h) {
			continue // a sheet may start with empty rows
		}
		if c, ok := r.src.(*csvSource); ok {
			r.dec = c.decimal()
		}
		r.header = h
		r.pos = map[string]int{}
		for i, name := range h {
			col := columnOf(name)
			if col == "" {
				continue
			}
			if j, dup := r.pos[col]; dup {
				return finding.Finding{Severity: finding.Error, File: r.name, Line: line, Column: i + 1, Path: col, Value: name, Rule: RuleHeader,
					Message: fmt.Sprintf("column %q means %s, as does column %d (%q): keep one", name, col, j+1, h[j])}
			}
			r.pos[col] = i
		}
		var missing []string
		for _, c := range required {
			if _, ok := r.pos[c]; !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			msg := fmt.Sprintf("header lacks required column(s) %s (header names are matched case-insensitively with their synonyms, e.g. \"Invoice No.\", \"Open amount\", \"Due date\")", strings.Join(missing, ", "))
			if c, ok := r.src.(*csvSource); ok {
				msg += fmt.Sprintf("; read as %d column(s) separated by %s: give --delimiter if the file uses another", len(h), tabular.DelimiterName(c.r.Dialect().Delimiter))
			}
			return finding.Finding{Severity: finding.Error, File: r.name, Line: line, Rule: RuleHeader, Message: msg}
		}
		r.numbers = map[string]int{}
		return nil
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// row checks one record and builds its invoice.
func (r *Reader) row(rec []string, line int) *Row {
	row := &Row{File: r.name, Line: line}
	get := func(col string) (string, int) {
		i, ok := r.pos[col]
		if !ok || i >= len(rec) {
			return "", i + 1
		}
		return strings.TrimSpace(rec[i]), i + 1
	}
	add := func(sev finding.Severity, col, value, msg, rule string) {
		_, c := get(col)
		row.Findings.Add(finding.Finding{Severity: sev, File: r.name, Line: line, Column: c, Path: col, Value: value, Message: msg, Rule: rule})
	}
	fail := func(col, value, msg, rule string) { add(finding.Error, col, value, msg, rule) }

	v := &reconcile.Invoice{}
	if v.Number, _ = get("invoice_number"); v.Number == "" {
		fail("invoice_number", "", "required value is missing", "")
	} else if first, dup := r.numbers[v.Number]; dup {
		fail("invoice_number", v.Number, fmt.Sprintf("invoice number already on line %d", first), RuleDuplicate)
	} else {
		r.numbers[strings.Clone(v.Number)] = line // not pinning the whole record
	}
	ccy, _ := get("currency")
	ccy = strings.ToUpper(ccy)
	if !isCurrency(ccy) {
		fail("currency", ccy, "not an ISO 4217 currency code (three letters, e.g. EUR)", RuleCurrency)
	}
	v.Currency = ccy
	if s, _ := get("amount"); s == "" {
		fail("amount", "", "required value is missing", "")
	} else if a, err := r.amount(s, ccy); err != nil {
		var ae *tabular.AmountError
		rule := RuleAmount
		if errors.As(err, &ae) {
			rule = tabular.RuleAmount
		}
		fail("amount", s, err.Error(), rule)
	} else if !a.IsPositive() {
		fail("amount", s, "an open item is owed to us: the amount must be more than 0 (credit notes are not open items)", RuleAmount)
	} else {
		v.Amount = a
	}
	v.DueDate = r.date("due_date", true, get, fail)
	v.IssueDate = r.date("issue_date", false, get, fail)
	v.CustomerName, _ = get("customer_name")
	v.CustomerNumber, _ = get("customer_number")
	if s, _ := get("iban"); s != "" {
		if iban, err := sepa.ParseIBAN(s); err != nil {
			fail("iban", s, err.Error(), "ISO 13616")
		} else {
			v.CustomerIBANs = []string{string(iban)}
		}
	}
	if s, _ := get("reference"); s != "" {
		switch scheme, _ := sepa.DetectReference(s); {
		case scheme == sepa.SchemeRF || scheme == sepa.SchemeOGM:
			v.Reference = s
		case strings.HasPrefix(strings.ToUpper(s), "RF"):
			_, err := sepa.ParseRF(s)
			fail("reference", s, err.Error(), "ISO 11649")
		case strings.ContainsAny(s, "+*") || ogmShaped(s):
			fail("reference", s, "not a valid Belgian structured communication (OGM: 12 digits, the last two the first ten mod 97)", "OGM")
		default:
			add(finding.Warning, "reference", s, "not a structured reference (RF or OGM): the invoice is matched by number, IBAN and amount only", "")
		}
	}
	if !row.Findings.HasErrors() {
		row.Invoice = v
	}
	return row
}

// ogmShaped reports whether s is 12 digits, with or without separators: an
// OGM whose check digits are wrong.
func ogmShaped(s string) bool {
	n := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			n++
		case c == '/' || c == ' ' || c == '.':
		default:
			return false
		}
	}
	return n == 12
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// amount reads an open amount exactly, in the currency's minor units.
func (r *Reader) amount(s, ccy string) (decimal.Decimal, error) {
	m := sepa.MinorUnits(ccy)
	if r.xlsx {
		if d, ok := cellNumber(s); ok {
			// A number cell is a binary double: 12.3 may be stored as
			// 12.300000000000001. Such noise, and only it, is dropped.
			if rd := d.Round(m); !rd.Equal(d) {
				if d.Sub(rd).Abs().GreaterThan(decimal.New(1, -9)) {
					return d, fmt.Errorf("more decimals than %s has (%d)", ccy, m)
				}
				d = rd
			}
			return d, nil
		}
	}
	n, err := tabular.NormalizeAmount(s, r.dec)
	if err != nil {
		return decimal.Decimal{}, err
	}
	d, err := decimal.NewFromString(n)
	if err != nil {
		return d, tabular.ErrAmountSyntax
	}
	if !d.Equal(d.Truncate(m)) {
		return d, fmt.Errorf("more decimals than %s has (%d)", ccy, m)
	}
	return d, nil
}

// cellNumber reads the raw value of an XLSX number cell: [-]digits[.digits]
// with an optional exponent.
func cellNumber(s string) (decimal.Decimal, bool) {
	if s == "" || strings.ContainsAny(s, ", '") {
		return decimal.Decimal{}, false
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

// dateLayouts are the date forms accepted in text: ISO first, then the
// day-first forms of European spreadsheets.
var dateLayouts = []string{"2006-01-02", "2.1.2006", "2-1-2006", "2/1/2006"}

func (r *Reader) date(col string, req bool, get func(string) (string, int), fail func(col, value, msg, rule string)) time.Time {
	s, _ := get(col)
	if s == "" {
		if req {
			fail(col, "", "required value is missing", "")
		}
		return time.Time{}
	}
	if r.xlsx {
		// A date cell holds days since 1899-12-30 (the 1900 date system).
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 && !strings.ContainsAny(s, "-/") {
			t, err := excelize.ExcelDateToTime(f, false)
			if err == nil {
				y, m, d := t.Date()
				return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			}
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	fail(col, s, "not a date: write YYYY-MM-DD or DD.MM.YYYY (day first, also DD-MM-YYYY and DD/MM/YYYY)", RuleDate)
	return time.Time{}
}
