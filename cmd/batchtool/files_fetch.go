package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// fetchedFile is one file of `batchtool files fetch`.
type fetchedFile struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Path    string    `json:"path,omitempty"`
	Bytes   int64     `json:"bytes,omitempty"`
	New     bool      `json:"new"` // not in the output folder before this run
	Error   string    `json:"error,omitempty"`
}

// owedFile is a file the platform listed that is not downloaded yet.
type owedFile struct {
	Name      string    `json:"name"`
	Format    string    `json:"format"`
	ListedAt  time.Time `json:"listed_at"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
}

type fetchResult struct {
	Generated int `json:"generated"`
	// Listed is how many files the listing named, and Added how many of
	// them the ledger did not know.
	Listed int           `json:"listed"`
	Added  int           `json:"added"`
	Reset  string        `json:"reset,omitempty"` // the X-RESET the listing sent
	Files  []fetchedFile `json:"files"`           // downloaded (or tried) in this run
	// Owed are the files the platform listed that are still not
	// downloaded, of every format: the next fetch of their format tries
	// them again. Only those of the fetch's own format make its exit code 1.
	Owed    []owedFile `json:"owed"`
	Cleaned []string   `json:"cleaned"` // partial downloads of an earlier run, removed
	Errors  []string   `json:"errors"`  // generation or listing failures
}

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
		Use:   "fetch --format camt|coda --out DIR",
		Short: "Generate, list and download new reconciliation files",
		Long: `fetch asks the platform to generate reconciliation files of everything new
(POST /creditor/files), lists the files generated since the last listing
(GET /creditor/files) and downloads each into --out.

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
		Example: `  batchtool files fetch --format camt --out inbox/camt
  batchtool files fetch --format coda --out inbox/coda --no-generate --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != twikey.FormatCAMT && format != twikey.FormatCODA {
				return usagef("--format %q: want camt or coda", format)
			}
			if out == "" {
				return usagef("--out: the folder to download into is required")
			}
			var resetAt time.Time
			if reset != "" {
				t, err := time.Parse(time.RFC3339, reset)
				if err != nil {
					return usagef("--reset %q: want an RFC 3339 time such as 2026-03-01T00:00:00Z", reset)
				}
				resetAt = t
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return &exitError{code: 1, msg: err.Error()}
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
			f := fetcher{c: c, l: l, format: format, out: out, progress: func(name string) io.Writer { return progressFor(a, name) }}
			res, err := f.run(ctx, !noGenerate, paylink, resetAt)
			if err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.Encode(res)
			} else {
				writeFetchResult(a.stdout, res, format, out)
			}
			if len(res.Errors) > 0 {
				return &exitError{code: 1}
			}
			for _, o := range res.Owed {
				if o.Format == format {
					return &exitError{code: 1}
				}
			}
			for _, f := range res.Files {
				if f.Error != "" {
					return &exitError{code: 1}
				}
			}
			return nil
		},
	}
	pf.register(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", twikey.FormatCAMT, "format of generated files: camt (camt.053) or coda")
	cmd.Flags().StringVar(&out, "out", "", "folder to download into (created when missing)")
	cmd.Flags().StringVar(&ledgerPath, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+"): which files were listed, downloaded, booked")
	cmd.Flags().BoolVar(&paylink, "paylink", false, "also generate payment link files")
	cmd.Flags().BoolVar(&noGenerate, "no-generate", false, "only list and download, do not ask for new files")
	cmd.Flags().StringVar(&reset, "reset", "", "list again the files created since this time (RFC 3339, X-RESET)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// fetcher runs the fetch protocol for one format against one ledger.
type fetcher struct {
	c        *twikey.Client
	l        *ledger.DB
	format   string
	out      string
	progress func(name string) io.Writer // nil, or a progress bar per file
}

// run generates (when asked), lists and downloads what the ledger says is
// owed. A failure to generate or list is reported in the result, and the
// files owed from earlier runs are still downloaded; an error is returned
// only when the ledger cannot be read or written.
func (f *fetcher) run(ctx context.Context, generate, paylink bool, reset time.Time) (*fetchResult, error) {
	res := &fetchResult{Files: []fetchedFile{}, Owed: []owedFile{}, Cleaned: []string{}, Errors: []string{}}
	cleaned, err := twikey.CleanPartial(f.out)
	if err != nil {
		return nil, err
	}
	res.Cleaned = append(res.Cleaned, cleaned...)
	if _, err := f.l.MarkBooked(ctx); err != nil {
		return nil, err
	}
	// A downloaded file that was never booked and is gone from disk is
	// downloaded again.
	down, err := f.l.PlatformFiles(ctx, ledger.FileDownloaded)
	if err != nil {
		return nil, err
	}
	for _, p := range down {
		if _, err := os.Stat(p.Path); os.IsNotExist(err) {
			if err := f.l.FileMissing(ctx, p.ID); err != nil {
				return nil, err
			}
		}
	}
	if generate {
		n, err := f.c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true, Paylink: paylink, Format: f.format})
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
		res.Generated = n
	}
	if err := f.list(ctx, reset, res); err != nil {
		return nil, err
	}
	owed, err := f.l.PlatformFiles(ctx, ledger.FileListed)
	if err != nil {
		return nil, err
	}
	for _, p := range owed {
		if p.Format != f.format {
			continue
		}
		ff := fetchedFile{Name: p.Name, Created: p.Created}
		d, err := f.download(ctx, p.Name)
		if err != nil {
			ff.Error = err.Error()
			if err := f.l.FileFailed(ctx, p.ID, ff.Error); err != nil {
				return nil, err
			}
		} else {
			ff.Path, ff.Bytes, ff.New = d.Path, d.Bytes, p.Attempts == 0
			if err := f.l.FileDownloaded(ctx, p.ID, d.Path, d.Bytes, d.SHA256); err != nil {
				return nil, err
			}
		}
		res.Files = append(res.Files, ff)
	}
	if owed, err = f.l.PlatformFiles(ctx, ledger.FileListed); err != nil {
		return nil, err
	}
	for _, p := range owed {
		res.Owed = append(res.Owed, owedFile{Name: p.Name, Format: p.Format, ListedAt: p.ListedAt, Attempts: p.Attempts, LastError: p.LastError})
	}
	return res, nil
}

// list lists the platform's files and records them in the ledger, the
// listing itself recorded before it is sent. A plain listing whose answer
// was lost is listed again at once with the reset the ledger then gives.
func (f *fetcher) list(ctx context.Context, reset time.Time, res *fetchResult) error {
	for attempt := 0; ; attempt++ {
		ls, err := f.l.BeginListing(ctx, f.format)
		if err != nil {
			return err
		}
		if !reset.IsZero() && (ls.Reset.IsZero() || reset.Before(ls.Reset)) {
			ls.Reset = reset // --reset asks for more than the ledger needs
		}
		if !ls.Reset.IsZero() {
			res.Reset = ls.Reset.UTC().Format(time.RFC3339)
		}
		list, err := f.c.ListFiles(ctx, ls.Reset)
		if err != nil {
			if ls.Reset.IsZero() && attempt == 0 && ctx.Err() == nil {
				continue // the ledger now resets to before the lost answer
			}
			res.Errors = append(res.Errors, err.Error())
			return nil
		}
		files := make([]ledger.ListedFile, len(list))
		for i, x := range list {
			files[i] = ledger.ListedFile{Name: x.Name, Format: twikey.FileFormat(x.Name), Created: x.Created}
		}
		added, err := f.l.CompleteListing(ctx, ls, files)
		if err != nil {
			return err
		}
		res.Listed, res.Added = len(list), added
		return nil
	}
}

// download fetches one listed file into the output folder.
func (f *fetcher) download(ctx context.Context, name string) (*twikey.Download, error) {
	if err := twikey.CheckFileName(name); err != nil {
		return nil, err
	}
	var progress io.Writer
	if f.progress != nil {
		progress = f.progress(name)
	}
	return f.c.DownloadFile(ctx, name, f.out, progress)
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

func writeFetchResult(w io.Writer, r *fetchResult, format, out string) {
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

func failedCount(fs []fetchedFile) int {
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

// quoted prints a name the platform chose between quotes, control and
// formatting characters escaped (letters such as é stay as they are).
func quoted(name string) string { return `"` + safename.Escape(name) + `"` }

// owedNames names the files a ledger says the platform still owes (listed,
// not downloaded) or that were downloaded but never booked.
func owedNames(ctx context.Context, l *ledger.DB) ([]string, error) {
	fs, err := l.PlatformFiles(ctx, ledger.FileListed, ledger.FileDownloaded)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fs {
		what := "not downloaded"
		if f.State == ledger.FileDownloaded {
			what = "downloaded to " + filepath.Base(f.Path) + ", not booked"
		}
		out = append(out, fmt.Sprintf("%s (%s)", quoted(f.Name), what))
	}
	return out, nil
}
