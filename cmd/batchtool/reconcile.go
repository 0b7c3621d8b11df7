package main

import (
	"encoding/json"
	"fmt"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/report"
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
			rep, err := openReports(reports)
			if err != nil {
				return err
			}
			defer rep.Abort()
			l, ctx, run, err := openLedgerRun(cmd, path, "reconcile "+strings.Join(args, " "))
			if err != nil {
				return err
			}
			defer l.Close()
			opt := pipeline.ReconcileOptions{RunID: run, AcceptErrors: acceptErrors}
			if rep != nil {
				opt.OnResult = rep.Write
			}
			res, err := pipeline.Reconcile(ctx, l, args, opt)
			if err != nil {
				return err
			}
			writeReconcileResult(a, res)
			failed, total, results := res.Failed(), res.Total, res.Booked()
			sumJSON, _ := json.Marshal(total)
			if err := l.FinishRun(ctx, run, string(sumJSON)); err != nil {
				return err
			}
			if rep != nil {
				if err := rep.Close(report.Run{Kind: report.Reconciliation, Files: results, Summary: total}); err != nil {
					return err
				}
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
			if failed {
				return &exitError{code: 1}
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
