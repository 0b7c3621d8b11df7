package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// pending is a command that is still being built.
func pending(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short + " (not yet available)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("%s is not available yet", cmd.CommandPath())
		},
	}
}

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
