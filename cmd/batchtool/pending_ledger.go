package main

import "github.com/spf13/cobra"

func newLedgerCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "ledger", Short: "Register open items in the ledger"}
	c.AddCommand(pending("add", "Register a batch or invoices as open items"))
	return c
}
func newReconcileCmd(a *app) *cobra.Command {
	return pending("reconcile", "Reconcile statements against the ledger")
}
func newNightlyCmd(a *app) *cobra.Command { return pending("nightly", "Run the whole nightly job") }
