package pain008

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"

	"github.com/batchtool/batchtool/internal/xmlguard"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// Rule ids of the Reader's findings.
const (
	RuleXML     = "XML"         // well-formedness
	RuleXSD     = "XSD"         // schema: lengths, patterns, codes, required elements
	RuleIBAN    = "ISO 13616"   // IBAN check digits
	RuleBIC     = "ISO 9362"    // BIC shape
	RuleCI      = "EPC262-08"   // creditor identifier check digits
	RuleCharset = "EPC217-08"   // EPC basic Latin character set
	RuleCtrlSum = "EPC CtrlSum" // CtrlSum equals the sum of InstdAmt
	RuleNbOfTxs = "EPC NbOfTxs" // NbOfTxs equals the number of DrctDbtTxInf
	RuleUnique  = "EPC unique"  // MsgId/PmtInfId/EndToEndId unique
	RuleAmount  = "EPC AT-06"   // amount range, 2 decimals, EUR
	RuleColl    = "EPC AT-11"   // collection date
	RuleSeq     = "EPC AT-21"   // sequence type
	RuleAmend   = "EPC AT-24"   // amendment details
	RuleMandate = "EPC AT-25"   // mandate signature date
	RuleScheme  = "EPC scheme"  // service level, local instrument, charge bearer
	RuleNS      = "namespace"   // unknown namespace
	RuleLimit   = "limit"       // a bound of the package doc: hostile input
	// maxDepth and maxTextBytes bound element nesting and the bytes between
	// two element tags (text, comments, CDATA): the longest pain.008 text
	// is 140 characters (Max140Text), 1 KiB even as character references.
	maxDepth     = 64
	maxTextBytes = 1 << 16
)

// Reader streams the transactions of a pain.008 message.
type Reader struct {
	d        *xml.Decoder
	name     string
	findings finding.Capped

	namespace string
	version   string
	scheme    Scheme
	hdr       GrpHdr
	hdrState  int // 0 not seen, 1 inside, 2 done
	hdrNbPos  pos
	hdrCtlPos pos
	hdrCtlRaw string
	hdrSeen   uint32

	stack []frame
	text  []byte

	pmtIdx   int // 1-based index of the current PmtInf
	txIdx    int // 1-based index of the DrctDbtTxInf within it
	pmt      PmtInf
	pmtSeen  uint32
	pmtNbPos pos
	pmtCtPos pos
	pmtCtRaw string
	pmtCount int64
	pmtSum   decimal.Decimal
	pmtCheck bool // context checks done at the first transaction

	tx      *Transaction
	txSeen  uint32
	txCI    string
	txAmdTF string // AmdmntInd as written
	txPos   pos
	mndtPos pos
	ready   *Transaction

	total    int64
	totalSum decimal.Decimal
	e2e      hashSet
	pmtIDs   hashSet
	mandates hashSet
	docEnd   bool
	err      error
}

type pos struct{ line, col int }

type frame struct {
	name     string
	prefix   string // namespace prefix as written
	pos      pos
	hasChild bool
}

// Presence bits of required elements.
const (
	seenMsgID = 1 << iota
	seenCreDtTm
	seenNbOfTxs
	seenCtrlSum
	seenPmtInfID
	seenColl
	seenSeqTp
	seenInstr
	seenCdtrNm
	seenCdtrIBAN
	seenCI
	seenE2E
	seenAmt
	seenMndtID
	seenDtOfSgntr
	seenDbtrNm
	seenDbtrIBAN
	seenAmdDtls
)

// NewReader returns a Reader of the pain.008 message in r; name is the
// file name used in findings. XML declared as ISO-8859-1/15 or
// windows-1252 is decoded; anything else must be UTF-8.
func NewReader(r io.Reader, name string) *Reader {
	d := xml.NewDecoder(xmlguard.NewReader(r, xmlguard.Limits{Text: maxTextBytes, Depth: maxDepth}))
	d.CharsetReader = charsetReader
	return &Reader{d: d, name: name}
}

func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "iso-8859-15", "latin9":
		return charmap.ISO8859_15.NewDecoder().Reader(in), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

// Findings returns the problems found so far, in file order. Complete only
// after Next returned io.EOF: control sums of the group header are checked
// at the end of the document. An error returned by Next is not repeated
// here.
func (r *Reader) Findings() []finding.Finding { return r.findings.List() }

// Version returns the message version from the namespace, e.g. "001.02"
// or "003.02"; "" when the namespace is not a pain.008 one.
func (r *Reader) Version() string { return r.version }

// Scheme returns the direct debit scheme the message is for, known once
// the root element was read: SEPA unless the namespace is a Swiss one.
func (r *Reader) Scheme() Scheme {
	if r.scheme == "" {
		return SchemeSEPA
	}
	return r.scheme
}

// sepa reports whether the SEPA rulebook's rules apply.
func (r *Reader) sepa() bool { return r.Scheme() == SchemeSEPA }

// Namespace returns the namespace of the Document element.
func (r *Reader) Namespace() string { return r.namespace }

// Header returns the group header. If it has not been read yet, Header
// reads up to its end; an error doing so is returned by the next Next.
func (r *Reader) Header() GrpHdr {
	for r.hdrState < 2 && r.err == nil && r.ready == nil && !r.docEnd {
		r.step()
	}
	return r.hdr
}

// PmtInf returns the payment information block of the transaction last
// returned by Next, as stated in the file.
func (r *Reader) PmtInf() PmtInf { return r.pmt }

// Next returns the next transaction, or io.EOF after the last one. Other
// errors are malformed or truncated XML, or a document that is not a
// pain.008; they are finding.Finding values with line and column.
func (r *Reader) Next() (*Transaction, error) {
	for r.ready == nil && r.err == nil {
		r.step()
	}
	if tx := r.ready; tx != nil {
		r.ready = nil
		return tx, nil
	}
	return nil, r.err
}

func (r *Reader) fail(p pos, rule, format string, args ...any) {
	r.err = finding.Finding{Severity: finding.Error, File: r.name, Line: p.line, Column: p.col,
		Path: r.path(len(r.stack)), Rule: rule, Message: fmt.Sprintf(format, args...)}
}

func (r *Reader) add(sev finding.Severity, p pos, path, value, rule, msg string) {
	r.findings.Add(finding.Finding{Severity: sev, File: r.name, Line: p.line, Column: p.col,
		Path: path, Value: value, Rule: rule, Message: msg})
}

// here reports a finding on the element at the top of the stack.
func (r *Reader) here(sev finding.Severity, value, rule, msg string) {
	f := r.stack[len(r.stack)-1]
	r.add(sev, f.pos, r.path(len(r.stack)), value, rule, msg)
}

// path renders the element path of the first n stack frames, with the
// index of PmtInf and DrctDbtTxInf.
func (r *Reader) path(n int) string {
	var b strings.Builder
	for i := 0; i < n && i < len(r.stack); i++ {
		b.WriteByte('/')
		b.WriteString(r.stack[i].name)
		switch {
		case i == 2 && r.stack[i].name == "PmtInf":
			fmt.Fprintf(&b, "[%d]", r.pmtIdx)
		case i == 3 && r.stack[i].name == "DrctDbtTxInf":
			fmt.Fprintf(&b, "[%d]", r.txIdx)
		}
	}
	return b.String()
}

// step reads one token.
func (r *Reader) step() {
	// RawToken is 2-3 times faster than Token; we match end tags ourselves
	// and read the one namespace we need from the root's attributes.
	tok, err := r.d.RawToken()
	if err != nil {
		line, col := r.d.InputPos()
		p := pos{line, col}
		var se *xml.SyntaxError
		var ge *xmlguard.Error
		switch {
		case errors.As(err, &ge):
			path, value := r.path(len(r.stack)), ge.Excerpt+"…"
			if ge.What == "nesting" {
				path, value = ge.Path, ge.Excerpt
			}
			r.err = finding.Finding{Severity: finding.Error, File: r.name, Line: ge.Line, Path: path, Value: value, Rule: RuleLimit, Message: ge.Error()}
		case err == io.EOF && r.docEnd:
			r.err = io.EOF
		case err == io.EOF && len(r.stack) == 0 && r.hdrState == 0:
			r.fail(p, RuleXML, "empty file: no XML document")
		case err == io.EOF:
			r.fail(p, RuleXML, "file ends inside the document (truncated?)")
		case errors.As(err, &se) && se.Msg == "unexpected EOF":
			r.fail(pos{se.Line, col}, RuleXML, "file ends inside the document (truncated?)")
		case errors.As(err, &se):
			r.fail(pos{se.Line, col}, RuleXML, "malformed XML: %s", se.Msg)
		default:
			r.fail(p, RuleXML, "reading XML: %v", err)
		}
		return
	}
	switch t := tok.(type) {
	case xml.StartElement:
		line, col := r.d.InputPos()
		if r.docEnd {
			r.fail(pos{line, col}, RuleXML, "element <%s> after the end of the document", t.Name.Local)
			return
		}
		if len(r.stack) >= maxDepth {
			r.fail(pos{line, col}, RuleXML, "elements nested deeper than %d", maxDepth)
			return
		}
		if n := len(r.stack); n > 0 {
			r.stack[n-1].hasChild = true
		}
		r.stack = append(r.stack, frame{name: t.Name.Local, prefix: t.Name.Space, pos: pos{line, col}})
		r.text = r.text[:0]
		r.start(t)
	case xml.CharData:
		if len(r.text)+len(t) <= maxTextBytes {
			r.text = append(r.text, t...)
		}
	case xml.EndElement:
		n := len(r.stack)
		line, col := r.d.InputPos()
		if n == 0 {
			r.fail(pos{line, col}, RuleXML, "malformed XML: unexpected end element </%s>", qname(t.Name))
			return
		}
		if top := r.stack[n-1]; top.name != t.Name.Local || top.prefix != t.Name.Space {
			r.fail(pos{line, col}, RuleXML, "malformed XML: element <%s> closed by </%s>", qname(xml.Name{Space: top.prefix, Local: top.name}), qname(t.Name))
			return
		}
		if !r.stack[n-1].hasChild {
			r.leaf(string(bytes.TrimSpace(r.text)))
		}
		r.end()
		r.stack = r.stack[:n-1]
	}
}

// start handles the opening of a structural element.
func (r *Reader) start(t xml.StartElement) {
	depth := len(r.stack)
	name := t.Name.Local
	p := r.stack[depth-1].pos
	switch depth {
	case 1:
		if name != "Document" {
			r.fail(p, RuleXSD, "root element is <%s>, not <Document>: not a pain.008 message", name)
			return
		}
		for _, a := range t.Attr {
			if a.Name.Space == "" && a.Name.Local == "xmlns" && t.Name.Space == "" || a.Name.Space == "xmlns" && a.Name.Local == t.Name.Space {
				r.namespace = a.Value
			}
		}
		if v, ok := strings.CutPrefix(r.namespace, NamespacePrefix); ok {
			r.version = v
		}
		r.scheme = SchemeSEPA
		if swissScheme(r.namespace) {
			r.scheme = SchemeCHDD // LSV+ once the service level or instrument says so
			if i := strings.Index(r.namespace, "pain.008."); i >= 0 {
				r.version = strings.TrimSuffix(r.namespace[i+len("pain.008."):], ".xsd") // "001.02.ch.03"
			}
		} else if !knownVersions[r.version] {
			r.add(finding.Warning, p, "/Document", r.namespace, RuleNS,
				"namespace is not a known pain.008 version; read as pain.008.001.02 structure")
		}
	case 2:
		if name != "CstmrDrctDbtInitn" {
			r.fail(p, RuleXSD, "<Document> holds <%s>, not <CstmrDrctDbtInitn>: not a pain.008 message", name)
		}
	case 3:
		switch name {
		case "GrpHdr":
			r.hdrState = 1
		case "PmtInf":
			if r.hdrState != 2 {
				r.here(finding.Error, "", RuleXSD, "PmtInf before the group header GrpHdr")
				r.hdrState = 2
			}
			r.pmtIdx++
			r.txIdx = 0
			r.pmt = PmtInf{Index: r.pmtIdx}
			r.pmtSeen = 0
			r.pmtCount = 0
			r.pmtSum = decimal.Zero
			r.pmtCheck = false
		}
	case 4:
		if name == "DrctDbtTxInf" && r.inPmtInf() {
			if !r.pmtCheck {
				r.pmtCheck = true
				r.checkPmtInfContext()
			}
			r.txIdx++
			r.txSeen = 0
			r.txCI = ""
			r.txAmdTF = ""
			r.txPos = p
			r.tx = &Transaction{
				PmtInfID:        r.pmt.PmtInfId,
				SequenceType:    r.pmt.SeqTp,
				LocalInstrument: r.pmt.LclInstrm,
				CollectionDate:  r.pmt.ReqdColltnDt,
				Creditor:        r.pmt.Cdtr,
			}
		}
	case 5:
		if name == "InstdAmt" && r.tx != nil {
			for _, a := range t.Attr {
				if a.Name.Local == "Ccy" {
					r.tx.Currency = a.Value
				}
			}
		}
	}
}

// qname writes a raw name as in the file: prefix:local.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func (r *Reader) inPmtInf() bool { return len(r.stack) >= 3 && r.stack[2].name == "PmtInf" }

// rel returns the names of the stack from index from, joined with '/'.
func (r *Reader) rel(from int) string {
	if from >= len(r.stack) {
		return ""
	}
	if from == len(r.stack)-1 {
		return r.stack[from].name
	}
	var b strings.Builder
	for i := from; i < len(r.stack); i++ {
		if i > from {
			b.WriteByte('/')
		}
		b.WriteString(r.stack[i].name)
	}
	return b.String()
}

// leaf handles the value v of an element without children.
func (r *Reader) leaf(v string) {
	if len(r.stack) < 4 || r.err != nil {
		return
	}
	switch r.stack[2].name {
	case "GrpHdr":
		r.hdrLeaf(r.rel(3), v)
	case "PmtInf":
		if r.stack[3].name == "DrctDbtTxInf" {
			if r.tx != nil && len(r.stack) > 4 {
				r.txLeaf(r.rel(4), v)
			}
		} else {
			r.pmtLeaf(r.rel(3), v)
		}
	}
}

func (r *Reader) hdrLeaf(rel, v string) {
	switch rel {
	case "MsgId":
		r.hdrSeen |= seenMsgID
		r.hdr.MsgId = v
		r.checkID(v)
	case "CreDtTm":
		r.hdrSeen |= seenCreDtTm
		t, ok := parseDateTime(v)
		if !ok {
			r.here(finding.Error, v, RuleXSD, "not an ISO date and time (YYYY-MM-DDThh:mm:ss)")
		}
		r.hdr.CreDtTm = t
	case "NbOfTxs":
		r.hdrSeen |= seenNbOfTxs
		r.hdrNbPos = r.top()
		r.hdr.NbOfTxs = r.parseNb(v)
	case "CtrlSum":
		r.hdrSeen |= seenCtrlSum
		r.hdrCtlPos = r.top()
		r.hdrCtlRaw = v
		r.hdr.HasCtrl = true
		r.hdr.CtrlSum = r.parseCtrlSum(v)
	case "InitgPty/Nm":
		r.hdr.InitgPty = v
		r.checkName(v)
	}
}

func (r *Reader) pmtLeaf(rel, v string) {
	p := &r.pmt
	switch rel {
	case "PmtInfId":
		r.pmtSeen |= seenPmtInfID
		p.PmtInfId = v
		if r.checkID(v) && !r.pmtIDs.add(hashString(v)) {
			r.here(finding.Error, v, RuleUnique, "PmtInfId is used by an earlier PmtInf in this message")
		}
	case "PmtMtd":
		p.PmtMtd = v
		if v != "DD" {
			r.here(finding.Error, v, RuleXSD, "payment method must be DD (direct debit)")
		}
	case "BtchBookg":
		r.checkBool(v)
	case "NbOfTxs":
		r.pmtNbPos = r.top()
		r.pmtSeen |= seenNbOfTxs
		p.NbOfTxs = r.parseNb(v)
	case "CtrlSum":
		r.pmtCtPos = r.top()
		r.pmtCtRaw = v
		r.pmtSeen |= seenCtrlSum
		p.CtrlSum = r.parseCtrlSum(v)
	case "PmtTpInf/SvcLvl/Cd":
		p.SvcLvl = v
		if v != "SEPA" && r.sepa() {
			r.here(finding.Warning, v, RuleScheme, "service level is not SEPA")
		}
	case "PmtTpInf/SvcLvl/Prtry":
		if !r.sepa() {
			p.SvcLvl = v
			if v == "CHTA" {
				r.scheme = SchemeLSV
			}
		}
	case "PmtTpInf/LclInstrm/Prtry":
		if !r.sepa() {
			r.pmtSeen |= seenInstr
			p.LclInstrm = v
			switch v {
			case "LSV+", "BDD":
				r.scheme = SchemeLSV
			case "DDCOR1", "DDB2B":
			default:
				r.here(finding.Warning, v, RuleScheme, "Swiss local instrument is DDCOR1, DDB2B (CH-DD), LSV+ or BDD")
			}
		}
	case "PmtTpInf/LclInstrm/Cd":
		r.pmtSeen |= seenInstr
		p.LclInstrm = v
		switch v {
		case InstrumentCore, InstrumentB2B:
		case "COR1":
			r.here(finding.Warning, v, RuleScheme, "COR1 (D-1 core) was merged into CORE in November 2017")
		default:
			r.here(finding.Error, v, RuleScheme, "local instrument must be CORE or B2B")
		}
	case "PmtTpInf/SeqTp":
		r.pmtSeen |= seenSeqTp
		p.SeqTp = v
		switch v {
		case SeqFirst, SeqRecurrent, SeqOneOff, SeqFinal:
		case "RPRE":
			if !r.sepa() {
				break
			}
			r.here(finding.Warning, v, RuleSeq, "RPRE (re-presented) is not a SEPA rulebook sequence type")
		default:
			r.here(finding.Error, v, RuleSeq, "sequence type must be FRST, RCUR, OOFF or FNAL")
		}
	case "ReqdColltnDt":
		r.pmtSeen |= seenColl
		p.ReqdColltnDt = r.parseDate(v)
		if !p.ReqdColltnDt.IsZero() && !r.hdr.CreDtTm.IsZero() && p.ReqdColltnDt.Before(dateOnly(r.hdr.CreDtTm)) {
			r.here(finding.Error, v, RuleColl, fmt.Sprintf("collection date is before the creation date %s", r.hdr.CreDtTm.Format(isoDate)))
		}
	case "Cdtr/Nm":
		r.pmtSeen |= seenCdtrNm
		p.Cdtr.Name = v
		r.checkName(v)
	case "CdtrAcct/Id/IBAN":
		r.pmtSeen |= seenCdtrIBAN
		p.Cdtr.IBAN = v
		r.checkIBAN(v)
	case "CdtrAcct/Ccy":
		r.checkCcy(v)
	case "CdtrAgt/FinInstnId/BIC", "CdtrAgt/FinInstnId/BICFI":
		p.Cdtr.BIC = v
		r.checkBIC(v)
	case "ChrgBr":
		switch v {
		case "SLEV":
		case "DEBT", "CRED", "SHAR":
			if r.sepa() {
				r.here(finding.Warning, v, RuleScheme, "SEPA direct debits use charge bearer SLEV")
			}
		default:
			r.here(finding.Error, v, RuleXSD, "charge bearer must be one of DEBT, CRED, SHAR, SLEV")
		}
	case "CdtrSchmeId/Id/PrvtId/Othr/Id":
		r.pmtSeen |= seenCI
		p.Cdtr.ID = v
		r.checkCI(v)
	case "CdtrSchmeId/Id/PrvtId/Othr/SchmeNm/Prtry":
		if v != "SEPA" && r.sepa() {
			r.here(finding.Warning, v, RuleScheme, "creditor scheme name must be SEPA")
		}
	}
}

func (r *Reader) txLeaf(rel, v string) {
	tx := r.tx
	switch rel {
	case "PmtId/InstrId":
		tx.InstructionID = v
		r.checkID(v)
	case "PmtId/EndToEndId":
		r.txSeen |= seenE2E
		tx.EndToEndID = v
		if r.checkID(v) && v != "NOTPROVIDED" && !r.e2e.add(hashString(v)) {
			r.here(finding.Error, v, RuleUnique, "EndToEndId is used by an earlier transaction in this message")
		}
	case "InstdAmt":
		r.txSeen |= seenAmt
		r.checkCcy(tx.Currency)
		tx.Amount = r.parseAmount(v)
	case "DrctDbtTx/MndtRltdInf/MndtId":
		r.txSeen |= seenMndtID
		r.mndtPos = r.top()
		tx.MandateID = v
		r.checkID(v)
	case "DrctDbtTx/MndtRltdInf/DtOfSgntr":
		r.txSeen |= seenDtOfSgntr
		tx.MandateSignedOn = r.parseDate(v)
		if !tx.MandateSignedOn.IsZero() && !tx.CollectionDate.IsZero() && tx.MandateSignedOn.After(tx.CollectionDate) {
			r.here(finding.Error, v, RuleMandate, "mandate signature date is after the collection date "+tx.CollectionDate.Format(isoDate))
		}
	case "DrctDbtTx/MndtRltdInf/AmdmntInd":
		r.txAmdTF = v
		if r.checkBool(v) && (v == "true" || v == "1") && tx.Amendment == nil {
			tx.Amendment = &Amendment{}
		}
	case "DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlMndtId":
		r.amendment().OriginalMandateID = v
		r.checkID(v)
	case "DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlCdtrSchmeId/Nm":
		r.amendment().OriginalCreditorName = v
		r.checkName(v)
	case "DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlCdtrSchmeId/Id/PrvtId/Othr/Id":
		r.amendment().OriginalCreditorID = v
		r.checkCI(v)
	case "DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlDbtrAcct/Id/IBAN":
		r.amendment().OriginalDebtorIBAN = v
		r.checkIBAN(v)
	case "DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlDbtrAcct/Id/Othr/Id",
		"DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlDbtrAgt/FinInstnId/Othr/Id":
		a := r.amendment()
		if v == "SMNDA" {
			a.DebtorAgentChanged = true
		} else {
			r.here(finding.Warning, v, RuleAmend, "expected SMNDA (same mandate, new debtor agent)")
		}
	case "DrctDbtTx/CdtrSchmeId/Id/PrvtId/Othr/Id":
		r.txCI = v
		tx.Creditor.ID = v
		r.checkCI(v)
	case "DbtrAgt/FinInstnId/BIC", "DbtrAgt/FinInstnId/BICFI":
		tx.DebtorBIC = v
		r.checkBIC(v)
	case "DbtrAgt/FinInstnId/Othr/Id":
		if v != "NOTPROVIDED" {
			r.here(finding.Warning, v, RuleScheme, "a debtor agent without BIC is given as Othr/Id NOTPROVIDED")
		}
	case "Dbtr/Nm":
		r.txSeen |= seenDbtrNm
		tx.DebtorName = v
		r.checkName(v)
	case "DbtrAcct/Id/IBAN":
		r.txSeen |= seenDbtrIBAN
		tx.DebtorIBAN = v
		r.checkIBAN(v)
	case "DbtrAcct/Id/Othr/Id":
		if !r.sepa() { // a PostFinance account number: CH-DD allows it
			r.txSeen |= seenDbtrIBAN
		}
	case "RmtInf/Ustrd":
		if tx.Remittance != "" {
			tx.Remittance += " " + v
		} else {
			tx.Remittance = v
		}
		r.checkText(v, maxRemittance, maxRemittance)
	case "RmtInf/Strd/CdtrRefInf/Ref":
		tx.CreditorReference = v
		r.checkText(v, 35, 35)
		if strings.HasPrefix(v, "RF") {
			if _, err := sepa.ParseRF(v); err != nil {
				r.here(finding.Warning, v, "ISO 11649", "RF creditor reference does not verify: "+err.Error())
			}
		}
	}
	if strings.HasPrefix(rel, "DrctDbtTx/MndtRltdInf/AmdmntInfDtls/") {
		r.txSeen |= seenAmdDtls
	}
}

func (r *Reader) amendment() *Amendment {
	if r.tx.Amendment == nil {
		r.tx.Amendment = &Amendment{}
	}
	return r.tx.Amendment
}

func (r *Reader) top() pos { return r.stack[len(r.stack)-1].pos }

// end handles the closing of a structural element; the stack still holds it.
func (r *Reader) end() {
	if r.err != nil {
		return
	}
	depth := len(r.stack)
	name := r.stack[depth-1].name
	switch {
	case depth == 1:
		r.endDocument()
	case depth == 3 && name == "GrpHdr":
		r.hdrState = 2
		r.requireAll(r.hdrSeen, []req{{seenMsgID, "MsgId"}, {seenCreDtTm, "CreDtTm"}, {seenNbOfTxs, "NbOfTxs"}})
	case depth == 3 && name == "PmtInf":
		r.endPmtInf()
	case depth == 4 && name == "DrctDbtTxInf" && r.tx != nil:
		r.endTx()
	}
}

type req struct {
	bit  uint32
	name string
}

// requireAll reports each required child of the top element that is missing.
func (r *Reader) requireAll(seen uint32, reqs []req) {
	for _, q := range reqs {
		if seen&q.bit == 0 {
			r.add(finding.Error, r.top(), r.path(len(r.stack))+"/"+q.name, "", RuleXSD, "required element is missing")
		}
	}
}

// checkPmtInfContext runs when the first transaction of a PmtInf starts:
// everything before DrctDbtTxInf has been read.
func (r *Reader) checkPmtInfContext() {
	f := r.stack[2]
	path := r.path(3)
	for _, q := range []req{{seenPmtInfID, "PmtInfId"}, {seenColl, "ReqdColltnDt"}, {seenCdtrNm, "Cdtr/Nm"}, {seenCdtrIBAN, "CdtrAcct/Id/IBAN"}} {
		if r.pmtSeen&q.bit == 0 {
			r.add(finding.Error, f.pos, path+"/"+q.name, "", RuleXSD, "required element is missing")
		}
	}
	for _, q := range []req{{seenSeqTp, "PmtTpInf/SeqTp"}, {seenInstr, "PmtTpInf/LclInstrm/Cd"}} {
		if r.pmtSeen&q.bit == 0 && r.sepa() {
			r.add(finding.Error, f.pos, path+"/"+q.name, "", RuleScheme, "required by the SEPA rulebook")
		}
	}
}

func (r *Reader) endTx() {
	tx := r.tx
	r.tx = nil
	// The path is only built when there is something to report.
	path := func() string { return r.path(4) }
	for _, q := range []req{{seenE2E, "PmtId/EndToEndId"}, {seenAmt, "InstdAmt"}, {seenDbtrNm, "Dbtr/Nm"}, {seenDbtrIBAN, "DbtrAcct/Id/IBAN"}} {
		if r.txSeen&q.bit == 0 {
			r.add(finding.Error, r.txPos, path()+"/"+q.name, "", RuleXSD, "required element is missing")
		}
	}
	for _, q := range []req{{seenMndtID, "DrctDbtTx/MndtRltdInf/MndtId"}, {seenDtOfSgntr, "DrctDbtTx/MndtRltdInf/DtOfSgntr"}} {
		if r.txSeen&q.bit == 0 && r.sepa() {
			r.add(finding.Error, r.txPos, path()+"/"+q.name, "", RuleMandate, "required by the SEPA rulebook")
		}
	}
	if r.pmtSeen&seenCI == 0 && r.txCI == "" && r.sepa() {
		r.add(finding.Error, r.txPos, path()+"/DrctDbtTx/CdtrSchmeId", "", RuleCI,
			"no creditor identifier in the PmtInf nor in the transaction")
	}
	if (r.txAmdTF == "true" || r.txAmdTF == "1") && r.txSeen&seenAmdDtls == 0 {
		r.add(finding.Error, r.txPos, path()+"/DrctDbtTx/MndtRltdInf/AmdmntInfDtls", "", RuleAmend,
			"AmdmntInd is true but no amendment details are given")
	}
	if r.txAmdTF == "false" || r.txAmdTF == "0" {
		if r.txSeen&seenAmdDtls != 0 {
			r.add(finding.Warning, r.txPos, path()+"/DrctDbtTx/MndtRltdInf/AmdmntInd", r.txAmdTF, RuleAmend,
				"AmdmntInd is false but amendment details are given")
		}
		tx.Amendment = nil
	}
	// FRST and RCUR for the same mandate in one file cannot both be right.
	if tx.MandateID != "" {
		key := tx.Creditor.ID + "\x00" + tx.MandateID + "\x00"
		msg := ""
		switch tx.SequenceType {
		case SeqFirst:
			if !r.mandates.add(hashString(key + "F")) {
				msg = "mandate is collected with FRST twice in this message"
			} else if r.mandates.has(hashString(key + "R")) {
				msg = "mandate is collected with both FRST and RCUR/FNAL in this message"
			}
		case SeqRecurrent, SeqFinal:
			r.mandates.add(hashString(key + "R"))
			if r.mandates.has(hashString(key + "F")) {
				msg = "mandate is collected with both FRST and RCUR/FNAL in this message"
			}
		}
		if msg != "" {
			r.add(finding.Warning, r.mndtPos, path()+"/DrctDbtTx/MndtRltdInf/MndtId", tx.MandateID, RuleSeq, msg)
		}
	}
	r.pmtCount++
	r.pmtSum = r.pmtSum.Add(tx.Amount)
	r.total++
	r.totalSum = r.totalSum.Add(tx.Amount)
	r.ready = tx
}

func (r *Reader) endPmtInf() {
	path := r.path(3)
	if r.txIdx == 0 {
		r.add(finding.Error, r.stack[2].pos, path+"/DrctDbtTxInf", "", RuleXSD, "PmtInf holds no DrctDbtTxInf")
		if !r.pmtCheck {
			r.checkPmtInfContext()
		}
	}
	if r.pmtSeen&seenNbOfTxs != 0 && r.pmt.NbOfTxs != r.pmtCount {
		r.add(finding.Error, r.pmtNbPos, path+"/NbOfTxs", strconv.FormatInt(r.pmt.NbOfTxs, 10), RuleNbOfTxs,
			fmt.Sprintf("does not equal the number of its transactions (%d)", r.pmtCount))
	}
	if r.pmtSeen&seenCtrlSum != 0 && !r.pmt.CtrlSum.Equal(r.pmtSum) {
		r.add(finding.Error, r.pmtCtPos, path+"/CtrlSum", r.pmtCtRaw, RuleCtrlSum,
			fmt.Sprintf("does not equal the sum of its %d transactions (%s)", r.pmtCount, r.pmtSum.StringFixed(2)))
	}
}

func (r *Reader) endDocument() {
	r.docEnd = true
	p := r.stack[0].pos
	if r.hdrState == 0 {
		r.add(finding.Error, p, "/Document/CstmrDrctDbtInitn/GrpHdr", "", RuleXSD, "required element is missing")
	}
	if r.pmtIdx == 0 {
		r.add(finding.Error, p, "/Document/CstmrDrctDbtInitn/PmtInf", "", RuleXSD, "the message holds no PmtInf")
	}
	if r.hdrSeen&seenNbOfTxs != 0 && r.hdr.NbOfTxs != r.total {
		r.add(finding.Error, r.hdrNbPos, "/Document/CstmrDrctDbtInitn/GrpHdr/NbOfTxs", strconv.FormatInt(r.hdr.NbOfTxs, 10), RuleNbOfTxs,
			fmt.Sprintf("does not equal the number of transactions in the message (%d)", r.total))
	}
	if r.hdr.HasCtrl && !r.hdr.CtrlSum.Equal(r.totalSum) {
		r.add(finding.Error, r.hdrCtlPos, "/Document/CstmrDrctDbtInitn/GrpHdr/CtrlSum", r.hdrCtlRaw, RuleCtrlSum,
			fmt.Sprintf("does not equal the sum of the %d transactions in the message (%s)", r.total, r.totalSum.StringFixed(2)))
	}
}

// Totals returns the number and sum of the transactions read so far.
func (r *Reader) Totals() (int64, decimal.Decimal) { return r.total, r.totalSum }

// --- value checks; each reports on the element at the top of the stack ---

// checkID checks a Max35Text identifier and the EPC rules for it.
func (r *Reader) checkID(v string) bool {
	n := utf8.RuneCountInString(v)
	if n == 0 || n > 35 {
		r.here(finding.Error, v, RuleXSD, fmt.Sprintf("must be 1 to 35 characters (Max35Text), has %d", n))
		return false
	}
	if err := sepa.ValidateID(v); err != nil {
		r.here(finding.Error, v, RuleCharset, err.Error())
		return false
	}
	return true
}

// checkName checks a name: Max140Text in the schema, 70 characters in the
// SEPA rulebook (AT-03, AT-14).
func (r *Reader) checkName(v string) { r.checkText(v, maxName, 140) }

// checkText checks a text's length (an error beyond the schema's limit, a
// warning beyond the EPC's) and its character set (a warning: many banks
// accept more than the basic Latin set).
func (r *Reader) checkText(v string, epcMax, xsdMax int) {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0 || n > xsdMax:
		r.here(finding.Error, v, RuleXSD, fmt.Sprintf("must be 1 to %d characters, has %d", xsdMax, n))
		return
	case n > epcMax && r.sepa():
		r.here(finding.Warning, v, RuleScheme, fmt.Sprintf("longer than the %d characters the SEPA rulebook allows", epcMax))
	}
	if !r.sepa() {
		return // the Swiss standards have their own character set
	}
	if err := sepa.ValidateText(v); err != nil {
		r.here(finding.Warning, v, RuleCharset, err.Error())
	}
}

func (r *Reader) checkIBAN(v string) {
	if err := sepa.ValidateIBAN(v); err != nil {
		r.here(finding.Error, v, RuleIBAN, err.Error())
	}
}

func (r *Reader) checkBIC(v string) {
	if err := sepa.ValidateBIC(v); err != nil {
		r.here(finding.Error, v, RuleBIC, err.Error())
	}
}

func (r *Reader) checkCI(v string) {
	if !r.sepa() {
		return // a PostFinance or LSV+ creditor id, not an EPC262 one
	}
	if err := sepa.ValidateCreditorID(v); err != nil {
		r.here(finding.Error, v, RuleCI, err.Error())
	}
}

func (r *Reader) checkCcy(v string) {
	switch {
	case r.sepa() && v != "EUR":
		r.here(finding.Error, v, RuleAmount, "currency must be EUR")
	case !r.sepa() && v != "CHF" && v != "EUR":
		r.here(finding.Error, v, RuleXSD, "currency must be CHF or EUR ("+r.Scheme().Describe()+")")
	}
}

func (r *Reader) checkBool(v string) bool {
	switch v {
	case "true", "false", "1", "0":
		return true
	}
	r.here(finding.Error, v, RuleXSD, "must be true or false")
	return false
}

func (r *Reader) parseDate(v string) time.Time {
	t, err := time.Parse(isoDate, v)
	if err != nil {
		r.here(finding.Error, v, RuleXSD, "not an ISO date (YYYY-MM-DD)")
		return time.Time{}
	}
	return t
}

func parseDateTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (r *Reader) parseNb(v string) int64 {
	if len(v) == 0 || len(v) > 15 || strings.Trim(v, "0123456789") != "" {
		r.here(finding.Error, v, RuleXSD, "must be 1 to 15 digits (Max15NumericText)")
		return -1
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// parseDecimal reads an xs:decimal ([+-]digits[.digits], no exponent) and
// returns it with its total and fraction digit counts.
func parseDecimal(v string) (d decimal.Decimal, total, frac int, ok bool) {
	s := strings.TrimPrefix(strings.TrimPrefix(v, "+"), "-")
	intPart, fracPart, _ := strings.Cut(s, ".")
	if intPart+fracPart == "" || strings.Trim(intPart+fracPart, "0123456789") != "" {
		return decimal.Decimal{}, 0, 0, false
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return decimal.Decimal{}, 0, 0, false
	}
	fracPart = strings.TrimRight(fracPart, "0")
	intPart = strings.TrimLeft(intPart, "0")
	return d, len(intPart) + len(fracPart), len(fracPart), true
}

func (r *Reader) parseCtrlSum(v string) decimal.Decimal {
	d, total, frac, ok := parseDecimal(v)
	if !ok || total > 18 || frac > 17 {
		r.here(finding.Error, v, RuleXSD, "not a decimal number of at most 18 digits (DecimalNumber)")
		return decimal.Zero
	}
	return d
}

func (r *Reader) parseAmount(v string) decimal.Decimal {
	d, total, frac, ok := parseDecimal(v)
	if !ok || total > 18 || frac > 5 || d.IsNegative() {
		r.here(finding.Error, v, RuleXSD, "not an amount: at most 18 digits, 5 decimals, not negative (ActiveOrHistoricCurrencyAndAmount)")
		return decimal.Zero
	}
	if err := sepa.CheckAmount(d); err != nil {
		r.here(finding.Error, v, RuleAmount, err.Error())
	}
	return d
}
