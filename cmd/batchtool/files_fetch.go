package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// fetchResult is the JSON of `batchtool files fetch`.
type fetchResult = pipeline.FetchResult

func newFilesCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "files", Short: "Generate and fetch reconciliation files from the platform"}
	c.AddCommand(newFilesFetchCmd(a))
	return c
}

func newFilesFetchCmd(a *app) *cobra.Command {
	var (
		pf         platformFlags
		format     string
		out        string
		ledgerPath string
		paylink    bool
		noGenerate bool
		reset      string
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "fetch --format camt|coda --dir DIR",
		Short: "Generate, list and download new reconciliation files",
		Long: `fetch asks the platform to generate reconciliation files of everything new
(POST /creditor/files), lists the files generated since the last listing
(GET /creditor/files) and downloads each into --dir.

The platform lists a file once, so nothing is left to chance: the ledger
records every listing before it is sent and every listed file before it is
downloaded (listed → downloaded → booked). A file not downloaded yet is
owed: every fetch tries the owed files of its format again, and the exit
code is 1 while any file of any format is owed. Once a listing has
completed, every listing resets the platform's feed (X-RESET) to an hour
before the last complete one, so an answer lost on the wire is listed
again; files the ledger knows are not downloaded twice.

A download goes to a temporary file, renamed into place only when whole
and when its first bytes are the format its name promises (an HTML error
page is refused); files larger than 4 GiB, or gzip bodies that expand more
than 200-fold, are refused. Partial downloads an interrupted run left
behind are removed first.`,
		Example: `  batchtool files fetch --format camt --dir inbox/camt
  batchtool files fetch --format coda --dir inbox/coda --no-generate --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != twikey.FormatCAMT && format != twikey.FormatCODA {
				return usagef("--format %q: want camt or coda", format)
			}
			if out == "" {
				return usagef("--dir: the folder to download into is required")
			}
			var resetAt time.Time
			if reset != "" {
				t, err := time.Parse(time.RFC3339, reset)
				if err != nil {
					return usagef("--reset %q: want an RFC 3339 time such as 2026-03-01T00:00:00Z", reset)
				}
				resetAt = t
			}
			l, err := ledger.Open(ledgerPath)
			if err != nil {
				return &exitError{code: 2, msg: err.Error()}
			}
			defer l.Close()
			// One fetch at a time: partial downloads are removed at the
			// start, which is only safe when no other fetch is writing them.
			if err := lockLedger(cmd.Context(), l, cmd); err != nil {
				return err
			}
			c, ctx, cancel, err := pf.client(a, cmd.Context())
			if err != nil {
				return err
			}
			defer cancel()
			res, err := pipeline.Fetch(ctx, c, l, pipeline.FetchOptions{Format: format, Dir: out, Generate: !noGenerate, Paylink: paylink, Reset: resetAt,
				Progress: func(name string) io.Writer { return progressFor(a, name) }})
			if err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			if asJSON {
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			} else {
				writeFetchResult(a.stdout, res)
			}
			if res.Failed() {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	pf.register(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", twikey.FormatCAMT, "format of generated files: camt (camt.053) or coda")
	cmd.Flags().StringVar(&out, "dir", "", "folder to download into (created when missing)")
	cmd.Flags().StringVar(&ledgerPath, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+"): which files were listed, downloaded, booked")
	cmd.Flags().BoolVar(&paylink, "paylink", false, "also generate payment link files")
	cmd.Flags().BoolVar(&noGenerate, "no-generate", false, "only list and download, do not ask for new files")
	cmd.Flags().StringVar(&reset, "reset", "", "list again the files created since this time (RFC 3339, X-RESET)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// progressFor returns a progress bar for a download when stdout is a
// terminal, else nil.
func progressFor(a *app, name string) io.Writer {
	f, ok := a.stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.DefaultBytes(-1, name)
}

func writeFetchResult(w io.Writer, r *pipeline.FetchResult) {
	format, out := r.Format, r.Dir
	reset := ""
	if r.Reset != "" {
		reset = ", feed reset to " + r.Reset
	}
	fmt.Fprintf(w, "generated %d file(s); %d listed, %d new to the ledger%s\n", r.Generated, r.Listed, r.Added, reset)
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  FAILED %s\n", e)
	}
	for _, c := range r.Cleaned {
		fmt.Fprintf(w, "  removed %s: a partial download of an interrupted run\n", quoted(c))
	}
	for _, f := range r.Files {
		switch {
		case f.Error != "":
			fmt.Fprintf(w, "  FAILED %s: %s\n", quoted(f.Name), safename.Escape(f.Error))
		case f.New:
			fmt.Fprintf(w, "  new    %s (%d bytes)\n", f.Path, f.Bytes)
		default:
			fmt.Fprintf(w, "  again  %s (%d bytes, owed since an earlier run)\n", f.Path, f.Bytes)
		}
	}
	fmt.Fprintf(w, "%d file(s) downloaded to %s\n", len(r.Files)-failedCount(r.Files), out)
	if len(r.Owed) > 0 {
		fmt.Fprintf(w, "%d file(s) owed: listed by the platform, not downloaded yet (the next fetch tries again):\n", len(r.Owed))
		for _, o := range r.Owed {
			fmt.Fprintf(w, "  owed   %s (%s, listed %s, %d attempt(s))%s\n", quoted(o.Name), o.Format, o.ListedAt.UTC().Format("2006-01-02 15:04"), o.Attempts, lastError(o.LastError))
		}
		for _, o := range r.Owed {
			if o.Format != format {
				fmt.Fprintf(w, "  (%s files are fetched by: batchtool files fetch --format %s)\n", o.Format, o.Format)
				break
			}
		}
	}
}

func failedCount(fs []pipeline.FetchedFile) int {
	n := 0
	for _, f := range fs {
		if f.Error != "" {
			n++
		}
	}
	return n
}

func lastError(e string) string {
	if e == "" {
		return ""
	}
	return ": " + safename.Escape(e)
}

func quoted(name string) string { return pipeline.Quoted(name) }
