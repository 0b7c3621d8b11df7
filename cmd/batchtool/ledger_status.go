package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/report"
	"github.com/batchtool/batchtool/pkg/statement"
)

func newLedgerStatusCmd(a *app) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "status [--ledger batchtool.db]",
		Short: "Show what the ledger holds: items by status and amount, payment requests, files, recent runs",
		Long: `status tells in one screen what is open and what was done: collections and
invoices by status with their count and amount (invoices: what is still
open), payment requests by provider and status, the statement files and lines
booked, and the last runs with their start, end and command. It reads only:
a ledger that does not exist is an error (exit 2), never created.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := ledger.OpenExisting(path)
			if err != nil {
				return usageError{err}
			}
			defer l.Close()
			return ledgerStatus(cmd, a.stdout, l, path)
		},
	}
	cmd.Flags().StringVar(&path, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	return cmd
}

// tally counts and sums by a key and a currency: amounts of two
// currencies are never added together.
type tally struct {
	keys []string // key + "\x00" + currency
	n    map[string]int
	sum  map[string]decimal.Decimal
}

func newTally() *tally { return &tally{n: map[string]int{}, sum: map[string]decimal.Decimal{}} }

func (t *tally) add(key string, amount decimal.Decimal, currency string) {
	key += "\x00" + currency
	if _, ok := t.n[key]; !ok {
		t.keys = append(t.keys, key)
	}
	t.n[key]++
	t.sum[key] = t.sum[key].Add(amount)
}

func (t *tally) write(w io.Writer, title string) {
	if len(t.keys) == 0 {
		fmt.Fprintf(w, "%-18s none\n", title)
		return
	}
	sort.Strings(t.keys)
	for i, k := range t.keys {
		if i > 0 {
			title = ""
		}
		name, ccy, _ := strings.Cut(k, "\x00")
		fmt.Fprintf(w, "%-18s %-16s %7d %20s\n", title, name, t.n[k], report.Grouped(statement.FormatAmount(t.sum[k], ccy))+" "+ccy)
	}
}

func ledgerStatus(cmd *cobra.Command, w io.Writer, l *ledger.DB, path string) error {
	ctx := cmd.Context()
	v, err := l.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ledger %s (schema %d)\n\n", ledger.Describe(path), v)
	coll := newTally()
	if err := l.Collections(ctx, func(c reconcile.Collection) error { coll.add(string(c.Status), c.Amount, c.Currency); return nil }); err != nil {
		return err
	}
	coll.write(w, "collections")
	inv := newTally()
	if err := l.Invoices(ctx, func(v reconcile.Invoice) error { inv.add(string(v.Status), v.Open, v.Currency); return nil }); err != nil {
		return err
	}
	inv.write(w, "invoices (open)")
	prs, err := l.PaymentRequests(ctx, "")
	if err != nil {
		return err
	}
	req := newTally()
	for _, pr := range prs {
		req.add(pr.Provider+" "+pr.Status, pr.Amount, pr.Currency)
	}
	req.write(w, "payment requests")
	c, err := l.Counts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nstatements: %d file(s), %d line(s) booked, %d match(es); %d batch(es)\n", c.Files, c.Lines, c.Matches, c.Batches)
	pfs, err := l.PlatformFiles(ctx)
	if err != nil {
		return err
	}
	if len(pfs) > 0 {
		by := map[string]int{}
		for _, f := range pfs {
			by[f.State]++
		}
		fmt.Fprintf(w, "platform files: %d listed: %d booked, %d downloaded and not booked, %d not downloaded\n",
			len(pfs), by[ledger.FileBooked], by[ledger.FileDownloaded], by[ledger.FileListed])
	}
	runs, err := l.RecentRuns(ctx, 5)
	if err != nil {
		return err
	}
	if len(runs) > 0 {
		fmt.Fprintln(w, "\nlast runs:")
	}
	for _, r := range runs {
		end := "did not finish"
		if !r.FinishedAt.IsZero() {
			end = r.FinishedAt.Sub(r.StartedAt).Round(1e6).String()
		}
		command := []rune(r.Command)
		if len(command) > 90 {
			command = append(command[:89], '…')
		}
		fmt.Fprintf(w, "  %s  %-14s %s\n", r.StartedAt.Local().Format("2006-01-02 15:04:05"), end, string(command))
	}
	return nil
}
