package pain008

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// WriterOptions set the message-level fields of a written pain.008.
type WriterOptions struct {
	// Version is Version02 ("001.02", the default) or Version08 ("001.08").
	Version string
	// MessageID is GrpHdr/MsgId (Max35, EPC characters). PmtInfIds are made
	// from it: MessageID + "-" + group number. Default: "BT" followed by
	// CreatedAt as yyyymmddhhmmss.
	MessageID string
	// InitiatingParty is GrpHdr/InitgPty/Nm. Default: the first creditor's name.
	InitiatingParty string
	// CreatedAt is GrpHdr/CreDtTm, written to the second with its zone
	// offset. Default: now. Collection dates before its date are refused.
	CreatedAt time.Time
	// TempDir is where transactions are spooled until Close. Default: the
	// target's directory for Create, os.TempDir() for NewWriter.
	TempDir string
	// UniqueIDs says the caller has made sure that no two transactions
	// share an EndToEndId (due.Reader checks them per file and names the
	// line of first use), so the Writer keeps no set of its own: one set of
	// a million ids in memory, not two.
	UniqueIDs bool
}

// spoolLimit is about how many bytes of transaction records the Writer
// keeps in memory, over all groups, before it moves them to the spool file.
const spoolLimit = 1 << 20

// Writer writes one pain.008 message. Transactions are validated and
// spooled as they come, as compact records of their own fields (about 150
// bytes, a fifth of their XML); Close renders the document from them, which
// is the only time anything is written to the destination. The XML is thus
// written once, not spooled and copied: at a million transactions that is
// 800 MB the disk does not see twice.
type Writer struct {
	dst     io.Writer
	opts    WriterOptions
	created int // dayOf(opts.CreatedAt): no collection before it

	// Create's target and its temporary file in the same directory.
	path string
	tmp  *os.File

	groups []*group
	index  map[groupKey]*group
	// creditors that passed validation
	creditors map[Creditor]struct{}
	spool     *os.File
	spoolEnd  int64

	e2e   hashSet
	count int64
	sum   int64 // cents
	err   error // sticky: the first I/O error
	done  bool
}

// groupKey is what a PmtInf block has in common.
type groupKey struct {
	date     time.Time
	seq      string
	instr    string
	creditor Creditor
}

// group is one PmtInf block being collected: the records of its
// transactions (encodeTx) are in chunks of the spool file, then in buf.
type group struct {
	key    groupKey
	num    int
	count  int64
	sum    int64
	chunks []chunk
	buf    []byte
}

type chunk struct{ off, n int64 }

// NewWriter returns a Writer that writes the message to w when Close is
// called. Nothing is written to w before, and nothing at all when Close
// fails validation of the whole message (no transactions).
func NewWriter(w io.Writer, opts WriterOptions) (*Writer, error) {
	if err := (&opts).setDefaults(); err != nil {
		return nil, err
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	return &Writer{dst: w, opts: opts, created: dayOf(opts.CreatedAt), index: make(map[groupKey]*group), creditors: make(map[Creditor]struct{})}, nil
}

// Create returns a Writer to the file path. The message is written to a
// temporary file in the same directory that is renamed to path only when
// Close succeeds; Abort or a failed Close leave nothing behind.
func Create(path string, opts WriterOptions) (*Writer, error) {
	if opts.TempDir == "" {
		opts.TempDir = filepath.Dir(path)
	}
	w, err := NewWriter(nil, opts)
	if err != nil {
		return nil, err
	}
	f, err := atomicfile.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp", 0o666) // 0666 less the umask
	if err != nil {
		return nil, fmt.Errorf("pain008: %w", err)
	}
	w.path, w.tmp, w.dst = path, f, f
	return w, nil
}

func (o *WriterOptions) setDefaults() error {
	switch o.Version {
	case "":
		o.Version = Version02
	case Version02, Version08:
	default:
		return fmt.Errorf("pain008: cannot write version %q (only %s and %s)", o.Version, Version02, Version08)
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now()
	}
	o.CreatedAt = o.CreatedAt.Truncate(time.Second)
	if o.MessageID == "" {
		o.MessageID = "BT" + o.CreatedAt.Format("20060102150405")
	}
	if err := sepa.ValidateID(o.MessageID); err != nil {
		return fmt.Errorf("pain008: MessageID %q: %w", o.MessageID, err)
	}
	if o.InitiatingParty != "" {
		if len([]rune(o.InitiatingParty)) > maxName {
			return fmt.Errorf("pain008: InitiatingParty %q: %w: at most %d characters", o.InitiatingParty, ErrTooLong, maxName)
		}
		if err := sepa.ValidateText(o.InitiatingParty); err != nil {
			return fmt.Errorf("pain008: InitiatingParty %q: %w", o.InitiatingParty, err)
		}
	}
	return nil
}

// Write validates tx and adds it to the group of its collection date,
// sequence type, local instrument and creditor. A *FieldError names the
// field that was refused; the Writer stays usable after it. Currency ""
// is taken as EUR and LocalInstrument "" as CORE; tx.PmtInfID is ignored.
func (w *Writer) Write(tx Transaction) error {
	if w.done {
		return errors.New("pain008: Write after Close or Abort")
	}
	if w.err != nil {
		return w.err
	}
	if tx.Currency == "" {
		tx.Currency = "EUR"
	}
	if tx.LocalInstrument == "" {
		tx.LocalInstrument = InstrumentCore
	}
	creditorOK := len(w.groups) > 0 && tx.Creditor == w.groups[0].key.creditor // the usual case: one creditor
	if !creditorOK {
		_, creditorOK = w.creditors[tx.Creditor]
	}
	cents, err := check(&tx, w.created, creditorOK)
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			fe.Index = int(w.count) + 1
		}
		return err
	}
	if !w.opts.UniqueIDs && !w.e2e.add(hashString(tx.EndToEndID)) {
		// A 64-bit hash collision between different ids is possible in
		// theory (p ≈ 3e-8 at a million transactions); we accept refusing
		// such a batch rather than keep every id in memory.
		return &FieldError{Index: int(w.count) + 1, EndToEndID: tx.EndToEndID, Field: "EndToEndID", Value: tx.EndToEndID, Err: ErrDuplicateE2E}
	}
	if !creditorOK {
		w.creditors[tx.Creditor] = struct{}{} // validated once per creditor
	}
	if w.sum > maxSumCents-cents {
		return errors.New("pain008: control sum would exceed 18 digits")
	}
	key := groupKey{date: dateOnly(tx.CollectionDate), seq: tx.SequenceType, instr: tx.LocalInstrument, creditor: tx.Creditor}
	var g *group
	for _, h := range w.groups[:min(len(w.groups), 4)] { // a batch has a handful of groups: no hashing
		if h.key == key {
			g = h
			break
		}
	}
	if g == nil {
		g = w.index[key]
	}
	if g == nil {
		g = &group{key: key, num: len(w.groups) + 1}
		g.buf = make([]byte, 0, min(max(spoolLimit/(len(w.groups)+1), minChunk), maxChunk)+slack)
		w.index[key] = g
		w.groups = append(w.groups, g)
	}
	g.buf = encodeTx(g.buf, &tx, cents)
	g.count++
	g.sum += cents
	w.count++
	w.sum += cents
	if size := w.chunkSize(); len(g.buf) >= size {
		if err := w.flushGroup(g, size); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

// maxSumCents keeps CtrlSum within DecimalNumber's 18 digits.
const maxSumCents = 999999999999999999

// Chunk sizes: small enough that thousands of groups (collection dates ×
// sequence types × creditors) still fit in memory, large enough that the
// spool is written and read in few calls. slack fits one more transaction.
const (
	minChunk = 1 << 10
	maxChunk = 128 << 10
	slack    = 2 << 10
)

// chunkSize is how many bytes of transaction records a group keeps in
// memory before they go to the spool file: spoolLimit over all groups,
// within [minChunk, maxChunk].
func (w *Writer) chunkSize() int {
	size := spoolLimit / len(w.groups)
	return min(max(size, minChunk), maxChunk)
}

// flushGroup appends g's buffer to the spool file as one chunk.
func (w *Writer) flushGroup(g *group, size int) error {
	if w.spool == nil {
		f, err := os.CreateTemp(w.opts.TempDir, "pain008-spool-*")
		if err != nil {
			return fmt.Errorf("pain008: spool: %w", err)
		}
		w.spool = f
	}
	if _, err := w.spool.Write(g.buf); err != nil {
		return fmt.Errorf("pain008: spool: %w", err)
	}
	g.chunks = append(g.chunks, chunk{w.spoolEnd, int64(len(g.buf))})
	w.spoolEnd += int64(len(g.buf))
	if cap(g.buf) > 2*size+slack {
		g.buf = make([]byte, 0, size+slack) // the group count grew: give memory back
	} else {
		g.buf = g.buf[:0]
	}
	return nil
}

// Count returns the number of transactions written so far and their sum in
// cents.
func (w *Writer) Count() (n int64, cents int64) { return w.count, w.sum }

// Close writes the message and, for Create, renames the temporary file to
// the target. On error nothing is left behind (Create) or w may hold a
// partial message only if the destination failed while writing.
func (w *Writer) Close() error {
	if w.done {
		return errors.New("pain008: Close called twice")
	}
	err := w.err
	if err == nil && w.count == 0 {
		err = errors.New("pain008: no transactions to write (a pain.008 needs at least one)")
	}
	if err == nil {
		err = w.assemble()
	}
	if err == nil && w.tmp != nil {
		if err = w.tmp.Sync(); err == nil {
			err = w.tmp.Close()
			w.tmp = nil
		}
		if err == nil {
			err = os.Rename(w.dst.(*os.File).Name(), w.path)
		}
	}
	if err != nil {
		w.cleanup(true)
		w.done = true
		return err
	}
	w.cleanup(false)
	w.done = true
	return nil
}

// Abort discards the message: the spool and, for Create, the temporary
// file are removed. It is safe to call after Close (then it does nothing).
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.cleanup(true)
}

func (w *Writer) cleanup(removeTarget bool) {
	if w.spool != nil {
		name := w.spool.Name()
		w.spool.Close()
		os.Remove(name)
		w.spool = nil
	}
	if removeTarget {
		if f, ok := w.dst.(*os.File); ok && w.path != "" {
			name := f.Name()
			if w.tmp != nil {
				w.tmp.Close()
				w.tmp = nil
			}
			os.Remove(name)
		}
	}
	w.groups, w.index = nil, nil
}

// assemble writes the document: header, each group with its spooled
// transactions, trailer.
func (w *Writer) assemble() error {
	out := newOutput(w.dst)
	v := w.opts.Version
	initg := w.opts.InitiatingParty
	if initg == "" {
		initg = w.groups[0].key.creditor.Name
	}
	b := out.buf
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Document xmlns="`...)
	b = append(b, NamespacePrefix...)
	b = append(b, v...)
	b = append(b, `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+"\n  <CstmrDrctDbtInitn>\n    <GrpHdr>\n"...)
	b = leaf(b, 6, "MsgId", w.opts.MessageID)
	b = leaf(b, 6, "CreDtTm", w.opts.CreatedAt.Format("2006-01-02T15:04:05Z07:00"))
	b = leafRaw(b, 6, "NbOfTxs", strconv.AppendInt(nil, w.count, 10))
	b = leafRaw(b, 6, "CtrlSum", appendCents(nil, w.sum))
	b = append(b, "      <InitgPty>\n"...)
	b = leaf(b, 8, "Nm", initg)
	out.buf = append(b, "      </InitgPty>\n    </GrpHdr>\n"...)
	var in []byte
	for _, g := range w.groups {
		out.buf = appendPmtInfHead(out.buf, g, w.opts.MessageID, v)
		for _, c := range g.chunks { // the spooled records, then those in memory
			if int64(cap(in)) < c.n {
				in = make([]byte, c.n)
			}
			in = in[:c.n]
			if _, err := w.spool.ReadAt(in, c.off); err != nil {
				out.close()
				return fmt.Errorf("pain008: reading spool: %w", err)
			}
			w.renderRecords(out, in)
		}
		w.renderRecords(out, g.buf)
		out.buf = append(out.buf, "    </PmtInf>\n"...)
	}
	out.buf = append(out.buf, "  </CstmrDrctDbtInitn>\n</Document>\n"...)
	return out.close()
}

// renderRecords renders the transaction records in recs to out.
func (w *Writer) renderRecords(out *output, recs []byte) {
	var t txText[[]byte]
	for len(recs) > 0 {
		var cents int64
		cents, recs = decodeTx(recs, &t)
		out.buf = appendTxText(out.buf, &t, cents, w.opts.Version)
		out.flushIfFull()
	}
}

// output writes the document on a goroutine of its own, so that the XML of
// the next megabyte is rendered while the last one is copied to the
// destination (the write calls of an 800 MB document cost as much CPU as
// rendering it). It asks the kernel to start writing back to disk what it
// wrote, so that the fsync of the caller's commit finds little left to do.
type output struct {
	buf  []byte // being rendered into
	full chan []byte
	free chan []byte
	done chan error
}

// outputBuffer is the size of the buffers handed to the writing goroutine.
const outputBuffer = 1 << 20

func newOutput(dst io.Writer) *output {
	o := &output{buf: make([]byte, 0, outputBuffer+slack), full: make(chan []byte, 1), free: make(chan []byte, 2), done: make(chan error, 1)}
	o.free <- make([]byte, 0, outputBuffer+slack)
	go func() {
		var err error
		dst := atomicfile.Writeback(dst)
		for b := range o.full {
			if err == nil {
				_, err = dst.Write(b)
			}
			o.free <- b[:0]
		}
		o.done <- err
	}()
	return o
}

// flushIfFull hands the buffer to the writing goroutine when it holds a
// megabyte.
func (o *output) flushIfFull() {
	if len(o.buf) >= outputBuffer {
		o.full <- o.buf
		o.buf = <-o.free
	}
}

// close writes what is left and returns the first write error.
func (o *output) close() error {
	if len(o.buf) > 0 {
		o.full <- o.buf
	}
	close(o.full)
	return <-o.done
}

// pmtInfID builds the unique PmtInfId of group n from the message id,
// shortening the message id so that the result fits Max35.
func pmtInfID(msgID string, n int) string {
	suffix := "-" + strconv.Itoa(n)
	if len(msgID)+len(suffix) > sepa.MaxIDLength {
		msgID = msgID[:sepa.MaxIDLength-len(suffix)]
	}
	return msgID + suffix
}

func appendPmtInfHead(b []byte, g *group, msgID, v string) []byte {
	c := g.key.creditor
	b = append(b, "    <PmtInf>\n"...)
	b = leaf(b, 6, "PmtInfId", pmtInfID(msgID, g.num))
	b = append(b, "      <PmtMtd>DD</PmtMtd>\n"...)
	b = leafRaw(b, 6, "NbOfTxs", strconv.AppendInt(nil, g.count, 10))
	b = leafRaw(b, 6, "CtrlSum", appendCents(nil, g.sum))
	b = append(b, "      <PmtTpInf>\n        <SvcLvl>\n          <Cd>SEPA</Cd>\n        </SvcLvl>\n        <LclInstrm>\n"...)
	b = leaf(b, 10, "Cd", g.key.instr)
	b = append(b, "        </LclInstrm>\n"...)
	b = leaf(b, 8, "SeqTp", g.key.seq)
	b = append(b, "      </PmtTpInf>\n"...)
	b = leaf(b, 6, "ReqdColltnDt", g.key.date.Format(isoDate))
	b = append(b, "      <Cdtr>\n"...)
	b = leaf(b, 8, "Nm", c.Name)
	b = append(b, "      </Cdtr>\n      <CdtrAcct>\n        <Id>\n"...)
	b = leaf(b, 10, "IBAN", c.IBAN)
	b = append(b, "        </Id>\n      </CdtrAcct>\n      <CdtrAgt>\n"...)
	b = appendFinInstnID(b, 8, c.BIC, v)
	b = append(b, "      </CdtrAgt>\n      <ChrgBr>SLEV</ChrgBr>\n"...)
	b = appendSchemeID(b, 6, "CdtrSchmeId", "", c.ID)
	return b
}

// appendSchemeID writes a creditor scheme identification (PartyIdentification
// with PrvtId/Othr/Id and SchmeNm/Prtry SEPA), optionally with a name.
func appendSchemeID[T string | []byte](b []byte, ind int, tag string, name, id T) []byte {
	b = open(b, ind, tag)
	if len(name) > 0 {
		b = leaf(b, ind+2, "Nm", name)
	}
	if len(id) > 0 {
		b = open(b, ind+2, "Id")
		b = open(b, ind+4, "PrvtId")
		b = open(b, ind+6, "Othr")
		b = leaf(b, ind+8, "Id", id)
		b = open(b, ind+8, "SchmeNm")
		b = leaf(b, ind+10, "Prtry", "SEPA")
		b = closeTag(b, ind+8, "SchmeNm")
		b = closeTag(b, ind+6, "Othr")
		b = closeTag(b, ind+4, "PrvtId")
		b = closeTag(b, ind+2, "Id")
	}
	return closeTag(b, ind, tag)
}

// appendFinInstnID writes FinInstnId with the BIC (BICFI from .001.04 on)
// or, when there is none, Othr/Id NOTPROVIDED as the EPC guidelines ask.
func appendFinInstnID[T string | []byte](b []byte, ind int, bic T, v string) []byte {
	b = open(b, ind, "FinInstnId")
	switch {
	case len(bic) == 0:
		b = open(b, ind+2, "Othr")
		b = leaf(b, ind+4, "Id", "NOTPROVIDED")
		b = closeTag(b, ind+2, "Othr")
	case v == Version02:
		b = leaf(b, ind+2, "BIC", bic)
	default:
		b = leaf(b, ind+2, "BICFI", bic)
	}
	return closeTag(b, ind, "FinInstnId")
}

// txText is what a DrctDbtTxInf shows of a transaction, as text: a
// Transaction's strings, or the byte slices of a spooled record.
type txText[T string | []byte] struct {
	instrID, e2e, ccy, mandate, signed, bic, name, iban, remittance, ref T
	amended                                                              bool
	origMandate, origCdtrName, origCdtrID, origIBAN                      T
	smnda                                                                bool
}

// textOf returns the text of tx.
func textOf(tx *Transaction) txText[string] {
	t := txText[string]{instrID: tx.InstructionID, e2e: tx.EndToEndID, ccy: tx.Currency, mandate: tx.MandateID,
		signed: string(appendDate(nil, tx.MandateSignedOn)), bic: tx.DebtorBIC, name: tx.DebtorName, iban: tx.DebtorIBAN,
		remittance: tx.Remittance, ref: tx.CreditorReference}
	if a := tx.Amendment; a != nil {
		t.amended, t.origMandate, t.origCdtrName, t.origCdtrID, t.origIBAN, t.smnda = true,
			a.OriginalMandateID, a.OriginalCreditorName, a.OriginalCreditorID, a.OriginalDebtorIBAN, a.DebtorAgentChanged
	}
	return t
}

// encodeTx appends the record of tx to b: its amount in cents as a varint,
// then the text fields of txText, each as a varint length and its bytes,
// the flags as one byte. decodeTx reads it back.
func encodeTx(b []byte, tx *Transaction, cents int64) []byte {
	str := func(b []byte, s string) []byte {
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	}
	b = binary.AppendVarint(b, cents)
	b = str(b, tx.InstructionID)
	b = str(b, tx.EndToEndID)
	b = str(b, tx.Currency)
	b = str(b, tx.MandateID)
	var date [32]byte
	d := appendDate(date[:0], tx.MandateSignedOn)
	b = binary.AppendUvarint(b, uint64(len(d)))
	b = append(b, d...)
	b = str(b, tx.DebtorBIC)
	b = str(b, tx.DebtorName)
	b = str(b, tx.DebtorIBAN)
	b = str(b, tx.Remittance)
	b = str(b, tx.CreditorReference)
	a := tx.Amendment
	if a == nil {
		return append(b, 0)
	}
	flags := byte(1)
	if a.DebtorAgentChanged {
		flags |= 2
	}
	b = append(b, flags)
	b = str(b, a.OriginalMandateID)
	b = str(b, a.OriginalCreditorName)
	b = str(b, a.OriginalCreditorID)
	return str(b, a.OriginalDebtorIBAN)
}

// decodeTx reads the record at the start of b into t (whose fields then
// point into b) and returns the amount and the rest of b.
func decodeTx(b []byte, t *txText[[]byte]) (int64, []byte) {
	cents, n := binary.Varint(b)
	b = b[n:]
	str := func() []byte {
		l, n := binary.Uvarint(b)
		s := b[n : n+int(l)]
		b = b[n+int(l):]
		return s
	}
	t.instrID, t.e2e, t.ccy, t.mandate, t.signed = str(), str(), str(), str(), str()
	t.bic, t.name, t.iban, t.remittance, t.ref = str(), str(), str(), str(), str()
	flags := b[0]
	b = b[1:]
	t.amended, t.smnda = flags&1 != 0, flags&2 != 0
	if t.amended {
		t.origMandate, t.origCdtrName, t.origCdtrID, t.origIBAN = str(), str(), str(), str()
	}
	return cents, b
}

// appendDate appends t's date as YYYY-MM-DD (ISODate).
func appendDate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, isoDate)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// appendTx renders one DrctDbtTxInf of tx.
func appendTx(b []byte, tx *Transaction, cents int64, v string) []byte {
	t := textOf(tx)
	return appendTxText(b, &t, cents, v)
}

// appendTxText renders one DrctDbtTxInf (DirectDebitTransactionInformation9/23).
// The markup between two values is appended as one string: a document of a
// million transactions is rendered in the close, after the rows are read.
func appendTxText[T string | []byte](b []byte, t *txText[T], cents int64, v string) []byte {
	b = append(b, "      <DrctDbtTxInf>\n        <PmtId>\n"...)
	if len(t.instrID) > 0 {
		b = leaf(b, 10, "InstrId", t.instrID)
	}
	b = append(b, "          <EndToEndId>"...)
	b = appendEscaped(b, t.e2e)
	b = append(b, "</EndToEndId>\n        </PmtId>\n        <InstdAmt Ccy=\""...)
	b = append(b, t.ccy...)
	b = append(b, "\">"...)
	b = appendCents(b, cents)
	b = append(b, "</InstdAmt>\n        <DrctDbtTx>\n          <MndtRltdInf>\n            <MndtId>"...)
	b = appendEscaped(b, t.mandate)
	b = append(b, "</MndtId>\n            <DtOfSgntr>"...)
	b = appendEscaped(b, t.signed)
	b = append(b, "</DtOfSgntr>\n"...)
	if t.amended {
		b = append(b, "            <AmdmntInd>true</AmdmntInd>\n            <AmdmntInfDtls>\n"...)
		if len(t.origMandate) > 0 {
			b = leaf(b, 14, "OrgnlMndtId", t.origMandate)
		}
		if len(t.origCdtrName) > 0 || len(t.origCdtrID) > 0 {
			b = appendSchemeID(b, 14, "OrgnlCdtrSchmeId", t.origCdtrName, t.origCdtrID)
		}
		if len(t.origIBAN) > 0 {
			b = append(b, "              <OrgnlDbtrAcct>\n                <Id>\n"...)
			b = leaf(b, 18, "IBAN", t.origIBAN)
			b = append(b, "                </Id>\n              </OrgnlDbtrAcct>\n"...)
		}
		if t.smnda {
			b = append(b, "              <OrgnlDbtrAgt>\n                <FinInstnId>\n                  <Othr>\n                    <Id>SMNDA</Id>\n                  </Othr>\n                </FinInstnId>\n              </OrgnlDbtrAgt>\n"...)
		}
		b = append(b, "            </AmdmntInfDtls>\n          </MndtRltdInf>\n        </DrctDbtTx>\n        <DbtrAgt>\n"...)
	} else {
		b = append(b, "            <AmdmntInd>false</AmdmntInd>\n          </MndtRltdInf>\n        </DrctDbtTx>\n        <DbtrAgt>\n"...)
	}
	if len(t.bic) == 0 {
		b = append(b, "          <FinInstnId>\n            <Othr>\n              <Id>NOTPROVIDED</Id>\n            </Othr>\n          </FinInstnId>\n"...)
	} else {
		b = appendFinInstnID(b, 10, t.bic, v)
	}
	b = append(b, "        </DbtrAgt>\n        <Dbtr>\n          <Nm>"...)
	b = appendEscaped(b, t.name)
	b = append(b, "</Nm>\n        </Dbtr>\n        <DbtrAcct>\n          <Id>\n            <IBAN>"...)
	b = appendEscaped(b, t.iban)
	b = append(b, "</IBAN>\n          </Id>\n        </DbtrAcct>\n"...)
	switch {
	case len(t.remittance) > 0:
		b = append(b, "        <RmtInf>\n          <Ustrd>"...)
		b = appendEscaped(b, t.remittance)
		b = append(b, "</Ustrd>\n        </RmtInf>\n"...)
	case len(t.ref) > 0:
		b = append(b, "        <RmtInf>\n          <Strd>\n            <CdtrRefInf>\n              <Tp>\n                <CdOrPrtry>\n                  <Cd>SCOR</Cd>\n                </CdOrPrtry>\n              </Tp>\n              <Ref>"...)
		b = appendEscaped(b, t.ref)
		b = append(b, "</Ref>\n            </CdtrRefInf>\n          </Strd>\n        </RmtInf>\n"...)
	}
	return append(b, "      </DrctDbtTxInf>\n"...)
}

const spaces = "                                        "

func open(b []byte, ind int, tag string) []byte {
	b = append(b, spaces[:ind]...)
	b = append(b, '<')
	b = append(b, tag...)
	return append(b, ">\n"...)
}

func closeTag(b []byte, ind int, tag string) []byte {
	b = append(b, spaces[:ind]...)
	b = append(b, "</"...)
	b = append(b, tag...)
	return append(b, ">\n"...)
}

// leaf writes <tag>escaped value</tag> on its own line.
func leaf[T string | []byte](b []byte, ind int, tag string, value T) []byte {
	b = append(b, spaces[:ind]...)
	b = append(b, '<')
	b = append(b, tag...)
	b = append(b, '>')
	b = appendEscaped(b, value)
	b = append(b, "</"...)
	b = append(b, tag...)
	return append(b, ">\n"...)
}

func leafRaw(b []byte, ind int, tag string, value []byte) []byte {
	b = append(b, spaces[:ind]...)
	b = append(b, '<')
	b = append(b, tag...)
	b = append(b, '>')
	b = append(b, value...)
	b = append(b, "</"...)
	b = append(b, tag...)
	return append(b, ">\n"...)
}

// appendEscaped escapes the XML markup characters. Validated text holds
// none of them except the apostrophe, which needs no escaping in content;
// this keeps a document well-formed should a check ever be relaxed.
func appendEscaped[T string | []byte](b []byte, s T) []byte {
	i := 0
	for i < len(s) && !markup[s[i]] {
		i++
	}
	if i == len(s) {
		return append(b, s...) // the usual value: nothing to escape
	}
	last := 0
	for ; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// markup marks the bytes appendEscaped escapes.
var markup = [256]bool{'&': true, '<': true, '>': true, '"': true}

// appendCents writes cents as a decimal amount with two decimals.
func appendCents(b []byte, cents int64) []byte {
	b = strconv.AppendInt(b, cents/100, 10)
	r := cents % 100
	return append(b, '.', byte('0'+r/10), byte('0'+r%10))
}
