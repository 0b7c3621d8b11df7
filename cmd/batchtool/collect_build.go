package main

import (
	"errors"
	"fmt"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
)

type collectBuildOptions struct {
	in, creditor, out, version, collectionDate, rejects, messageID string
	fromUBL                                                        []string
	mandates                                                       string
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
a bad row.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return collectBuild(a, o) },
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
	return cmd
}

func collectBuild(a *app, o collectBuildOptions) error {
	if (o.in == "") == (len(o.fromUBL) == 0) || o.creditor == "" || o.out == "" {
		return usagef("--in or --from-ubl, --creditor and --out are required")
	}
	if len(o.fromUBL) > 0 && o.mandates == "" {
		return usagef("--from-ubl needs --mandates (UBL does not carry the mandate's signature date)")
	}
	if o.version != pain008.Version02 && o.version != pain008.Version08 {
		return usagef("--version must be %s or %s", pain008.Version02, pain008.Version08)
	}
	var day time.Time
	if o.collectionDate != "" {
		t, err := time.Parse(time.DateOnly, o.collectionDate)
		if err != nil {
			return usagef("--collection-date %q: want YYYY-MM-DD", o.collectionDate)
		}
		day = t
	}
	res, err := pipeline.Build(pipeline.BuildOptions{Due: o.in, FromUBL: o.fromUBL, Mandates: o.mandates, Creditor: o.creditor, Out: o.out,
		Version: o.version, CollectionDate: day, MessageID: o.messageID, Rejects: o.rejects,
		OnFinding: func(f finding.Finding) { fmt.Fprintln(a.stderr, f) }})
	var nb *pipeline.NotBuiltError
	if errors.As(err, &nb) {
		writeSkipped(a.stdout, res)
		return &exitError{code: 1, msg: err.Error()}
	}
	if err != nil {
		return err
	}
	writeBuildResult(a.stdout, res)
	if res.Rejected > 0 {
		return &exitError{code: 1}
	}
	return nil
}

func writeSkipped(w io.Writer, r *pipeline.BuildResult) {
	if r != nil && r.Skipped > 0 {
		fmt.Fprintf(w, "%d invoice(s) skipped: credit notes or not paid by direct debit\n", r.Skipped)
	}
}

// writeBuildResult prints what a build wrote.
func writeBuildResult(w io.Writer, r *pipeline.BuildResult) {
	if r == nil {
		return
	}
	writeSkipped(w, r)
	fmt.Fprintf(w, "%s: %d transactions, total %s EUR (pain.008.%s)\n", r.Out, r.Count, r.Total(), r.Version)
	if r.Rejects != "" {
		fmt.Fprintf(w, "%s: %d rejected rows\n", r.Rejects, r.Rejected)
	}
}
