package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/ledger"
)

// lockLedger takes the ledger's run lock for cmd: the commands that change
// the ledger or talk to the platform run one at a time, and a second one
// fails with "another run (...) is in progress since ...". The lock is
// re-entrant, so the commands nightly runs in-process go on under its lock.
// Closing l releases it.
//
// A command that claims each unit of its work in the ledger (marked
// claimsUnits) takes no run lock on PostgreSQL: workers on several machines
// run it side by side and split the units (reconcile: each statement file
// is imported by the worker that claims it, see ledger.Claim).
func lockLedger(ctx context.Context, l *ledger.DB, cmd *cobra.Command) error {
	if cmd.Annotations[claimsUnits] != "" && l.Postgres() {
		return nil
	}
	_, err := l.AcquireRunLock(ctx, commandName(cmd))
	return err
}

// claimsUnits is the annotation of a command whose units of work are
// claimed in the ledger; its value names their ledger.ClaimKind.
const claimsUnits = "batchtool/claims-units"

// commandName is the command as a user types it, without the program's
// name or arguments: "collect upload", "nightly".
func commandName(cmd *cobra.Command) string {
	p := cmd.CommandPath()
	if _, rest, ok := strings.Cut(p, " "); ok {
		return rest
	}
	return p
}

// contextOf is the command's context, or a background one.
func contextOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
