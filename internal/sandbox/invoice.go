package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
)

// ublFields are the few fields of a UBL invoice the platform maps. The
// sandbox reads them itself, as the platform does, rather than through
// pkg/ubl: it plays the other side of the wire.
type ublFields struct {
	Root         string // Invoice or CreditNote
	Number       string // cbc:ID
	IssueDate    string
	DueDate      string // cbc:DueDate or cac:PaymentMeans/cbc:PaymentDueDate
	Currency     string // cbc:DocumentCurrencyCode
	Payable      string // cac:LegalMonetaryTotal/cbc:PayableAmount
	PaymentID    string // cac:PaymentMeans/cbc:PaymentID
	InstrID      string // cac:PaymentMeans/cbc:InstructionID (remittance)
	PayeeAccount string // cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID
	PayerAccount string // cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID
	Customer     string // customer number by the platform's precedence
	CustomerName string
	SupplierName string
	custCands    [5]string
}

// readUBL streams the document and picks the mapped fields by path.
func readUBL(r io.Reader) (*ublFields, error) {
	d := xml.NewDecoder(r)
	var u ublFields
	var stack []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if t.Name.Local != "Invoice" && t.Name.Local != "CreditNote" {
					return nil, fmt.Errorf("root element %s: want Invoice or CreditNote", t.Name.Local)
				}
				u.Root = t.Name.Local
			}
			stack = append(stack, t.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			p := strings.Join(stack[1:], "/")
			v := strings.TrimSpace(text.String())
			text.Reset()
			stack = stack[:len(stack)-1]
			if v == "" {
				continue
			}
			set := func(dst *string) {
				if *dst == "" {
					*dst = v
				}
			}
			switch p {
			case "ID":
				set(&u.Number)
			case "IssueDate":
				set(&u.IssueDate)
			case "DueDate", "PaymentMeans/PaymentDueDate":
				set(&u.DueDate)
			case "DocumentCurrencyCode":
				set(&u.Currency)
			case "LegalMonetaryTotal/PayableAmount":
				set(&u.Payable)
			case "PaymentMeans/PaymentID":
				set(&u.PaymentID)
			case "PaymentMeans/InstructionID":
				set(&u.InstrID)
			case "PaymentMeans/PayeeFinancialAccount/ID":
				set(&u.PayeeAccount)
			case "PaymentMeans/PaymentMandate/PayerFinancialAccount/ID":
				set(&u.PayerAccount)
			case "AccountingCustomerParty/SupplierAssignedAccountID":
				set(&u.custCands[0])
			case "AccountingCustomerParty/AdditionalAccountID":
				set(&u.custCands[1])
			case "AccountingCustomerParty/Party/PartyIdentification/ID":
				set(&u.custCands[2])
			case "AccountingCustomerParty/Party/PartyIdentification/CompanyID", "AccountingCustomerParty/Party/PartyLegalEntity/CompanyID":
				set(&u.custCands[3])
			case "AccountingCustomerParty/CustomerAssignedAccountID":
				set(&u.custCands[4])
			case "AccountingCustomerParty/Party/PartyName/Name", "AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName":
				set(&u.CustomerName)
			case "AccountingSupplierParty/Party/PartyName/Name", "AccountingSupplierParty/Party/PartyLegalEntity/RegistrationName":
				set(&u.SupplierName)
			}
		}
	}
	if u.Root == "" {
		return nil, errBadUBL
	}
	for _, c := range u.custCands {
		if c != "" {
			u.Customer = c
			break
		}
	}
	return &u, nil
}

func refScheme(ref string) (string, string) {
	sc, v := sepa.DetectReference(ref)
	return string(sc), v
}

// invoicePayment applies the documented rule on the cents of the payable
// amount: .01 never paid, .02 half paid, else paid in full.
func invoicePayment(amount decimal.Decimal) decimal.Decimal {
	switch amount.Shift(2).Mod(decimal.NewFromInt(100)).IntPart() {
	case 1:
		return decimal.Zero
	case 2:
		return amount.Div(decimal.NewFromInt(2)).Truncate(2)
	}
	return amount
}

// idemTTL is how long an Idempotency-Key is remembered: "usable only once
// per request every 24hrs" (the reference).
const idemTTL = 24 * time.Hour

// uploadInvoice is POST /creditor/invoice/ubl. With an Idempotency-Key
// header (at most 64 characters) the first answer is kept for 24 hours and
// given again, same status, headers and body, to every request with that
// key, which runs nothing; a request arriving while the first is still
// running is answered 409 (the reference's guidelines).
func (s *Server) uploadInvoice(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		s.uploadInvoiceOnce(w, r)
		return
	}
	if len(key) > 64 {
		s.apiError(w, http.StatusBadRequest, "err_invalid_params", "Idempotency-Key is longer than 64 characters", "")
		return
	}
	now := s.opts.Now()
	s.mu.Lock()
	if s.st.Idempotency == nil {
		s.st.Idempotency = map[string]*storedAnswer{}
	}
	for k, a := range s.st.Idempotency {
		if now.Sub(a.At) >= idemTTL {
			delete(s.st.Idempotency, k)
		}
	}
	if a, ok := s.st.Idempotency[key]; ok {
		s.mu.Unlock()
		if a.Status == 0 { // the first request is still running
			s.apiError(w, http.StatusConflict, "err_duplicate_ref", "Idempotency-key already used", "")
			return
		}
		for k, v := range a.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.Status)
		w.Write(a.Body)
		return
	}
	s.st.Idempotency[key] = &storedAnswer{At: now} // running
	s.mu.Unlock()
	rec := &recorder{header: http.Header{}}
	s.uploadInvoiceOnce(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	s.mu.Lock()
	s.st.Idempotency[key] = &storedAnswer{At: now, Status: rec.status, Header: rec.header, Body: rec.body.Bytes()}
	s.saveLocked()
	s.mu.Unlock()
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}

// storedAnswer is the answer kept for an Idempotency-Key; Status 0 while
// the first request runs.
type storedAnswer struct {
	At     time.Time   `json:"at"`
	Status int         `json:"status"`
	Header http.Header `json:"header,omitempty"`
	Body   []byte      `json:"body,omitempty"`
}

// recorder keeps an answer to store it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// uploadInvoiceOnce uploads one invoice.
func (s *Server) uploadInvoiceOnce(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	u, err := readUBL(io.TeeReader(io.LimitReader(r.Body, 32<<20), h))
	if err != nil {
		s.apiError(w, http.StatusBadRequest, "invalid_file", "File is invalid or no file was provided", oneLine(err.Error()))
		return
	}
	digest := hex.EncodeToString(h.Sum(nil))
	var missing []string
	if u.Number == "" {
		missing = append(missing, "invoice number (cbc:ID)")
	}
	if u.Customer == "" {
		missing = append(missing, "customer reference (cac:AccountingCustomerParty)")
	}
	if u.Payable == "" {
		missing = append(missing, "payable amount (cac:LegalMonetaryTotal/cbc:PayableAmount)")
	}
	if len(missing) > 0 {
		s.apiError(w, http.StatusBadRequest, "invalid_file", "File is invalid or no file was provided", "missing "+strings.Join(missing, ", "))
		return
	}
	amount, err := decimal.NewFromString(u.Payable)
	if err != nil {
		s.apiError(w, http.StatusBadRequest, "invalid_file", "File is invalid or no file was provided", "payable amount "+u.Payable+": not a number")
		return
	}
	issue, _ := time.Parse(time.DateOnly, u.IssueDate)
	due, _ := time.Parse(time.DateOnly, u.DueDate)

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, inv := range s.st.Invoices {
		if inv.Number == u.Number {
			if inv.Digest == digest {
				// The same file again: answer as the first time.
				writeJSON(w, http.StatusOK, invoiceWire(inv))
				return
			}
			s.apiError(w, http.StatusBadRequest, "invalid_file", "Invoice number already used", u.Number)
			return
		}
	}
	id := r.Header.Get("X-INVOICE-ID")
	if id == "" {
		id = newToken()
	}
	inv := &invoice{ID: id, Number: u.Number, Customer: u.Customer, Name: u.CustomerName, Ref: u.PaymentID,
		Remit: u.InstrID, State: "BOOKED", Amount: amount, Currency: u.Currency, Date: issue, DueDate: due,
		CT: s.opts.Profiles[0], Manual: strings.EqualFold(r.Header.Get("X-MANUAL"), "true"), Digest: digest,
		CreditNte: u.Root == "CreditNote"}
	if inv.Currency == "" {
		inv.Currency = "EUR"
	}
	if !inv.CreditNte {
		if paid := invoicePayment(amount); paid.IsPositive() {
			inv.Paid = paid
			inv.State = "PAID"
			if paid.LessThan(amount) {
				inv.State = "PENDING"
			}
			on := due
			if on.IsZero() {
				on = issue
			}
			if on.IsZero() {
				on = dateOf(s.opts.Now().UTC())
			}
			acct := strings.ReplaceAll(u.PayeeAccount, " ", "")
			if acct == "" {
				acct = s.opts.Account
			}
			d := detail{Amount: paid, Name: u.CustomerName, IBAN: strings.ReplaceAll(u.PayerAccount, " ", "")}
			ref := u.PaymentID
			if ref == "" {
				ref = u.InstrID
			}
			if sc, v := refScheme(ref); sc == string(sepa.SchemeRF) || sc == string(sepa.SchemeOGM) {
				d.RefScheme, d.Ref = sc, v
			} else if ref != "" {
				d.Remittance = ref
			} else {
				d.Remittance = "Invoice " + u.Number
			}
			s.st.Movements = append(s.st.Movements, &movement{ID: s.st.id(), Account: acct, Owner: u.SupplierName,
				BookingDate: on, Amount: paid, Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT",
				Info: "SEPA credit transfer", Details: []detail{d}})
		}
	}
	s.st.Invoices = append(s.st.Invoices, inv)
	s.saveLocked()
	writeJSON(w, http.StatusOK, invoiceWire(inv))
}

func invoiceWire(inv *invoice) any {
	return struct {
		ID         string      `json:"id"`
		Number     string      `json:"number"`
		Title      string      `json:"title"`
		Remittance *string     `json:"remittance"`
		Ref        *string     `json:"ref"`
		State      string      `json:"state"`
		Amount     json.Number `json:"amount"`
		Date       *string     `json:"date"`
		DueDate    *string     `json:"duedate"`
		CT         int64       `json:"ct"`
		URL        string      `json:"url"`
	}{inv.ID, inv.Number, "Invoice " + inv.Number, strPtr(inv.Remit), strPtr(inv.Ref), inv.State, num(inv.Amount),
		dateStr(inv.Date), dateStr(inv.DueDate), inv.CT, "https://sandbox.invalid/invoice/" + inv.ID}
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Credit books an incoming credit transfer on the creditor account, as the
// bank does for a payout from another service (a paid Tikkie request,
// batchtool sandbox wires it): it is in the next reconciliation files.
func (s *Server) Credit(amount decimal.Decimal, name, iban, remittance string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Movements = append(s.st.Movements, &movement{ID: s.st.id(), Account: s.opts.Account,
		BookingDate: dateOf(s.opts.Now().UTC()), Amount: amount, Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT",
		Info: "SEPA credit transfer", Details: []detail{{Amount: amount, Name: name, IBAN: iban, Remittance: remittance}}})
	s.saveLocked()
}
