package camt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/decsum"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// Rule ids used in findings.
const (
	RuleXML       = "XML"            // well-formedness, truncation
	RuleSchema    = "ISO 20022"      // structure and value types of the message
	RuleBalance   = "camt balance"   // opening + entries = closing
	RuleSummary   = "camt TxsSummry" // stated totals against the entries
	RuleDetails   = "camt TxDtls"    // entry amount against its transaction details
	RuleCurrency  = "camt currency"  // one currency per account
	RuleNamespace = "camt namespace" // message and version from the namespace
)

// nsPrefix is the namespace prefix of every ISO 20022 message.
const nsPrefix = "urn:iso:std:iso:20022:tech:xsd:"

// MinVersion and MaxVersion bound the message versions the Reader accepts,
// the last part of the namespace: camt.05x.001.<version>.
const (
	MinVersion = 1
	MaxVersion = 14
)

// message describes one of the three camt messages.
type message struct {
	number   string // "053"
	root     string // BkToCstmrStmt
	stmt     string // Stmt
	kind     statement.Kind
	balanced bool // opening + entries = closing is checked
}

var messages = []message{
	{"052", "BkToCstmrAcctRpt", "Rpt", statement.KindReport, true},
	{"053", "BkToCstmrStmt", "Stmt", statement.KindStatement, true},
	{"054", "BkToCstmrDbtCdtNtfctn", "Ntfctn", statement.KindNotification, false},
}

var _ statement.Reader = (*Reader)(nil)

// Reader reads the entries of a camt.052, camt.053 or camt.054 message one
// at a time. It implements statement.Reader.
type Reader struct {
	name string
	in   io.Reader
	s    *scanner // &scan
	t    tree
	scan scanner
	room struct {
		scan  scanRoom
		stack [16]frame
		root  [32]byte
	}
	bufs    *buffers // from spare; nil once handed back
	sniffed bool

	msg     *message
	format  string // camt.053.001.02
	msgID   string
	created time.Time

	depth    int  // element depth the Reader walks (Document = 1)
	rootSeen bool // Document started
	rootDone bool // Document ended
	msgSeen  bool // message element (BkToCstmrStmt ...) started
	msgLine  int
	nStmt    int // statements started
	cur      *stmtState
	stmts    []*statement.Statement
	findings finding.List
	perRule  map[string]int     // findings kept per rule
	dropped  map[string]dropped // findings beyond maxPerRule, per rule
	err      error              // sticky
	entryAmt amt                // the Amt of the entry being read
	// lastDate is the last date read, from lastDateText (see date).
	lastDate     time.Time
	lastDateText [10]byte
	eof          bool
	rootPath     string                    // /Document/BkToCstmrStmt
	reading      func(io.Reader) io.Reader // WithReading
	summary      bool                      // SummaryOnly
	reuseEntry   bool                      // SummaryOnly or ReuseEntries
	reuse        *entryDetail              // reuseEntry: the entry Next hands out each time
	reuseDetails []statement.Transaction   // and its details when it has more than one
	part         *partInfo                 // ReadParallel: the Reader reads one part of a file
}

// stmtState holds what the checks need while a statement is read.
type stmtState struct {
	st   *statement.Statement
	path string // /Document/BkToCstmrStmt/Stmt[1]
	nBal int
	nNtr int

	openingPath, closingPath elPath
	closingLine              int
	closingRaw               string
	summary                  *txsSummry
	summaryLine              int

	booked        decsum.Sum // signed sum of booked entries
	nBooked       int
	credits       decsum.Sum // sum of credit entry amounts (positive)
	debits        decsum.Sum // sum of debit entry amounts (positive)
	nCred, nDebit int
	ccyWarned     bool
	entryCurrency string
	mixedCurrency bool // entries in more than one currency
}

// txsSummry is what the checks need of TxsSummry.
type txsSummry struct {
	TtlNtries    numberAndSum
	TtlCdtNtries *numberAndSum
	TtlDbtNtries *numberAndSum
}

// numberAndSum is NumberAndSumOfTransactions (NbOfNtries, Sum) as written.
type numberAndSum struct {
	NbOfNtries string
	Sum        string
}

// Option changes how a Reader reads.
type Option func(*Reader)

// WithReading wraps the bytes the Reader reads, before it decodes them (to
// count progress). ReadParallel wraps each part's bytes.
func WithReading(f func(io.Reader) io.Reader) Option {
	return func(r *Reader) { r.reading = f }
}

// SummaryOnly makes a Reader whose entries carry only what a summary of
// the file reads: amounts, currencies, dates, status, reversal, batch
// counts, and details with their amounts, charges and return reasons; no
// references, parties, remittance, additional information or bank
// transaction codes. Those elements are checked as XML and dropped, which
// makes reading faster; the findings are the same. And as a summary keeps
// no entry, Next hands out the same Entry each time, valid until its next
// call (the strings and the Statement in it stay valid): no allocation per
// entry. For inspect, which totals a file.
func SummaryOnly() Option {
	return func(r *Reader) { r.summary, r.reuseEntry = true, true }
}

// ReuseEntries makes Next hand out the same Entry each time, overwritten
// by its next call (the strings and the Statement in it stay valid), as
// SummaryOnly does but with every field read: no allocation per entry, for
// a caller that is done with an entry before it asks for the next one.
// Call it before the first Next.
func (r *Reader) ReuseEntries() { r.reuseEntry = true }

// NewReader returns a Reader of r; name is the file name used in findings
// and errors.
func NewReader(rd io.Reader, name string, opts ...Option) *Reader {
	r := &Reader{name: name}
	for _, o := range opts {
		o(r)
	}
	if r.reading != nil {
		rd = r.reading(rd)
	}
	b := spare.Get().(*buffers)
	r.bufs = b
	r.in, r.s = rd, &r.scan
	r.s.init(rd, b.buf, &r.room.scan)
	// Room for an entry of a few details: growing these from nothing
	// was a tenth of reading a small statement; the largest entries of
	// the small files of the corpus have 40 to 70 elements that fields
	// are read from and 100 to 500 bytes of their text.
	r.t.nodes, r.t.arena, r.t.codes = b.nodes[:0], b.arena[:0], &b.codes
	if r.t.nodes == nil {
		r.t.nodes = make([]node, 0, 80)
		r.t.arena = make([]byte, 0, 512)
	}
	r.t.stack = r.room.stack[:0]
	r.t.root = r.room.root[:0]
	r.t.keep = &allNames
	return r
}

// buffers are what a Reader reuses from element to element: the scanner's
// buffer and the tree's nodes and text.
type buffers struct {
	buf   []byte
	nodes []node
	arena []byte
	codes codeCache
}

// spare holds the buffers of Readers that reached the end of their input,
// for the Readers made after them: reading many small files (a night's
// inbox; inspect of a 7 KB statement) allocates them once, where
// allocating them for each file was a fifth of its cost, most of it in
// the collector's runs they caused. Like fmt's printers it is a pool of
// memory, not state: nothing a Reader reads depends on it.
var spare = sync.Pool{New: func() any { return new(buffers) }}

// release hands the Reader's buffers to spare once it has read its input:
// nothing it hands out points into them (texts are copied into strings).
// Buffers grown by large input are left to the collector, so that spare
// never keeps much memory.
func (r *Reader) release() {
	b := r.bufs
	if b == nil {
		return
	}
	r.bufs = nil
	if cap(r.s.buf) <= maxBuffer && cap(r.t.nodes)*int(unsafe.Sizeof(node{})) <= maxBuffer && cap(r.t.arena) <= maxBuffer {
		b.buf, b.nodes, b.arena = r.s.buf[:0], r.t.nodes[:0], r.t.arena[:0]
		spare.Put(b)
	}
	r.s.buf, r.s.pos, r.s.end, r.t.nodes, r.t.arena, r.t.codes, r.entryAmt = nil, 0, 0, nil, nil, nil, amt{}
}

// latin1Reader converts ISO 8859-1 (and, approximately, windows-1252) to UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
	tmp []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.buf) == 0 {
		if l.tmp == nil {
			l.tmp = make([]byte, 16<<10)
		}
		n, err := l.r.Read(l.tmp)
		if n == 0 {
			return 0, err
		}
		l.buf = l.buf[:0]
		for _, c := range l.tmp[:n] {
			if c < 0x80 {
				l.buf = append(l.buf, c)
			} else {
				l.buf = append(l.buf, 0xC0|c>>6, 0x80|c&0x3F)
			}
		}
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

// Format returns the message and version read from the namespace, e.g.
// "camt.053.001.02", once the document element has been read.
func (r *Reader) Format() string { return r.format }

// Statements returns the statements, reports or notifications started so far.
func (r *Reader) Statements() []*statement.Statement { return r.stmts }

// Findings returns the findings so far; the checks of a statement are added
// when it ends.
func (r *Reader) Findings() []finding.Finding { return r.findings }

// maxPerRule caps the findings of one rule a Reader keeps (as the CODA
// reader does), so that a damaged or hostile file cannot fill memory with
// findings; the rest are counted in one finding at the end.
const maxPerRule = 100

// dropped counts the findings of a rule beyond maxPerRule.
type dropped struct {
	n      int
	errors bool
}

func (r *Reader) line() int { return r.s.line }

// fail makes a sticky error finding.
func (r *Reader) fail(line int, path, value, rule, format string, args ...any) error {
	f := finding.Finding{Severity: finding.Error, File: r.name, Line: line, Path: path, Value: value,
		Rule: rule, Message: fmt.Sprintf(format, args...)}
	r.err = f
	if r.part == nil {
		r.addDropped() // ReadParallel adds them for the whole file
	}
	return f
}

func (r *Reader) add(sev finding.Severity, line int, path, value, rule, format string, args ...any) {
	if r.counted(sev, rule) {
		return
	}
	if r.perRule == nil {
		r.perRule = map[string]int{}
	}
	r.perRule[rule]++
	r.findings.Add(finding.Finding{Severity: sev, File: r.name, Line: line, Path: path, Value: value,
		Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// counted reports whether rule has its maxPerRule findings already, and
// then counts one more finding of it. Where a finding may repeat on every
// entry its caller asks first, so that a file full of it does not build
// paths and amount texts that are only counted.
func (r *Reader) counted(sev finding.Severity, rule string) bool {
	if r.perRule[rule] < maxPerRule {
		return false
	}
	if r.dropped == nil {
		r.dropped = map[string]dropped{}
	}
	d := r.dropped[rule]
	d.n++
	d.errors = d.errors || sev == finding.Error
	r.dropped[rule] = d
	return true
}

// addDropped adds, at the end of the file, one finding per rule that had
// more than maxPerRule, in rule order.
func (r *Reader) addDropped() {
	rules := make([]string, 0, len(r.dropped))
	for rule := range r.dropped {
		rules = append(rules, rule)
	}
	sort.Strings(rules)
	for _, rule := range rules {
		d := r.dropped[rule]
		sev := finding.Warning
		if d.errors {
			sev = finding.Error
		}
		r.findings.Add(finding.Finding{Severity: sev, File: r.name, Rule: rule,
			Message: fmt.Sprintf("%d more findings of this rule not shown (the first %d are)", d.n, maxPerRule)})
	}
	r.dropped = nil
}

// xmlError turns a scanner error into an error finding with its line.
func (r *Reader) xmlError(err error, path string) error {
	var le *limitError
	if errors.As(err, &le) {
		return r.fail(le.line, joinPath(path, le.path), le.value, RuleLimit, "%s: a limit of this reader, far beyond real statements", le.msg)
	}
	var se *scanError
	if errors.As(err, &se) {
		msg := se.msg
		if msg == "unexpected EOF" {
			msg = "unexpected end of file: the document is truncated"
		}
		return r.fail(se.line, path, "", RuleXML, "%s", msg)
	}
	return r.fail(r.line(), path, "", RuleXML, "%v", err)
}

// Next returns the next entry, or io.EOF after the last one.
func (r *Reader) Next() (*statement.Entry, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.eof {
		return nil, io.EOF
	}
	if !r.sniffed {
		r.sniffed = true
		if err := r.sniff(); err != nil {
			return nil, err
		}
	}
	for {
		if r.depth > 0 && !r.t.careful {
			r.s.skipIndent() // text the Reader does not read here
		}
		tok, err := r.s.next()
		if err != nil {
			return nil, r.xmlError(err, r.path())
		}
		switch tok.kind {
		case tokEOF:
			return nil, r.end()
		case tokStart:
			e, err := r.start(&tok)
			if err != nil || e != nil {
				return e, err
			}
		case tokEnd:
			if err := r.endElement(); err != nil {
				return nil, err
			}
		case tokText:
			if r.depth == 0 {
				if t := bytes.TrimSpace(tok.text); len(t) > 0 {
					return nil, r.fail(tok.line, "", shorten(string(t)), RuleXML, "text outside the document element")
				}
			}
		}
	}
}

// sniff rejects archives and other encodings before scanning, and puts a
// Latin-1 decoder in front of documents that declare it.
func (r *Reader) sniff() error {
	head := r.s.peek(512)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return r.fail(0, "", "", RuleXML, "a ZIP archive, not an XML document: extract it and read each member")
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return r.fail(0, "", "", RuleXML, "a gzip file, not an XML document: decompress it first")
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}), bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return r.fail(1, "", "", RuleXML, "UTF-16 documents are not supported: convert to UTF-8")
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		r.s.pos += 3
		head = head[3:]
	}
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return nil
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return nil
	}
	v, ok := pseudoAttr(head[:end], "encoding")
	if !ok {
		return nil
	}
	label := strings.ToLower(string(v))
	switch label {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "iso-8859-15":
		buffered := append([]byte(nil), r.s.buf[r.s.pos:r.s.end]...)
		conv := &latin1Reader{r: io.MultiReader(bytes.NewReader(buffered), r.in)}
		r.s.r, r.s.pos, r.s.end, r.s.eof, r.s.rerr = conv, 0, 0, false, nil
		return nil
	}
	return r.fail(1, "", label, RuleXML, "unsupported encoding (camt files are UTF-8, or ISO 8859-1)")
}

// path returns the element path of the current position, as far as the
// Reader tracks it.
func (r *Reader) path() string {
	switch {
	case r.cur != nil:
		return r.cur.path
	case r.rootPath != "":
		return r.rootPath
	case r.rootSeen:
		return "/Document"
	}
	return ""
}

// end handles the end of the input.
func (r *Reader) end() error {
	switch {
	case !r.rootSeen:
		return r.fail(r.line(), "", "", RuleXML, "no XML document element: the file is empty or not XML")
	case !r.rootDone && r.part != nil && !r.part.last:
		// the end of a part that is not the file's last
		r.eof = true
		r.part.clean = r.depth == 3 && r.cur != nil && !r.s.pendingEnd
		r.release()
		return io.EOF
	case !r.rootDone:
		return r.fail(r.line(), r.path(), "", RuleXML, "unexpected end of file: the document is truncated")
	}
	r.eof = true
	r.release()
	if r.part == nil {
		r.addDropped() // ReadParallel adds them for the whole file
	}
	return io.EOF
}

// start handles a start element at the levels the Reader walks; deeper
// elements are decoded whole or skipped.
func (r *Reader) start(t *token) (*statement.Entry, error) {
	line := t.line
	switch r.depth {
	case 0:
		if r.rootDone {
			return nil, r.fail(line, "/"+string(t.name), "", RuleXML, "a second document element after </Document>")
		}
		if err := r.root(t, line); err != nil {
			return nil, err
		}
	case 1: // message element
		name := strings.TrimSuffix(string(t.name), "V01")
		if name != r.msg.root || r.msgSeen {
			if r.msgSeen || isMessageRoot(name) {
				return nil, r.fail(line, "/Document/"+string(t.name), "", RuleSchema,
					"unexpected element in a %s document (expected one %s)", r.format, r.msg.root)
			}
			return nil, r.skip("/Document/" + string(t.name))
		}
		r.msgSeen, r.msgLine = true, line
		r.rootPath = "/Document/" + string(t.name)
	case 2: // GrpHdr, Stmt/Rpt/Ntfctn
		switch {
		case string(t.name) == "GrpHdr":
			p := elPath{base: r.rootPath, el: "/GrpHdr"}
			r.t.keep = &allNames
			if err := r.t.read(r.s, t); err != nil {
				return nil, r.xmlError(err, p.String())
			}
			r.msgID = r.t.textAt(0, nmMsgId)
			c := r.t.child(0, nmCreDtTm)
			r.created = r.dateTime(r.t.text(c), r.t.line(c, line), p.at("/CreDtTm"))
			return nil, nil
		case string(t.name) == r.msg.stmt:
			if err := r.beginStatement(line); err != nil {
				return nil, err
			}
		default:
			return nil, r.skip(r.rootPath + "/" + string(t.name))
		}
	case 3: // inside a statement
		return r.statementChild(t, line)
	default:
		return nil, r.skip(r.path() + "/" + string(t.name))
	}
	r.depth++
	return nil, nil
}

func isMessageRoot(name string) bool {
	for _, m := range messages {
		if m.root == name {
			return true
		}
	}
	return false
}

// skip skips the element just started.
func (r *Reader) skip(path string) error {
	if err := r.s.skip(); err != nil {
		return r.xmlError(err, path)
	}
	return nil
}

// root checks the document element and picks the message and version from
// its namespace.
func (r *Reader) root(t *token, line int) error {
	r.rootSeen = true
	nsAttr := "xmlns"
	if len(t.prefix) > 0 {
		nsAttr = "xmlns:" + string(t.prefix)
	}
	v, _ := r.s.attr(nsAttr)
	ns := strings.TrimSpace(string(v))
	if string(t.name) != "Document" {
		return r.fail(line, "/"+string(t.name), ns, RuleNamespace,
			"not a camt document: the document element is %s, expected Document", t.name)
	}
	if ns == "" {
		return r.fail(line, "/Document", "", RuleNamespace,
			"no namespace: a camt document declares xmlns=\"%scamt.05x.001.nn\"", nsPrefix)
	}
	m, version, err := parseNamespace(ns)
	if err != nil {
		return r.fail(line, "/Document", ns, RuleNamespace, "%v", err)
	}
	r.msg = m
	r.format = "camt." + m.number + ".001." + strconv.Itoa(version/10) + strconv.Itoa(version%10) // 02
	return nil
}

// parseNamespace reads "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" (or
// a namespace that ends in camt.053.001.02, with or without .xsd, as some
// national variants have).
func parseNamespace(ns string) (*message, int, error) {
	i := strings.LastIndex(ns, "camt.")
	if i < 0 {
		return nil, 0, errors.New("not a camt namespace (expected camt.052, camt.053 or camt.054)")
	}
	id := strings.TrimSuffix(ns[i:], ".xsd")
	parts := strings.Split(id, ".")
	if len(parts) != 4 {
		return nil, 0, fmt.Errorf("namespace does not name a camt message and version (expected %scamt.05x.001.nn)", nsPrefix)
	}
	var m *message
	for k := range messages {
		if messages[k].number == parts[1] {
			m = &messages[k]
		}
	}
	if m == nil {
		return nil, 0, fmt.Errorf("unsupported message camt.%s (this reader reads camt.052, camt.053 and camt.054)", parts[1])
	}
	v, err := strconv.Atoi(parts[3])
	if parts[2] != "001" || err != nil || len(parts[3]) != 2 || v < MinVersion || v > MaxVersion {
		return nil, 0, fmt.Errorf("unsupported version camt.%s.%s.%s (supported: camt.%s.001.%02d to camt.%s.001.%02d)",
			parts[1], parts[2], parts[3], m.number, MinVersion, m.number, MaxVersion)
	}
	return m, v, nil
}

// endElement closes the current level.
func (r *Reader) endElement() error {
	r.depth--
	switch r.depth {
	case 0:
		r.rootDone = true
		if !r.msgSeen {
			return r.fail(r.line(), "/Document", "", RuleSchema, "the document holds no %s message", r.msg.root)
		}
	case 1:
		if r.nStmt == 0 {
			return r.fail(r.msgLine, r.rootPath, "", RuleSchema, "the message holds no %s", r.msg.stmt)
		}
	case 2:
		r.endStatement()
	}
	return nil
}

func (r *Reader) beginStatement(line int) error {
	if r.nStmt >= MaxStatements {
		return r.fail(line, fmt.Sprintf("%s/%s[%d]", r.rootPath, r.msg.stmt, r.nStmt+1), r.msg.stmt, RuleLimit,
			"more than %d %s in one message (MaxStatements): a limit of this reader, far beyond real statements", MaxStatements, r.msg.stmt)
	}
	r.nStmt++
	st := &statement.Statement{Format: r.format, Kind: r.msg.kind, MessageID: r.msgID, CreatedAt: r.created, Line: line}
	r.stmts = append(r.stmts, st)
	r.cur = &stmtState{st: st, path: r.rootPath + "/" + r.msg.stmt + "[" + strconv.Itoa(r.nStmt) + "]"}
	return nil
}

// statementChild reads one child of Stmt/Rpt/Ntfctn. Its path is put
// together only for a finding: most statements have none.
func (r *Reader) statementChild(tk *token, line int) (*statement.Entry, error) {
	c := r.cur
	st := c.st
	var el string // /Ntry ...: a constant, no string made per element
	switch string(tk.name) {
	case "Ntry":
		if r.part != nil && r.part.header {
			return nil, errHeaderRead // the statement's header is read
		}
		c.nNtr++
		el = "/Ntry"
	case "Id":
		el = "/Id"
	case "ElctrncSeqNb":
		el = "/ElctrncSeqNb"
	case "LglSeqNb":
		el = "/LglSeqNb"
	case "CreDtTm":
		el = "/CreDtTm"
	case "FrToDt":
		el = "/FrToDt"
	case "Acct":
		el = "/Acct"
	case "Bal":
		el = "/Bal"
		c.nBal++
	case "TxsSummry":
		el = "/TxsSummry"
	default:
		return nil, r.skipChild(c.path)
	}
	p := elPath{base: c.path, el: el}
	switch el {
	case "/Ntry":
		p.k = c.nNtr
	case "/Bal":
		p.k = c.nBal
	}
	t := &r.t
	t.keep = &allNames
	if el == "/Ntry" && r.summary {
		t.keep = &summaryNames
	}
	if err := t.read(r.s, tk); err != nil {
		return nil, r.xmlError(err, p.String())
	}
	switch el {
	case "/Ntry":
		return r.entry(p, line)
	case "/Id":
		st.ID = t.text(0)
	case "/ElctrncSeqNb":
		st.ElectronicSequence = t.text(0)
	case "/LglSeqNb":
		st.LegalSequence = t.text(0)
	case "/CreDtTm":
		st.CreatedAt = r.dateTime(t.text(0), line, p)
	case "/FrToDt":
		st.From = r.date(t.rawAt(0, nmFrDtTm), line, p.at("/FrDtTm"))
		st.To = r.date(t.rawAt(0, nmToDtTm), line, p.at("/ToDtTm"))
	case "/Acct":
		ownr := partyOf(t, t.child(0, nmOwnr))
		st.Account = statement.Account{
			IBAN: t.textAt(0, nmId, nmIBAN), Other: otherAccount(t, t.child(0, nmId)), Currency: t.textAt(0, nmCcy),
			Name: t.textAt(0, nmNm), Owner: t.textAt(ownr, nmNm), BIC: finBIC(t, t.at(0, nmSvcr, nmFinInstnId)),
		}
	case "/Bal":
		return nil, r.balance(p, line)
	case "/TxsSummry":
		ts := &txsSummry{TtlNtries: numberAndSum{t.textAt(0, nmTtlNtries, nmNbOfNtries), t.textAt(0, nmTtlNtries, nmSum)}}
		for _, x := range []struct {
			el  name
			dst **numberAndSum
		}{{nmTtlCdtNtries, &ts.TtlCdtNtries}, {nmTtlDbtNtries, &ts.TtlDbtNtries}} {
			if n := t.child(0, x.el); n != none {
				*x.dst = &numberAndSum{t.textAt(n, nmNbOfNtries), t.textAt(n, nmSum)}
			}
		}
		c.summary, c.summaryLine = ts, line
		st.StatedCredits = r.total(ts.TtlCdtNtries, line, p.at("/TtlCdtNtries"))
		st.StatedDebits = r.total(ts.TtlDbtNtries, line, p.at("/TtlDbtNtries"))
	}
	return nil, nil
}

// skipChild skips the element that just started below the element at
// path base; the path of an error in it is put together only then, from
// the name the scanner keeps while it is open.
func (r *Reader) skipChild(base string) error {
	k := r.s.depth() - 1
	if err := r.s.skip(); err != nil {
		return r.xmlError(err, base+"/"+string(r.s.local(k)))
	}
	return nil
}

// otherAccount reads Id/Othr/Id, or the 001.01 alternatives BBAN and
// PrtryAcct/Id, of an account Id node.
func otherAccount(t *tree, id int32) string {
	// One pass over the children: most accounts have only an IBAN.
	othr, bban, prtry := int32(none), int32(none), int32(none)
	for c := t.firstChild(id); c != none; c = t.nextSibling(c) {
		switch {
		case t.is(c, nmOthr) && othr == none:
			othr = c
		case t.is(c, nmBBAN) && bban == none:
			bban = c
		case t.is(c, nmPrtryAcct) && prtry == none:
			prtry = c
		}
	}
	if s := t.textAt(othr, nmId); s != "" {
		return s
	}
	if s := t.text(bban); s != "" {
		return s
	}
	return t.textAt(prtry, nmId)
}

// finBIC reads FinInstnId/BICFI (001.05 and up) or BIC.
func finBIC(t *tree, fin int32) string {
	return t.codeChoice(fin, []name{nmBICFI}, []name{nmBIC})
}

// partyOf returns the party node of a Dbtr/Cdtr/Ownr: its Pty child
// (Party40Choice, 001.08 and up) or itself.
func partyOf(t *tree, p int32) int32 {
	if pty := t.child(p, nmPty); pty != none {
		return pty
	}
	return p
}

// code reads a choice of an ISO code and a proprietary code, directly or
// in a CdOrPrtry wrapper.
func code(t *tree, i int32) string {
	return t.codeChoice(i, []name{nmCdOrPrtry, nmCd}, []name{nmCd}, []name{nmCdOrPrtry, nmPrtry}, []name{nmPrtry})
}

func (r *Reader) total(ns *numberAndSum, line int, p elPath) *statement.Total {
	if ns == nil {
		return nil
	}
	t := &statement.Total{}
	if s := ns.NbOfNtries; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			r.add(finding.Error, line, p.String()+"/NbOfNtries", s, RuleSchema, "number of entries is not a whole number")
		}
		t.Count = n
	}
	if s := ns.Sum; s != "" {
		d, total, frac, ok := parseDecimal([]byte(strings.TrimPrefix(s, "-")), false)
		switch {
		case !ok:
			r.add(finding.Error, line, p.String()+"/Sum", s, RuleSchema, "sum is not a decimal amount")
		case total > numberDigits || frac > numberFraction:
			r.add(finding.Error, line, p.String()+"/Sum", shorten(s), RuleSchema, "sum out of range: %d digits, %d of them decimals; at most %d, %d of them decimals (DecimalNumber)",
				total, frac, numberDigits, numberFraction)
		}
		t.Sum = d // stated as a positive sum; a few banks write debit sums with a minus
	}
	return t
}

// balance reads the Bal in the tree into Opening (OPBD, else PRCD) or
// Closing (CLBD).
func (r *Reader) balance(path elPath, line int) error {
	t := &r.t
	code := code(t, t.child(0, nmTp))
	if code != "OPBD" && code != "PRCD" && code != "CLBD" {
		return nil
	}
	a := t.amount(t.child(0, nmAmt))
	ind := t.codeAt(0, nmCdtDbtInd)
	if ind == "" && a.Set {
		// Some banks leave out the indicator of positive balances.
		ind = "CRDT"
		r.add(finding.Warning, a.Line, path.String()+"/CdtDbtInd", "", RuleSchema,
			"balance has no credit/debit indicator; read as a credit balance")
	}
	amount, err := r.amount(&a, ind, line, path)
	if err != nil {
		return err
	}
	dt := t.rawChoice(0, []name{nmDt, nmDt}, []name{nmDt, nmDtTm})
	bl := &statement.Balance{Amount: amount, Currency: a.Ccy, Date: r.date(dt, line, path.at("/Dt")), Type: code}
	c := r.cur
	switch code {
	case "OPBD":
		if c.st.Opening == nil || c.st.Opening.Type == "PRCD" {
			c.st.Opening, c.openingPath = bl, path
		}
	case "PRCD":
		if c.st.Opening == nil {
			c.st.Opening, c.openingPath = bl, path
		}
	case "CLBD":
		if c.st.Closing == nil {
			c.st.Closing, c.closingPath, c.closingLine, c.closingRaw = bl, path, a.Line, string(a.raw)
		}
	}
	return nil
}

// amount reads a signed amount: the value of a with the sign of ind
// (CRDT +, DBIT −). A missing or malformed amount or indicator is an error.
func (r *Reader) amount(a *amt, ind string, line int, p elPath) (decimal.Decimal, error) {
	if a.Line > 0 {
		line = a.Line
	}
	if !a.Set {
		return decimal.Decimal{}, r.fail(line, p.String()+"/Amt", "", RuleSchema, "amount is missing")
	}
	ind = strings.TrimSpace(ind)
	d, err := parseAmount(a.raw, ind == "DBIT")
	if err == errNotDecimal {
		return decimal.Decimal{}, r.fail(line, p.String()+"/Amt", shorten(string(a.raw)), RuleSchema,
			"amount is not a decimal number (digits with an optional '.', no sign)")
	} else if err != nil {
		return decimal.Decimal{}, r.fail(line, p.String()+"/Amt", shorten(string(a.raw)), RuleSchema, "%v", err)
	}
	if ind != "CRDT" && ind != "DBIT" {
		return decimal.Decimal{}, r.fail(line, p.String()+"/CdtDbtInd", shorten(ind), RuleSchema, "credit/debit indicator must be CRDT or DBIT")
	}
	return d, nil
}

// parseDecimal reads an XSD decimal without sign or exponent exactly. It
// also returns the digits of the value as XSD totalDigits and
// fractionDigits count them: without leading and trailing zeros.
func parseDecimal(s []byte, neg bool) (d decimal.Decimal, total, frac int, ok bool) {
	s = bytes.TrimSpace(s)
	if len(s) == 0 || len(s) > 40 {
		return decimal.Decimal{}, 0, 0, false
	}
	var m int64
	dot, digits := -1, 0
	firstInt, lastFrac := -1, -1 // first non-zero digit before the point, last after it
	fast := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if c != '0' {
				if dot < 0 && firstInt < 0 {
					firstInt = i
				}
				if dot >= 0 {
					lastFrac = i
				}
			}
			if digits > 18 {
				fast = false
			} else {
				m = m*10 + int64(c-'0')
			}
		case c == '.' && dot < 0:
			dot = i
		default:
			return decimal.Decimal{}, 0, 0, false
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, 0, 0, false
	}
	exp := 0
	if dot >= 0 {
		exp = -(len(s) - dot - 1)
		if lastFrac > 0 {
			frac = lastFrac - dot
		}
	} else {
		dot = len(s)
	}
	if firstInt >= 0 {
		total = dot - firstInt
	}
	total += frac
	if fast {
		if neg {
			m = -m
		}
		return decimal.New(m, int32(exp)), total, frac, true
	}
	d, err := decimal.NewFromString(string(s))
	if neg {
		d = d.Neg()
	}
	return d, total, frac, err == nil
}

// Digits of ActiveOrHistoricCurrencyAndAmount and of DecimalNumber
// (TxsSummry sums), as their XSD facets give them.
const (
	amountDigits, amountFraction = 18, 5
	numberDigits, numberFraction = 18, 17
)

var errNotDecimal = errors.New("amount is not a decimal number")

// parseAmount reads an ActiveOrHistoricCurrencyAndAmount value: errNotDecimal
// when it is not a decimal, an error saying so when it has too many digits.
func parseAmount(s []byte, neg bool) (decimal.Decimal, error) {
	d, total, frac, ok := parseDecimal(s, neg)
	switch {
	case !ok:
		return decimal.Decimal{}, errNotDecimal
	case total > amountDigits || frac > amountFraction:
		return decimal.Decimal{}, fmt.Errorf("amount out of range: %d digits, %d of them decimals; at most %d, %d of them decimals (ActiveOrHistoricCurrencyAndAmount)",
			total, frac, amountDigits, amountFraction)
	}
	return d, nil
}

// date reads an ISODate, or the date part of an ISODateTime as written
// (the civil date the bank meant), as 00:00 UTC. An empty value is the zero
// time; a malformed one is an error finding.
func (r *Reader) date(b []byte, line int, p elPath) time.Time {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return time.Time{}
	}
	if len(b) >= 10 && (len(b) == 10 || b[10] == 'T' || b[10] == '+' || b[10] == 'Z' || b[10] == '-') {
		// Entries of a statement share a few dates: the last one read is
		// kept with its time, which costs a comparison instead of a
		// time.Date.
		if !r.lastDate.IsZero() && string(b[:10]) == string(r.lastDateText[:]) {
			return r.lastDate
		}
		if t, ok := isoDate(b[:10]); ok {
			r.lastDate = t
			copy(r.lastDateText[:], b[:10])
			return t
		}
	}
	if !r.counted(finding.Error, RuleSchema) {
		r.add(finding.Error, line, p.String(), shorten(string(b)), RuleSchema, "not an ISO date (YYYY-MM-DD)")
	}
	return time.Time{}
}

// isoDate reads YYYY-MM-DD as time.Parse("2006-01-02") does, without its
// cost: a day that the month does not have is refused.
func isoDate(b []byte) (time.Time, bool) {
	n := func(b []byte) int {
		v := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, m, d := n(b[:4]), n(b[5:7]), n(b[8:10])
	if y < 0 || m < 1 || m > 12 || d < 1 || b[4] != '-' || b[7] != '-' {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d
}

// dateTime reads an ISODateTime with or without fraction and zone (no zone
// is read as UTC); a bare date is accepted.
func (r *Reader) dateTime(s string, line int, p elPath) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	r.add(finding.Error, line, p.String(), shorten(s), RuleSchema, "not an ISO date-time (YYYY-MM-DDThh:mm:ss)")
	return time.Time{}
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func bankTxCode(t *tree, b int32) statement.BankTxCode {
	fmly := t.at(b, nmDomn, nmFmly)
	return statement.BankTxCode{
		Domain:            t.codeAt(b, nmDomn, nmCd),
		Family:            t.codeAt(fmly, nmCd),
		SubFamily:         t.codeAt(fmly, nmSubFmlyCd),
		Proprietary:       t.codeAt(b, nmPrtry, nmCd),
		ProprietaryIssuer: t.codeAt(b, nmPrtry, nmIssr),
	}
}

// elPath is an element path put together only when a finding needs it:
// base, then el with its position k when k > 0, then tail. Entries and
// their details make one per field that may be reported, so it must not
// cost an allocation.
type elPath struct {
	base string // /Document/BkToCstmrStmt/Stmt[1]
	el   string // /Ntry
	k    int
	el2  string // /NtryDtls/TxDtls
	k2   int
	tail string // /AmtDtls/TxAmt
}

func (p elPath) String() string {
	s := p.base + p.el
	if p.k > 0 {
		s += "[" + strconv.Itoa(p.k) + "]"
	}
	s += p.el2
	if p.k2 > 0 {
		s += "[" + strconv.Itoa(p.k2) + "]"
	}
	return s + p.tail
}

// at returns the path with tail in place of its tail.
func (p elPath) at(tail string) elPath {
	p.tail = tail
	return p
}

// entryDetail is an entry and its one transaction detail in one allocation.
type entryDetail struct {
	e statement.Entry
	d [1]statement.Transaction
}

// entry turns the Ntry in the tree into a statement entry.
func (r *Reader) entry(p elPath, line int) (*statement.Entry, error) {
	c := r.cur
	t := &r.t
	var k kids // the entry's children by name, looked up once
	t.kidsOf(0, &k)
	a := t.amount(k[nmAmt])
	r.entryAmt = a
	amount, err := r.amount(&a, t.code(k[nmCdtDbtInd]), line, p)
	if err != nil {
		return nil, err
	}
	// Batch information: NtryDtls/Btch, or Ntry/Btch in 001.01; count the
	// details: Ntry/TxDtls in 001.01, NtryDtls/TxDtls later.
	btch := k[nmBtch]
	nd := 0
	for k := t.firstChild(0); k != none; k = t.nextSibling(k) {
		switch {
		case t.is(k, nmTxDtls):
			nd++
		case t.is(k, nmNtryDtls):
			for x := t.firstChild(k); x != none; x = t.nextSibling(x) {
				switch {
				case t.is(x, nmTxDtls):
					nd++
				case t.is(x, nmBtch) && btch == none:
					btch = x
				}
			}
		}
	}
	// An entry with one detail (the most common) is allocated with it.
	var e *statement.Entry
	switch {
	case r.reuseEntry: // the entry of the last call (see ReuseEntries)
		if r.reuse == nil {
			r.reuse = new(entryDetail)
		}
		e, r.reuse.e.Details = &r.reuse.e, r.reuse.d[:0:1]
	case nd == 1:
		ed := new(entryDetail)
		e, ed.e.Details = &ed.e, ed.d[:0:1]
	default:
		e = new(statement.Entry)
	}
	details := e.Details
	*e = statement.Entry{
		Statement:      c.st,
		Seq:            c.nNtr,
		Ref:            t.text(k[nmNtryRef]),
		Amount:         amount,
		Currency:       a.Ccy,
		Reversal:       isTrue(t.code(k[nmRvslInd])),
		Status:         t.codeChoice(k[nmSts], []name{nmCd}, []name{nmPrtry}, nil),
		BankTxCode:     bankTxCode(t, k[nmBkTxCd]),
		AccountSvcrRef: t.text(k[nmAcctSvcrRef]),
		Info:           t.text(k[nmAddtlNtryInf]),
		Line:           line,
	}
	e.BookingDate = r.date(t.rawChoice(k[nmBookgDt], []name{nmDt}, []name{nmDtTm}), line, p.at("/BookgDt"))
	e.ValueDate = r.date(t.rawChoice(k[nmValDt], []name{nmDt}, []name{nmDtTm}), line, p.at("/ValDt"))
	if e.Currency == "" {
		e.Currency = c.st.Account.Currency
	}

	if btch != none {
		e.BatchID = t.choice(btch, []name{nmPmtInfId}, []name{nmMsgId})
		if s := t.textAt(btch, nmNbOfTxs); s != "" {
			k, err := strconv.Atoi(s)
			if err != nil && !r.counted(finding.Error, RuleSchema) {
				r.add(finding.Error, t.line(btch, line), p.String()+"/NtryDtls/Btch/NbOfTxs", shorten(s), RuleSchema, "number of transactions is not a whole number")
			}
			e.BatchCount = k
		}
	}

	if nd > MaxDetails {
		return nil, r.fail(line, p.String(), strconv.Itoa(nd), RuleLimit,
			"Ntry holds %d transaction details, more than %d (MaxDetails): a limit of this reader, far beyond real statements", nd, MaxDetails)
	}
	if nd > 0 {
		e.Details = details
		switch {
		case nd > 1 && r.reuseEntry:
			if cap(r.reuseDetails) < nd {
				r.reuseDetails = make([]statement.Transaction, 0, nd)
			}
			e.Details = r.reuseDetails[:0]
		case nd > 1:
			e.Details = make([]statement.Transaction, 0, nd)
		}
		allAmounts := true
		var sum decsum.Sum
		k := 0
		var firstPath elPath
		add := func(tx int32, dpath string) error {
			k++
			dp := p
			dp.el2, dp.k2 = dpath, k
			tr, apath, has, err := r.transaction(tx, e, nd, line, dp)
			if err != nil {
				return err
			}
			if k == 1 {
				firstPath = apath
			}
			if !has || tr.Currency != e.Currency {
				allAmounts = false
			} else {
				sum.Add(tr.Amount)
			}
			e.Details = append(e.Details, tr)
			return nil
		}
		for x := t.firstChild(0); x != none; x = t.nextSibling(x) {
			switch {
			case t.is(x, nmTxDtls):
				if err := add(x, "/TxDtls"); err != nil {
					return nil, err
				}
			case t.is(x, nmNtryDtls):
				for y := t.firstChild(x); y != none; y = t.nextSibling(y) {
					if t.is(y, nmTxDtls) {
						if err := add(y, "/NtryDtls/TxDtls"); err != nil {
							return nil, err
						}
					}
				}
			}
		}
		if allAmounts && nd > 1 && !sum.Equal(e.Amount) && !r.counted(finding.Warning, RuleDetails) {
			r.add(finding.Warning, a.Line, p.String()+"/Amt", string(a.raw), RuleDetails,
				"entry amount %s does not equal the sum of its %d transaction details (%s)", e.Amount.String(), nd, sum.Decimal().String())
		} else if allAmounts && nd == 1 && !sum.Equal(e.Amount) && !r.counted(finding.Warning, RuleDetails) {
			r.add(finding.Warning, e.Details[0].Line, firstPath.String(), e.Details[0].Amount.Abs().String(), RuleDetails,
				"transaction detail amount %s does not equal its entry amount %s", e.Details[0].Amount.String(), e.Amount.String())
		}
	}
	r.tally(e, p, line)
	return e, nil
}

func isTrue(s string) bool {
	return s == "true" || s == "1"
}

// transaction turns a TxDtls node into a statement transaction. It returns
// the path of the amount it used and whether the detail states an amount.
func (r *Reader) transaction(tx int32, e *statement.Entry, nd, line int, p elPath) (statement.Transaction, elPath, bool, error) {
	t := &r.t
	var k kids // the detail's children by name, looked up once
	t.kidsOf(tx, &k)
	// References: the first child of Refs of each name, in one pass.
	e2e, mndt, instr, pmtInf, txID, svcr := int32(none), int32(none), int32(none), int32(none), int32(none), int32(none)
	for c := t.firstChild(k[nmRefs]); c != none; c = t.nextSibling(c) {
		var first *int32
		switch t.nodes[c].name {
		case nmEndToEndId:
			first = &e2e
		case nmMndtId:
			first = &mndt
		case nmInstrId:
			first = &instr
		case nmPmtInfId:
			first = &pmtInf
		case nmTxId:
			first = &txID
		case nmAcctSvcrRef:
			first = &svcr
		default:
			continue
		}
		if *first == none {
			*first = c
		}
	}
	tr := statement.Transaction{
		EndToEndID:     clean(t.text(e2e)),
		MandateID:      t.text(mndt),
		InstructionID:  t.text(instr),
		PaymentInfoID:  t.text(pmtInf),
		TransactionID:  t.text(txID),
		AccountSvcrRef: t.text(svcr),
		Line:           t.line(tx, line),
	}
	// Amount: TxDtls/Amt (001.04+), else AmtDtls/TxAmt/Amt, else the entry's
	// amount when it has a single detail.
	amtDtls := k[nmAmtDtls]
	viaAmtDtls := false
	an := k[nmAmt]
	if an == none {
		an = t.at(amtDtls, nmTxAmt, nmAmt)
		viaAmtDtls = an != none
	}
	ap := p
	if viaAmtDtls {
		ap = p.at("/AmtDtls/TxAmt")
	}
	has := an != none
	if has {
		a := t.amount(an)
		ind := t.code(k[nmCdtDbtInd])
		if ind == "" {
			ind = "CRDT"
			if e.Amount.Sign() < 0 {
				ind = "DBIT"
			}
		}
		var v decimal.Decimal
		var err error
		if sameAmount(&a, ind, &r.entryAmt, e.Amount) {
			v = e.Amount // the entry's text and sign: the same amount, already checked
		} else if v, err = r.amount(&a, ind, line, ap); err != nil {
			return tr, elPath{}, false, err
		}
		tr.Amount, tr.Currency, tr.Line = v, a.Ccy, a.Line
		if tr.Currency == "" {
			tr.Currency = e.Currency
		}
	} else if nd == 1 {
		tr.Amount, tr.Currency = e.Amount, e.Currency
	} else {
		tr.Currency = e.Currency
	}
	if n := t.at(amtDtls, nmInstdAmt, nmAmt); n != none {
		ia := t.amount(n)
		if d, err := parseAmount(ia.raw, false); err == nil {
			tr.OrigAmount, tr.OrigCurrency = d, ia.Ccy
		} else if !r.counted(finding.Error, RuleSchema) {
			r.add(finding.Error, ia.Line, p.String()+"/AmtDtls/InstdAmt/Amt", shorten(string(ia.raw)), RuleSchema, "%v", err)
		}
	}
	// Charges: the total of every Chrgs element, positive. Up to 001.02
	// Chrgs repeats with an Amt each; from 001.03 one Chrgs holds
	// TtlChrgsAndTaxAmt and Rcrd/Amt.
	charge := func(a amt, suffix string) {
		tr.Charges = tr.Charges.Add(r.plain(a, p.at(suffix)))
		if tr.ChargesCurrency == "" {
			tr.ChargesCurrency = a.Ccy
		}
	}
	for ch := t.firstChild(tx); ch != none; ch = t.nextSibling(ch) {
		if !t.is(ch, nmChrgs) {
			continue
		}
		switch {
		case t.child(ch, nmTtlChrgsAndTaxAmt) != none:
			charge(t.amount(t.child(ch, nmTtlChrgsAndTaxAmt)), "/Chrgs/TtlChrgsAndTaxAmt")
		case t.child(ch, nmAmt) != none:
			charge(t.amount(t.child(ch, nmAmt)), "/Chrgs/Amt")
		default:
			for rc := t.firstChild(ch); rc != none; rc = t.nextSibling(rc) {
				if t.is(rc, nmRcrd) && t.child(rc, nmAmt) != none {
					charge(t.amount(t.child(rc, nmAmt)), "/Chrgs/Rcrd/Amt")
				}
			}
		}
	}
	if tr.ChargesCurrency == tr.Currency {
		tr.ChargesCurrency = "" // "" is the detail's currency
	}
	if bc := k[nmBkTxCd]; bc != none {
		if bt := bankTxCode(t, bc); bt != e.BankTxCode && bt != (statement.BankTxCode{}) {
			tr.BankTxCode = bt
		}
	}

	if !r.summary { // SummaryOnly: no counterparty, no remittance
		// Counterparty: the debtor of a credit, the creditor of a debit; a
		// return or reversal turns it round (a returned collection is booked as
		// a debit but its counterparty is still the debtor), told by RvslInd,
		// the bank transaction code or a return reason (statement.IsReturn).
		rp := k[nmRltdPties]
		agts := k[nmRltdAgts]
		// The parties: the first child of RltdPties of each name, in one
		// pass.
		dbtrN, cdtrN, dbtrAcct, cdtrAcct, ultDbtr, ultCdtr := int32(none), int32(none), int32(none), int32(none), int32(none), int32(none)
		for c := t.firstChild(rp); c != none; c = t.nextSibling(c) {
			var first *int32
			switch t.nodes[c].name {
			case nmDbtr:
				first = &dbtrN
			case nmCdtr:
				first = &cdtrN
			case nmDbtrAcct:
				first = &dbtrAcct
			case nmCdtrAcct:
				first = &cdtrAcct
			case nmUltmtDbtr:
				first = &ultDbtr
			case nmUltmtCdtr:
				first = &ultCdtr
			default:
				continue
			}
			if *first == none {
				*first = c
			}
		}
		dbtrAcctID, cdtrAcctID := t.child(dbtrAcct, nmId), t.child(cdtrAcct, nmId)
		dbtr := statement.Party{Name: partyName(t, dbtrN, ultDbtr), IBAN: t.textAt(dbtrAcctID, nmIBAN),
			Account: otherAccount(t, dbtrAcctID), BIC: agentBIC(t, t.child(agts, nmDbtrAgt), dbtrN)}
		cdtr := statement.Party{Name: partyName(t, cdtrN, ultCdtr), IBAN: t.textAt(cdtrAcctID, nmIBAN),
			Account: otherAccount(t, cdtrAcctID), BIC: agentBIC(t, t.child(agts, nmCdtrAgt), cdtrN)}
		credit := tr.Amount.Sign() > 0 || (tr.Amount.Sign() == 0 && e.Amount.Sign() >= 0)
		txCode := e.BankTxCode
		if tr.BankTxCode != (statement.BankTxCode{}) {
			txCode = tr.BankTxCode
		}
		ret := statement.IsReturn(e.Reversal, txCode, code(t, t.child(k[nmRtrInf], nmRsn)))
		tr.Counterparty = statement.Counterparty(credit, ret, dbtr, cdtr, e.Statement.Account.IBAN)
		tr.CreditorID = creditorID(t, partyOf(t, cdtrN))

		// Remittance: Ustrd lines joined by a space; the first Strd creditor
		// reference, classified as RF or Belgian OGM.
		rmt := k[nmRmtInf]
		var parts []string
		for u := t.firstChild(rmt); u != none; u = t.nextSibling(u) {
			switch {
			case t.is(u, nmUstrd):
				if s := t.text(u); s != "" {
					parts = append(parts, s)
				}
			case t.is(u, nmStrd) && tr.Reference.Value == "":
				if ref := t.textAt(u, nmCdtrRefInf, nmRef); ref != "" {
					scheme, v := sepa.DetectReference(ref)
					tr.Reference = statement.Reference{Scheme: scheme, Value: v}
				}
			}
		}
		tr.Remittance = strings.Join(parts, " ")
		if tr.Remittance == "" {
			for u := t.firstChild(rmt); u != none && tr.Remittance == ""; u = t.nextSibling(u) {
				if t.is(u, nmStrd) {
					var add []string
					for x := t.firstChild(u); x != none; x = t.nextSibling(x) {
						if t.is(x, nmAddtlRmtInf) && t.text(x) != "" {
							add = append(add, t.text(x))
						}
					}
					tr.Remittance = strings.Join(add, " ")
				}
			}
		}
	}

	// Return information.
	if rtr := k[nmRtrInf]; rtr != none {
		tr.ReturnReason = code(t, t.child(rtr, nmRsn))
		var add []string
		for x := t.firstChild(rtr); x != none; x = t.nextSibling(x) {
			if t.is(x, nmAddtlInf) && t.text(x) != "" {
				add = append(add, t.text(x))
			}
		}
		tr.ReturnText = strings.Join(add, " ")
	}
	var apath elPath
	if has && nd == 1 {
		apath = ap
		switch ap.tail { // constants: no string built per detail
		case "":
			apath.tail = "/Amt"
		case "/AmtDtls/TxAmt":
			apath.tail = "/AmtDtls/TxAmt/Amt"
		default:
			apath.tail += "/Amt"
		}
	}
	return tr, apath, has, nil
}

// sameAmount reports whether amount a with indicator ind states the entry
// amount d, read from ea, in the same text and sign.
func sameAmount(a *amt, ind string, ea *amt, d decimal.Decimal) bool {
	if !bytes.Equal(a.raw, ea.raw) {
		return false
	}
	switch strings.TrimSpace(ind) {
	case "CRDT":
		return d.Sign() > 0
	case "DBIT":
		return d.Sign() < 0
	}
	return false
}

// clean drops the SEPA placeholder NOTPROVIDED from an end-to-end id.
func clean(s string) string {
	if s == "NOTPROVIDED" {
		return ""
	}
	return s
}

// plain reads a positive amount, adding an error finding when malformed.
func (r *Reader) plain(a amt, p elPath) decimal.Decimal {
	d, err := parseAmount(a.raw, false)
	if err != nil && !r.counted(finding.Error, RuleSchema) {
		r.add(finding.Error, a.Line, p.String(), shorten(string(a.raw)), RuleSchema, "%v", err)
	}
	return d
}

func partyName(t *tree, p, ultimate int32) string {
	if n := t.textAt(partyOf(t, p), nmNm); n != "" {
		return n
	}
	return t.textAt(partyOf(t, ultimate), nmNm)
}

func agentBIC(t *tree, agent, party int32) string {
	if b := finBIC(t, t.child(agent, nmFinInstnId)); b != "" {
		return b
	}
	return finBIC(t, t.at(party, nmAgt, nmFinInstnId))
}

// creditorID finds the SEPA creditor identifier in Cdtr/Id/PrvtId/Othr
// (SchmeNm/Prtry SEPA), or an Othr/Id that is a valid creditor identifier.
func creditorID(t *tree, p int32) string {
	id := t.child(p, nmId)
	for _, holder := range []int32{t.child(id, nmPrvtId), t.child(id, nmOrgId)} {
		for o := t.firstChild(holder); o != none; o = t.nextSibling(o) {
			if t.is(o, nmOthr) && strings.EqualFold(code(t, t.child(o, nmSchmeNm)), "SEPA") {
				return t.textAt(o, nmId)
			}
		}
	}
	for _, holder := range []int32{t.child(id, nmPrvtId), t.child(id, nmOrgId)} {
		for o := t.firstChild(holder); o != none; o = t.nextSibling(o) {
			if t.is(o, nmOthr) {
				if v := t.textAt(o, nmId); v != "" && sepa.ValidateCreditorID(v) == nil {
					return v
				}
			}
		}
	}
	return ""
}

// tally adds an entry to the running totals of its statement.
func (r *Reader) tally(e *statement.Entry, p elPath, line int) {
	c := r.cur
	if e.Amount.Sign() < 0 {
		c.nDebit++
		c.debits.Sub(e.Amount)
	} else {
		c.nCred++
		c.credits.Add(e.Amount)
	}
	if e.Status == "" || e.Status == "BOOK" {
		c.nBooked++
		c.booked.Add(e.Amount)
	}
	acct := c.st.Account.Currency
	if !c.ccyWarned && acct != "" && e.Currency != "" && e.Currency != acct {
		c.ccyWarned = true
		if p := r.part; p != nil && p.partial && c == p.cont {
			// the parts before may have warned of this statement
			p.contCcy = len(r.findings)
			if r.perRule[RuleCurrency] >= maxPerRule {
				p.contCcy = -1
			}
		}
		r.add(finding.Warning, line, p.String()+"/Amt", e.Currency, RuleCurrency,
			"entry currency %s differs from the account currency %s", e.Currency, acct)
	}
	if c.entryCurrency == "" {
		c.entryCurrency = e.Currency
	} else if e.Currency != "" && e.Currency != c.entryCurrency {
		c.mixedCurrency = true // no sum of the entries: the balance and TxsSummry sums are not checked
	}
}
