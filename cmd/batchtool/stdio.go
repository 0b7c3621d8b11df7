package main

// The one rule for a command's files: "-" is standard input for an input
// and standard output for an output; every other output is an
// atomicfile (temp + rename for a regular file, written in place for a
// device or FIFO).

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

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

// openSource opens name ("-": standard input) for reading by content, with
// a buffer of bufSize bytes (inspect.Open). The bytes read from disk count
// towards p (nil: no progress).
func (a *app) openSource(name string, bufSize int, p *progress) (*inspect.Source, error) {
	opt := inspect.Options{BufSize: bufSize, Reading: p.reader}
	if name == stdioName {
		return inspect.NewSource(name, a.stdin, opt)
	}
	return inspect.Open(name, opt)
}

// dateText is a date as YYYY-MM-DD, "" for the zero time.
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// orDash is s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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

// jsonReportApp returns what a command with --report files and --json
// writes its result through: the report files (nil when none) and, with
// asJSON, the JSON report on standard output; and the app for its text,
// on standard error when the JSON takes standard output.
func jsonReportApp(a *app, rep *report.Files, asJSON bool) (*app, report.Writer, error) {
	var w report.Writer
	if rep != nil {
		w = rep
	}
	if !asJSON {
		return a, w, nil
	}
	text, out := jsonApp(a, true)
	jw, err := report.New(stdoutOutput{out}, report.JSON)
	if err != nil {
		return nil, nil, err
	}
	if w == nil {
		return text, jw, nil
	}
	return text, report.Multi(w, jw), nil
}

// spoolStdin saves standard input to a temporary file when one of names is
// "-", for a command that reads a file more than once (reconcile hashes a
// statement before it books it; a zip is read from its end). It returns
// the opener to use for names ("-" opens the saved copy) and a function
// that removes the copy.
func (a *app) spoolStdin(names []string) (func(string) (*os.File, error), func(), error) {
	if !slices.Contains(names, stdioName) {
		return os.Open, func() {}, nil
	}
	tmp, err := os.CreateTemp("", "batchtool-stdin-*")
	if err != nil {
		return nil, nil, err
	}
	done := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := io.Copy(tmp, a.stdin); err != nil {
		done()
		return nil, nil, usageError{fmt.Errorf("standard input: %w", err)}
	}
	open := func(name string) (*os.File, error) {
		if name == stdioName {
			return os.Open(tmp.Name())
		}
		return os.Open(name)
	}
	return open, done, nil
}
