package pipeline

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/pkg/due"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/tabular"
)

// BuildOptions say what to build a pain.008 batch from.
type BuildOptions struct {
	Due string // due collections, CSV or JSON Lines; or
	// FromUBL are UBL invoices (files, folders, zips) whose payment means is
	// SEPA direct debit, and Mandates the CSV of mandate_id, signed_on[,
	// sequence_type] UBL does not carry.
	FromUBL  []string
	Mandates string

	Creditor       string    // creditor.json
	Out            string    // the pain.008 file to write
	Version        string    // pain008.Version02 (default) or Version08
	CollectionDate time.Time // for rows without one: a TARGET2 business day (sepa.CollectionDay), else refused or, with RollForward, moved
	// RollForward moves a row's collection date that is not a TARGET2
	// business day to the next one (with a warning) instead of refusing it.
	RollForward bool
	// Today is the day the batch is sent, for the D-1 warning (zero: none).
	Today time.Time
	// Dialect says how a due CSV is written where detection cannot tell:
	// separator, decimal comma, encoding (package tabular).
	Dialect   tabular.Dialect
	MessageID string // GrpHdr/MsgId (default: BT + creation time)
	// Rejects, when set, is the CSV the bad rows go to (with line and
	// reasons) while the good ones are built; else one bad row means
	// nothing is written.
	Rejects string
	// OnFinding, when set, gets every finding of every row as it is read.
	OnFinding func(finding.Finding)
	// Open and Create, when set, stand in for os.Open of the due file and
	// for atomicfile.Create of the batch and rejects files: a command line
	// reading standard input or writing standard output for "-".
	Open   func(name string) (io.ReadCloser, error)
	Create func(name string) (Output, error)
}

// Output is a file being written: Commit publishes it, Abort throws it
// away (a no-op after Commit). *atomicfile.File is one.
type Output interface {
	io.Writer
	Commit() error
	Abort()
}

// BuildResult is what a build wrote.
type BuildResult struct {
	Out      string
	Version  string
	Rows     int   // rows (or invoices) read
	Rejected int   // rows with errors: in Rejects, or the reason nothing was written
	Skipped  int   // invoices not to be collected: credit notes or paid otherwise
	Count    int   // transactions written
	Cents    int64 // their sum in euro cents
	Rejects  string
}

// NotBuiltError is a build that wrote nothing: rows with errors and no
// rejects file, or no collectable row.
type NotBuiltError struct {
	Source    string
	Bad, Rows int
}

func (e *NotBuiltError) Error() string {
	if e.Bad > 0 {
		return fmt.Sprintf("%s: %d of %d rows have errors; nothing written (use --rejects to build from the good rows)", e.Source, e.Bad, e.Rows)
	}
	return fmt.Sprintf("%s: no collectable rows; nothing written", e.Source)
}

// Build checks every row (IBAN, BIC, mandate, amount, dates, EPC
// characters) and writes one pain.008 message grouped by collection date,
// sequence type, instrument and creditor, with exact NbOfTxs and CtrlSum.
// The batch is written to a temporary file renamed into place only when
// complete; so is the rejects file. Every input row ends up in exactly one
// of the two.
func Build(o BuildOptions) (*BuildResult, error) {
	if o.Version == "" {
		o.Version = pain008.Version02
	}
	if !o.CollectionDate.IsZero() { // rows' own dates are checked row by row (due.Reader)
		day, err := sepa.CollectionDay(o.CollectionDate, o.RollForward)
		if err != nil {
			return nil, err
		}
		o.CollectionDate = day
	}
	d := due.Defaults{CollectionDate: o.CollectionDate, RollForward: o.RollForward, Today: o.Today}
	cred, initg, err := LoadCreditor(o.Creditor)
	if err != nil {
		return nil, err
	}
	d.Creditor = cred

	if o.Open == nil {
		o.Open = func(name string) (io.ReadCloser, error) { return os.Open(name) }
	}
	if o.Create == nil {
		o.Create = func(name string) (Output, error) { return atomicfile.Create(name) }
	}
	out, err := o.Create(o.Out)
	if err != nil {
		return nil, err
	}
	defer out.Abort()
	// The rows' end-to-end ids are checked once, where the line of first
	// use is known: by due.Reader for a due file, by readUBLCollections
	// for invoices. The writer keeps no second set.
	opts := pain008.WriterOptions{Version: o.Version, MessageID: o.MessageID, InitiatingParty: initg, UniqueIDs: true}
	if st, err := os.Stat(filepath.Dir(o.Out)); err == nil && st.IsDir() {
		opts.TempDir = filepath.Dir(o.Out) // the spool beside the batch, not in /tmp
	}
	w, err := pain008.NewWriter(out, opts)
	if err != nil {
		return nil, err
	}
	defer w.Abort()

	var rej *rejectsWriter
	if o.Rejects != "" {
		if rej, err = newRejectsWriter(o.Create, o.Rejects); err != nil {
			return nil, err
		}
		defer rej.abort()
	}
	res := &BuildResult{Out: o.Out, Version: o.Version, Rejects: o.Rejects}
	handle := func(header []string, row *due.Row) error {
		res.Rows++
		if row.OK() {
			if werr := w.Write(row.Tx); werr != nil {
				row.Findings.Add(writerFinding(row, werr))
			}
		}
		if o.OnFinding != nil {
			for _, f := range row.Findings {
				o.OnFinding(f)
			}
		}
		if row.Findings.HasErrors() {
			res.Rejected++
			if rej != nil {
				return rej.write(header, row)
			}
		}
		return nil
	}
	source := o.Due
	if o.Due != "" {
		err = readDue(o.Open, o.Due, d, o.Dialect, opts.TempDir, handle)
	} else {
		source = strings.Join(o.FromUBL, ", ")
		res.Skipped, err = readUBLCollections(o.FromUBL, o.Mandates, d, handle)
	}
	if err != nil {
		return nil, err
	}
	if res.Rejected > 0 && rej == nil {
		return res, &NotBuiltError{Source: source, Bad: res.Rejected, Rows: res.Rows}
	}
	n, cents := w.Count()
	if n == 0 {
		return res, &NotBuiltError{Source: source, Rows: res.Rows}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := out.Commit(); err != nil {
		return nil, err
	}
	res.Count, res.Cents = int(n), cents
	if rej != nil {
		if err := rej.commit(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// Total is the batch's sum as text, "2037.22" (EUR).
func (r *BuildResult) Total() string { return fmt.Sprintf("%d.%02d", r.Cents/100, r.Cents%100) }

// creditorFile is the creditor.json a batch is built for.
type creditorFile struct {
	Name            string `json:"name"`
	IBAN            string `json:"iban"`
	BIC             string `json:"bic"`
	CreditorID      string `json:"creditor_id"`
	InitiatingParty string `json:"initiating_party"`
}

// LoadCreditor reads and checks creditor.json: {"name", "iban", "bic",
// "creditor_id", "initiating_party"}, the creditor id verified (EPC262-08),
// the name transliterated to the EPC basic Latin set. It returns the
// creditor and the initiating party.
func LoadCreditor(path string) (pain008.Creditor, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return pain008.Creditor{}, "", err
	}
	var c creditorFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return pain008.Creditor{}, "", fmt.Errorf("%s: %w", path, err)
	}
	var l finding.List
	bad := func(field, value string, err error) {
		l.Add(finding.Finding{Severity: finding.Error, File: path, Path: field, Value: value, Message: err.Error()})
	}
	iban, err := sepa.ParseIBAN(c.IBAN)
	if err != nil {
		bad("iban", c.IBAN, err)
	}
	var bic sepa.BIC
	if c.BIC != "" {
		if bic, err = sepa.ParseBIC(c.BIC); err != nil {
			bad("bic", c.BIC, err)
		}
	}
	ci, err := sepa.ParseCreditorID(c.CreditorID)
	if err != nil {
		bad("creditor_id", c.CreditorID, err)
	}
	if strings.TrimSpace(c.Name) == "" {
		bad("name", c.Name, errors.New("required value is missing"))
	}
	name, _ := sepa.Transliterate(strings.TrimSpace(c.Name))
	if len(l) > 0 {
		return pain008.Creditor{}, "", l
	}
	return pain008.Creditor{Name: name, IBAN: string(iban), BIC: string(bic), ID: string(ci)}, c.InitiatingParty, nil
}

// readDue hands every row of a due file to handle, in file order.
// A file named neither .csv nor .jsonl (standard input) whose first
// character is "{" is JSON Lines.
func readDue(open func(string) (io.ReadCloser, error), path string, d due.Defaults, dialect tabular.Dialect, tempDir string, handle func([]string, *due.Row) error) error {
	in, err := open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	format := due.FormatOf(path)
	br := bufio.NewReader(in)
	if format == due.CSV && !strings.HasSuffix(strings.ToLower(path), ".csv") {
		if head, _ := br.Peek(64); bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n"), []byte("{")) {
			format = due.JSONLines
		}
	}
	r := due.NewReader(br, path, format, d)
	r.Dialect = dialect
	r.TempDir = tempDir // beside the batch, as the writer's spool
	// The rows are read and checked on one goroutine and handed on, in
	// batches and in file order, to handle on this one: a batch is built
	// on two cores.
	batches := make(chan rowBatch, 4)
	stop := make(chan struct{})
	go func() {
		defer close(batches)
		defer r.Close()
		b := rowBatch{rows: make([]*due.Row, 0, batchRows)}
		for {
			row, err := r.Next()
			if err != nil {
				if err != io.EOF {
					b.err = err
				}
				select {
				case batches <- b:
				case <-stop:
				}
				return
			}
			b.header = r.Header()
			if b.rows = append(b.rows, row); len(b.rows) == batchRows {
				select {
				case batches <- b:
				case <-stop:
					return
				}
				b = rowBatch{rows: make([]*due.Row, 0, batchRows)}
			}
		}
	}()
	defer func() {
		close(stop)
		for range batches { // wait for the reading goroutine to end
		}
	}()
	for b := range batches {
		for _, row := range b.rows {
			if err := handle(b.header, row); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// rowBatch is rows of a due file on their way from the goroutine that
// reads them to the one that writes them, or the error that ended the file.
type rowBatch struct {
	header []string
	rows   []*due.Row
	err    error
}

// batchRows is the number of rows handed on at once: few enough to cost
// little memory, enough that the hand-over costs nothing per row.
const batchRows = 256

// writerFinding turns a pain008 writer refusal into a finding on the row.
func writerFinding(row *due.Row, err error) finding.Finding {
	f := finding.Finding{Severity: finding.Error, File: row.File, Line: row.Line, Message: err.Error()}
	var fe *pain008.FieldError
	if errors.As(err, &fe) {
		f.Path, f.Value = fe.Field, fe.Value
		f.Message = fe.Err.Error()
	}
	return f
}

// rejectsWriter writes bad rows with their line and reasons, as CSV.
type rejectsWriter struct {
	f      Output
	w      *csv.Writer
	header []string
}

func newRejectsWriter(create func(string) (Output, error), path string) (*rejectsWriter, error) {
	f, err := create(path)
	if err != nil {
		return nil, err
	}
	return &rejectsWriter{f: f, w: csv.NewWriter(f)}, nil
}

func (r *rejectsWriter) write(inputHeader []string, row *due.Row) error {
	if r.header == nil {
		r.header = inputHeader
		if r.header == nil {
			r.header = due.Columns
		}
		if err := r.w.Write(append(append([]string{"line"}, r.header...), "reason")); err != nil {
			return err
		}
	}
	rec := []string{fmt.Sprint(row.Line)}
	for _, c := range r.header {
		rec = append(rec, row.Value(strings.ToLower(strings.TrimSpace(c))))
	}
	var reasons []string
	for _, f := range row.Findings {
		if f.Severity != finding.Error {
			continue
		}
		s := f.Message
		if f.Path != "" {
			s = fmt.Sprintf("%s %q: %s", f.Path, f.Value, f.Message)
		}
		reasons = append(reasons, s)
	}
	return r.w.Write(append(rec, strings.Join(reasons, "; ")))
}

func (r *rejectsWriter) commit() error {
	if r.header == nil {
		r.w.Write([]string{"line", "reason"})
	}
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		return err
	}
	return r.f.Commit()
}

func (r *rejectsWriter) abort() { r.f.Abort() }
