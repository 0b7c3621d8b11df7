package main

import "github.com/spf13/cobra"

func newCollectUploadCmd(a *app) *cobra.Command {
	return pending("upload", "Upload a pain.008 batch to the platform")
}
func newInvoiceUploadCmd(a *app) *cobra.Command { return pending("upload", "Upload UBL invoices") }
func newFilesCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "files", Short: "Generate and fetch reconciliation files from the platform"}
	c.AddCommand(pending("fetch", "Generate, list and download new files"))
	return c
}
func newSandboxCmd(a *app) *cobra.Command { return pending("sandbox", "Run the local platform sandbox") }
