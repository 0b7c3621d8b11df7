package tinka_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/payreqsandbox"
	"github.com/batchtool/batchtool/internal/wirecase"
	"github.com/batchtool/batchtool/pkg/tinka"
)

func loadCases(t *testing.T) []wirecase.Case {
	t.Helper()
	cs, err := wirecase.Load(filepath.Join("..", "..", "testdata", "wire", "tinka"))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestWireClient replays each recorded answer to the client: the client
// sends the recorded request (method, path, query, headers, a body with the
// recorded attributes and values) and reads the answer as the case expects.
func TestWireClient(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if _, ok := wirecase.MatchPath(c.Request.Path, r.URL.Path); !ok || r.Method != c.Request.Method {
					t.Errorf("request %s %s, want %s %s", r.Method, r.URL.Path, c.Request.Method, c.Request.Path)
				}
				for k, v := range c.Request.Query {
					if r.URL.Query().Get(k) != v {
						t.Errorf("query %s=%q, want %q", k, r.URL.Query().Get(k), v)
					}
				}
				for _, h := range c.Request.Headers {
					if r.Header.Get(h) == "" {
						t.Errorf("no %s header", h)
					}
				}
				if len(c.Request.Body) > 0 {
					var want, got any
					json.Unmarshal(c.Request.Body, &want)
					json.Unmarshal(body, &got)
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("body\n%v\nwant\n%v", got, want)
					}
				}
				for k, v := range c.Answer.Headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(c.Answer.Status)
				w.Write(c.Answer.Body)
			}))
			defer srv.Close()
			cl, err := tinka.New(tinka.Config{BaseURL: srv.URL, MerchantID: "example", Username: "u", Password: "p", Secret: secret, Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			got := map[string]string{}
			switch c.Call {
			case "Create", "CreateSynchronous":
				var req tinka.PaymentRequest
				if err := json.Unmarshal(c.Request.Body, &req); err != nil {
					t.Fatal(err)
				}
				r, err := cl.Create(ctx, &req, tinka.CreateOptions{Synchronous: c.Call == "CreateSynchronous"})
				if err != nil {
					t.Fatal(err)
				}
				got["paymentRequestId"], got["redirectUrl"], got["decision"] = r.PaymentRequestID, r.RedirectURL, string(r.Decision)
			case "Status":
				st, err := cl.Status(ctx, "01234567-aaaa-bbbb-cccc-987654321abc")
				var ae *tinka.APIError
				switch {
				case errors.As(err, &ae):
					got["status"] = fmt.Sprint(ae.StatusCode)
				case err != nil:
					t.Fatal(err)
				default:
					got["paymentRequestId"], got["paymentMethod"], got["requestedPaymentAmount"] = st.PaymentRequestID, string(st.PaymentMethod), fmt.Sprint(st.RequestedPaymentAmount)
					got["decision"], got["decisionDateTime"] = string(st.Decision), st.DecisionDateTime
					got["transactionId"], got["merchantRequestReference"] = st.TransactionID, st.MerchantRequestReference
				}
			default:
				t.Fatalf("unknown call %q", c.Call)
			}
			keys := make([]string, 0, len(c.Expect))
			for k := range c.Expect {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if got[k] != c.Expect[k] {
					t.Errorf("%s = %q, want %q", k, got[k], c.Expect[k])
				}
			}
		})
	}
}

// TestWireSandbox sends each recorded request, signed, to the sandbox and
// compares its answer with the recorded one: same status, same shape.
func TestWireSandbox(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			sb := payreqsandbox.New()
			sb.AddTinkaMerchant("example", "example-user", "pa55word", secret)
			srv := httptest.NewServer(sb.Handler())
			defer srv.Close()
			vars := map[string]string{"paymentRequestId": "00000000-0000-0000-0000-000000000000"}
			if c.Answer.Status == http.StatusOK && c.Call == "Status" {
				// A request to ask the status of.
				var first wirecase.Case
				for _, o := range loadCases(t) {
					if o.Call == "Create" {
						first = o
						break
					}
				}
				status, body := signedCall(t, srv.URL, http.MethodPost, first.Request.Path, first.Request.Body)
				var r struct {
					PaymentRequestID string `json:"paymentRequestId"`
				}
				if status != 200 || json.Unmarshal(body, &r) != nil {
					t.Fatalf("create: %d %s", status, body)
				}
				// The status of a Credit request is read after its decision.
				if err := sb.DecideTinka(r.PaymentRequestID, "Accepted"); err != nil {
					t.Fatal(err)
				}
				vars["paymentRequestId"] = r.PaymentRequestID
			}
			path := wirecase.Fill(c.Request.Path, vars)
			if len(c.Request.Query) > 0 {
				path += "?synchronous=" + c.Request.Query["synchronous"]
			}
			status, body := signedCall(t, srv.URL, c.Request.Method, path, c.Request.Body)
			if status != c.Answer.Status {
				t.Fatalf("status %d, want %d: %s", status, c.Answer.Status, body)
			}
			if len(c.Answer.Body) == 0 {
				return // the recorded answer has no documented body
			}
			got := body
			same, want, have, err := wirecase.SameShape(c.Answer.Body, body)
			if err != nil || !same {
				t.Errorf("answer shape\n%s\nwant (recorded)\n%s\n%v", have, want, err)
			}
			if diff, err := wirecase.Covers(c.Answer.Body, got, c.Fixed...); err != nil || diff != "" {
				t.Errorf("answer %s\ndiffers from the recorded one: %s %v", got, diff, err)
			}
		})
	}
}

// signedCall sends one request as the client would: Basic credentials and
// the X-Authorization header over the body.
func signedCall(t *testing.T, base, method, path string, body []byte) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.SetBasicAuth("example-user", "pa55word")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Authorization", tinka.AuthorizationHeader(secret, "example", fmt.Sprint(time.Now().UnixNano()), time.Now(), body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}
