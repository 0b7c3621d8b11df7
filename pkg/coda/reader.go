package coda

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// RecordLen is the length of a CODA record in characters.
const RecordLen = 128

// maxPerRule caps how many findings of one rule a Reader keeps, so that a
// damaged gigabyte file cannot fill memory with findings.
const maxPerRule = 100

// Rules named in findings.
const (
	RuleRecord        = "CODA record"        // unknown record, bad length, record out of place
	RuleField         = "CODA field"         // a field that is not numeric, not a date ...
	RuleVersion       = "CODA version"       // record 0 position 128
	RuleBalance       = "CODA balance"       // old balance + movements = new balance
	RuleTrailer       = "CODA trailer"       // record 9 count and totals
	RuleSequence      = "CODA sequence"      // sequence and detail numbers
	RuleNextCode      = "CODA next code"     // position 126: a 2.2/2.3/3.2/3.3 record follows
	RuleLinkCode      = "CODA link code"     // position 128: an information record follows
	RuleGlobalised    = "CODA globalisation" // detail movements add up to their global movement
	RuleAccount       = "CODA account"       // record 1 / record 8 account
	RuleCharset       = "charset"            // detected or damaged text encoding
	RuleOGM           = "OGM mod 97"         // Belgian structured communication check digits
	RuleIBAN          = "ISO 13616"          // IBAN check digits
	RuleStructure     = "CODA structure"     // statements that do not close
	RuleCommunication = "CODA communication" // structured communication layout
	RuleDuplicate     = "CODA duplicate"     // record 0 position 17: a duplicate file
)

// Reader reads a CODA file one statement.Entry at a time. It implements
// statement.Reader.
type Reader struct {
	name    string
	br      *bufio.Reader
	charset Charset
	csUsed  Charset // charset decided by detection (Detect until the first non-ASCII record)

	line  int
	cont  *movement // the direct debit movement whose communication the current information group continues
	nFree int       // records 4 kept (maxFree)
	buf   [RecordLen]byte
	rec   []byte // current record, canonical: one byte per position
	wide  []wideRune
	ascii bool

	findings   []finding.Finding
	perRule    map[string]int
	suppressed map[string]int

	statements []*statement.Statement
	free       map[*statement.Statement][]string

	// file header (record 0) of the statement being read
	hdr       header
	haveHdr   bool
	skipping  bool // unsupported version: skip to the next record 0
	st        *statement.Statement
	stLine    int
	opening   int64
	closing   int64
	haveClose bool
	sum       int64 // signed sum of entries
	credits   int64
	debits    int64
	nCredits  int
	nDebits   int
	nRecords  int // records 1, 2x, 3x, 8
	entrySeq  int // entries handed out in this statement

	lastSeq    int
	lastDetail int

	expect     string // record the previous record announced ("22", "23", "31", "32", "33")
	expectFrom int    // line that announced it

	pend    pending
	hasPend bool
	cur     int // movement that 22/23 continue: -1 the entry itself, else index in pend.details

	ready *statement.Entry
	err   error
	done  bool

	// date cache: CODA files repeat the same few dates
	lastDateRaw [6]byte
	lastDate    time.Time

	codes    []cachedCode
	nextCode int
	strs     []string
	nextStr  int
	refs     []string
	tmp      []byte
	zbuf     [146]byte
	chunk    []byte // see str
	decs     [256]cachedDecimal
	utf      []byte

	// Set when the Reader reads one part of a file (ReadParallel): the
	// file-level checks of finishFile are left to the merge, and the
	// state a sequential read would carry into the part is preset.
	part       bool
	stBefore   int  // statements the parts before this one kept
	stSeen     int  // statements (records 1) met, kept or not
	freeSeen   int  // free communications met, kept or not
	freeBefore int  // free communications the parts before this one kept
	detected   bool // this Reader decided csUsed by detection
	detectIdx  int  // index in findings of the detection warning, -1 if none was kept

	reading func(io.Reader) io.Reader // WithReading
	summary bool                      // SummaryOnly

	reuseEntry   bool                    // SummaryOnly or ReuseEntries
	reuse        *entryPair              // reuseEntry: the entry Next hands out each time
	reuseDetails []statement.Transaction // and its details of a batch
}

type header struct {
	line      int
	created   time.Time
	bankID    string
	fileRef   string
	bic       string
	version   byte
	duplicate bool
}

// movement is one 2.1 record and its 2.2/2.3 continuations.
type movement struct {
	line       int
	seq        int
	seqRaw     [4]byte
	detail     int
	bankRef    string
	amount     int64 // signed thousandths
	valueDate  time.Time
	entryDate  time.Time
	ttype      byte
	code       [7]byte // Febelfin family (2), transaction (2), category (3)
	structured bool
	ogmOK      bool // type 101/102: the 12 digits verify
	commType   [3]byte
	comm       [3]piece // communication pieces of 21, 22 and 23
	glob       byte
	e2e        string
	bic        string
	rtype      byte
	reason     string
	cpAccount  string
	cpName     string
	infoName   string
	// more continues a type 127 communication beyond its 62 characters:
	// the free text of the information records of the same movement
	// (same sequence and detail number) that follow it, as written.
	more string
}

// piece is a communication zone of one record in canonical form (one byte
// per position, its code point); text holds the decoded piece when it has
// characters above U+00FF.
type piece struct {
	b     [53]byte
	n     int
	text  string
	wide  bool
	ascii bool // read from a record of ASCII bytes only
}

func (p *piece) bytes() []byte { return p.b[:p.n] }

// setPiece stores positions from..to of the current record.
func (r *Reader) setPiece(p *piece, from, to int) {
	p.n = copy(p.b[:], r.rec[from-1:to])
	p.wide, p.text, p.ascii = false, "", r.ascii
	if len(r.wide) > 0 {
		for _, w := range r.wide {
			if w.pos >= from-1 && w.pos < to {
				p.wide, p.text = true, r.text(from, to)
				return
			}
		}
	}
}

// str returns the piece as text.
func (p *piece) str() string {
	if p.wide {
		return p.text
	}
	return latin1(p.bytes()) // rare path: pieces with wide characters
}

// latin1 turns canonical bytes (each its code point) into a string.
func latin1(b []byte) string {
	if isASCII(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// chunkSize is the size of the blocks the Reader carves short strings
// from. Small enough that an entry a caller keeps pins little memory.
const chunkSize = 2048

// str returns b as a string carved from the current chunk: one allocation
// per chunk instead of one per field. Bytes handed out are never written
// again, so the strings stay immutable.
func (r *Reader) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > chunkSize/8 {
		return string(b)
	}
	if cap(r.chunk)-len(r.chunk) < len(b) {
		r.chunk = make([]byte, 0, chunkSize)
	}
	start := len(r.chunk)
	r.chunk = append(r.chunk, b...)
	return unsafe.String(&r.chunk[start], len(b))
}

// latin1 turns canonical bytes into a string carved from the chunk.
func (r *Reader) latin1(b []byte) string {
	if isASCII(b) {
		return r.str(b)
	}
	u := r.utf[:0]
	for _, c := range b {
		u = utf8.AppendRune(u, rune(c))
	}
	r.utf = u
	return r.str(u)
}

func trimBytes(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && b[i] == ' ' {
		i++
	}
	j = trimEnd(b, i, j)
	return b[i:j]
}

// trimEnd returns j less the spaces that end b[i:j], eight at a time: the
// text fields of CODA records are padded with spaces to their width.
func trimEnd(b []byte, i, j int) int {
	const spaces = 0x2020202020202020
	for j-i >= 8 {
		// the last eight bytes: the spaces that end them are the zero
		// bytes at the top of the word xor spaces (little endian)
		x := binary.LittleEndian.Uint64(b[j-8:j]) ^ spaces
		if x != 0 {
			return j - bits.LeadingZeros64(x)/8
		}
		j -= 8
	}
	for j > i && b[j-1] == ' ' {
		j--
	}
	return j
}

type txKey struct {
	code   [7]byte
	credit bool
	rtype  byte
}

// txCode returns the bank transaction code of a movement, from a cache:
// a file uses few distinct codes.
func (r *Reader) txCode(m *movement, rtype byte) statement.BankTxCode {
	k := txKey{m.code, m.amount >= 0, rtype}
	for i := range r.codes {
		if r.codes[i].k == k {
			return r.codes[i].c
		}
	}
	c := bankTxCode(string(m.code[:2]), string(m.code[2:4]), string(m.code[4:]), k.credit, rtype)
	if len(r.codes) < 16 {
		r.codes = append(r.codes, cachedCode{k, c})
	} else {
		r.codes[r.nextCode%16] = cachedCode{k, c}
		r.nextCode++
	}
	return c
}

type cachedCode struct {
	k txKey
	c statement.BankTxCode
}

// intern returns b as a string, sharing the strings of short values a file
// repeats (BICs, currencies) from a small cache.
func (r *Reader) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	for _, s := range r.strs {
		if s == string(b) {
			return s
		}
	}
	s := string(b)
	if len(r.strs) < 32 {
		r.strs = append(r.strs, s)
	} else {
		r.strs[r.nextStr%32] = s
		r.nextStr++
	}
	return s
}

// ref returns the sequence number of a movement as text, one string per
// number.
func (r *Reader) ref(raw [4]byte) string {
	v, ok := digits(raw[:])
	if !ok {
		return string(raw[:])
	}
	if int(v) >= len(r.refs) {
		n := min(max(int(v)+1, 2*len(r.refs), 64), 10000)
		r.refs = append(r.refs, make([]string, n-len(r.refs))...)
	}
	if r.refs[v] == "" {
		r.refs[v] = string(raw[:])
	}
	return r.refs[v]
}

type pending struct {
	self     movement
	details  []movement
	info     strings.Builder
	infoFull bool
}

// NewReader returns a Reader of the CODA file r; name is used in findings.
func NewReader(r io.Reader, name string, opts ...Option) *Reader {
	rd := &Reader{
		name:       name,
		perRule:    map[string]int{},
		suppressed: map[string]int{},
		free:       map[*statement.Statement][]string{},
		detectIdx:  -1,
	}
	for _, o := range opts {
		o(rd)
	}
	if rd.reading != nil {
		r = rd.reading(r)
	}
	rd.br = bufio.NewReaderSize(r, 32<<10)
	rd.csUsed = rd.charset
	return rd
}

// Statements returns every statement read so far.
func (r *Reader) Statements() []*statement.Statement { return r.statements }

// Findings returns the warnings and errors found so far.
func (r *Reader) Findings() []finding.Finding {
	out := r.findings
	if len(r.suppressed) > 0 && r.done {
		out = append(append([]finding.Finding(nil), r.findings...), notShown(r.name, r.suppressed)...)
	}
	return out
}

// notShown are the warnings that count, per rule, the findings left out
// past the cap: at the end of a file, read whole or in parts, in one order
// run after run.
func notShown(name string, suppressed map[string]int) []finding.Finding {
	var out []finding.Finding
	for _, rule := range slices.Sorted(maps.Keys(suppressed)) {
		out = append(out, finding.Finding{Severity: finding.Warning, File: name, Rule: rule,
			Message: fmt.Sprintf("%d more findings of this rule not shown", suppressed[rule])})
	}
	return out
}

// FreeCommunications returns the free communications (record 4) of a
// statement, one string per record.
func (r *Reader) FreeCommunications(st *statement.Statement) []string { return r.free[st] }

// Charset returns the charset text is decoded with: the one given with
// WithCharset, or the detected one (Detect while every record was ASCII).
func (r *Reader) Charset() Charset { return r.csUsed }

// integrity reports a figure the statement states about itself (record 8
// new balance, record 9 count and totals) that its movements contradict,
// with the severity of statement.IntegritySeverity: a CODA file is an
// end-of-day statement, so an error.
func (r *Reader) integrity(record, field, value, rule, msg string) {
	r.add(statement.IntegritySeverity(statement.KindStatement), r.line, record, field, value, rule, msg)
}

func (r *Reader) add(sev finding.Severity, line int, record, field, value, rule, msg string) {
	if r.perRule[rule] >= maxPerRule {
		r.suppressed[rule]++
		return
	}
	r.perRule[rule]++
	rec := ""
	if record != "" {
		rec = "record " + record
	}
	r.findings = append(r.findings, finding.Finding{Severity: sev, File: r.name, Line: line, Record: rec,
		Path: field, Value: value, Rule: rule, Message: msg})
}

// full reports whether rule has reached its cap, counting one more
// suppressed finding if so: callers that word a finding at some cost ask
// first, so that a file of a million findings costs a counter each.
func (r *Reader) full(rule string) bool {
	if r.perRule[rule] >= maxPerRule {
		r.suppressed[rule]++
		return true
	}
	return false
}

func (r *Reader) warn(record, field, value, rule, msg string) {
	r.add(finding.Warning, r.line, record, field, value, rule, msg)
}

func (r *Reader) errorf(record, field, value, rule, msg string) {
	r.add(finding.Error, r.line, record, field, value, rule, msg)
}

// Next returns the next entry, or io.EOF after the last one.
func (r *Reader) Next() (*statement.Entry, error) {
	for {
		if r.ready != nil {
			e := r.ready
			r.ready = nil
			return e, nil
		}
		if r.err != nil {
			return nil, r.err
		}
		if r.done {
			return nil, io.EOF
		}
		line, err := r.readLine()
		if err != nil {
			if err != io.EOF {
				r.err = fmt.Errorf("coda: %s: line %d: %w", r.name, r.line, err)
				return nil, r.err
			}
			r.finishFile()
			continue
		}
		if line == nil {
			continue
		}
		r.record(line)
	}
}

// readLine returns the next line without its line end; nil for a blank line.
func (r *Reader) readLine() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.line++
		r.errorf("", "", "", RuleRecord, fmt.Sprintf("line longer than %d bytes: not a CODA file", r.br.Size()))
		for err == bufio.ErrBufferFull {
			_, err = r.br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		return nil, nil
	}
	if len(b) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	r.line++
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		n--
	}
	if n > 0 && b[n-1] == '\r' {
		n--
	}
	b = b[:n]
	if len(b) == 0 || (b[0] == ' ' || b[0] == '\t') && len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	return b, nil
}

// load puts a line into the record buffer, decoding non-ASCII text.
func (r *Reader) load(line []byte) {
	n := len(line)
	kind := string(line[:1])
	if (line[0] == '2' || line[0] == '3') && len(line) > 1 {
		kind = string(line[:2])
	}
	if isASCII(line) {
		r.ascii = true
		r.wide = r.wide[:0]
		copy(r.buf[:], line)
	} else {
		r.ascii = false
		cs := r.csUsed
		if cs == Detect {
			if utf8.Valid(line) {
				cs = UTF8
			} else {
				cs = Latin1
			}
			r.csUsed, r.detected = cs, true
			// A record of 128 bytes whose non-ASCII bytes are all Latin-1
			// letters (À..ÿ) is the ISO-8859-1 Febelfin asks for: nothing to
			// report. Anything else (UTF-8, bytes 0x80-0xBF that CP850 and
			// CP1252 use for letters) is a guess the user should know of.
			if !(cs == Latin1 && len(line) == RecordLen && latin1Letters(line)) {
				if r.perRule[RuleCharset] < maxPerRule {
					r.detectIdx = len(r.findings)
				}
				r.add(finding.Warning, r.line, kind, "", "", RuleCharset,
					fmt.Sprintf("non-ASCII text detected as %s (Febelfin expects ISO-8859-1): check the accented letters of this record", cs))
			}
		}
		if cs == UTF8 && !utf8.Valid(line) {
			r.warn(kind, "", "", RuleCharset, "record is not valid UTF-8: read as ISO-8859-1")
			cs = Latin1
		}
		n = r.canonical(line, cs)
		if n != len(line) && n == RecordLen && r.charset == Detect {
			r.warn(kind, "", "", RuleRecord,
				fmt.Sprintf("record is %d bytes: %d characters in %s", len(line), n, cs))
		}
		for _, w := range r.wide {
			if w.r == utf8.RuneError {
				r.warn(kind, "", "", RuleCharset,
					fmt.Sprintf("replacement character U+FFFD at position %d: the text was damaged by a charset conversion before it reached us", w.pos+1))
				break
			}
		}
	}
	if n != RecordLen {
		r.warn(kind, "", "", RuleRecord,
			fmt.Sprintf("record is %d characters long, not %d", n, RecordLen))
	}
	for i := min(n, RecordLen); i < RecordLen; i++ {
		r.buf[i] = ' '
	}
	r.rec = r.buf[:]
}

// f returns the bytes of 1-based positions from..to (inclusive).
func (r *Reader) f(from, to int) []byte { return r.rec[from-1 : to] }

// text returns positions from..to as text, untrimmed; "" when blank.
func (r *Reader) text(from, to int) string {
	b := r.rec[from-1 : to]
	blank := true
	for _, c := range b {
		if c != ' ' {
			blank = false
			break
		}
	}
	if blank {
		return ""
	}
	return r.decode(b, from-1)
}

// trimmed returns positions from..to as text without surrounding spaces.
func (r *Reader) trimmed(from, to int) string {
	b := r.rec[from-1 : to]
	i, j := 0, len(b)
	for i < j && b[i] == ' ' {
		i++
	}
	j = trimEnd(b, i, j)
	if i == j {
		return ""
	}
	return r.decode(b[i:j], from-1+i)
}

func (r *Reader) decode(b []byte, off int) string {
	if r.ascii || (len(r.wide) == 0 && isASCII(b)) {
		return r.str(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for i, c := range b {
		if c == 0x1A {
			ru := rune(c)
			for _, w := range r.wide {
				if w.pos == off+i {
					ru = w.r
				}
			}
			sb.WriteRune(ru)
			continue
		}
		if c < 0x80 {
			sb.WriteByte(c)
			continue
		}
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

func digits(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// num reads a numeric field; a bad value is reported and read as 0.
func (r *Reader) num(record, field string, from, to int) int64 {
	v, ok := digits(r.f(from, to))
	if !ok && !r.full(RuleField) {
		r.errorf(record, field, string(r.f(from, to)), RuleField, "not numeric")
	}
	return v
}

// amount reads a sign code and a 15-digit amount with 3 implied decimals.
func (r *Reader) amount(record, field string, signPos, from int) int64 {
	v := r.num(record, field, from, from+14)
	switch r.rec[signPos-1] {
	case '0':
		return v
	case '1':
		return -v
	}
	r.errorf(record, field+" sign", string(r.f(signPos, signPos)), RuleField, "sign code must be 0 (credit) or 1 (debit)")
	return v
}

// date reads DDMMYY; 000000 and blanks are the zero time.
func (r *Reader) date(record, field string, from int) time.Time {
	b := r.f(from, from+5)
	if [6]byte(b) == r.lastDateRaw {
		return r.lastDate
	}
	if string(b) == "000000" || string(b) == "      " {
		return time.Time{}
	}
	v, ok := digits(b)
	d, m, y := int(v/10000), int(v/100%100), int(v%100)
	if !ok || m < 1 || m > 12 || d < 1 || d > daysIn(m, 2000+y) {
		if !r.full(RuleField) { // past the cap only counted: no text to make
			r.errorf(record, field, string(b), RuleField, "not a date DDMMYY")
		}
		return time.Time{}
	}
	year := 2000 + y
	if y >= 80 {
		year = 1900 + y
	}
	t := time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	r.lastDateRaw = [6]byte(b)
	r.lastDate = t
	return t
}

func daysIn(m, y int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func thousandths(v int64) decimal.Decimal { return decimal.New(v, -3) }

// money writes thousandths for a message: two decimals, the third only
// when it is not zero (12.5 → "12.50", 23154.685 → "23154.685").
func money(v int64) string { return statement.Money(thousandths(v)) }

type cachedDecimal struct {
	v  int64
	d  decimal.Decimal
	ok bool
}

// dec returns v thousandths as a decimal, sharing the values of amounts a
// file repeats (a direct debit batch of one subscription price): decimals
// are immutable, and each new one costs allocations.
func (r *Reader) dec(v int64) decimal.Decimal {
	c := &r.decs[uint64(v)*0x9E3779B97F4A7C15>>56]
	if c.ok && c.v == v {
		return c.d
	}
	*c = cachedDecimal{v, thousandths(v), true}
	return c.d
}

// kindOf names the record type: "0", "1", "21" ... "33", "4", "8", "9".
func kindOf(rec []byte) string {
	switch rec[0] {
	case '2', '3':
		switch string(rec[:2]) {
		case "21":
			return "21"
		case "22":
			return "22"
		case "23":
			return "23"
		case "31":
			return "31"
		case "32":
			return "32"
		case "33":
			return "33"
		}
		return string(rec[:2])
	}
	return string(rec[:1])
}

// record handles one line.
func (r *Reader) record(line []byte) {
	r.load(line)
	kind := kindOf(r.rec)
	if r.expect != "" && !expected(r.expect, kind) {
		rule := RuleNextCode
		if r.expect == "31" {
			rule = RuleLinkCode
		}
		if !r.full(rule) {
			r.warn(kind, "", "", rule, fmt.Sprintf("line %d announces a record %s, but record %s follows", r.expectFrom, r.expect, kind))
		}
	}
	r.expect = ""
	if r.skipping && kind != "0" {
		return
	}
	if kind != "32" && kind != "33" {
		r.cont = nil // a continuation ends with its information group
	}
	switch kind {
	case "0":
		r.header()
	case "1":
		r.oldBalance()
	case "21":
		r.movement21()
	case "22":
		r.movement22()
	case "23":
		r.movement23()
	case "31", "32", "33":
		r.information(kind)
	case "4":
		r.freeCommunication()
	case "8":
		r.newBalance()
	case "9":
		r.trailer()
	default:
		r.errorf(kind, "record type", string(r.f(1, 2)), RuleRecord, "unknown record type")
	}
}

// expected reports whether a record of kind satisfies what the previous
// record announced: "2x" is a 22 or 23, "3x" a 32 or 33.
func expected(want, kind string) bool {
	switch want {
	case "2x":
		return kind == "22" || kind == "23"
	case "3x":
		return kind == "32" || kind == "33"
	}
	return want == kind
}

// setExpect records what the next/link codes announce. next is the
// position of the next code, link the position of the link code (0: none).
func (r *Reader) setExpect(next int, cont string, link int) {
	if next > 0 && r.rec[next-1] == '1' {
		r.expect, r.expectFrom = cont, r.line
		return
	}
	if link > 0 && r.rec[link-1] == '1' {
		r.expect, r.expectFrom = "31", r.line
	}
}

func (r *Reader) header() {
	if r.st != nil || r.haveHdr {
		r.errorf("0", "", "", RuleStructure, "new header record before the trailer record 9 of the previous statement")
		r.endStatement(false)
	}
	r.skipping = false
	h := header{line: r.line, version: r.rec[127]}
	if h.version != '1' && h.version != '2' {
		r.errorf("0", "version code", string(h.version), RuleVersion,
			fmt.Sprintf("CODA version %c is not supported (versions 1 and 2 are)", h.version))
		r.skipping = true
		return
	}
	h.created = r.date("0", "creation date", 6)
	h.bankID = string(r.f(12, 14))
	h.duplicate = r.rec[16] == 'D'
	if h.duplicate {
		r.warn("0", "duplicate code", "D", RuleDuplicate,
			"the bank marks this file as a duplicate of one it sent before: do not book it twice")
	}
	h.fileRef = r.trimmed(25, 34)
	if h.version == '2' {
		h.bic = r.trimmed(61, 71)
	}
	r.hdr, r.haveHdr = h, true
	r.nRecords = 0
}

func (r *Reader) oldBalance() {
	if r.st != nil {
		r.errorf("1", "", "", RuleStructure, "second old balance record in one statement (no record 8/9 before it)")
		r.endStatement(false)
	}
	if !r.haveHdr {
		r.errorf("1", "", "", RuleStructure, "old balance record without a header record 0")
		r.hdr = header{version: '2'}
	}
	r.nRecords++
	st := &statement.Statement{
		Format:    "CODA " + string(r.hdr.version),
		Kind:      statement.KindStatement,
		MessageID: r.hdr.fileRef,
		CreatedAt: r.hdr.created,
		Line:      r.line,
	}
	if r.hdr.line > 0 {
		st.Line = r.hdr.line
	}
	st.Account.BIC = r.hdr.bic
	acct, ccy := r.account("1", r.rec[1], 6)
	st.Account.Currency = ccy
	if r.rec[1] == '2' || r.rec[1] == '3' {
		st.Account.IBAN = acct
		if err := sepa.ValidateIBAN(acct); err != nil {
			r.warn("1", "account", acct, RuleIBAN, err.Error())
		}
	} else {
		st.Account.Other = acct
	}
	r.opening = r.amount("1", "old balance", 43, 44)
	st.Opening = &statement.Balance{Amount: thousandths(r.opening), Currency: ccy, Date: r.date("1", "old balance date", 59), Type: "OPBD"}
	st.From = st.Opening.Date
	st.Account.Owner = r.trimmed(65, 90)
	st.Account.Name = r.trimmed(91, 125)
	st.LegalSequence = strings.TrimSpace(string(r.f(3, 5)))
	st.ElectronicSequence = strings.TrimSpace(string(r.f(126, 128)))
	st.ID = st.Account.ID() + "/" + st.LegalSequence
	r.st = st
	r.stLine = r.line
	r.stSeen++
	if r.stBefore+len(r.statements) < maxStatements {
		r.statements = append(r.statements, st)
	} else {
		r.errorf("1", "account", st.ID, RuleLimit, fmt.Sprintf("more than %d statements in one file: the file is refused (no real file has that many)", maxStatements))
	}
	r.sum, r.credits, r.debits, r.nCredits, r.nDebits = 0, 0, 0, 0, 0
	r.haveClose = false
	r.entrySeq = 0
	r.lastSeq, r.lastDetail = 0, 0
}

// account reads the 37-position account zone starting at from, by account
// structure (record 1 position 2).
func (r *Reader) account(record string, structure byte, from int) (acct, ccy string) {
	if r.hdr.version == '1' {
		return r.trimmed(from, from+11), r.trimmed(from+13, from+15)
	}
	switch structure {
	case '0': // Belgian account number
		return r.trimmed(from, from+11), r.trimmed(from+13, from+15)
	case '1', '3': // foreign account, foreign IBAN
		return r.trimmed(from, from+33), r.trimmed(from+34, from+36)
	case '2': // Belgian IBAN
		return r.trimmed(from, from+30), r.trimmed(from+34, from+36)
	}
	r.errorf(record, "account structure", string(structure), RuleField, "account structure must be 0, 1, 2 or 3")
	return r.trimmed(from, from+33), r.trimmed(from+34, from+36)
}

func (r *Reader) needStatement(kind string) bool {
	if r.st != nil {
		return true
	}
	r.errorf(kind, "", "", RuleStructure, "record outside a statement (no old balance record 1 before it)")
	return false
}

func (r *Reader) movement21() {
	if !r.needStatement("21") {
		return
	}
	r.nRecords++
	seq := int(r.num("21", "sequence number", 3, 6))
	detail := int(r.num("21", "detail number", 7, 10))
	amount := r.amount("21", "amount", 32, 33)
	r.setExpect(126, "2x", 128)

	// Decide where the movement goes before parsing it, so that it is
	// parsed in place rather than copied.
	var m *movement
	if detail != 0 && r.hasPend && seq == r.pend.self.seq && len(r.pend.details) >= maxDetails {
		// Detail numbers have 4 digits: more details than that under one
		// movement are hostile; they go on as a new movement, so that no
		// more than maxDetails are ever held.
		r.errorf("21", "detail number", string(r.f(7, 10)), RuleLimit,
			fmt.Sprintf("more than %d detail movements under sequence %04d: the file is refused", maxDetails, seq))
	}
	if detail == 0 || !r.hasPend || seq != r.pend.self.seq || len(r.pend.details) >= maxDetails {
		if detail != 0 && !r.full(RuleSequence) {
			r.warn("21", "detail number", string(r.f(7, 10)), RuleSequence,
				fmt.Sprintf("detail movement without its global movement (sequence %04d detail 0000)", seq))
		}
		r.flush()
		if seq != r.lastSeq+1 && !(r.lastSeq == 9999 && seq <= 1) && !r.full(RuleSequence) { // 4 digits wrap
			r.warn("21", "sequence number", string(r.f(3, 6)), RuleSequence,
				fmt.Sprintf("sequence number %d follows %d", seq, r.lastSeq))
		}
		r.lastSeq, r.lastDetail = seq, detail
		r.sum += amount
		if amount >= 0 {
			r.credits += amount
			r.nCredits++
		} else {
			r.debits -= amount
			r.nDebits++
		}
		r.pend.details = r.pend.details[:0]
		if r.pend.info.Len() > 0 {
			r.pend.info.Reset()
		}
		r.pend.infoFull = false
		r.hasPend = true
		r.cur = -1
		m = &r.pend.self
	} else {
		if detail <= r.lastDetail && !r.full(RuleSequence) {
			r.warn("21", "detail number", string(r.f(7, 10)), RuleSequence,
				fmt.Sprintf("detail number %d follows %d", detail, r.lastDetail))
		}
		r.lastDetail = detail
		if len(r.pend.details) < cap(r.pend.details) {
			r.pend.details = r.pend.details[:len(r.pend.details)+1]
		} else {
			r.pend.details = append(r.pend.details, movement{})
		}
		r.cur = len(r.pend.details) - 1
		m = &r.pend.details[r.cur]
	}
	m.reset()
	m.line = r.line
	m.seq, m.detail, m.amount = seq, detail, amount
	copy(m.seqRaw[:], r.f(3, 6))
	if !r.summary {
		m.bankRef = r.trimmed(11, 31)
	}
	m.valueDate = r.date("21", "value date", 48)
	m.ttype = r.rec[53]
	copy(m.code[:], r.f(55, 61))
	switch r.rec[61] {
	case '1':
		m.structured = true
		copy(m.commType[:], r.f(63, 65))
		r.setPiece(&m.comm[0], 66, 115)
	case '0', ' ':
		r.setPiece(&m.comm[0], 63, 115)
	default:
		r.errorf("21", "communication type", string(r.f(62, 62)), RuleField, "communication type must be 0 or 1")
		r.setPiece(&m.comm[0], 63, 115)
	}
	m.entryDate = r.date("21", "entry date", 116)
	m.glob = r.rec[124]
	if m.structured && (string(m.commType[:]) == "101" || string(m.commType[:]) == "102") {
		ref := r.f(66, 77)
		m.ogmOK = ogmValid(ref)
		if !m.ogmOK && !r.full(RuleOGM) {
			_, err := sepa.ParseOGM(string(ref))
			r.warn("21", "structured communication", string(ref), RuleOGM, err.Error())
		}
	}
}

// ogmValid checks 12 digits as a Belgian structured communication (the
// same rule as sepa.ParseOGM, without allocating).
func ogmValid(b []byte) bool {
	v, ok := digits(b)
	if !ok || len(b) != 12 {
		return false
	}
	rem := (v / 100) % 97
	if rem == 0 {
		rem = 97
	}
	return rem == v%100
}

// reset clears a movement for reuse without clearing its piece buffers.
func (m *movement) reset() {
	comm := m.comm
	for i := range comm {
		comm[i].n, comm[i].wide, comm[i].text, comm[i].ascii = 0, false, "", true
	}
	*m = movement{}
	m.comm = comm
}

// current returns the movement a continuation record belongs to, checking
// its sequence and detail numbers.
func (r *Reader) current(kind string) *movement {
	if !r.hasPend {
		r.errorf(kind, "", "", RuleStructure, "continuation record without a record 21 before it")
		return nil
	}
	m := &r.pend.self
	if r.cur >= 0 {
		m = &r.pend.details[r.cur]
	}
	seq, _ := digits(r.f(3, 6))
	det, _ := digits(r.f(7, 10))
	if (int(seq) != m.seq || int(det) != m.detail) && !r.full(RuleSequence) {
		r.warn(kind, "sequence number", string(r.f(3, 10)), RuleSequence,
			fmt.Sprintf("continuation of movement %04d%04d carries %s", m.seq, m.detail, r.f(3, 10)))
	}
	return m
}

func (r *Reader) movement22() {
	if !r.needStatement("22") {
		return
	}
	r.nRecords++
	m := r.current("22")
	r.setExpect(126, "23", 128)
	if m == nil {
		return
	}
	r.setPiece(&m.comm[1], 11, 63)
	if t := r.rec[112]; t != ' ' {
		m.rtype = t
	}
	m.reason = r.trimmed(114, 117)
	if r.summary {
		return
	}
	m.e2e = r.trimmed(64, 98)
	m.bic = r.intern(trimBytes(r.f(99, 109)))
}

func (r *Reader) movement23() {
	if !r.needStatement("23") {
		return
	}
	r.nRecords++
	m := r.current("23")
	r.setExpect(0, "", 128)
	if m == nil {
		return
	}
	if r.summary {
		if r.hdr.version != '1' {
			r.setPiece(&m.comm[2], 83, 125) // a structured communication ends here
		}
		return
	}
	if r.hdr.version == '1' {
		m.cpAccount = r.trimmed(11, 22)
		m.cpName = r.trimmed(48, 73)
		return
	}
	if r.rec[22] == ' ' && r.rec[23] != ' ' { // Belgian 12-digit account and currency
		m.cpAccount = r.trimmed(11, 22)
	} else {
		m.cpAccount = r.trimmed(11, 44)
	}
	m.cpName = r.trimmed(48, 82)
	r.setPiece(&m.comm[2], 83, 125)
}

func (r *Reader) information(kind string) {
	if !r.needStatement(kind) {
		return
	}
	r.nRecords++
	var txt string
	switch kind {
	case "31":
		r.setExpect(126, "3x", 128)
		if !r.hasPend {
			r.warn(kind, "", "", RuleStructure, "information record without a movement before it")
			return
		}
		seq, _ := digits(r.f(3, 6))
		det, _ := digits(r.f(7, 10))
		if int(seq) != r.pend.self.seq && !r.full(RuleSequence) {
			r.warn(kind, "sequence number", string(r.f(3, 6)), RuleSequence,
				fmt.Sprintf("information record of sequence %d inside movement %d", seq, r.pend.self.seq))
		} else if int(det) < r.lastDetail && int(seq) == r.pend.self.seq && !r.full(RuleSequence) {
			r.warn(kind, "detail number", string(r.f(7, 10)), RuleSequence,
				fmt.Sprintf("detail number %d follows %d", det, r.lastDetail))
		}
		r.lastDetail = int(det)
		m := &r.pend.self
		if r.cur >= 0 {
			m = &r.pend.details[r.cur]
		}
		if r.rec[39] != '1' && string(m.commType[:]) == "127" && int(det) == m.detail && m.more == "" {
			// Free text of the direct debit movement itself: its
			// communication continues here (positions 41-113).
			r.cont = m
			m.more = r.decode(r.rec[40:113], 40)
			return
		}
		if r.rec[39] == '1' {
			typ := string(r.f(41, 43))
			txt = r.text(44, 113)
			if typ == "001" && txt != "" { // data concerning the counterparty: name first
				m := &r.pend.self
				if r.cur >= 0 {
					m = &r.pend.details[r.cur]
				}
				if m.cpName == "" && !r.summary {
					m.infoName = r.trimmed(44, 113)
				}
			}
		} else {
			txt = r.text(41, 113)
		}
		width := 73
		if r.rec[39] == '1' {
			width = 70
		}
		r.infoPiece(txt, width)
		return
	case "32":
		r.setExpect(126, "33", 128)
		if r.cont != nil {
			r.cont.more += r.decode(r.rec[10:115], 10)
			return
		}
		r.infoPiece(r.text(11, 115), 105)
		return
	case "33":
		r.setExpect(0, "", 128)
		if r.cont != nil {
			r.cont.more += r.decode(r.rec[10:100], 10)
			return
		}
		r.infoPiece(r.text(11, 100), 90)
	}
}

// infoPiece adds the text of an information record to the entry's Info: a
// piece that filled its field continues the text directly (banks cut words
// across records), others are joined by a space.
func (r *Reader) infoPiece(s string, width int) {
	if !r.hasPend {
		return
	}
	s = strings.TrimRight(s, " ")
	if s == "" {
		r.pend.infoFull = false
		return
	}
	if r.pend.info.Len()+len(s) > maxInfo {
		r.errorf(string(r.f(1, 2)), "information", s, RuleLimit, fmt.Sprintf("more than %d bytes of information (records 3) for one movement: the file is refused", maxInfo))
		return
	}
	if r.pend.info.Len() == 0 {
		s = strings.TrimLeft(s, " ")
	} else if !r.pend.infoFull {
		r.pend.info.WriteByte(' ')
	}
	r.pend.info.WriteString(s)
	r.pend.infoFull = utf8.RuneCountInString(s) == width
}

func (r *Reader) freeCommunication() {
	if !r.needStatement("4") {
		return
	}
	if t := r.trimmed(33, 112); t != "" {
		r.freeSeen++
		if r.nFree == maxFree {
			r.errorf("4", "free communication", t, RuleLimit, fmt.Sprintf("more than %d free communications (records 4) in one file: the file is refused", maxFree))
			return
		}
		r.nFree++
		r.free[r.st] = append(r.free[r.st], t)
	}
}

func (r *Reader) newBalance() {
	if !r.needStatement("8") {
		return
	}
	r.flush()
	r.nRecords++
	if r.rec[127] == '1' {
		r.expect, r.expectFrom = "4", r.line
	}
	acct, ccy := r.account("8", r.structure(), 5)
	if id := r.st.Account.ID(); acct != id || ccy != r.st.Account.Currency {
		r.warn("8", "account", acct+" "+ccy, RuleAccount,
			fmt.Sprintf("differs from the account of the old balance record (%s %s)", id, r.st.Account.Currency))
	}
	r.closing = r.amount("8", "new balance", 42, 43)
	r.haveClose = true
	r.st.Closing = &statement.Balance{Amount: thousandths(r.closing), Currency: r.st.Account.Currency,
		Date: r.date("8", "new balance date", 58), Type: "CLBD"}
	r.st.To = r.st.Closing.Date
	if r.opening+r.sum != r.closing {
		r.integrity("8", "new balance", money(r.closing), RuleBalance,
			fmt.Sprintf("old balance %s + movements %s = %s, not the new balance",
				money(r.opening), money(r.sum), money(r.opening+r.sum)))
	}
}

// structure returns the account structure of the statement being read.
func (r *Reader) structure() byte {
	if r.st == nil {
		return '2'
	}
	switch {
	case r.st.Account.IBAN != "" && strings.HasPrefix(r.st.Account.IBAN, "BE"):
		return '2'
	case r.st.Account.IBAN != "":
		return '3'
	case len(r.st.Account.Other) == 12:
		return '0'
	}
	return '1'
}

func (r *Reader) trailer() {
	if r.st == nil {
		if !r.haveHdr {
			r.errorf("9", "", "", RuleStructure, "trailer record without a statement")
		} else {
			r.errorf("9", "", "", RuleStructure, "statement without an old balance record 1")
		}
		r.haveHdr = false
		return
	}
	r.flush()
	n := r.num("9", "number of records", 17, 22)
	deb := r.num("9", "debit movements", 23, 37)
	cred := r.num("9", "credit movements", 38, 52)
	r.st.StatedDebits = &statement.Total{Count: r.nDebits, Sum: thousandths(deb)}
	r.st.StatedCredits = &statement.Total{Count: r.nCredits, Sum: thousandths(cred)}
	if int(n) != r.nRecords%1000000 { // 6 digits: very large statements wrap
		r.integrity("9", "number of records", strconv.FormatInt(n, 10), RuleTrailer,
			fmt.Sprintf("the statement holds %d records 1, 2x, 3x and 8", r.nRecords))
	}
	if deb != r.debits {
		r.integrity("9", "debit movements", thousandths(deb).String(), RuleTrailer,
			fmt.Sprintf("the debit movements add up to %s", money(r.debits)))
	}
	if cred != r.credits {
		r.integrity("9", "credit movements", thousandths(cred).String(), RuleTrailer,
			fmt.Sprintf("the credit movements add up to %s", money(r.credits)))
	}
	r.endStatement(true)
}

// endStatement closes the statement being read.
func (r *Reader) endStatement(trailer bool) {
	r.flush()
	if r.st != nil {
		if !r.haveClose {
			r.add(finding.Error, r.line, "", "", "", RuleStructure,
				fmt.Sprintf("statement that starts on line %d has no new balance record 8", r.stLine))
		}
		if !trailer {
			r.add(finding.Error, r.line, "", "", "", RuleStructure,
				fmt.Sprintf("statement that starts on line %d has no trailer record 9", r.stLine))
		}
	}
	r.st = nil
	r.haveHdr = false
	r.expect = ""
}

func (r *Reader) finishFile() {
	if r.expect != "" {
		rule := RuleNextCode
		if r.expect == "31" {
			rule = RuleLinkCode
		}
		r.add(finding.Warning, r.expectFrom, "", "", "", rule,
			fmt.Sprintf("line %d announces a record %s, but the file ends", r.expectFrom, r.expect))
		r.expect = ""
	}
	if r.st != nil || r.haveHdr {
		if r.st == nil {
			r.add(finding.Error, r.line, "", "", "", RuleStructure, "file ends after a header record without a statement")
			r.haveHdr = false
		} else {
			r.endStatement(false)
		}
	}
	if r.part {
		// the file-level checks below are ReadParallel's
	} else if r.line == 0 {
		r.add(finding.Error, 0, "", "", "", RuleStructure, "file is empty: no CODA records")
	} else if len(r.statements) == 0 && !r.skipping && len(r.findings) == 0 {
		r.add(finding.Error, 0, "", "", "", RuleStructure, "no statement in file")
	}
	r.done = true
}

// flush turns the pending movement and its details into the ready entry.
func (r *Reader) flush() {
	if !r.hasPend {
		return
	}
	r.hasPend = false
	p := &r.pend
	st := r.st
	ccy := st.Account.Currency
	r.entrySeq++
	var e *statement.Entry
	var one []statement.Transaction
	switch {
	case r.reuseEntry: // the entry of the last call, cleared (see ReuseEntries)
		if r.reuse == nil {
			r.reuse = new(entryPair)
		}
		*r.reuse = entryPair{}
		e, one = &r.reuse.e, r.reuse.t[:]
	case len(p.details) == 0:
		// the entry and its one transaction in one allocation
		pair := new(entryPair)
		e, one = &pair.e, pair.t[:]
	default:
		e = new(statement.Entry)
	}
	// Fields are set one by one on the fresh (zeroed) entry: copying a whole
	// struct literal in costs a bulk write barrier while the GC runs.
	e.Statement = st
	e.Seq = r.entrySeq
	e.Ref = r.ref(p.self.seqRaw)
	e.Amount = r.dec(p.self.amount)
	e.Currency = ccy
	e.Status = "BOOK"
	e.BookingDate = p.self.entryDate
	e.ValueDate = p.self.valueDate
	e.AccountSvcrRef = p.self.bankRef
	if p.info.Len() > 0 && !r.summary {
		e.Info = p.info.String()
	}
	e.Line = p.self.line
	e.BankTxCode = r.txCode(&p.self, p.self.rtype)
	if len(p.details) == 0 {
		e.Details = one
		r.transaction(&p.self, ccy, &e.Details[0], e.Amount)
		e.BankTxCode = r.txCode(&p.self, p.self.rtype)
		// A return told by its R-transaction type, its Febelfin code (mapped
		// to UPDD/PRDD) or its return reason: the one rule of every reader.
		e.Reversal = statement.IsReturn(isR(p.self.rtype), e.BankTxCode, e.Details[0].ReturnReason)
	} else {
		p.details = leaves(p.details)
		if r.reuseEntry && cap(r.reuseDetails) >= len(p.details) {
			e.Details = r.reuseDetails[:len(p.details)]
			clear(e.Details)
		} else {
			e.Details = make([]statement.Transaction, len(p.details))
			if r.reuseEntry {
				r.reuseDetails = e.Details
			}
		}
		e.BatchCount = len(p.details)
		// The customer reference of a global movement names the batch
		// (the PmtInfId of a SEPA direct debit collection).
		e.BatchID = p.self.e2e
		var sum int64
		rev := true
		for i := range p.details {
			d := &p.details[i]
			if d.ttype != '9' { // detail for information only
				sum += d.amount
			}
			t := &e.Details[i]
			r.transaction(d, ccy, t, r.dec(d.amount))
			if t.BankTxCode == e.BankTxCode {
				t.BankTxCode = statement.BankTxCode{}
			}
			t.PaymentInfoID = e.BatchID
			code := e.BankTxCode
			if t.BankTxCode != (statement.BankTxCode{}) {
				code = t.BankTxCode
			}
			rev = rev && statement.IsReturn(isR(d.rtype), code, t.ReturnReason)
		}
		e.Reversal = isR(p.self.rtype) || rev
		// The global movement's own communication describes the batch.
		var g statement.Transaction
		if r.transaction(&p.self, ccy, &g, e.Amount); g.Remittance != "" && !r.summary {
			if e.Info != "" {
				e.Info = g.Remittance + " " + e.Info
			} else {
				e.Info = g.Remittance
			}
		}
		if p.self.rtype == 0 && rev && len(p.details) > 0 {
			e.BankTxCode = r.txCode(&p.self, p.details[0].rtype)
		}
		if sum != p.self.amount {
			r.add(finding.Warning, p.self.line, "21", "amount", e.Amount.String(), RuleGlobalised,
				fmt.Sprintf("globalised movement %04d: its %d detail movements add up to %s", p.self.seq, len(p.details), money(sum)))
		}
	}
	r.ready = e
}

// entryPair is an entry with its one transaction.
type entryPair struct {
	e statement.Entry
	t [1]statement.Transaction
}

// rfOnly reports whether a free communication is nothing but an ISO 11649
// creditor reference, and returns it in electronic form.
func rfOnly(s string) (string, bool) {
	if len(s) > 25 || !strings.HasPrefix(s, "RF") {
		return "", false
	}
	rf, err := sepa.ParseRF(s)
	return string(rf), err == nil
}

// leaves drops the subtotals of a globalisation on several levels: detail
// movements that are themselves totals (transaction type 1, 2 or 3) when
// details of totals (type 5 to 8) are present.
func leaves(ds []movement) []movement {
	hasDetail, hasTotal := false, false
	for i := range ds {
		switch ds[i].ttype {
		case '5', '6', '7', '8':
			hasDetail = true
		case '1', '2', '3':
			hasTotal = true
		}
	}
	if !hasDetail || !hasTotal {
		return ds
	}
	out := ds[:0]
	for _, d := range ds {
		if d.ttype != '1' && d.ttype != '2' && d.ttype != '3' {
			out = append(out, d)
		}
	}
	return out
}

func isR(t byte) bool { return t >= RReject && t <= RCancellation }

// transaction builds the statement.Transaction of one movement.
// t must be zero: it is filled field by field.
func (r *Reader) transaction(m *movement, ccy string, t *statement.Transaction, amount decimal.Decimal) {
	t.Amount = amount
	t.Currency = ccy
	t.Line = m.line
	t.BankTxCode = r.txCode(m, m.rtype)
	if r.summary {
		if m.structured {
			r.structured(m, t)
		}
		r.returned(m, t)
		return
	}
	t.AccountSvcrRef = m.bankRef
	t.EndToEndID = m.e2e
	t.Counterparty.Name = m.cpName
	if t.Counterparty.Name == "" {
		t.Counterparty.Name = m.infoName
	}
	t.Counterparty.BIC = m.bic
	if a := m.cpAccount; a != "" {
		if len(a) >= 15 && a[0] >= 'A' && a[0] <= 'Z' && a[1] >= 'A' && a[1] <= 'Z' && a[2] >= '0' && a[2] <= '9' {
			t.Counterparty.IBAN = a
		} else {
			t.Counterparty.Account = a
		}
	}
	if !m.structured {
		t.Remittance = r.joinComm(m)
		if rf, ok := rfOnly(t.Remittance); ok {
			t.Reference = statement.Reference{Scheme: sepa.SchemeRF, Value: rf}
			t.Remittance = ""
		}
	} else {
		r.structured(m, t)
	}
	r.returned(m, t)
}

// returned sets the return reason and text of an R-transaction.
func (r *Reader) returned(m *movement, t *statement.Transaction) {
	if isR(m.rtype) {
		code := m.reason
		if code != "" {
			t.ReturnReason = code
			t.ReturnText = ReasonText(code)
		}
		if t.ReturnText == "" {
			t.ReturnText = rTypeText(m.rtype)
		}
	}
}

// joinComm joins the free communication pieces of a movement (53, 53 and
// 43 positions): a piece that fills its field continues the text directly,
// others are joined by a space.
func (r *Reader) joinComm(m *movement) string {
	wide := false
	for i := range m.comm {
		wide = wide || m.comm[i].wide
	}
	if wide {
		var p [3]string
		for i := range m.comm {
			p[i] = m.comm[i].str()
		}
		return joinComm(p[:], [3]int{53, 53, 43})
	}
	out := r.tmp[:0]
	full, ascii := false, true
	for i, w := range [3]int{53, 53, 43} {
		ascii = ascii && m.comm[i].ascii
		b := m.comm[i].bytes()
		j := len(b)
		for j > 0 && b[j-1] == ' ' {
			j--
		}
		b = b[:j]
		if len(b) == 0 {
			full = false
			continue
		}
		if len(out) == 0 {
			b = trimBytes(b)
		} else if !full {
			out = append(out, ' ')
		}
		out = append(out, b...)
		full = j == w
	}
	r.tmp = out
	if len(out) == 0 {
		return ""
	}
	if ascii {
		return r.str(out)
	}
	return r.latin1(out)
}

// joinComm joins communication pieces of the given widths: a piece that
// fills its field continues the text directly, others are joined by a space.
func joinComm(p []string, w [3]int) string {
	var sb strings.Builder
	full := false
	for i, s := range p {
		s = strings.TrimRight(s, " ")
		if s == "" {
			full = false
			continue
		}
		if sb.Len() == 0 {
			s = strings.TrimLeft(s, " ")
		} else if !full {
			sb.WriteByte(' ')
		}
		sb.WriteString(s)
		full = utf8.RuneCountInString(s) == w[i]
	}
	return sb.String()
}

// zone is the structured communication zone of a movement: 50 positions
// of 21, 53 of 22 and 43 of 23 (146 in all), as canonical bytes, or as runes
// when a piece holds characters above U+00FF.
type zone struct {
	r     *Reader
	b     []byte
	runes []rune
	ascii bool // b holds ASCII bytes only
}

func (r *Reader) zone(m *movement) zone {
	wide := false
	for i := range m.comm {
		wide = wide || m.comm[i].wide
	}
	widths := [3]int{50, 53, 43}
	if !wide {
		z := r.zbuf[:0]
		ascii := true
		for i, w := range widths {
			ascii = ascii && m.comm[i].ascii
			b := m.comm[i].bytes()
			if len(b) > w {
				b = b[:w]
			}
			z = append(z, b...)
			for n := len(b); n < w; n++ {
				z = append(z, ' ')
			}
		}
		return zone{r: r, b: z, ascii: ascii}
	}
	z := make([]rune, 0, 146)
	for i, w := range widths {
		n := 0
		for _, c := range m.comm[i].str() {
			if n == w {
				break
			}
			z = append(z, c)
			n++
		}
		for ; n < w; n++ {
			z = append(z, ' ')
		}
	}
	return zone{r: r, runes: z}
}

// field returns positions [from, to) of the zone without surrounding spaces.
func (z zone) field(from, to int) string {
	if z.runes != nil {
		return strings.TrimSpace(string(z.runes[from:to]))
	}
	if z.ascii {
		return z.r.str(trimBytes(z.b[from:to]))
	}
	return z.r.latin1(trimBytes(z.b[from:to]))
}

// raw returns positions [from, to) as they stand.
func (z zone) raw(from, to int) string {
	if z.runes != nil {
		return string(z.runes[from:to])
	}
	if z.ascii {
		return z.r.str(z.b[from:to])
	}
	return z.r.latin1(z.b[from:to])
}

func (z zone) at(i int) byte {
	if z.runes != nil {
		if z.runes[i] < 0x80 {
			return byte(z.runes[i])
		}
		return '?'
	}
	return z.b[i]
}

// structured reads a structured communication into t.
func (r *Reader) structured(m *movement, t *statement.Transaction) {
	if r.summary && (string(m.commType[:]) == "101" || string(m.commType[:]) == "102") {
		return // a reference and text only
	}
	z := r.zone(m)
	switch string(m.commType[:]) {
	case "101", "102": // credit transfer with Belgian structured communication (OGM/VCS)
		// checked with sepa.ParseOGM when the 21 record was read
		ref := z.field(0, 12)
		if m.ogmOK {
			t.Reference = statement.Reference{Scheme: sepa.SchemeOGM, Value: ref}
		} else {
			t.Reference = statement.Reference{Scheme: sepa.SchemeOther, Value: ref}
		}
		t.Remittance = z.field(12, 146)
	case "105": // original amount of the transaction
		gross, ok1 := digits([]byte(z.raw(0, 15)))
		orig, ok2 := digits([]byte(z.raw(15, 30)))
		if !ok1 || !ok2 {
			r.add(finding.Warning, m.line, "21", "communication 105", z.field(0, 30), RuleCommunication, "original amount is not numeric")
			t.Remittance = z.field(0, 146)
			return
		}
		sign := int64(1)
		if m.amount < 0 {
			sign = -1
		}
		t.OrigAmount = thousandths(sign * orig)
		t.OrigCurrency = z.field(42, 45)
		abs := m.amount * sign
		if gross > abs {
			t.Charges = thousandths(gross - abs)
		}
	case "127": // European (SEPA) direct debit
		if !r.summary {
			t.CreditorID = z.field(9, 44)
			t.MandateID = z.field(44, 79)
			t.Remittance = z.field(79, 141)
			if m.more != "" { // continued in information records: read whole
				t.Remittance = strings.TrimSpace(z.raw(79, 141) + m.more)
			}
		}
		if rt := z.at(141); m.rtype == 0 && isR(rt) {
			m.rtype = rt
		}
		if m.reason == "" {
			m.reason = z.field(142, 146)
		}
		if paid := z.at(8); paid >= '1' && paid <= '4' {
			code, text := refusalReason(paid)
			if m.reason == "" {
				m.reason = code
			}
			if m.rtype == 0 {
				m.rtype = RReject
			}
			t.ReturnText = text
		}
		if isR(m.rtype) && m.reason != "" {
			t.ReturnReason = m.reason
			t.ReturnText = ReasonText(m.reason)
		}
		if isR(m.rtype) && t.ReturnText == "" {
			t.ReturnText = rTypeText(m.rtype)
		}
		t.BankTxCode = r.txCode(m, m.rtype)
	default:
		if !r.summary {
			t.Remittance = string(m.commType[:]) + " " + strings.Join(strings.Fields(z.raw(0, 146)), " ")
		}
	}
}

// Sniff reports whether head (the first bytes of a file) looks like CODA: a
// header record "0000" with application code 05 at positions 15-16.
func Sniff(head []byte) bool {
	return len(head) >= 20 && string(head[:5]) == "00000" && string(head[14:16]) == "05"
}
