package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

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

type fetchResult struct {
	Generated int           `json:"generated"`
	Files     []fetchedFile `json:"files"`
	// Reset is the --reset value that lists the failed files again.
	Reset string `json:"reset,omitempty"`
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
(GET /creditor/files) and downloads each into --out: to a temporary file,
renamed into place when complete, so the folder never holds half a file.
It reports each file and whether it is new to the folder. The platform's
listing moves on with every call: when a download fails, fetch prints the
--reset value that lists it again.`,
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
			c, ctx, cancel, err := pf.client(a, cmd.Context())
			if err != nil {
				return err
			}
			defer cancel()
			res := &fetchResult{Files: []fetchedFile{}}
			if !noGenerate {
				n, err := c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true, Paylink: paylink, Format: format})
				if err != nil {
					return &exitError{code: 1, msg: err.Error()}
				}
				res.Generated = n
			}
			list, err := c.ListFiles(ctx, resetAt)
			if err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			failed := 0
			for _, f := range list {
				ff := fetchedFile{Name: f.Name, Created: f.Created}
				if err := twikey.CheckFileName(f.Name); err != nil {
					ff.Error = err.Error()
				} else {
					_, statErr := os.Stat(filepath.Join(out, f.Name))
					ff.New = os.IsNotExist(statErr)
					d, err := c.DownloadFile(ctx, f.Name, out, progressFor(a, f.Name))
					if err != nil {
						ff.Error = err.Error()
					} else {
						ff.Path, ff.Bytes = d.Path, d.Bytes
					}
				}
				if ff.Error != "" {
					failed++
					if r := f.Created.UTC().Format(time.RFC3339); res.Reset == "" || r < res.Reset {
						res.Reset = r
					}
				}
				res.Files = append(res.Files, ff)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.Encode(res)
			} else {
				writeFetchResult(a.stdout, res, out)
			}
			if failed > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	pf.register(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", twikey.FormatCAMT, "format of generated files: camt (camt.053) or coda")
	cmd.Flags().StringVar(&out, "out", "", "folder to download into (created when missing)")
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

func writeFetchResult(w io.Writer, r *fetchResult, out string) {
	fmt.Fprintf(w, "generated %d file(s); %d listed\n", r.Generated, len(r.Files))
	nNew := 0
	for _, f := range r.Files {
		switch {
		case f.Error != "":
			fmt.Fprintf(w, "  FAILED %s: %s\n", f.Name, f.Error)
		case f.New:
			nNew++
			fmt.Fprintf(w, "  new    %s (%d bytes)\n", f.Path, f.Bytes)
		default:
			fmt.Fprintf(w, "  again  %s (%d bytes, replaced)\n", f.Path, f.Bytes)
		}
	}
	fmt.Fprintf(w, "%d new file(s) in %s\n", nNew, out)
	if r.Reset != "" {
		fmt.Fprintf(w, "to list the failed files again: batchtool files fetch --no-generate --reset %s --out %s\n", r.Reset, out)
	}
}
