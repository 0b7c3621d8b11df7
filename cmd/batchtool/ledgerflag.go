package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/ledger"
)

// requireLedger makes every command of the tree under root that takes
// --ledger refuse a ledger that does not exist (exit 2, naming the fix)
// unless --create is given: a mistyped path must not start an empty
// ledger that then misses every collection. ledger status only reads and
// takes no --create. nightly creates its ledger from its configuration.
func requireLedger(root *cobra.Command) {
	for _, c := range root.Commands() {
		requireLedger(c)
		if c.Flags().Lookup("ledger") == nil || c.CommandPath() == "batchtool ledger status" {
			continue
		}
		create := c.Flags().Bool("create", false, "create the ledger when it does not exist (a new SQLite file, or the tables in an empty PostgreSQL database)")
		prev := c.PreRunE
		c.PreRunE = func(cmd *cobra.Command, args []string) error {
			if !*create {
				if err := ledgerExists(cmd.Flags().Lookup("ledger").Value.String()); err != nil {
					return usageError{err}
				}
			}
			if prev != nil {
				return prev(cmd, args)
			}
			return nil
		}
	}
}

// ledgerExists tells whether location holds a ledger, without creating
// anything: a SQLite file must exist, a PostgreSQL database hold the
// ledger's tables.
func ledgerExists(location string) error {
	if ledger.IsPostgres(location) {
		l, err := ledger.OpenExisting(location)
		if err != nil {
			return fmt.Errorf("%w; --create makes its tables", err)
		}
		return l.Close()
	}
	st, err := os.Stat(location)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("ledger %s does not exist: give --ledger (or $%s) the ledger the nightly job writes, or --create to start a new one", location, envLedger)
	case err != nil:
		return fmt.Errorf("ledger %s: %w", location, err)
	case !st.Mode().IsRegular():
		return fmt.Errorf("ledger %s is not a file", location)
	}
	return nil
}
