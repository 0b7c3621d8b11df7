package main

import (
	"context"
	"fmt"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/ledger"
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
	var acceptErrors bool
	cmd := &cobra.Command{
		Use:   "add BATCH.xml|INVOICES... [--ledger batchtool.db]",
		Short: "Register a pain.008 batch or UBL invoices as open items",
		Long: `add registers what is to be paid: the collections of a pain.008 batch (and
its PmtInf batches), or UBL invoices (a file, a directory or a zip). The
ledger file is created on first use. Adding the same batch or invoice again
changes nothing. A pain.008 with errors is not added (unless --accept-errors:
a batch the bank already accepted); invoices with errors are skipped and
reported. Exit code 1 when anything had errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, ctx, run, err := openLedgerRun(cmd, path, "ledger add "+strings.Join(args, " "))
			if err != nil {
				return err
			}
			defer l.Close()
			failed := false
			var total ledger.AddResult
			for _, name := range args {
				res := pipeline.Register(ctx, l, name, acceptErrors)
				writeRegistered(a, res)
				failed = failed || res.Failed(acceptErrors)
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
			if failed {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	cmd.Flags().BoolVar(&acceptErrors, "accept-errors", false, "add a pain.008 even when it has errors (a batch the bank already accepted)")
	return cmd
}

// writeRegistered prints what registering a path did: findings on stderr.
func writeRegistered(a *app, r *pipeline.Registered) {
	for _, f := range r.Findings {
		fmt.Fprintln(a.stderr, f)
	}
	name := safename.Escape(r.Path)
	switch {
	case r.Err != nil:
		fmt.Fprintf(a.stderr, "%s: %s\n", name, safename.EscapeLines(r.Err.Error()))
	case r.Kind == pipeline.FormatPain008:
		fmt.Fprintf(a.stdout, "%s: pain.008: %d collection(s) added, %d already in the ledger, %d new batch(es)\n", name, r.Added, r.Skipped, r.Batches)
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
