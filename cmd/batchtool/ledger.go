package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
)

// envLedger names the ledger file used when --ledger is not given.
const envLedger = "BATCHTOOL_LEDGER"

// defaultLedger is the ledger file used when --ledger is not given:
// $BATCHTOOL_LEDGER, else batchtool.db in the current folder.
func defaultLedger() string {
	if p := os.Getenv(envLedger); p != "" {
		return p
	}
	return "batchtool.db"
}

func newLedgerCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "ledger", Short: "Register open items in the ledger and show what it holds"}
	c.AddCommand(newLedgerAddCmd(a), newLedgerStatusCmd(a), newLedgerCheckCmd(a))
	return c
}

func newLedgerAddCmd(a *app) *cobra.Command {
	var path string
	var acceptErrors, asJSON bool
	var input inputFlags
	cmd := &cobra.Command{
		Use:   "add BATCH.xml|INVOICES...|OPEN-ITEMS.csv|.xlsx [--ledger batchtool.db]",
		Short: "Register a pain.008 batch, UBL invoices or an ERP's open items",
		Long: `add registers what is to be paid: the collections of a pain.008 batch (and
its PmtInf batches), UBL invoices (a file, a directory or a zip), or the
open receivables an ERP exports as CSV or XLSX (.csv, .tsv, .txt, .xlsx:
invoice number, amount, currency, due date and optionally customer,
customer number, IBAN, structured reference and invoice date; header names
in any case, with common synonyms such as "Invoice No.", "Open amount",
"Factuurnummer", "Échéance" — see the README). An open-items CSV is read as
a European spreadsheet writes it (separator found, decimal comma with ';'
and tab, --encoding cp1252 for Excel's "CSV" on Windows).

A ledger that does not exist is created only with --create. Adding the same
batch or invoice again changes nothing. A pain.008 with errors is not added
(unless --accept-errors: a batch the bank already accepted); invoices and
open items with errors are skipped and reported with file, line, column and
rule. Exit code 1 when anything had errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, jsonOut := jsonApp(a, asJSON) // --json: the result on stdout, the lines on stderr
			dialect, err := input.dialect(cmd)
			if err != nil {
				return err
			}
			l, ctx, run, err := openLedgerRun(cmd, path, "ledger add "+strings.Join(args, " "))
			if err != nil {
				return err
			}
			defer l.Close()
			failed := false
			var total ledger.AddResult
			out := addJSON{Paths: []addPathJSON{}}
			for _, name := range args {
				res := pipeline.Register(ctx, l, name, acceptErrors, dialect)
				writeRegistered(a, res)
				failed = failed || res.Failed(acceptErrors)
				out.Paths = append(out.Paths, addPathJSONOf(res))
				if res.Err != nil {
					continue
				}
				total.Added += res.Added
				total.Skipped += res.Skipped
				total.Batches += res.Batches
			}
			if err := l.FinishRun(ctx, run, fmt.Sprintf(`{"added":%d,"skipped":%d,"batches":%d}`, total.Added, total.Skipped, total.Batches)); err != nil {
				return err
			}
			if jsonOut != nil {
				out.Added, out.Skipped, out.Batches = total.Added, total.Skipped, total.Batches
				if err := writeJSON(jsonOut, out); err != nil {
					return err
				}
			}
			if failed {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	cmd.Flags().BoolVar(&acceptErrors, "accept-errors", false, "add a pain.008 even when it has errors (a batch the bank already accepted)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print what was added as JSON on standard output, the findings on standard error")
	input.add(cmd)
	return cmd
}

// addJSON is ledger add --json (docs/json.md).
type addJSON struct {
	Paths   []addPathJSON `json:"paths"`
	Added   int           `json:"added"`
	Skipped int           `json:"skipped"`
	Batches int           `json:"batches"`
}

type addPathJSON struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"` // pain.008, ubl, open items; "" when unreadable
	Added   int    `json:"added"`
	Skipped int    `json:"skipped"`
	Batches int    `json:"batches"`
	Invalid int    `json:"invalid"` // invoices or open items with errors, not added
	Errors  int    `json:"errors"`  // findings of severity error
	Error   string `json:"error"`   // why the path was not added; "" when it was
}

func addPathJSONOf(r *pipeline.Registered) addPathJSON {
	j := addPathJSON{Path: r.Path, Kind: string(r.Kind), Added: r.Added, Skipped: r.Skipped, Batches: r.Batches, Invalid: r.Invalid}
	j.Errors, _ = finding.List(r.Findings).Count()
	if r.Err != nil {
		j.Error = r.Err.Error()
	}
	return j
}

// writeRegistered prints what registering a path did: findings on stderr.
func writeRegistered(a *app, r *pipeline.Registered) {
	for _, f := range r.Findings {
		fmt.Fprintln(a.stderr, f)
	}
	name := safename.Escape(r.Path)
	var f finding.Finding
	switch {
	case errors.As(r.Err, &f):
		fmt.Fprintln(a.stderr, f) // names its file already
	case r.Err != nil:
		fmt.Fprintf(a.stderr, "%s: %s\n", name, safename.EscapeLines(r.Err.Error()))
	case r.Kind == pipeline.FormatPain008:
		fmt.Fprintf(a.stdout, "%s: pain.008: %d collection(s) added, %d already in the ledger, %d new batch(es)\n", name, r.Added, r.Skipped, r.Batches)
	case r.Kind == pipeline.FormatOpenItems:
		fmt.Fprintf(a.stdout, "%s: open items: %d invoice(s) added, %d already in the ledger, %d with errors not added\n", name, r.Added, r.Skipped, r.Invalid)
	default:
		fmt.Fprintf(a.stdout, "%s: UBL: %d invoice(s) added, %d already in the ledger, %d with errors not added\n", name, r.Added, r.Skipped, r.Invalid)
	}
}

// openLedgerRun opens the ledger, takes its run lock and logs the start of
// a command in its run log; the caller closes the ledger, which releases
// the lock.
func openLedgerRun(cmd *cobra.Command, path, command string) (*ledger.DB, context.Context, int64, error) {
	l, err := ledger.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	ctx := contextOf(cmd)
	if err := lockLedger(ctx, l, cmd); err != nil {
		l.Close()
		return nil, nil, 0, err
	}
	run, err := l.BeginRun(ctx, command)
	if err != nil {
		l.Close()
		return nil, nil, 0, err
	}
	return l, ctx, run, nil
}
