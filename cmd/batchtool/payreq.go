package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/report"
)

func newPayreqCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "payreq", Short: "Payment requests (Tikkie, Tinka) for what direct debit did not collect"}
	c.AddCommand(newPayreqCreateCmd(a), newPayreqSyncCmd(a))
	return c
}

// payreqFlags are what both payreq commands share.
type payreqFlags struct {
	ledger  string
	config  string
	timeout time.Duration
}

func (p *payreqFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.ledger, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	cmd.Flags().StringVar(&p.config, "config", "", "batchtool.toml holding a [payreq] table (provider settings; the environment wins)")
	cmd.Flags().DurationVar(&p.timeout, "timeout", 10*time.Minute, "give up on the whole command after this long")
}

func (p *payreqFlags) load() (*pipeline.PayreqConfig, error) {
	if p.config == "" {
		return &pipeline.PayreqConfig{}, nil
	}
	c, err := pipeline.LoadConfig(p.config)
	if err != nil {
		return nil, usageError{err}
	}
	return &c.Payreq, nil
}

// newRequester is pipeline.NewRequester; a setting missing is a usage error.
func newRequester(provider string, c *pipeline.PayreqConfig) (pipeline.Requester, error) {
	r, err := pipeline.NewRequester(provider, c, version, nil)
	if err != nil {
		return nil, usageError{err}
	}
	return r, nil
}

func newPayreqCreateCmd(a *app) *cobra.Command {
	var (
		f                     payreqFlags
		provider, links, asOf string
		fromLedger, dryRun    bool
		asJSON                bool
		reasons               []string
		overdue               string
	)
	cmd := &cobra.Command{
		Use:   "create --provider tikkie|tinka --from-ledger [--reason AC04,MD06] [--overdue 14d] [--links links.csv]",
		Short: "Send payment requests for returned collections and overdue invoices",
		Long: `create sends one payment request per unpaid item in the ledger:

  - collections that came back with a final return reason (--reason; by
    default ` + strings.Join(pipeline.FinalReasons, ", ") + `: a second
    collection would not fix them; "all" for every return, "none" for no
    collections), for the collected amount;
  - invoices open or partly paid --overdue days after their due date (default
    14d; "none" for no invoices), for the open remainder.

An item that already has an open request, or was paid through one, is
skipped: running create again sends nothing new. Each request is recorded in
the ledger before it is sent; a run that stopped between sending and
recording (network, crash, kill) finds the request at the provider next time
instead of sending a second one, and lists its link as new. Tikkie requests are sent with the item's
key (invoice number or end-to-end id) as externalId, Tinka requests as
instalment credit (paymentMethod Credit) with it as transactionId.

--links writes every open request of the provider, the new ones marked,
as CSV for finance to send: item, customer, amount, link. --dry-run lists
what would be sent, each request checked, and sends and records nothing.
Exit code 1 when a request was refused or could not be sent.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a, jsonOut := jsonApp(a, asJSON) // --json: the result on stdout, the lines on stderr
			if !fromLedger {
				return usagef("--from-ledger is required: payment requests are made for the ledger's unpaid items")
			}
			cfg, err := f.load()
			if err != nil {
				return err
			}
			if provider == "" {
				provider = cfg.Provider
			}
			today := time.Now().UTC()
			if asOf != "" {
				if today, err = time.Parse(time.DateOnly, asOf); err != nil {
					return usagef("--as-of %q: want YYYY-MM-DD", asOf)
				}
			}
			if !cmd.Flags().Changed("reason") && len(cfg.Reasons) > 0 {
				reasons = cfg.Reasons
			}
			if !cmd.Flags().Changed("overdue") && cfg.Overdue != "" {
				overdue = cfg.Overdue
			}
			sel, err := pipeline.Selection(reasons, overdue, today)
			if err != nil {
				return usagef("--%v", err)
			}
			if dryRun {
				r, err := pipeline.CheckOnlyRequester(provider, cfg) // no credentials needed: nothing is sent
				if err != nil {
					return usageError{err}
				}
				l, err := ledger.OpenExisting(f.ledger)
				if err != nil {
					return err
				}
				defer l.Close()
				res, err := pipeline.PreviewRequests(contextOf(cmd), l, r, sel)
				if res != nil {
					writeCreateResult(a, res, true)
					if jsonOut != nil {
						if werr := writeJSON(jsonOut, createJSONOf(res)); werr != nil && err == nil {
							err = werr
						}
					}
				}
				if err == nil && res != nil && res.Refused > 0 {
					err = &exitError{code: 1}
				}
				return err
			}
			r, err := newRequester(provider, cfg)
			if err != nil {
				return err
			}
			l, ctx, run, err := openLedgerRun(cmd, f.ledger, "payreq create --provider "+provider)
			if err != nil {
				return err
			}
			defer l.Close()
			ctx, cancel := context.WithTimeout(ctx, f.timeout)
			defer cancel()
			res, err := pipeline.CreateRequests(ctx, l, r, sel, run)
			if err == nil {
				writeCreateResult(a, res, false)
			}
			if links != "" && res != nil {
				if _, lerr := pipeline.WriteLinks(ctx, l, r.Name(), run, links); lerr != nil {
					return lerr
				}
				fmt.Fprintf(a.stdout, "links: %s\n", links)
			}
			if jsonOut != nil && res != nil {
				if werr := writeJSON(jsonOut, createJSONOf(res)); werr != nil && err == nil {
					err = werr
				}
			}
			sum, _ := json.Marshal(res)
			if ferr := l.FinishRun(context.Background(), run, string(sum)); ferr != nil && err == nil {
				err = ferr
			}
			if err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			if res.Refused > 0 || res.Failed > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&provider, "provider", "", "tikkie or tinka (default [payreq] provider)")
	cmd.Flags().BoolVar(&fromLedger, "from-ledger", false, "request the ledger's unpaid items (required: the only source)")
	cmd.Flags().StringSliceVar(&reasons, "reason", pipeline.FinalReasons, "return reasons to request collections for; all, or none")
	cmd.Flags().StringVar(&overdue, "overdue", "14d", "request invoices this many days past their due date; none for no invoices")
	cmd.Flags().StringVar(&links, "links", "", "write the open requests and their links as CSV")
	cmd.Flags().StringVar(&asOf, "as-of", "", "take this day (YYYY-MM-DD) as today for --overdue")
	cmd.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "list what would be sent, checked, and send and record nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON on standard output, the requests' lines on standard error")
	return cmd
}

// writeCreateResult prints the requests sent (or, in a dry run, that
// would be), the problems on stderr, and the counts.
func writeCreateResult(a *app, res *pipeline.CreateResult, dryRun bool) {
	for _, pr := range res.Sent {
		if dryRun {
			fmt.Fprintf(a.stdout, "%-10s %-24s %12s %s  %s, %s\n", pr.ItemKind, pr.ItemKey, pr.Amount.StringFixed(2), pr.Currency, pr.Reason, pr.Name)
		} else {
			fmt.Fprintf(a.stdout, "%-10s %-24s %12s %s  %s\n", pr.ItemKind, pr.ItemKey, pr.Amount.StringFixed(2), pr.Currency, pr.URL)
		}
	}
	for _, p := range res.Problems {
		fmt.Fprintln(a.stderr, p)
	}
	if dryRun {
		fmt.Fprintf(a.stdout, "%s: %d payment request(s) would be sent (%s), %d refused; dry run: nothing sent or recorded\n",
			res.Provider, res.Created, res.Amount, res.Refused)
		return
	}
	fmt.Fprintf(a.stdout, "%s: %d payment request(s) created (%s), %d recovered from an earlier run, %d skipped, %d refused\n",
		res.Provider, res.Created, res.Amount, res.Recovered, res.Skipped, res.Refused)
}

func newPayreqSyncCmd(a *app) *cobra.Command {
	var (
		f        payreqFlags
		provider string
		reports  []string
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "sync [--provider tikkie|tinka] [--report payments.csv|.json|.xlsx|.html]...",
		Short: "Fetch the state of open payment requests and book the paid ones",
		Long: `sync asks the provider what became of every open payment request in the
ledger (Tikkie: the user's requests, every page; Tinka: each request's
decision) and books the paid ones against their items: a returned collection
becomes paid, an invoice's open remainder goes down by the amount paid. An
accepted Tinka credit counts as paid (Tinka pays the merchant). Expired,
rejected or cancelled requests are closed; their items can be requested again.
A request is booked once, however often sync runs.

--report (repeatable) writes the bookings in the reconcile report formats,
with rule payment-request. Without --provider every provider with open
requests is synced.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.load()
			if err != nil {
				return err
			}
			rep, err := openReports(reports)
			if err != nil {
				return err
			}
			defer rep.Abort()
			a, w, err := jsonReportApp(a, rep, asJSON) // --json: the JSON report on stdout, the text on stderr
			if err != nil {
				return err
			}
			l, ctx, run, err := openLedgerRun(cmd, f.ledger, "payreq sync")
			if err != nil {
				return err
			}
			defer l.Close()
			ctx, cancel := context.WithTimeout(ctx, f.timeout)
			defer cancel()
			providers := []string{pipeline.Tikkie, pipeline.Tinka}
			if provider != "" {
				providers = []string{provider}
			}
			var onBooked func(string, *reconcile.Result, bool) error
			if w != nil {
				onBooked = w.Write
			}
			results, total, failed := pipeline.Sync(ctx, l, providers, func(p string) (pipeline.Requester, error) { return newRequester(p, cfg) }, onBooked)
			for _, r := range results {
				if r.Open > 0 {
					writeSyncResult(a.stdout, r)
				} else if provider != "" {
					fmt.Fprintf(a.stdout, "%s: no open payment requests\n", r.Provider)
				}
			}
			sum, _ := json.Marshal(total)
			if err := l.FinishRun(context.Background(), run, string(sum)); err != nil {
				return err
			}
			// Every booking is committed on its own: the reports list what
			// was booked even when a provider could not be reached.
			if w != nil {
				if err := w.Close(report.Run{Kind: report.Payments, Summary: total}); err != nil {
					return err
				}
			}
			if rep != nil {
				if err := rep.Commit(); err != nil {
					return err
				}
				for _, p := range reports {
					fmt.Fprintf(a.stdout, "report: %s\n", p)
				}
			}
			if failed != nil {
				return &exitError{code: 1, msg: failed.Error()}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&provider, "provider", "", "tikkie or tinka (default: every provider with open requests)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the bookings as JSON (the shape of the .json report) on standard output, the text on standard error")
	cmd.Flags().StringArrayVar(&reports, "report", nil, "write the bookings as a report, repeatable: .csv, .json, .xlsx or .html")
	return cmd
}

// writeSyncResult prints what became of a provider's open requests.
func writeSyncResult(w io.Writer, r *pipeline.SyncResult) {
	for _, c := range r.Changes {
		pr := c.Request
		switch c.Event {
		case pipeline.SyncClosed:
			fmt.Fprintf(w, "%-10s %-24s %12s %s  %s: %s\n", pr.ItemKind, pr.ItemKey, pr.Amount.StringFixed(2), pr.Currency, c.Status, c.Note)
		case pipeline.SyncBookedAlready:
			fmt.Fprintf(w, "%-10s %-24s %12s %s  booked already\n", pr.ItemKind, pr.ItemKey, c.Paid.Amount.StringFixed(2), pr.Currency)
		case pipeline.SyncPaid:
			fmt.Fprintf(w, "%-10s %-24s %12s %s  paid by %s: %s %s\n", pr.ItemKind, pr.ItemKey, c.Paid.Amount.StringFixed(2), pr.Currency, c.Paid.Payer, pr.ItemKind, c.Status)
		}
	}
	for _, c := range r.Changes {
		if pr := c.Request; c.Event == pipeline.SyncPaidOtherwise {
			fmt.Fprintf(w, "%-10s %-24s %12s %s  paid otherwise: the %s link is still open; withdraw it so it is not paid twice\n",
				pr.ItemKind, pr.ItemKey, pr.Amount.StringFixed(2), pr.Currency, r.Provider)
		}
	}
	fmt.Fprintf(w, "%s: %d paid and booked (%s), %d closed unpaid, %d still open", r.Provider, r.Paid, r.PaidSum, r.Closed, r.StillOpen)
	if r.Otherwise > 0 {
		fmt.Fprintf(w, " (%d of them paid otherwise)", r.Otherwise)
	}
	fmt.Fprintln(w)
}
