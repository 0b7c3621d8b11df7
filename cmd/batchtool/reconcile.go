package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/internal/ziparchive"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
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
	cmd.Annotations = map[string]string{claimsUnits: string(ledger.ClaimStatement)}
	cmd.Flags().StringVar(&path, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	cmd.Flags().StringArrayVar(&reports, "report", nil, "write a report, repeatable: .csv (ERP export, one row per booking), .json, .xlsx or .html")
	cmd.Flags().BoolVar(&acceptErrors, "accept-errors", false, "book files even when their reader reports errors")
	return cmd
}

// reconcilePath books one argument: a statement file, or every member of a
// zip of statements (each member is a file of its own, named zip!member).
func reconcilePath(ctx context.Context, l *ledger.DB, name string, run int64, acceptErrors bool, rep *report.Files) ([]*ledger.ImportResult, error) {
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
func reconcileOne(ctx context.Context, l *ledger.DB, name string, open func() (io.ReadCloser, error), run int64, acceptErrors bool, rep *report.Files) (*ledger.ImportResult, error) {
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
