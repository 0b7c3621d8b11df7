package coda

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
)

// Bounds of the default part size: about four parts per worker, so that a
// worker slowed by other work on the machine does not hold the others up.
const (
	minPart = 4 << 20
	maxPart = 32 << 20
)

// File is what a whole file read by ReadParallel holds besides its
// entries: the same findings, statements and charset a single Reader
// reports for the file.
type File struct {
	Findings   []finding.Finding
	Statements []*statement.Statement
	Charset    Charset
	// Err is the error that stopped the read (an I/O error, naming file
	// and line); the parts after it were not used.
	Err error

	free map[*statement.Statement][]string
}

// Part reports whether the Reader reads one part of a file that
// ReadParallel cut, on a worker goroutine; false: the whole file, on the
// caller's goroutine.
func (r *Reader) Part() bool { return r.part }

// FreeCommunications returns the free communications (record 4) of a
// statement of the file.
func (f *File) FreeCommunications(st *statement.Statement) []string { return f.free[st] }

// Parts says how ReadParallel cuts a file.
type Parts struct {
	// Workers is the number of goroutines reading parts; with 1 or less
	// one Reader reads the whole file.
	Workers int
	// Size is about how many bytes a part holds; 0: a quarter of the
	// file per worker, within 4 to 32 MiB. A file smaller than two parts
	// is read whole.
	Size int64
	// Max, if not 0, is the most bytes a part may hold: a file with a
	// statement too long to cut that fine is read whole by one Reader.
	Max int64
}

// ReadParallel reads the CODA file in ra (size bytes, named name in
// findings) in parts that hold whole statements — a part starts at a
// header record 0 that follows a trailer record 9 — on up to p.Workers
// goroutines. work reads the entries of one part from the part's Reader on
// a worker goroutine and returns what it made of them; use gets each
// part's result on the caller's goroutine, in file order. A file read
// whole (see Parts) is one part, read on the caller's goroutine:
// Reader.Part then reports false. The entries have the line numbers of
// the file, and File has the findings, statements and charset one Reader
// reading the whole file reports, in the same order.
//
// Where the state a Reader carries from one statement into the next
// changes a part's reading — the charset an earlier part detected, the
// bounds on statements and free communications per file — that part is
// read again, with that state, on the caller's goroutine: work may be
// called more than once for a part, and only one of its results is used.
func ReadParallel[T any](ra io.ReaderAt, size int64, name string, p Parts, work func(r *Reader) T, use func(v T), opts ...Option) *File {
	target := p.Size
	if target <= 0 {
		target = min(max(size/int64(4*max(p.Workers, 1)), minPart), maxPart)
	}
	if p.Workers <= 1 || size < 2*target {
		target = 0 // one part
	}
	return readParallel(ra, size, name, p.Workers, target, p.Max, work, use, opts...)
}

// readParallel is ReadParallel with parts of about target bytes (0: the
// file in one part), at most maxPart (0: any).
func readParallel[T any](ra io.ReaderAt, size int64, name string, workers int, target, maxPart int64, work func(r *Reader) T, use func(v T), opts ...Option) *File {
	var parts []filePart
	if target > 0 {
		var err error
		if parts, err = split(ra, size, target); err != nil {
			return &File{Err: fmt.Errorf("coda: %s: %w", name, err)}
		}
		if maxPart > 0 && slices.ContainsFunc(parts, func(p filePart) bool { return p.n > maxPart }) {
			parts = nil
		}
	}
	if len(parts) < 2 {
		r := NewReader(io.NewSectionReader(ra, 0, size), name, opts...)
		use(work(r))
		f := &File{Findings: r.Findings(), Statements: r.Statements(), Charset: r.Charset(), free: r.free}
		if r.err != nil {
			f.Err = r.err
		}
		return f
	}

	// Part i's Reader starts at the line after the last of the parts
	// before it: each worker counts the lines of its part and passes the
	// sum on.
	starts := make([]chan int, len(parts)+1)
	for i := range starts {
		starts[i] = make(chan int, 1)
	}
	starts[0] <- 0
	var stop atomic.Bool
	m := newMerge(name, opts)
	statement.InOrderN(len(parts), workers, func(i int) partResult[T] {
		p := parts[i]
		n, err := countLines(ra, p)
		line := <-starts[i]
		starts[i+1] <- line + n
		if err != nil || stop.Load() {
			return partResult[T]{line: line, err: err}
		}
		r := m.partReader(ra, p, line, initialState(opts))
		return partResult[T]{r: r, v: work(r), line: line}
	}, func(i int, res partResult[T]) {
		if m.file.Err != nil {
			return
		}
		if res.err != nil {
			m.file.Err = fmt.Errorf("coda: %s: line %d: %w", name, res.line, res.err)
			stop.Store(true)
			return
		}
		if !m.exact(res.r) {
			// read again with the state the parts before it leave
			res.r = m.partReader(ra, parts[i], res.line, m.state)
			res.v = work(res.r)
		}
		m.add(res.r, i == len(parts)-1)
		use(res.v)
		if m.file.Err != nil {
			stop.Store(true)
		}
	})
	return m.finish()
}

type partResult[T any] struct {
	r    *Reader
	v    T
	line int
	err  error
}

// filePart is a byte range of a file.
type filePart struct{ off, n int64 }

// split cuts the file into parts of about target bytes, each ending right
// before a header record 0 that follows a trailer record 9.
func split(ra io.ReaderAt, size, target int64) ([]filePart, error) {
	buf := make([]byte, 64<<10)
	return statement.Split(size, target, func(from int64) (int64, error) { return nextCut(ra, size, from, buf) },
		func(off, n int64) filePart { return filePart{off, n} })
}

// nextCut returns the offset of the first line at or after from that
// starts with '0' and follows a line that starts with '9'; -1 if none.
func nextCut(ra io.ReaderAt, size, from int64, buf []byte) (int64, error) {
	pos := from - 1 // a line end there makes from a line start
	lineStart := false
	var prev, cur byte // first bytes of the previous and current line; 0: not seen
	for pos < size {
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		if n == 0 && err != nil {
			return 0, err
		}
		b := buf[:n]
		for i := 0; i < len(b); {
			if lineStart {
				if b[i] == '0' && prev == '9' {
					return pos + int64(i), nil
				}
				cur, lineStart = b[i], false
			}
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			prev, cur, lineStart = cur, 0, true
		}
		pos += int64(n)
	}
	return -1, nil
}

// countLines counts the line ends in part p.
func countLines(ra io.ReaderAt, p filePart) (int, error) {
	buf := make([]byte, 64<<10)
	n := 0
	for off := p.off; off < p.off+p.n; {
		k, err := ra.ReadAt(buf[:min(int64(len(buf)), p.off+p.n-off)], off)
		n += bytes.Count(buf[:k], []byte{'\n'})
		off += int64(k)
		if k == 0 && err != nil {
			return n, err
		}
	}
	return n, nil
}

// partState is what a sequential Reader carries from the parts before a
// part into it.
type partState struct {
	charset    Charset // the Reader's csUsed
	statements int     // statements kept
	free       int     // free communications kept
}

func initialState(opts []Option) partState {
	r := &Reader{}
	for _, o := range opts {
		o(r)
	}
	return partState{charset: r.charset}
}

// merge puts the parts' findings and statements together as one Reader
// would have them.
type merge struct {
	name       string
	opts       []Option
	state      partState
	file       File
	perRule    map[string]int
	suppressed map[string]int
	skipping   bool
	done       bool
}

func newMerge(name string, opts []Option) *merge {
	return &merge{name: name, opts: opts, state: initialState(opts), perRule: map[string]int{}, suppressed: map[string]int{},
		file: File{free: map[*statement.Statement][]string{}}}
}

func (m *merge) partReader(ra io.ReaderAt, p filePart, line int, s partState) *Reader {
	r := NewReader(io.NewSectionReader(ra, p.off, p.n), m.name, m.opts...)
	r.part, r.line = true, line
	r.csUsed, r.stBefore, r.nFree, r.freeBefore = s.charset, s.statements, s.free, s.free
	return r
}

// exact reports whether r, read from the initial state, read its part as
// a Reader that read the parts before it would have.
func (m *merge) exact(r *Reader) bool {
	init := initialState(m.opts)
	if r.detected && m.state.charset != init.charset {
		// an earlier part decided the charset: the same decision only
		// costs the detection warning, which is then dropped
		if r.csUsed != m.state.charset || r.detectIdx >= 0 && r.suppressed[RuleCharset] > 0 {
			return false
		}
	}
	return m.state.statements+r.stSeen <= maxStatements && m.state.free+r.freeSeen <= maxFree
}

// add merges the part read by r, in file order.
func (m *merge) add(r *Reader, last bool) {
	fs := r.findings
	if r.detected && m.state.charset != initialState(m.opts).charset && r.detectIdx >= 0 {
		fs = slices.Delete(slices.Clone(fs), r.detectIdx, r.detectIdx+1)
	}
	if r.detected {
		m.state.charset = r.csUsed
	}
	for _, f := range fs {
		if m.perRule[f.Rule] >= maxPerRule {
			m.suppressed[f.Rule]++
			continue
		}
		m.perRule[f.Rule]++
		m.file.Findings = append(m.file.Findings, f)
	}
	for rule, n := range r.suppressed {
		m.suppressed[rule] += n
	}
	m.file.Statements = append(m.file.Statements, r.statements...)
	m.state.statements += len(r.statements)
	m.state.free += r.nFree - r.freeBefore
	maps.Copy(m.file.free, r.free)
	m.skipping = r.skipping
	if r.err != nil {
		m.file.Err = r.err
		return
	}
	m.done = last && r.done
}

// finish adds what a Reader reports at the end of a file.
func (m *merge) finish() *File {
	f := &m.file
	f.Charset = m.state.charset
	if !m.done {
		return f
	}
	if len(f.Statements) == 0 && !m.skipping && len(f.Findings) == 0 {
		f.Findings = append(f.Findings, finding.Finding{Severity: finding.Error, File: m.name, Rule: RuleStructure, Message: "no statement in file"})
	}
	f.Findings = append(f.Findings, notShown(m.name, m.suppressed)...)
	return f
}
