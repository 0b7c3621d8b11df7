package main

// The command groups whose subcommands live in files of their own.

import "github.com/spf13/cobra"

func newCollectCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "collect", Short: "Build and upload SEPA Direct Debit batches"}
	c.AddCommand(newCollectBuildCmd(a), newCollectUploadCmd(a))
	return c
}

func newInvoiceCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "invoice", Short: "Check and upload UBL invoices"}
	c.AddCommand(newInvoiceCheckCmd(a), newInvoiceUploadCmd(a))
	return c
}
