package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/internal/csvsafe"
	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/internal/ziparchive"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

func newReconcileCmd(a *app) *cobra.Command {
	var path string
	var reports []string
	var acceptErrors bool
	cmd := &cobra.Command{
		Use:   "reconcile STATEMENT... [--ledger batchtool.db] [--report out.csv|out.json|out.xlsx|out.html]...",
		Short: "Reconcile camt and CODA statements against the ledger",
		Long: `reconcile reads camt.052/.053/.054 and CODA statements, registers every line
in the ledger and matches it against the open collections, batches and
invoices: end-to-end id and batch, returns with their reason, structured
reference (OGM/RF), invoice number, customer IBAN and amount, several
invoices paid at once. Each file is booked in one transaction. A file already
imported changes nothing; lines already booked from another file are
reported as duplicates and skipped. A file whose reader reports errors is not
booked unless --accept-errors is given.

--report (repeatable) writes the ERP export as CSV (one row per booked line and
item), the whole result as JSON, a workbook (.xlsx: Lines, Summary, Unmatched)
or one self-contained HTML page with totals, a chart per day and per return
reason, and sortable tables. Reports are written only when every file was read.
Exit code 1 when a file had errors or could not be read.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, outs, err := openReports(reports)
			if err != nil {
				return err
			}
			for _, o := range outs {
				defer o.Abort()
			}
			l, ctx, run, err := openLedgerRun(cmd, path, "reconcile "+strings.Join(args, " "))
			if err != nil {
				return err
			}
			defer l.Close()
			var total reconcile.Summary
			var results []*ledger.ImportResult
			failed := false
			dupTotal := reconcile.Totals{}
			for _, name := range args {
				all, err := reconcilePath(ctx, l, name, run, acceptErrors, rep)
				for i, res := range all {
					if res == nil {
						continue
					}
					for _, f := range res.Findings {
						fmt.Fprintln(a.stderr, f)
					}
					if err != nil && i == len(all)-1 {
						continue // this file failed: its transaction was rolled back
					}
					if res.ClaimedBy != "" {
						fmt.Fprintf(a.stdout, "%s: being imported by worker %s (lease until %s): left to it, nothing changed here\n",
							safename.Escape(res.File.Name), res.ClaimedBy, res.ClaimExpires.Format(time.RFC3339))
						continue
					}
					if res.AlreadyImported {
						fmt.Fprintf(a.stdout, "%s: already imported as %s on %s: nothing changed\n", safename.Escape(res.File.Name), safename.Escape(res.PreviousName), res.PreviousAt)
						results = append(results, res)
						continue
					}
					fmt.Fprintf(a.stdout, "%s: %s, %d entries booked, %d duplicate(s) of lines already booked skipped (%s)\n",
						safename.Escape(res.File.Name), res.File.Format, res.Entries-res.Duplicates-res.Pending, res.Duplicates, res.DuplicateTotal)
					if res.Pending > 0 {
						fmt.Fprintf(a.stdout, "%s: %d pending entries not booked (%s): they are booked when the statement brings them\n",
							safename.Escape(res.File.Name), res.Pending, res.PendingTotal)
					}
					results = append(results, res)
					total.Merge(res.Summary)
					dupTotal.Merge(res.DuplicateTotal)
				}
				if err != nil {
					fmt.Fprintf(a.stderr, "batchtool: %v\n", err)
					failed = true
				}
			}
			total.WriteText(a.stdout)
			for _, t := range dupTotal {
				fmt.Fprintf(a.stdout, "  %-26s %7d %20s  (skipped: already booked)\n", "duplicates", t.Count,
					statement.FormatAmount(t.Amount, t.Currency)+" "+t.Currency)
			}
			sumJSON, _ := json.Marshal(total)
			if err := l.FinishRun(ctx, run, string(sumJSON)); err != nil {
				return err
			}
			if rep != nil {
				if err := rep.Close(results, total); err != nil {
					return err
				}
				if failed {
					fmt.Fprintf(a.stderr, "batchtool: %s not written: not every file was read\n", strings.Join(reports, ", "))
				} else {
					for i, o := range outs {
						if err := o.Commit(); err != nil {
							return err
						}
						fmt.Fprintf(a.stdout, "report: %s\n", reports[i])
					}
				}
			}
			if failed {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	// Each statement file is claimed: workers sharing a PostgreSQL ledger
	// split them (see lockLedger).
	cmd.Annotations = map[string]string{claimsUnits: string(ledger.ClaimStatement)}
	cmd.Flags().StringVar(&path, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	cmd.Flags().StringArrayVar(&reports, "report", nil, "write a report, repeatable: .csv (ERP export, one row per booking), .json, .xlsx or .html")
	cmd.Flags().BoolVar(&acceptErrors, "accept-errors", false, "book files even when their reader reports errors")
	return cmd
}

// reconcilePath books one argument: a statement file, or every member of a
// zip of statements (each member is a file of its own, named zip!member).
func reconcilePath(ctx context.Context, l *ledger.DB, name string, run int64, acceptErrors bool, rep reportSink) ([]*ledger.ImportResult, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if detectFormat(head[:n]) != formatZip {
		res, err := reconcileOne(ctx, l, name, func() (io.ReadCloser, error) { return os.Open(name) }, run, acceptErrors, rep)
		return []*ledger.ImportResult{res}, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	a, err := ziparchive.Open(name, f, st.Size())
	if err != nil {
		return nil, err
	}
	var out []*ledger.ImportResult
	for _, m := range a.Members {
		res, err := reconcileOne(ctx, l, m.Name, m.Open, run, acceptErrors, rep)
		out = append(out, res)
		if err != nil {
			return out, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: zip holds no files", name)
	}
	return out, nil
}

// reconcileOne hashes one statement file, then reads, books and matches it.
func reconcileOne(ctx context.Context, l *ledger.DB, name string, open func() (io.ReadCloser, error), run int64, acceptErrors bool, rep reportSink) (*ledger.ImportResult, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	sum, err := ledger.HashFile(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if f, err = open(); err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, sniffLen)
	head, _ := br.Peek(sniffLen)
	format := detectFormat(head)
	sr, err := openStatements(name, format, br)
	if err != nil {
		return nil, err
	}
	opt := ledger.ImportOptions{RunID: run, AcceptErrors: acceptErrors}
	if rep != nil {
		opt.OnResult = func(r *reconcile.Result, dup bool) error { return rep.Write(name, r, dup) }
	}
	// The file is read a few batches ahead of its booking, on another core;
	// the booking stays one transaction per file, in the order of the
	// arguments.
	return l.Import(ctx, ledger.File{Name: name, SHA256: sum, Format: string(format)}, sr, opt)
}

// reportSink receives every entry's result as it is booked. Close gets the
// statement files read; nil when the bookings come from no statement file
// (payreq sync).
type reportSink interface {
	Write(file string, r *reconcile.Result, dup bool) error
	Close(files []*ledger.ImportResult, total reconcile.Summary) error
}

// reportRow is one row of the ERP export: one booked line and one item.
type reportRow struct {
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

var reportHeader = []string{"file", "statement", "account", "booking_date", "entry", "entry_ref", "detail", "amount", "currency",
	"status", "rule", "item_kind", "invoice_number", "end_to_end_id", "pmt_inf_id", "applied", "remaining", "return_reason",
	"return_text", "counterparty", "counterparty_iban", "remittance", "candidates", "evidence"}

func (r reportRow) fields() []string {
	return []string{r.File, r.Statement, r.Account, r.BookingDate, strconv.Itoa(r.Entry), r.EntryRef, strconv.Itoa(r.Detail), r.Amount,
		r.Currency, r.Status, r.Rule, r.ItemKind, r.InvoiceNo, r.EndToEndID, r.PmtInfID, r.Applied, r.Remaining, r.ReturnReason,
		r.ReturnText, r.Counterparty, r.IBAN, r.Remittance, r.Candidates, r.Evidence}
}

// rowsOf flattens a result into report rows: one per line and matched
// item, one per line without item.
func rowsOf(file string, r *reconcile.Result, dup bool) []reportRow {
	e := r.Entry
	base := reportRow{File: file, Entry: e.Seq, EntryRef: e.Ref, Currency: e.Currency}
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
		return []reportRow{row}
	}
	var rows []reportRow
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

type csvReport struct{ w *csv.Writer }

func newCSVReport(w io.Writer) *csvReport {
	c := &csvReport{w: csv.NewWriter(w)}
	c.w.Write(reportHeader)
	return c
}

// reportTextCol tells the text columns of reportHeader: everything but
// the amounts and the entry and detail numbers, which batchtool writes.
func reportTextCol(i int) bool {
	name := reportHeader[i]
	return !reportMoneyCols[name] && name != "entry" && name != "detail"
}

func (c *csvReport) Write(file string, r *reconcile.Result, dup bool) error {
	for _, row := range rowsOf(file, r, dup) {
		// Text from the statement (names, remittance) never runs as a
		// spreadsheet formula; amounts stay numbers.
		if err := c.w.Write(csvsafe.Row(row.fields(), reportTextCol)); err != nil {
			return err
		}
	}
	return nil
}

func (c *csvReport) Close([]*ledger.ImportResult, reconcile.Summary) error {
	c.w.Flush()
	return c.w.Error()
}

// jsonReport streams {"rows":[...],"files":[...],"summary":{...}}.
type jsonReport struct {
	bw    *bufio.Writer
	first bool
}

func newJSONReport(w io.Writer) *jsonReport {
	j := &jsonReport{bw: bufio.NewWriter(w), first: true}
	j.bw.WriteString("{\"rows\": [")
	return j
}

func (j *jsonReport) Write(file string, r *reconcile.Result, dup bool) error {
	for _, row := range rowsOf(file, r, dup) {
		b, err := json.Marshal(row)
		if err != nil {
			return err
		}
		if !j.first {
			j.bw.WriteByte(',')
		}
		j.first = false
		j.bw.WriteString("\n  ")
		if _, err := j.bw.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonReport) Close(files []*ledger.ImportResult, total reconcile.Summary) error {
	j.bw.WriteString("\n],\n\"files\": ")
	b, err := json.MarshalIndent(files, "", "  ")
	if err != nil {
		return err
	}
	j.bw.Write(b)
	j.bw.WriteString(",\n\"summary\": ")
	if b, err = json.MarshalIndent(total, "", "  "); err != nil {
		return err
	}
	j.bw.Write(b)
	j.bw.WriteString("}\n")
	return j.bw.Flush()
}

// openReports creates one sink per --report file, each writing to a
// temporary file that the caller commits when every statement was read.
func openReports(paths []string) (reportSink, []*atomicfile.File, error) {
	var sinks multiSink
	var outs []*atomicfile.File
	fail := func(err error) (reportSink, []*atomicfile.File, error) {
		for _, o := range outs {
			o.Abort()
		}
		return nil, nil, err
	}
	for _, p := range paths {
		ext := strings.ToLower(filepath.Ext(p))
		switch ext {
		case ".csv", ".json", ".xlsx", ".html", ".htm":
		default:
			return fail(usagef("--report %q: want a .csv, .json, .xlsx or .html file", p))
		}
		out, err := atomicfile.Create(p)
		if err != nil {
			return fail(err)
		}
		outs = append(outs, out)
		var sink reportSink
		switch ext {
		case ".csv":
			sink = newCSVReport(out)
		case ".json":
			sink = newJSONReport(out)
		case ".xlsx":
			sink, err = newXLSXReport(out)
		default:
			sink, err = newHTMLReport(out)
		}
		if err != nil {
			return fail(err)
		}
		sinks = append(sinks, sink)
	}
	if len(sinks) == 0 {
		return nil, nil, nil
	}
	return sinks, outs, nil
}

// multiSink hands every result to several reports.
type multiSink []reportSink

func (m multiSink) Write(file string, r *reconcile.Result, dup bool) error {
	for _, s := range m {
		if err := s.Write(file, r, dup); err != nil {
			return err
		}
	}
	return nil
}

func (m multiSink) Close(files []*ledger.ImportResult, total reconcile.Summary) error {
	for _, s := range m {
		if err := s.Close(files, total); err != nil {
			return err
		}
	}
	return nil
}
