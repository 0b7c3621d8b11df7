package coda

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// MaxDetails is the most transactions one globalised movement holds: detail
// numbers have four digits, and the information record after the last
// detail takes a number too.
const MaxDetails = 9998

// WriterOptions are the file-level fields of a CODA file the statement
// model does not hold.
type WriterOptions struct {
	CreatedAt     time.Time // record 0 creation date; default: time.Now()
	BankID        string    // record 0 positions 12-14, bank identification number; default "000"
	BIC           string    // record 0 positions 61-71; default the statement account's BIC
	FileReference string    // record 0 positions 25-34; default the statement's MessageID
	Addressee     string    // record 0 positions 35-60; default the account owner
	HolderID      string    // record 0 positions 72-82, company number of the account holder
	Charset       Charset   // Latin1 (default, what Febelfin expects), CP1252, CP850 or UTF8
	TempDir       string    // Create: folder of the temporary file; default the target's folder
}

// Writer writes CODA version 2: for every statement records 0, 1,
// 21/22/23 per movement, 8 and 9; 128 characters and CRLF per record.
//
// An entry with one transaction is one movement; an entry with several is a
// globalised movement (type 1, globalisation code 1) followed by one detail
// movement (type 5) per transaction; more than MaxDetails transactions are
// written as several globalised movements in a row, each with its own
// total (detail numbers have four digits). A transaction with a Belgian
// structured reference gets a type 101 communication, one with SEPA direct
// debit data (mandate, creditor identifier, return reason) a type 127
// communication, others free text.
type Writer struct {
	w    *bufio.Writer
	opts WriterOptions
	enc  *charmap.Charmap // CP1252 or CP850; nil for Latin-1 and UTF-8
	rec  [RecordLen]byte
	out  []byte

	st        *statement.Statement
	structure byte
	acctZone  [37]byte
	seq       int
	nRecords  int
	debits    int64
	credits   int64
	balance   int64
	paperSeq  string
	err       error
	closed    bool

	// Create
	file   *os.File
	target string
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer, opts WriterOptions) *Writer {
	if opts.CreatedAt.IsZero() {
		opts.CreatedAt = time.Now()
	}
	if opts.BankID == "" {
		opts.BankID = "000"
	}
	if opts.Charset == Detect {
		opts.Charset = Latin1
	}
	wr := &Writer{w: bufio.NewWriterSize(w, 64<<10), opts: opts}
	switch opts.Charset {
	case CP1252:
		wr.enc = charmap.Windows1252
	case CP850:
		wr.enc = charmap.CodePage850
	}
	return wr
}

// Create writes a CODA file at path atomically: into a temporary file in the
// same folder, renamed to path by Close; Abort (or a failed Close) removes it.
func Create(path string, opts WriterOptions) (*Writer, error) {
	dir := opts.TempDir
	if dir == "" {
		dir = filepath.Dir(path)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("coda: %w", err)
	}
	w := NewWriter(f, opts)
	w.file, w.target = f, path
	return w, nil
}

// Abort discards a file begun with Create.
func (w *Writer) Abort() {
	if w.file != nil {
		w.file.Close()
		os.Remove(w.file.Name())
		w.file = nil
	}
	w.closed = true
}

func (w *Writer) fail(format string, args ...any) error {
	if w.err == nil {
		w.err = fmt.Errorf("coda: "+format, args...)
	}
	return w.err
}

// blank starts a record of the given type.
func (w *Writer) blank(kind string) {
	for i := range w.rec {
		w.rec[i] = ' '
	}
	copy(w.rec[:], kind)
}

// put writes text left-aligned into positions from..to (1-based), failing
// when it does not fit.
func (w *Writer) put(from, to int, s, field string) {
	if w.err != nil {
		return
	}
	width := to - from + 1
	if utf8.RuneCountInString(s) > width {
		w.fail("%s %q is longer than %d characters", field, s, width)
		return
	}
	i := from - 1
	for _, r := range s {
		if r < 0x20 || (r >= 0x7F && r < 0xA0) {
			w.fail("%s %q: character %q cannot be written in CODA", field, s, r)
			return
		}
		if w.enc != nil { // a code page: the record holds its bytes
			b, ok := w.enc.EncodeRune(r)
			if !ok {
				w.fail("%s %q: character %q cannot be written in %s", field, s, r, w.opts.Charset)
				return
			}
			w.rec[i] = b
		} else {
			if r > 0xFF {
				w.fail("%s %q: character %q cannot be written in CODA", field, s, r)
				return
			}
			w.rec[i] = byte(r) // Latin-1, encoded as UTF-8 by emit when asked
		}
		i++
	}
}

// putNum writes v right-aligned with leading zeros.
func (w *Writer) putNum(from, to int, v int64, field string) {
	x := v
	for i := to - 1; i >= from-1; i-- {
		w.rec[i] = byte('0' + x%10)
		x /= 10
	}
	if x != 0 || v < 0 {
		w.fail("%s %d does not fit in %d digits", field, v, to-from+1)
	}
}

func (w *Writer) putDate(from int, t time.Time) {
	if t.IsZero() {
		copy(w.rec[from-1:], "000000")
		return
	}
	y, m, d := t.Date()
	two := func(i, v int) { w.rec[i], w.rec[i+1] = byte('0'+v/10), byte('0'+v%10) }
	two(from-1, d)
	two(from+1, int(m))
	two(from+3, y%100)
}

// putAmount writes a sign code at signPos and 15 digits with 3 decimals.
func (w *Writer) putAmount(signPos, from int, v int64, field string) {
	w.rec[signPos-1] = '0'
	if v < 0 {
		w.rec[signPos-1] = '1'
		v = -v
	}
	w.putNum(from, from+14, v, field)
}

// emit writes the record with CRLF.
func (w *Writer) emit() {
	if w.err != nil {
		return
	}
	w.out = w.out[:0]
	for _, c := range w.rec {
		if c < 0x80 || w.opts.Charset != UTF8 {
			w.out = append(w.out, c)
		} else {
			w.out = utf8.AppendRune(w.out, rune(c))
		}
	}
	w.out = append(w.out, '\r', '\n')
	if _, err := w.w.Write(w.out); err != nil {
		w.fail("%w", err)
	}
}

func thousandthsOf(d decimal.Decimal, field string) (int64, error) {
	s := d.Shift(3)
	if !s.Equal(s.Truncate(0)) {
		return 0, fmt.Errorf("%s %s has more than 3 decimals", field, d)
	}
	if s.Abs().GreaterThan(decimal.New(999999999999999, 0)) {
		return 0, fmt.Errorf("%s %s does not fit in 15 digits", field, d)
	}
	return s.IntPart(), nil
}

// BeginStatement writes the header and old balance records of st.
func (w *Writer) BeginStatement(st *statement.Statement) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return w.fail("BeginStatement after Close")
	}
	if w.st != nil {
		return w.fail("BeginStatement before EndStatement of the previous statement")
	}
	acct := st.Account
	if acct.ID() == "" || acct.Currency == "" {
		return w.fail("statement %q: account and currency are required", st.ID)
	}
	w.st, w.seq, w.nRecords, w.debits, w.credits = st, 0, 0, 0, 0
	w.balance = 0
	var opening time.Time
	if st.Opening != nil {
		v, err := thousandthsOf(st.Opening.Amount, "old balance")
		if err != nil {
			return w.fail("%w", err)
		}
		w.balance, opening = v, st.Opening.Date
	}
	if opening.IsZero() {
		opening = st.From
	}
	w.paperSeq = seq3(st.LegalSequence)

	// Record 0: header.
	w.blank("0")
	copy(w.rec[1:], "0000")
	w.putDate(6, w.opts.CreatedAt)
	w.put(12, 14, w.opts.BankID, "bank identification number")
	copy(w.rec[14:], "05")
	ref := w.opts.FileReference
	if ref == "" {
		ref = st.MessageID
	}
	w.put(25, 34, ref, "file reference")
	addr := w.opts.Addressee
	if addr == "" {
		addr = acct.Owner
	}
	w.put(35, 60, clip(addr, 26), "addressee")
	bic := w.opts.BIC
	if bic == "" {
		bic = acct.BIC
	}
	w.put(61, 71, bic, "BIC")
	w.put(72, 82, w.opts.HolderID, "account holder identification")
	copy(w.rec[83:], "00000")
	w.rec[127] = '2'
	w.emit()

	// Record 1: old balance.
	id := acct.ID()
	for i := range w.acctZone {
		w.acctZone[i] = ' '
	}
	put := func(from, to int, s string) { // positions in the 37-character account zone
		if len(s) > to-from+1 {
			w.fail("account %q is longer than %d characters", s, to-from+1)
			return
		}
		copy(w.acctZone[from-1:], s)
	}
	switch {
	case acct.IBAN != "" && strings.HasPrefix(acct.IBAN, "BE"):
		w.structure = '2'
		put(1, 31, acct.IBAN)
		put(35, 37, acct.Currency)
	case acct.IBAN != "":
		w.structure = '3'
		put(1, 34, acct.IBAN)
		put(35, 37, acct.Currency)
	case len(acct.Other) == 12 && isDigitsStr(acct.Other):
		w.structure = '0'
		put(1, 12, acct.Other)
		put(14, 16, acct.Currency)
	default:
		w.structure = '1'
		put(1, 34, acct.Other)
		put(35, 37, acct.Currency)
	}
	w.blank("1")
	w.rec[1] = w.structure
	w.put(3, 5, w.paperSeq, "statement sequence number")
	copy(w.rec[5:42], w.acctZone[:])
	w.putAmount(43, 44, w.balance, "old balance")
	w.putDate(59, opening)
	w.put(65, 90, clip(acct.Owner, 26), "account holder name")
	w.put(91, 125, clip(acct.Name, 35), "account description")
	es := w.paperSeq
	if st.ElectronicSequence != "" {
		es = seq3(st.ElectronicSequence)
	}
	w.put(126, 128, es, "electronic sequence number")
	w.emit()
	w.nRecords++
	_ = id
	return w.err
}

// seq3 lays a statement number in CODA's 3 digits: zero-padded, and for
// numbers above 999 the last three digits (the numbering wraps). Anything
// else is left for put to reject.
func seq3(s string) string {
	switch {
	case s == "":
		return "001"
	case !isDigitsStr(s):
		return s
	case len(s) < 3:
		return strings.Repeat("0", 3-len(s)) + s
	}
	return s[len(s)-3:]
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func isDigitsStr(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// WriteEntry writes the movement records of one entry.
func (w *Writer) WriteEntry(e *statement.Entry) error {
	if w.err != nil {
		return w.err
	}
	if w.st == nil {
		return w.fail("WriteEntry before BeginStatement")
	}
	amt, err := thousandthsOf(e.Amount, "entry amount")
	if err != nil {
		return w.fail("%w", err)
	}
	w.seq++
	code := e.BankTxCode.Proprietary
	details := e.Details
	if len(details) <= 1 {
		t := statement.Transaction{Amount: e.Amount}
		if len(details) == 1 {
			t = details[0]
			if !t.Amount.Equal(e.Amount) {
				return w.fail("entry %d: its transaction amount %s differs from the entry amount %s", w.seq, t.Amount, e.Amount)
			}
		}
		if code == "" {
			code = defaultCode(&t, amt)
		}
		if t.AccountSvcrRef == "" {
			t.AccountSvcrRef = e.AccountSvcrRef
		}
		w.movement(e, &t, 0, amt, '0', code, '0', collapse(e.Info) != "")
		w.information(e, 1, code)
	} else {
		var sum int64
		for i := range details {
			v, err := thousandthsOf(details[i].Amount, "transaction amount")
			if err != nil {
				return w.fail("%w", err)
			}
			sum += v
		}
		if sum != amt {
			return w.fail("entry %d: its %d transactions add up to %s, not the entry amount %s", w.seq, len(details), thousandths(sum), e.Amount)
		}
		if code == "" {
			code = defaultCode(&details[0], amt)
		}
		// Detail numbers have four digits and the information record takes
		// the one after the last detail: a batch of more details is written
		// as several globalised movements of at most MaxDetails details, each
		// with its own total, the way a bank splits it.
		for start := 0; start < len(details); start += MaxDetails {
			chunk := details[start:min(start+MaxDetails, len(details))]
			var camt int64
			for i := range chunk {
				v, _ := thousandthsOf(chunk[i].Amount, "")
				camt += v
			}
			if start > 0 {
				w.seq++
			}
			global := statement.Transaction{Amount: decimal.New(camt, -3), AccountSvcrRef: e.AccountSvcrRef, EndToEndID: e.BatchID}
			w.movement(e, &global, 0, camt, '1', code, '1', false)
			for i := range chunk {
				t := &chunk[i]
				v, _ := thousandthsOf(t.Amount, "")
				c := t.BankTxCode.Proprietary
				if c == "" {
					c = code
				}
				glob := byte('0')
				if i == len(chunk)-1 {
					glob = '1' // closes the globalisation
				}
				w.movement(e, t, i+1, v, '5', c, glob, i == len(chunk)-1 && collapse(e.Info) != "")
			}
			w.information(e, len(chunk)+1, code)
		}
	}
	if amt < 0 {
		w.debits -= amt
	} else {
		w.credits += amt
	}
	w.balance += amt
	return w.err
}

// defaultCode picks a Febelfin code when the entry has none: SEPA direct
// debit collections 05/50, their returns 05/54, credit transfers 01/50 in
// and 01/01 out.
func defaultCode(t *statement.Transaction, amt int64) string {
	dd := t.MandateID != "" || t.CreditorID != ""
	switch {
	case dd && t.ReturnReason != "":
		return "05/54/000"
	case dd && amt >= 0:
		return "05/50/000"
	case dd:
		return "05/01/000"
	case amt >= 0:
		return "01/50/000"
	}
	return "01/01/000"
}

// movement writes the 21, 22 and 23 records of one movement.
// info tells that information records follow (link code).
func (w *Writer) movement(e *statement.Entry, t *statement.Transaction, detail int, amt int64, ttype byte, code string, glob byte, info bool) {
	fam, txn, cat, ok := splitCode(code)
	if !ok {
		w.fail("entry %d: bank transaction code %q is not a Febelfin code FF/TT/CCC", w.seq, code)
		return
	}
	var comm [146]rune // structured zone or free text (21: 53, 22: 53, 23: 43)
	for i := range comm {
		comm[i] = ' '
	}
	structured := false
	ctype := ""
	more := "" // the rest of a direct debit communication beyond 62 characters
	putz := func(from int, s string, width int, field string) {
		if utf8.RuneCountInString(s) > width {
			w.fail("entry %d: %s %q is longer than %d characters", w.seq, field, s, width)
			return
		}
		i := from
		for _, r := range s {
			comm[i] = r
			i++
		}
	}
	isDD := ttype != '1' && (t.MandateID != "" || t.CreditorID != "" || t.ReturnReason != "")
	var rtype byte = ' '
	switch {
	case ttype == '1':
		// the global movement carries the entry's information as free text
	case t.Reference.Scheme == sepa.SchemeOGM && !isDD:
		o, err := sepa.ParseOGM(t.Reference.Value)
		if err != nil {
			w.fail("entry %d: structured reference %q: %v", w.seq, t.Reference.Value, err)
			return
		}
		structured, ctype = true, "101"
		putz(0, o.Digits(), 12, "structured reference")
		putz(12, collapse(t.Remittance), 134, "remittance")
	case isDD:
		structured, ctype = true, "127"
		vd := e.ValueDate
		if vd.IsZero() {
			vd = e.BookingDate
		}
		if !vd.IsZero() {
			putz(0, vd.Format("020106"), 6, "settlement date")
		} else {
			putz(0, "000000", 6, "settlement date")
		}
		putz(6, "0", 1, "") // direct debit type: unspecified
		putz(7, "1", 1, "") // scheme: SEPA core
		putz(8, "0", 1, "") // paid (R-transactions are told by type and reason)
		putz(9, t.CreditorID, 35, "creditor identifier")
		putz(44, t.MandateID, 35, "mandate reference")
		// The 62-character communication of a 127 carries the creditor's
		// remittance; a structured reference travels there in its printed
		// form (+++123/4567/89002+++), the way banks show it. A longer one
		// (pain.008 allows 140) continues in free-text information records
		// of the same movement, right after its 2.x records.
		dd := []rune(ddCommunication(t))
		if len(dd) > ddCommWidth+ddMoreWidth {
			// A second information group could not be told from the
			// entry's own information: a reader would lose the rest.
			w.fail("entry %d: direct debit communication of %d characters is longer than the %d a CODA 127 communication and one information group hold", w.seq, len(dd), ddCommWidth+ddMoreWidth)
			return
		}
		if len(dd) > ddCommWidth {
			more = string(dd[ddCommWidth:])
			dd = dd[:ddCommWidth]
		}
		putz(79, string(dd), ddCommWidth, "remittance")
		if t.ReturnReason != "" || e.Reversal {
			rtype = RReturn
			if t.ReturnReason == "MD06" {
				rtype = RRefund
			}
			comm[141] = rune(rtype)
			putz(142, t.ReturnReason, 4, "return reason")
		} else {
			comm[141] = '0'
		}
	default:
		if t.Reference.Scheme == sepa.SchemeRF {
			if t.Remittance != "" {
				w.fail("entry %d: an RF reference and free remittance text do not fit in one CODA communication", w.seq)
				return
			}
			putz(0, t.Reference.Value, 25, "RF reference")
		} else {
			putz(0, "", 0, "")
		}
	}
	if w.err != nil {
		return
	}
	// Free text is laid out over 53 + 53 + 43 positions.
	var free [3]string
	if !structured {
		text := collapse(t.Remittance)
		if ttype != '1' && t.Reference.Scheme == sepa.SchemeRF {
			text = t.Reference.Value
		}
		r := []rune(text)
		if len(r) > 149 {
			w.fail("entry %d: communication %q is longer than 149 characters", w.seq, text)
			return
		}
		for i, width := range [3]int{53, 53, 43} {
			n := min(width, len(r))
			free[i] = string(r[:n])
			r = r[n:]
		}
	}
	piece := func(i int) string {
		if !structured {
			return free[i]
		}
		from := [3]int{0, 50, 103}[i]
		to := [3]int{50, 103, 146}[i]
		return strings.TrimRight(string(comm[from:to]), " ")
	}

	cp := t.Counterparty
	cpAcct := cp.IBAN
	if cpAcct == "" {
		cpAcct = cp.Account
	}
	need23 := cpAcct != "" || cp.Name != "" || piece(2) != ""
	need22 := need23 || piece(1) != "" || t.EndToEndID != "" || cp.BIC != "" || rtype != ' '
	if more != "" {
		// The continuation's information records follow the movement's
		// last 2.x record; the entry's own information, if any, after them.
		then := info
		defer func() { w.infoText([]rune(more), detail, code, t.AccountSvcrRef, then) }()
		info = true
	}

	// 2.1
	w.blank("21")
	w.putNum(3, 6, int64(w.seq), "sequence number")
	w.putNum(7, 10, int64(detail), "detail number")
	w.put(11, 31, t.AccountSvcrRef, "bank reference")
	w.putAmount(32, 33, amt, "amount")
	w.putDate(48, e.ValueDate)
	w.rec[53] = ttype
	copy(w.rec[54:], fam)
	copy(w.rec[56:], txn)
	copy(w.rec[58:], cat)
	if structured {
		w.rec[61] = '1'
		copy(w.rec[62:], ctype)
		w.put(66, 115, piece(0), "communication")
	} else {
		w.rec[61] = '0'
		w.put(63, 115, piece(0), "communication")
	}
	w.putDate(116, e.BookingDate)
	w.put(122, 124, w.paperSeq[len(w.paperSeq)-3:], "statement sequence number")
	w.rec[124] = glob
	w.rec[125] = yesNo(need22)
	w.rec[127] = yesNo(info && !need22)
	w.emit()
	w.nRecords++
	if !need22 {
		return
	}
	// 2.2
	w.blank("22")
	w.putNum(3, 6, int64(w.seq), "sequence number")
	w.putNum(7, 10, int64(detail), "detail number")
	w.put(11, 63, piece(1), "communication")
	w.put(64, 98, t.EndToEndID, "end-to-end reference")
	w.put(99, 109, cp.BIC, "counterparty BIC")
	if rtype != ' ' {
		w.rec[112] = rtype
		w.put(114, 117, t.ReturnReason, "return reason")
	}
	w.rec[125] = yesNo(need23)
	w.rec[127] = yesNo(info && !need23)
	w.emit()
	w.nRecords++
	if !need23 {
		return
	}
	// 2.3
	w.blank("23")
	w.putNum(3, 6, int64(w.seq), "sequence number")
	w.putNum(7, 10, int64(detail), "detail number")
	w.put(11, 44, cpAcct, "counterparty account")
	if cpAcct != "" {
		w.put(45, 47, t.Currency, "counterparty currency")
	}
	w.put(48, 82, cp.Name, "counterparty name")
	w.put(83, 125, piece(2), "communication")
	w.rec[125] = '0'
	w.rec[127] = yesNo(info)
	w.emit()
	w.nRecords++
}

// ddCommWidth is the communication of a type 127 (SEPA direct debit)
// structured communication: 62 characters.
const ddCommWidth = 62

// ddMoreWidth is what one group of information records (31, 32, 33: 73 +
// 105 + 90 characters) adds to a type 127 communication.
const ddMoreWidth = 73 + 105 + 90

// information writes the entry's Info as free-text information records:
// groups of 31 (73 characters), 32 (105) and 33 (90), as many as it takes.
func (w *Writer) information(e *statement.Entry, detail int, code string) {
	info := collapse(e.Info)
	if info == "" || w.err != nil {
		return
	}
	w.infoText([]rune(info), detail, code, e.AccountSvcrRef, false)
}

// infoText writes text as free-text information records of one movement,
// starting at detail; then tells whether more information records follow
// (link code of the last record).
func (w *Writer) infoText(text []rune, detail int, code, bankRef string, then bool) {
	if len(text) == 0 || w.err != nil {
		return
	}
	fam, txn, cat, _ := splitCode(code)
	widths := [3]int{73, 105, 90}
	for len(text) > 0 && w.err == nil {
		for k := 0; k < 3 && len(text) > 0; k++ {
			n := min(widths[k], len(text))
			chunk := string(text[:n])
			text = text[n:]
			w.blank([3]string{"31", "32", "33"}[k])
			w.putNum(3, 6, int64(w.seq), "sequence number")
			w.putNum(7, 10, int64(detail), "detail number")
			switch k {
			case 0:
				w.put(11, 31, bankRef, "bank reference")
				w.rec[31] = '0'
				copy(w.rec[32:], fam)
				copy(w.rec[34:], txn)
				copy(w.rec[36:], cat)
				w.rec[39] = '0'
				w.put(41, 113, chunk, "information")
			case 1:
				w.put(11, 115, chunk, "information")
			case 2:
				w.put(11, 100, chunk, "information")
			}
			more := len(text) > 0
			if k < 2 {
				w.rec[125] = yesNo(more) // the group continues
				w.rec[127] = '0'
			} else {
				w.rec[125] = '0'
				w.rec[127] = yesNo(more) // a new 31 follows
			}
			if k < 2 && !more {
				w.rec[127] = '0'
			}
			if !more {
				w.rec[127] = yesNo(then)
			}
			w.emit()
			w.nRecords++
		}
		detail++
	}
}

// collapse trims free text and writes each run of white space as one
// space: CODA lays text out in fixed fields whose trailing spaces a reader
// cannot tell from padding, so this is the form that reads back equal.
func collapse(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

func yesNo(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}

func splitCode(c string) (fam, txn, cat string, ok bool) {
	p := strings.Split(c, "/")
	if len(p) != 3 || len(p[0]) != 2 || len(p[1]) != 2 || len(p[2]) != 3 ||
		!isDigitsStr(p[0]) || !isDigitsStr(p[1]) || !isDigitsStr(p[2]) {
		return "", "", "", false
	}
	return p[0], p[1], p[2], true
}

// EndStatement writes the new balance and trailer records. The new balance
// is the old balance plus the entries written; when the statement states a
// closing balance it must agree.
func (w *Writer) EndStatement() error {
	if w.err != nil {
		return w.err
	}
	if w.st == nil {
		return w.fail("EndStatement without BeginStatement")
	}
	st := w.st
	date := st.To
	if st.Closing != nil {
		v, err := thousandthsOf(st.Closing.Amount, "new balance")
		if err != nil {
			return w.fail("%w", err)
		}
		if v != w.balance {
			return w.fail("statement %q: closing balance %s is not the opening balance plus the entries (%s)", st.ID, st.Closing.Amount, thousandths(w.balance))
		}
		if !st.Closing.Date.IsZero() {
			date = st.Closing.Date
		}
	}
	if date.IsZero() {
		date = w.opts.CreatedAt
	}
	w.blank("8")
	w.put(2, 4, w.paperSeq[len(w.paperSeq)-3:], "statement sequence number")
	copy(w.rec[4:41], w.acctZone[:])
	w.putAmount(42, 43, w.balance, "new balance")
	w.putDate(58, date)
	w.rec[127] = '0'
	w.emit()
	w.nRecords++

	w.blank("9")
	w.putNum(17, 22, int64(w.nRecords), "number of records")
	w.putNum(23, 37, w.debits, "debit movements")
	w.putNum(38, 52, w.credits, "credit movements")
	w.rec[127] = '2'
	w.emit()
	w.st = nil
	return w.err
}

// Close flushes the output; with Create it renames the temporary file to its
// target. A statement still open is an error and nothing is left behind.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if w.st != nil {
		w.fail("Close before EndStatement")
	}
	if w.err == nil {
		if err := w.w.Flush(); err != nil {
			w.fail("%w", err)
		}
	}
	w.closed = true
	if w.file != nil {
		f := w.file
		w.file = nil
		if w.err != nil {
			f.Close()
			os.Remove(f.Name())
			return w.err
		}
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			return w.fail("%w", err)
		}
		if err := os.Rename(f.Name(), w.target); err != nil {
			os.Remove(f.Name())
			return w.fail("%w", err)
		}
	}
	return w.err
}

// ddCommunication is the free communication of a direct debit: its
// remittance text, preceded by its structured reference when it has one.
func ddCommunication(t *statement.Transaction) string {
	text := collapse(t.Remittance)
	ref := ""
	switch t.Reference.Scheme {
	case sepa.SchemeOGM:
		if o, err := sepa.ParseOGM(t.Reference.Value); err == nil {
			ref = o.String()
		}
	case sepa.SchemeRF:
		ref = t.Reference.Value
	}
	switch {
	case ref == "" || strings.Contains(text, ref):
		return text
	case text == "":
		return ref
	}
	return ref + " " + text
}
