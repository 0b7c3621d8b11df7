package twikey

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/batchtool/batchtool/internal/safename"
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
//
// The platform lists a file once: a plain listing whose answer is lost on
// the wire has moved the feed on, and the same call sent again answers
// nothing. So a plain listing is not sent again after a network error (the
// error says so); list again with a reset to before the last listing known
// to be complete (the ledger keeps that). A listing with a reset answers
// the same files however often it is sent, and is retried as any GET.
func (c *Client) ListFiles(ctx context.Context, reset time.Time) ([]File, error) {
	req := newRequest(http.MethodGet, "/creditor/files", nil, nil)
	req.header.Set("Accept", "application/json")
	if !reset.IsZero() {
		req.header.Set("X-RESET", reset.UTC().Format(time.RFC3339))
	} else {
		req.lossy = true
	}
	var out struct {
		Files []File `json:"Files"`
	}
	if err := c.getJSON(ctx, req, &out); err != nil {
		return nil, err
	}
	return out.Files, nil
}

// FileFormat tells a reconciliation file's format from the name the
// platform gave it: CODA files end in .cod (or .coda), camt.053 files in
// .xml.
func FileFormat(name string) string {
	n := strings.ToLower(name)
	if strings.HasSuffix(n, ".cod") || strings.HasSuffix(n, ".coda") {
		return FormatCODA
	}
	return FormatCAMT
}

// Download is a downloaded file.
type Download struct {
	Name  string // the platform's file name
	Path  string // where it now is
	Bytes int64  // its size on disk (after gunzip)
	// SHA256 is the hex SHA-256 of the file on disk, as the ledger names
	// statement files.
	SHA256 string
}

// CheckFileName rejects a file name that is not a plain name: the platform
// chooses the names, and a name such as "../x" must not write outside the
// target directory, nor one holding a control or bidirectional formatting
// character (a newline, an escape sequence, U+202E) be written to disk or
// printed raw: the same rule as every name batchtool takes from input
// (internal/safename). The error prints the name escaped.
func CheckFileName(name string) error {
	if err := safename.Check(name); err != nil {
		return fmt.Errorf("twikey: file %w", err)
	}
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\") || filepath.Base(name) != name || strings.HasPrefix(name, ".") {
		return fmt.Errorf("twikey: file name %q: not a plain file name", name)
	}
	return nil
}

// DefaultMaxDownload is the largest reconciliation file DownloadFile takes
// by default (after gunzip): far above a year of statements of one account.
const DefaultMaxDownload = 4 << 30

// maxExpansion bounds how much a gzip-encoded download may grow: statement
// XML and CODA compress well, but not a thousandfold. Past the first
// expansionFloor bytes a body that grows beyond maxExpansion times what came
// over the wire is refused as a decompression bomb.
const (
	maxExpansion   = 200
	expansionFloor = 64 << 20
)

// CleanPartial removes what interrupted downloads left in dir (the
// ".NAME.part-*" temp files DownloadFile writes): run it when no other
// download into dir can be running. It returns the names it removed.
func CleanPartial(dir string) ([]string, error) {
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
		if e.Type().IsRegular() && strings.HasPrefix(n, ".") && strings.Contains(n, ".part-") {
			if err := os.Remove(filepath.Join(dir, n)); err != nil && !os.IsNotExist(err) {
				return removed, err
			}
			removed = append(removed, n)
		}
	}
	return removed, nil
}

// CheckContent tells whether the first bytes of a downloaded file are the
// format its name promises: a camt file is XML (not an HTML error page), a
// CODA file starts with its header record (record type 0, "00000").
func CheckContent(name string, head []byte) error {
	h := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch FileFormat(name) {
	case FormatCODA:
		if !bytes.HasPrefix(h, []byte("00000")) {
			return fmt.Errorf("not a CODA file: it does not start with a header record (00000), but %+q", excerpt(h))
		}
	default:
		low := bytes.ToLower(h[:min(len(h), 64)])
		if !bytes.HasPrefix(h, []byte("<")) || bytes.HasPrefix(low, []byte("<!doctype html")) || bytes.HasPrefix(low, []byte("<html")) {
			return fmt.Errorf("not a camt XML file: it starts with %+q", excerpt(h))
		}
	}
	return nil
}

func excerpt(b []byte) string {
	if len(b) > 40 {
		b = b[:40]
	}
	return string(b)
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
// the stream (worth another attempt) rather than from the disk or from
// what was sent (an error page, a file too large, the wrong format: the
// same again next time).
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
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt == "text/html" || mt == "application/json" || strings.HasSuffix(mt, "+json") {
			return nil, true, fmt.Errorf("twikey: %s: the platform answered %s, not a reconciliation file", call, mt)
		}
	}

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
	wire := &countingReader{r: resp.Body}
	var src io.Reader = taggedReader{wire}
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, true, fmt.Errorf("twikey: %s: gzip: %w", call, err)
		}
		defer zr.Close()
		src = &expansionGuard{r: taggedReader{zr}, wire: wire}
	}
	// One byte more than the cap tells a file at the cap from a larger one.
	src = io.LimitReader(src, c.maxDown+1)
	head, sum := &headWriter{}, sha256.New()
	var dst io.Writer = io.MultiWriter(tmp, head, sum)
	if progress != nil {
		dst = io.MultiWriter(tmp, head, sum, progress)
	}
	n, err := io.Copy(dst, src)
	if err != nil {
		var re readErr
		var ee *expansionError
		switch {
		case errors.As(err, &ee):
			return nil, false, fmt.Errorf("twikey: %s: %w", call, ee)
		case errors.As(err, &re):
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, true, fmt.Errorf("twikey: %s: connection broke off after %d bytes: %w", call, n, err)
		}
		return nil, false, fmt.Errorf("twikey: %s: writing %s: %w", call, tmp.Name(), err)
	}
	if n > c.maxDown {
		return nil, false, fmt.Errorf("twikey: %s: larger than %d bytes, the most a reconciliation file may be (twikey.Options.MaxDownload): refused", call, c.maxDown)
	}
	if err = CheckContent(name, head.b); err != nil {
		return nil, false, fmt.Errorf("twikey: %s: %w", call, err)
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
	return &Download{Name: name, Path: final, Bytes: n, SHA256: hex.EncodeToString(sum.Sum(nil))}, false, nil
}

// countingReader counts the bytes that came over the wire.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// expansionGuard stops a gzip body that grows past maxExpansion times the
// bytes that came over the wire.
type expansionGuard struct {
	r    io.Reader
	wire *countingReader
	out  int64
}

type expansionError struct{ out, in int64 }

func (e *expansionError) Error() string {
	return fmt.Sprintf("gzip body expands %d bytes on the wire to more than %d: over %d times, a decompression bomb, refused", e.in, e.out, maxExpansion)
}

func (g *expansionGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.out += int64(n)
	if g.out > expansionFloor && g.out > maxExpansion*g.wire.n {
		return n, &expansionError{out: g.out, in: g.wire.n}
	}
	return n, err
}

// headWriter keeps the first bytes written, for CheckContent.
type headWriter struct{ b []byte }

func (h *headWriter) Write(p []byte) (int, error) {
	if room := 512 - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
