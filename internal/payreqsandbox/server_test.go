package payreqsandbox

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/tikkie"
	"github.com/batchtool/batchtool/pkg/tinka"
)

func TestDecisionFor(t *testing.T) {
	for _, tc := range []struct {
		cents int64
		want  string
	}{{1, "Accepted"}, {500000, "Accepted"}, {500001, "Rejected"}, {499999, "Cancelled"}, {99, "Cancelled"}, {600099, "Rejected"}} {
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
		return signJWT(t, key, "RS256", map[string]any{"iss": "i", "sub": sub, "aud": tikkieAudience, "nbf": now.Unix() - 60, "exp": now.Add(exp).Unix()})
	}
	claims := func(edit func(map[string]any)) string {
		c := map[string]any{"iss": "i", "sub": "k1", "aud": tikkieAudience, "nbf": now.Unix() - 60, "exp": now.Unix() + 120}
		edit(c)
		return signJWT(t, key, "RS256", c)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	form := func(assertion, scope string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion": {assertion}, "scope": {scope}}
	}
	// RS512 (a choice of the public clients) verifies too.
	if status, body := token(t, srv, "k1", form(signJWT(t, key, "RS512", map[string]any{"iss": "i", "sub": "k1", "aud": []string{tikkieAudience}, "nbf": now.Unix(), "exp": now.Unix() + 60}), "tikkie")); status != 200 {
		t.Errorf("RS512: %d %s", status, body)
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
		{"unknown key", "k9", form(jwt("k9", time.Minute), "tikkie"), 401, "ERR_2005_001"},
		{"grant", "k1", url.Values{"grant_type": {"password"}}, 400, "ERR_SANDBOX_GRANT"},
		// aud is the environment's OAuth server, not the API host's token path
		// (what the client signed before).
		{"aud of the API host", "k1", form(claims(func(c map[string]any) { c["aud"] = "http://127.0.0.1/v1/oauth/token" }), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"aud of production", "k1", form(claims(func(c map[string]any) { c["aud"] = "https://auth.abnamro.com/oauth/token" }), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"no aud", "k1", form(claims(func(c map[string]any) { delete(c, "aud") }), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"no iss", "k1", form(claims(func(c map[string]any) { delete(c, "iss") }), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"no exp", "k1", form(claims(func(c map[string]any) { delete(c, "exp") }), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"nbf ahead", "k1", form(claims(func(c map[string]any) { c["nbf"] = now.Unix() + 30 }), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"other key", "k1", form(signJWT(t, other, "RS256", map[string]any{"iss": "i", "sub": "k1", "aud": tikkieAudience, "nbf": now.Unix(), "exp": now.Unix() + 60}), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
		{"alg none", "k1", form(noneJWT(map[string]any{"iss": "i", "sub": "k1", "aud": tikkieAudience, "nbf": now.Unix(), "exp": now.Unix() + 60}), "tikkie"), 401, "ERR_SANDBOX_ASSERTION"},
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
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	s.AddTikkieApp("k1", &key.PublicKey)
	s.AddTikkieApp("k2", &key.PublicKey)
	if err := s.AddTikkieApp("k3", nil); err == nil || err.Error() != `payreqsandbox: Tikkie app "k3": a public key is required` {
		t.Errorf("nil key: %v", err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
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
		!strings.Contains(err.Error(), "404 ERR_4100_002: Platform not found") {
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
		req.Header.Set("X-Authorization", tinka.AuthorizationHeader(secret, "m1", randomToken(""), time.Now(), body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// The server validates too: a request that skips the client's checks.
	status, body := post([]byte(`{"paymentMethod":"Invoice","requestedPaymentAmount":5}`), tinkaCreatePath)
	if status != 400 || !strings.Contains(body, `"errorCode":"VALIDATION_ERROR"`) || !strings.Contains(body, "transactionId") {
		t.Errorf("invalid request: %d %s", status, body)
	}
	status, body = post([]byte(`{not json`), tinkaCreatePath)
	if status != 400 || !strings.Contains(body, "body is not a payment request") {
		t.Errorf("bad JSON: %d %s", status, body)
	}
	// Missing X-Authorization: 403.
	// The scheme the client signed before (method, escaped URI, MD5 of the
	// body) is refused: the sandbox computes the portal's message itself.
	old := func(body string) string {
		sum := md5.Sum([]byte(body))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("m1POST" + strings.ToLower(url.QueryEscape(tinkaCreatePath)) + ts + "n-old" + base64.StdEncoding.EncodeToString(sum[:])))
		return "hmac m1:" + base64.StdEncoding.EncodeToString(m.Sum(nil)) + ":n-old:" + ts
	}
	oreq, _ := http.NewRequest(http.MethodPost, srv.URL+tinkaCreatePath, strings.NewReader("{}"))
	oreq.SetBasicAuth("u1", "p1")
	oreq.Header.Set("X-Authorization", old("{}"))
	ores, err := http.DefaultClient.Do(oreq)
	if err != nil {
		t.Fatal(err)
	}
	ob, _ := io.ReadAll(ores.Body)
	ores.Body.Close()
	if ores.StatusCode != 403 || !strings.Contains(string(ob), "X-Authorization: hash does not match") {
		t.Errorf("old signature scheme: %d %s", ores.StatusCode, ob)
	}
	// The portal's message computed here by hand: merchant, timestamp,
	// nonce and body joined by ':'.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("m1:" + ts + ":n-hand:{}"))
	hreq, _ := http.NewRequest(http.MethodPost, srv.URL+tinkaCreatePath, strings.NewReader("{}"))
	hreq.SetBasicAuth("u1", "p1")
	hreq.Header.Set("X-Authorization", "hmac m1:"+base64.StdEncoding.EncodeToString(m.Sum(nil))+":n-hand:"+ts)
	hres, err := http.DefaultClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := io.ReadAll(hres.Body)
	hres.Body.Close()
	if hres.StatusCode != 400 || !strings.Contains(string(hb), "VALIDATION_ERROR") {
		t.Errorf("hand-signed: %d %s (want past the HMAC, stopped by validation)", hres.StatusCode, hb)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+tinkaCreatePath, strings.NewReader("{}"))
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

// signJWT writes an RS256/384/512 JWT by hand, without pkg/tikkie.
func signJWT(t testing.TB, key *rsa.PrivateKey, alg string, claims map[string]any) string {
	h := map[string]crypto.Hash{"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512}[alg]
	hb, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	cb, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	d := h.New()
	d.Write([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, d.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func noneJWT(claims map[string]any) string {
	cb, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString(cb) + "."
}

func FuzzVerifyAssertion(f *testing.F) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Unix(1700000000, 0)
	j := signJWT(f, key, "RS256", map[string]any{"iss": "i", "sub": "k", "aud": tikkieAudience, "nbf": now.Unix(), "exp": now.Unix() + 60})
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
