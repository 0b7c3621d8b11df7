// Package due reads due collections — the rows finance exports from the ERP
// or billing system, one direct debit each — from CSV or JSON Lines, checks
// every field with the sepa rules and hands out pain008 transactions one at
// a time. A bad row is reported with its file, line, column and field and
// the reader goes on, so that every input row ends up either in the batch
// or in the rejects.
//
// Columns (CSV header names, JSON keys):
//
//	end_to_end_id        required  EndToEndId, unique per file, max 35, EPC charset
//	mandate_id           required  MndtId
//	mandate_signed_on    required  DtOfSgntr, YYYY-MM-DD
//	sequence_type        required  FRST, RCUR, OOFF or FNAL
//	amount               required  e.g. 12.50, or 12,50 / 1.234,50 with a decimal comma (at most 2 decimals)
//	currency             optional  EUR (the only SEPA currency)
//	debtor_name          required  transliterated to the EPC charset (reported)
//	debtor_iban          required  IBAN, paper form accepted
//	debtor_bic           optional  BIC (not needed inside the EEA)
//	collection_date      optional  ReqdColltnDt YYYY-MM-DD; default from the command line
//	remittance           optional  RmtInf/Ustrd, max 140
//	creditor_reference   optional  RmtInf/Strd/CdtrRefInf/Ref (RF or Belgian OGM)
//	local_instrument     optional  CORE (default) or B2B
//	original_mandate_id      optional amendment: the mandate id before it changed
//	original_creditor_id     optional amendment: the creditor id before it changed
//	original_creditor_name   optional amendment: the creditor name before it changed
//	original_debtor_iban     optional amendment: the debtor IBAN before it changed
//	debtor_bank_changed      optional amendment: true when the debtor moved to another bank (SMNDA)
//
// A CSV file is read as spreadsheets on European desks write it (package
// tabular): the separator (',', ';', tab, '|') is found from the header,
// the decimal mark follows from it (a comma with ';' and tab, a point with
// ','; Reader.Dialect overrides both), a UTF-8 byte order mark and CRLF are
// taken, and bytes that are not UTF-8 stop the file with their line,
// column and the fix unless the encoding is declared (cp1252, latin1).
// Names are never changed silently: what the EPC character set cannot
// carry is transliterated with a warning.
//
// Collection dates must be TARGET2 business days (sepa.CollectionDay): a
// row dated on a weekend or closing day is refused naming the next
// business day, or moved there with Defaults.RollForward. With
// Defaults.Today set, a date that leaves less than the SDD rulebook's D-1
// business day is warned about, once per date.
//
// A row (a CSV record, a JSON line) longer than 256 KiB stops the file with
// an error of rule "limit" naming file and line, so that a hostile file
// costs at most about 10 MB of heap for the row being read. The end-to-end
// ids seen are kept as 16-byte hashes, at most 16 MiB of them in memory and
// the rest in sorted runs in a temporary file mapped read-only (idSet):
// the heap stays flat from a million rows to ten million and more.
package due

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/tabular"
)

// Columns lists the known columns in their documented order.
var Columns = []string{
	"end_to_end_id", "mandate_id", "mandate_signed_on", "sequence_type", "amount", "currency",
	"debtor_name", "debtor_iban", "debtor_bic", "collection_date", "remittance", "creditor_reference",
	"local_instrument", "original_mandate_id", "original_creditor_id", "original_creditor_name",
	"original_debtor_iban", "debtor_bank_changed",
}

// column is the index of a known column in Columns.
type column int

// The known columns, in the order of Columns.
const (
	colEndToEndID column = iota
	colMandateID
	colMandateSignedOn
	colSequenceType
	colAmount
	colCurrency
	colDebtorName
	colDebtorIBAN
	colDebtorBIC
	colCollectionDate
	colRemittance
	colCreditorReference
	colLocalInstrument
	colOriginalMandateID
	colOriginalCreditorID
	colOriginalCreditorName
	colOriginalDebtorIBAN
	colDebtorBankChanged
	nColumns
)

var required = []string{"end_to_end_id", "mandate_id", "mandate_signed_on", "sequence_type", "amount", "debtor_name", "debtor_iban"}

// Format is the syntax of a due file.
type Format int

// Formats of due files.
const (
	CSV Format = iota
	JSONLines
)

// FormatOf picks the format from a file name: .jsonl/.ndjson/.json are JSON
// Lines, anything else CSV.
func FormatOf(name string) Format {
	l := strings.ToLower(name)
	for _, ext := range []string{".jsonl", ".ndjson", ".json"} {
		if strings.HasSuffix(l, ext) {
			return JSONLines
		}
	}
	return CSV
}

// Defaults fill fields a row leaves empty.
type Defaults struct {
	Creditor       pain008.Creditor
	CollectionDate time.Time // used when a row has no collection_date; a TARGET2 business day
	// RollForward moves a row's collection date that is not a TARGET2
	// business day to the next one (with a warning) instead of refusing it.
	RollForward bool
	// Today, when set, is the day the batch is built: a collection date
	// that leaves less than the D-1 business day is warned about.
	Today time.Time
}

// ErrNoCollectionDate stops a file whose rows carry no collection date
// when no default is given: one error, not one per row.
var ErrNoCollectionDate = errors.New("no collection date: the rows carry none (no collection_date column) and no default was given; give --collection-date")

// Row is one input row: its position, its raw fields (for the rejects file)
// and, when it has no error findings, the transaction it describes.
type Row struct {
	File string // the file's name, as given to NewReader
	Line int    // 1-based line of the row in the file
	// Fields holds raw values by column name for rows that are not a CSV
	// record (JSON Lines, or rows a caller makes); Value reads either.
	Fields   map[string]string
	Tx       pain008.Transaction
	Findings finding.List // errors make the row a reject; warnings (transliteration) are kept

	rec []string       // the CSV record
	col map[string]int // column name → index in rec, shared by the file's rows
}

// Value returns the raw value of the column named col (lower case), "" when
// the row has none.
func (r *Row) Value(col string) string {
	if r.col != nil {
		if i, ok := r.col[col]; ok && i < len(r.rec) {
			return r.rec[i]
		}
	}
	return r.Fields[col]
}

// OK reports whether the row can be collected.
func (r *Row) OK() bool { return !r.Findings.HasErrors() }

// Reader reads due collections one row at a time.
type Reader struct {
	// Dialect says how a CSV file is written; set it before the first
	// Next. The zero value finds the separator, takes the decimal mark
	// from it and wants UTF-8.
	Dialect tabular.Dialect
	// TempDir is where the end-to-end ids beyond the first 786,432 of a
	// file are kept (in an unlinked file; "": os.TempDir()). Set it before
	// the first Next.
	TempDir string

	name     string
	format   Format
	defaults Defaults
	src      io.Reader
	csv      *tabular.Reader
	header   []string
	col      map[string]int
	lines    *bufio.Reader
	line     int
	rows     int           // JSON Lines: rows read
	seen     idSet         // end-to-end ids: their hashes and lines of first use
	entries  []idEntry     // readAhead's: the ids of a batch of records
	rowBlock []Row         // where the next CSV rows are taken from
	err      error         // sticky: the id set could not be written
	ahead    chan csvBatch // CSV records parsed ahead (readAhead)
	stop     chan struct{} // closed by Close: the parsing goroutine ends
	batch    csvBatch      // what is left of the last batch taken from ahead
	pos      [nColumns]int // CSV: index of each known column in a record, -1 when absent
	dates    map[time.Time]dateNote
}

// dateNote is what the calendar said of a row's collection date, kept
// per date: a file has a handful of dates and a million rows.
type dateNote struct {
	day    time.Time // the date to collect on (moved when rolled forward)
	err    error     // the date is refused
	warned bool      // the warning of the date (moved, late) was given
}

// NewReader returns a reader of the due file r, called name in findings.
func NewReader(r io.Reader, name string, format Format, d Defaults) *Reader {
	rd := &Reader{name: name, format: format, defaults: d}
	for i := range rd.pos {
		rd.pos[i] = -1
	}
	r = newRowLimit(r, name, format)
	if format == CSV {
		rd.src = r
	} else {
		rd.lines = bufio.NewReaderSize(r, 64*1024)
	}
	return rd
}

// Header returns the CSV header as read (nil for JSON Lines).
func (r *Reader) Header() []string { return r.header }

// Next returns the next row, or io.EOF. An error (not a row finding) means
// the file itself cannot be read on: a broken CSV quote, a missing header.
func (r *Reader) Next() (*Row, error) {
	if r.err != nil {
		return nil, r.err
	}
	var row *Row
	var err error
	if r.format == CSV {
		row, err = r.nextCSV()
	} else {
		r.seen.dir = r.TempDir
		row, err = r.nextJSON()
	}
	if err == nil && r.err != nil {
		row, err = nil, r.err
	}
	if err != nil && r.format != CSV {
		r.seen.close() // the end of the file, or of its reading (CSV: readAhead's)
	}
	return row, err
}

func (r *Reader) nextCSV() (*Row, error) {
	if r.header == nil {
		if r.csv == nil {
			r.csv = tabular.NewReader(r.src, r.name, r.Dialect)
		}
		h, err := r.csv.Read()
		if err == io.EOF {
			return nil, finding.Finding{Severity: finding.Error, File: r.name, Line: 1, Message: "file is empty: expected a header row with " + strings.Join(required, ", ")}
		}
		if err != nil {
			return nil, err
		}
		r.Dialect = r.csv.Dialect()
		r.header = h
		r.col = make(map[string]int, len(h))
		for i, c := range h {
			c = strings.ToLower(strings.TrimSpace(c))
			if _, dup := r.col[c]; dup {
				return nil, finding.Finding{Severity: finding.Error, File: r.name, Line: 1, Column: i + 1, Path: c, Message: "column appears twice in the header"}
			}
			r.col[c] = i
		}
		for i, c := range Columns {
			if j, ok := r.col[c]; ok {
				r.pos[i] = j
			}
		}
		var missing []string
		for _, c := range required {
			if _, ok := r.col[c]; !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			return nil, finding.Finding{Severity: finding.Error, File: r.name, Line: 1, Message: fmt.Sprintf("header lacks required column(s) %s (read as %d column(s) separated by %s; give --delimiter if the file uses another separator)",
				strings.Join(missing, ", "), len(h), tabular.DelimiterName(r.Dialect.Delimiter))}
		}
		if r.pos[colCollectionDate] < 0 && r.defaults.CollectionDate.IsZero() {
			return nil, fmt.Errorf("%s: %w", r.name, ErrNoCollectionDate)
		}
	}
	if r.ahead == nil {
		r.seen.dir = r.TempDir
		r.readAhead()
	}
	for {
		for len(r.batch.recs) == 0 {
			if r.batch.err != nil {
				return nil, r.batch.err // io.EOF at the end
			}
			r.batch = <-r.ahead
		}
		rec, line, ids := r.batch.recs[0].fields, r.batch.recs[0].line, r.batch.recs[0].id
		r.batch.recs = r.batch.recs[1:]
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(r.rowBlock) == 0 {
			r.rowBlock = make([]Row, rowsAtOnce)
		}
		row := &r.rowBlock[0] // zero: its fields are set one by one, not copied as a whole
		r.rowBlock = r.rowBlock[1:]
		row.File, row.Line, row.rec, row.col = r.name, line, rec, r.col
		if len(rec) != len(r.header) {
			row.Findings.Add(finding.Finding{Severity: finding.Error, File: r.name, Line: line,
				Message: fmt.Sprintf("row has %d fields, the header has %d", len(rec), len(r.header)) + r.splitAmountHint(rec)})
			return row, nil
		}
		r.build(row, ids)
		return row, nil
	}
}

// rowsAtOnce is how many CSV rows are allocated at once: one allocation for
// many rows, which are handed on and dropped together; a row kept holds
// its block (about 30 KB) in memory.
const rowsAtOnce = 64

// csvBatch is records parsed ahead, and the error (io.EOF at the end) that
// followed them.
type csvBatch struct {
	recs []csvRecord
	err  error
}

type csvRecord struct {
	fields []string
	line   int
	id     idCheck
}

// idCheck is the duplicate check of a row's end-to-end id, done ahead.
type idCheck struct {
	done  bool   // the row has a valid end-to-end id, checked against the set
	v     string // that id, trimmed
	first int    // its line of first use, when dup
	dup   bool
	err   error // the set could not be written
}

// readAhead parses the CSV records after the header on a goroutine of its
// own, in batches, while Next checks the ones before: a file is read on
// two cores. The goroutine also checks the end-to-end ids against the set
// of those seen, which it owns (build, with the rest of the row's checks,
// is the longer half of the work). It ends, and releases the set, at the
// end of the file, at its first error, or with Close.
func (r *Reader) readAhead() {
	const batch = 256
	ahead, stop := make(chan csvBatch, 2), make(chan struct{})
	r.ahead, r.stop = ahead, stop
	go func() {
		defer r.seen.close()
		for {
			b := csvBatch{recs: make([]csvRecord, 0, batch)}
			for len(b.recs) < batch && b.err == nil {
				rec, err := r.csv.Read()
				if err != nil {
					b.err = err
					break
				}
				line, _ := r.csv.FieldPos(0)
				b.recs = append(b.recs, csvRecord{fields: rec, line: line})
			}
			r.checkIDs(b.recs)
			select {
			case ahead <- b:
			case <-stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
}

// checkIDs checks the end-to-end ids of CSV records against the set, as
// build would: only for a record of the header's width whose id is
// present and valid (build reports the others). The set is asked for a
// batch of ids at once, so that it can fetch them from memory together
// (idSet.prefetch).
func (r *Reader) checkIDs(recs []csvRecord) {
	i := r.pos[colEndToEndID]
	if i < 0 {
		return
	}
	es := r.entries[:0]
	for k := range recs {
		rec := &recs[k]
		if len(rec.fields) != len(r.header) {
			continue
		}
		v, err := cleanID(rec.fields[i])
		if v == "" || err != nil {
			continue
		}
		rec.id.done, rec.id.v = true, v
		es = append(es, r.seen.entry(v, rec.line))
	}
	r.entries = es
	r.seen.prefetch(es)
	for k := range recs {
		if c := &recs[k].id; c.done {
			c.first, c.dup, c.err = r.seen.insert(es[0])
			es = es[1:]
		}
	}
}

// Close ends the reading of the file before its end: call it when giving
// up on a file before Next returned an error or io.EOF. It does not close
// the underlying reader.
func (r *Reader) Close() {
	if r.stop != nil {
		close(r.stop) // the CSV goroutine ends and releases the set
		r.stop = nil
	} else if r.format != CSV {
		r.seen.close()
	}
}

// splitAmountHint explains a row one field too long in a comma-separated
// file whose amount column holds a decimal comma written unquoted (25,00
// read as "25" and "00").
func (r *Reader) splitAmountHint(rec []string) string {
	i := r.pos[colAmount]
	if r.Dialect.Delimiter != ',' || len(rec) != len(r.header)+1 || i < 0 || i+1 >= len(rec) {
		return ""
	}
	whole, frac := strings.TrimSpace(rec[i]), strings.TrimSpace(rec[i+1])
	if !digits(whole) || !digits(frac) || len(frac) > 2 {
		return ""
	}
	return fmt.Sprintf(": the amount %s,%s is written with a decimal comma in a comma-separated file, which splits it in two; save the file with ';' as separator, or quote the amount (\"%s,%s\") and give --decimal-comma", whole, frac, whole, frac)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (r *Reader) nextJSON() (*Row, error) {
	for {
		b, err := r.lines.ReadBytes('\n')
		if len(b) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		if err != nil && err != io.EOF {
			var f finding.Finding
			if errors.As(err, &f) {
				return nil, f
			}
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		r.line++
		b = bytes.TrimSpace(b)
		if r.line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if len(b) == 0 {
			if err == io.EOF {
				return nil, io.EOF
			}
			continue
		}
		row := &Row{File: r.name, Line: r.line, Fields: map[string]string{}}
		var raw map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if jerr := dec.Decode(&raw); jerr != nil {
			row.Findings.Add(finding.Finding{Severity: finding.Error, File: r.name, Line: r.line, Message: "not a JSON object: " + jerr.Error()})
			return row, nil
		}
		for k, v := range raw {
			k = strings.ToLower(k)
			switch v := v.(type) {
			case string:
				row.Fields[k] = v
			case json.Number:
				row.Fields[k] = v.String()
			case bool:
				row.Fields[k] = fmt.Sprint(v)
			case nil:
			default:
				row.Findings.Add(finding.Finding{Severity: finding.Error, File: r.name, Line: r.line, Path: k, Message: "must be a string, number or boolean"})
			}
		}
		// A first row without a date tells the file carries none: it stops
		// once. A later row without one is that row's error.
		r.rows++
		if _, ok := row.Fields[Columns[colCollectionDate]]; !ok && r.rows == 1 && r.defaults.CollectionDate.IsZero() {
			return nil, fmt.Errorf("%s:%d: %w", r.name, r.line, ErrNoCollectionDate)
		}
		if !row.Findings.HasErrors() {
			r.build(row, idCheck{})
		}
		return row, nil
	}
}

// build checks every field of row and fills row.Tx. ids is the check of
// its end-to-end id when it was done ahead (CSV); else build does it.
func (r *Reader) build(row *Row, ids idCheck) {
	p := &rowParser{r: r, row: row}
	tx := &row.Tx
	tx.Creditor = r.defaults.Creditor
	if ids.done {
		tx.EndToEndID = ids.v // read and checked ahead
	} else {
		tx.EndToEndID = p.id(colEndToEndID, true)
	}
	if tx.EndToEndID != "" {
		if !ids.done {
			ids.first, ids.dup, ids.err = r.seen.add(tx.EndToEndID, row.Line)
		}
		if ids.err != nil {
			r.err = fmt.Errorf("%s:%d: %w", r.name, row.Line, ids.err)
		} else if ids.dup {
			p.fail(colEndToEndID, tx.EndToEndID, fmt.Sprintf("end-to-end id already used on line %d", ids.first), "EPC AT-10 unique")
		}
	}
	tx.MandateID = p.id(colMandateID, true)
	tx.MandateSignedOn = p.date(colMandateSignedOn, true)
	tx.SequenceType = p.oneOf(colSequenceType, []string{"FRST", "RCUR", "OOFF", "FNAL"}, "", "EPC AT-21")
	tx.Amount = p.amount(colAmount)
	tx.Currency = p.oneOf(colCurrency, []string{"EUR"}, "EUR", "EPC AT-06")
	tx.DebtorName = p.text(colDebtorName, 70, true, "EPC AT-14") // the XSD allows 140 (Max140Text); the rulebook 70
	tx.DebtorIBAN = p.iban(colDebtorIBAN, true)
	tx.DebtorBIC = p.bic(colDebtorBIC)
	tx.CollectionDate = p.collectionDate()
	if !tx.MandateSignedOn.IsZero() && !tx.CollectionDate.IsZero() && tx.MandateSignedOn.After(tx.CollectionDate) {
		p.fail(colMandateSignedOn, p.get(colMandateSignedOn), "mandate signed after the collection date "+tx.CollectionDate.Format(time.DateOnly), "EPC AT-25")
	}
	tx.Remittance = p.text(colRemittance, 140, false, "XSD Max140Text") // also the rulebook's AT-22
	if ref := strings.TrimSpace(p.get(colCreditorReference)); ref != "" {
		switch scheme, v := sepa.DetectReference(ref); scheme {
		case sepa.SchemeRF, sepa.SchemeOGM:
			tx.CreditorReference = v
		default:
			if strings.HasPrefix(strings.ToUpper(ref), "RF") {
				_, err := sepa.ParseRF(ref)
				p.fail(colCreditorReference, ref, err.Error(), "ISO 11649")
			} else if err := sepa.ValidateID(ref); err != nil {
				p.fail(colCreditorReference, ref, err.Error(), "EPC charset")
			} else {
				tx.CreditorReference = ref
			}
		}
	}
	tx.LocalInstrument = p.oneOf(colLocalInstrument, []string{"CORE", "B2B"}, "CORE", "EPC AT-20")

	var am pain008.Amendment
	am.OriginalMandateID = p.id(colOriginalMandateID, false)
	am.OriginalCreditorID = p.creditorID(colOriginalCreditorID)
	am.OriginalCreditorName = p.text(colOriginalCreditorName, 70, false, "EPC AT-24")
	am.OriginalDebtorIBAN = p.iban(colOriginalDebtorIBAN, false)
	am.DebtorAgentChanged = p.boolean(colDebtorBankChanged)
	if am != (pain008.Amendment{}) {
		tx.Amendment = new(pain008.Amendment) // am stays on the stack for the rows without one
		*tx.Amendment = am
		if am.DebtorAgentChanged && tx.SequenceType != "FRST" && tx.SequenceType != "" {
			p.warn(colSequenceType, tx.SequenceType, "a collection after a change of debtor bank (SMNDA) should be FRST", "EPC AT-24")
		}
	}
}

type rowParser struct {
	r   *Reader
	row *Row
}

func (p *rowParser) get(col column) string {
	if p.row.rec == nil {
		return p.row.Fields[Columns[col]]
	}
	if i := p.r.pos[col]; i >= 0 && i < len(p.row.rec) {
		return p.row.rec[i]
	}
	return ""
}

// column is the 1-based column of col in a CSV file, 0 when the file has
// none (JSON Lines).
func (p *rowParser) column(col column) int { return p.r.pos[col] + 1 }

func (p *rowParser) add(sev finding.Severity, col column, value, msg, rule string) {
	p.row.Findings.Add(finding.Finding{Severity: sev, File: p.r.name, Line: p.row.Line, Column: p.column(col),
		Path: Columns[col], Value: value, Message: msg, Rule: rule})
}

func (p *rowParser) fail(col column, value, msg, rule string) {
	p.add(finding.Error, col, value, msg, rule)
}
func (p *rowParser) warn(col column, value, msg, rule string) {
	p.add(finding.Warning, col, value, msg, rule)
}

func (p *rowParser) missing(col column, req bool) bool {
	if trim(p.get(col)) != "" {
		return false
	}
	if req {
		p.fail(col, "", "required value is missing", "")
	}
	return true
}

func (p *rowParser) id(col column, req bool) string {
	if p.missing(col, req) {
		return ""
	}
	v, err := cleanID(p.get(col))
	if err != nil {
		p.fail(col, v, err.Error(), "EPC charset")
		return ""
	}
	return v
}

// cleanID is an identifier as the file has it, trimmed, with what the EPC
// rules refuse in it. The read-ahead check of end-to-end ids (checkID) and
// the row's own (id) both use it, so that they agree on which ids the set
// holds.
func cleanID(s string) (string, error) {
	v := trim(s)
	return v, sepa.ValidateID(v)
}

// text reads a free text column; longer than max characters it is refused
// under rule: the schema's own limit (XSD Max140Text) or the stricter one
// of the SEPA rulebook (names: 70 characters, EPC AT-03/AT-14/AT-24).
func (p *rowParser) text(col column, max int, req bool, rule string) string {
	if p.missing(col, req) {
		return ""
	}
	v := collapseSpace(p.get(col))
	t, changes := sepa.Transliterate(v)
	if len(changes) > 0 {
		var parts []string
		for _, c := range changes {
			parts = append(parts, c.String())
		}
		p.warn(col, v, fmt.Sprintf("written as %q (%s)", t, strings.Join(parts, ", ")), "EPC basic Latin")
	}
	n := len(t) // t is EPC text, ASCII, unless the transliteration left more
	if len(changes) > 0 {
		n = utf8.RuneCountInString(t)
	}
	if n > max {
		p.fail(col, v, fmt.Sprintf("longer than %d characters (%d)", max, n), rule)
		return ""
	}
	return t
}

func (p *rowParser) date(col column, req bool) time.Time {
	if p.missing(col, req) {
		return time.Time{}
	}
	v := trim(p.get(col))
	d, err := parseDate(v)
	if err != nil {
		p.fail(col, v, "not a date in the form YYYY-MM-DD", "ISO 8601")
		return time.Time{}
	}
	return d
}

// trim is strings.TrimSpace, without its call for the usual value, which
// starts and ends in a printable ASCII character.
func trim(s string) string {
	if s == "" || s[0] > ' ' && s[0] < utf8.RuneSelf && s[len(s)-1] > ' ' && s[len(s)-1] < utf8.RuneSelf {
		return s
	}
	return strings.TrimSpace(s)
}

// parseDate reads YYYY-MM-DD as time.Parse(time.DateOnly) does, without
// its general layout machinery for the usual well-formed date.
func parseDate(v string) (time.Time, error) {
	if len(v) == 10 && v[4] == '-' && v[7] == '-' {
		y, m, d := digits4(v[:4]), digits4(v[5:7]), digits4(v[8:])
		if y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= 28 {
			return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Parse(time.DateOnly, v) // the end of a month, and errors
}

// digits4 returns the number the ASCII digits of s spell, -1 when s holds
// anything else.
func digits4(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// collectionDate reads the row's collection date, or takes the default
// (checked by the caller), and applies the TARGET2 calendar to a row's own.
func (p *rowParser) collectionDate() time.Time {
	day := p.date(colCollectionDate, false)
	if day.IsZero() {
		if p.r.defaults.CollectionDate.IsZero() && !p.row.Findings.HasErrors() {
			p.fail(colCollectionDate, "", "no collection date: give the column or --collection-date", "EPC AT-11")
		}
		return p.r.defaults.CollectionDate
	}
	if p.r.dates == nil {
		p.r.dates = map[time.Time]dateNote{}
	}
	n, ok := p.r.dates[day]
	if !ok {
		n.day, n.err = sepa.CollectionDay(day, p.r.defaults.RollForward)
	}
	v := p.get(colCollectionDate)
	if n.err != nil {
		p.fail(colCollectionDate, v, n.err.Error(), RuleCalendar)
	} else if !n.warned {
		n.warned = true
		if !n.day.Equal(day) {
			p.warn(colCollectionDate, v, fmt.Sprintf("not a TARGET2 business day (%s): moved to %s, as are the later rows of this date (--roll-forward)",
				sepa.Closing(day), n.day.Format(time.DateOnly)), RuleCalendar)
		}
		if !p.r.defaults.Today.IsZero() {
			if late := sepa.LateSubmission(n.day, p.r.defaults.Today); late != "" {
				p.warn(colCollectionDate, v, late+" (said once per date)", RuleD1)
			}
		}
	}
	p.r.dates[day] = n
	return n.day
}

// Rules of the calendar findings.
const (
	RuleCalendar = "TARGET2 calendar"
	RuleD1       = "EPC SDD D-1"
)

func (p *rowParser) oneOf(col column, allowed []string, def, rule string) string {
	if p.missing(col, def == "") {
		return def
	}
	v := strings.ToUpper(trim(p.get(col)))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(col, p.get(col), "must be one of "+strings.Join(allowed, ", "), rule)
	return ""
}

func (p *rowParser) amount(col column) (d decimal.Decimal) {
	if p.missing(col, true) {
		return d
	}
	v := trim(p.get(col))
	n := v
	if p.row.rec != nil { // a CSV cell, in the file's notation; JSON has one
		var err error
		if n, err = tabular.NormalizeAmount(v, p.r.Dialect.Decimal); err != nil {
			p.fail(col, v, err.Error(), tabular.RuleAmount)
			return d
		}
	}
	a, err := sepa.ParseAmount(n)
	if err != nil {
		p.fail(col, v, err.Error(), "EPC AT-06")
		return d
	}
	return a
}

func (p *rowParser) iban(col column, req bool) string {
	if p.missing(col, req) {
		return ""
	}
	v := p.get(col)
	i, err := sepa.ParseIBAN(v)
	if err != nil {
		p.fail(col, v, err.Error(), "ISO 13616")
		return ""
	}
	return string(i)
}

func (p *rowParser) bic(col column) string {
	if p.missing(col, false) {
		return ""
	}
	v := p.get(col)
	b, err := sepa.ParseBIC(v)
	if err != nil {
		p.fail(col, v, err.Error(), "ISO 9362")
		return ""
	}
	return string(b)
}

func (p *rowParser) creditorID(col column) string {
	if p.missing(col, false) {
		return ""
	}
	v := p.get(col)
	c, err := sepa.ParseCreditorID(v)
	if err != nil {
		p.fail(col, v, err.Error(), "EPC262-08")
		return ""
	}
	return string(c)
}

func (p *rowParser) boolean(col column) bool {
	switch strings.ToLower(strings.TrimSpace(p.get(col))) {
	case "", "false", "no", "0", "n":
		return false
	case "true", "yes", "1", "y":
		return true
	}
	p.fail(col, p.get(col), "must be true or false", "")
	return false
}

// collapseSpace trims s and turns every run of white space into one space,
// allocating only when s needs it.
func collapseSpace(s string) string {
	if len(s) == 0 || s[0] == ' ' || s[len(s)-1] == ' ' {
		return strings.Join(strings.Fields(s), " ")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c-'!' < '~'-'!'+1: // printable ASCII, not a space: the usual character
		case c >= utf8.RuneSelf || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == ' ' && s[i+1] == ' ':
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}
