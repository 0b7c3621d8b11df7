package tikkie_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
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
	"github.com/batchtool/batchtool/pkg/tikkie"
	"github.com/shopspring/decimal"
)

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// clock is a settable clock shared by client and sandbox.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	sb    *payreqsandbox.Server
	srv   *httptest.Server
	c     *tikkie.Client
	clk   *clock
	pt    string
	user  *tikkie.User
	calls atomic.Int64 // API calls (not token calls)
	uas   sync.Map
	fail  atomic.Pointer[func(*http.Request) int] // answer this status instead of the sandbox when non-zero
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{sb: payreqsandbox.New(), clk: &clock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}}
	e.sb.SetClock(e.clk.Now)
	e.sb.AddTikkieApp("api-key-1", &testKey().PublicKey)
	h := e.sb.Handler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/tikkie/") {
			e.calls.Add(1)
		}
		if f := e.fail.Load(); f != nil {
			if code := (*f)(r); code != 0 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(code)
				return
			}
		}
		e.uas.Store(r.UserAgent(), true)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	c, err := tikkie.New(tikkie.Config{BaseURL: e.srv.URL, APIKey: "api-key-1", PrivateKey: testKey(), Version: "0.9.0", Now: e.clk.Now, RetryWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	ctx := context.Background()
	p, err := c.CreatePlatform(ctx, tikkie.NewPlatform{Name: "batchtool", PhoneNumber: "0612345678", Email: "ops@example.com", PlatformUsage: tikkie.UsageForMyself})
	if err != nil {
		t.Fatal(err)
	}
	e.pt = p.PlatformToken
	e.user, err = c.CreateUser(ctx, e.pt, tikkie.NewUser{Name: "Finance", PhoneNumber: "0612345678", IBAN: "NL02 ABNA 0123 4567 89", BankAccountLabel: "Collections"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) ut() string { return e.user.UserToken }
func (e *env) bt() string { return e.user.BankAccounts[0].BankAccountToken }

func TestPlatformUserAndPaymentRequest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if e.user.BankAccounts[0].IBAN != "NL02ABNA0123456789" || e.user.Status != "ACTIVE" {
		t.Errorf("user %+v", e.user)
	}
	cr, err := e.c.CreatePaymentRequest(ctx, e.pt, e.ut(), e.bt(), tikkie.NewPaymentRequest{
		Amount: decimal.RequireFromString("1234.56"), Description: "Invoice 2026-0042", ExternalID: "INV-2026-0042"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cr.PaymentRequestToken, "prt_") || cr.PaymentRequestURL != e.srv.URL+"/tikkie/pay/"+cr.PaymentRequestToken || cr.ExternalID != "INV-2026-0042" {
		t.Errorf("created %+v", cr)
	}
	pr, err := e.c.GetPaymentRequest(ctx, e.pt, e.ut(), cr.PaymentRequestToken)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Amount().StringFixed(2) != "1234.56" || pr.AmountInCents != 123456 || pr.Status != tikkie.StatusOpen || pr.Paid() ||
		pr.Description != "Invoice 2026-0042" || pr.ExternalID != "INV-2026-0042" || !pr.Created.Equal(e.clk.Now()) {
		t.Errorf("payment request %+v", pr)
	}
	if err := e.sb.MarkTikkiePaid(cr.PaymentRequestToken, "J. Jansen"); err != nil {
		t.Fatal(err)
	}
	pr, err = e.c.GetPaymentRequest(ctx, e.pt, e.ut(), cr.PaymentRequestToken)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Paid() || pr.PaidAmount().StringFixed(2) != "1234.56" || pr.Status != tikkie.StatusClosed ||
		len(pr.Payments) != 1 || pr.Payments[0].CounterPartyName != "J. Jansen" || pr.Payments[0].OnlinePaymentStatus != "PAID" {
		t.Errorf("after payment %+v", pr)
	}
	if _, ok := e.uas.Load("batchtool/0.9.0"); !ok {
		t.Error("User-Agent batchtool/0.9.0 not seen")
	}
	e.uas.Range(func(k, _ any) bool {
		if k != "batchtool/0.9.0" {
			t.Errorf("User-Agent %q", k)
		}
		return true
	})
}

func TestPayInBrowser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cr, err := e.c.CreatePaymentRequest(ctx, e.pt, e.ut(), e.bt(), tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("5"), Description: "x"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.PostForm(cr.PaymentRequestURL, map[string][]string{"name": {"Browser payer"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("pay: %d", res.StatusCode)
	}
	pr, _ := e.c.GetPaymentRequest(ctx, e.pt, e.ut(), cr.PaymentRequestToken)
	if !pr.Paid() || pr.Payments[0].CounterPartyName != "Browser payer" {
		t.Errorf("%+v", pr)
	}
}

func TestPaginationAndDateFilter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// 23 requests, one per day from 2026-11-01.
	for i := 1; i <= 23; i++ {
		_, err := e.c.CreatePaymentRequest(ctx, e.pt, e.ut(), e.bt(), tikkie.NewPaymentRequest{
			Amount: decimal.New(int64(i)*101, -2), Description: fmt.Sprintf("req %d", i), ExternalID: fmt.Sprintf("EXT-%02d", i)})
		if err != nil {
			t.Fatal(err)
		}
		e.clk.Add(24 * time.Hour)
	}
	var offsets []int
	var refs []string
	sum := decimal.Zero
	err := e.c.ListPaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{PageSize: 5}, func(p tikkie.Page) error {
		offsets = append(offsets, p.Offset)
		if p.TotalElements != 23 {
			t.Errorf("totalElements %d", p.TotalElements)
		}
		for _, pr := range p.PaymentRequests {
			refs = append(refs, pr.ExternalID)
			sum = sum.Add(pr.Amount())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(offsets) != "[0 5 10 15 20]" || len(refs) != 23 || refs[0] != "EXT-01" || refs[22] != "EXT-23" {
		t.Errorf("offsets %v refs %v", offsets, refs)
	}
	if sum.StringFixed(2) != "278.76" { // 1.01 × (1+…+23) = 1.01 × 276
		t.Errorf("sum %s", sum.StringFixed(2))
	}
	// Creation-date filter: days 5..14 (from inclusive, to exclusive), 4 pages of 3.
	from := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	pages := 0
	refs = refs[:0]
	err = e.c.ListPaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{From: from, To: to, PageSize: 3}, func(p tikkie.Page) error {
		pages++
		for _, pr := range p.PaymentRequests {
			refs = append(refs, pr.ExternalID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 4 || strings.Join(refs, ",") != "EXT-05,EXT-06,EXT-07,EXT-08,EXT-09,EXT-10,EXT-11,EXT-12,EXT-13,EXT-14" {
		t.Errorf("filtered: %d pages %v", pages, refs)
	}
	// Iterator, stopped early after 7 requests: only 2 pages fetched.
	before := e.calls.Load()
	n := 0
	for pr, err := range e.c.PaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{PageSize: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 7 {
			if pr.ExternalID != "EXT-07" {
				t.Errorf("7th %s", pr.ExternalID)
			}
			break
		}
	}
	if got := e.calls.Load() - before; got != 2 {
		t.Errorf("early stop fetched %d pages, want 2", got)
	}
	// A callback error stops the walk and is returned as is.
	stop := errors.New("enough")
	if err := e.c.ListPaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{PageSize: 5}, func(tikkie.Page) error { return stop }); err != stop {
		t.Errorf("callback error: %v", err)
	}
	// Empty listing: no page, no error.
	err = e.c.ListPaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{From: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, func(tikkie.Page) error {
		t.Error("page for empty listing")
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	// Page size over the server's maximum: the API's error, typed.
	err = e.c.ListPaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{PageSize: 101}, func(tikkie.Page) error { return nil })
	var ae *tikkie.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code != "ERR_SANDBOX_PAGING" || ae.Message != "limit must be an integer from 1 to 100" ||
		!strings.HasPrefix(err.Error(), "tikkie: ListPaymentRequests GET /v1/tikkie/platforms/"+e.pt+"/users/"+e.ut()+"/paymentrequests: 400 ERR_SANDBOX_PAGING: limit must be an integer from 1 to 100 (traceId ") {
		t.Errorf("limit 101: %v", err)
	}
}

// A server that announces more requests than it delivers must not give a
// silently short result.
func TestShortListingIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tikkie.TokenPath {
			fmt.Fprint(w, `{"access_token":"t","expires_in":"900","token_type":"Bearer","scope":"tikkie"}`)
			return
		}
		if r.URL.Query().Get("offset") == "0" {
			fmt.Fprint(w, `{"paymentRequests":[{"paymentRequestToken":"a","amountInCents":"100"}],"totalElements":3}`)
			return
		}
		fmt.Fprint(w, `{"paymentRequests":[],"totalElements":3}`)
	}))
	defer srv.Close()
	c, _ := tikkie.New(tikkie.Config{BaseURL: srv.URL, APIKey: "k", PrivateKey: testKey()})
	var got []tikkie.PaymentRequest
	err := c.ListPaymentRequests(context.Background(), "p", "u", tikkie.ListOptions{PageSize: 1}, func(p tikkie.Page) error {
		got = append(got, p.PaymentRequests...)
		return nil
	})
	if err == nil || err.Error() != "tikkie: ListPaymentRequests: empty page at offset 1 of 3 requests" || len(got) != 1 || got[0].AmountInCents != 100 {
		t.Errorf("%v %+v", err, got)
	}
}

func TestTokenRenewal(t *testing.T) {
	e := newEnv(t) // setup made 2 calls with one token
	ctx := context.Background()
	get := func() {
		t.Helper()
		if err := e.c.ListPaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{}, func(tikkie.Page) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sb.TikkieTokensIssued(); n != 1 {
		t.Fatalf("tokens after setup %d", n)
	}
	e.clk.Add(830 * time.Second) // 70 s left: still used
	get()
	if n := e.sb.TikkieTokensIssued(); n != 1 {
		t.Errorf("renewed too early: %d", n)
	}
	e.clk.Add(20 * time.Second) // 50 s left, inside RenewBefore (60 s): renewed before the call
	before := e.calls.Load()
	get()
	if n := e.sb.TikkieTokensIssued(); n != 2 {
		t.Errorf("not renewed before expiry: %d", n)
	}
	if e.calls.Load()-before != 1 {
		t.Errorf("renewal before expiry cost a failed call")
	}
	e.clk.Add(2 * time.Hour) // long expired
	get()
	if n := e.sb.TikkieTokensIssued(); n != 3 {
		t.Errorf("expired token not renewed: %d", n)
	}
	// The server revokes the token: 401, renewed, retried once, success.
	e.sb.RevokeTikkieTokens()
	before = e.calls.Load()
	get()
	if n := e.sb.TikkieTokensIssued(); n != 4 {
		t.Errorf("401 did not renew: %d", n)
	}
	if got := e.calls.Load() - before; got != 2 {
		t.Errorf("401: %d calls, want 2 (refused + retried)", got)
	}
}

func TestUnauthorizedRetriedOnlyOnce(t *testing.T) {
	var tokens, calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tikkie.TokenPath {
			n := tokens.Add(1)
			fmt.Fprintf(w, `{"access_token":"secret-token-%d","expires_in":900,"token_type":"Bearer","scope":"tikkie"}`, n)
			return
		}
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"ERR_2005_001","message":"Access token is invalid","traceId":"t-1"}]}`)
	}))
	defer srv.Close()
	c, _ := tikkie.New(tikkie.Config{BaseURL: srv.URL, APIKey: "k", PrivateKey: testKey()})
	_, err := c.GetPaymentRequest(context.Background(), "p", "u", "r")
	want := "tikkie: GetPaymentRequest GET /v1/tikkie/platforms/p/users/u/paymentrequests/r: 401 ERR_2005_001: Access token is invalid (traceId t-1)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if calls.Load() != 2 || tokens.Load() != 2 {
		t.Errorf("calls %d tokens %d, want 2 and 2", calls.Load(), tokens.Load())
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Error("access token in error")
	}
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cr, err := e.c.CreatePaymentRequest(ctx, e.pt, e.ut(), e.bt(), tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("1.00"), Description: "x"})
	if err != nil {
		t.Fatal(err)
	}
	e.sb.RevokeTikkieTokens() // every goroutine meets a 401 or a fresh token
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := e.c.GetPaymentRequest(ctx, e.pt, e.ut(), cr.PaymentRequestToken); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.sb.TikkieTokensIssued(); n != 2 {
		t.Errorf("tokens issued %d, want 2 (setup + one renewal shared by all)", n)
	}
}

func TestTokenErrors(t *testing.T) {
	sb := payreqsandbox.New()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sb.AddTikkieApp("api-key-1", &other.PublicKey) // registered key is not ours
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	for _, tc := range []struct{ key, want string }{
		{"api-key-1", "tikkie: Token POST /v1/oauth/token: 401 ERR_SANDBOX_ASSERTION: JWT signature does not verify with the key registered for this API key"},
		{"unknown", "tikkie: Token POST /v1/oauth/token: 401 ERR_2005_001: The API Key is invalid"},
	} {
		c, _ := tikkie.New(tikkie.Config{BaseURL: srv.URL, APIKey: tc.key, PrivateKey: testKey()})
		_, err := c.CreatePlatform(context.Background(), tikkie.NewPlatform{Name: "p", PhoneNumber: "1", PlatformUsage: tikkie.UsageForMyself})
		var ae *tikkie.APIError
		if !errors.As(err, &ae) || !strings.HasPrefix(err.Error(), tc.want+" (traceId ") {
			t.Errorf("%s: %v", tc.key, err)
		}
		if strings.Contains(err.Error(), "eyJ") { // no JWT in errors
			t.Error("client assertion in error")
		}
	}
}

func TestCreateValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := e.calls.Load()
	for _, tc := range []struct {
		in   tikkie.NewPaymentRequest
		want string
	}{
		{tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("0.001"), Description: "x"}, "tikkie: amount 0.001 is not a whole number of cents"},
		{tikkie.NewPaymentRequest{Amount: decimal.Zero, Description: "x"}, "tikkie: amount 0.00 must be greater than 0"},
		{tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("-5"), Description: "x"}, "tikkie: amount -5.00 must be greater than 0"},
		{tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("5"), Description: "x", Currency: "USD"}, `tikkie: currency "USD": only EUR is supported`},
		{tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("5")}, "tikkie: description is required"},
		{tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("5"), Description: strings.Repeat("d", 36)},
			`tikkie: description "` + strings.Repeat("d", 36) + `" is 36 characters, longer than the maximum 35`},
		{tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("5"), Description: "x", ExternalID: strings.Repeat("e", 36)},
			`tikkie: externalId "` + strings.Repeat("e", 36) + `" is 36 characters, longer than the maximum 35`},
	} {
		_, err := e.c.CreatePaymentRequest(ctx, e.pt, e.ut(), e.bt(), tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
	if e.calls.Load() != before {
		t.Error("invalid requests reached the server")
	}
	// Unknown tokens: the API's 404, typed.
	_, err := e.c.GetPaymentRequest(ctx, e.pt, e.ut(), "prt_nope")
	var ae *tikkie.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Code != "ERR_SANDBOX_NO_PAYMENT_REQUEST" || ae.Op != "GetPaymentRequest" {
		t.Errorf("unknown request: %v", err)
	}
	// Two platforms per account.
	for i, want := range []string{"", "400 ERR_SANDBOX_PLATFORM_LIMIT: an account can have only two platforms"} {
		_, err := e.c.CreatePlatform(ctx, tikkie.NewPlatform{Name: fmt.Sprint("p", i), PhoneNumber: "1", PlatformUsage: tikkie.UsageForOthers})
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("platform %d: %v", i, err)
		}
	}
}

func TestEnsurePaymentRequestIsIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	since := e.clk.Now().Add(-time.Hour)
	in := tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("99.95"), Description: "Invoice 7", ExternalID: "INV-7"}
	a, err := e.c.EnsurePaymentRequest(ctx, e.pt, e.ut(), e.bt(), in, since)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.c.EnsurePaymentRequest(ctx, e.pt, e.ut(), e.bt(), in, since)
	if err != nil {
		t.Fatal(err)
	}
	// The listing carries no paymentRequestUrl (as in the public clients'
	// recorded answers): only the create answer has it.
	if !a.Created || b.Created || a.PaymentRequestToken != b.PaymentRequestToken || b.PaymentRequestURL != "" || a.PaymentRequestURL == "" {
		t.Errorf("first %+v second %+v", a, b)
	}
	// Concurrently, for another reference: still one request.
	in.ExternalID = "INV-8"
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := e.c.EnsurePaymentRequest(ctx, e.pt, e.ut(), e.bt(), in, since); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	count := map[string]int{}
	for pr, err := range e.c.PaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		count[pr.ExternalID]++
	}
	if fmt.Sprint(count) != "map[INV-7:1 INV-8:1]" {
		t.Errorf("requests per reference: %v", count)
	}
	if _, err := e.c.EnsurePaymentRequest(ctx, e.pt, e.ut(), e.bt(), tikkie.NewPaymentRequest{Amount: decimal.NewFromInt(1), Description: "x"}, since); err == nil ||
		err.Error() != "tikkie: EnsurePaymentRequest: externalId is required (it is the idempotency key)" {
		t.Errorf("no externalId: %v", err)
	}
}

func TestNewConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  tikkie.Config
		want string
	}{
		{tikkie.Config{BaseURL: "api.abnamro.com", APIKey: "k", PrivateKey: testKey()}, `tikkie: base URL "api.abnamro.com" is not an http(s) URL`},
		{tikkie.Config{BaseURL: "https://api.abnamro.com", APIKey: "k"}, "tikkie: API key and private key are required"},
	} {
		if _, err := tikkie.New(tc.cfg); err == nil || err.Error() != tc.want {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
}

func TestContextCancelled(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.c.GetPaymentRequest(ctx, e.pt, e.ut(), "x")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v", err)
	}
}

func TestRetries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var failures atomic.Int64
	failN := func(n int64, code int) {
		failures.Store(0)
		f := func(r *http.Request) int {
			if strings.HasPrefix(r.URL.Path, "/v1/tikkie/") && failures.Add(1) <= n {
				return code
			}
			return 0
		}
		e.fail.Store(&f)
	}
	// GET: two 503s, then success (Retries defaults to 2).
	failN(2, http.StatusServiceUnavailable)
	before := e.calls.Load()
	if err := e.c.ListPaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{}, func(tikkie.Page) error { return nil }); err != nil {
		t.Fatalf("GET after two 503s: %v", err)
	}
	if got := e.calls.Load() - before; got != 3 {
		t.Errorf("GET calls %d, want 3", got)
	}
	// GET: three 429s exhaust the retries; the last answer is the error.
	failN(3, http.StatusTooManyRequests)
	_, err := e.c.GetPaymentRequest(ctx, e.pt, e.ut(), "prt_x")
	var ae *tikkie.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 429 {
		t.Errorf("GET after three 429s: %v", err)
	}
	// POST: a 503 is not retried (the request might have been created).
	failN(1, http.StatusServiceUnavailable)
	before = e.calls.Load()
	_, err = e.c.CreatePaymentRequest(ctx, e.pt, e.ut(), e.bt(), tikkie.NewPaymentRequest{Amount: decimal.NewFromInt(1), Description: "x"})
	if !errors.As(err, &ae) || ae.StatusCode != 503 || e.calls.Load()-before != 1 {
		t.Errorf("POST 503: %v after %d calls", err, e.calls.Load()-before)
	}
	e.fail.Store(nil)
}

// TestListingWithAnExpiredRequest: Tikkie answers expired as the time the
// request expired (null while live). A listing holding one reads to its end.
func TestListingWithAnExpiredRequest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var toks []string
	for i := range 3 {
		cr, err := e.c.CreatePaymentRequest(ctx, e.pt, e.ut(), e.bt(), tikkie.NewPaymentRequest{
			Amount: decimal.New(int64(1000+i), -2), Description: fmt.Sprintf("Invoice %d", i), ExternalID: fmt.Sprintf("INV-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, cr.PaymentRequestToken)
	}
	e.clk.Add(time.Hour)
	expiredAt := e.clk.Now()
	if err := e.sb.ExpireTikkie(toks[1]); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := e.c.ListPaymentRequests(ctx, e.pt, e.ut(), tikkie.ListOptions{PageSize: 2}, func(p tikkie.Page) error {
		for _, pr := range p.PaymentRequests {
			exp := "live"
			if pr.Expired != nil {
				exp = pr.Expired.UTC().Format(time.RFC3339)
			}
			got = append(got, pr.ExternalID+" "+pr.Status+" "+exp)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"INV-0 OPEN live", "INV-1 EXPIRED " + expiredAt.UTC().Format(time.RFC3339), "INV-2 OPEN live"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listing %q, want %q", got, want)
	}
}

// TestAudienceByEnvironment: the client assertion's aud is the OAuth server
// of the environment, as every public Tikkie client signs it; the token is
// still asked from the API host.
func TestAudienceByEnvironment(t *testing.T) {
	for _, tc := range []struct{ base, aud, set string }{
		{"https://api.abnamro.com", tikkie.AudienceProduction, ""},
		{"https://api-sandbox.abnamro.com", tikkie.AudienceSandbox, ""},
		{"http://127.0.0.1:8089", tikkie.AudienceSandbox, ""},
		{"https://proxy.example", tikkie.AudienceProduction, tikkie.AudienceProduction},
	} {
		var aud, path string
		rt := roundTripper(func(r *http.Request) (*http.Response, error) {
			path = r.URL.Host + r.URL.Path
			_ = r.ParseForm()
			parts := strings.Split(r.PostForm.Get("client_assertion"), ".")
			if len(parts) == 3 {
				b, _ := base64.RawURLEncoding.DecodeString(parts[1])
				var c struct {
					Aud string `json:"aud"`
				}
				_ = json.Unmarshal(b, &c)
				aud = c.Aud
			}
			return &http.Response{StatusCode: 500, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
		})
		c, err := tikkie.New(tikkie.Config{BaseURL: tc.base, APIKey: "k", PrivateKey: testKey(), Audience: tc.set, HTTPClient: &http.Client{Transport: rt}})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.GetPaymentRequest(context.Background(), "p", "u", "r")
		u, _ := url.Parse(tc.base)
		if aud != tc.aud || path != u.Host+"/v1/oauth/token" {
			t.Errorf("%s: aud %q at %s, want %q", tc.base, aud, path, tc.aud)
		}
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
