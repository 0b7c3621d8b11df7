package payreqsandbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The Tinka side of the wire, from the reference and Tinka's developer
// portal (see the package comment), not from pkg/tinka.
const (
	tinkaCreatePath = "/merchant-api/v2/online/payment-requests"
	tinkaStatusPath = "/merchant-api/v2/status/"
	// tinkaSeparator joins merchant id, timestamp, nonce and content in the
	// signed message. The portal's text breaks off before naming it in the
	// stored copy: the colon is an assumption, shared with pkg/tinka.
	tinkaSeparator = ":"
)

// Decisions (the portal's decision table, plus Pending of the callbacks).
const (
	tnInProgress = "InProgress"
	tnAccepted   = "Accepted"
	tnRejected   = "Rejected"
	tnCancelled  = "Cancelled"
	tnPending    = "Pending"
)

// HMACSkew is how far an X-Authorization timestamp may be from the
// server's clock.
const HMACSkew = 5 * time.Minute

// DecisionFor is the sandbox's decision rule on the requested amount in
// euro cents: above 500000 (EUR 5,000.00) Rejected; an amount whose cents
// are 99 Cancelled; anything else Accepted.
func DecisionFor(cents int64) string {
	switch {
	case cents > 500000:
		return tnRejected
	case cents%100 == 99:
		return tnCancelled
	}
	return tnAccepted
}

// tnRequest is what the sandbox keeps of a payment request: the fields it
// answers with, and the body as received.
type tnRequest struct {
	TransactionID            string `json:"transactionId"`
	MerchantRequestReference string `json:"merchantRequestReference"`
	PaymentMethod            string `json:"paymentMethod"`
	RequestedPaymentAmount   int64  `json:"requestedPaymentAmount"`
	Merchant                 struct {
		MerchantID string `json:"merchantId"`
	} `json:"merchant"`
	Routing *struct {
		CallbackURL string `json:"callbackUrl"`
		CancelURL   string `json:"cancelUrl"`
	} `json:"routing"`
}

// tnStatus is the answer of the status call and the body of a callback
// POST (the portal's "Status Payment Request").
type tnStatus struct {
	PaymentRequestID         string `json:"paymentRequestId"`
	PaymentMethod            string `json:"paymentMethod"`
	RequestedPaymentAmount   int64  `json:"requestedPaymentAmount"`
	Decision                 string `json:"decision"`
	DecisionDateTime         string `json:"decisionDateTime"`
	TransactionID            string `json:"transactionId"`
	MerchantRequestReference string `json:"merchantRequestReference"`
}

func tinkaError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"errorCode": code, "message": msg})
}

// tinkaMAC is base64(HMAC-SHA256(secret, merchantId:timestamp:nonce:content)),
// the portal's message, computed here on its own.
func tinkaMAC(secret []byte, merchantID, ts, nonce string, content []byte) string {
	mac := hmac.New(sha256.New, secret)
	io.WriteString(mac, merchantID+tinkaSeparator+ts+tinkaSeparator+nonce+tinkaSeparator)
	mac.Write(content)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// tinkaSign is the header Tinka puts on what it sends (a synchronous
// answer, a callback POST): "hmac <hash>:<nonce>:<timestamp>".
func (s *Server) tinkaSign(m *merchant, content []byte) string {
	ts := strconv.FormatInt(s.now().Unix(), 10)
	nonce := randomToken("")
	return "hmac " + tinkaMAC(m.secret, m.merchantID, ts, nonce, content) + ":" + nonce + ":" + ts
}

// tinkaAuth checks Basic authorization (401) and the X-Authorization
// header "hmac <merchantId>:<hash>:<nonce>:<timestamp>" (403: wrong hash,
// timestamp out of date, nonce used before, or another merchant's id) of a
// request whose body has been read; it runs under s.mu.
func (s *Server) tinkaAuth(w http.ResponseWriter, r *http.Request, body []byte) *merchant {
	user, pass, ok := r.BasicAuth()
	m, known := s.merchants[user]
	if !ok || !known || subtle.ConstantTimeCompare([]byte(pass), []byte(m.password)) != 1 {
		tinkaError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Basic credentials missing or wrong")
		return nil
	}
	forbid := func(msg string) *merchant {
		tinkaError(w, http.StatusForbidden, "FORBIDDEN", "X-Authorization: "+msg)
		return nil
	}
	rest, ok := strings.CutPrefix(r.Header.Get("X-Authorization"), "hmac ")
	parts := strings.Split(rest, ":")
	if !ok || len(parts) != 4 || parts[2] == "" {
		return forbid("want hmac <merchantId>:<hash>:<nonce>:<timestamp>")
	}
	id, hash, nonce, ts := parts[0], parts[1], parts[2], parts[3]
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return forbid("timestamp is not Unix seconds")
	}
	now := s.now()
	if d := now.Sub(time.Unix(sec, 0)); d > HMACSkew || d < -HMACSkew {
		return forbid("timestamp out of date")
	}
	if id != m.merchantID {
		return forbid("merchant id is not the authenticated merchant")
	}
	if !hmac.Equal([]byte(hash), []byte(tinkaMAC(m.secret, id, ts, nonce, body))) {
		return forbid("hash does not match")
	}
	for n, t := range s.nonces {
		if now.Sub(t) > 2*HMACSkew {
			delete(s.nonces, n)
		}
	}
	key := m.merchantID + "\x00" + nonce
	if _, seen := s.nonces[key]; seen {
		return forbid("nonce already used")
	}
	s.nonces[key] = now
	return m
}

func (s *Server) tinkaCreate(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		tinkaError(w, http.StatusBadRequest, "BAD_REQUEST", "reading body: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tinkaAuth(w, r, body)
	if m == nil {
		return
	}
	problems, err := checkTinkaRequest(body)
	if err != nil {
		tinkaError(w, http.StatusBadRequest, "BAD_REQUEST", "body is not a payment request: "+err.Error())
		return
	}
	if len(problems) > 0 {
		tinkaError(w, http.StatusBadRequest, "VALIDATION_ERROR", strings.Join(problems, "; "))
		return
	}
	var req tnRequest
	if err := json.Unmarshal(body, &req); err != nil {
		tinkaError(w, http.StatusBadRequest, "BAD_REQUEST", "body is not a payment request: "+err.Error())
		return
	}
	if req.Merchant.MerchantID != m.merchantID {
		tinkaError(w, http.StatusBadRequest, "VALIDATION_ERROR", "merchant.merchantId is not the merchant that signs")
		return
	}
	sync := r.URL.Query().Get("synchronous") == "true"
	if sync && req.PaymentMethod != "Invoice" {
		tinkaError(w, http.StatusBadRequest, "BAD_REQUEST", "synchronous=true is for paymentMethod Invoice only")
		return
	}
	txKey := m.merchantID + "\x00" + req.TransactionID
	tr, dup := s.tinkaReqs[s.byTx[txKey]]
	if !dup {
		// "InProgress: payment request is received, processing has not been
		// completed" (the portal's decision table); Pending is "not
		// implemented yet" there.
		tr = &tinkaRequest{merchantID: m.merchantID, req: req, body: body, id: uuid4(), decision: tnInProgress, decidedAt: s.now()}
		if req.PaymentMethod == "Invoice" {
			s.decide(tr, DecisionFor(req.RequestedPaymentAmount))
		}
		s.tinkaReqs[tr.id] = tr
		s.byTx[txKey] = tr.id
		if s.saveFailed(w) {
			return
		}
	}
	resp := map[string]string{"paymentRequestId": tr.id}
	switch {
	case tr.req.PaymentMethod == "Credit":
		resp["redirectUrl"] = baseURL(r) + "/tinka/checkout/" + tr.id
	case sync:
		resp["decision"] = tr.decision
	}
	out, _ := json.Marshal(resp)
	if sync {
		w.Header().Set("X-Authorization", s.tinkaSign(m, out))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

func (tr *tinkaRequest) status() tnStatus {
	at := ""
	if !tr.decidedAt.IsZero() {
		at = tr.decidedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return tnStatus{PaymentRequestID: tr.id, PaymentMethod: tr.req.PaymentMethod, RequestedPaymentAmount: tr.req.RequestedPaymentAmount,
		Decision: tr.decision, DecisionDateTime: at, TransactionID: tr.req.TransactionID, MerchantRequestReference: tr.req.MerchantRequestReference}
}

// tinkaStatus is GET /merchant-api/v2/status/{paymentRequestId}.
func (s *Server) tinkaStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tinkaAuth(w, r, nil)
	if m == nil {
		return
	}
	tr, ok := s.tinkaReqs[r.PathValue("id")]
	if !ok || tr.merchantID != m.merchantID {
		tinkaError(w, http.StatusNotFound, "NOT_FOUND", "Payment request for given ID does not exist")
		return
	}
	writeJSON(w, http.StatusOK, tr.status())
}

// decide sets a decision and, when the merchant has a notification URL,
// sends Tinka's callback POST to it (in the background); under s.mu.
func (s *Server) decide(tr *tinkaRequest, d string) {
	tr.decision, tr.decidedAt = d, s.now()
	m := s.merchantByID(tr.merchantID)
	if m == nil || m.notifyURL == "" {
		return
	}
	body, _ := json.Marshal(tr.status())
	sig := s.tinkaSign(m, body)
	go func(target string) {
		req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Authorization", sig)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}(m.notifyURL)
}

func (s *Server) merchantByID(id string) *merchant {
	for _, m := range s.merchants {
		if m.merchantID == id {
			return m
		}
	}
	return nil
}

// SetTinkaNotificationURL sets where the sandbox POSTs a merchant's
// callbacks (the status as JSON, signed "hmac <hash>:<nonce>:<timestamp>"),
// as Tinka does to the endpoint a merchant registers with it.
func (s *Server) SetTinkaNotificationURL(merchantID, target string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.merchantByID(merchantID)
	if m == nil {
		return fmt.Errorf("payreqsandbox: no Tinka merchant %q", merchantID)
	}
	m.notifyURL = target
	return s.save()
}

// TinkaNotification returns the callback POST Tinka would send now for a
// payment request: its X-Authorization header and JSON body.
func (s *Server) TinkaNotification(paymentRequestID string) (header string, body []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tr, ok := s.tinkaReqs[paymentRequestID]
	if !ok {
		return "", nil, fmt.Errorf("payreqsandbox: no Tinka payment request %q", paymentRequestID)
	}
	body, _ = json.Marshal(tr.status())
	return s.tinkaSign(s.merchantByID(tr.merchantID), body), body, nil
}

// DecideTinka sets the decision of a payment request (what the customer or
// Tinka's acceptance would do): InProgress, Accepted, Rejected, Cancelled
// or Pending.
func (s *Server) DecideTinka(paymentRequestID, decision string) error {
	if !oneOf(decision, []string{tnInProgress, tnAccepted, tnRejected, tnCancelled, tnPending}) {
		return fmt.Errorf("payreqsandbox: decision %q: want InProgress, Accepted, Rejected, Cancelled or Pending", decision)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tr, ok := s.tinkaReqs[paymentRequestID]
	if !ok {
		return fmt.Errorf("payreqsandbox: no Tinka payment request %q", paymentRequestID)
	}
	s.decide(tr, decision)
	return s.save()
}

// tinkaCallbackParams are the query parameters appended to the routing
// URLs, in the reference's order; shaSign is the HMAC of these.
var tinkaCallbackParams = []string{"merchantRequestReference", "requestedPaymentAmount", "paymentMethod", "decision",
	"decisionDateTime", "nonce", "paymentRequestId", "timestamp", "transactionId"}

// TinkaCallbackURL returns the routing URL (callbackUrl, or cancelUrl when
// the decision is Cancelled) of a Credit request with the signed callback
// parameters appended, as the customer's browser would be sent to it.
func (s *Server) TinkaCallbackURL(paymentRequestID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callbackURL(paymentRequestID)
}

func (s *Server) callbackURL(id string) (string, error) {
	tr, ok := s.tinkaReqs[id]
	if !ok {
		return "", fmt.Errorf("payreqsandbox: no Tinka payment request %q", id)
	}
	if tr.req.Routing == nil {
		return "", fmt.Errorf("payreqsandbox: Tinka payment request %q has no routing", id)
	}
	var secret []byte
	if m := s.merchantByID(tr.merchantID); m != nil {
		secret = m.secret
	}
	target := tr.req.Routing.CallbackURL
	if tr.decision == tnCancelled {
		target = tr.req.Routing.CancelURL
	}
	u, err := url.Parse(target)
	if err != nil || target == "" {
		return "", fmt.Errorf("payreqsandbox: routing URL %q is not usable", target)
	}
	now := s.now().UTC()
	decided := tr.decidedAt
	if decided.IsZero() {
		decided = now
	}
	values := []string{tr.req.MerchantRequestReference, strconv.FormatInt(tr.req.RequestedPaymentAmount, 10), tr.req.PaymentMethod,
		tr.decision, decided.UTC().Format("2006-01-02T15:04:05.000Z"), randomToken(""), tr.id, strconv.FormatInt(now.Unix(), 10),
		tr.req.TransactionID}
	// shaSign: "the HMAC hash of the previous parameters"; its encoding is
	// not documented: upper-case hex of HMAC-SHA256 over name=value&...
	var msg strings.Builder
	q := u.Query()
	for i, name := range tinkaCallbackParams {
		if i > 0 {
			msg.WriteByte('&')
		}
		msg.WriteString(name + "=" + values[i])
		q.Set(name, values[i])
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(msg.String()))
	q.Set("shaSign", strings.ToUpper(hex.EncodeToString(mac.Sum(nil))))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// tinkaCheckout is the redirectUrl of a Credit request: it decides by
// DecisionFor (unless DecideTinka already did) and sends the browser to the
// merchant's routing URL.
func (s *Server) tinkaCheckout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	tr, ok := s.tinkaReqs[id]
	if !ok || tr.req.PaymentMethod != "Credit" {
		http.NotFound(w, r)
		return
	}
	if tr.decision == tnPending || tr.decision == tnInProgress {
		s.decide(tr, DecisionFor(tr.req.RequestedPaymentAmount))
		if s.saveFailed(w) {
			return
		}
	}
	target, err := s.callbackURL(id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// tinkaDecide is DecideTinka over HTTP for the demo:
// POST /_sandbox/tinka/{id}/decision with form value decision.
func (s *Server) tinkaDecide(w http.ResponseWriter, r *http.Request) {
	err := s.DecideTinka(r.PathValue("id"), r.PostFormValue("decision"))
	switch {
	case err != nil && strings.Contains(err.Error(), "want InProgress"):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case err != nil:
		http.Error(w, err.Error(), http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
