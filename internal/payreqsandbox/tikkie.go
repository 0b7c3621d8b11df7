package payreqsandbox

import (
	"crypto"
	"crypto/rsa"
	_ "crypto/sha256" // RS256
	_ "crypto/sha512" // RS384, RS512
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

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
)

// The Tikkie side of the wire, written from the public clients and their
// recorded answers (see the package comment), not from pkg/tikkie: the
// sandbox is a second reading of the contract.
const (
	tikkieTokenPath = "/v1/oauth/token"
	tikkieScope     = "tikkie"
	// tikkieAudience is the aud the sandbox environment's OAuth server
	// demands; the sandbox plays that environment.
	tikkieAudience = "https://auth-sandbox.abnamro.com/oauth/token"
	// tikkieReference is the reference URL of Tikkie's error answers.
	tikkieReference = "https://developer.abnamro.com/api/tikkie/technical-details"
)

// Payment request and payment statuses of the v1 API.
const (
	tkOpen    = "OPEN"
	tkClosed  = "CLOSED"
	tkExpired = "EXPIRED"
	tkPaid    = "PAID"
)

// tkPlatform is a platform as the API answers it.
type tkPlatform struct {
	PlatformToken   string  `json:"platformToken"`
	Name            string  `json:"name"`
	PhoneNumber     string  `json:"phoneNumber"`
	Email           *string `json:"email"`
	NotificationURL *string `json:"notificationUrl"`
	PlatformUsage   string  `json:"platformUsage"`
	Status          string  `json:"status"`
}

type tkBankAccount struct {
	BankAccountToken string `json:"bankAccountToken"`
	IBAN             string `json:"iban"`
	BankAccountLabel string `json:"bankAccountLabel"`
}

// tkUser is a user as the API answers it.
type tkUser struct {
	UserToken    string          `json:"userToken"`
	Name         string          `json:"name"`
	Status       string          `json:"status"`
	BankAccounts []tkBankAccount `json:"bankAccounts"`
}

// tkCents is amountInCents: a JSON string of digits on the wire (the
// recorded answers), a number or a string in requests.
type tkCents int64

func (c tkCents) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(c), 10) + `"`), nil
}

func (c *tkCents) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("amountInCents %s is not an integer", b)
	}
	*c = tkCents(n)
	return nil
}

// tkTime is a timestamp as the API writes it: 2016-06-09T18:00:00.000Z.
type tkTime time.Time

func (t tkTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

func (t *tkTime) UnmarshalJSON(b []byte) error {
	v, err := time.Parse(`"`+time.RFC3339Nano+`"`, string(b))
	*t = tkTime(v)
	return err
}

// tkPayment is one payment on a request, with the fields of the recorded
// answers.
type tkPayment struct {
	PaymentToken        string  `json:"paymentToken"`
	CounterPartyName    string  `json:"counterPartyName"`
	AmountInCents       tkCents `json:"amountInCents"`
	AmountCurrency      string  `json:"amountCurrency"`
	Description         string  `json:"description"`
	Created             tkTime  `json:"created"`
	OnlinePaymentStatus string  `json:"onlinePaymentStatus"` // NEW, PENDING, PAID, NOT_PAID
}

// tkPaymentRequest is a payment request as the API answers it: expired is
// the time it expired, null while it is live.
type tkPaymentRequest struct {
	PaymentRequestToken       string      `json:"paymentRequestToken"`
	AmountInCents             tkCents     `json:"amountInCents"`
	Currency                  string      `json:"currency"`
	Description               string      `json:"description"`
	Created                   tkTime      `json:"created"`
	Expired                   *tkTime     `json:"expired"`
	Status                    string      `json:"status"`
	BankAccountYieldedTooFast bool        `json:"bankAccountYieldedTooFast"`
	ExternalID                *string     `json:"externalId"`
	Payments                  []tkPayment `json:"payments"`
}

// TikkiePayout is a payment made on a sandbox Tikkie request, as the bank
// pays it out to the user's account: what [Server.OnTikkiePaid] is told.
type TikkiePayout struct {
	TikkieID    string // the request's number, quoted on the payout
	Description string
	Amount      decimal.Decimal // euro
	Payer       string
	PayerIBAN   string
}

func tikkieError(w http.ResponseWriter, status int, code, category, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"code": code, "category": category, "message": msg, "traceId": uuid4(), "status": status,
		"reference": tikkieReference,
	}}})
}

// Categories of Tikkie's error answers (the recorded answers show
// INVALID_API_KEY, BAD_REQUEST and NOT_FOUND).
const (
	catAPIKey       = "INVALID_API_KEY"
	catBadRequest   = "BAD_REQUEST"
	catNotFound     = "NOT_FOUND"
	catUnauthorized = "UNAUTHORIZED"
)

// jwtHashes are the RSA signature algorithms the public clients may
// choose (RS256 by default).
var jwtHashes = map[string]crypto.Hash{"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512}

// verifyAssertion checks the client assertion the way the OAuth server
// does: a compact JWS with an RS256/384/512 signature by the app's key,
// typ JWT when given, and the claims iss (present), sub (the API key), aud
// (the environment's OAuth server), nbf (not after now) and exp (after
// now).
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
		Typ string `json:"typ"`
	}
	if json.Unmarshal(hb, &h) != nil {
		return errors.New("JWT header is not JSON")
	}
	hash, ok := jwtHashes[h.Alg]
	if !ok {
		return fmt.Errorf("JWT alg %q: want RS256, RS384 or RS512", h.Alg)
	}
	if h.Typ != "" && h.Typ != "JWT" {
		return fmt.Errorf("JWT typ %q: want JWT", h.Typ)
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return errors.New("JWT signature is not base64url")
	}
	hh := hash.New()
	hh.Write([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(pub, hash, hh.Sum(nil), sig) != nil {
		return errors.New("JWT signature does not verify with the key registered for this API key")
	}
	cb, err := enc.DecodeString(parts[1])
	if err != nil {
		return errors.New("JWT claims are not base64url")
	}
	var c struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp *json.Number    `json:"exp"`
		Nbf *json.Number    `json:"nbf"`
	}
	dec := json.NewDecoder(strings.NewReader(string(cb)))
	dec.UseNumber()
	if dec.Decode(&c) != nil {
		return errors.New("JWT claims are not JSON")
	}
	if c.Iss == "" {
		return errors.New("JWT has no iss")
	}
	if c.Sub != apiKey {
		return errors.New("JWT sub is not the API key")
	}
	if !audienceIs(c.Aud, tikkieAudience) {
		return fmt.Errorf("JWT aud is not %s", tikkieAudience)
	}
	exp, nbf, err := seconds(c.Exp), seconds(c.Nbf), error(nil)
	switch {
	case exp == nil:
		err = errors.New("JWT has no numeric exp")
	case nbf == nil:
		err = errors.New("JWT has no numeric nbf")
	case now.Unix() >= *exp:
		err = errors.New("JWT has expired")
	case *nbf > now.Unix():
		err = errors.New("JWT is not yet valid (nbf)")
	}
	return err
}

// audienceIs reports whether aud (a string or an array of strings) names want.
func audienceIs(aud json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(aud, &many) == nil {
		for _, a := range many {
			if a == want {
				return true
			}
		}
	}
	return false
}

// seconds reads a NumericDate (seconds, possibly with a fraction).
func seconds(n *json.Number) *int64 {
	if n == nil {
		return nil
	}
	if v, err := n.Int64(); err == nil {
		return &v
	}
	if f, err := n.Float64(); err == nil {
		v := int64(f)
		return &v
	}
	return nil
}

// sandboxPayerIBAN is the account every sandbox payer pays from.
const sandboxPayerIBAN = "NL02ABNA0123456789"

// optional is nil for "", as the API writes absent values (null).
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	apiKey := r.Header.Get("API-Key")
	if err := r.ParseForm(); err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_FORM", catBadRequest, "request body is not a form")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.apps[apiKey]
	if !ok {
		tikkieError(w, http.StatusUnauthorized, "ERR_2005_001", catAPIKey, "The API Key is invalid")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" ||
		f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_GRANT", catBadRequest, "grant_type must be client_credentials with a jwt-bearer client assertion")
		return
	}
	if f.Get("scope") != tikkieScope {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_SCOPE", catBadRequest, "scope must be tikkie")
		return
	}
	if app.key == nil {
		tikkieError(w, http.StatusUnauthorized, "ERR_SANDBOX_ASSERTION", catUnauthorized, "no public key is registered for this API key")
		return
	}
	if err := verifyAssertion(f.Get("client_assertion"), apiKey, app.key, s.now()); err != nil {
		tikkieError(w, http.StatusUnauthorized, "ERR_SANDBOX_ASSERTION", catUnauthorized, err.Error())
		return
	}
	tok := randomToken("at_")
	s.tokens[tok] = tikkieToken{apiKey: apiKey, expires: s.now().Add(s.tokenTTL)}
	s.tokensIssued++
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": tok, "token_type": "Bearer", "scope": tikkieScope,
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
			tikkieError(w, http.StatusUnauthorized, "ERR_SANDBOX_TOKEN", catUnauthorized, "the access token is missing, invalid or expired")
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
	var in struct {
		Name            string `json:"name"`
		PhoneNumber     string `json:"phoneNumber"`
		Email           string `json:"email"`
		NotificationURL string `json:"notificationUrl"`
		PlatformUsage   string `json:"platformUsage"`
	}
	if err := decodeBody(r, &in); err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_JSON", catBadRequest, "body: "+err.Error())
		return
	}
	switch {
	case in.Name == "" || in.PhoneNumber == "":
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_FIELD", catBadRequest, "name and phoneNumber are required")
		return
	case in.PlatformUsage != "PAYMENT_REQUEST_FOR_MYSELF" && in.PlatformUsage != "PAYMENT_REQUEST_FOR_OTHERS":
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_FIELD", catBadRequest, "platformUsage must be PAYMENT_REQUEST_FOR_MYSELF or PAYMENT_REQUEST_FOR_OTHERS")
		return
	}
	app := s.apps[apiKey]
	if app.platforms >= 2 {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_PLATFORM_LIMIT", catBadRequest, "an account can have only two platforms")
		return
	}
	app.platforms++
	p := &platform{apiKey: apiKey, tkPlatform: tkPlatform{PlatformToken: randomToken("pt_"), Name: in.Name,
		PhoneNumber: in.PhoneNumber, Email: optional(in.Email), NotificationURL: optional(in.NotificationURL), PlatformUsage: in.PlatformUsage, Status: "ACTIVE"}}
	s.platforms[p.PlatformToken] = p
	if s.saveFailed(w) {
		return
	}
	writeJSON(w, http.StatusCreated, p.tkPlatform)
}

func (s *Server) platformOf(w http.ResponseWriter, r *http.Request, apiKey string) *platform {
	p, ok := s.platforms[r.PathValue("pt")]
	if !ok || p.apiKey != apiKey {
		tikkieError(w, http.StatusNotFound, "ERR_4100_002", catNotFound, "Platform not found")
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
		tikkieError(w, http.StatusNotFound, "ERR_SANDBOX_NO_USER", catNotFound, "no such user on this platform")
		return nil
	}
	return u
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, apiKey string) {
	p := s.platformOf(w, r, apiKey)
	if p == nil {
		return
	}
	var in struct {
		Name             string `json:"name"`
		PhoneNumber      string `json:"phoneNumber"`
		IBAN             string `json:"iban"`
		BankAccountLabel string `json:"bankAccountLabel"`
	}
	if err := decodeBody(r, &in); err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_JSON", catBadRequest, "body: "+err.Error())
		return
	}
	if in.Name == "" || in.PhoneNumber == "" || in.BankAccountLabel == "" {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_FIELD", catBadRequest, "name, phoneNumber and bankAccountLabel are required")
		return
	}
	iban, err := sepa.ParseIBAN(in.IBAN)
	if err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_IBAN", catBadRequest, "iban: "+err.Error())
		return
	}
	u := &user{platformToken: p.PlatformToken, tkUser: tkUser{UserToken: randomToken("ut_"), Name: in.Name, Status: "ACTIVE",
		BankAccounts: []tkBankAccount{{BankAccountToken: randomToken("bt_"), BankAccountLabel: in.BankAccountLabel, IBAN: string(iban)}}}}
	s.users[u.UserToken] = u
	if s.saveFailed(w) {
		return
	}
	writeJSON(w, http.StatusCreated, u.tkUser)
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
		tikkieError(w, http.StatusNotFound, "ERR_SANDBOX_NO_BANK_ACCOUNT", catNotFound, "no such bank account for this user")
		return
	}
	var in struct {
		AmountInCents *tkCents `json:"amountInCents"`
		Currency      string   `json:"currency"`
		Description   string   `json:"description"`
		ExternalID    string   `json:"externalId"`
	}
	if err := decodeBody(r, &in); err != nil {
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_JSON", catBadRequest, "body: "+err.Error())
		return
	}
	switch {
	case in.AmountInCents == nil || *in.AmountInCents <= 0:
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_AMOUNT", catBadRequest, "amountInCents must be greater than 0")
		return
	case in.Currency != "EUR":
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_CURRENCY", catBadRequest, "currency must be EUR")
		return
	case in.Description == "" || utf8.RuneCountInString(in.Description) > 35:
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_DESCRIPTION", catBadRequest, "description must be 1 to 35 characters")
		return
	case utf8.RuneCountInString(in.ExternalID) > 35:
		tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_EXTERNAL_ID", catBadRequest, "externalId must be at most 35 characters")
		return
	}
	s.seq++
	tok := randomToken("prt_")
	pr := &paymentRequest{userToken: u.UserToken, bankAccountToken: bt, seq: s.seq, url: baseURL(r) + "/tikkie/pay/" + tok,
		tkPaymentRequest: tkPaymentRequest{
			PaymentRequestToken: tok, AmountInCents: *in.AmountInCents, Currency: in.Currency, Description: in.Description,
			ExternalID: optional(in.ExternalID), Created: tkTime(s.now().UTC()), Status: tkOpen, Payments: []tkPayment{},
		}}
	s.prs[tok] = pr
	u.requests = append(u.requests, pr)
	if s.saveFailed(w) {
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		PaymentRequestURL   string  `json:"paymentRequestUrl"`
		PaymentRequestToken string  `json:"paymentRequestToken"`
		ExternalID          *string `json:"externalId"`
	}{pr.url, tok, pr.ExternalID})
}

func (s *Server) getPaymentRequest(w http.ResponseWriter, r *http.Request, apiKey string) {
	u := s.userOf(w, r, apiKey)
	if u == nil {
		return
	}
	pr, ok := s.prs[r.PathValue("prt")]
	if !ok || pr.userToken != u.UserToken {
		tikkieError(w, http.StatusNotFound, "ERR_SANDBOX_NO_PAYMENT_REQUEST", catNotFound, "no such payment request for this user")
		return
	}
	writeJSON(w, http.StatusOK, pr.tkPaymentRequest)
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
			tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_PAGING", catBadRequest, "offset must be an integer >= 0")
			return
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
			tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_PAGING", catBadRequest, "limit must be an integer from 1 to 100")
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
				tikkieError(w, http.StatusBadRequest, "ERR_SANDBOX_DATE", catBadRequest, d.name+" must be an RFC 3339 date time")
				return
			}
		}
	}
	var match []tkPaymentRequest
	for _, pr := range u.requests {
		created := time.Time(pr.Created)
		if !from.IsZero() && created.Before(from) {
			continue
		}
		if !to.IsZero() && !created.Before(to) {
			continue
		}
		match = append(match, pr.tkPaymentRequest)
	}
	page := []tkPaymentRequest{}
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
	if pr.Status != tkOpen {
		return fmt.Errorf("payreqsandbox: payment request %q is %s", tok, pr.Status)
	}
	pm := tkPayment{
		PaymentToken: randomToken("pay_"), CounterPartyName: payer, AmountInCents: pr.AmountInCents, AmountCurrency: pr.Currency,
		Description: pr.Description, Created: tkTime(s.now().UTC()), OnlinePaymentStatus: tkPaid,
	}
	pr.Payments = append(pr.Payments, pm)
	pr.Status = tkClosed
	if s.onPaid != nil {
		s.onPaid(TikkiePayout{TikkieID: strconv.FormatInt(pr.seq, 10), Description: pr.Description,
			Amount: decimal.New(int64(pm.AmountInCents), -2), Payer: payer, PayerIBAN: sandboxPayerIBAN})
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
	if pr.Status != tkOpen {
		return fmt.Errorf("payreqsandbox: payment request %q is %s", paymentRequestToken, pr.Status)
	}
	at := tkTime(s.now().UTC())
	pr.Status, pr.Expired = tkExpired, &at
	return s.save()
}

func (s *Server) payPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pr, ok := s.prs[r.PathValue("prt")]
	var amount, desc, status string
	if ok {
		amount, desc, status = decimal.New(int64(pr.AmountInCents), -2).StringFixed(2), pr.Description, pr.Status
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
