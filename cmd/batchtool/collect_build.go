package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/pkg/due"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/tabular"
)

// creditorFile is the creditor.json a batch is built for.
type creditorFile struct {
	Name            string `json:"name"`
	IBAN            string `json:"iban"`
	BIC             string `json:"bic"`
	CreditorID      string `json:"creditor_id"`
	InitiatingParty string `json:"initiating_party"`
}

// loadCreditor reads and checks creditor.json.
func loadCreditor(path string) (pain008.Creditor, string, error) {
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

type collectBuildOptions struct {
	in, creditor, out, version, collectionDate, rejects, messageID string
	fromUBL                                                        []string
	mandates                                                       string
	rollForward                                                    bool
	today                                                          string // the day the batch is sent (tests); default today
	input                                                          inputFlags
}

func newCollectBuildCmd(a *app) *cobra.Command {
	var o collectBuildOptions
	cmd := &cobra.Command{
		Use:   "build (--in due.csv|due.jsonl | --from-ubl DIR|ZIP|FILE --mandates mandates.csv) --creditor creditor.json --out batch.xml",
		Short: "Build a pain.008 batch from due collections",
		Long: `build reads due collections (CSV or JSON Lines, columns in the README), checks
every row (IBAN, BIC, mandate, amount, dates, EPC characters) and writes one
pain.008 message grouped by collection date, sequence type, instrument and
creditor, with exact NbOfTxs and CtrlSum.

By default nothing is written when any row is bad. With --rejects the good
rows go into the batch and every bad row, with its reason, into the rejects
file: every input row ends up in exactly one of the two (exit code 1 tells
that rows were rejected).

With --from-ubl, UBL invoices whose payment means is SEPA direct debit (59,
or 49 with a mandate) become collections: mandate id and debtor IBAN from
PaymentMandate, amount = payable amount, end-to-end id from the invoice
number, remittance = the structured reference or the invoice number, the
collection date the later of the due date and --collection-date. UBL does
not carry the mandate's signature date, so --mandates names a CSV with
mandate_id, signed_on and optionally sequence_type (default RCUR). Credit
notes and invoices paid otherwise are skipped and counted; a direct-debit
invoice that cannot be collected (no mandate, bad IBAN, EN 16931 errors) is
a bad row.

A CSV is read as a European desk's spreadsheet writes it: the separator
(',', ';', tab, '|') is found from the header, amounts are read with a
decimal comma (1.234,56) when the separator is ';' or tab, a UTF-8 byte
order mark and CRLF are fine. Bytes that are not UTF-8 stop the file with
their line and column unless --encoding names the encoding (cp1252 for
Excel's "CSV" on Windows). An amount that reads two ways (1.234 with decimal
commas) is refused, never guessed.

Collection dates must be TARGET2 business days (not a weekend, 1 January,
Good Friday, Easter Monday, 1 May, 25 or 26 December): another date is
refused naming the next business day, or moved there with --roll-forward. A
date that leaves less than the D-1 business day the SDD rulebook requires
for the collection to reach the debtor's bank is warned about.`,
		Example: `  batchtool collect build --in due.csv --creditor creditor.json --collection-date 2026-12-07 --out batch.xml
  batchtool collect build --in export.csv --encoding cp1252 --collection-date 2026-12-05 --roll-forward --creditor creditor.json --out batch.xml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return collectBuild(a, cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.in, "in", "", "due collections, CSV or JSON Lines (.jsonl)")
	f.StringSliceVar(&o.fromUBL, "from-ubl", nil, "UBL invoices (file, directory or zip; repeatable) to collect by direct debit")
	f.StringVar(&o.mandates, "mandates", "", "with --from-ubl: CSV of mandate_id, signed_on[, sequence_type]")
	f.StringVar(&o.creditor, "creditor", "", "creditor.json: name, iban, bic, creditor_id")
	f.StringVar(&o.out, "out", "", "pain.008 file to write")
	f.StringVar(&o.version, "version", pain008.Version02, "pain.008 version: 001.02 or 001.08")
	f.StringVar(&o.collectionDate, "collection-date", "", "requested collection date (YYYY-MM-DD) for rows without one")
	f.StringVar(&o.rejects, "rejects", "", "write bad rows here (CSV with line and reason) and build the batch from the good ones")
	f.StringVar(&o.messageID, "message-id", "", "GrpHdr/MsgId (default: BT + creation time)")
	f.BoolVar(&o.rollForward, "roll-forward", false, "move a collection date that is not a TARGET2 business day to the next one instead of refusing it")
	f.StringVar(&o.today, "today", "", "the day the batch is sent, for the D-1 check (YYYY-MM-DD; default today)")
	f.MarkHidden("today")
	o.input.add(cmd)
	return cmd
}

func collectBuild(a *app, cmd *cobra.Command, o collectBuildOptions) error {
	if (o.in == "") == (len(o.fromUBL) == 0) || o.creditor == "" || o.out == "" {
		return usagef("--in or --from-ubl, --creditor and --out are required")
	}
	if len(o.fromUBL) > 0 && o.mandates == "" {
		return usagef("--from-ubl needs --mandates (UBL does not carry the mandate's signature date)")
	}
	if o.version != pain008.Version02 && o.version != pain008.Version08 {
		return usagef("--version must be %s or %s", pain008.Version02, pain008.Version08)
	}
	dialect, err := o.input.dialect(cmd)
	if err != nil {
		return err
	}
	d := due.Defaults{RollForward: o.rollForward, Today: time.Now()}
	if o.today != "" {
		if d.Today, err = time.Parse(time.DateOnly, o.today); err != nil {
			return usagef("--today %q: want YYYY-MM-DD", o.today)
		}
	}
	if o.collectionDate != "" {
		t, err := time.Parse(time.DateOnly, o.collectionDate)
		if err != nil {
			return usagef("--collection-date %q: want YYYY-MM-DD", o.collectionDate)
		}
		day, err := sepa.CollectionDay(t, o.rollForward)
		if err != nil {
			return usagef("--collection-date: %v (or give --roll-forward)", err)
		}
		if !day.Equal(t) {
			fmt.Fprintf(a.stderr, "warning: --collection-date %s is not a TARGET2 business day (%s): moved to %s (--roll-forward)\n", o.collectionDate, sepa.Closing(t), day.Format(time.DateOnly))
		}
		if late := sepa.LateSubmission(day, d.Today); late != "" {
			fmt.Fprintf(a.stderr, "warning: --collection-date: %s\n", late)
		}
		d.CollectionDate = day
	}
	// What stays live while a batch is built is the two duplicate checks'
	// tables (due.Reader's and the pain008 writer's: 20 to 30 bytes an end-to-end
	// id, no pointers for the collector to scan); everything else is garbage
	// of the row just read. A tighter collection target keeps the heap at
	// 1.5 times those tables rather than twice, for a few percent of CPU.
	defer debug.SetGCPercent(debug.SetGCPercent(50))

	cred, initg, err := loadCreditor(o.creditor)
	if err != nil {
		return err
	}
	d.Creditor = cred

	w, err := pain008.Create(o.out, pain008.WriterOptions{Version: o.version, MessageID: o.messageID, InitiatingParty: initg})
	if err != nil {
		return err
	}
	defer w.Abort()

	var rej *rejectsWriter
	if o.rejects != "" {
		if rej, err = newRejectsWriter(o.rejects); err != nil {
			return err
		}
		defer rej.abort()
	}

	rows, bad := 0, 0
	handle := func(header []string, row *due.Row) error {
		rows++
		if row.OK() {
			if werr := w.Write(row.Tx); werr != nil {
				row.Findings.Add(writerFinding(row, werr))
			}
		}
		for _, f := range row.Findings {
			fmt.Fprintln(a.stderr, f)
		}
		if row.Findings.HasErrors() {
			bad++
			if rej != nil {
				return rej.write(header, row)
			}
		}
		return nil
	}
	source := o.in
	if o.in != "" {
		err = readDue(o.in, d, dialect, handle)
		if errors.Is(err, due.ErrNoCollectionDate) {
			return usageError{err}
		}
	} else {
		source = strings.Join(o.fromUBL, ", ")
		var skipped int
		skipped, err = readUBLCollections(o.fromUBL, o.mandates, d, handle)
		if skipped > 0 {
			fmt.Fprintf(a.stdout, "%d invoice(s) skipped: credit notes or not paid by direct debit\n", skipped)
		}
	}
	if err != nil {
		return err
	}
	if bad > 0 && rej == nil {
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %d of %d rows have errors; nothing written (use --rejects to build from the good rows)", source, bad, rows)}
	}
	n, cents := w.Count()
	if n == 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%s: no collectable rows; nothing written", source)}
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: %d transactions, total %s EUR (pain.008.%s)\n", o.out, n, centsText(cents), o.version)
	if rej != nil {
		if err := rej.commit(); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s: %d rejected rows\n", o.rejects, bad)
		if bad > 0 {
			return &exitError{code: 1}
		}
	}
	return nil
}

// readDue hands every row of a due file to handle, in file order. The rows
// are read and checked on a goroutine of their own, a batch ahead of
// handle, which renders them into the pain.008: the two halves of the work
// run on two cores.
func readDue(path string, d due.Defaults, dialect tabular.Dialect, handle func([]string, *due.Row) error) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	r := due.NewReader(in, path, due.FormatOf(path), d)
	r.Dialect = dialect
	for {
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := handle(r.Header(), row); err != nil {
			return err
		}
	}
}

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

func centsText(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// rejectsWriter writes bad rows with their line and reasons, as CSV.
type rejectsWriter struct {
	f      *atomicfile.File
	w      *csv.Writer
	header []string
}

func newRejectsWriter(path string) (*rejectsWriter, error) {
	f, err := atomicfile.Create(path)
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
