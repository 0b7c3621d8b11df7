package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/statement"
)

func newLedgerCheckCmd(a *app) *cobra.Command {
	var (
		pf     platformFlags
		path   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "check [--ledger batchtool.db]",
		Short: "Cross-check the ledger against the platform's own account of the collections",
		Long: `check reads the platform's transaction feed (GET /creditor/transaction, resumed
after the last entry the ledger holds, so no entry is read twice or
skipped) and compares it with what the bank statements booked: every
collection the platform reported as PAID in an earlier check must be
collected in the ledger, and every one it reported as failed (ERROR) must be
returned. A collection that is not is a gap: a statement the ledger has not
seen, or a booking that went elsewhere. Entries read for the first time are
checked from the next run on, when their statement has had the time to be
generated and fetched. Exit code 1 when there is a gap.`,
		Example: `  batchtool ledger check --ledger batchtool.db
  batchtool ledger check --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, ctx, run, err := openLedgerRun(cmd, path, "ledger check")
			if err != nil {
				return err
			}
			defer l.Close()
			c, ctx, cancel, err := pf.client(a, ctx)
			if err != nil {
				return err
			}
			defer cancel()
			res, err := pipeline.CheckFeed(ctx, c, l, run)
			if err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			if err := l.FinishRun(ctx, run, fmt.Sprintf(`{"read":%d,"gaps":%d}`, res.Read, len(res.Gaps))); err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			} else {
				writeCheckResult(a.stdout, res)
			}
			if len(res.Gaps) > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	pf.register(cmd.Flags())
	cmd.Flags().StringVar(&path, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func writeCheckResult(w io.Writer, r *pipeline.CheckResult) {
	fmt.Fprintf(w, "platform feed: %d new entr(ies) read, position %d\n", r.Read, r.Position)
	if len(r.Gaps) == 0 {
		fmt.Fprintln(w, "no gap: every collection the platform settled or failed is booked so in the ledger")
		return
	}
	for _, t := range r.Totals {
		fmt.Fprintf(w, "%d gap(s), %s %s: the platform reports them, no booked statement line accounts for them\n", t.Count, statement.FormatAmount(t.Amount, t.Currency), t.Currency)
	}
	for _, g := range r.Gaps {
		want := "collected"
		if g.State == "ERROR" {
			want = "returned"
			if g.BankError != "" {
				want += " (" + g.BankError + ")"
			}
		}
		fmt.Fprintf(w, "  %-35s %12s %s  platform %s, ledger %s (want %s)\n", g.Ref, statement.FormatAmount(g.Amount, g.Currency), g.Currency, g.State, g.LedgerStatus, want)
	}
}
