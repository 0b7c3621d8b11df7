// Package sandbox is a local stand-in for the Twikey platform: a real HTTP
// server on 127.0.0.1 that speaks the same wire format as the production
// API for the calls batchtool makes (login, collection import and query,
// UBL invoice upload, reconciliation files, transaction feed, account
// reporting). The demo and the tests of pkg/twikey and the CLI run against
// it, so nothing is mocked: requests go over TCP, bodies are parsed by the
// same readers users run, and the files it hands out are real camt.053 and
// CODA files.
//
// State is kept in dir as JSON (state.json) plus the generated files
// (files/), so a sandbox survives a restart.
//
// # Bank simulation
//
// The platform's documentation says outcomes depend on the amount but does
// not list the amounts, so the sandbox uses this documented rule on the
// cents of each collected amount:
//
//	.01 → AM04 (insufficient funds): returned
//	.02 → MD06 (refund request by the debtor): paid, then refunded
//	.03 → AC04 (closed account): returned
//	else  paid
//
// The bank credits each PmtInf as one batch entry on its collection date
// (one detail per transaction), as banks do; a failed collection is a
// separate reversal debit entry carrying the return reason, two days later
// (AM04, AC04) or fourteen days later (MD06). Like the platform, whose first
// feedback is always PAID, the batch credit includes the failed ones.
//
// Uploaded UBL invoices (not credit notes) are paid by credit transfer on
// their due date (issue date when there is none), quoting their payment
// reference (cac:PaymentMeans/cbc:PaymentID) as a structured reference when
// it is an RF or OGM/VCS reference and as free text otherwise, by this rule
// on the cents of the payable amount:
//
//	.01 → never paid
//	.02 → half paid (rounded down to the cent)
//	else  paid in full
//
// The sandbox hands out every movement in the next generated file, without
// the platform's wait of three bank days.
//
// # As the reference and the official SDKs show the platform
//
// The sandbox shares no code with pkg/twikey: it computes the
// enhanced-security OTP itself (otp.go, from the SDKs' description). The
// login answer carries the session in Authorization and the merchant id in
// X-MERCHANT-ID (read by the Python SDK; the value is [DefaultMerchantID],
// real ids are not public). An error carries its code in both ApiError and
// ApiErrorCode ("available in apierror header and response"; the Go, Java and
// PHP SDKs read ApiError, the Python SDK ApiErrorCode) and, unless
// HeaderErrors, a JSON body {code, message, extra}. Account reporting gives
// a returned collection as PMNT/RDDT/PRDD (the reference's sample); the
// statement files keep the bank's IDDT/UPDD. The feed names the template's
// contract number ([DefaultContractNumber]). An invoice upload with an
// Idempotency-Key answers every later request with that key, for 24 hours,
// with the first answer and runs nothing; while the first still runs, 409.
//
// # Fault injection
//
// [Server.Inject], or POST /_sandbox/faults with a JSON [Fault], makes the
// next requests to a path answer 429 with a retry-after, 500, slowly, with a
// dropped connection (mid-body for downloads), with a lost answer (handled,
// then dropped), or with an expired session.
// GET /_sandbox/stats returns request counts per call.
package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Options configure a Server. The zero value works.
type Options struct {
	APIToken   string // the accepted API token; default DefaultToken
	PrivateKey string // hex key; when set, login needs a valid OTP
	MerchantID string // X-MERCHANT-ID of the login answer; default DefaultMerchantID
	// ContractNumber is the contract of the mandates' template as the
	// transaction feed names it ("contract"); default DefaultContractNumber.
	ContractNumber string
	Profiles       []int64       // known collection profiles (ct); default 1234 and 2223
	SessionTTL     time.Duration // default 24h
	Now            func() time.Time
	// HeaderErrors answers errors the platform's legacy way, HTTP 200 with
	// ApiError/ApiErrorCode headers, instead of 400 with a JSON body.
	HeaderErrors bool
	// Account is the creditor account credited for invoices whose UBL names
	// no payee account.
	Account string
	// FeedPageSize is the number of entries per feed answer; default 100.
	FeedPageSize int
	Logf         func(format string, args ...any)
	// Mount serves other handlers on the same address, by path prefix:
	// batchtool sandbox mounts the payment request sandbox this way.
	Mount map[string]http.Handler
}

// DefaultToken is the API token a sandbox accepts unless told otherwise.
const DefaultToken = "sandbox-token"

// DefaultMerchantID is the merchant id the login answer names unless told
// otherwise (the platform's ids are numbers; which ones is not public).
const DefaultMerchantID = "1000"

// DefaultContractNumber is the contract the feed names unless told
// otherwise: a template's contract number, as in the reference's samples
// ("General Terms", "Algemene voorwaarden"), not a scheme.
const DefaultContractNumber = "General Terms"

// Server is a sandbox platform.
type Server struct {
	dir  string
	opts Options

	mu     sync.Mutex
	st     *state
	faults []*Fault
	stats  map[string]int

	srv *http.Server
	ln  net.Listener
	url string

	// The state is written to disk at most every saveEvery, or every four
	// times what the last write took when that is longer: a burst of
	// uploads costs one write, not one write of the whole state each, and
	// a large state on a busy disk does not hold the lock most of the time.
	dirty     bool
	lastSave  time.Time
	saveCost  time.Duration // how long the last write took
	stopFlush chan struct{}
	flushDone chan struct{}
}

// saveEvery bounds how long a change waits before the state is on disk.
const saveEvery = 250 * time.Millisecond

// New returns a sandbox keeping its state in dir (created when missing).
// Existing state in dir is loaded by Start.
func New(dir string, opts Options) *Server {
	if opts.APIToken == "" {
		opts.APIToken = DefaultToken
	}
	if opts.MerchantID == "" {
		opts.MerchantID = DefaultMerchantID
	}
	if opts.ContractNumber == "" {
		opts.ContractNumber = DefaultContractNumber
	}
	if len(opts.Profiles) == 0 {
		opts.Profiles = []int64{1234, 2223}
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Account == "" {
		opts.Account = "BE68539007547034"
	}
	if opts.FeedPageSize <= 0 {
		opts.FeedPageSize = 100
	}
	return &Server{dir: dir, opts: opts, stats: map[string]int{}}
}

// Start loads the state and listens on addr ("127.0.0.1:0" for any free
// port) in the background.
func (s *Server) Start(addr string) error {
	if err := os.MkdirAll(filepath.Join(s.dir, "files"), 0o755); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	st, err := loadState(s.dir)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	s.stopFlush, s.flushDone = make(chan struct{}), make(chan struct{})
	go s.flushLoop()
	return nil
}

// flushLoop writes pending state changes every saveEvery until Close.
func (s *Server) flushLoop() {
	defer close(s.flushDone)
	t := time.NewTicker(saveEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopFlush:
			return
		case <-t.C:
			s.mu.Lock()
			if s.dirty && s.saveDueLocked() {
				s.writeStateLocked()
			}
			s.mu.Unlock()
		}
	}
}

// URL returns the base URL, e.g. "http://127.0.0.1:8089".
func (s *Server) URL() string { return s.url }

// Close stops the server and writes any state change still pending.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = s.srv.Close()
	}
	if s.stopFlush != nil {
		close(s.stopFlush)
		<-s.flushDone
	}
	s.mu.Lock()
	s.stopFlush = nil
	if s.dirty {
		s.writeStateLocked()
	}
	s.mu.Unlock()
	return err
}

// Handler returns the sandbox's HTTP handler (Start serves it).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /creditor", s.login)
	mux.HandleFunc("GET /creditor", s.auth(s.logout))
	mux.HandleFunc("POST /creditor/collect/import", s.auth(s.importCollection))
	mux.HandleFunc("GET /creditor/collect/query", s.auth(s.queryCollections))
	mux.HandleFunc("POST /creditor/invoice/ubl", s.auth(s.uploadInvoice))
	mux.HandleFunc("POST /creditor/files", s.auth(s.generateFiles))
	mux.HandleFunc("GET /creditor/files", s.auth(s.listFiles))
	mux.HandleFunc("GET /creditor/files/{name}", s.auth(s.downloadFile))
	mux.HandleFunc("GET /creditor/transaction", s.auth(s.transactionFeed))
	mux.HandleFunc("GET /creditor/reporting", s.auth(s.reporting))
	mux.HandleFunc("POST /_sandbox/faults", s.addFault)
	mux.HandleFunc("GET /_sandbox/stats", s.getStats)
	for prefix, h := range s.opts.Mount {
		mux.Handle(prefix, h)
	}
	return s.withFaults(mux)
}

// Stats returns the number of requests per call ("POST /creditor", ...),
// counted before faults and authentication.
func (s *Server) Stats() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.stats))
	for k, v := range s.stats {
		out[k] = v
	}
	return out
}

// ExpireSessions ends every session, as if 24 hours had passed.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Sessions = map[string]time.Time{}
	s.saveLocked()
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// apiError answers an error the platform's way: the error code in both the
// ApiError and the ApiErrorCode header (the reference: the code is
// "available in apierror header and response"; the Go, Java and PHP SDKs
// read ApiError as the code, the Python SDK ApiErrorCode), and a JSON body
// {code, message, extra} with status (400) unless HeaderErrors is set, in
// which case the status is 200.
func (s *Server) apiError(w http.ResponseWriter, status int, code, msg, extra string) {
	w.Header().Set("ApiErrorCode", code)
	w.Header().Set("ApiError", code)
	if s.opts.HeaderErrors && status == http.StatusBadRequest {
		w.WriteHeader(http.StatusOK)
		return
	}
	body := map[string]string{"code": code, "message": msg}
	if extra != "" {
		body["extra"] = extra
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// login is POST /creditor: apiToken (and otp) in the form body.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("apiToken") {
		// The platform asks never to pass the token in the URL.
		s.apiError(w, http.StatusBadRequest, "err_invalid_params", "apiToken must be sent in the request body", "")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("apiToken") != s.opts.APIToken {
		http.Error(w, "Unauthorized", http.StatusUnauthorized) // authentication errors carry no ApiError headers
		return
	}
	now := s.opts.Now()
	if s.opts.PrivateKey != "" && !s.otpValid(r.PostForm.Get("otp"), now) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	tok := newToken()
	s.mu.Lock()
	s.st.Sessions[tok] = now
	for t, at := range s.st.Sessions { // forget expired sessions
		if now.Sub(at) >= s.opts.SessionTTL {
			delete(s.st.Sessions, t)
		}
	}
	s.saveLocked()
	s.mu.Unlock()
	w.Header().Set("Authorization", tok)
	// The Python SDK reads the merchant id from this header on every login.
	w.Header().Set("X-MERCHANT-ID", s.opts.MerchantID)
	writeJSON(w, http.StatusOK, map[string]string{"Authorization": tok})
}

// otpValid accepts the OTP of the current 30-second step or a neighbour,
// to allow for clock skew.
func (s *Server) otpValid(otp string, now time.Time) bool {
	n, err := strconv.ParseUint(otp, 10, 32)
	if err != nil {
		return false
	}
	for _, d := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		want, ok := twikeyOTP(s.opts.PrivateKey, now.Add(d))
		if ok && uint64(want) == n {
			return true
		}
	}
	return false
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delete(s.st.Sessions, r.Header.Get("Authorization"))
	s.saveLocked()
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// auth answers 401 (no ApiError headers, like the platform) when the
// request has no live session.
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("Authorization")
		s.mu.Lock()
		at, ok := s.st.Sessions[tok]
		live := ok && s.opts.Now().Sub(at) < s.opts.SessionTTL
		s.mu.Unlock()
		if tok == "" || !live {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

func (s *Server) getStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}
