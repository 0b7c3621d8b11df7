package camt

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// WriterFormat is the message version the Writer produces.
const WriterFormat = "camt.053.001.02"

// WriterOptions are the group header values of the message.
type WriterOptions struct {
	MessageID string    // GrpHdr/MsgId (Max35Text); when empty, the first statement's MessageID
	CreatedAt time.Time // GrpHdr/CreDtTm; when zero, the time of the first BeginStatement
}

// Writer writes a camt.053.001.02 BkToCstmrStmt message, one statement and
// one entry at a time. Its output validates against camt.053.001.02.xsd and
// reads back equal through Reader, with one limit of the version: a
// transaction detail carries no credit/debit indicator of its own in
// 001.02, so it is written with (and read back with) its entry's sign.
type Writer struct {
	w       *bufio.Writer
	file    *os.File // set by Create: the temporary file
	path    string   // set by Create: the final name
	opts    WriterOptions
	started bool
	inStmt  bool
	nStmt   int
	st      *statement.Statement
	err     error
	closed  bool
}

// NewWriter returns a Writer to w. Nothing is written until the first
// BeginStatement; Close writes the end of the message and flushes.
func NewWriter(w io.Writer, opts WriterOptions) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 32<<10), opts: opts}
}

// Create returns a Writer to a temporary file in the directory of path.
// Close renames it to path once the message is complete; Abort, or a Close
// that fails, removes it, so no half-written statement file is ever left.
func Create(path string, opts WriterOptions) (*Writer, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("camt: %w", err)
	}
	w := NewWriter(f, opts)
	w.file, w.path = f, path
	return w, nil
}

// Abort discards a Writer made by Create: the temporary file is removed
// and path is left untouched. For other Writers it only stops writing.
func (w *Writer) Abort() {
	if w.err == nil {
		w.err = errors.New("camt: writer aborted")
	}
	w.closed = true
	w.discard()
}

func (w *Writer) discard() {
	if w.file != nil {
		w.file.Close()
		os.Remove(w.file.Name())
		w.file = nil
	}
}

// ErrNoStatement is returned by Close when no statement was written: a
// camt.053 message holds at least one Stmt.
var ErrNoStatement = errors.New("camt: no statement written (a camt.053 message holds at least one Stmt)")

func (w *Writer) fail(format string, args ...any) error {
	w.err = fmt.Errorf("camt: "+format, args...)
	return w.err
}

// BeginStatement writes the header of a statement: Stmt/Id, sequence
// numbers, creation time, period, account, the opening (OPBD or PRCD) and
// closing (CLBD) balances and, when stated, TxsSummry.
func (w *Writer) BeginStatement(st *statement.Statement) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return w.fail("BeginStatement after Close")
	}
	if w.inStmt {
		if err := w.EndStatement(); err != nil {
			return err
		}
	}
	if st == nil {
		return w.fail("BeginStatement with a nil statement")
	}
	if !w.started {
		if w.opts.MessageID == "" {
			w.opts.MessageID = st.MessageID
		}
		if w.opts.CreatedAt.IsZero() {
			w.opts.CreatedAt = time.Now().UTC().Truncate(time.Second)
		}
		if err := w.check(w.opts.MessageID, 1, 35, "GrpHdr/MsgId"); err != nil {
			return err
		}
		w.s(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		w.s(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` + "\n")
		w.s("<BkToCstmrStmt>\n<GrpHdr>")
		w.el("MsgId", w.opts.MessageID)
		w.el("CreDtTm", dateTime(w.opts.CreatedAt))
		w.s("</GrpHdr>\n")
		w.started = true
	}
	w.nStmt++
	p := fmt.Sprintf("Stmt[%d]", w.nStmt)
	if err := w.check(st.ID, 1, 35, p+"/Id"); err != nil {
		return err
	}
	w.s("<Stmt>")
	w.el("Id", st.ID)
	if n := st.ElectronicSequence; n != "" {
		if !isNumber(n) {
			return w.fail("%s/ElctrncSeqNb %q: not a number", p, n)
		}
		w.el("ElctrncSeqNb", n)
	}
	if n := st.LegalSequence; n != "" {
		if !isNumber(n) {
			return w.fail("%s/LglSeqNb %q: not a number", p, n)
		}
		w.el("LglSeqNb", n)
	}
	created := st.CreatedAt
	if created.IsZero() {
		created = w.opts.CreatedAt
	}
	w.el("CreDtTm", dateTime(created))
	if !st.From.IsZero() || !st.To.IsZero() {
		from, to := st.From, st.To
		if from.IsZero() {
			from = to
		}
		if to.IsZero() {
			to = from
		}
		w.s("<FrToDt>")
		w.el("FrDtTm", from.Format("2006-01-02")+"T00:00:00")
		w.el("ToDtTm", to.Format("2006-01-02")+"T23:59:59")
		w.s("</FrToDt>")
	}

	a := st.Account
	w.s("\n<Acct><Id>")
	switch {
	case a.IBAN != "":
		if err := sepa.ValidateIBAN(a.IBAN); err != nil {
			return w.fail("%s/Acct/Id/IBAN %q: %v", p, a.IBAN, err)
		}
		w.el("IBAN", a.IBAN)
	case a.Other != "":
		if err := w.check(a.Other, 1, 34, p+"/Acct/Id/Othr/Id"); err != nil {
			return err
		}
		w.s("<Othr>")
		w.el("Id", a.Other)
		w.s("</Othr>")
	default:
		return w.fail("%s/Acct/Id: the account has neither IBAN nor other identification", p)
	}
	w.s("</Id>")
	if a.Currency != "" {
		if !isCurrency(a.Currency) {
			return w.fail("%s/Acct/Ccy %q: not an ISO 4217 currency code", p, a.Currency)
		}
		w.el("Ccy", a.Currency)
	}
	if a.Name != "" {
		if err := w.check(a.Name, 1, 70, p+"/Acct/Nm"); err != nil {
			return err
		}
		w.el("Nm", a.Name)
	}
	if a.Owner != "" {
		if err := w.check(a.Owner, 1, 140, p+"/Acct/Ownr/Nm"); err != nil {
			return err
		}
		w.s("<Ownr>")
		w.el("Nm", a.Owner)
		w.s("</Ownr>")
	}
	if a.BIC != "" {
		if err := sepa.ValidateBIC(a.BIC); err != nil {
			return w.fail("%s/Acct/Svcr/FinInstnId/BIC %q: %v", p, a.BIC, err)
		}
		w.s("<Svcr><FinInstnId>")
		w.el("BIC", a.BIC)
		w.s("</FinInstnId></Svcr>")
	}
	w.s("</Acct>\n")

	if st.Opening == nil && st.Closing == nil {
		return w.fail("%s/Bal: a camt.053 statement needs at least one balance (Opening or Closing)", p)
	}
	if b := st.Opening; b != nil {
		code := b.Type
		if code != "PRCD" {
			code = "OPBD"
		}
		if err := w.balance(b, code, st.From, a.Currency, p); err != nil {
			return err
		}
	}
	if b := st.Closing; b != nil {
		if err := w.balance(b, "CLBD", st.To, a.Currency, p); err != nil {
			return err
		}
	}
	if st.StatedCredits != nil || st.StatedDebits != nil {
		w.s("<TxsSummry>")
		for _, t := range []struct {
			el  string
			tot *statement.Total
		}{{"TtlCdtNtries", st.StatedCredits}, {"TtlDbtNtries", st.StatedDebits}} {
			if t.tot == nil {
				continue
			}
			if t.tot.Count < 0 {
				return w.fail("%s/TxsSummry/%s/NbOfNtries: negative count %d", p, t.el, t.tot.Count)
			}
			w.s("<" + t.el + ">")
			w.el("NbOfNtries", strconv.Itoa(t.tot.Count))
			w.el("Sum", formatAmount(t.tot.Sum.Abs()))
			w.s("</" + t.el + ">")
		}
		w.s("</TxsSummry>\n")
	}
	w.inStmt, w.st = true, st
	return w.err
}

func (w *Writer) balance(b *statement.Balance, code string, fallback time.Time, acctCcy, p string) error {
	ccy := b.Currency
	if ccy == "" {
		ccy = acctCcy
	}
	date := b.Date
	if date.IsZero() {
		date = fallback
	}
	if date.IsZero() {
		return w.fail("%s/Bal %s: the balance has no date", p, code)
	}
	w.s("<Bal><Tp><CdOrPrtry>")
	w.el("Cd", code)
	w.s("</CdOrPrtry></Tp>")
	if err := w.amt("Amt", b.Amount, ccy, p+"/Bal/Amt"); err != nil {
		return err
	}
	w.el("CdtDbtInd", indicator(b.Amount))
	w.s("<Dt>")
	w.el("Dt", date.Format("2006-01-02"))
	w.s("</Dt></Bal>\n")
	return nil
}

// WriteEntry writes one Ntry of the current statement, with NtryDtls/Btch
// and one TxDtls per transaction detail.
func (w *Writer) WriteEntry(e *statement.Entry) error {
	if w.err != nil {
		return w.err
	}
	if !w.inStmt {
		return w.fail("WriteEntry outside a statement (call BeginStatement first)")
	}
	p := fmt.Sprintf("Stmt[%d]/Ntry", w.nStmt)
	if e.Seq > 0 {
		p = fmt.Sprintf("%s[%d]", p, e.Seq)
	}
	ccy := e.Currency
	if ccy == "" {
		ccy = w.st.Account.Currency
	}
	w.s("<Ntry>")
	if e.Ref != "" {
		if err := w.check(e.Ref, 1, 35, p+"/NtryRef"); err != nil {
			return err
		}
		w.el("NtryRef", e.Ref)
	}
	if err := w.amt("Amt", e.Amount, ccy, p+"/Amt"); err != nil {
		return err
	}
	w.el("CdtDbtInd", indicator(e.Amount))
	if e.Reversal {
		w.el("RvslInd", "true")
	}
	status := e.Status
	switch status {
	case "":
		status = "BOOK"
	case "BOOK", "PDNG", "INFO":
	default:
		return w.fail("%s/Sts %q: camt.053.001.02 knows BOOK, PDNG and INFO", p, status)
	}
	w.el("Sts", status)
	if !e.BookingDate.IsZero() {
		w.s("<BookgDt>")
		w.el("Dt", e.BookingDate.Format("2006-01-02"))
		w.s("</BookgDt>")
	}
	if !e.ValueDate.IsZero() {
		w.s("<ValDt>")
		w.el("Dt", e.ValueDate.Format("2006-01-02"))
		w.s("</ValDt>")
	}
	if e.AccountSvcrRef != "" {
		if err := w.check(e.AccountSvcrRef, 1, 35, p+"/AcctSvcrRef"); err != nil {
			return err
		}
		w.el("AcctSvcrRef", e.AccountSvcrRef)
	}
	if err := w.bkTxCd(e.BankTxCode, p); err != nil {
		return err
	}
	if e.BatchCount > 0 || e.BatchID != "" || len(e.Details) > 0 {
		w.s("<NtryDtls>")
		if e.BatchCount > 0 || e.BatchID != "" {
			w.s("<Btch>")
			if e.BatchID != "" {
				if err := w.check(e.BatchID, 1, 35, p+"/NtryDtls/Btch/PmtInfId"); err != nil {
					return err
				}
				w.el("PmtInfId", e.BatchID)
			}
			if e.BatchCount > 0 {
				w.el("NbOfTxs", strconv.Itoa(e.BatchCount))
			}
			w.s("</Btch>")
		}
		for i := range e.Details {
			if err := w.txDtls(e, &e.Details[i], ccy, fmt.Sprintf("%s/NtryDtls/TxDtls[%d]", p, i+1)); err != nil {
				return err
			}
		}
		w.s("</NtryDtls>")
	}
	if e.Info != "" {
		if err := w.check(e.Info, 1, 500, p+"/AddtlNtryInf"); err != nil {
			return err
		}
		w.el("AddtlNtryInf", e.Info)
	}
	w.s("</Ntry>\n")
	return w.err
}

// bkTxCd writes BkTxCd, which camt.053.001.02 requires on every entry (it
// may be empty). Domn is written only when domain, family and sub-family
// are all known, as the schema wants all three.
func (w *Writer) bkTxCd(b statement.BankTxCode, p string) error {
	w.s("<BkTxCd>")
	if b.Domain != "" && b.Family != "" && b.SubFamily != "" {
		for _, c := range []string{b.Domain, b.Family, b.SubFamily} {
			if err := w.check(c, 1, 4, p+"/BkTxCd/Domn"); err != nil {
				return err
			}
		}
		w.s("<Domn>")
		w.el("Cd", b.Domain)
		w.s("<Fmly>")
		w.el("Cd", b.Family)
		w.el("SubFmlyCd", b.SubFamily)
		w.s("</Fmly></Domn>")
	}
	if b.Proprietary != "" {
		if err := w.check(b.Proprietary, 1, 35, p+"/BkTxCd/Prtry/Cd"); err != nil {
			return err
		}
		w.s("<Prtry>")
		w.el("Cd", b.Proprietary)
		if b.ProprietaryIssuer != "" {
			if err := w.check(b.ProprietaryIssuer, 1, 35, p+"/BkTxCd/Prtry/Issr"); err != nil {
				return err
			}
			w.el("Issr", b.ProprietaryIssuer)
		}
		w.s("</Prtry>")
	}
	w.s("</BkTxCd>")
	return nil
}

// txDtls writes one TxDtls (EntryTransaction2).
func (w *Writer) txDtls(e *statement.Entry, t *statement.Transaction, entryCcy, p string) error {
	w.s("\n <TxDtls>")
	refs := []struct{ el, v string }{
		{"AcctSvcrRef", t.AccountSvcrRef}, {"PmtInfId", t.PaymentInfoID}, {"InstrId", t.InstructionID},
		{"EndToEndId", t.EndToEndID}, {"TxId", t.TransactionID}, {"MndtId", t.MandateID},
	}
	any := false
	for _, r := range refs {
		if r.v != "" {
			any = true
		}
	}
	if any {
		w.s("<Refs>")
		for _, r := range refs {
			if r.v == "" {
				continue
			}
			if err := w.check(r.v, 1, 35, p+"/Refs/"+r.el); err != nil {
				return err
			}
			w.el(r.el, r.v)
		}
		w.s("</Refs>")
	}
	ccy := t.Currency
	if ccy == "" {
		ccy = entryCcy
	}
	w.s("<AmtDtls>")
	if t.OrigCurrency != "" && !t.OrigAmount.IsZero() {
		w.s("<InstdAmt>")
		if err := w.amt("Amt", t.OrigAmount, t.OrigCurrency, p+"/AmtDtls/InstdAmt/Amt"); err != nil {
			return err
		}
		w.s("</InstdAmt>")
	}
	w.s("<TxAmt>")
	if err := w.amt("Amt", t.Amount, ccy, p+"/AmtDtls/TxAmt/Amt"); err != nil {
		return err
	}
	w.s("</TxAmt></AmtDtls>")
	if t.BankTxCode != (statement.BankTxCode{}) {
		if err := w.bkTxCd(t.BankTxCode, p); err != nil {
			return err
		}
	}
	if t.Charges.Sign() != 0 {
		w.s("<Chrgs>")
		if err := w.amt("Amt", t.Charges, ccy, p+"/Chrgs/Amt"); err != nil {
			return err
		}
		w.s("</Chrgs>")
	}

	// The counterparty is the debtor of a credit and the creditor of a
	// debit, turned round for a reversal (as Reader reads it back).
	credit := t.Amount.Sign() > 0 || (t.Amount.Sign() == 0 && e.Amount.Sign() >= 0)
	cpIsDebtor := credit != e.Reversal
	cp := t.Counterparty
	if cp != (statement.Party{}) || t.CreditorID != "" {
		w.s("<RltdPties>")
		if cpIsDebtor && cp != (statement.Party{}) {
			if err := w.party("Dbtr", "DbtrAcct", cp, "", p); err != nil {
				return err
			}
		}
		if !cpIsDebtor && cp != (statement.Party{}) {
			if err := w.party("Cdtr", "CdtrAcct", cp, t.CreditorID, p); err != nil {
				return err
			}
		} else if t.CreditorID != "" {
			if err := w.party("Cdtr", "CdtrAcct", statement.Party{}, t.CreditorID, p); err != nil {
				return err
			}
		}
		w.s("</RltdPties>")
		if cp.BIC != "" {
			if err := sepa.ValidateBIC(cp.BIC); err != nil {
				return w.fail("%s/RltdAgts BIC %q: %v", p, cp.BIC, err)
			}
			agt := "CdtrAgt"
			if cpIsDebtor {
				agt = "DbtrAgt"
			}
			w.s("<RltdAgts><" + agt + "><FinInstnId>")
			w.el("BIC", cp.BIC)
			w.s("</FinInstnId></" + agt + "></RltdAgts>")
		}
	}
	if t.Remittance != "" || t.Reference.Value != "" {
		w.s("<RmtInf>")
		for _, line := range splitText(t.Remittance, 140) {
			w.el("Ustrd", line)
		}
		if t.Reference.Value != "" {
			if err := w.check(t.Reference.Value, 1, 35, p+"/RmtInf/Strd/CdtrRefInf/Ref"); err != nil {
				return err
			}
			w.s("<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry>")
			switch t.Reference.Scheme {
			case sepa.SchemeRF:
				w.el("Issr", "ISO")
			case sepa.SchemeOGM:
				w.el("Issr", "BBA")
			}
			w.s("</Tp>")
			w.el("Ref", t.Reference.Value)
			w.s("</CdtrRefInf></Strd>")
		}
		w.s("</RmtInf>")
	}
	if t.ReturnReason != "" || t.ReturnText != "" {
		w.s("<RtrInf>")
		if r := t.ReturnReason; r != "" {
			w.s("<Rsn>")
			if utf8.RuneCountInString(r) <= 4 {
				w.el("Cd", r)
			} else {
				if err := w.check(r, 1, 35, p+"/RtrInf/Rsn/Prtry"); err != nil {
					return err
				}
				w.el("Prtry", r)
			}
			w.s("</Rsn>")
		}
		for _, line := range splitText(t.ReturnText, 105) {
			w.el("AddtlInf", line)
		}
		w.s("</RtrInf>")
	}
	w.s("</TxDtls>")
	return nil
}

// party writes Dbtr/Cdtr (PartyIdentification32) and its account.
func (w *Writer) party(el, acctEl string, cp statement.Party, creditorID, p string) error {
	if cp.Name != "" || creditorID != "" {
		w.s("<" + el + ">")
		if cp.Name != "" {
			if err := w.check(cp.Name, 1, 140, p+"/RltdPties/"+el+"/Nm"); err != nil {
				return err
			}
			w.el("Nm", cp.Name)
		}
		if creditorID != "" {
			if err := w.check(creditorID, 1, 35, p+"/RltdPties/"+el+"/Id"); err != nil {
				return err
			}
			w.s("<Id><PrvtId><Othr>")
			w.el("Id", creditorID)
			w.s("<SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id>")
		}
		w.s("</" + el + ">")
	}
	switch {
	case cp.IBAN != "":
		if err := sepa.ValidateIBAN(cp.IBAN); err != nil {
			return w.fail("%s/RltdPties/%s/Id/IBAN %q: %v", p, acctEl, cp.IBAN, err)
		}
		w.s("<" + acctEl + "><Id>")
		w.el("IBAN", cp.IBAN)
		w.s("</Id></" + acctEl + ">")
	case cp.Account != "":
		if err := w.check(cp.Account, 1, 34, p+"/RltdPties/"+acctEl+"/Id/Othr/Id"); err != nil {
			return err
		}
		w.s("<" + acctEl + "><Id><Othr>")
		w.el("Id", cp.Account)
		w.s("</Othr></Id></" + acctEl + ">")
	}
	return nil
}

// EndStatement writes the end of the current statement.
func (w *Writer) EndStatement() error {
	if w.err != nil {
		return w.err
	}
	if !w.inStmt {
		return w.fail("EndStatement outside a statement")
	}
	w.s("</Stmt>\n")
	w.inStmt, w.st = false, nil
	return w.err
}

// Close ends an open statement, writes the end of the message and flushes.
// It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if w.err == nil && w.inStmt {
		w.EndStatement()
	}
	w.closed = true
	if w.err == nil && w.nStmt == 0 {
		w.err = ErrNoStatement
	}
	if w.err != nil {
		w.discard()
		return w.err
	}
	w.s("</BkToCstmrStmt>\n</Document>\n")
	if w.err == nil {
		if err := w.w.Flush(); err != nil {
			w.err = err
		}
	}
	if w.file != nil {
		if w.err != nil {
			w.discard()
			return w.err
		}
		f := w.file
		w.file = nil
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(f.Name())
			w.err = fmt.Errorf("camt: %w", err)
			return w.err
		}
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			w.err = fmt.Errorf("camt: %w", err)
			return w.err
		}
		if err := os.Rename(f.Name(), w.path); err != nil {
			os.Remove(f.Name())
			w.err = fmt.Errorf("camt: %w", err)
		}
	}
	return w.err
}

// s writes raw markup.
func (w *Writer) s(s string) {
	if w.err != nil {
		return
	}
	if _, err := w.w.WriteString(s); err != nil {
		w.err = err
	}
}

// el writes <name>escaped text</name>.
func (w *Writer) el(name, text string) {
	w.s("<" + name + ">")
	w.escape(text)
	w.s("</" + name + ">")
}

// escape writes text with the five XML special characters escaped and
// characters XML 1.0 forbids dropped.
func (w *Writer) escape(s string) {
	if w.err != nil {
		return
	}
	last := 0
	for i, r := range s {
		var rep string
		switch {
		case r == '&':
			rep = "&amp;"
		case r == '<':
			rep = "&lt;"
		case r == '>':
			rep = "&gt;"
		case r == '"':
			rep = "&quot;"
		case r == '\'':
			rep = "&apos;"
		case r == '\t' || r == '\n' || r == '\r':
			continue
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError:
			rep = ""
		default:
			continue
		}
		w.w.WriteString(s[last:i])
		w.w.WriteString(rep)
		last = i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			last = i + 1
		}
	}
	w.w.WriteString(s[last:])
}

// amt writes an amount element with its currency; the amount is written
// without sign (the indicator carries it), with 2 decimals or more when it
// has more (at most 5, as the schema allows).
func (w *Writer) amt(name string, d decimal.Decimal, ccy, path string) error {
	if !isCurrency(ccy) {
		return w.fail("%s Ccy %q: not an ISO 4217 currency code", path, ccy)
	}
	d = d.Abs()
	if !d.Equal(d.Truncate(5)) {
		return w.fail("%s %s: more than 5 decimals", path, d.String())
	}
	s := formatAmount(d)
	if len(strings.Replace(s, ".", "", 1)) > 18 {
		return w.fail("%s %s: more than 18 digits", path, s)
	}
	w.s("<" + name + ` Ccy="` + ccy + `">` + s + "</" + name + ">")
	return nil
}

// check verifies the length of a text field.
func (w *Writer) check(s string, min, max int, path string) error {
	n := utf8.RuneCountInString(s)
	if n < min || n > max || strings.TrimSpace(s) == "" {
		return w.fail("%s %q: must be %d to %d characters", path, s, min, max)
	}
	return nil
}

// formatAmount writes 2 decimals, or all of them when there are more.
func formatAmount(d decimal.Decimal) string {
	if d.Equal(d.Truncate(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}

func indicator(d decimal.Decimal) string {
	if d.Sign() < 0 {
		return "DBIT"
	}
	return "CRDT"
}

func dateTime(t time.Time) string {
	return t.Format("2006-01-02T15:04:05.999999999Z07:00")
}

func isNumber(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// splitText cuts s into pieces of at most max characters at spaces, so
// that joining them with a space gives s back; a word longer than max is cut.
func splitText(s string, max int) []string {
	s = strings.TrimSpace(s)
	var out []string
	for s != "" {
		if utf8.RuneCountInString(s) <= max {
			out = append(out, s)
			break
		}
		cut := byteIndexOfRune(s, max)
		if sp := strings.LastIndexByte(s[:cut+1], ' '); sp > 0 {
			out = append(out, strings.TrimSpace(s[:sp]))
			s = strings.TrimSpace(s[sp+1:])
			continue
		}
		out = append(out, s[:cut])
		s = strings.TrimSpace(s[cut:])
	}
	return out
}

func byteIndexOfRune(s string, n int) int {
	i := 0
	for k := range s {
		if i == n {
			return k
		}
		i++
	}
	return len(s)
}
