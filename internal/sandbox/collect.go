package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
)

// outcome is what the simulated bank does with a collection.
type outcome struct {
	Reason string // "" when paid
	Text   string
	After  int // days after the collection date the return is booked
}

// bankOutcome applies the documented amount rule (see the package doc).
func bankOutcome(amount decimal.Decimal) outcome {
	cents := amount.Shift(2).Mod(decimal.NewFromInt(100)).IntPart()
	switch cents {
	case 1:
		return outcome{"AM04", "Insufficient funds", 2}
	case 2:
		return outcome{"MD06", "Refund request by end customer", 14}
	case 3:
		return outcome{"AC04", "Account closed", 2}
	}
	return outcome{}
}

const maxImport = 256 << 20 // 256 MiB of pain.008 per import

// importCollection is POST /creditor/collect/import?ct=.
func (s *Server) importCollection(w http.ResponseWriter, r *http.Request) {
	ctParam := r.URL.Query().Get("ct")
	if ctParam == "" {
		s.apiError(w, http.StatusBadRequest, "err_missing_params", "Missing parameter ct", "")
		return
	}
	ct, err := strconv.ParseInt(ctParam, 10, 64)
	if err != nil || !slices.Contains(s.opts.Profiles, ct) {
		s.apiError(w, http.StatusBadRequest, "err_no_such_ct", "No such profile", ctParam)
		return
	}
	rd := pain008.NewReader(io.LimitReader(r.Body, maxImport), "import.xml")
	var txs []*pain008.Transaction
	for {
		tx, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.apiError(w, http.StatusBadRequest, "invalid_file", "Invalid format", oneLine(err.Error()))
			return
		}
		txs = append(txs, tx)
	}
	if v := rd.Version(); v != "001.02" {
		s.apiError(w, http.StatusBadRequest, "invalid_file", "Invalid format", "only pain.008.001.02 is accepted, not pain.008."+v)
		return
	}
	for _, f := range rd.Findings() {
		if f.Severity == finding.Error {
			s.apiError(w, http.StatusBadRequest, "invalid_file", "Invalid format", oneLine(f.String()))
			return
		}
	}
	if len(txs) == 0 {
		s.apiError(w, http.StatusBadRequest, "invalid_file", "Invalid format", "no transactions")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for _, tx := range txs {
		k := tx.PmtInfID + "\x00" + tx.EndToEndID
		if s.st.Imported[k] || seen[k] {
			s.apiError(w, http.StatusBadRequest, "invalid_file", "File already uploaded",
				fmt.Sprintf("Collection with the same value of 'PmtInfId' (%s) and 'EndToEndId' (%s) was already uploaded", tx.PmtInfID, tx.EndToEndID))
			return
		}
		seen[k] = true
	}
	now := s.opts.Now().UTC()
	today := dateOf(now)
	// Group by PmtInf, keeping file order.
	var order []string
	groups := map[string][]*pain008.Transaction{}
	for _, tx := range txs {
		if _, ok := groups[tx.PmtInfID]; !ok {
			order = append(order, tx.PmtInfID)
		}
		groups[tx.PmtInfID] = append(groups[tx.PmtInfID], tx)
	}
	for _, pid := range order {
		g := groups[pid]
		first := g[0]
		col := &collection{ID: s.st.id(), PmtInfID: pid, CT: ct, Tx: len(g), Status: "Sent",
			ReqCollDate: first.CollectionDate, Generated: today, Progress: "sent"}
		credit := &movement{ID: s.st.id(), Account: first.Creditor.IBAN, AccountBIC: first.Creditor.BIC,
			Owner: first.Creditor.Name, CreditorID: first.Creditor.ID, CT: ct,
			BookingDate: first.CollectionDate, Domain: "PMNT", Family: "IDDT", SubFamily: "ESDD",
			BatchID: pid, Info: "SEPA direct debit collection " + pid}
		if first.LocalInstrument == pain008.InstrumentB2B {
			credit.SubFamily = "BBDD"
		}
		var returns []*movement
		for _, tx := range g {
			col.Amount = col.Amount.Add(tx.Amount)
			s.st.Imported[tx.PmtInfID+"\x00"+tx.EndToEndID] = true
			d := detail{Amount: tx.Amount, EndToEndID: tx.EndToEndID, MandateID: tx.MandateID,
				Name: tx.DebtorName, IBAN: tx.DebtorIBAN, BIC: tx.DebtorBIC, Remittance: tx.Remittance}
			if tx.CreditorReference != "" {
				d.RefScheme, d.Ref = refScheme(tx.CreditorReference)
			}
			credit.Details = append(credit.Details, d)
			credit.Amount = credit.Amount.Add(tx.Amount)

			out := bankOutcome(tx.Amount)
			t := &transaction{ID: s.st.id(), ContractID: contractID(tx.MandateID), MandateID: tx.MandateID,
				Amount: tx.Amount, Message: tx.Remittance, Ref: tx.EndToEndID, State: "PAID",
				BookedDate: tx.CollectionDate, ReqCollDate: tx.CollectionDate, Created: now, Collection: col.ID}
			if out.Reason != "" {
				t.State, t.BankError, t.BankMessage = "ERROR", out.Reason, out.Text
				t.BookedDate = tx.CollectionDate.AddDate(0, 0, out.After)
				rd := d
				rd.Amount = tx.Amount.Neg()
				rd.ReturnReason, rd.ReturnText = out.Reason, out.Text
				returns = append(returns, &movement{ID: s.st.id(), Account: credit.Account, AccountBIC: credit.AccountBIC,
					Owner: credit.Owner, CreditorID: credit.CreditorID, CT: ct,
					BookingDate: t.BookedDate, Amount: rd.Amount, Reversal: true,
					Domain: "PMNT", Family: "IDDT", SubFamily: "UPDD", BatchID: pid,
					Info: "SEPA direct debit return " + out.Reason, Details: []detail{rd}})
			}
			t.Seq = t.ID
			s.st.Transactions = append(s.st.Transactions, t)
		}
		s.st.Collections = append(s.st.Collections, col)
		s.st.Movements = append(s.st.Movements, credit)
		s.st.Movements = append(s.st.Movements, returns...)
	}
	s.saveLocked()
	s.logf("sandbox: imported %d transactions in %d collections on ct %d", len(txs), len(order), ct)
	w.WriteHeader(http.StatusNoContent)
}

// contractID derives a stable numeric contract id from a mandate id.
func contractID(mandate string) int64 {
	h := fnv.New32a()
	h.Write([]byte(mandate))
	return int64(h.Sum32() % 10000000)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// num renders a decimal as a JSON number, exactly.
func num(d decimal.Decimal) json.Number { return json.Number(d.String()) }

func dateStr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// queryCollections is GET /creditor/collect/query.
func (s *Server) queryCollections(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := strings.ToLower(q.Get("state"))
	switch state {
	case "", "sent", "archived", "cancelled":
	default:
		s.apiError(w, http.StatusBadRequest, "err_invalid_state", "Invalid state passed", q.Get("state"))
		return
	}
	var dates [4]time.Time
	for i, k := range []string{"generated", "reqcolldt", "from", "until"} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				s.apiError(w, http.StatusBadRequest, "err_missing_params", "Incorrect parameter value", k+"="+v)
				return
			}
			dates[i] = t
		}
	}
	var ct int64
	if v := q.Get("ct"); v != "" {
		var err error
		if ct, err = strconv.ParseInt(v, 10, 64); err != nil {
			s.apiError(w, http.StatusBadRequest, "err_missing_params", "Incorrect parameter value", "ct="+v)
			return
		}
	}
	page := 0
	if v := q.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 {
			s.apiError(w, http.StatusBadRequest, "err_missing_params", "Incorrect parameter value", "page="+v)
			return
		}
		page = p
	}
	type wire struct {
		ID        int64       `json:"id"`
		PmtInfID  string      `json:"pmtinfid"`
		CT        int64       `json:"ct"`
		Tx        int         `json:"tx"`
		Amount    json.Number `json:"amount"`
		Status    string      `json:"status"`
		ReqCollDt *string     `json:"reqcolldt"`
		Generated *string     `json:"generated"`
		Progress  string      `json:"progress"`
	}
	s.mu.Lock()
	var all []wire
	for _, c := range s.st.Collections {
		switch {
		case state != "" && strings.ToLower(c.Status) != state,
			!dates[0].IsZero() && !c.Generated.Equal(dates[0]),
			!dates[1].IsZero() && !c.ReqCollDate.Equal(dates[1]),
			!dates[2].IsZero() && c.Generated.Before(dates[2]),
			!dates[3].IsZero() && !c.Generated.Before(dates[3]),
			ct != 0 && c.CT != ct:
			continue
		}
		all = append(all, wire{c.ID, c.PmtInfID, c.CT, c.Tx, num(c.Amount), c.Status, dateStr(c.ReqCollDate), dateStr(c.Generated), c.Progress})
	}
	s.mu.Unlock()
	const size = 50
	lo, hi := min(page*size, len(all)), min((page+1)*size, len(all))
	q.Set("page", strconv.Itoa(page))
	out := struct {
		Links       map[string]string `json:"_links"`
		Collections []wire            `json:"collections"`
	}{map[string]string{"self": "/creditor/collect/query?" + q.Encode()}, all[lo:hi]}
	if out.Collections == nil {
		out.Collections = []wire{}
	}
	writeJSON(w, http.StatusOK, out)
}

var errBadUBL = errors.New("not a UBL invoice")
