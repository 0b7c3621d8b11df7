package camt

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

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

// Versions lists the supported message versions, the last part of the
// namespace: camt.05x.001.<version>.
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

// Reader reads the entries of a camt.052, camt.053 or camt.054 message one
// at a time. It implements statement.Reader.
type Reader struct {
	name    string
	br      *bufio.Reader
	d       *xml.Decoder
	sniffed bool

	msg     *message
	format  string // camt.053.001.02
	msgID   string
	created time.Time

	depth    int  // element depth below the document node
	rootSeen bool // Document started
	rootDone bool // Document ended
	msgSeen  bool // message element (BkToCstmrStmt ...) started
	msgLine  int
	nStmt    int // statements started
	cur      *stmtState
	stmts    []*statement.Statement
	findings finding.List
	err      error // sticky
	eof      bool
	rootPath string // /Document/BkToCstmrStmt
}

// stmtState holds what the checks need while a statement is read.
type stmtState struct {
	st   *statement.Statement
	path string // /Document/BkToCstmrStmt/Stmt[1]
	nBal int
	nNtr int

	openingPath, closingPath string
	closingLine              int
	closingRaw               string
	summary                  *txsSummry
	summaryLine              int

	booked        decimal.Decimal // signed sum of booked entries
	nBooked       int
	credits       decimal.Decimal // sum of credit entry amounts (positive)
	debits        decimal.Decimal // sum of debit entry amounts (positive)
	nCred, nDebit int
	ccyWarned     bool
	entryCurrency string
}

// NewReader returns a Reader of r; name is the file name used in findings
// and errors.
func NewReader(r io.Reader, name string) *Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	d := xml.NewDecoder(br)
	d.CharsetReader = charsetReader
	return &Reader{name: name, br: br, d: d}
}

// charsetReader accepts the encodings camt files declare. ISO 8859-1 and
// windows-1252 are mapped byte for byte (the range 0x80-0x9F of cp1252 is
// rare in bank files and read as Latin-1).
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "iso-8859-15":
		return &latin1Reader{r: bufio.NewReader(in)}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.buf) == 0 {
		var tmp [4096]byte
		n, err := l.r.Read(tmp[:])
		if n == 0 {
			return 0, err
		}
		for _, c := range tmp[:n] {
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

func (r *Reader) line() int {
	l, _ := r.d.InputPos()
	return l
}

// fail makes a sticky error finding.
func (r *Reader) fail(line int, path, value, rule, format string, args ...any) error {
	f := finding.Finding{Severity: finding.Error, File: r.name, Line: line, Path: path, Value: value,
		Rule: rule, Message: fmt.Sprintf(format, args...)}
	r.err = f
	return f
}

func (r *Reader) add(sev finding.Severity, line int, path, value, rule, format string, args ...any) {
	r.findings.Add(finding.Finding{Severity: sev, File: r.name, Line: line, Path: path, Value: value,
		Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// xmlError turns a decoder error into an error finding with its line.
func (r *Reader) xmlError(err error, path string) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		if msg == "unexpected EOF" {
			msg = "unexpected end of file: the document is truncated"
		}
		return r.fail(se.Line, path, "", RuleXML, "%s", msg)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return r.fail(r.line(), path, "", RuleXML, "unexpected end of file: the document is truncated")
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
		tok, err := r.d.Token()
		if err == io.EOF {
			return nil, r.end()
		}
		if err != nil {
			return nil, r.xmlError(err, r.path())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e, err := r.start(t)
			if err != nil || e != nil {
				return e, err
			}
		case xml.EndElement:
			if err := r.endElement(); err != nil {
				return nil, err
			}
		case xml.CharData:
			if r.depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, r.fail(r.line(), "", shorten(string(bytes.TrimSpace(t))), RuleXML, "text outside the document element")
			}
		}
	}
}

// sniff rejects archives before the XML decoder reports them as garbage.
func (r *Reader) sniff() error {
	head, _ := r.br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return r.fail(0, "", "", RuleXML, "a ZIP archive, not an XML document: extract it and read each member")
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return r.fail(0, "", "", RuleXML, "a gzip file, not an XML document: decompress it first")
	}
	return nil
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
	case !r.rootDone:
		return r.fail(r.line(), r.path(), "", RuleXML, "unexpected end of file: the document is truncated")
	}
	r.eof = true
	return io.EOF
}

// start handles a start element at the levels the Reader walks; deeper
// elements are decoded or skipped whole.
func (r *Reader) start(t xml.StartElement) (*statement.Entry, error) {
	line := r.line()
	switch r.depth {
	case 0:
		if r.rootDone {
			return nil, r.fail(line, "/"+t.Name.Local, "", RuleXML, "a second document element after </Document>")
		}
		if err := r.root(t, line); err != nil {
			return nil, err
		}
	case 1: // message element
		name := strings.TrimSuffix(t.Name.Local, "V01")
		if name != r.msg.root || r.msgSeen {
			if r.msgSeen || isMessageRoot(name) {
				return nil, r.fail(line, "/Document/"+t.Name.Local, "", RuleSchema,
					"unexpected element in a %s document (expected one %s)", r.format, r.msg.root)
			}
			return nil, r.skip("/Document/" + t.Name.Local)
		}
		r.msgSeen, r.msgLine = true, line
		r.rootPath = "/Document/" + t.Name.Local
	case 2: // GrpHdr, Stmt/Rpt/Ntfctn
		switch t.Name.Local {
		case "GrpHdr":
			var g grpHdr
			if err := r.d.DecodeElement(&g, &t); err != nil {
				return nil, r.xmlError(err, r.rootPath+"/GrpHdr")
			}
			r.msgID = strings.TrimSpace(g.MsgId)
			r.created = r.dateTime(g.CreDtTm, line, r.rootPath+"/GrpHdr/CreDtTm")
			return nil, nil
		case r.msg.stmt:
			r.beginStatement(line)
		default:
			return nil, r.skip(r.rootPath + "/" + t.Name.Local)
		}
	case 3: // inside a statement
		return r.statementChild(t, line)
	default:
		return nil, r.skip(r.path() + "/" + t.Name.Local)
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
	if err := r.d.Skip(); err != nil {
		return r.xmlError(err, path)
	}
	return nil
}

// root checks the document element and picks the message and version from
// its namespace.
func (r *Reader) root(t xml.StartElement, line int) error {
	r.rootSeen = true
	if t.Name.Local != "Document" {
		return r.fail(line, "/"+t.Name.Local, t.Name.Space, RuleNamespace,
			"not a camt document: the document element is %s, expected Document", t.Name.Local)
	}
	ns := strings.TrimSpace(t.Name.Space)
	if ns == "" {
		return r.fail(line, "/Document", "", RuleNamespace,
			"no namespace: a camt document declares xmlns=\"%scamt.05x.001.nn\"", nsPrefix)
	}
	m, version, err := parseNamespace(ns)
	if err != nil {
		return r.fail(line, "/Document", ns, RuleNamespace, "%v", err)
	}
	r.msg = m
	r.format = fmt.Sprintf("camt.%s.001.%02d", m.number, version)
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

func (r *Reader) beginStatement(line int) {
	r.nStmt++
	st := &statement.Statement{Format: r.format, Kind: r.msg.kind, MessageID: r.msgID, CreatedAt: r.created, Line: line}
	r.stmts = append(r.stmts, st)
	r.cur = &stmtState{st: st, path: fmt.Sprintf("%s/%s[%d]", r.rootPath, r.msg.stmt, r.nStmt)}
}

// statementChild reads one child of Stmt/Rpt/Ntfctn.
func (r *Reader) statementChild(t xml.StartElement, line int) (*statement.Entry, error) {
	c := r.cur
	st := c.st
	path := c.path + "/" + t.Name.Local
	var s string
	var err error
	switch t.Name.Local {
	case "Ntry":
		c.nNtr++
		var n ntry
		if err := r.d.DecodeElement(&n, &t); err != nil {
			return nil, r.xmlError(err, fmt.Sprintf("%s/Ntry[%d]", c.path, c.nNtr))
		}
		return r.entry(&n, line)
	case "Id", "ElctrncSeqNb", "LglSeqNb", "CreDtTm":
		err = r.d.DecodeElement(&s, &t)
		s = strings.TrimSpace(s)
		switch t.Name.Local {
		case "Id":
			st.ID = s
		case "ElctrncSeqNb":
			st.ElectronicSequence = s
		case "LglSeqNb":
			st.LegalSequence = s
		case "CreDtTm":
			st.CreatedAt = r.dateTime(s, line, path)
		}
	case "FrToDt":
		var f frToDt
		err = r.d.DecodeElement(&f, &t)
		st.From = r.date(f.FrDtTm, line, path+"/FrDtTm")
		st.To = r.date(f.ToDtTm, line, path+"/ToDtTm")
	case "Acct":
		var a cashAccount
		err = r.d.DecodeElement(&a, &t)
		ownr := a.Ownr.inner()
		st.Account = statement.Account{
			IBAN: strings.TrimSpace(a.Id.IBAN), Other: a.Id.other(), Currency: strings.TrimSpace(a.Ccy),
			Name: strings.TrimSpace(a.Nm), Owner: strings.TrimSpace(ownr.Nm), BIC: a.Svcr.FinInstnId.bic(),
		}
	case "Bal":
		c.nBal++
		var b bal
		if err := r.d.DecodeElement(&b, &t); err != nil {
			return nil, r.xmlError(err, path)
		}
		return nil, r.balance(&b, line, fmt.Sprintf("%s/Bal[%d]", c.path, c.nBal))
	case "TxsSummry":
		var ts txsSummry
		err = r.d.DecodeElement(&ts, &t)
		c.summary, c.summaryLine = &ts, line
		st.StatedCredits = r.total(ts.TtlCdtNtries, line, path+"/TtlCdtNtries")
		st.StatedDebits = r.total(ts.TtlDbtNtries, line, path+"/TtlDbtNtries")
	default:
		err = r.d.Skip()
	}
	if err != nil {
		return nil, r.xmlError(err, path)
	}
	return nil, nil
}

func (r *Reader) total(ns *numberAndSum, line int, path string) *statement.Total {
	if ns == nil {
		return nil
	}
	t := &statement.Total{}
	if s := strings.TrimSpace(ns.NbOfNtries); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			r.add(finding.Error, line, path+"/NbOfNtries", s, RuleSchema, "number of entries is not a whole number")
		}
		t.Count = n
	}
	if s := strings.TrimSpace(ns.Sum); s != "" {
		d, ok := parseDecimal(strings.TrimPrefix(s, "-"))
		if !ok {
			r.add(finding.Error, line, path+"/Sum", s, RuleSchema, "sum is not a decimal amount")
		}
		t.Sum = d // stated as a positive sum; a few banks write debit sums with a minus
	}
	return t
}

// balance reads a Bal into Opening (OPBD, else PRCD) or Closing (CLBD).
func (r *Reader) balance(b *bal, line int, path string) error {
	code := b.Tp.code()
	if code != "OPBD" && code != "PRCD" && code != "CLBD" {
		return nil
	}
	ind := b.CdtDbtInd
	if strings.TrimSpace(ind) == "" && b.Amt.Set {
		// Some banks leave out the indicator of positive balances.
		ind = "CRDT"
		r.add(finding.Warning, b.Amt.Line, path+"/CdtDbtInd", "", RuleSchema,
			"balance has no credit/debit indicator; read as a credit balance")
	}
	amount, err := r.amount(&b.Amt, ind, line, path)
	if err != nil {
		return err
	}
	dt := b.Dt.Dt
	if dt == "" {
		dt = b.Dt.DtTm
	}
	bl := &statement.Balance{Amount: amount, Currency: b.Amt.Ccy, Date: r.date(dt, line, path+"/Dt"), Type: code}
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
			c.st.Closing, c.closingPath, c.closingLine, c.closingRaw = bl, path, b.Amt.Line, b.Amt.Value
		}
	}
	return nil
}

// amount reads a signed amount: the value of a with the sign of ind
// (CRDT +, DBIT −). A missing or malformed amount or indicator is an error.
func (r *Reader) amount(a *amt, ind string, line int, path string) (decimal.Decimal, error) {
	if a.Line > 0 {
		line = a.Line
	}
	if !a.Set {
		return decimal.Decimal{}, r.fail(line, path+"/Amt", "", RuleSchema, "amount is missing")
	}
	d, ok := parseDecimal(a.Value)
	if !ok {
		return decimal.Decimal{}, r.fail(line, path+"/Amt", shorten(a.Value), RuleSchema,
			"amount is not a decimal number (digits with an optional '.', no sign)")
	}
	switch strings.TrimSpace(ind) {
	case "CRDT":
		return d, nil
	case "DBIT":
		return d.Neg(), nil
	}
	return decimal.Decimal{}, r.fail(line, path+"/CdtDbtInd", shorten(ind), RuleSchema, "credit/debit indicator must be CRDT or DBIT")
}

// parseDecimal reads an XSD decimal without sign or exponent exactly.
func parseDecimal(s string) (decimal.Decimal, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 {
		return decimal.Decimal{}, false
	}
	var m int64
	dot, digits := -1, 0
	fast := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 18 {
				fast = false
			} else {
				m = m*10 + int64(c-'0')
			}
		case c == '.' && dot < 0:
			dot = i
		default:
			return decimal.Decimal{}, false
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, false
	}
	exp := 0
	if dot >= 0 {
		exp = -(len(s) - dot - 1)
	}
	if fast {
		return decimal.New(m, int32(exp)), true
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

// date reads an ISODate, or the date part of an ISODateTime as written
// (the civil date the bank meant), as 00:00 UTC. An empty value is the zero
// time; a malformed one is an error finding.
func (r *Reader) date(s string, line int, path string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil && (len(s) == 10 || s[10] == 'T' || s[10] == '+' || s[10] == 'Z' || s[10] == '-') {
			return t
		}
	}
	r.add(finding.Error, line, path, shorten(s), RuleSchema, "not an ISO date (YYYY-MM-DD)")
	return time.Time{}
}

// dateTime reads an ISODateTime with or without fraction and zone (no zone
// is read as UTC); a bare date is accepted.
func (r *Reader) dateTime(s string, line int, path string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	r.add(finding.Error, line, path, shorten(s), RuleSchema, "not an ISO date-time (YYYY-MM-DDThh:mm:ss)")
	return time.Time{}
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func bankTxCode(b *bkTxCd) statement.BankTxCode {
	return statement.BankTxCode{
		Domain:            strings.TrimSpace(b.Domn.Cd),
		Family:            strings.TrimSpace(b.Domn.Fmly.Cd),
		SubFamily:         strings.TrimSpace(b.Domn.Fmly.SubFmlyCd),
		Proprietary:       strings.TrimSpace(b.Prtry.Cd),
		ProprietaryIssuer: strings.TrimSpace(b.Prtry.Issr),
	}
}

// entry turns a decoded Ntry into a statement entry.
func (r *Reader) entry(n *ntry, line int) (*statement.Entry, error) {
	c := r.cur
	path := fmt.Sprintf("%s/Ntry[%d]", c.path, c.nNtr)
	amount, err := r.amount(&n.Amt, n.CdtDbtInd, line, path)
	if err != nil {
		return nil, err
	}
	e := &statement.Entry{
		Statement:      c.st,
		Seq:            c.nNtr,
		Ref:            strings.TrimSpace(n.NtryRef),
		Amount:         amount,
		Currency:       n.Amt.Ccy,
		Reversal:       isTrue(n.RvslInd),
		Status:         n.Sts.code(),
		BankTxCode:     bankTxCode(&n.BkTxCd),
		AccountSvcrRef: strings.TrimSpace(n.AcctSvcrRef),
		Info:           strings.TrimSpace(n.AddtlNtryInf),
		Line:           line,
	}
	e.BookingDate = r.date(firstOf(n.BookgDt.Dt, n.BookgDt.DtTm), line, path+"/BookgDt")
	e.ValueDate = r.date(firstOf(n.ValDt.Dt, n.ValDt.DtTm), line, path+"/ValDt")
	if e.Currency == "" {
		e.Currency = c.st.Account.Currency
	}

	// Batch information: NtryDtls/Btch, or Ntry/Btch in 001.01.
	var b *btch
	if len(n.Btch) > 0 {
		b = &n.Btch[0]
	}
	nd := len(n.TxDtls)
	for i := range n.NtryDtls {
		if b == nil && n.NtryDtls[i].Btch != nil {
			b = n.NtryDtls[i].Btch
		}
		nd += len(n.NtryDtls[i].TxDtls)
	}
	if b != nil {
		e.BatchID = strings.TrimSpace(b.PmtInfId)
		if e.BatchID == "" {
			e.BatchID = strings.TrimSpace(b.MsgId)
		}
		if s := strings.TrimSpace(b.NbOfTxs); s != "" {
			k, err := strconv.Atoi(s)
			if err != nil {
				r.add(finding.Error, line, path+"/NtryDtls/Btch/NbOfTxs", shorten(s), RuleSchema, "number of transactions is not a whole number")
			}
			e.BatchCount = k
		}
	}

	if nd > 0 {
		e.Details = make([]statement.Transaction, 0, nd)
		allAmounts := true
		sum := decimal.Zero
		k := 0
		firstPath := ""
		add := func(tx *txDtls, dpath string) error {
			k++
			t, apath, has, err := r.transaction(tx, e, nd, line, fmt.Sprintf("%s[%d]", dpath, k))
			if k == 1 {
				firstPath = apath
			}
			if err != nil {
				return err
			}
			if !has || t.Currency != e.Currency {
				allAmounts = false
			} else {
				sum = sum.Add(t.Amount)
			}
			e.Details = append(e.Details, t)
			return nil
		}
		for i := range n.TxDtls {
			if err := add(&n.TxDtls[i], path+"/TxDtls"); err != nil {
				return nil, err
			}
		}
		for i := range n.NtryDtls {
			for j := range n.NtryDtls[i].TxDtls {
				if err := add(&n.NtryDtls[i].TxDtls[j], path+"/NtryDtls/TxDtls"); err != nil {
					return nil, err
				}
			}
		}
		if allAmounts && nd > 1 && !sum.Equal(e.Amount) {
			r.add(finding.Warning, n.Amt.Line, path+"/Amt", n.Amt.Value, RuleDetails,
				"entry amount %s does not equal the sum of its %d transaction details (%s)", e.Amount.String(), nd, sum.String())
		} else if allAmounts && nd == 1 && !sum.Equal(e.Amount) {
			r.add(finding.Warning, e.Details[0].Line, firstPath, e.Details[0].Amount.Abs().String(), RuleDetails,
				"transaction detail amount %s does not equal its entry amount %s", e.Details[0].Amount.String(), e.Amount.String())
		}
	}
	r.tally(e, path, line)
	return e, nil
}

func firstOf(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

func isTrue(s string) bool {
	s = strings.TrimSpace(s)
	return s == "true" || s == "1"
}

// transaction turns a TxDtls into a statement transaction. has tells
// whether the detail states its own amount.
func (r *Reader) transaction(tx *txDtls, e *statement.Entry, nd, line int, path string) (statement.Transaction, string, bool, error) {
	t := statement.Transaction{
		EndToEndID:     clean(tx.Refs.EndToEndId),
		MandateID:      strings.TrimSpace(tx.Refs.MndtId),
		InstructionID:  strings.TrimSpace(tx.Refs.InstrId),
		PaymentInfoID:  strings.TrimSpace(tx.Refs.PmtInfId),
		TransactionID:  strings.TrimSpace(tx.Refs.TxId),
		AccountSvcrRef: strings.TrimSpace(tx.Refs.AcctSvcrRef),
		Line:           line,
	}
	// Amount: TxDtls/Amt (001.04+), else AmtDtls/TxAmt/Amt, else the entry's
	// amount when it has a single detail.
	var a *amt
	apath := path + "/Amt"
	switch {
	case tx.Amt.Set:
		a = &tx.Amt
	case tx.AmtDtls.TxAmt.Amt.Set:
		a, apath = &tx.AmtDtls.TxAmt.Amt, path+"/AmtDtls/TxAmt/Amt"
	}
	has := a != nil
	if has {
		ind := tx.CdtDbtInd
		if strings.TrimSpace(ind) == "" {
			ind = "CRDT"
			if e.Amount.Sign() < 0 {
				ind = "DBIT"
			}
		}
		v, err := r.amount(a, ind, line, strings.TrimSuffix(apath, "/Amt"))
		if err != nil {
			return t, apath, false, err
		}
		t.Amount, t.Currency, t.Line = v, a.Ccy, a.Line
		if t.Currency == "" {
			t.Currency = e.Currency
		}
	} else if nd == 1 {
		t.Amount, t.Currency = e.Amount, e.Currency
	} else {
		t.Currency = e.Currency
	}
	if ia := &tx.AmtDtls.InstdAmt.Amt; ia.Set {
		if d, ok := parseDecimal(ia.Value); ok {
			t.OrigAmount, t.OrigCurrency = d, ia.Ccy
		} else {
			r.add(finding.Error, ia.Line, path+"/AmtDtls/InstdAmt/Amt", shorten(ia.Value), RuleSchema, "amount is not a decimal number")
		}
	}
	// Charges: total charges of every Chrgs element, positive.
	for i := range tx.Chrgs {
		ch := &tx.Chrgs[i]
		switch {
		case ch.TtlChrgsAndTaxAmt.Set:
			t.Charges = t.Charges.Add(r.plain(&ch.TtlChrgsAndTaxAmt, path+"/Chrgs/TtlChrgsAndTaxAmt"))
		case ch.Amt.Set:
			t.Charges = t.Charges.Add(r.plain(&ch.Amt, path+"/Chrgs/Amt"))
		default:
			for j := range ch.Rcrd {
				t.Charges = t.Charges.Add(r.plain(&ch.Rcrd[j].Amt, path+"/Chrgs/Rcrd/Amt"))
			}
		}
	}
	if bt := bankTxCode(&tx.BkTxCd); bt != e.BankTxCode && bt != (statement.BankTxCode{}) {
		t.BankTxCode = bt
	}

	// Counterparty: the debtor of a credit, the creditor of a debit; a
	// reversal turns it round (a returned collection is booked as a debit
	// but its counterparty is still the debtor).
	p := &tx.RltdPties
	dbtr := statement.Party{Name: partyName(&p.Dbtr, &p.UltmtDbtr), IBAN: strings.TrimSpace(p.DbtrAcct.Id.IBAN),
		Account: p.DbtrAcct.Id.other(), BIC: agentBIC(&tx.RltdAgts.DbtrAgt, &p.Dbtr)}
	cdtr := statement.Party{Name: partyName(&p.Cdtr, &p.UltmtCdtr), IBAN: strings.TrimSpace(p.CdtrAcct.Id.IBAN),
		Account: p.CdtrAcct.Id.other(), BIC: agentBIC(&tx.RltdAgts.CdtrAgt, &p.Cdtr)}
	credit := t.Amount.Sign() > 0 || (t.Amount.Sign() == 0 && e.Amount.Sign() >= 0)
	if credit != e.Reversal {
		t.Counterparty = dbtr
		if t.Counterparty == (statement.Party{}) {
			t.Counterparty = cdtr
		}
	} else {
		t.Counterparty = cdtr
		if t.Counterparty == (statement.Party{}) {
			t.Counterparty = dbtr
		}
	}
	t.CreditorID = creditorID(p.Cdtr.inner())

	// Remittance.
	if len(tx.RmtInf.Ustrd) > 0 {
		parts := make([]string, 0, len(tx.RmtInf.Ustrd))
		for _, u := range tx.RmtInf.Ustrd {
			if u = strings.TrimSpace(u); u != "" {
				parts = append(parts, u)
			}
		}
		t.Remittance = strings.Join(parts, " ")
	}
	for i := range tx.RmtInf.Strd {
		if ref := strings.TrimSpace(tx.RmtInf.Strd[i].CdtrRefInf.Ref); ref != "" {
			scheme, v := sepa.DetectReference(ref)
			t.Reference = statement.Reference{Scheme: scheme, Value: v}
			break
		}
	}
	if t.Remittance == "" {
		for i := range tx.RmtInf.Strd {
			if add := strings.TrimSpace(strings.Join(tx.RmtInf.Strd[i].AddtlRmtInf, " ")); add != "" {
				t.Remittance = add
				break
			}
		}
	}

	// Return information.
	t.ReturnReason = tx.RtrInf.Rsn.code()
	if len(tx.RtrInf.AddtlInf) > 0 {
		t.ReturnText = strings.TrimSpace(strings.Join(tx.RtrInf.AddtlInf, " "))
	}
	return t, apath, has, nil
}

// clean drops the SEPA placeholder NOTPROVIDED from an end-to-end id.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if s == "NOTPROVIDED" {
		return ""
	}
	return s
}

// plain reads a positive amount, adding an error finding when malformed.
func (r *Reader) plain(a *amt, path string) decimal.Decimal {
	d, ok := parseDecimal(a.Value)
	if !ok {
		r.add(finding.Error, a.Line, path, shorten(a.Value), RuleSchema, "amount is not a decimal number")
	}
	return d
}

func partyName(p, ultimate *party) string {
	if n := strings.TrimSpace(p.inner().Nm); n != "" {
		return n
	}
	return strings.TrimSpace(ultimate.inner().Nm)
}

func agentBIC(a *agent, p *party) string {
	if b := a.FinInstnId.bic(); b != "" {
		return b
	}
	if p.Agt != nil {
		return p.Agt.FinInstnId.bic()
	}
	return ""
}

// creditorID finds the SEPA creditor identifier in Cdtr/Id/PrvtId/Othr
// (SchmeNm/Prtry SEPA), or an Othr/Id that is a valid creditor identifier.
func creditorID(p *party) string {
	for _, o := range p.Id.PrvtId.Othr {
		if strings.EqualFold(strings.TrimSpace(o.SchmeNm.code()), "SEPA") {
			return strings.TrimSpace(o.Id)
		}
	}
	for _, list := range [][]othrID{p.Id.PrvtId.Othr, p.Id.OrgId.Othr} {
		for _, o := range list {
			if id := strings.TrimSpace(o.Id); id != "" && sepa.ValidateCreditorID(id) == nil {
				return id
			}
		}
	}
	return ""
}

// tally adds an entry to the running totals of its statement.
func (r *Reader) tally(e *statement.Entry, path string, line int) {
	c := r.cur
	if e.Amount.Sign() < 0 {
		c.nDebit++
		c.debits = c.debits.Sub(e.Amount)
	} else {
		c.nCred++
		c.credits = c.credits.Add(e.Amount)
	}
	if e.Status == "" || e.Status == "BOOK" {
		c.nBooked++
		c.booked = c.booked.Add(e.Amount)
	}
	acct := c.st.Account.Currency
	if !c.ccyWarned && acct != "" && e.Currency != "" && e.Currency != acct {
		c.ccyWarned = true
		r.add(finding.Warning, line, path+"/Amt", e.Currency, RuleCurrency,
			"entry currency %s differs from the account currency %s", e.Currency, acct)
	}
	if c.entryCurrency == "" {
		c.entryCurrency = e.Currency
	}
}
