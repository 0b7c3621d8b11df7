package payreqsandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/tikkie"
	"github.com/batchtool/batchtool/pkg/tinka"
)

func TestDecisionFor(t *testing.T) {
	for _, tc := range []struct {
		cents int64
		want  tinka.Decision
	}{{1, tinka.Accepted}, {500000, tinka.Accepted}, {500001, tinka.Rejected}, {499999, tinka.Cancelled}, {99, tinka.Cancelled}, {600099, tinka.Rejected}} {
		if got := DecisionFor(tc.cents); got != tc.want {
			t.Errorf("%d: %s, want %s", tc.cents, got, tc.want)
		}
	}
}

func token(t *testing.T, srv *httptest.Server, apiKey string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+tikkie.TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("API-Key", apiKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestTikkieTokenEndpoint(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := New()
	now := time.Unix(1700000000, 0)
	s.SetClock(func() time.Time { return now })
	s.SetTokenTTL(90 * time.Second)
	s.AddTikkieApp("k1", &key.PublicKey)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	jwt := func(sub string, exp time.Duration) string {
		j, err := tikkie.ClientAssertion(key, sub, "i", "a", now, exp)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	form := func(assertion, scope string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion": {assertion}, "scope": {scope}}
	}
	status, body := token(t, srv, "k1", form(jwt("k1", time.Minute), "tikkie"))
	var ok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   string `json:"expires_in"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &ok) != nil || ok.ExpiresIn != "90" || !strings.HasPrefix(ok.AccessToken, "at_") {
		t.Fatalf("%d %s", status, body)
	}
	for _, tc := range []struct {
		name, apiKey string
		form         url.Values
		status       int
		code         string
	}{
		{"wrong scope", "k1", form(jwt("k1", time.Minute), "other"), 400, "ERR_SANDBOX_SCOPE"},
		{"expired assertion", "k1", form(jwt("k1", -time.Second), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"sub not the API key", "k1", form(jwt("k2", time.Minute), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"not a JWT", "k1", form("abc", "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"tampered", "k1", form(jwt("k1", time.Minute)+"x", "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"unknown key", "k9", form(jwt("k9", time.Minute), "tikkie"), 401, "ERR_SANDBOX_API_KEY"},
		{"grant", "k1", url.Values{"grant_type": {"password"}}, 400, "ERR_SANDBOX_GRANT"},
	} {
		status, body := token(t, srv, tc.apiKey, tc.form)
		if status != tc.status || !strings.Contains(body, `"code":"`+tc.code+`"`) {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}
	// The token works until its TTL, then 401.
	call := func() int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/tikkie/platforms", strings.NewReader(`{"name":"p","phoneNumber":"1","platformUsage":"PAYMENT_REQUEST_FOR_MYSELF"}`))
		req.Header.Set("API-Key", "k1")
		req.Header.Set("Authorization", "Bearer "+ok.AccessToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := call(); st != 201 {
		t.Errorf("fresh token: %d", st)
	}
	now = now.Add(90 * time.Second)
	if st := call(); st != 401 {
		t.Errorf("expired token: %d", st)
	}
}

func TestTikkieIsolationAndBadInput(t *testing.T) {
	s := New()
	s.AddTikkieApp("k1", nil)
	s.AddTikkieApp("k2", nil)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	newClient := func(apiKey string) *tikkie.Client {
		c, err := tikkie.New(tikkie.Config{BaseURL: srv.URL, APIKey: apiKey, PrivateKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1, c2 := newClient("k1"), newClient("k2")
	ctx := t.Context()
	p, err := c1.CreatePlatform(ctx, tikkie.NewPlatform{Name: "p", PhoneNumber: "1", PlatformUsage: tikkie.UsageForMyself})
	if err != nil {
		t.Fatal(err)
	}
	// Another account cannot see or use the platform.
	if _, err := c2.CreateUser(ctx, p.PlatformToken, tikkie.NewUser{Name: "u", PhoneNumber: "1", IBAN: "NL02ABNA0123456789", BankAccountLabel: "l"}); err == nil ||
		!strings.Contains(err.Error(), "404 ERR_SANDBOX_NO_PLATFORM: no such platform") {
		t.Errorf("foreign platform: %v", err)
	}
	if _, err := c1.CreateUser(ctx, p.PlatformToken, tikkie.NewUser{Name: "u", PhoneNumber: "1", IBAN: "NL02ABNA0123456788", BankAccountLabel: "l"}); err == nil ||
		!strings.Contains(err.Error(), "400 ERR_SANDBOX_IBAN") {
		t.Errorf("bad IBAN: %v", err)
	}
	if _, err := c1.CreatePlatform(ctx, tikkie.NewPlatform{Name: "p", PhoneNumber: "1", PlatformUsage: "SOMETHING"}); err == nil ||
		!strings.Contains(err.Error(), "400 ERR_SANDBOX_FIELD: platformUsage must be") {
		t.Errorf("bad usage: %v", err)
	}
	if err := s.MarkTikkiePaid("prt_none", "x"); err == nil || err.Error() != `payreqsandbox: no payment request "prt_none"` {
		t.Errorf("MarkTikkiePaid unknown: %v", err)
	}
}

func TestTinkaRawRequests(t *testing.T) {
	s := New()
	secret := []byte("k")
	s.AddTinkaMerchant("m1", "u1", "p1", secret)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	post := func(body []byte, uri string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+uri, bytes.NewReader(body))
		req.SetBasicAuth("u1", "p1")
		req.Header.Set("X-Authorization", tinka.AuthorizationHeader(secret, "m1", "POST", uri, randomToken(""), time.Now(), body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// The server validates too: a request that skips the client's checks.
	status, body := post([]byte(`{"paymentMethod":"Invoice","requestedPaymentAmount":5}`), tinka.PaymentRequestsPath)
	if status != 400 || !strings.Contains(body, `"errorCode":"VALIDATION_ERROR"`) || !strings.Contains(body, "transactionId") {
		t.Errorf("invalid request: %d %s", status, body)
	}
	status, body = post([]byte(`{not json`), tinka.PaymentRequestsPath)
	if status != 400 || !strings.Contains(body, "body is not a payment request") {
		t.Errorf("bad JSON: %d %s", status, body)
	}
	// Missing X-Authorization: 403.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+tinka.PaymentRequestsPath, strings.NewReader("{}"))
	req.SetBasicAuth("u1", "p1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("no HMAC: %d", res.StatusCode)
	}
	if _, err := s.TinkaCallbackURL("nope"); err == nil || err.Error() != `payreqsandbox: no Tinka payment request "nope"` {
		t.Errorf("callback unknown: %v", err)
	}
}

func FuzzVerifyAssertion(f *testing.F) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Unix(1700000000, 0)
	j, _ := tikkie.ClientAssertion(key, "k", "i", "a", now, time.Minute)
	f.Add(j)
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		err := verifyAssertion(s, "k", &key.PublicKey, now)
		// base64 decoding ignores CR and LF; anything else accepted must be j.
		if err == nil && strings.NewReplacer("\r", "", "\n", "").Replace(s) != j {
			t.Fatalf("accepted a forged assertion %q", s)
		}
	})
}
