package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/due"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/sepa"
)

type collectBuildOptions struct {
	in, creditor, out, version, collectionDate, rejects, messageID string
	fromUBL                                                        []string
	mandates                                                       string
	rollForward                                                    bool
	today                                                          string // the day the batch is sent (tests); default today
	input                                                          inputFlags
	asJSON                                                         bool
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
  batchtool collect build --in due.jsonl --creditor creditor.json --pain-version 001.08 --out batch.xml --rejects rejects.csv
  batchtool collect build --from-ubl invoices/ --mandates mandates.csv --creditor creditor.json --out invoices.xml
  batchtool collect build --in export.csv --encoding cp1252 --collection-date 2026-12-05 --roll-forward --creditor creditor.json --out batch.xml
  erp-export | batchtool collect build --in - --creditor creditor.json --out - > batch.xml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return collectBuild(a, cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.in, "in", "", `due collections, CSV or JSON Lines (.jsonl); "-": standard input`)
	f.StringSliceVar(&o.fromUBL, "from-ubl", nil, "UBL invoices (file, directory or zip; repeatable) to collect by direct debit")
	f.StringVar(&o.mandates, "mandates", "", "with --from-ubl: CSV of mandate_id, signed_on[, sequence_type]")
	f.StringVar(&o.creditor, "creditor", "", "creditor.json: name, iban, bic, creditor_id")
	f.StringVar(&o.out, "out", "", `pain.008 file to write ("-": standard output)`)
	f.StringVar(&o.version, "pain-version", pain008.Version02, "pain.008 version to write: 001.02 or 001.08")
	f.StringVar(&o.collectionDate, "collection-date", "", "requested collection date (YYYY-MM-DD) for rows without one")
	f.StringVar(&o.rejects, "rejects", "", "write bad rows here (CSV with line and reason) and build the batch from the good ones")
	f.StringVar(&o.messageID, "message-id", "", "GrpHdr/MsgId (default: BT + creation time)")
	f.BoolVar(&o.rollForward, "roll-forward", false, "move a collection date that is not a TARGET2 business day to the next one instead of refusing it")
	f.StringVar(&o.today, "today", "", "the day the batch is sent, for the D-1 check (YYYY-MM-DD; default today)")
	f.MarkHidden("today")
	o.input.add(cmd)
	f.BoolVar(&o.asJSON, "json", false, "print what was built as JSON on standard output (the findings stay on standard error)")
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
		return usagef("--pain-version must be %s or %s", pain008.Version02, pain008.Version08)
	}
	dialect, err := o.input.dialect(cmd)
	if err != nil {
		return err
	}
	today := time.Now()
	if o.today != "" {
		if today, err = time.Parse(time.DateOnly, o.today); err != nil {
			return usagef("--today %q: want YYYY-MM-DD", o.today)
		}
	}
	var day time.Time
	if o.collectionDate != "" {
		t, err := time.Parse(time.DateOnly, o.collectionDate)
		if err != nil {
			return usagef("--collection-date %q: want YYYY-MM-DD", o.collectionDate)
		}
		if day, err = sepa.CollectionDay(t, o.rollForward); err != nil {
			return usagef("--collection-date: %v (or give --roll-forward)", err)
		}
		if !day.Equal(t) {
			fmt.Fprintf(a.stderr, "warning: --collection-date %s is not a TARGET2 business day (%s): moved to %s (--roll-forward)\n", o.collectionDate, sepa.Closing(t), day.Format(time.DateOnly))
		}
		if late := sepa.LateSubmission(day, today); late != "" {
			fmt.Fprintf(a.stderr, "warning: --collection-date: %s\n", late)
		}
	}
	if err := checkStdio("output", o.out, o.rejects); err != nil {
		return err
	}
	defer gcPercent(100)() // the default, whatever a caller of collectBuild set: see gcPercent
	res, err := pipeline.Build(pipeline.BuildOptions{Due: o.in, FromUBL: o.fromUBL, Mandates: o.mandates, Creditor: o.creditor, Out: o.out,
		Version: o.version, CollectionDate: day, RollForward: o.rollForward, Today: today, Dialect: dialect, MessageID: o.messageID, Rejects: o.rejects,
		OnFinding: func(f finding.Finding) { fmt.Fprintln(a.stderr, f) },
		Open: func(name string) (io.ReadCloser, error) {
			in, err := a.openInput(name)
			if err != nil {
				return nil, usageError{err} // an unreadable input: exit 2
			}
			return in, nil
		},
		Create: func(name string) (pipeline.Output, error) { return a.createOutput(name) }})
	msg := a.messages(o.out, o.rejects) // the batch on stdout: what was written goes to stderr
	if o.asJSON {
		if msg == a.stderr {
			return usagef("--json prints on standard output, where the batch goes (--out -): give --out a file")
		}
		msg = io.Discard
	}
	var nb *pipeline.NotBuiltError
	if errors.As(err, &nb) {
		writeSkipped(msg, res)
		if o.asJSON {
			if err := writeJSON(a.stdout, buildJSONOf(res, false)); err != nil {
				return err
			}
		}
		return &exitError{code: 1, msg: err.Error()}
	}
	if errors.Is(err, due.ErrNoCollectionDate) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	writeBuildResult(msg, res)
	if o.asJSON {
		if err := writeJSON(a.stdout, buildJSONOf(res, true)); err != nil {
			return err
		}
	}
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

// buildJSON is collect build --json (docs/json.md).
type buildJSON struct {
	Out          string           `json:"out"` // "" when nothing was written
	PainVersion  string           `json:"pain_version"`
	Rows         int              `json:"rows"`
	Rejected     int              `json:"rejected"`
	Skipped      int              `json:"skipped"`
	Transactions int              `json:"transactions"`
	Totals       reconcile.Totals `json:"totals"`
	Rejects      string           `json:"rejects"`
}

func buildJSONOf(r *pipeline.BuildResult, written bool) buildJSON {
	j := buildJSON{Totals: reconcile.Totals{}}
	if r == nil {
		return j
	}
	j.PainVersion, j.Rows, j.Rejected, j.Skipped = r.Version, r.Rows, r.Rejected, r.Skipped
	if written {
		j.Out, j.Transactions, j.Rejects = r.Out, r.Count, r.Rejects
		j.Totals = reconcile.Totals{{Count: r.Count, Amount: decimal.New(r.Cents, -2), Currency: "EUR"}} // a batch is in euro
	}
	return j
}
