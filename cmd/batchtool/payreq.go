package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/pkg/ledger"
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

func (p *payreqFlags) load() (*payreqConfig, error) {
	if p.config == "" {
		return &payreqConfig{}, nil
	}
	c, err := loadNightlyConfig(p.config)
	if err != nil {
		return nil, usageError{err}
	}
	pc := c.Payreq
	pc.Tikkie.KeyFile = c.path(pc.Tikkie.KeyFile)
	pc.Tinka.PasswordFile = c.path(pc.Tinka.PasswordFile)
	pc.Tinka.SecretFile = c.path(pc.Tinka.SecretFile)
	return &pc, nil
}

// parseDays reads "14d", "0d" or a Go duration in whole days.
func parseDays(s string) (int, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d >= 0 {
			return d, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 && d%(24*time.Hour) == 0 {
		return int(d / (24 * time.Hour)), nil
	}
	return 0, fmt.Errorf("%q is not a number of days such as 14d", s)
}

func newPayreqCreateCmd(a *app) *cobra.Command {
	var (
		f                     payreqFlags
		provider, links, asOf string
		fromLedger, dryRun    bool
		reasons               []string
		overdue               string
	)
	cmd := &cobra.Command{
		Use:   "create --provider tikkie|tinka --from-ledger [--reason AC04,MD06] [--overdue 14d] [--links links.csv]",
		Short: "Send payment requests for returned collections and overdue invoices",
		Long: `create sends one payment request per unpaid item in the ledger:

  - collections that came back with a final return reason (--reason; by
    default ` + strings.Join(finalReasons, ", ") + `: a second
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
			sel := ledger.UnpaidSelection{Collections: true, Invoices: true}
			if !cmd.Flags().Changed("reason") && len(cfg.Reasons) > 0 {
				reasons = cfg.Reasons
			}
			switch strings.ToLower(strings.Join(reasons, ",")) {
			case "all":
			case "none":
				sel.Collections = false
			default:
				for _, r := range reasons {
					sel.Reasons = append(sel.Reasons, strings.ToUpper(strings.TrimSpace(r)))
				}
			}
			if !cmd.Flags().Changed("overdue") && cfg.Overdue != "" {
				overdue = cfg.Overdue
			}
			if overdue == "none" {
				sel.Invoices = false
			} else {
				days, err := parseDays(overdue)
				if err != nil {
					return usagef("--overdue: %v", err)
				}
				y, m, d := today.Date()
				sel.DueBefore = time.Date(y, m, d-days+1, 0, 0, 0, 0, time.UTC)
			}
			r, err := newRequester(provider, cfg, nil)
			if err != nil {
				return err
			}
			if dryRun {
				l, err := ledger.Open(f.ledger)
				if err != nil {
					return err
				}
				defer l.Close()
				res, err := previewRequests(cmd.Context(), a, l, r, sel)
				if err == nil && res.Refused > 0 {
					err = &exitError{code: 1}
				}
				return err
			}
			l, ctx, run, err := openLedgerRun(cmd, f.ledger, "payreq create --provider "+provider)
			if err != nil {
				return err
			}
			defer l.Close()
			ctx, cancel := context.WithTimeout(ctx, f.timeout)
			defer cancel()
			res, err := createRequests(ctx, a, l, r, sel, run)
			if links != "" && res != nil {
				if lerr := writeLinks(ctx, l, r.name(), run, links); lerr != nil {
					return lerr
				}
				fmt.Fprintf(a.stdout, "links: %s\n", links)
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
	cmd.Flags().StringSliceVar(&reasons, "reason", finalReasons, "return reasons to request collections for; all, or none")
	cmd.Flags().StringVar(&overdue, "overdue", "14d", "request invoices this many days past their due date; none for no invoices")
	cmd.Flags().StringVar(&links, "links", "", "write the open requests and their links as CSV")
	cmd.Flags().StringVar(&asOf, "as-of", "", "take this day (YYYY-MM-DD) as today for --overdue")
	cmd.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "list what would be sent, checked, and send and record nothing")
	return cmd
}

// createResult counts what create did.
type createResult struct {
	Provider  string           `json:"provider"`
	Created   int              `json:"created"`
	Amount    reconcile.Totals `json:"amount"`    // one per currency
	Recovered int              `json:"recovered"` // pending records found at the provider
	Skipped   int              `json:"skipped"`   // another request holds the item or its id
	Refused   int              `json:"refused"`   // checked and not sent, or refused by the provider
	Failed    int              `json:"failed"`    // could not be sent; stays pending
}

// createRequests takes over what earlier runs left unfinished and
// recovers their pending requests, then requests every unpaid item. The
// caller holds the run lock: whatever another run left is a dead run's.
func createRequests(ctx context.Context, a *app, l *ledger.DB, r requester, sel ledger.UnpaidSelection, run int64) (*createResult, error) {
	c := &requestRun{ctx: ctx, a: a, l: l, r: r, res: &createResult{Provider: r.name()}}
	if _, err := l.AdoptPaymentRequests(ctx, r.name(), run); err != nil {
		return c.res, err
	}
	if err := c.recoverPending(); err != nil {
		return c.res, err
	}
	if err := c.requestUnpaid(sel, run); err != nil {
		return c.res, err
	}
	fmt.Fprintf(a.stdout, "%s: %d payment request(s) created (%s), %d recovered from an earlier run, %d skipped, %d refused\n",
		r.name(), c.res.Created, c.res.Amount, c.res.Recovered, c.res.Skipped, c.res.Refused)
	return c.res, nil
}

// requestRun is one payreq create: where it sends, what it records, what
// it did.
type requestRun struct {
	ctx context.Context
	a   *app
	l   *ledger.DB
	r   requester
	res *createResult
}

// send makes the call for a recorded request and records its answer; false
// when the provider refused it for good (the record is closed as failed).
// Any other error leaves the record pending and stops the run.
func (c *requestRun) send(pr *ledger.PaymentRequest, call func(context.Context) (string, string, error)) (bool, error) {
	ref, link, err := call(c.ctx)
	if err != nil {
		if permanent(err) {
			c.res.Refused++
			fmt.Fprintf(c.a.stderr, "%s %s %s: refused by %s: %v\n", pr.ItemKind, pr.ItemKey, pr.Amount.StringFixed(2), c.r.name(), err)
			return false, c.l.ClosePaymentRequest(c.ctx, pr.ID, ledger.RequestFailed, err.Error())
		}
		c.res.Failed++
		return false, fmt.Errorf("%s %s: %w (recorded as pending: the next run looks it up before sending anything)", pr.ItemKind, pr.ItemKey, err)
	}
	if err := c.l.MarkPaymentRequestSent(c.ctx, pr.ID, ref, link); err != nil {
		return false, err
	}
	fmt.Fprintf(c.a.stdout, "%-10s %-24s %12s %s  %s\n", pr.ItemKind, pr.ItemKey, pr.Amount.StringFixed(2), pr.Currency, link)
	return true, nil
}

// recoverPending finishes the records earlier runs left pending: found at
// the provider by external id, or sent again under the same one. It runs
// under the run lock, so no run that left one is still sending it: each is
// recovered at once, however young.
func (c *requestRun) recoverPending() error {
	pending, err := c.l.PaymentRequests(c.ctx, c.r.name(), ledger.RequestPending)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		return nil
	}
	found, err := c.r.find(c.ctx, pending)
	if err != nil {
		return err
	}
	for i := range pending {
		pr := &pending[i]
		if got, ok := found[pr.ExternalID]; ok {
			if err := c.l.MarkPaymentRequestSent(c.ctx, pr.ID, got.ref, got.link); err != nil {
				return err
			}
			c.res.Recovered++
			continue
		}
		call, err := c.r.prepare(pr)
		if err != nil {
			c.res.Refused++
			fmt.Fprintf(c.a.stderr, "%s %s: %v\n", pr.ItemKind, pr.ItemKey, err)
			if err := c.l.ClosePaymentRequest(c.ctx, pr.ID, ledger.RequestFailed, err.Error()); err != nil {
				return err
			}
			continue
		}
		if ok, err := c.send(pr, call); err != nil {
			return err
		} else if ok {
			c.res.Recovered++
		}
	}
	return nil
}

// requestUnpaid records and sends a request for every unpaid item.
func (c *requestRun) requestUnpaid(sel ledger.UnpaidSelection, run int64) error {
	return c.l.Unpaid(c.ctx, sel, func(it ledger.UnpaidItem) error {
		pr := requestFor(c.r, it, run)
		call, err := c.r.prepare(pr)
		if err != nil {
			c.res.Refused++
			fmt.Fprintf(c.a.stderr, "%s %s %s: not requested: %v\n", it.Kind, it.Key, it.Amount.StringFixed(2), err)
			return nil
		}
		ok, err := c.l.ReservePaymentRequest(c.ctx, pr)
		if err != nil {
			return err
		}
		if !ok {
			c.res.Skipped++
			fmt.Fprintf(c.a.stderr, "%s %s: skipped: %s already has a request with id %q\n", it.Kind, it.Key, c.r.name(), pr.ExternalID)
			return nil
		}
		if ok, err := c.send(pr, call); err != nil {
			return err
		} else if ok {
			c.res.Created++
			c.res.Amount.Add(pr.Amount, pr.Currency)
		}
		return nil
	})
}

// requestFor is the request for an unpaid item.
func requestFor(r requester, it ledger.UnpaidItem, run int64) *ledger.PaymentRequest {
	return &ledger.PaymentRequest{Provider: r.name(), ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key,
		ExternalID: ledger.ExternalID(it.Key, it.Attempts, r.idLimit()), Amount: it.Amount, Currency: it.Currency,
		Reason: it.Reason, Name: it.Name, RunID: run}
}

// previewRequests prints the requests create would send, each checked as
// create checks it, and sends and records nothing.
func previewRequests(ctx context.Context, a *app, l *ledger.DB, r requester, sel ledger.UnpaidSelection) (*createResult, error) {
	res := &createResult{Provider: r.name()}
	err := l.Unpaid(ctx, sel, func(it ledger.UnpaidItem) error {
		pr := requestFor(r, it, 0)
		if _, err := r.prepare(pr); err != nil {
			res.Refused++
			fmt.Fprintf(a.stderr, "%s %s %s: would not be requested: %v\n", it.Kind, it.Key, it.Amount.StringFixed(2), err)
			return nil
		}
		res.Created++
		res.Amount.Add(pr.Amount, pr.Currency)
		fmt.Fprintf(a.stdout, "%-10s %-24s %12s %s  %s, %s\n", pr.ItemKind, pr.ItemKey, pr.Amount.StringFixed(2), pr.Currency, pr.Reason, pr.Name)
		return nil
	})
	fmt.Fprintf(a.stdout, "%s: %d payment request(s) would be sent (%s), %d refused; dry run: nothing sent or recorded\n",
		r.name(), res.Created, res.Amount, res.Refused)
	return res, err
}

var linksHeader = []string{"provider", "item_kind", "item_key", "name", "amount", "currency", "reason", "url", "created_at", "new", "external_id", "provider_ref"}

// writeLinks writes every open request of the provider as CSV, the ones
// created, recovered or taken over from a killed run in this run marked
// new.
func writeLinks(ctx context.Context, l *ledger.DB, provider string, run int64, path string) error {
	open, err := l.PaymentRequests(ctx, provider, ledger.RequestOpen)
	if err != nil {
		return err
	}
	out, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer out.Abort()
	w := csv.NewWriter(out)
	w.Write(linksHeader)
	for _, pr := range open {
		isNew := "no"
		if pr.RunID == run {
			isNew = "yes"
		}
		w.Write([]string{pr.Provider, pr.ItemKind, pr.ItemKey, pr.Name, pr.Amount.StringFixed(2), pr.Currency, pr.Reason, pr.URL,
			pr.CreatedAt.Format(time.RFC3339), isNew, pr.ExternalID, pr.ProviderRef})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return out.Commit()
}

func newPayreqSyncCmd(a *app) *cobra.Command {
	var (
		f        payreqFlags
		provider string
		reports  []string
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
			l, ctx, run, err := openLedgerRun(cmd, f.ledger, "payreq sync")
			if err != nil {
				return err
			}
			defer l.Close()
			ctx, cancel := context.WithTimeout(ctx, f.timeout)
			defer cancel()
			providers := []string{providerTikkie, providerTinka}
			if provider != "" {
				providers = []string{provider}
			}
			var total reconcile.Summary
			var failed error
			for _, p := range providers {
				open, err := l.PaymentRequests(ctx, p, ledger.RequestOpen)
				if err != nil {
					return err
				}
				if len(open) == 0 {
					if provider != "" {
						fmt.Fprintf(a.stdout, "%s: no open payment requests\n", p)
					}
					continue
				}
				r, err := newRequester(p, cfg, nil)
				if err != nil {
					// The other provider is still synced.
					failed = errors.Join(failed, fmt.Errorf("%d open %s request(s) not synced: %w", len(open), p, err))
					continue
				}
				if err := syncRequests(ctx, a, l, r, open, rep, &total); err != nil {
					failed = errors.Join(failed, fmt.Errorf("%s: %w", p, err))
				}
			}
			sum, _ := json.Marshal(total)
			if err := l.FinishRun(context.Background(), run, string(sum)); err != nil {
				return err
			}
			// Every booking is committed on its own: the reports list what
			// was booked even when a provider could not be reached.
			if rep != nil {
				if err := rep.Close(report.Run{Kind: report.Payments, Summary: total}); err != nil {
					return err
				}
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
	cmd.Flags().StringArrayVar(&reports, "report", nil, "write the bookings as a report, repeatable: .csv, .json, .xlsx or .html")
	return cmd
}

func syncRequests(ctx context.Context, a *app, l *ledger.DB, r requester, open []ledger.PaymentRequest, rep *report.Files, total *reconcile.Summary) error {
	states, err := r.states(ctx, open)
	if err != nil {
		return err
	}
	paid, closed := 0, 0
	var paidSum reconcile.Totals
	for _, st := range states {
		if st.paid == nil {
			if err := l.ClosePaymentRequest(ctx, st.pr.ID, st.closed, st.note); err != nil {
				return err
			}
			closed++
			fmt.Fprintf(a.stdout, "%-10s %-24s %12s %s  %s: %s\n", st.pr.ItemKind, st.pr.ItemKey, st.pr.Amount.StringFixed(2), st.pr.Currency, st.closed, st.note)
			continue
		}
		b, err := l.BookPaymentRequest(ctx, st.pr.ID, *st.paid)
		if errors.Is(err, ledger.ErrNotOpen) {
			// Booked meanwhile: its payout came on a bank statement
			// (reconcile), or another sync ran at the same time.
			fmt.Fprintf(a.stdout, "%-10s %-24s %12s %s  booked already\n", st.pr.ItemKind, st.pr.ItemKey, st.paid.Amount.StringFixed(2), st.pr.Currency)
			continue
		}
		if err != nil {
			return err
		}
		paid++
		paidSum.Add(st.paid.Amount, st.pr.Currency)
		fmt.Fprintf(a.stdout, "%-10s %-24s %12s %s  paid by %s: %s %s\n", st.pr.ItemKind, st.pr.ItemKey, st.paid.Amount.StringFixed(2), st.pr.Currency,
			st.paid.Payer, st.pr.ItemKind, b.Status)
		res := report.Booking(b)
		total.Add(res)
		if rep != nil {
			if err := rep.Write(r.name(), res, false); err != nil {
				return err
			}
		}
	}
	// An item paid otherwise (by transfer, by the next collection) while its
	// request is still open: the customer could pay twice.
	changed := map[int64]bool{}
	for _, st := range states {
		changed[st.pr.ID] = true
	}
	otherwise := 0
	for _, pr := range open {
		if !changed[pr.ID] && pr.ItemOpen.Sign() <= 0 {
			otherwise++
			fmt.Fprintf(a.stdout, "%-10s %-24s %12s %s  paid otherwise: the %s link is still open; withdraw it so it is not paid twice\n",
				pr.ItemKind, pr.ItemKey, pr.Amount.StringFixed(2), pr.Currency, r.name())
		}
	}
	fmt.Fprintf(a.stdout, "%s: %d paid and booked (%s), %d closed unpaid, %d still open", r.name(), paid, paidSum, closed, len(open)-paid-closed)
	if otherwise > 0 {
		fmt.Fprintf(a.stdout, " (%d of them paid otherwise)", otherwise)
	}
	fmt.Fprintln(a.stdout)
	return nil
}
