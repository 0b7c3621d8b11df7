package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/statement"
)

func newInspectCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect FILE...",
		Short: "Tell in one screen what is in a payment file and what is wrong with it",
		Long: `inspect recognises pain.008 batches, camt.052/.053/.054 and CODA statements and
UBL invoices (also inside a zip, and gzip-compressed: statement.xml.gz is
read as statement.xml), prints a summary of each and every finding. "-"
reads standard input.

A file that is none of these — a directory, an empty file, an image, a PDF,
a zip without payment files — is named for what it is, in one line on
standard error. Exit code: 0 every file read and clean, 1 a file has an
error finding, 2 a file could not be read or is not a payment file.`,
		Example: `  batchtool inspect batch.xml
  batchtool inspect statement.xml statement.cod inbox/files.zip
  batchtool inspect --json statement.xml.gz
  curl -s https://bank.example/statement.xml | batchtool inspect -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkStdio("input", args...); err != nil {
				return err
			}
			defer gcPercent(400)()
			// Files are read in parallel, one per core; their results
			// are printed in the order of the arguments.
			start, size := time.Now(), inputSize(args)
			p := a.newProgress("inspect", size)
			var all []*inspect.Inspection
			statement.InOrder(len(args), func(i int) []*inspect.Inspection { return a.inspectPath(args[i], p) },
				func(_ int, in []*inspect.Inspection) { all = append(all, in...) })
			p.finish()
			a.verboseDone("inspect", start, size)
			code := 0
			printed := 0
			for _, in := range all {
				if in.NotOurs() != nil {
					code = 2
					if !asJSON {
						fmt.Fprintf(a.stderr, "batchtool: %s\n", safename.Escape(in.NotOurs().Error()))
						continue
					}
				} else if finding.List(in.Findings).HasErrors() && code == 0 {
					code = 1
				}
				if asJSON {
					if in.Findings == nil {
						in.Findings = []finding.Finding{} // lists are never null
					}
					continue
				}
				if printed > 0 {
					fmt.Fprintln(a.stdout)
				}
				printed++
				writeInspection(safename.NewWriter(a.stdout), in)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(all); err != nil {
					return err
				}
			}
			if code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the inspection as JSON")
	return cmd
}

func writeInspection(w io.Writer, in *inspect.Inspection) {
	if in.Compression != "" {
		fmt.Fprintf(w, "%s: %s (%s)\n", safename.Escape(in.File), in.Format, in.Compression)
	} else {
		fmt.Fprintf(w, "%s: %s\n", safename.Escape(in.File), in.Format)
	}
	if in.Summary != nil {
		writeSummary(w, in.Summary)
	}
	errs, warns := finding.List(in.Findings).Count()
	if len(in.Findings) == 0 {
		fmt.Fprintln(w, "findings: none")
		return
	}
	fmt.Fprintf(w, "findings: %d error(s), %d warning(s)\n", errs, warns)
	for _, f := range in.Findings {
		fmt.Fprintf(w, "  %s\n", f)
	}
}

// inspectPath inspects a file ("-": standard input), or every member of a
// zip file.
func (a *app) inspectPath(name string, p *progress) []*inspect.Inspection {
	src, err := a.openSource(name, inspect.SniffLen, p)
	if err != nil {
		return []*inspect.Inspection{inspect.NotOurs(name, err)}
	}
	defer src.Close()
	return src.Inspect()
}
