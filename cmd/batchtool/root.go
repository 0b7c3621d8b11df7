package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// app holds what every command shares: the standard streams. Commands get
// it explicitly; there are no package-level globals.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// isTerminal tells whether standard error is a terminal, for
	// progress bars; tests replace it.
	isTerminal func(io.Writer) bool
	// quiet and verbose are -q and -v, which every command takes.
	quiet, verbose bool
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "batchtool",
		Short: "SEPA Direct Debit batches, bank statements and reconciliation",
		Long: `batchtool builds SEPA Direct Debit (pain.008) batches, uploads them and UBL
invoices to the collection platform, fetches camt.053/.054/.052 and CODA
statements, reconciles every statement line against what was collected and
invoiced, to the cent, and sends payment requests (Tikkie, Tinka) for what
direct debit did not collect.

Exit codes, the same for every command:
  0  done, and nothing needs a person
  1  done, but something needs a person: a finding of severity error, a
     rejected row, statement lines unmatched or ambiguous, a failed upload,
     download or payment request, a run already in progress
  2  usage error, or an input that cannot be read or is not one batchtool
     reads (missing, a directory, empty, an image, a missing ledger)

Files: "-" is standard input for an input and standard output for an
output. Outputs are written to a temporary file renamed into place when
complete; a device or FIFO (/dev/stdout, /dev/null) is written directly.`,
		Example: `  batchtool inspect statement.xml
  batchtool nightly --config batchtool.toml
  batchtool completion bash > /etc/bash_completion.d/batchtool`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("batchtool {{.Version}}\n")
	// -q and -v mean the same in every command: less, or more, on
	// standard error. A command that defines its own (-v logging platform
	// calls, -q of invoice check and sandbox) gives them that meaning.
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "print less on standard error: no progress bars, no notes")
	root.PersistentFlags().BoolVarP(&a.verbose, "verbose", "v", false, "print more on standard error")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newVersionCmd(a),
		newInspectCmd(a),
		newCollectCmd(a),
		newStatementCmd(a),
		newInvoiceCmd(a),
		newFilesCmd(a),
		newSandboxCmd(a),
		newLedgerCmd(a),
		newReconcileCmd(a),
		newPayreqCmd(a),
		newNightlyCmd(a),
	)
	requireLedger(root)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	addExamplesAndCompletion(root)
	return root
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the batchtool version",
		Example: "  batchtool version\n  batchtool --version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(a.stdout, "batchtool %s\n", versionString())
			return nil
		},
	}
}

// versionString names this build: the version set at link time (make
// build), else the module version `go install ...@v1.2.3` records, else the
// commit a plain `go build` in a checkout records — then the Go version and
// platform.
func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		if mv := bi.Main.Version; mv != "" && mv != "(devel)" {
			v = mv
		} else {
			var rev, modified string
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev != "" {
				v = "dev-" + rev
				if modified == "true" {
					v += "-dirty"
				}
			}
		}
	}
	return fmt.Sprintf("%s (%s, %s/%s)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
