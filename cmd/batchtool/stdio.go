package main

// The one rule for a command's files: "-" is standard input for an input
// and standard output for an output; every other output is an
// atomicfile (temp + rename for a regular file, written in place for a
// device or FIFO).

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/report"
)

// stdioName is what stands for standard input or output on the command line.
const stdioName = "-"

// output is a file a command writes: Commit publishes it, Abort throws it
// away (safe to defer after Commit).
type output interface {
	io.Writer
	Commit() error
	Abort()
}

// openInput opens name for reading, "-" being the command's standard
// input (closing it then does nothing).
func (a *app) openInput(name string) (io.ReadCloser, error) {
	if name == stdioName {
		return io.NopCloser(a.stdin), nil
	}
	return os.Open(name)
}

// createOutput starts writing name, "-" being the command's standard
// output: written as it comes, as a pipe is.
func (a *app) createOutput(name string) (output, error) {
	if name == stdioName {
		return stdoutOutput{a.stdout}, nil
	}
	return atomicfile.Create(name)
}

type stdoutOutput struct{ io.Writer }

func (stdoutOutput) Commit() error { return nil }
func (stdoutOutput) Abort()        {}

// checkStdio refuses a command line that reads standard input, or writes
// standard output, twice, naming the flags or arguments that do.
func checkStdio(kind string, names ...string) error {
	n := 0
	for _, s := range names {
		if s == stdioName {
			n++
		}
	}
	if n > 1 {
		return usagef("%q stands for standard %s, which can be given once, not %d times", stdioName, kind, n)
	}
	return nil
}

// messages is where a command prints what it did: standard output,
// unless the data itself goes there ("--out -", "--out /dev/stdout"),
// then standard error.
func (a *app) messages(outputs ...string) io.Writer {
	for _, o := range outputs {
		if o == stdioName || isStdout(a.stdout, o) {
			return a.stderr
		}
	}
	return a.stdout
}

// isStdout reports whether the file name is the file stdout writes to.
func isStdout(stdout io.Writer, name string) bool {
	f, ok := stdout.(*os.File)
	if !ok || name == "" {
		return false
	}
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(name)
	return err == nil && os.SameFile(a, b)
}

// source is an input file opened for reading by content: standard input
// for "-", a gzip file already decompressed (statement.xml.gz is read as
// statement.xml), with its first bytes at hand to tell its format.
type source struct {
	name   string
	r      *bufio.Reader // the content, decompressed
	head   []byte        // its first bytes (up to inspect.SniffLen)
	format inspect.Format
	gzip   bool     // the file is gzip; r is its content
	file   *os.File // the file itself, for a zip's random access; nil for standard input and gzip
	size   int64    // bytes on disk; -1 when unknown (standard input, a pipe)
	close  []io.Closer
}

// Close closes what openSource opened.
func (s *source) Close() error {
	var err error
	for i := len(s.close) - 1; i >= 0; i-- {
		if e := s.close[i].Close(); err == nil {
			err = e
		}
	}
	return err
}

// unreadable is an input that is not one batchtool reads: a directory, an
// empty file, an image. It is a usage error (exit 2), said in one line.
type unreadable struct {
	name, what string
}

func (u *unreadable) Error() string { return u.name + ": " + u.what }

// openSource opens name ("-": standard input) for reading by content, with
// a buffer of bufSize bytes. A directory or an empty file is refused as
// *unreadable; a gzip file is decompressed (once: a gzip inside a gzip is
// refused). The bytes read from disk count towards p (nil: no progress).
func (a *app) openSource(name string, bufSize int, p *progress) (*source, error) {
	s := &source{name: name, size: -1}
	var raw io.Reader
	if name == stdioName {
		raw = a.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		s.close = append(s.close, f)
		st, err := f.Stat()
		if err != nil {
			s.Close()
			return nil, err
		}
		if st.IsDir() {
			s.Close()
			return nil, &unreadable{name, "is a directory: give the files in it (" + name + "/*)"}
		}
		if st.Mode().IsRegular() {
			s.size = st.Size()
			if s.size == 0 {
				s.Close()
				return nil, &unreadable{name, "is empty (0 bytes)"}
			}
		}
		s.file, raw = f, f
	}
	raw = p.reader(raw)
	if bufSize < inspect.SniffLen {
		bufSize = inspect.SniffLen
	}
	s.r = bufio.NewReaderSize(raw, bufSize)
	s.head, _ = s.r.Peek(inspect.SniffLen)
	if len(s.head) == 0 {
		s.Close()
		return nil, &unreadable{name, "is empty (0 bytes)"}
	}
	if isGzip(s.head) {
		zr, err := gzip.NewReader(s.r)
		if err != nil {
			s.Close()
			return nil, &unreadable{name, "is gzip and cannot be decompressed: " + err.Error()}
		}
		zr.Multistream(true)
		s.close = append(s.close, zr)
		s.gzip, s.file = true, nil
		s.r = bufio.NewReaderSize(zr, bufSize)
		s.head, _ = s.r.Peek(inspect.SniffLen)
		if len(s.head) == 0 {
			s.Close()
			return nil, &unreadable{name, "is gzip of an empty file"}
		}
		if isGzip(s.head) {
			s.Close()
			return nil, &unreadable{name, "is gzip of a gzip file: decompress it once first"}
		}
	}
	s.format = inspect.Detect(s.head)
	if s.format == inspect.FormatZip && s.file == nil {
		what := "is a zip on standard input: give its file name (a zip is read from its end)"
		if s.gzip {
			what = "is a gzip of a zip: decompress it first"
		}
		s.Close()
		return nil, &unreadable{name, what}
	}
	return s, nil
}

func isGzip(head []byte) bool { return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b }

// foreign names what a file is when it is none of ours, from its first
// bytes: an image, a PDF, an office document; "" when it cannot tell.
func foreign(head []byte) string {
	for _, m := range []struct{ magic, what string }{
		{"\x89PNG\r\n\x1a\n", "a PNG image"},
		{"\xff\xd8\xff", "a JPEG image"},
		{"GIF87a", "a GIF image"},
		{"GIF89a", "a GIF image"},
		{"%PDF-", "a PDF document"},
		{"PK\x05\x06", "an empty zip"},
		{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.xls/.doc)"},
		{"BZh", "bzip2-compressed: decompress it first"},
		{"\xfd7zXZ\x00", "xz-compressed: decompress it first"},
		{"\x28\xb5\x2f\xfd", "zstd-compressed: decompress it first"},
		{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive: extract it first"},
	} {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			return m.what
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" {
		return "a WebP image"
	}
	return ""
}

// jsonApp returns the app a command with --json works with — its text on
// standard error — and the writer for its JSON (nil without --json).
func jsonApp(a *app, asJSON bool) (*app, io.Writer) {
	if !asJSON {
		return a, nil
	}
	text := *a
	text.stdout = a.stderr
	return &text, a.stdout
}

// writeJSON prints v indented, as every command's --json does.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonReportApp adds the JSON report on standard output to rep, for
// commands whose --json is their JSON report, and returns the app for
// their text (on standard error).
func jsonReportApp(a *app, rep report.Writer) (*app, report.Writer, error) {
	text, out := jsonApp(a, true)
	jw, err := report.New(stdoutOutput{out}, report.JSON)
	if err != nil {
		return nil, nil, err
	}
	if rep == nil {
		return text, jw, nil
	}
	return text, report.Multi(rep, jw), nil
}
