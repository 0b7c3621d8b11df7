package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// FetchOptions are the choices of one fetch.
type FetchOptions struct {
	Format   string    // twikey.FormatCAMT or twikey.FormatCODA
	Dir      string    // the folder to download into (created when missing)
	Generate bool      // first ask the platform to generate files of everything new
	Paylink  bool      // also generate payment link files
	Reset    time.Time // list again the files created since then (X-RESET); zero: what the ledger needs
	// Progress, when set, returns a writer that is told the bytes of each
	// download as they arrive (a progress bar), or nil.
	Progress func(name string) io.Writer
	// Hold keeps, on a shared ledger, the claims of the files downloaded
	// until FetchResult.Release: the caller imports them meanwhile, and
	// other workers neither download them again nor call them owed.
	Hold bool
}

// FetchedFile is one file a fetch downloaded, or tried to.
type FetchedFile struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Path    string    `json:"path,omitempty"`
	Bytes   int64     `json:"bytes,omitempty"`
	New     bool      `json:"new"` // first attempt: listed in this run
	Error   string    `json:"error,omitempty"`
}

// OwedFile is a file the platform listed that is not downloaded yet.
type OwedFile struct {
	Name      string    `json:"name"`
	Format    string    `json:"format"`
	ListedAt  time.Time `json:"listed_at"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
}

// FetchResult is what a fetch did.
type FetchResult struct {
	Format    string `json:"-"`
	Dir       string `json:"-"`
	Generated int    `json:"generated"`
	// Listed is how many files the listing named, and Added how many of
	// them the ledger did not know.
	Listed int           `json:"listed"`
	Added  int           `json:"added"`
	Reset  string        `json:"reset,omitempty"` // the X-RESET the listing sent
	Files  []FetchedFile `json:"files"`           // downloaded (or tried) in this run
	// Owed are the files the platform listed that are still not
	// downloaded, of every format: the next fetch of their format tries
	// them again.
	Owed    []OwedFile `json:"owed"`
	Cleaned []string   `json:"cleaned"` // partial downloads of an earlier run, removed
	Errors  []string   `json:"errors"`  // generation or listing failures
	// ListedBy, on a shared ledger, is the worker that held the platform's
	// files feed when this fetch would have generated and listed: it left
	// that to it and downloaded what was listed.
	ListedBy string `json:"listed_by"`
	// Elsewhere are the listed files another worker sharing the ledger was
	// downloading or importing: left to it, not owed.
	Elsewhere []string `json:"elsewhere"`

	claims []*ledger.Claim // Hold: the claims of the files downloaded
}

// Release ends the claims of the files a fetch with Hold downloaded: once
// they are imported (or failed to be), other workers may take them again.
func (r *FetchResult) Release(ctx context.Context) {
	for _, c := range r.claims {
		finish(ctx, c, false)
	}
	r.claims = nil
}

// Failed reports what needs a person: a generation or listing that failed,
// a download that failed, or a file of the fetch's own format still owed.
func (r *FetchResult) Failed() bool {
	if len(r.Errors) > 0 {
		return true
	}
	for _, o := range r.Owed {
		if o.Format == r.Format {
			return true
		}
	}
	for _, f := range r.Files {
		if f.Error != "" {
			return true
		}
	}
	return false
}

// Fetch runs the platform's file protocol for one format so that no
// statement file is ever lost. The platform lists a file once, so the
// ledger records every listing before it is sent and every listed file
// before it is downloaded (listed → downloaded → booked); a file not
// downloaded yet is owed, and every fetch of its format tries it again.
// Once a listing has completed, every listing resets the platform's feed
// (X-RESET) to before the last complete one, so an answer lost on the wire
// is listed again. A download goes to a temporary file renamed into place
// when whole; partial downloads an interrupted run left behind are removed
// first, and a downloaded file gone from disk before it was booked is
// downloaded again.
//
// A failure to generate or list is reported in the result, and the files
// owed from earlier runs are still downloaded; an error is returned only
// when the ledger cannot be read or written.
//
// On SQLite the caller holds the ledger's run lock. On a shared ledger
// (PostgreSQL) fetches of several workers run side by side: the platform's
// files feed is a cursor that every listing moves and X-RESET rewinds, so
// generating and listing are claimed (ledger.ClaimListing, released once
// the listing is recorded; a worker that finds it held leaves the listing
// to its holder), and each listed file is downloaded by the worker that
// claims it (ledger.ClaimFile, its name). Partial downloads and files
// missing from disk of a file another worker holds are its own, not
// removed or downloaded again.
func Fetch(ctx context.Context, c *twikey.Client, l *ledger.DB, opt FetchOptions) (_ *FetchResult, err error) {
	res := &FetchResult{Format: opt.Format, Dir: opt.Dir, Files: []FetchedFile{}, Owed: []OwedFile{}, Cleaned: []string{}, Errors: []string{}, Elsewhere: []string{}}
	defer func() {
		if err != nil || !opt.Hold {
			res.Release(ctx)
		}
	}()
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, err
	}
	held, err := heldElsewhere(ctx, l, ledger.ClaimFile) // files other workers hold now
	if err != nil {
		return nil, err
	}
	cleaned, err := cleanPartial(opt.Dir, held)
	if err != nil {
		return nil, err
	}
	res.Cleaned = append(res.Cleaned, cleaned...)
	if _, err := l.MarkBooked(ctx); err != nil {
		return nil, err
	}
	down, err := l.PlatformFiles(ctx, ledger.FileDownloaded)
	if err != nil {
		return nil, err
	}
	for _, p := range down {
		if _, ok := held[p.Name]; ok {
			continue // on the disk of the worker importing it
		}
		if _, err := os.Stat(p.Path); os.IsNotExist(err) {
			if err := l.FileMissing(ctx, p.ID); err != nil {
				return nil, err
			}
		}
	}
	feed, other, err := claim(ctx, l, ledger.ClaimListing, "files")
	if err != nil {
		return nil, err
	}
	if other != nil {
		res.ListedBy = other.Owner
	} else {
		if opt.Generate {
			n, err := c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true, Paylink: opt.Paylink, Format: opt.Format})
			if err != nil {
				res.Errors = append(res.Errors, err.Error())
			}
			res.Generated = n
		}
		err := list(ctx, c, l, opt, res)
		finish(ctx, feed, false) // the feed is the next listing's again
		if err != nil {
			return nil, err
		}
	}
	owed, err := l.PlatformFiles(ctx, ledger.FileListed)
	if err != nil {
		return nil, err
	}
	for _, p := range owed {
		if p.Format != opt.Format {
			continue
		}
		fc, other, err := claim(ctx, l, ledger.ClaimFile, p.Name)
		if err != nil {
			return nil, err
		}
		if other != nil {
			res.Elsewhere = append(res.Elsewhere, p.Name)
			continue
		}
		if fc != nil {
			res.claims = append(res.claims, fc)
			// Downloaded meanwhile by the worker that held it before.
			if now, err := l.PlatformFiles(ctx, ledger.FileListed); err != nil {
				return nil, err
			} else if !listed(now, p.ID) {
				continue
			}
		}
		ff := FetchedFile{Name: p.Name, Created: p.Created}
		d, err := download(ctx, c, opt, p.Name)
		if err != nil {
			ff.Error = err.Error()
			if err := l.FileFailed(ctx, p.ID, ff.Error); err != nil {
				return nil, err
			}
		} else {
			ff.Path, ff.Bytes, ff.New = d.Path, d.Bytes, p.Attempts == 0
			if err := l.FileDownloaded(ctx, p.ID, d.Path, d.Bytes, d.SHA256); err != nil {
				return nil, err
			}
		}
		res.Files = append(res.Files, ff)
	}
	seen := make(map[int64]bool, len(owed))
	for _, p := range owed {
		seen[p.ID] = true
	}
	if owed, err = l.PlatformFiles(ctx, ledger.FileListed); err != nil {
		return nil, err
	}
	if held, err = heldElsewhere(ctx, l, ledger.ClaimFile); err != nil {
		return nil, err
	}
	for _, p := range owed {
		if _, ok := held[p.Name]; ok || contains(res.Elsewhere, p.Name) {
			continue
		}
		if res.ListedBy != "" && !seen[p.ID] {
			// listed meanwhile by the worker holding the feed, which
			// claims and downloads what it listed once the listing is
			// recorded: its file, not one owed
			res.Elsewhere = append(res.Elsewhere, p.Name)
			continue
		}
		res.Owed = append(res.Owed, OwedFile{Name: p.Name, Format: p.Format, ListedAt: p.ListedAt, Attempts: p.Attempts, LastError: p.LastError})
	}
	return res, nil
}

// heldElsewhere returns the units of kind other workers hold now, by key;
// none on SQLite.
func heldElsewhere(ctx context.Context, l *ledger.DB, kind ledger.ClaimKind) (map[string]ledger.ClaimState, error) {
	held := map[string]ledger.ClaimState{}
	if !Shared(l) {
		return held, nil
	}
	live, err := l.LiveClaims(ctx, kind)
	for k, st := range live {
		if !st.Mine() {
			held[k] = st
		}
	}
	return held, err
}

// listed tells whether the file id is among fs.
func listed(fs []ledger.PlatformFile, id int64) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cleanPartial removes the partial downloads an interrupted fetch left in
// dir (twikey.CleanPartial), except those of files another worker holds:
// it may be writing them now.
func cleanPartial(dir string, held map[string]ledger.ClaimState) ([]string, error) {
	if len(held) == 0 {
		return twikey.CleanPartial(dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var removed []string
	for _, e := range ents {
		n := e.Name()
		name, _, ok := strings.Cut(strings.TrimPrefix(n, "."), ".part-")
		if !e.Type().IsRegular() || !strings.HasPrefix(n, ".") || !ok {
			continue
		}
		if _, busy := held[name]; busy {
			continue
		}
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !os.IsNotExist(err) {
			return removed, err
		}
		removed = append(removed, n)
	}
	return removed, nil
}

// list lists the platform's files and records them in the ledger, the
// listing itself recorded before it is sent. A plain listing whose answer
// was lost is listed again at once with the reset the ledger then gives.
func list(ctx context.Context, c *twikey.Client, l *ledger.DB, opt FetchOptions, res *FetchResult) error {
	for attempt := 0; ; attempt++ {
		ls, err := l.BeginListing(ctx, opt.Format)
		if err != nil {
			return err
		}
		if !opt.Reset.IsZero() && (ls.Reset.IsZero() || opt.Reset.Before(ls.Reset)) {
			ls.Reset = opt.Reset // asks for more than the ledger needs
		}
		if !ls.Reset.IsZero() {
			res.Reset = ls.Reset.UTC().Format(time.RFC3339)
		}
		files, err := c.ListFiles(ctx, ls.Reset)
		if err != nil {
			if ls.Reset.IsZero() && attempt == 0 && ctx.Err() == nil {
				continue // the ledger now resets to before the lost answer
			}
			res.Errors = append(res.Errors, err.Error())
			return nil
		}
		listed := make([]ledger.ListedFile, len(files))
		for i, x := range files {
			listed[i] = ledger.ListedFile{Name: x.Name, Format: twikey.FileFormat(x.Name), Created: x.Created}
		}
		added, err := l.CompleteListing(ctx, ls, listed)
		if err != nil {
			return err
		}
		res.Listed, res.Added = len(files), added
		return nil
	}
}

// download fetches one listed file into the output folder.
func download(ctx context.Context, c *twikey.Client, opt FetchOptions, name string) (*twikey.Download, error) {
	if err := twikey.CheckFileName(name); err != nil {
		return nil, err
	}
	var progress io.Writer
	if opt.Progress != nil {
		progress = opt.Progress(name)
	}
	return c.DownloadFile(ctx, name, opt.Dir, progress)
}

// Owed marks the platform files the ledger has imported as booked, and
// names those it still owes: listed and not downloaded, or downloaded and
// not booked. The night needs a person while any is owed. On a shared
// ledger a file another worker holds (downloading or importing it) is not
// owed.
func Owed(ctx context.Context, l *ledger.DB) ([]string, error) {
	if _, err := l.MarkBooked(ctx); err != nil {
		return nil, err
	}
	fs, err := l.PlatformFiles(ctx, ledger.FileListed, ledger.FileDownloaded)
	if err != nil {
		return nil, err
	}
	held, err := heldElsewhere(ctx, l, ledger.ClaimFile)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fs {
		if _, ok := held[f.Name]; ok {
			continue
		}
		what := "not downloaded"
		if f.State == ledger.FileDownloaded {
			what = "downloaded to " + filepath.Base(f.Path) + ", not booked"
		}
		out = append(out, fmt.Sprintf("%s (%s)", Quoted(f.Name), what))
	}
	return out, nil
}

// Quoted prints a name the platform chose between quotes, control and
// formatting characters escaped (letters such as é stay as they are).
func Quoted(name string) string { return `"` + safename.Escape(name) + `"` }
