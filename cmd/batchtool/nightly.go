package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
)

func newNightlyCmd(a *app) *cobra.Command {
	var config string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "nightly --config batchtool.toml",
		Short: "Run the whole nightly job: build, upload, fetch, reconcile, report",
		Long: `nightly runs the job finance needs every night, unattended:

  1. build a pain.008 batch from each due file (once per file content),
  2. register it in the ledger and upload it (once: the ledger remembers),
  3. check, upload and register the UBL invoices (each once),
  4. have the platform generate reconciliation files and fetch the new ones,
  5. reconcile every fetched file against the ledger (a file, or a line seen
     in another file, is never booked twice),
  6. write the reports and the ERP export for the lines booked in this run,
     and cross-check the platform's transaction feed against the ledger,
  7. with a [payreq] provider: book the payment requests paid since the last
     run (payments.* reports) and send requests for collections returned for
     good and invoices overdue (payment-links.csv lists the open ones).

It is safe to re-run at any time: a second run changes nothing. The exit code
is 1 when something needs a person: a rejected row, a failed upload or
download, a file with errors, or statement lines left unmatched or ambiguous.

On a SQLite ledger one run works at a time (the run lock). On a PostgreSQL
ledger run it on several machines at once: each due file, upload, platform
file, statement file and payment request is claimed by the one worker that
does it, the others leave it ("claimed by worker ...: left to it"), and the
workers' summaries together are the night's (README: "Scale: several
workers").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if config == "" {
				return usagef("--config is required")
			}
			c, err := pipeline.LoadConfig(config)
			if err != nil {
				return err
			}
			return runNightly(contextOf(cmd), a, c, time.Now(), asJSON)
		},
	}
	cmd.Flags().StringVar(&config, "config", "", "batchtool.toml")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the run's summary as JSON on standard output, every step's text on standard error")
	return cmd
}

// runNightly runs the night (pipeline.Run), prints each step as the
// standalone command prints its result, then the summary, and decides the
// exit code: 1 when anything needs a person.
func runNightly(ctx context.Context, a *app, c *pipeline.Config, now time.Time, asJSON bool) error {
	a, jsonOut := jsonApp(a, asJSON) // --json: the summary on stdout, the steps' text on stderr
	fmt.Fprintf(a.stdout, "batchtool nightly %s: ledger %s, work %s\n", pipeline.RunName(now), ledger.Describe(c.Ledger), c.Work)
	res, err := pipeline.Run(ctx, c, pipeline.Options{Now: now, UserAgent: "batchtool/" + version, Progress: &nightlyProgress{a},
		Download: func(name string) io.Writer { return progressFor(a, name) }})
	if err != nil {
		return err
	}
	if jsonOut != nil {
		if err := writeNightlyJSON(jsonOut, res); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "\n== summary\n")
	for _, s := range res.Steps {
		took := ""
		if s.Note == "" {
			took = s.Took.Round(time.Millisecond).String()
		}
		fmt.Fprintf(a.stdout, "  %-48s %-8s %s\n", s.Name, s.Status(), took)
	}
	if len(res.Elsewhere) > 0 {
		fmt.Fprintf(a.stdout, "worker: %d unit(s) of work done here, %d left to other workers sharing the ledger\n", len(res.Done), len(res.Elsewhere))
	}
	for _, s := range res.ToDo {
		fmt.Fprintln(a.stdout, "to do: "+s)
	}
	if !res.NeedsAttention() {
		fmt.Fprintln(a.stdout, "nothing needs attention")
		return nil
	}
	fmt.Fprintln(a.stdout, "needs attention:")
	for _, s := range res.Attention {
		fmt.Fprintln(a.stdout, "  - "+s)
	}
	return &exitError{code: 1}
}

// nightlyProgress prints the night's steps as their commands print them.
type nightlyProgress struct{ a *app }

func (p *nightlyProgress) Started(step string)       { fmt.Fprintf(p.a.stdout, "\n== %s\n", step) }
func (p *nightlyProgress) Finding(f finding.Finding) { fmt.Fprintln(p.a.stderr, f) }

func (p *nightlyProgress) Finished(s *pipeline.Step) {
	a := p.a
	if s.Note != "" {
		fmt.Fprintln(a.stdout, s.Note)
		return
	}
	switch v := s.Value.(type) {
	case *pipeline.BuildResult:
		writeBuildResult(a.stdout, v)
	case *pipeline.Registered:
		writeRegistered(a, v)
	case []*pipeline.Registered:
		for _, r := range v {
			writeRegistered(a, r)
		}
	case *pipeline.UploadResult:
		writeUploadResult(a.stdout, v)
	case pipeline.InvoiceUploads:
		if len(v) > 0 {
			writeInvoiceUploadTable(a.stdout, v)
		}
	case *pipeline.FetchResult:
		writeFetchResult(a.stdout, v)
		if v.ListedBy != "" {
			fmt.Fprintf(a.stdout, "the platform's files feed was being listed by worker %s: left to it\n", v.ListedBy)
		}
		if len(v.Elsewhere) > 0 {
			fmt.Fprintf(a.stdout, "%d listed file(s) downloaded by other workers: left to them\n", len(v.Elsewhere))
		}
	case *pipeline.ReconcileResult:
		writeReconcileResult(a, v)
	case *pipeline.CheckResult:
		writeCheckResult(a.stdout, v)
	case []*pipeline.SyncResult:
		for _, r := range v {
			if r.Open > 0 {
				writeSyncResult(a.stdout, r)
			}
			if r.Elsewhere > 0 {
				fmt.Fprintf(a.stdout, "%s: %d request(s) synced by other workers: left to them\n", r.Provider, r.Elsewhere)
			}
		}
	case *pipeline.CreateResult:
		writeCreateResult(a, v, false)
		if v.Elsewhere > 0 {
			fmt.Fprintf(a.stdout, "%s: %d request(s) sent by other workers: left to them\n", v.Provider, v.Elsewhere)
		}
	}
	for _, r := range s.Reports {
		if _, ok := s.Value.(*pipeline.CreateResult); ok {
			fmt.Fprintf(a.stdout, "links: %s\n", r)
		} else {
			fmt.Fprintf(a.stdout, "report: %s\n", r)
		}
	}
	if _, ok := s.Value.(*pipeline.ReconcileResult); ok && len(s.Reports) > 0 {
		fmt.Fprintf(a.stdout, "reports: %s\n", filepath.Dir(s.Reports[0]))
	}
	if s.Err != nil {
		fmt.Fprintf(a.stderr, "batchtool: %v\n", s.Err)
	}
}
