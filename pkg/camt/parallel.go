package camt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"sync/atomic"
	"time"

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
// entries: the same findings and statements a single Reader reports for
// the file.
type File struct {
	Findings   []finding.Finding
	Statements []*statement.Statement
	Format     string // camt.053.001.02
	// Err is the error that stopped the read (malformed input or an I/O
	// error, naming file and line); the parts after it were not used.
	Err error

	again int  // parts read again from the state the parts before left
	rest  bool // the rest of the file read by one Reader
}

// Parts says how ReadParallel cuts a file.
type Parts struct {
	// Workers is the number of goroutines reading parts; with 1 or less
	// one Reader reads the whole file.
	Workers int
	// Size is about how many bytes a part holds; 0: a quarter of the
	// file per worker, within 4 to 32 MiB. A file smaller than two parts
	// is read whole.
	Size int64
	// Max, if not 0, is the most bytes a part may hold: a file with
	// entries too far apart to cut that fine is read whole by one Reader.
	Max int64
}

// Part reports whether the Reader reads one part of a file that
// ReadParallel cut, on a worker goroutine; false: the whole file, on the
// caller's goroutine.
func (r *Reader) Part() bool { return r.part != nil && r.part.worker }

// Continues reports whether the Reader began inside a statement that the
// parts before it began: then its first statement (Statements()[0])
// is the last statement of the part before, holding the same fields, and
// its first entries are that statement's.
func (r *Reader) Continues() bool { return r.part != nil && r.part.cont != nil }

// partInfo is what a Reader of one part of a file knows of its part.
type partInfo struct {
	worker bool // read on a worker goroutine
	last   bool // the part ends where the file ends
	header bool // read a statement's header only: stop at its first Ntry
	// cont is the statement the part begins in (nil: the part begins
	// the file). partial: cont was read from its header only, and its
	// sums begin at the part; the checks at its end are then left to
	// ReadParallel (ended, at index endAt of the findings).
	cont      *stmtState
	contStart int // cont's entries before the part
	partial   bool
	ended     bool
	endAt     int
	// contCcy is the index of the currency warning of cont among the
	// findings, -1 when only counted, -2 when there is none.
	contCcy int
	clean   bool // ended at its end, between entries of a statement

	// the state the part was read from, when it was guessed
	spec *cutState
}

// errHeaderRead stops a Reader that reads a statement's header.
var errHeaderRead = errors.New("camt: statement header read")

// cutState is what a Reader carries from the entries before a cut (the
// start of an Ntry of a statement) to the entries after it.
type cutState struct {
	line  int // of the cut
	nStmt int // statements started
	cur   *stmtState
	doc   docState
	// guess: made from the bytes before the cut; head and headSt are
	// cur's header as it was guessed
	guess  bool
	head   stmtState
	headSt statement.Statement
}

// docState is what a Reader knows of the document around the statements.
type docState struct {
	msg      *message
	format   string
	msgID    string
	created  time.Time
	rootPath string
	msgLine  int
}

func (r *Reader) doc() docState {
	return docState{r.msg, r.format, r.msgID, r.created, r.rootPath, r.msgLine}
}

// ReadParallel reads the camt file in ra (size bytes, named name in
// findings) in parts on up to p.Workers goroutines. A part starts at an
// entry (<Ntry>) of a statement; its Reader starts with the statement
// context — document, statement header, line, how many statements and
// entries came before — found from the bytes before the cut, and
// ReadParallel checks that guess against the Reader of the part before
// when it has ended. work reads the entries of one part from the part's
// Reader on a worker goroutine and returns what it made of them; use gets
// each part's result on the caller's goroutine, in file order. A file read
// whole (see Parts) is one part, read on the caller's goroutine:
// Reader.Part then reports false. A part's first entries may belong to a
// statement that began in an earlier part: Reader.Continues says so.
//
// The entries have the line numbers and sequence numbers of the file, and
// File has the findings and statements one Reader reading the whole file
// reports, in the same order. Where the guessed context of a part turns
// out wrong (the bytes before it fooled the guess: a comment holding
// <Ntry>, a statement header after its entries), the part is read again
// with the right context on the caller's goroutine; where a cut was not
// between two entries, the rest of the file is read by one Reader there.
// So work may be called more than once for a part, and only one of its
// results is used.
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
	m := &merge{ra: ra, size: size, name: name, opts: opts, perRule: map[string]int{}, suppressed: map[string]dropped{}}
	var parts []filePart
	if target > 0 {
		var err error
		if parts, err = split(ra, size, target); err != nil {
			return &File{Err: fmt.Errorf("camt: %s: %w", name, err)}
		}
		if maxPart > 0 && slices.ContainsFunc(parts, func(p filePart) bool { return p.n > maxPart }) {
			parts = nil
		}
		if len(parts) >= 2 && !m.readHead(parts[0]) {
			parts = nil
		}
	}
	if len(parts) < 2 {
		r := NewReader(io.NewSectionReader(ra, 0, size), name, opts...)
		use(work(r))
		f := &File{Findings: r.Findings(), Statements: r.Statements(), Format: r.Format()}
		if r.err != nil {
			f.Err = r.err
		}
		return f
	}

	// Part i's guess of its context needs what the parts before it hold:
	// each worker counts the lines, statements and entries of its part
	// and passes the sums on.
	starts := make([]chan counts, len(parts)+1)
	for i := range starts {
		starts[i] = make(chan counts, 1)
	}
	starts[0] <- counts{line: 1, lastStmt: -1}
	var stop atomic.Bool
	statement.InOrderN(len(parts), workers, func(i int) partResult[T] {
		p := parts[i]
		if stop.Load() {
			// the file is read to its end or failed: what is left is
			// not read (the counts passed on are never used)
			starts[i+1] <- <-starts[i]
			return partResult[T]{}
		}
		n, err := m.count(p)
		c := <-starts[i]
		starts[i+1] <- c.then(n, p.off)
		if err != nil || stop.Load() {
			return partResult[T]{err: err}
		}
		var r *Reader
		if i == 0 {
			r = m.reader(p, nil, i == len(parts)-1)
		} else if g := m.guess(c, p); g != nil {
			r = m.reader(p, g, i == len(parts)-1)
		} else {
			return partResult[T]{} // read on the caller's goroutine
		}
		r.part.worker = true
		return partResult[T]{r: r, v: work(r)}
	}, func(i int, res partResult[T]) {
		if m.over {
			return
		}
		if res.err != nil {
			m.file.Err = fmt.Errorf("camt: %s: %w", name, res.err)
			m.over = true
			stop.Store(true)
			return
		}
		last := i == len(parts)-1
		if i > 0 && (res.r == nil || !m.exact(res.r)) {
			// read again from the state the parts before it leave
			res.r = m.reader(parts[i], m.state(), last)
			res.v = work(res.r)
			m.file.again++
		}
		if !last && (res.r.err != nil || !res.r.part.clean || !m.sameStack(res.r)) {
			// not cut between entries (or an error to find in order):
			// the rest of the file is read by one Reader
			rest := filePart{parts[i].off, size - parts[i].off}
			var st *cutState
			if i > 0 {
				*m.cur.st = m.curSt // as the parts before left it
				st = m.state()
			}
			res.r = m.reader(rest, st, true)
			res.v = work(res.r)
			last = true
			stop.Store(true)
			m.file.rest = true
		}
		m.add(res.r)
		use(res.v)
		if last || m.file.Err != nil {
			m.over = true
			stop.Store(true)
		}
	})
	return m.finish()
}

type partResult[T any] struct {
	r   *Reader
	v   T
	err error
}

// filePart is a byte range of a file.
type filePart struct{ off, n int64 }

// split cuts the file into parts of about target bytes, each but the
// first starting at an <Ntry> tag.
func split(ra io.ReaderAt, size, target int64) ([]filePart, error) {
	buf := make([]byte, 64<<10)
	return statement.Split(size, target, func(from int64) (int64, error) { return nextCut(ra, size, from, buf) },
		func(off, n int64) filePart { return filePart{off, n} })
}

var ntryTag = []byte("<Ntry>")

// nextCut returns the offset of the first <Ntry> at or after from; -1 if
// none.
func nextCut(ra io.ReaderAt, size, from int64, buf []byte) (int64, error) {
	for pos := from; pos < size; {
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		if n == 0 && err != nil {
			return 0, err
		}
		if i := bytes.Index(buf[:n], ntryTag); i >= 0 {
			return pos + int64(i), nil
		}
		if pos+int64(n) >= size {
			break
		}
		pos += int64(max(n-len(ntryTag)+1, 1))
	}
	return -1, nil
}

// counts is what the bytes of the parts before a cut tell of it: its
// line, the statement start tags before it, the offset and line of the
// last, and the entry start tags after that.
type counts struct {
	line     int
	nStmt    int
	lastStmt int64 // -1: none
	stmtLine int
	nNtry    int
}

// then returns the counts after a part at off that holds n.
func (c counts) then(n counts, off int64) counts {
	out := counts{line: c.line + n.line, nStmt: c.nStmt + n.nStmt}
	if n.lastStmt >= 0 {
		out.lastStmt, out.stmtLine, out.nNtry = off+n.lastStmt, c.line+n.stmtLine, n.nNtry
	} else {
		out.lastStmt, out.stmtLine, out.nNtry = c.lastStmt, c.stmtLine, c.nNtry+n.nNtry
	}
	return out
}

// count counts the line feeds, statement start tags and entry start tags
// of a part (offsets and lines relative to the part). The tags are found
// by their names without the '<', rarer bytes than '<' that bytes.Index
// skips to fast.
func (m *merge) count(p filePart) (counts, error) {
	const window = 64 << 10
	buf := make([]byte, window+16)
	c := counts{lastStmt: -1}
	stmtName := m.stmtTag[1:]
	for pos := int64(0); pos < p.n; pos += window {
		k, err := m.ra.ReadAt(buf[:min(int64(len(buf)), p.n-pos)], p.off+pos)
		if k == 0 && err != nil {
			return c, err
		}
		b := buf[:k]
		w := min(k, window) // tags whose '<' is at b[:w] are this window's
		from := 0
		for i := 1; i < len(b); {
			j := bytes.Index(b[i:], stmtName)
			if j < 0 {
				break
			}
			j += i
			if b[j-1] == '<' && j-1 < w {
				c.lastStmt, c.stmtLine, c.nNtry = pos+int64(j-1), c.line+bytes.Count(b[:j-1], []byte{'\n'}), 0
				c.nStmt++
				from = j
			}
			i = j + 1
		}
		for i := max(from, 1); i < len(b); {
			j := bytes.Index(b[i:], ntryTag[1:])
			if j < 0 {
				break
			}
			j += i
			if b[j-1] == '<' && j-1 < w {
				c.nNtry++
			}
			i = j + 1
		}
		c.line += bytes.Count(b[:w], []byte{'\n'})
	}
	return c, nil
}

// merge puts the parts' findings and statements together as one Reader
// would have them.
type merge struct {
	ra   io.ReaderAt
	size int64
	name string
	opts []Option

	// from the head of the file
	head     docState
	stack    []byte // open elements at an entry: Document, message, statement
	stackOff []int
	stmtTag  []byte // <Stmt>

	// the state at the end of the parts added
	line  int
	nStmt int
	cur   *stmtState
	curSt statement.Statement // *cur.st as the parts added left it
	doc   docState

	file       File
	perRule    map[string]int
	suppressed map[string]dropped
	over       bool
}

// readHead reads the file up to its first entry, for the document's
// context and the names of the open elements there; false if the file is
// not one to cut (an encoding but UTF-8, prefixed names, no entry).
func (m *merge) readHead(p filePart) bool {
	r := NewReader(io.NewSectionReader(m.ra, 0, p.n), m.name)
	r.part = &partInfo{header: true, contCcy: -2}
	r.s.partEnd = true
	if !readHeader(r) {
		return false
	}
	if r.s.r != r.in || r.cur == nil || r.depth != 3 || r.s.depth() != 3 || bytes.IndexByte(r.s.stack, ':') >= 0 {
		return false // Latin-1, or not where an entry is expected
	}
	m.head = r.doc()
	m.stack = slices.Clone(r.s.stack)
	m.stackOff = slices.Clone(r.s.stackOff)
	m.stmtTag = []byte("<" + string(m.stack[m.stackOff[2]:]) + ">")
	return true
}

// readHeader reads up to the start tag of the first entry and puts r
// before it.
func readHeader(r *Reader) bool {
	for {
		_, err := r.Next()
		if err == errHeaderRead {
			break
		}
		if err != nil {
			return false
		}
	}
	r.s.pendingEnd = false
	r.s.drop() // the Ntry
	return true
}

// guess makes the context of part p from the counts before it and the
// header of the statement it falls in.
func (m *merge) guess(c counts, p filePart) *cutState {
	if c.lastStmt < 0 || c.nStmt == 0 {
		return nil
	}
	// the statement's header: from its start tag to its first entry,
	// read with the document's context
	r := NewReader(io.NewSectionReader(m.ra, c.lastStmt, p.off-c.lastStmt), m.name)
	r.part = &partInfo{header: true, contCcy: -2}
	m.preset(r, c.lastStmt, c.stmtLine, c.nStmt-1, nil, m.head, 2)
	if !readHeader(r) {
		return nil
	}
	if r.cur == nil || r.depth != 3 || r.nStmt != c.nStmt {
		return nil
	}
	cur := r.cur
	cur.nNtr = c.nNtry
	return &cutState{line: c.line, nStmt: c.nStmt, cur: cur, doc: m.head, guess: true, head: header(cur), headSt: *cur.st}
}

// state returns the state at the end of the parts added, for a Reader
// that reads on from there: its statement is copied, so that a Reader
// whose reading is not used leaves it as it was.
func (m *merge) state() *cutState {
	cur := *m.cur
	return &cutState{line: m.line, nStmt: m.nStmt, cur: &cur, doc: m.doc}
}

// reader returns a Reader of part p. With st nil the part starts the file;
// else it starts at an entry, in the state st.
func (m *merge) reader(p filePart, st *cutState, last bool) *Reader {
	r := NewReader(io.NewSectionReader(m.ra, p.off, p.n), m.name, m.opts...)
	r.part = &partInfo{last: last, contCcy: -2}
	r.s.partEnd = !last
	if st == nil {
		return r
	}
	r.part.cont, r.part.contStart = st.cur, st.cur.nNtr
	if st.guess {
		r.part.partial, r.part.spec = true, st // the sums start here
	}
	m.preset(r, p.off, st.line, st.nStmt, st.cur, st.doc, 3)
	r.stmts = []*statement.Statement{st.cur.st}
	return r
}

// preset puts r at offset off of the file, at line, inside the document
// (depth 2) or a statement (depth 3).
func (m *merge) preset(r *Reader, off int64, line, nStmt int, cur *stmtState, d docState, depth int) {
	r.sniffed, r.rootSeen, r.msgSeen = true, true, true
	r.msg, r.format, r.msgID, r.created, r.rootPath, r.msgLine = d.msg, d.format, d.msgID, d.created, d.rootPath, d.msgLine
	r.depth, r.nStmt, r.cur = depth, nStmt, cur
	r.s.line, r.s.offset = line, off
	r.s.partEnd = r.s.partEnd || r.part.header
	for k := 0; k < depth; k++ {
		end := len(m.stack)
		if k+1 < len(m.stackOff) {
			end = m.stackOff[k+1]
		}
		r.s.stackOff = append(r.s.stackOff, len(r.s.stack))
		r.s.stack = append(r.s.stack, m.stack[m.stackOff[k]:end]...)
	}
}

// header returns the fields of c its header sets.
func header(c *stmtState) stmtState {
	return stmtState{path: c.path, nBal: c.nBal, openingPath: c.openingPath, closingPath: c.closingPath,
		closingLine: c.closingLine, closingRaw: c.closingRaw, summary: c.summary, summaryLine: c.summaryLine}
}

// sameStack reports whether r ended with the elements open that an entry
// has around it.
func (m *merge) sameStack(r *Reader) bool {
	return bytes.Equal(r.s.stack, m.stack) && slices.Equal(r.s.stackOff, m.stackOff)
}

// exact reports whether r, read from a guess, read its part as a Reader
// that read the parts before it would have.
func (m *merge) exact(r *Reader) bool {
	p := r.part
	g := p.spec
	if g == nil || m.cur == nil || g.line != m.line || g.nStmt != m.nStmt || p.contStart != m.cur.nNtr ||
		!reflect.DeepEqual(g.doc, m.doc) || !reflect.DeepEqual(g.head, header(m.cur)) || !reflect.DeepEqual(g.headSt, *m.cur.st) {
		return false
	}
	// a currency warning the parts before gave already goes; if the part
	// counted some instead of keeping them, which it keeps changes
	return !(m.cur.ccyWarned && p.contCcy != -2 && r.dropped[RuleCurrency].n > 0)
}

// add merges the part read by r, in file order.
func (m *merge) add(r *Reader) {
	p := r.part
	fs := r.findings
	stmts := r.stmts
	cur := r.cur
	if p.cont != nil {
		stmts = stmts[1:] // the last of the parts before
	}
	if p.partial {
		all := combine(m.cur, p.cont)
		*m.cur.st = *p.cont.st
		all.st = m.cur.st
		end := p.endAt
		if p.contCcy >= 0 && m.cur.ccyWarned {
			fs = slices.Delete(slices.Clone(fs), p.contCcy, p.contCcy+1)
			if end > p.contCcy {
				end--
			}
		}
		if p.ended {
			// the checks at the end of the statement, with all its sums
			c := &Reader{name: m.name, msg: m.doc.msg, cur: all}
			c.endStatement()
			fs = slices.Concat(fs[:end:end], c.findings, fs[end:])
		}
		if cur == p.cont {
			cur = all
		}
	}
	for _, f := range fs {
		if m.perRule[f.Rule] >= maxPerRule {
			d := m.suppressed[f.Rule]
			d.n++
			d.errors = d.errors || f.Severity == finding.Error
			m.suppressed[f.Rule] = d
			continue
		}
		m.perRule[f.Rule]++
		m.file.Findings = append(m.file.Findings, f)
	}
	for rule, n := range r.dropped {
		d := m.suppressed[rule]
		d.n += n.n
		d.errors = d.errors || n.errors
		m.suppressed[rule] = d
	}
	m.file.Statements = append(m.file.Statements, stmts...)
	if m.file.Format == "" {
		m.file.Format = r.format
	}
	m.line, m.nStmt, m.cur, m.doc = r.s.line, r.nStmt, cur, r.doc()
	if cur != nil {
		m.curSt = *cur.st
	}
	if r.err != nil {
		m.file.Err = r.err
	}
}

// combine returns the state of a statement whose entries up to a cut gave
// a and whose entries after it gave b.
func combine(a, b *stmtState) *stmtState {
	c := *b
	c.booked.Add(a.booked.Decimal())
	c.credits.Add(a.credits.Decimal())
	c.debits.Add(a.debits.Decimal())
	c.nBooked += a.nBooked
	c.nCred += a.nCred
	c.nDebit += a.nDebit
	c.ccyWarned = a.ccyWarned || b.ccyWarned
	c.mixedCurrency = a.mixedCurrency || b.mixedCurrency ||
		a.entryCurrency != "" && b.entryCurrency != "" && a.entryCurrency != b.entryCurrency
	if a.entryCurrency != "" {
		c.entryCurrency = a.entryCurrency
	}
	return &c
}

// finish adds what a Reader reports at the end of a file.
func (m *merge) finish() *File {
	rules := make([]string, 0, len(m.suppressed))
	for rule := range m.suppressed {
		rules = append(rules, rule)
	}
	sort.Strings(rules)
	for _, rule := range rules {
		d := m.suppressed[rule]
		sev := finding.Warning
		if d.errors {
			sev = finding.Error
		}
		m.file.Findings = append(m.file.Findings, finding.Finding{Severity: sev, File: m.name, Rule: rule,
			Message: fmt.Sprintf("%d more findings of this rule not shown (the first %d are)", d.n, maxPerRule)})
	}
	return &m.file
}
