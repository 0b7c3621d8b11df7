package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func inspectCamt(name string, r io.Reader) (*inspection, error) {
	return nil, fmt.Errorf("camt inspection not available yet")
}
func inspectCODA(name string, r io.Reader) (*inspection, error) {
	return nil, fmt.Errorf("CODA inspection not available yet")
}
func newStatementCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "statement", Short: "Work with bank statements (camt, CODA)"}
	c.AddCommand(pending("convert", "Convert statements to CSV, JSON Lines or XLSX"))
	return c
}
