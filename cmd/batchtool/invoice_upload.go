package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/statement"
)

// invoiceUploadRow is one file of `batchtool invoice upload`, as JSON.
type invoiceUploadRow pipeline.InvoiceUpload

// MarshalJSON writes the row by batchtool's one JSON rule: the platform's
// invoice in our own field names, its amount as a string beside its
// currency, dates as YYYY-MM-DD, findings never null.
func (r invoiceUploadRow) MarshalJSON() ([]byte, error) {
	type platform struct {
		ID       string `json:"id"`
		State    string `json:"state,omitempty"`
		Amount   string `json:"amount,omitempty"`
		Currency string `json:"currency,omitempty"`
		Date     string `json:"date,omitempty"`
		DueDate  string `json:"due_date,omitempty"`
		URL      string `json:"url,omitempty"`
	}
	type plain struct {
		File     string `json:"file"`
		Number   string `json:"number,omitempty"`
		Payable  string `json:"payable,omitempty"`
		Currency string `json:"currency,omitempty"`
		Status   string `json:"status"` // uploaded, skipped (local errors), failed (platform)
		Message  string `json:"message,omitempty"`
	}
	out := struct {
		plain
		Platform *platform         `json:"platform,omitempty"`
		Findings []finding.Finding `json:"findings"`
	}{plain: plain{r.File, r.Number, r.Payable, r.Currency, r.Status, r.Message}, Findings: r.Findings}
	if out.Findings == nil {
		out.Findings = []finding.Finding{}
	}
	if p := r.Platform; p != nil {
		out.Platform = &platform{ID: p.ID, State: p.State, Date: dateText(p.Date.Time), DueDate: dateText(p.DueDate.Time), URL: p.URL}
		if p.State != "" { // an invoice the platform answered for, not only a reference from the ledger
			out.Platform.Amount, out.Platform.Currency = statement.FormatAmount(p.Amount, r.Currency), r.Currency
		}
	}
	return json.Marshal(out)
}

func newInvoiceUploadCmd(a *app) *cobra.Command {
	var (
		pf         platformFlags
		manual     bool
		asJSON     bool
		ledgerPath string
	)
	cmd := &cobra.Command{
		Use:   "upload DIR|ZIP|FILE...",
		Short: "Check UBL invoices and upload the clean ones to the platform",
		Long: `upload runs the same checks as 'invoice check' on every UBL invoice and credit
note in the files, directories and zip files given, uploads only those without
errors (POST /creditor/invoice/ubl) and prints one row per file: uploaded,
skipped (with its findings) or failed (with the platform's error).
The ledger (--ledger) remembers every uploaded invoice: the same file again is
reported as already uploaded and not sent; another file with an invoice
number already uploaded is skipped for a person to look at.
It exits 1 when any file was skipped or failed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ctx, cancel, err := pf.client(a, cmd.Context())
			if err != nil {
				return err
			}
			defer cancel()
			l, err := ledger.Open(ledgerPath)
			if err != nil {
				return err
			}
			defer l.Close()
			if err := lockLedger(ctx, l, cmd); err != nil {
				return err
			}
			rows := pipeline.UploadInvoices(ctx, c, l, args, manual)
			if len(rows) == 0 {
				return usagef("no UBL files (*.xml, *.zip) found in %v", args)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				out := make([]invoiceUploadRow, len(rows))
				for i, r := range rows {
					out[i] = invoiceUploadRow(r)
				}
				enc.Encode(out)
			} else {
				writeInvoiceUploadTable(safename.NewWriter(a.stdout), rows)
			}
			if rows.Failed() {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	pf.register(cmd.Flags())
	cmd.Flags().BoolVar(&manual, "manual", false, "X-MANUAL: the platform does not collect these invoices automatically")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the rows as JSON")
	cmd.Flags().StringVar(&ledgerPath, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+"): what was uploaded before")
	return cmd
}

func writeInvoiceUploadTable(w io.Writer, rows pipeline.InvoiceUploads) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tNUMBER\tPAYABLE\tSTATUS\tPLATFORM ID\tSTATE")
	counts := map[string]int{}
	for _, r := range rows {
		id, state := "-", "-"
		if r.Platform != nil {
			id, state = r.Platform.ID, r.Platform.State
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safename.Escape(r.File), orDash(r.Number), orDash(r.Payable), r.Status, id, state)
		counts[r.Status]++
	}
	tw.Flush()
	fmt.Fprintf(w, "%d file(s): %d uploaded, %d skipped, %d failed", len(rows), counts["uploaded"], counts["skipped"], counts["failed"])
	if n := counts["already uploaded"]; n > 0 {
		fmt.Fprintf(w, ", %d already uploaded", n)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		if r.Status == "uploaded" {
			continue
		}
		fmt.Fprintf(w, "%s: %s\n", safename.Escape(r.File), safename.Escape(r.Message))
		for _, f := range r.Findings {
			if f.Severity == finding.Error {
				fmt.Fprintf(w, "  %s\n", f)
			}
		}
	}
}
