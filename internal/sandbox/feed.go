package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// transactionFeed is GET /creditor/transaction: the transactions after the
// feed's position (or after X-RESUME-AFTER), at most FeedPageSize.
func (s *Server) transactionFeed(w http.ResponseWriter, r *http.Request) {
	inc := map[string]bool{}
	for _, v := range r.URL.Query()["include"] {
		switch v {
		case "collection", "lastupdate", "action", "action_payment", "link", "stage", "seq":
			inc[v] = true
		default:
			s.apiError(w, http.StatusBadRequest, "err_invalid_params", "Invalid include", v)
			return
		}
	}
	type wire struct {
		ID         int64       `json:"id"`
		Seq        int64       `json:"seq,omitempty"`
		ContractID int64       `json:"contractId"`
		MandateID  string      `json:"mndtId"`
		Contract   string      `json:"contract"`
		Amount     json.Number `json:"amount"`
		Msg        string      `json:"msg"`
		Place      *string     `json:"place"`
		Ref        string      `json:"ref"`
		Date       string      `json:"date"`
		Final      bool        `json:"final"`
		State      string      `json:"state"`
		BkError    string      `json:"bkerror,omitempty"`
		BkMsg      string      `json:"bkmsg,omitempty"`
		BkDate     *string     `json:"bkdate"`
		LastUpdate string      `json:"lastupdate,omitempty"`
		Collection int64       `json:"collection,omitempty"`
		ReqCollDt  *string     `json:"reqcolldt"`
		BkAmount   json.Number `json:"bkamount,omitempty"`
	}
	s.mu.Lock()
	after := s.st.FeedSeq
	if v := r.Header.Get("X-RESUME-AFTER"); v != "" {
		if !inc["seq"] {
			s.mu.Unlock()
			s.apiError(w, http.StatusBadRequest, "err_missing_params", "X-RESUME-AFTER requires include=seq", "")
			return
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.mu.Unlock()
			s.apiError(w, http.StatusBadRequest, "err_invalid_params", "Invalid X-RESUME-AFTER", v)
			return
		}
		after = n
	}
	out := []wire{}
	last := after
	for _, t := range s.st.Transactions {
		if t.Seq <= after {
			continue
		}
		if len(out) == s.opts.FeedPageSize {
			break
		}
		e := wire{ID: t.ID, ContractID: t.ContractID, MandateID: t.MandateID, Contract: s.opts.ContractNumber,
			Amount: num(t.Amount), Msg: t.Message, Ref: t.Ref, Date: t.Created.Format(time.RFC3339),
			Final: true, State: t.State, BkError: t.BankError, BkMsg: t.BankMessage,
			BkDate: dateStr(t.BookedDate), ReqCollDt: dateStr(t.ReqCollDate)}
		if inc["seq"] {
			e.Seq = t.Seq
		}
		if inc["collection"] {
			e.Collection = t.Collection
		}
		if inc["lastupdate"] {
			e.LastUpdate = t.Created.Format(time.RFC3339)
		}
		if t.State == "PAID" {
			e.BkAmount = num(t.Amount)
		} else {
			e.BkAmount = "0"
		}
		out = append(out, e)
		last = t.Seq
	}
	if last > s.st.FeedSeq {
		s.st.FeedSeq = last
		s.saveLocked()
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"Entries": out})
}

// reporting is GET /creditor/reporting: one item per movement detail
// reported since the previous call, amounts in cents.
func (s *Server) reporting(w http.ResponseWriter, r *http.Request) {
	type meta struct {
		RC  string `json:"rc,omitempty"`
		E2E string `json:"e2e,omitempty"`
	}
	type wire struct {
		ID     int64  `json:"id"`
		Type   string `json:"type"`
		Date   string `json:"date"`
		Amount int64  `json:"amount"`
		IBAN   string `json:"iban,omitempty"`
		BIC    string `json:"bic,omitempty"`
		Msg    string `json:"msg,omitempty"`
		MndtID string `json:"mndtId,omitempty"`
		Meta   *meta  `json:"meta,omitempty"`
		Party  string `json:"party,omitempty"`
	}
	s.mu.Lock()
	out := []wire{}
	for _, m := range s.st.Movements[s.st.Reported:] {
		for i, d := range m.Details {
			e := wire{ID: m.ID*1000 + int64(i), Type: reportingType(m),
				Date: m.BookingDate.Format(time.DateOnly), Amount: d.Amount.Shift(2).IntPart(),
				IBAN: d.IBAN, BIC: d.BIC, Msg: d.Remittance, MndtID: d.MandateID, Party: d.Name}
			if e.Msg == "" {
				e.Msg = d.Ref
			}
			if d.ReturnReason != "" || d.EndToEndID != "" {
				e.Meta = &meta{RC: d.ReturnReason, E2E: d.EndToEndID}
			}
			out = append(out, e)
		}
	}
	if s.st.Reported != len(s.st.Movements) {
		s.st.Reported = len(s.st.Movements)
		s.saveLocked()
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"Statements": out})
}

// reportingType is the bank transaction code account reporting gives a
// movement. A returned collection is PMNT/RDDT/PRDD, as the reference's
// sample shows it (a negative amount with meta.rc); everything else keeps
// the code of the statement files.
func reportingType(m *movement) string {
	if m.Reversal && m.Family == "IDDT" {
		return "PMNT/RDDT/PRDD"
	}
	return m.Domain + "/" + m.Family + "/" + m.SubFamily
}
