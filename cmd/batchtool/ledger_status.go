package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/report"
	"github.com/batchtool/batchtool/pkg/statement"
)

func newLedgerStatusCmd(a *app) *cobra.Command {
	var path string
	var asJSON bool
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
			r, err := readStatus(cmd.Context(), l, path)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			r.WriteText(a.stdout)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
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

// statusResult is what ledger status tells, for text and JSON alike.
type statusResult struct {
	Ledger          string        `json:"ledger"`
	Schema          int           `json:"schema"`
	Collections     []statusGroup `json:"collections"`      // by status: their amounts
	Invoices        []statusGroup `json:"invoices"`         // by status: what is still open on them
	PaymentRequests []statusGroup `json:"payment_requests"` // by provider and status
	Statements      struct {
		Files   int `json:"files"`
		Lines   int `json:"lines"`
		Matches int `json:"matches"`
		Batches int `json:"batches"`
	} `json:"statements"`
	PlatformFiles struct {
		Listed        int `json:"listed"`
		Booked        int `json:"booked"`
		Downloaded    int `json:"downloaded_not_booked"`
		NotDownloaded int `json:"not_downloaded"`
	} `json:"platform_files"`
	LastRuns []statusRun `json:"last_runs"` // newest first

	text struct{ coll, inv, req *tally }
}

// statusGroup is the count and sum of one status in one currency.
type statusGroup struct {
	Provider string `json:"provider,omitempty"`
	Status   string `json:"status"`
	Count    int    `json:"count"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type statusRun struct {
	Command    string `json:"command"`
	StartedAt  string `json:"started_at"`
	FinishedAt string `json:"finished_at,omitempty"` // absent: running, or died

	start, finish time.Time
}

// groups lists the tally by key and currency; a key "provider status"
// is split when split is set.
func (t *tally) groups(split bool) []statusGroup {
	sort.Strings(t.keys)
	out := []statusGroup{}
	for _, k := range t.keys {
		name, ccy, _ := strings.Cut(k, "\x00")
		g := statusGroup{Status: name, Count: t.n[k], Amount: statement.FormatAmount(t.sum[k], ccy), Currency: ccy}
		if split {
			g.Provider, g.Status, _ = strings.Cut(name, " ")
		}
		out = append(out, g)
	}
	return out
}

// readStatus reads what ledger status tells.
func readStatus(ctx context.Context, l *ledger.DB, path string) (*statusResult, error) {
	r := &statusResult{Ledger: ledger.Describe(path), LastRuns: []statusRun{}}
	v, err := l.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	r.Schema = v
	coll := newTally()
	if err := l.Collections(ctx, func(c reconcile.Collection) error { coll.add(string(c.Status), c.Amount, c.Currency); return nil }); err != nil {
		return nil, err
	}
	inv := newTally()
	if err := l.Invoices(ctx, func(v reconcile.Invoice) error { inv.add(string(v.Status), v.Open, v.Currency); return nil }); err != nil {
		return nil, err
	}
	prs, err := l.PaymentRequests(ctx, "")
	if err != nil {
		return nil, err
	}
	req := newTally()
	for _, pr := range prs {
		req.add(pr.Provider+" "+pr.Status, pr.Amount, pr.Currency)
	}
	r.text.coll, r.text.inv, r.text.req = coll, inv, req
	r.Collections, r.Invoices, r.PaymentRequests = coll.groups(false), inv.groups(false), req.groups(true)
	c, err := l.Counts(ctx)
	if err != nil {
		return nil, err
	}
	r.Statements.Files, r.Statements.Lines, r.Statements.Matches, r.Statements.Batches = c.Files, c.Lines, c.Matches, c.Batches
	pfs, err := l.PlatformFiles(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range pfs {
		r.PlatformFiles.Listed++
		switch f.State {
		case ledger.FileBooked:
			r.PlatformFiles.Booked++
		case ledger.FileDownloaded:
			r.PlatformFiles.Downloaded++
		case ledger.FileListed:
			r.PlatformFiles.NotDownloaded++
		}
	}
	runs, err := l.RecentRuns(ctx, 5)
	if err != nil {
		return nil, err
	}
	for _, run := range runs {
		sr := statusRun{Command: run.Command, StartedAt: run.StartedAt.UTC().Format(time.RFC3339), start: run.StartedAt, finish: run.FinishedAt}
		if !run.FinishedAt.IsZero() {
			sr.FinishedAt = run.FinishedAt.UTC().Format(time.RFC3339)
		}
		r.LastRuns = append(r.LastRuns, sr)
	}
	return r, nil
}

// WriteText prints the status in one screen.
func (r *statusResult) WriteText(w io.Writer) {
	fmt.Fprintf(w, "ledger %s (schema %d)\n\n", r.Ledger, r.Schema)
	r.text.coll.write(w, "collections")
	r.text.inv.write(w, "invoices (open)")
	r.text.req.write(w, "payment requests")
	s := r.Statements
	fmt.Fprintf(w, "\nstatements: %d file(s), %d line(s) booked, %d match(es); %d batch(es)\n", s.Files, s.Lines, s.Matches, s.Batches)
	if p := r.PlatformFiles; p.Listed > 0 {
		fmt.Fprintf(w, "platform files: %d listed: %d booked, %d downloaded and not booked, %d not downloaded\n",
			p.Listed, p.Booked, p.Downloaded, p.NotDownloaded)
	}
	if len(r.LastRuns) > 0 {
		fmt.Fprintln(w, "\nlast runs:")
	}
	for _, run := range r.LastRuns {
		start := run.start
		end := "did not finish"
		if !run.finish.IsZero() {
			end = run.finish.Sub(start).Round(1e6).String()
		}
		command := []rune(run.Command)
		if len(command) > 90 {
			command = append(command[:89], '…')
		}
		fmt.Fprintf(w, "  %s  %-14s %s\n", start.Local().Format("2006-01-02 15:04:05"), end, string(command))
	}
}
