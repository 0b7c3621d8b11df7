package payreqsandbox

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/batchtool/batchtool/pkg/tinka"
)

// HMACSkew is how far an X-Authorization timestamp may be from the
// server's clock.
const HMACSkew = 5 * time.Minute

// DecisionFor is the sandbox's decision rule on the requested amount in
// euro cents: above 500000 (EUR 5,000.00) Rejected; an amount whose cents
// are 99 Cancelled; anything else Accepted.
func DecisionFor(cents int64) tinka.Decision {
	switch {
	case cents > 500000:
		return tinka.Rejected
	case cents%100 == 99:
		return tinka.Cancelled
	}
	return tinka.Accepted
}

func tinkaError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"errorCode": code, "message": msg})
}

// tinkaAuth checks Basic authorization (401) and the HMAC (403) of a
// request whose body has been read; it runs under s.mu.
func (s *Server) tinkaAuth(w http.ResponseWriter, r *http.Request, body []byte) *merchant {
	user, pass, ok := r.BasicAuth()
	m, known := s.merchants[user]
	if !ok || !known || subtle.ConstantTimeCompare([]byte(pass), []byte(m.password)) != 1 {
		tinkaError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Basic credentials missing or wrong")
		return nil
	}
	now := s.now()
	a, err := tinka.VerifyAuthorization(r.Header.Get("X-Authorization"), m.secret, r.Method, r.URL.RequestURI(), body, now, HMACSkew)
	if err != nil {
		tinkaError(w, http.StatusForbidden, "FORBIDDEN", err.Error())
		return nil
	}
	if a.MerchantID != m.merchantID {
		tinkaError(w, http.StatusForbidden, "FORBIDDEN", "X-Authorization merchant is not the authenticated merchant")
		return nil
	}
	for n, t := range s.nonces {
		if now.Sub(t) > 2*HMACSkew {
			delete(s.nonces, n)
		}
	}
	key := m.merchantID + "\x00" + a.Nonce
	if _, seen := s.nonces[key]; seen {
		tinkaError(w, http.StatusForbidden, "FORBIDDEN", "X-Authorization nonce already used")
		return nil
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
	var req tinka.PaymentRequest
	if err := json.Unmarshal(body, &req); err != nil {
		tinkaError(w, http.StatusBadRequest, "BAD_REQUEST", "body is not a payment request: "+err.Error())
		return
	}
	if fs := tinka.Validate(&req); fs.HasErrors() {
		tinkaError(w, http.StatusBadRequest, "VALIDATION_ERROR", fs.Error())
		return
	}
	if req.Merchant.MerchantID != m.merchantID {
		tinkaError(w, http.StatusBadRequest, "VALIDATION_ERROR", "merchant.merchantId is not the merchant that signs")
		return
	}
	sync := r.URL.Query().Get("synchronous") == "true"
	if sync && req.PaymentMethod != tinka.Invoice {
		tinkaError(w, http.StatusBadRequest, "BAD_REQUEST", "synchronous=true is for paymentMethod Invoice only")
		return
	}
	txKey := m.merchantID + "\x00" + req.TransactionID
	tr, dup := s.tinkaReqs[s.byTx[txKey]]
	if !dup {
		tr = &tinkaRequest{merchantID: m.merchantID, req: req, id: uuid4(), decision: tinka.Pending}
		if req.PaymentMethod == tinka.Invoice {
			tr.decision, tr.decidedAt = DecisionFor(req.RequestedPaymentAmount), s.now()
		}
		s.tinkaReqs[tr.id] = tr
		s.byTx[txKey] = tr.id
		if s.saveFailed(w) {
			return
		}
	}
	resp := tinka.Response{PaymentRequestID: tr.id}
	switch {
	case tr.req.PaymentMethod == tinka.Credit:
		resp.RedirectURL = baseURL(r) + "/tinka/checkout/" + tr.id
	case sync:
		resp.Decision = tr.decision
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) tinkaStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tinkaAuth(w, r, nil)
	if m == nil {
		return
	}
	tr, ok := s.tinkaReqs[r.PathValue("id")]
	if !ok || tr.merchantID != m.merchantID {
		tinkaError(w, http.StatusNotFound, "NOT_FOUND", "no such payment request")
		return
	}
	writeJSON(w, http.StatusOK, tinka.Status{PaymentRequestID: tr.id, TransactionID: tr.req.TransactionID,
		MerchantRequestReference: tr.req.MerchantRequestReference, PaymentMethod: tr.req.PaymentMethod,
		RequestedPaymentAmount: tr.req.RequestedPaymentAmount, Decision: tr.decision})
}

// DecideTinka sets the decision of a payment request (what the customer or
// Tinka's acceptance would do).
func (s *Server) DecideTinka(paymentRequestID string, d tinka.Decision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tr, ok := s.tinkaReqs[paymentRequestID]
	if !ok {
		return fmt.Errorf("payreqsandbox: no Tinka payment request %q", paymentRequestID)
	}
	tr.decision, tr.decidedAt = d, s.now()
	return s.save()
}

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
	for _, m := range s.merchants {
		if m.merchantID == tr.merchantID {
			secret = m.secret
		}
	}
	target := tr.req.Routing.CallbackURL
	if tr.decision == tinka.Cancelled {
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
	cb := tinka.Callback{
		MerchantRequestReference: tr.req.MerchantRequestReference, RequestedPaymentAmount: tr.req.RequestedPaymentAmount,
		PaymentMethod: tr.req.PaymentMethod, Decision: tr.decision, DecisionDateTime: decided.UTC().Format("2006-01-02T15:04:05.000Z"),
		Nonce: randomToken(""), PaymentRequestID: tr.id, Timestamp: strconv.FormatInt(now.Unix(), 10), TransactionID: tr.req.TransactionID,
	}
	q := u.Query()
	for k, vs := range cb.Query(secret) {
		q[k] = vs
	}
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
	if !ok || tr.req.PaymentMethod != tinka.Credit {
		http.NotFound(w, r)
		return
	}
	if tr.decision == tinka.Pending {
		tr.decision, tr.decidedAt = DecisionFor(tr.req.RequestedPaymentAmount), s.now()
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
	d := tinka.Decision(r.PostFormValue("decision"))
	switch d {
	case tinka.Accepted, tinka.Rejected, tinka.Cancelled, tinka.Pending:
	default:
		http.Error(w, "decision must be Accepted, Rejected, Cancelled or Pending", http.StatusBadRequest)
		return
	}
	if err := s.DecideTinka(r.PathValue("id"), d); err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
