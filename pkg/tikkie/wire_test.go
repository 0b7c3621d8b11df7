package tikkie_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/payreqsandbox"
	"github.com/batchtool/batchtool/internal/wirecase"
	"github.com/batchtool/batchtool/pkg/tikkie"
)

func loadCases(t *testing.T) []wirecase.Case {
	t.Helper()
	cs, err := wirecase.Load(filepath.Join("..", "..", "testdata", "wire", "tikkie"))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// checkRequest compares a request with what the case says the client must
// send, and returns the path's placeholder values.
func checkRequest(t *testing.T, c wirecase.Case, r *http.Request, body []byte) {
	t.Helper()
	if r.Method != c.Request.Method {
		t.Errorf("%s: method %s, want %s", c.Name, r.Method, c.Request.Method)
	}
	if _, ok := wirecase.MatchPath(c.Request.Path, r.URL.Path); !ok {
		t.Errorf("%s: path %s, want %s", c.Name, r.URL.Path, c.Request.Path)
	}
	q := r.URL.Query()
	for k, v := range c.Request.Query {
		if got, ok := q[k]; !ok || (v != "*" && got[0] != v) {
			t.Errorf("%s: query %s=%q, want %q", c.Name, k, got, v)
		}
	}
	if len(c.Request.Form) > 0 {
		f, _ := url.ParseQuery(string(body))
		for k, v := range c.Request.Form {
			if got := f.Get(k); got == "" || (v != "*" && got != v) {
				t.Errorf("%s: form %s=%q, want %q", c.Name, k, got, v)
			}
		}
	}
	for _, h := range c.Request.Headers {
		if r.Header.Get(h) == "" {
			t.Errorf("%s: no %s header", c.Name, h)
		}
	}
	if len(c.Request.Body) > 0 {
		var want, got map[string]any
		json.Unmarshal(c.Request.Body, &want)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("%s: body %s is not JSON", c.Name, body)
		}
		for k, v := range want {
			if fmt.Sprint(got[k]) != fmt.Sprint(v) {
				t.Errorf("%s: body %s=%v, want %v", c.Name, k, got[k], v)
			}
		}
	}
}

// TestWireClient replays each recorded answer to the client: the client
// sends the request the case records, and reads the answer as the case
// expects.
func TestWireClient(t *testing.T) {
	cases := loadCases(t)
	var token wirecase.Case
	for _, c := range cases {
		if c.Name == "access token with a client assertion" {
			token = c
		}
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []string // requests other than the case's own
			var bearer string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				answer := func(cs wirecase.Case) {
					for k, v := range cs.Answer.Headers {
						w.Header().Set(k, v)
					}
					w.WriteHeader(cs.Answer.Status)
					w.Write(cs.Answer.Body)
				}
				_, own := wirecase.MatchPath(c.Request.Path, r.URL.Path)
				switch {
				case own && r.Method == c.Request.Method:
					checkRequest(t, c, r, body)
					answer(c)
				case r.URL.Path == tikkie.TokenPath:
					answer(token)
				default:
					mu.Lock()
					seen = append(seen, r.Method+" "+r.URL.Path)
					bearer = r.Header.Get("Authorization")
					mu.Unlock()
					w.WriteHeader(http.StatusTeapot)
				}
			}))
			defer srv.Close()
			cl, err := tikkie.New(tikkie.Config{BaseURL: srv.URL, APIKey: "api-key-1", PrivateKey: testKey(), Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			got := map[string]string{}
			var callErr error
			switch c.Call {
			case "Token":
				// The token answer is what is checked: the call after it
				// carries the token (the fake answers that call 418).
				_, callErr = cl.CreatePlatform(ctx, tikkie.NewPlatform{Name: "p", PhoneNumber: "1", PlatformUsage: tikkie.UsageForMyself})
				if len(seen) == 1 {
					got["bearer"], callErr = bearer, nil
				}
			case "CreatePlatform":
				p, err := cl.CreatePlatform(ctx, tikkie.NewPlatform{Name: "NewPlatform", PhoneNumber: "0601234567", Email: "x@yz.com", PlatformUsage: tikkie.UsageForMyself})
				callErr = err
				if err == nil {
					got["platformToken"], got["status"] = p.PlatformToken, p.Status
				}
			case "CreateUser":
				u, err := cl.CreateUser(ctx, "pt", tikkie.NewUser{Name: "NewUser", PhoneNumber: "0601234567", IBAN: "NL02ABNA0123456789", BankAccountLabel: "Personal account"})
				callErr = err
				if err == nil {
					got["userToken"], got["bankAccountToken"] = u.UserToken, u.BankAccounts[0].BankAccountToken
				}
			case "CreatePaymentRequest":
				cr, err := cl.CreatePaymentRequest(ctx, "pt", "ut", "bt", tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("1.23"), Description: "Last night's dinner", ExternalID: "Invoice: 4567"})
				callErr = err
				if err == nil {
					got["paymentRequestToken"], got["paymentRequestUrl"] = cr.PaymentRequestToken, cr.PaymentRequestURL
				}
			case "GetPaymentRequest":
				pr, err := cl.GetPaymentRequest(ctx, "pt", "ut", "prt")
				callErr = err
				if err == nil {
					exp := "live"
					if pr.Expired != nil {
						exp = pr.Expired.UTC().Format(time.RFC3339)
					}
					got["amount"], got["status"], got["expired"] = pr.Amount().StringFixed(2), pr.Status, exp
					got["created"], got["externalId"] = pr.Created.UTC().Format(time.RFC3339), pr.ExternalID
					got["payments"], got["paid"] = fmt.Sprint(len(pr.Payments)), pr.PaidAmount().StringFixed(2)
					got["paymentRequestUrl"] = pr.PaymentRequestURL
				}
			case "ListPaymentRequests":
				opt := tikkie.ListOptions{}
				if c.Request.Query["fromDate"] != "" {
					opt.From, _ = time.Parse(time.RFC3339, c.Request.Query["fromDate"])
					opt.To, _ = time.Parse(time.RFC3339, c.Request.Query["toDate"])
				}
				var rs []string
				for pr, err := range cl.PaymentRequests(ctx, "pt", "ut", opt) {
					if err != nil {
						callErr = err
						break
					}
					exp := "live"
					if pr.Expired != nil {
						exp = pr.Expired.UTC().Format(time.RFC3339)
					}
					rs = append(rs, pr.PaymentRequestToken+" "+pr.Status+" "+exp)
				}
				got["requests"] = strings.Join(rs, ",")
			default:
				t.Fatalf("unknown call %q", c.Call)
			}
			if callErr != nil {
				got["error"] = callErr.Error()
			}
			want := c.Expect
			if _, ok := want["error"]; !ok && callErr != nil {
				t.Fatalf("%v", callErr)
			}
			keys := make([]string, 0, len(want))
			for k := range want {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if got[k] != want[k] {
					t.Errorf("%s = %q, want %q", k, got[k], want[k])
				}
			}
		})
	}
}

// TestWireSandbox sends each recorded request to the sandbox (as a client
// would, with a real token) and compares the sandbox's answer with the
// recorded one: the same status and the same shape.
func TestWireSandbox(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			sb := payreqsandbox.New()
			sb.AddTikkieApp("api-key-1", &testKey().PublicKey)
			srv := httptest.NewServer(sb.Handler())
			defer srv.Close()
			cl, err := tikkie.New(tikkie.Config{BaseURL: srv.URL, APIKey: "api-key-1", PrivateKey: testKey()})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			p, err := cl.CreatePlatform(ctx, tikkie.NewPlatform{Name: "p", PhoneNumber: "1", PlatformUsage: tikkie.UsageForMyself})
			if err != nil {
				t.Fatal(err)
			}
			u, err := cl.CreateUser(ctx, p.PlatformToken, tikkie.NewUser{Name: "u", PhoneNumber: "1", IBAN: "NL02ABNA0123456789", BankAccountLabel: "l"})
			if err != nil {
				t.Fatal(err)
			}
			cr, err := cl.CreatePaymentRequest(ctx, p.PlatformToken, u.UserToken, u.BankAccounts[0].BankAccountToken,
				tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("1.23"), Description: "d", ExternalID: "e"})
			if err != nil {
				t.Fatal(err)
			}
			if c.Answer.Body != nil && strings.Contains(string(c.Answer.Body), `"EXPIRED"`) {
				if err := sb.ExpireTikkie(cr.PaymentRequestToken); err != nil {
					t.Fatal(err)
				}
			}
			vars := map[string]string{"platformToken": p.PlatformToken, "userToken": u.UserToken,
				"bankAccountToken": u.BankAccounts[0].BankAccountToken, "paymentRequestToken": cr.PaymentRequestToken}
			if c.Answer.Status == http.StatusNotFound {
				vars["platformToken"] = "no-such-platform"
			}
			apiKey := "api-key-1"
			if c.Answer.Status == http.StatusUnauthorized {
				apiKey = "no-such-key"
			}
			target := srv.URL + wirecase.Fill(c.Request.Path, vars)
			if len(c.Request.Query) > 0 {
				q := url.Values{}
				for k, v := range c.Request.Query {
					if v == "*" {
						v = "10"
					}
					q.Set(k, v)
				}
				target += "?" + q.Encode()
			}
			var body io.Reader
			req, _ := http.NewRequest(c.Request.Method, target, nil)
			switch {
			case len(c.Request.Form) > 0:
				f := url.Values{}
				for k, v := range c.Request.Form {
					f.Set(k, v)
				}
				jwt, err := tikkie.ClientAssertion(testKey(), apiKey, "wire-test", tikkie.AudienceSandbox, time.Now(), time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				f.Set("client_assertion", jwt)
				body = strings.NewReader(f.Encode())
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			case len(c.Request.Body) > 0:
				body = bytes.NewReader(c.Request.Body)
				req.Header.Set("Content-Type", "application/json")
			}
			if body != nil {
				req, _ = http.NewRequest(c.Request.Method, target, body)
				req.Header.Set("Content-Type", map[bool]string{true: "application/x-www-form-urlencoded", false: "application/json"}[len(c.Request.Form) > 0])
			}
			req.Header.Set("API-Key", apiKey)
			if c.Request.Path != tikkie.TokenPath {
				req.Header.Set("Authorization", "Bearer "+bearerOf(t, srv.URL))
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.Answer.Status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, c.Answer.Status, got)
			}
			same, want, have, err := wirecase.SameShape(c.Answer.Body, got)
			if err != nil || !same {
				t.Errorf("answer shape\n%s\nwant (recorded)\n%s\n%v", have, want, err)
			}
			if diff, err := wirecase.Covers(c.Answer.Body, got, c.Fixed...); err != nil || diff != "" {
				t.Errorf("answer %s\ndiffers from the recorded one: %s %v", got, diff, err)
			}
		})
	}
}

// bearerOf gets an access token from the sandbox by hand.
func bearerOf(t *testing.T, base string) string {
	t.Helper()
	jwt, err := tikkie.ClientAssertion(testKey(), "api-key-1", "wire-test", tikkie.AudienceSandbox, time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion": {jwt}, "scope": {"tikkie"}}
	req, _ := http.NewRequest(http.MethodPost, base+tikkie.TokenPath, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("API-Key", "api-key-1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || a.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return a.AccessToken
}
