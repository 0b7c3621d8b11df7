package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/report"
	"github.com/batchtool/batchtool/pkg/statement"
)

func newReconcileCmd(a *app) *cobra.Command {
	var path string
	var reports []string
	var acceptErrors, asJSON bool
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
Exit code 1 when a file had errors, or when lines are left unmatched or
ambiguous (they need a person); 2 when a file cannot be read or is no
statement; 0 only when every line was matched or returned.`,
		Example: `  batchtool reconcile inbox/camt/*.xml --ledger batchtool.db
  batchtool reconcile statement.xml statement.cod --report reconcile.csv --report reconcile.html
  batchtool reconcile files.zip --ledger postgres://batch@db.internal/ledger?sslmode=verify-full`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := openReports(reports)
			if err != nil {
				return err
			}
			defer rep.Abort()
			a, w, err := jsonReportApp(a, rep, asJSON) // --json: the JSON report on stdout, the text on stderr
			if err != nil {
				return err
			}
			l, ctx, run, err := openLedgerRun(cmd, path, "reconcile "+strings.Join(args, " "))
			if err != nil {
				return err
			}
			defer l.Close()
			if err := checkStdio("input", args...); err != nil {
				return err
			}
			open, done, err := a.spoolStdin(args)
			if err != nil {
				return err
			}
			defer done()
			start, size := time.Now(), inputSize(args)
			p := a.newProgress("reconcile", size)
			defer p.finish()
			opt := pipeline.ReconcileOptions{RunID: run, AcceptErrors: acceptErrors, Reading: p.reader, Open: open}
			if w != nil {
				opt.OnResult = w.Write
			}
			res, err := pipeline.Reconcile(ctx, l, args, opt)
			p.finish()
			if err != nil {
				return err
			}
			unreadableInput := false
			for i, f := range res.Files {
				var ns *pipeline.NotStatementError
				switch {
				case errors.As(f.Err, &ns):
					what := inspect.Foreign(ns.Head)
					if what == "" {
						what = "not a statement"
					}
					res.Files[i].Err = &inspect.Unreadable{Name: ns.Name, What: "is " + what + ": reconcile reads camt.052/.053/.054 and CODA statements"}
					unreadableInput = true
				case errors.Is(f.Err, fs.ErrNotExist), errors.Is(f.Err, fs.ErrPermission):
					unreadableInput = true
				}
			}
			a.verboseDone("reconcile", start, size)
			writeReconcileResult(a, res)
			failed, total, results := res.Failed(), res.Total, res.Booked()
			sumJSON, _ := json.Marshal(total)
			if err := l.FinishRun(ctx, run, string(sumJSON)); err != nil {
				return err
			}
			if w != nil {
				if err := w.Close(report.Run{Kind: report.Reconciliation, Files: results, Summary: total}); err != nil {
					return err
				}
			}
			if rep != nil {
				if failed {
					fmt.Fprintf(a.stderr, "batchtool: %s not written: not every file was read\n", strings.Join(reports, ", "))
				} else {
					if err := rep.Commit(); err != nil {
						return err
					}
					for _, p := range reports {
						fmt.Fprintf(a.stdout, "report: %s\n", p)
					}
				}
			}
			if unreadableInput {
				return &exitError{code: 2}
			}
			if failed {
				return &exitError{code: 1}
			}
			// Lines left unmatched or ambiguous need a person: exit 1, as
			// nightly does, by the one exit-code rule.
			if attend := total.NeedsPerson(); len(attend) > 0 {
				return &exitError{code: 1, msg: strings.Join(attend, ", ") + ": they need a person"}
			}
			return nil
		},
	}
	// Each statement file is claimed: workers sharing a PostgreSQL ledger
	// split them (see lockLedger).
	cmd.Annotations = map[string]string{claimsUnits: "statement"} // ledger.ClaimStatement
	cmd.Flags().StringVar(&path, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	cmd.Flags().StringArrayVar(&reports, "report", nil, "write a report, repeatable: .csv (ERP export, one row per booking), .json, .xlsx or .html")
	cmd.Flags().BoolVar(&acceptErrors, "accept-errors", false, "book files even when their reader reports errors")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON (the shape of the .json report) on standard output, the text on standard error")
	return cmd
}

// writeReconcileResult prints each file's bookings (its findings and
// errors on stderr) and the totals.
func writeReconcileResult(a *app, res *pipeline.ReconcileResult) {
	for _, f := range res.Files {
		if r := f.Import; r != nil {
			for _, fd := range r.Findings {
				fmt.Fprintln(a.stderr, fd)
			}
			switch {
			case f.Err != nil:
			case r.ClaimedBy != "":
				fmt.Fprintf(a.stdout, "%s: being imported by worker %s (lease until %s): left to it, nothing changed here\n",
					safename.Escape(r.File.Name), r.ClaimedBy, r.ClaimExpires.Format(time.RFC3339))
			case r.AlreadyImported:
				fmt.Fprintf(a.stdout, "%s: already imported as %s on %s: nothing changed\n", safename.Escape(r.File.Name), safename.Escape(r.PreviousName), r.PreviousAt)
			default:
				fmt.Fprintf(a.stdout, "%s: %s, %d entries booked, %d duplicate(s) of lines already booked skipped (%s)\n",
					safename.Escape(r.File.Name), r.File.Format, r.Entries-r.Duplicates-r.Pending, r.Duplicates, r.DuplicateTotal)
				if r.Pending > 0 {
					fmt.Fprintf(a.stdout, "%s: %d pending entries not booked (%s): they are booked when the statement brings them\n",
						safename.Escape(r.File.Name), r.Pending, r.PendingTotal)
				}
			}
		}
		if f.Err != nil {
			fmt.Fprintf(a.stderr, "batchtool: %v\n", f.Err)
		}
	}
	res.Total.WriteText(a.stdout)
	for _, t := range res.Duplicates {
		fmt.Fprintf(a.stdout, "  %-26s %7d %20s  (skipped: already booked)\n", "duplicates", t.Count,
			statement.FormatAmount(t.Amount, t.Currency)+" "+t.Currency)
	}
}

// openReports starts writing a report to each --report file (each put in
// place by Commit when the run has read everything); nil when there are
// none.
func openReports(paths []string) (*report.Files, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	for _, p := range paths {
		if _, err := report.FormatOf(p); err != nil {
			return nil, usagef("--report %v", err)
		}
	}
	return report.Create(paths...)
}
