package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/batchtool/batchtool/pkg/pipeline"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/ubl"
)

// invoiceRow is one file of `batchtool invoice check`.
type invoiceRow = pipeline.InvoiceCheck

func newInvoiceCheckCmd(a *app) *cobra.Command {
	var asJSON, quiet bool
	cmd := &cobra.Command{
		Use:   "check DIR|ZIP|FILE...",
		Short: "Check UBL invoices: EN 16931 arithmetic, platform mapping, direct debit",
		Long: `check reads every UBL 2.1 invoice and credit note in the files, directories
(*.xml, *.zip, recursively) and zip files given, applies the EN 16931 rules and
the platform's field mapping, and prints one row per file (file, number,
customer, payable, currency, errors, warnings) followed by every finding.
It exits 1 when any file has an error, 0 otherwise.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var rows []invoiceRow
			for _, p := range args {
				err := ubl.Walk(p, func(name string, r io.Reader) error {
					rows = append(rows, pipeline.CheckInvoice(name, r))
					return nil
				})
				errs := []error{err}
				if j, ok := err.(interface{ Unwrap() []error }); ok {
					errs = j.Unwrap()
				}
				for _, e := range errs {
					if e != nil {
						rows = append(rows, invoiceRow{File: p, Errors: 1, Findings: []finding.Finding{inspect.ErrorFinding(p, e)}})
					}
				}
			}
			if len(rows) == 0 {
				return usagef("no UBL files (*.xml, *.zip) found in %v", args)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rows); err != nil {
					return err
				}
			} else {
				writeInvoiceTable(safename.NewWriter(a.stdout), rows, quiet)
			}
			for _, r := range rows {
				if r.Errors > 0 {
					return &exitError{code: 1}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the rows and findings as JSON")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print the table only, not the findings")
	return cmd
}

func writeInvoiceTable(w io.Writer, rows []invoiceRow, quiet bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tNUMBER\tCUSTOMER\tCUSTOMER NO\tPAYABLE\tCURRENCY\tERRORS\tWARNINGS")
	sums := map[string]decimal.Decimal{}
	bad := 0
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", safename.Escape(r.File), orDash(r.Number), orDash(clip(r.Customer, 30)),
			orDash(r.CustomerNumber), orDash(r.Payable), orDash(r.Currency), r.Errors, r.Warnings)
		if r.Errors > 0 {
			bad++
			continue
		}
		if d, err := decimal.NewFromString(r.Payable); err == nil {
			if r.Credit {
				d = d.Abs().Neg()
			}
			sums[r.Currency] = sums[r.Currency].Add(d)
		}
	}
	tw.Flush()
	var cur []string
	for c := range sums {
		cur = append(cur, c)
	}
	sort.Strings(cur)
	fmt.Fprintf(w, "%d file(s), %d with errors", len(rows), bad)
	for _, c := range cur {
		fmt.Fprintf(w, "; payable %s %s", sums[c].StringFixed(2), orDash(c))
	}
	fmt.Fprintln(w, " (files without errors; credit notes count negative)")
	if quiet {
		return
	}
	for _, r := range rows {
		for _, f := range r.Findings {
			fmt.Fprintf(w, "%s\n", f)
		}
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
