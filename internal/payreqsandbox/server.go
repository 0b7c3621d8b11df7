package payreqsandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Server is the sandbox. Create it with New; it is safe for concurrent use.
type Server struct {
	mu       sync.Mutex
	now      func() time.Time
	dir      string // persistence directory; "" when in memory only
	tokenTTL time.Duration

	// Tikkie
	apps         map[string]*tikkieApp // by API key
	tokens       map[string]tikkieToken
	tokensIssued int
	platforms    map[string]*platform // by platformToken
	users        map[string]*user     // by userToken
	prs          map[string]*paymentRequest
	seq          int64

	// Tinka
	merchants map[string]*merchant // by Basic username
	tinkaReqs map[string]*tinkaRequest
	byTx      map[string]string // merchantId + "\x00" + transactionId → paymentRequestId
	nonces    map[string]time.Time

	onPaid func(TikkiePayout) // see OnTikkiePaid
}

type tikkieApp struct {
	key       *rsa.PublicKey // checks the client assertion; nil: every token request is refused
	platforms int
}

type tikkieToken struct {
	apiKey  string
	expires time.Time
}

type platform struct {
	apiKey string
	tkPlatform
}

type user struct {
	platformToken string
	tkUser
	requests []*paymentRequest // in creation order
}

type paymentRequest struct {
	userToken        string
	bankAccountToken string
	seq              int64
	url              string // paymentRequestUrl (answered on create only)
	tkPaymentRequest
}

type merchant struct {
	merchantID string
	username   string
	password   string
	secret     []byte
	notifyURL  string // where callbacks are POSTed; none when ""
}

type tinkaRequest struct {
	merchantID string
	req        tnRequest
	body       []byte // the request as received
	id         string
	decision   string
	decidedAt  time.Time
}

// New returns an empty sandbox using the real clock and a 900 s Tikkie token
// lifetime.
func New() *Server {
	return &Server{
		now:       time.Now,
		tokenTTL:  900 * time.Second,
		apps:      map[string]*tikkieApp{},
		tokens:    map[string]tikkieToken{},
		platforms: map[string]*platform{},
		users:     map[string]*user{},
		prs:       map[string]*paymentRequest{},
		merchants: map[string]*merchant{},
		tinkaReqs: map[string]*tinkaRequest{},
		byTx:      map[string]string{},
		nonces:    map[string]time.Time{},
	}
}

// SetClock replaces the server's clock (token expiry, creation dates, HMAC
// timestamps).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetTokenTTL sets the lifetime of Tikkie access tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// AddTikkieApp registers an API key and the public half of the key that
// signs its client assertions (the error is from persistence, or a nil key).
func (s *Server) AddTikkieApp(apiKey string, pub *rsa.PublicKey) error {
	if pub == nil {
		return fmt.Errorf("payreqsandbox: Tikkie app %q: a public key is required", apiKey)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if app, ok := s.apps[apiKey]; ok {
		app.key = pub
	} else {
		s.apps[apiKey] = &tikkieApp{key: pub}
	}
	return s.save()
}

// OnTikkiePaid sets a function called (with the sandbox's lock held: it
// must not call back into the sandbox) for every payment made on a Tikkie
// request: batchtool sandbox books the payout on the bank account with it.
func (s *Server) OnTikkiePaid(fn func(TikkiePayout)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPaid = fn
}

// RevokeTikkieTokens invalidates every access token issued so far, so the
// next call answers 401.
func (s *Server) RevokeTikkieTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// TikkieTokensIssued counts the access tokens issued so far.
func (s *Server) TikkieTokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokensIssued
}

// AddTinkaMerchant registers a merchant: its id (signs the HMAC), Basic
// credentials and HMAC secret (the error is from persistence).
func (s *Server) AddTinkaMerchant(merchantID, username, password string, secret []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.merchants[username] = &merchant{merchantID: merchantID, username: username, password: password, secret: append([]byte(nil), secret...)}
	return s.save()
}

// Paths are the path prefixes the handler serves, for mounting it into
// another mux.
func Paths() []string {
	return []string{"/v1/oauth/", "/v1/tikkie/", "/merchant-api/", "/tikkie/pay/", "/tinka/checkout/", "/_sandbox/tinka/"}
}

// Handler serves both APIs.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+tikkieTokenPath, s.token)
	mux.HandleFunc("POST /v1/tikkie/platforms", s.tikkieAuth(s.createPlatform))
	mux.HandleFunc("POST /v1/tikkie/platforms/{pt}/users", s.tikkieAuth(s.createUser))
	mux.HandleFunc("POST /v1/tikkie/platforms/{pt}/users/{ut}/bankaccounts/{bt}/paymentrequests", s.tikkieAuth(s.createPaymentRequest))
	mux.HandleFunc("GET /v1/tikkie/platforms/{pt}/users/{ut}/paymentrequests/{prt}", s.tikkieAuth(s.getPaymentRequest))
	mux.HandleFunc("GET /v1/tikkie/platforms/{pt}/users/{ut}/paymentrequests", s.tikkieAuth(s.listPaymentRequests))
	mux.HandleFunc("GET /tikkie/pay/{prt}", s.payPage)
	mux.HandleFunc("POST /tikkie/pay/{prt}", s.payNow)
	mux.HandleFunc("POST "+tinkaCreatePath, s.tinkaCreate)
	mux.HandleFunc("GET "+tinkaStatusPath+"{id}", s.tinkaStatus)
	mux.HandleFunc("GET /tinka/checkout/{id}", s.tinkaCheckout)
	mux.HandleFunc("POST /_sandbox/tinka/{id}/decision", s.tinkaDecide)
	return mux
}

func randomToken(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
