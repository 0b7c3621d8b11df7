package sandbox

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// stmtWriter is what the camt and CODA writers have in common.
type stmtWriter interface {
	BeginStatement(st *statement.Statement) error
	WriteEntry(e *statement.Entry) error
	EndStatement() error
	Close() error
}

// generateFiles is POST /creditor/files (sdd, paylink, format in the form):
// one file per creditor account holding every movement not yet in a file of
// that format.
func (s *Server) generateFiles(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.apiError(w, http.StatusBadRequest, "err_invalid_params", "Parameters are invalid", oneLine(err.Error()))
		return
	}
	sdd, err1 := strconv.ParseBool(r.Form.Get("sdd"))
	paylink, err2 := strconv.ParseBool(r.Form.Get("paylink"))
	format := strings.ToLower(r.Form.Get("format"))
	if format == "" {
		format = "camt"
	}
	if err1 != nil || err2 != nil || (format != "camt" && format != "coda") {
		s.apiError(w, http.StatusBadRequest, "err_invalid_params", "Parameters are invalid",
			fmt.Sprintf("sdd=%q paylink=%q format=%q", r.Form.Get("sdd"), r.Form.Get("paylink"), r.Form.Get("format")))
		return
	}
	_ = paylink // the sandbox has no payment links: they never produce files
	if !sdd {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := s.st.Movements[s.st.FileCursor[format]:]
	if len(pending) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// Group by account, keeping order of first appearance.
	var accounts []string
	byAcct := map[string][]*movement{}
	for _, m := range pending {
		if _, ok := byAcct[m.Account]; !ok {
			accounts = append(accounts, m.Account)
		}
		byAcct[m.Account] = append(byAcct[m.Account], m)
	}
	now := s.opts.Now().UTC().Truncate(time.Second)
	var made []*fileRec
	for _, acct := range accounts {
		f, err := s.writeStatementFile(format, acct, byAcct[acct], now)
		if err != nil {
			for _, m := range made {
				os.Remove(filepath.Join(s.dir, "files", m.Name))
			}
			s.logf("sandbox: generating %s file: %v", format, err)
			s.apiError(w, http.StatusInternalServerError, "err_contact_support", "File generation failed", oneLine(err.Error()))
			return
		}
		made = append(made, f)
	}
	s.st.Files = append(s.st.Files, made...)
	s.st.FileCursor[format] = len(s.st.Movements)
	s.saveLocked()
	w.Header().Set("X-FILES-CREATED", strconv.Itoa(len(made)))
	w.WriteHeader(http.StatusNoContent)
}

// writeStatementFile writes one statement of ms for account acct.
func (s *Server) writeStatementFile(format, acct string, ms []*movement, now time.Time) (*fileRec, error) {
	key := format + ":" + acct
	seq := s.st.StatementSeq[key] + 1
	first := ms[0]
	ci := first.CreditorID
	if ci == "" {
		ci = acct
	}
	ext := ".xml"
	if format == "coda" {
		ext = ".cod"
	}
	base := fmt.Sprintf("sdd_twikey_%s-%s-%d", ci, now.Format("060102150405"), seq)
	name := base + ext
	for i := 2; s.fileExists(name); i++ {
		name = fmt.Sprintf("%s_%d%s", base, i, ext)
	}
	opening := s.st.Balances[key]
	closing := opening
	from, to := ms[0].BookingDate, ms[0].BookingDate
	var credits, debits statement.Total
	for _, m := range ms {
		closing = closing.Add(m.Amount)
		if m.BookingDate.Before(from) {
			from = m.BookingDate
		}
		if m.BookingDate.After(to) {
			to = m.BookingDate
		}
		if m.Amount.IsNegative() {
			debits.Count++
			debits.Sum = debits.Sum.Add(m.Amount.Neg())
		} else {
			credits.Count++
			credits.Sum = credits.Sum.Add(m.Amount)
		}
	}
	msgID := fmt.Sprintf("TWKSBX%s%04d", now.Format("060102150405"), seq%10000)
	st := &statement.Statement{
		Kind: statement.KindStatement, MessageID: msgID,
		ID: fmt.Sprintf("%s-%d", acct, seq), ElectronicSequence: strconv.Itoa(seq), LegalSequence: strconv.Itoa(seq),
		CreatedAt: now, From: from, To: to,
		Account:       statement.Account{IBAN: acct, Currency: "EUR", Owner: first.Owner, BIC: first.AccountBIC},
		Opening:       &statement.Balance{Amount: opening, Currency: "EUR", Date: from, Type: "OPBD"},
		Closing:       &statement.Balance{Amount: closing, Currency: "EUR", Date: to, Type: "CLBD"},
		StatedCredits: &credits, StatedDebits: &debits,
	}
	err := writeFileAtomic(filepath.Join(s.dir, "files", name), func(f *os.File) error {
		sw, err := newStatementWriter(format, f, msgID, now)
		if err != nil {
			return err
		}
		if err := sw.BeginStatement(st); err != nil {
			return err
		}
		for i, m := range ms {
			if err := sw.WriteEntry(m.entry(st, i+1)); err != nil {
				return err
			}
		}
		if err := sw.EndStatement(); err != nil {
			return err
		}
		return sw.Close()
	})
	if err != nil {
		return nil, err
	}
	s.st.StatementSeq[key] = seq
	s.st.Balances[key] = closing
	return &fileRec{Name: name, Format: format, Created: now}, nil
}

func (s *Server) fileExists(name string) bool {
	_, err := os.Stat(filepath.Join(s.dir, "files", name))
	return err == nil
}

// entry turns a movement into the statement model the writers take.
func (m *movement) entry(st *statement.Statement, seq int) *statement.Entry {
	e := &statement.Entry{
		Statement: st, Seq: seq, Ref: strconv.FormatInt(m.ID, 10), Amount: m.Amount, Currency: "EUR",
		Reversal: m.Reversal, Status: "BOOK", BookingDate: m.BookingDate, ValueDate: m.BookingDate,
		BankTxCode:     statement.BankTxCode{Domain: m.Domain, Family: m.Family, SubFamily: m.SubFamily},
		AccountSvcrRef: fmt.Sprintf("TWKSBX%d", m.ID), BatchID: m.BatchID, Info: m.Info,
	}
	if len(m.Details) > 1 {
		e.BatchCount = len(m.Details)
	}
	for _, d := range m.Details {
		t := statement.Transaction{
			Amount: d.Amount, Currency: "EUR", EndToEndID: d.EndToEndID, MandateID: d.MandateID,
			PaymentInfoID: m.BatchID, CreditorID: m.CreditorID,
			Counterparty: statement.Party{Name: d.Name, IBAN: d.IBAN, BIC: d.BIC},
			Remittance:   d.Remittance, ReturnReason: d.ReturnReason, ReturnText: d.ReturnText,
		}
		if d.Ref != "" {
			t.Reference = statement.Reference{Scheme: sepa.ReferenceScheme(d.RefScheme), Value: d.Ref}
		}
		e.Details = append(e.Details, t)
	}
	return e
}

// listFiles is GET /creditor/files: the files generated since the previous
// listing, or since X-RESET.
func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	from := s.st.ListedFiles
	if v := r.Header.Get("X-RESET"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.mu.Unlock()
			s.apiError(w, http.StatusBadRequest, "err_invalid_params", "X-RESET is not an ISO date-time", v)
			return
		}
		from = len(s.st.Files)
		for i, f := range s.st.Files {
			if !f.Created.Before(t) {
				from = i
				break
			}
		}
	}
	type wire struct {
		Name    string `json:"name"`
		Created string `json:"created"`
	}
	out := []wire{}
	for _, f := range s.st.Files[min(from, len(s.st.Files)):] {
		out = append(out, wire{f.Name, f.Created.UTC().Format(time.RFC3339)})
	}
	if s.st.ListedFiles != len(s.st.Files) {
		s.st.ListedFiles = len(s.st.Files)
		s.saveLocked()
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"Files": out})
}

// downloadFile is GET /creditor/files/{name}, gzip-encoded when the client
// accepts it.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.mu.Lock()
	known := false
	for _, f := range s.st.Files {
		known = known || f.Name == name
	}
	s.mu.Unlock()
	if !known || strings.ContainsAny(name, `/\`) {
		s.apiError(w, http.StatusNotFound, "err_not_found", "No such file", name)
		return
	}
	f, err := os.Open(filepath.Join(s.dir, "files", name))
	if err != nil {
		s.apiError(w, http.StatusNotFound, "err_not_found", "No such file", name)
		return
	}
	defer f.Close()
	var body io.Reader = f
	size := int64(-1)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	dw, dropping := w.(*dropWriter)
	gz := strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	if gz && !dropping {
		// Stream the compression; the answer is chunked.
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/octet-stream")
		s.mu.Lock()
		s.stats["Content-Encoding gzip"]++
		s.mu.Unlock()
		zw := gzip.NewWriter(w)
		if _, err := io.Copy(zw, f); err == nil {
			zw.Close()
		}
		return
	}
	if gz {
		// A fault drops the connection halfway: compress first to know
		// the size it is half of.
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := io.Copy(zw, f); err != nil || zw.Close() != nil {
			s.apiError(w, http.StatusInternalServerError, "err_contact_support", "Reading file failed", "")
			return
		}
		body, size = &buf, int64(buf.Len())
		w.Header().Set("Content-Encoding", "gzip")
		s.mu.Lock()
		s.stats["Content-Encoding gzip"]++
		s.mu.Unlock()
	}
	if dropping {
		dw.setSize(size)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if size >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, body); err != nil && !errors.Is(err, http.ErrAbortHandler) {
		s.logf("sandbox: sending %s: %v", name, err)
	}
}
