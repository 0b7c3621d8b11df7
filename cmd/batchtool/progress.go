package main

// Progress of long reads on a terminal: bytes and lines per second, and the
// time left when the size is known. Never in a pipe or a log: only when
// standard error is a terminal.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal, the default of
// app.isTerminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress shows how far a command has read its inputs. A nil *progress
// shows nothing and costs nothing.
type progress struct {
	bar   *progressbar.ProgressBar
	what  string
	start time.Time

	mu        sync.Mutex
	lines     int64
	described time.Time
	finished  bool
}

// newProgress starts a progress bar on standard error for reading total
// bytes (-1: unknown), or returns nil when standard error is not a
// terminal or -q was given.
func (a *app) newProgress(what string, total int64) *progress {
	if a.quiet || a.isTerminal == nil || !a.isTerminal(a.stderr) {
		return nil
	}
	if total == 0 {
		total = -1
	}
	p := &progress{what: what, start: time.Now()}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetPredictTime(total > 0),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(20),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
	)
	return p
}

// reader counts what is read from r towards the progress.
func (p *progress) reader(r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	return &progressReader{r: r, p: p}
}

// add counts n bytes holding lines line ends.
func (p *progress) add(n int, lines int) {
	p.mu.Lock()
	p.lines += int64(lines)
	now := time.Now()
	if now.Sub(p.described) >= 250*time.Millisecond {
		p.described = now
		rate := float64(p.lines) / now.Sub(p.start).Seconds()
		p.bar.Describe(fmt.Sprintf("%s: %d lines, %.0f lines/s", p.what, p.lines, rate))
	}
	p.mu.Unlock()
	p.bar.Add64(int64(n))
}

// clear takes the bar off the line for a message; the next read draws it
// again.
func (p *progress) clear() {
	if p != nil && !p.finished {
		p.bar.Clear()
	}
}

// finish clears the bar, so that what the command prints next starts on a
// clean line; once.
func (p *progress) finish() {
	if p == nil || p.finished {
		return
	}
	p.finished = true
	p.bar.Finish()
	p.bar.Clear()
}

type progressReader struct {
	r io.Reader
	p *progress
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.p.add(n, bytes.Count(b[:n], []byte{'\n'}))
	}
	return n, err
}

// inputSize is the bytes on disk of the named inputs, or -1 when one of
// them has no size known in advance (standard input, a pipe).
func inputSize(names []string) int64 {
	var total int64
	for _, n := range names {
		if n == stdioName {
			return -1
		}
		st, err := os.Stat(n)
		if err != nil || !st.Mode().IsRegular() {
			if err == nil && st.IsDir() {
				continue
			}
			return -1
		}
		total += st.Size()
	}
	return total
}

// verboseDone tells, with -v, how long reading size bytes took and at what
// speed, on standard error.
func (a *app) verboseDone(what string, start time.Time, size int64) {
	if !a.verbose {
		return
	}
	d := time.Since(start)
	if size < 0 {
		fmt.Fprintf(a.stderr, "%s: took %s\n", what, d.Round(time.Millisecond))
		return
	}
	fmt.Fprintf(a.stderr, "%s: %d bytes in %s (%.1f MB/s)\n", what, size, d.Round(time.Millisecond), float64(size)/1e6/d.Seconds())
}
