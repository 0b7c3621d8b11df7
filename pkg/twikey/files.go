package twikey

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File formats of reconciliation files.
const (
	FormatCAMT = "camt" // camt.053
	FormatCODA = "coda"
)

// GenerateFilesRequest asks for reconciliation files.
type GenerateFilesRequest struct {
	SDD     bool   // files for recurring transactions (direct debit, credit card)
	Paylink bool   // files for payment links
	Format  string // FormatCAMT (default) or FormatCODA
}

// GenerateFiles asks the platform to generate reconciliation files:
// POST /creditor/files. It returns the number of files generated
// (X-FILES-CREATED; 0 when there was nothing new). Fetch them with ListFiles
// and DownloadFile.
func (c *Client) GenerateFiles(ctx context.Context, g GenerateFilesRequest, opts ...CallOption) (int, error) {
	switch g.Format {
	case "":
		g.Format = FormatCAMT
	case FormatCAMT, FormatCODA:
	default:
		return 0, fmt.Errorf("twikey: generate files: format %q: want %q or %q", g.Format, FormatCAMT, FormatCODA)
	}
	form := url.Values{
		"sdd":     {strconv.FormatBool(g.SDD)},
		"paylink": {strconv.FormatBool(g.Paylink)},
		"format":  {g.Format},
	}
	req := newRequest(http.MethodPost, "/creditor/files", strings.NewReader(form.Encode()), opts)
	req.header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.do(ctx, req)
	if err != nil {
		return 0, err
	}
	drain(resp)
	n := 0
	if v := resp.Header.Get("X-FILES-CREATED"); v != "" {
		if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
			return 0, fmt.Errorf("twikey: POST /creditor/files: X-FILES-CREATED %q: not a number", v)
		}
	}
	return n, nil
}

// File is a reconciliation file available for download.
type File struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// ListFiles returns the reconciliation files generated since the previous
// listing: GET /creditor/files. A non-zero reset (X-RESET) first resets the
// feed to that time, to list older files again.
func (c *Client) ListFiles(ctx context.Context, reset time.Time) ([]File, error) {
	req := newRequest(http.MethodGet, "/creditor/files", nil, nil)
	req.header.Set("Accept", "application/json")
	if !reset.IsZero() {
		req.header.Set("X-RESET", reset.UTC().Format(time.RFC3339))
	}
	var out struct {
		Files []File `json:"Files"`
	}
	if err := c.getJSON(ctx, req, &out); err != nil {
		return nil, err
	}
	return out.Files, nil
}

// Download is a downloaded file.
type Download struct {
	Name  string // the platform's file name
	Path  string // where it now is
	Bytes int64  // its size on disk (after gunzip)
}

// CheckFileName rejects a file name that is not a plain name: the platform
// chooses the names, and a name such as "../x" must not write outside the
// target directory.
func CheckFileName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") || filepath.Base(name) != name || strings.HasPrefix(name, ".") {
		return fmt.Errorf("twikey: file name %q: not a plain file name", name)
	}
	return nil
}

// DownloadFile downloads reconciliation file name into dir:
// GET /creditor/files/{name}. The file is streamed to a temp file in dir
// and renamed to dir/name only when complete and synced, so a dropped
// connection never leaves a partial file; a gzip Content-Encoding is
// undone on the fly. A download that breaks off is started again (it is a
// GET) up to the retry limit. progress, when not nil, is written a copy of
// the bytes as they arrive (a progress bar).
func (c *Client) DownloadFile(ctx context.Context, name, dir string, progress io.Writer) (*Download, error) {
	if err := CheckFileName(name); err != nil {
		return nil, err
	}
	call := "GET /creditor/files/" + name
	for attempt := 0; ; attempt++ {
		d, retry, err := c.downloadOnce(ctx, name, dir, progress)
		if err == nil {
			return d, nil
		}
		if !retry || attempt >= c.maxRetries || ctx.Err() != nil {
			return nil, err
		}
		if serr := c.clock.Sleep(ctx, c.backoff(attempt)); serr != nil {
			return nil, fmt.Errorf("twikey: %s: %w", call, serr)
		}
	}
}

// readErr marks an error of the network stream, as opposed to the disk.
type readErr struct{ err error }

func (e readErr) Error() string { return e.err.Error() }
func (e readErr) Unwrap() error { return e.err }

type taggedReader struct{ r io.Reader }

func (t taggedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		err = readErr{err}
	}
	return n, err
}

// downloadOnce makes one attempt; retry tells whether a failure came from
// the stream (worth another attempt) rather than from the disk.
func (c *Client) downloadOnce(ctx context.Context, name, dir string, progress io.Writer) (_ *Download, retry bool, err error) {
	call := "GET /creditor/files/" + name
	req := newRequest(http.MethodGet, "/creditor/files/"+url.PathEscape(name), nil, nil)
	// Setting Accept-Encoding ourselves turns off the transport's
	// transparent gunzip, so Content-Encoding is seen and handled here.
	req.header.Set("Accept-Encoding", "gzip")
	resp, err := c.do(ctx, req)
	if err != nil {
		return nil, false, err // do has already retried what may be retried
	}
	defer resp.Body.Close()

	tmp, err := os.CreateTemp(dir, "."+name+".part-*")
	if err != nil {
		return nil, false, fmt.Errorf("twikey: %s: %w", call, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var src io.Reader = taggedReader{resp.Body}
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, true, fmt.Errorf("twikey: %s: gzip: %w", call, err)
		}
		defer zr.Close()
		src = taggedReader{zr}
	}
	var dst io.Writer = tmp
	if progress != nil {
		dst = io.MultiWriter(tmp, progress)
	}
	n, err := io.Copy(dst, src)
	if err != nil {
		var re readErr
		if errors.As(err, &re) {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, true, fmt.Errorf("twikey: %s: connection broke off after %d bytes: %w", call, n, err)
		}
		return nil, false, fmt.Errorf("twikey: %s: writing %s: %w", call, tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return nil, false, fmt.Errorf("twikey: %s: %w", call, err)
	}
	if err = tmp.Close(); err != nil {
		return nil, false, fmt.Errorf("twikey: %s: %w", call, err)
	}
	final := filepath.Join(dir, name)
	if err = os.Rename(tmp.Name(), final); err != nil {
		return nil, false, fmt.Errorf("twikey: %s: %w", call, err)
	}
	return &Download{Name: name, Path: final, Bytes: n}, false, nil
}
