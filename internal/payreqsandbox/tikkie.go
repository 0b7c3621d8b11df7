package payreqsandbox

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/tikkie"
)

func tikkieError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"code": code, "message": msg, "traceId": uuid4(), "status": status,
		"reference": "https://developer.abnamro.com/api/tikkie/technical-details",
	}}})
}

// verifyAssertion checks the client assertion JWT: RS256, sub = API key,
// not expired, and the signature when a key is registered.
func verifyAssertion(jwt, apiKey string, pub *rsa.PublicKey, now time.Time) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("client_assertion is not a JWT")
	}
	enc := base64.RawURLEncoding.Strict()
	hb, err := enc.DecodeString(parts[0])
	if err != nil {
		return errors.New("JWT header is not base64url")
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hb, &h) != nil || h.Alg != "RS256" {
		return errors.New("JWT alg must be RS256")
	}
	cb, err := enc.DecodeString(parts[1])
	if err != nil {
		return errors.New("JWT claims are not base64url")
	}
	var c struct {
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
		Nbf int64  `json:"nbf"`
	}
	if json.Unmarshal(cb, &c) != nil {
		return errors.New("JWT claims are not JSON")
	}
	if c.Sub != apiKey {
		return errors.New("JWT sub is not the API key")
	}
	if now.Unix() >= c.Exp {
		return errors.New("JWT has expired")
	}
	if c.Nbf > now.Unix()+60 {
		return errors.New("JWT is not yet valid")
	}
	if pub != nil {
		sig, err := enc.DecodeString(parts[2])
		if err != nil {
			return errors.New("JWT signature is not base64url")
		}
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
			return errors.New("JWT signature does not verify")
		}
	}
	return nil
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	apiKey := r.Header.Get("API-Key")
	if err := r.ParseForm(); err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_FORM", "request body is not a form")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.apps[apiKey]
	if !ok {
		tikkieError(w, http.StatusUnauthorized, "ERR_SANDBOX_API_KEY", "unknown API-Key")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" ||
		f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_GRANT", "grant_type must be client_credentials with a jwt-bearer client assertion")
		return
	}
	if f.Get("scope") != tikkie.Scope {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_SCOPE", "scope must be tikkie")
		return
	}
	if err := verifyAssertion(f.Get("client_assertion"), apiKey, app.key, s.now()); err != nil {
		tikkieError(w, http.StatusUnauthorized, "ERR_SANDBOX_ASSERTION", err.Error())
		return
	}
	tok := randomToken("at_")
	s.tokens[tok] = tikkieToken{apiKey: apiKey, expires: s.now().Add(s.tokenTTL)}
	s.tokensIssued++
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": tok, "token_type": "Bearer", "scope": tikkie.Scope,
		"expires_in": strconv.FormatInt(int64(s.tokenTTL/time.Second), 10),
	})
}

// tikkieAuth checks API-Key and bearer token; the handler runs under s.mu.
func (s *Server) tikkieAuth(h func(w http.ResponseWriter, r *http.Request, apiKey string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		apiKey := r.Header.Get("API-Key")
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		t, known := s.tokens[tok]
		if !ok || !known || t.apiKey != apiKey || !s.now().Before(t.expires) {
			tikkieError(w, http.StatusUnauthorized, "ERR_SANDBOX_TOKEN", "the access token is missing, invalid or expired")
			return
		}
		h(w, r, apiKey)
	}
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	return nil
}

func (s *Server) createPlatform(w http.ResponseWriter, r *http.Request, apiKey string) {
	var in tikkie.NewPlatform
	if err := decodeBody(r, &in); err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_JSON", "body: "+err.Error())
		return
	}
	switch {
	case in.Name == "" || in.PhoneNumber == "":
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_FIELD", "name and phoneNumber are required")
		return
	case in.PlatformUsage != tikkie.UsageForMyself && in.PlatformUsage != tikkie.UsageForOthers:
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_FIELD", "platformUsage must be PAYMENT_REQUEST_FOR_MYSELF or PAYMENT_REQUEST_FOR_OTHERS")
		return
	}
	app := s.apps[apiKey]
	if app.platforms >= 2 {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_PLATFORM_LIMIT", "an account can have only two platforms")
		return
	}
	app.platforms++
	p := &platform{apiKey: apiKey, Platform: tikkie.Platform{PlatformToken: randomToken("pt_"), Name: in.Name,
		PhoneNumber: in.PhoneNumber, Email: in.Email, NotificationURL: in.NotificationURL, PlatformUsage: in.PlatformUsage, Status: "ACTIVE"}}
	s.platforms[p.PlatformToken] = p
	if s.saveFailed(w) {
		return
	}
	writeJSON(w, http.StatusCreated, p.Platform)
}

func (s *Server) platformOf(w http.ResponseWriter, r *http.Request, apiKey string) *platform {
	p, ok := s.platforms[r.PathValue("pt")]
	if !ok || p.apiKey != apiKey {
		tikkieError(w, http.StatusNotFound, "ERR_SANDBOX_NO_PLATFORM", "no such platform")
		return nil
	}
	return p
}

func (s *Server) userOf(w http.ResponseWriter, r *http.Request, apiKey string) *user {
	p := s.platformOf(w, r, apiKey)
	if p == nil {
		return nil
	}
	u, ok := s.users[r.PathValue("ut")]
	if !ok || u.platformToken != p.PlatformToken {
		tikkieError(w, http.StatusNotFound, "ERR_SANDBOX_NO_USER", "no such user on this platform")
		return nil
	}
	return u
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, apiKey string) {
	p := s.platformOf(w, r, apiKey)
	if p == nil {
		return
	}
	var in tikkie.NewUser
	if err := decodeBody(r, &in); err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_JSON", "body: "+err.Error())
		return
	}
	if in.Name == "" || in.PhoneNumber == "" || in.BankAccountLabel == "" {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_FIELD", "name, phoneNumber and bankAccountLabel are required")
		return
	}
	iban, err := sepa.ParseIBAN(in.IBAN)
	if err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_IBAN", "iban: "+err.Error())
		return
	}
	u := &user{platformToken: p.PlatformToken, User: tikkie.User{UserToken: randomToken("ut_"), Name: in.Name, Status: "ACTIVE",
		BankAccounts: []tikkie.BankAccount{{BankAccountToken: randomToken("bt_"), BankAccountLabel: in.BankAccountLabel, IBAN: string(iban)}}}}
	s.users[u.UserToken] = u
	if s.saveFailed(w) {
		return
	}
	writeJSON(w, http.StatusCreated, u.User)
}

func (s *Server) createPaymentRequest(w http.ResponseWriter, r *http.Request, apiKey string) {
	u := s.userOf(w, r, apiKey)
	if u == nil {
		return
	}
	bt := r.PathValue("bt")
	found := false
	for _, b := range u.BankAccounts {
		found = found || b.BankAccountToken == bt
	}
	if !found {
		tikkieError(w, http.StatusNotFound, "ERR_SANDBOX_NO_BANK_ACCOUNT", "no such bank account for this user")
		return
	}
	var in struct {
		AmountInCents *tikkie.Cents `json:"amountInCents"`
		Currency      string        `json:"currency"`
		Description   string        `json:"description"`
		ExternalID    string        `json:"externalId"`
	}
	if err := decodeBody(r, &in); err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_JSON", "body: "+err.Error())
		return
	}
	switch {
	case in.AmountInCents == nil || *in.AmountInCents <= 0:
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_AMOUNT", "amountInCents must be greater than 0")
		return
	case in.Currency != "EUR":
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_CURRENCY", "currency must be EUR")
		return
	case in.Description == "" || utf8.RuneCountInString(in.Description) > 35:
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_DESCRIPTION", "description must be 1 to 35 characters")
		return
	case utf8.RuneCountInString(in.ExternalID) > 35:
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_EXTERNAL_ID", "externalId must be at most 35 characters")
		return
	}
	s.seq++
	tok := randomToken("prt_")
	pr := &paymentRequest{userToken: u.UserToken, bankAccountToken: bt, seq: s.seq, PaymentRequest: tikkie.PaymentRequest{
		PaymentRequestToken: tok, PaymentRequestURL: baseURL(r) + "/tikkie/pay/" + tok,
		AmountInCents: *in.AmountInCents, Currency: in.Currency, Description: in.Description, ExternalID: in.ExternalID,
		Created: s.now().UTC(), Status: tikkie.StatusOpen, Payments: []tikkie.Payment{},
	}}
	s.prs[tok] = pr
	u.requests = append(u.requests, pr)
	if s.saveFailed(w) {
		return
	}
	writeJSON(w, http.StatusCreated, tikkie.Created{PaymentRequestToken: tok, PaymentRequestURL: pr.PaymentRequestURL, ExternalID: in.ExternalID})
}

func (s *Server) getPaymentRequest(w http.ResponseWriter, r *http.Request, apiKey string) {
	u := s.userOf(w, r, apiKey)
	if u == nil {
		return
	}
	pr, ok := s.prs[r.PathValue("prt")]
	if !ok || pr.userToken != u.UserToken {
		tikkieError(w, http.StatusNotFound, "ERR_SANDBOX_NO_PAYMENT_REQUEST", "no such payment request for this user")
		return
	}
	writeJSON(w, http.StatusOK, pr.PaymentRequest)
}

// listPaymentRequests pages a user's requests in creation order:
// offset >= 0, 1 <= limit <= 100 (default 10), fromDate inclusive and toDate
// exclusive (RFC 3339).
func (s *Server) listPaymentRequests(w http.ResponseWriter, r *http.Request, apiKey string) {
	u := s.userOf(w, r, apiKey)
	if u == nil {
		return
	}
	q := r.URL.Query()
	offset, limit := 0, 10
	var err error
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_PAGING", "offset must be an integer >= 0")
			return
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
			tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_PAGING", "limit must be an integer from 1 to 100")
			return
		}
	}
	var from, to time.Time
	for _, d := range []struct {
		name string
		t    *time.Time
	}{{"fromDate", &from}, {"toDate", &to}} {
		if v := q.Get(d.name); v != "" {
			if *d.t, err = time.Parse(time.RFC3339, v); err != nil {
				tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_DATE", d.name+" must be an RFC 3339 date time")
				return
			}
		}
	}
	var match []tikkie.PaymentRequest
	for _, pr := range u.requests {
		if !from.IsZero() && pr.Created.Before(from) {
			continue
		}
		if !to.IsZero() && !pr.Created.Before(to) {
			continue
		}
		match = append(match, pr.PaymentRequest)
	}
	page := []tikkie.PaymentRequest{}
	if offset < len(match) {
		page = match[offset:min(offset+limit, len(match))]
	}
	writeJSON(w, http.StatusOK, map[string]any{"paymentRequests": page, "totalElements": len(match)})
}

// MarkTikkiePaid records a PAID payment of the full amount by payerName and
// closes the request.
func (s *Server) MarkTikkiePaid(paymentRequestToken, payerName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.markPaid(paymentRequestToken, payerName)
}

func (s *Server) markPaid(tok, payer string) error {
	pr, ok := s.prs[tok]
	if !ok {
		return fmt.Errorf("payreqsandbox: no payment request %q", tok)
	}
	if pr.Status != tikkie.StatusOpen {
		return fmt.Errorf("payreqsandbox: payment request %q is %s", tok, pr.Status)
	}
	pm := tikkie.Payment{
		PaymentToken: randomToken("pay_"), TikkieID: strconv.FormatInt(pr.seq, 10), CounterPartyName: payer,
		CounterPartyAccountNumber: "NL02ABNA0123456789", AmountInCents: pr.AmountInCents, AmountCurrency: pr.Currency,
		Description: pr.Description, Created: s.now().UTC(), OnlinePaymentStatus: tikkie.PaymentPaid,
	}
	pr.Payments = append(pr.Payments, pm)
	pr.Status = tikkie.StatusClosed
	if s.onPaid != nil {
		s.onPaid(pr.PaymentRequest, pm)
	}
	return s.save()
}

// ExpireTikkie lets an open payment request expire unpaid, as Tikkie does
// when its link is not used in time.
func (s *Server) ExpireTikkie(paymentRequestToken string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr, ok := s.prs[paymentRequestToken]
	if !ok {
		return fmt.Errorf("payreqsandbox: no payment request %q", paymentRequestToken)
	}
	if pr.Status != tikkie.StatusOpen {
		return fmt.Errorf("payreqsandbox: payment request %q is %s", paymentRequestToken, pr.Status)
	}
	pr.Status, pr.Expired = tikkie.StatusExpired, true
	return s.save()
}

func (s *Server) payPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pr, ok := s.prs[r.PathValue("prt")]
	var amount, desc, status string
	if ok {
		amount, desc, status = pr.AmountInCents.Decimal().StringFixed(2), pr.Description, pr.Status
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>Tikkie sandbox</title><h1>EUR %s</h1><p>%s</p><p>Status: %s</p>`+
		`<form method="post"><input name="name" value="Sandbox payer"><button>Pay</button></form>`,
		html.EscapeString(amount), html.EscapeString(desc), html.EscapeString(status))
}

func (s *Server) payNow(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	if name == "" {
		name = "Sandbox payer"
	}
	if err := s.MarkTikkiePaid(r.PathValue("prt"), name); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
}

// saveFailed persists the state and answers 500 when that fails.
func (s *Server) saveFailed(w http.ResponseWriter) bool {
	if err := s.save(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return true
	}
	return false
}
