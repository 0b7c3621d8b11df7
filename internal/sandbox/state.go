package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"
)

// state is everything the sandbox remembers, saved as dir/state.json.
type state struct {
	NextID       int64                `json:"next_id"`
	Sessions     map[string]time.Time `json:"sessions"`
	Collections  []*collection        `json:"collections"`
	Transactions []*transaction       `json:"transactions"` // the transaction feed, in seq order
	Invoices     []*invoice           `json:"invoices"`
	Movements    []*movement          `json:"movements"` // bank account movements, in booking order of arrival
	Files        []*fileRec           `json:"files"`
	// FileCursor is, per format, how many movements are already in files.
	FileCursor map[string]int `json:"file_cursor"`
	// ListedFiles is how many files GET /creditor/files has returned.
	ListedFiles int `json:"listed_files"`
	// FeedSeq is the last transaction sequence the feed has returned.
	FeedSeq int64 `json:"feed_seq"`
	// Reported is how many movements account reporting has returned.
	Reported int `json:"reported"`
	// Balances per account IBAN and format, for opening/closing balances.
	Balances map[string]decimal.Decimal `json:"balances"`
	// StatementSeq numbers statements per account and format.
	StatementSeq map[string]int `json:"statement_seq"`
	// Imported holds PmtInfId + "\x00" + EndToEndId of every imported
	// transaction, to reject duplicates.
	Imported map[string]bool `json:"imported"`
	// Idempotency holds the answers to invoice uploads by Idempotency-Key.
	Idempotency map[string]*storedAnswer `json:"idempotency,omitempty"`
}

type collection struct {
	ID          int64           `json:"id"`
	PmtInfID    string          `json:"pmtinfid"`
	CT          int64           `json:"ct"`
	Tx          int             `json:"tx"`
	Amount      decimal.Decimal `json:"amount"`
	Status      string          `json:"status"`
	ReqCollDate time.Time       `json:"reqcolldt"`
	Generated   time.Time       `json:"generated"`
	Progress    string          `json:"progress"`
}

type transaction struct {
	ID          int64           `json:"id"`
	Seq         int64           `json:"seq"`
	ContractID  int64           `json:"contract_id"`
	MandateID   string          `json:"mndt_id"`
	Amount      decimal.Decimal `json:"amount"`
	Message     string          `json:"msg"`
	Ref         string          `json:"ref"`
	State       string          `json:"state"`
	BankError   string          `json:"bkerror,omitempty"`
	BankMessage string          `json:"bkmsg,omitempty"`
	BookedDate  time.Time       `json:"bkdate"`
	ReqCollDate time.Time       `json:"reqcolldt"`
	Created     time.Time       `json:"date"`
	Collection  int64           `json:"collection"`
}

type invoice struct {
	ID        string          `json:"id"`
	Number    string          `json:"number"`
	Customer  string          `json:"customer"`
	Name      string          `json:"name"`
	Ref       string          `json:"ref"`
	Remit     string          `json:"remittance"`
	State     string          `json:"state"`
	Amount    decimal.Decimal `json:"amount"`
	Currency  string          `json:"currency"`
	Date      time.Time       `json:"date"`
	DueDate   time.Time       `json:"duedate"`
	CT        int64           `json:"ct"`
	Manual    bool            `json:"manual"`
	Digest    string          `json:"digest"` // sha256 of the UBL, to tell a repeat upload from a clash
	Paid      decimal.Decimal `json:"paid"`
	CreditNte bool            `json:"credit_note"`
}

// movement is one bank account entry: a collection batch credit, a return
// debit or a credit transfer.
type movement struct {
	ID          int64           `json:"id"`
	Account     string          `json:"account"` // creditor IBAN
	AccountBIC  string          `json:"account_bic,omitempty"`
	Owner       string          `json:"owner,omitempty"`
	CreditorID  string          `json:"creditor_id,omitempty"`
	CT          int64           `json:"ct,omitempty"`
	BookingDate time.Time       `json:"booking_date"`
	Amount      decimal.Decimal `json:"amount"` // signed
	Reversal    bool            `json:"reversal,omitempty"`
	Domain      string          `json:"domain"`
	Family      string          `json:"family"`
	SubFamily   string          `json:"sub_family"`
	BatchID     string          `json:"batch_id,omitempty"`
	Info        string          `json:"info,omitempty"`
	Details     []detail        `json:"details"`
}

type detail struct {
	Amount       decimal.Decimal `json:"amount"` // signed
	EndToEndID   string          `json:"e2e,omitempty"`
	MandateID    string          `json:"mandate_id,omitempty"`
	Name         string          `json:"name,omitempty"`
	IBAN         string          `json:"iban,omitempty"`
	BIC          string          `json:"bic,omitempty"`
	Remittance   string          `json:"remittance,omitempty"`
	RefScheme    string          `json:"ref_scheme,omitempty"`
	Ref          string          `json:"ref,omitempty"`
	ReturnReason string          `json:"return_reason,omitempty"`
	ReturnText   string          `json:"return_text,omitempty"`
}

type fileRec struct {
	Name    string    `json:"name"`
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
}

func newState() *state {
	return &state{
		NextID:       1000,
		Sessions:     map[string]time.Time{},
		FileCursor:   map[string]int{},
		Balances:     map[string]decimal.Decimal{},
		StatementSeq: map[string]int{},
		Imported:     map[string]bool{},
	}
}

func (st *state) id() int64 {
	st.NextID++
	return st.NextID
}

func loadState(dir string) (*state, error) {
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if errors.Is(err, os.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("sandbox: %s: %w", filepath.Join(dir, "state.json"), err)
	}
	for _, m := range []*map[string]bool{&st.Imported} {
		if *m == nil {
			*m = map[string]bool{}
		}
	}
	if st.Sessions == nil {
		st.Sessions = map[string]time.Time{}
	}
	if st.FileCursor == nil {
		st.FileCursor = map[string]int{}
	}
	if st.Balances == nil {
		st.Balances = map[string]decimal.Decimal{}
	}
	if st.StatementSeq == nil {
		st.StatementSeq = map[string]int{}
	}
	return st, nil
}

// saveLocked records a change of state: written at once when a write is due
// (saveDueLocked), else by the flush loop or Close. The caller holds s.mu.
func (s *Server) saveLocked() {
	s.dirty = true
	if s.stopFlush == nil || s.saveDueLocked() {
		s.writeStateLocked()
	}
}

// saveDueLocked reports whether the last write is older than saveEvery and
// than four times what it took: a state of many megabytes written while
// the disk is busy then takes at most a fifth of the server's time under
// its lock, where every request would otherwise wait for it.
func (s *Server) saveDueLocked() bool {
	since := time.Since(s.lastSave)
	return since >= saveEvery && since >= 4*s.saveCost
}

// writeStateLocked writes state.json atomically (temp file, then rename).
func (s *Server) writeStateLocked() {
	start := time.Now()
	defer func() { s.dirty, s.lastSave, s.saveCost = false, time.Now(), time.Since(start) }()
	if err := writeFileAtomic(filepath.Join(s.dir, "state.json"), func(f *os.File) error {
		enc := json.NewEncoder(f)
		enc.SetIndent("", " ")
		return enc.Encode(s.st)
	}); err != nil {
		s.logf("sandbox: saving state: %v", err)
	}
}

// writeFileAtomic writes path through a temp file in the same directory.
func writeFileAtomic(path string, fill func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
