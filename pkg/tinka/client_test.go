package tinka_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/payreqsandbox"
	"github.com/batchtool/batchtool/pkg/tinka"
)

var secret = []byte("s3cr3t-hmac-key")

type env struct {
	sb   *payreqsandbox.Server
	srv  *httptest.Server
	c    *tinka.Client
	uas  []string
	mu   sync.Mutex
	fail atomic.Int64 // answer 503 to this many requests first
}

func newEnv(t *testing.T, mod func(*tinka.Config)) *env {
	t.Helper()
	e := &env{sb: payreqsandbox.New()}
	e.sb.AddTinkaMerchant("example", "example-user", "pa55word", secret)
	h := e.sb.Handler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.uas = append(e.uas, r.UserAgent())
		e.mu.Unlock()
		if e.fail.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	cfg := tinka.Config{BaseURL: e.srv.URL, MerchantID: "example", Username: "example-user", Password: "pa55word", Secret: secret, Version: "1.2.3", RetryWait: time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	c, err := tinka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	return e
}

func invoice(tx string, cents int64) *tinka.PaymentRequest {
	addr := func() *tinka.Address {
		return &tinka.Address{CountryCode: "NL", HouseNumber: "81", PostalCode: "4006EA", Street: "Dodewaardlaan", City: "Tiel"}
	}
	return &tinka.PaymentRequest{
		TransactionID: tx, MerchantRequestReference: "INV-" + tx, PaymentMethod: tinka.Invoice,
		RequestedPaymentAmount: cents, OrderCreationDate: "2026-11-22T18:44:55.000Z",
		InvoiceAddress: addr(),
		Delivery:       &tinka.Delivery{DeliveryMethod: "CompanyDelivery", DeliveryAddress: addr()},
		Session:        &tinka.Session{IPAddress: "127.0.0.1", UserAgent: "batchtool", AcceptLanguage: "nl", SessionAge: 1, SessionID: "s1"},
		RequestTags:    []tinka.RequestTag{{TagName: "PromotionCodeApplied", TagValue: "false"}},
		Merchant:       &tinka.Merchant{MerchantID: "example"},
		Lines:          []tinka.Line{{ItemPrice: cents, MerchantLineReference: "L1", ProductClassification: "Services", NumberOfItems: 1, Description: "Open invoice " + tx}},
		Applicant: &tinka.Applicant{DateOfBirth: "1971-01-01", EmailAddress: "test@example.com", Gender: "Unknown", Initials: "S.",
			LastName: "Proefpersoon", TelephoneNumber: "0131234567"},
	}
}

func credit(tx string, cents int64) *tinka.PaymentRequest {
	return &tinka.PaymentRequest{
		TransactionID: tx, MerchantRequestReference: "INV-" + tx, PaymentMethod: tinka.Credit, RequestedPaymentAmount: cents,
		InvoiceAddress: &tinka.Address{CountryCode: "NL", HouseNumber: "81", PostalCode: "4006EA", Street: "Dodewaardlaan", City: "Tiel"},
		Delivery:       &tinka.Delivery{DeliveryMethod: "CompanyDelivery"},
		Routing:        &tinka.Routing{CallbackURL: "https://shop.example/callback?order=7", CancelURL: "https://shop.example/cancel"},
		Merchant:       &tinka.Merchant{MerchantID: "example"},
		Lines:          []tinka.Line{{ItemPrice: cents, MerchantLineReference: "L1", NumberOfItems: 1, Description: "Open invoice"}},
		Applicant:      &tinka.Applicant{LastName: "Proefpersoon"},
	}
}

func TestInvoiceSynchronousDecisions(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		cents int64
		want  tinka.Decision
	}{{90000, tinka.Accepted}, {500000, tinka.Accepted}, {500001, tinka.Rejected}, {12399, tinka.Cancelled}} {
		r, err := e.c.Create(ctx, invoice("sync-"+tinka.Euro(tc.cents).String(), tc.cents), tinka.CreateOptions{Synchronous: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.Decision != tc.want || len(r.PaymentRequestID) != 36 || r.RedirectURL != "" {
			t.Errorf("%d cents: %+v, want decision %s", tc.cents, r, tc.want)
		}
	}
	for _, ua := range e.uas {
		if ua != "batchtool/1.2.3" {
			t.Errorf("User-Agent %q", ua)
		}
	}
}

func TestInvoiceAsynchronousAndStatus(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	r, err := e.c.Create(ctx, invoice("async-1", 600000), tinka.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Decision != "" || r.PaymentRequestID == "" {
		t.Fatalf("async answer carries a decision: %+v", r)
	}
	st, err := e.c.Status(ctx, r.PaymentRequestID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", st.DecisionDateTime); err != nil {
		t.Errorf("decisionDateTime %q: %v", st.DecisionDateTime, err)
	}
	want := tinka.Status{PaymentRequestID: r.PaymentRequestID, TransactionID: "async-1", MerchantRequestReference: "INV-async-1",
		PaymentMethod: tinka.Invoice, RequestedPaymentAmount: 600000, Decision: tinka.Rejected, DecisionDateTime: st.DecisionDateTime}
	if *st != want {
		t.Errorf("status %+v, want %+v", *st, want)
	}
	if err := e.sb.DecideTinka(r.PaymentRequestID, string(tinka.Accepted)); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.c.Status(ctx, r.PaymentRequestID); st.Decision != tinka.Accepted {
		t.Errorf("after DecideTinka: %s", st.Decision)
	}
	_, err = e.c.Status(ctx, "00000000-0000-0000-0000-000000000000")
	var ae *tinka.APIError
	if !errors.As(err, &ae) || err.Error() != "tinka: Status GET /merchant-api/v2/status/00000000-0000-0000-0000-000000000000: 404 NOT_FOUND: Payment request for given ID does not exist" {
		t.Errorf("unknown id: %v", err)
	}
}

// TestStatusAtItsPortalPath: the status call is GET
// /merchant-api/v2/status/{id}; the path the client used before answers
// 404 at the sandbox, as at Tinka.
func TestStatusAtItsPortalPath(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	e := newEnv(t, nil)
	h := e.srv.Config.Handler
	e.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		h.ServeHTTP(w, r)
	})
	ctx := context.Background()
	r, err := e.c.Create(ctx, invoice("path-1", 1000), tinka.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Status(ctx, r.PaymentRequestID); err != nil {
		t.Fatal(err)
	}
	want := []string{"POST /merchant-api/v2/online/payment-requests", "GET /merchant-api/v2/status/" + r.PaymentRequestID}
	if fmt.Sprint(paths) != fmt.Sprint(want) {
		t.Errorf("paths %q, want %q", paths, want)
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/merchant-api/v2/online/payment-requests/"+r.PaymentRequestID, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("old status path: %d", res.StatusCode)
	}
}

// TestNotificationFromTheSandbox: the callback POST the sandbox sends (its
// own signer) verifies with VerifyNotification; its forged twin does not.
func TestNotificationFromTheSandbox(t *testing.T) {
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer hook.Close()
	e := newEnv(t, nil)
	if err := e.sb.SetTinkaNotificationURL("example", hook.URL+"/tinka/notify"); err != nil {
		t.Fatal(err)
	}
	r, err := e.c.Create(context.Background(), credit("notify-1", 88500), tinka.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sb.DecideTinka(r.PaymentRequestID, string(tinka.Accepted)); err != nil {
		t.Fatal(err)
	}
	req, body := <-got, <-bodies
	if req.Method != http.MethodPost || req.URL.Path != "/tinka/notify" || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("callback %s %s %s", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
	}
	st, err := tinka.VerifyNotification(secret, "example", req.Header.Get("X-Authorization"), body, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st.PaymentRequestID != r.PaymentRequestID || st.Decision != tinka.Accepted || st.TransactionID != "notify-1" || st.RequestedPaymentAmount != 88500 {
		t.Errorf("status %+v", st)
	}
	forged := []byte(strings.Replace(string(body), `"requestedPaymentAmount":88500`, `"requestedPaymentAmount":1`, 1))
	if _, err := tinka.VerifyNotification(secret, "example", req.Header.Get("X-Authorization"), forged, time.Now()); err == nil ||
		err.Error() != "tinka: X-Authorization: signature does not match" {
		t.Errorf("forged twin: %v", err)
	}
}

func TestCreditRedirectAndSignedCallback(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		cents    int64
		decision tinka.Decision
		target   string
	}{{88500, tinka.Accepted, "https://shop.example/callback"}, {600000, tinka.Rejected, "https://shop.example/callback"}, {10099, tinka.Cancelled, "https://shop.example/cancel"}} {
		tx := "credit-" + tinka.Euro(tc.cents).String()
		r, err := e.c.Create(ctx, credit(tx, tc.cents), tinka.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.RedirectURL != e.srv.URL+"/tinka/checkout/"+r.PaymentRequestID {
			t.Fatalf("redirectUrl %q", r.RedirectURL)
		}
		// The customer's browser follows the redirect URL.
		nofollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := nofollow.Get(r.RedirectURL)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, err := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != http.StatusFound || err != nil {
			t.Fatalf("checkout: %d %v", res.StatusCode, err)
		}
		if got := loc.Scheme + "://" + loc.Host + loc.Path; got != tc.target {
			t.Errorf("%d: sent to %s, want %s", tc.cents, got, tc.target)
		}
		cb, err := tinka.VerifyCallback(secret, loc.RawQuery)
		if err != nil {
			t.Fatalf("callback does not verify: %v (%s)", err, loc.RawQuery)
		}
		if cb.Decision != tc.decision || cb.PaymentRequestID != r.PaymentRequestID || cb.TransactionID != tx ||
			cb.RequestedPaymentAmount != tc.cents || cb.PaymentMethod != tinka.Credit || cb.MerchantRequestReference != "INV-"+tx {
			t.Errorf("callback %+v", cb)
		}
		if tc.target == "https://shop.example/callback" && loc.Query().Get("order") != "7" {
			t.Errorf("merchant's own query lost: %s", loc.RawQuery)
		}
		if _, err := tinka.VerifyCallback([]byte("wrong"), loc.RawQuery); !errors.Is(err, tinka.ErrShaSign) {
			t.Errorf("wrong secret: %v", err)
		}
	}
	// Synchronous is for Invoice only.
	if _, err := e.c.Create(ctx, credit("c-sync", 100), tinka.CreateOptions{Synchronous: true}); err == nil ||
		err.Error() != "tinka: Create: synchronous decisions exist for paymentMethod Invoice only" {
		t.Errorf("credit sync: %v", err)
	}
}

func TestIdempotentTransactionID(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	a, err := e.c.Create(ctx, invoice("same-tx", 4200), tinka.CreateOptions{Synchronous: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.c.Create(ctx, invoice("same-tx", 4200), tinka.CreateOptions{Synchronous: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.PaymentRequestID != b.PaymentRequestID || a.Decision != b.Decision {
		t.Errorf("two requests for one transactionId: %+v %+v", a, b)
	}
}

func TestAuthFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		mod  func(*tinka.Config)
		want string
	}{
		{"wrong password", func(c *tinka.Config) { c.Password = "nope" },
			"tinka: Create POST /merchant-api/v2/online/payment-requests?synchronous=true: 401 UNAUTHORIZED: Basic credentials missing or wrong"},
		{"wrong HMAC secret", func(c *tinka.Config) { c.Secret = []byte("other") },
			"tinka: Create POST /merchant-api/v2/online/payment-requests?synchronous=true: 403 FORBIDDEN: X-Authorization: hash does not match"},
		{"clock 10 minutes behind", func(c *tinka.Config) { c.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) } },
			"tinka: Create POST /merchant-api/v2/online/payment-requests?synchronous=true: 403 FORBIDDEN: X-Authorization: timestamp out of date"},
	}
	for _, tc := range tests {
		e := newEnv(t, tc.mod)
		_, err := e.c.Create(ctx, invoice("auth", 100), tinka.CreateOptions{Synchronous: true})
		var ae *tinka.APIError
		if !errors.As(err, &ae) || err.Error() != tc.want {
			t.Errorf("%s: %v", tc.name, err)
		}
		if strings.Contains(err.Error(), "nope") || strings.Contains(err.Error(), "pa55word") {
			t.Errorf("%s: secret in error", tc.name)
		}
	}
	// A replayed nonce is refused.
	e := newEnv(t, func(c *tinka.Config) { c.Nonce = func() string { return "fixed" } })
	if _, err := e.c.Create(ctx, invoice("n1", 100), tinka.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.Create(ctx, invoice("n2", 100), tinka.CreateOptions{})
	if err == nil || err.Error() != "tinka: Create POST /merchant-api/v2/online/payment-requests: 403 FORBIDDEN: X-Authorization: nonce already used" {
		t.Errorf("replay: %v", err)
	}
}

func TestValidationBeforeAnyCall(t *testing.T) {
	// Nothing listens on this address: a validation error proves no call was made.
	c, err := tinka.New(tinka.Config{BaseURL: "http://127.0.0.1:1", MerchantID: "example", Username: "u", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	r := invoice("v1", 100)
	r.Merchant.MerchantID = "someone-else"
	r.Lines = append(r.Lines, tinka.Line{ItemPrice: 5, MerchantLineReference: "L1", ProductClassification: "x", NumberOfItems: 1, Description: "d"})
	_, err = c.Create(context.Background(), r, tinka.CreateOptions{})
	var ve *tinka.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want ValidationError, got %v", err)
	}
	want := `tinka: payment request invalid (3 errors)
  error: lines "105": order lines add up to 105 cents, not the requestedPaymentAmount 100 [Line.sum]
  error: lines[1].merchantLineReference "L1": duplicates lines[0].merchantLineReference; must be unique in the request [Line.merchantLineReference.unique]
  error: merchant.merchantId "someone-else": must be the merchant id that signs the request [Merchant.merchantId.signer]`
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
}

func TestNewConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  tinka.Config
		want string
	}{
		{tinka.Config{BaseURL: "ftp://x", MerchantID: "m", Username: "u", Secret: secret}, `tinka: base URL "ftp://x" is not an http(s) URL`},
		{tinka.Config{BaseURL: "https://x", Username: "u", Secret: secret}, "tinka: merchant id, username and secret are required"},
	} {
		if _, err := tinka.New(tc.cfg); err == nil || err.Error() != tc.want {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
}

func TestConfigDoesNotPrintSecrets(t *testing.T) {
	cfg := tinka.Config{BaseURL: "https://x", MerchantID: "m", Username: "u", Password: "pa55word", Secret: []byte("hmac-secret")}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg)} {
		if strings.Contains(s, "pa55word") || strings.Contains(s, "hmac-secret") || strings.Contains(s, "104 109 97 99") {
			t.Errorf("secret printed: %s", s)
		}
	}
}

func TestRetries(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	r, err := e.c.Create(ctx, invoice("retry-1", 100), tinka.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Status (GET) survives two 503s; each retry is signed with a new nonce.
	e.fail.Store(2)
	if st, err := e.c.Status(ctx, r.PaymentRequestID); err != nil || st.Decision != tinka.Accepted {
		t.Errorf("status after two 503s: %+v %v", st, err)
	}
	// The POST is not retried.
	e.fail.Store(1)
	n := len(e.uas)
	_, err = e.c.Create(ctx, invoice("retry-2", 100), tinka.CreateOptions{})
	if err == nil || err.Error() != "tinka: Create POST /merchant-api/v2/online/payment-requests: 503: Service Unavailable" || len(e.uas)-n != 1 {
		t.Errorf("POST 503: %v after %d requests", err, len(e.uas)-n)
	}
}

// TestCreditInProgressUntilDecided: a Credit request is InProgress (the
// portal: received, not processed) until the customer finishes the flow.
func TestCreditInProgressUntilDecided(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	r, err := e.c.Create(ctx, credit("inprogress-1", 88500), tinka.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.c.Status(ctx, r.PaymentRequestID)
	if err != nil || st.Decision != tinka.InProgress || st.Decision.Final() {
		t.Fatalf("status %+v %v, want InProgress", st, err)
	}
	// decisionDateTime is required: the time of the current decision.
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", st.DecisionDateTime); err != nil {
		t.Errorf("decisionDateTime %q: %v", st.DecisionDateTime, err)
	}
}
