package twikey_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/internal/wirecase"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/twikey"
)

func loadWireCases(t *testing.T) []wirecase.Case {
	t.Helper()
	cs, err := wirecase.Load(filepath.Join("..", "..", "testdata", "wire", "twikey"))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestWireClient replays each recorded answer of the reference to the
// client: it sends the recorded request and reads the answer as expected.
func TestWireClient(t *testing.T) {
	cases := loadWireCases(t)
	login := cases[0]
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var session string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				cs := c
				if r.Method == http.MethodPost && r.URL.Path == "/creditor" {
					cs = login
				} else {
					session = r.Header.Get("Authorization")
					if c.Call == "Login" { // the call after the login only shows the session
						w.Write([]byte(`{"Statements":[]}`))
						return
					}
				}
				if r.Method != cs.Request.Method || r.URL.Path != cs.Request.Path {
					t.Errorf("request %s %s, want %s %s", r.Method, r.URL.Path, cs.Request.Method, cs.Request.Path)
				}
				f, _ := url.ParseQuery(string(body))
				for k := range cs.Request.Form {
					if f.Get(k) == "" {
						t.Errorf("form: no %s", k)
					}
				}
				for k, v := range cs.Request.Query {
					if !strings.Contains(","+strings.Join(r.URL.Query()[k], ",")+",", ","+v+",") {
						t.Errorf("query %s=%q, want %q", k, r.URL.Query()[k], v)
					}
				}
				for _, h := range cs.Request.Headers {
					if r.Header.Get(h) == "" {
						t.Errorf("no %s header", h)
					}
				}
				for k, v := range cs.Answer.Headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(cs.Answer.Status)
				w.Write(cs.Answer.Body)
			}))
			defer srv.Close()
			cl, err := twikey.New(twikey.Options{BaseURL: srv.URL, APIToken: "api-token", MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			got := map[string]string{}
			switch c.Call {
			case "Login":
				if err := cl.Login(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := cl.AccountReporting(ctx); err != nil {
					t.Fatal(err)
				}
				got["session"] = session
			case "AccountReporting":
				es, err := cl.AccountReporting(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var s []string
				for _, e := range es {
					rc := e.Meta.ReasonCode
					if rc == "" {
						rc = "-"
					}
					s = append(s, fmt.Sprintf("%s %s %s", e.Type, e.Amount().StringFixed(2), rc))
				}
				got["entries"] = strings.Join(s, ",")
			case "TransactionFeed":
				es, err := cl.TransactionFeed(ctx, twikey.FeedOptions{Include: []string{twikey.IncludeCollection}})
				if err != nil {
					t.Fatal(err)
				}
				var s []string
				for _, e := range es {
					s = append(s, fmt.Sprintf("%d %s %s %s %s %s collection=%d", e.ID, e.MandateID, e.Contract, e.Amount, e.State, e.BankError, e.Collection))
				}
				got["entries"] = strings.Join(s, ",")
			default:
				t.Fatalf("unknown call %q", c.Call)
			}
			for k, v := range c.Expect {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// TestWireSandbox sends each recorded request to the platform sandbox and
// checks that its answer has what the recorded answer has: the status,
// the headers, every attribute with a value of the same kind.
func TestWireSandbox(t *testing.T) {
	for _, c := range loadWireCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			srv := sandbox.New(t.TempDir(), sandbox.Options{})
			if err := srv.Start("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			cl, err := twikey.New(twikey.Options{BaseURL: srv.URL(), APIToken: sandbox.DefaultToken, MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			// A collection with two returns (cents .03: AC04, .01: AM04), for the feed and
			// reporting to have something to tell; the debtor's bank is known.
			var b bytes.Buffer
			day := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
			pw, err := pain008.NewWriter(&b, pain008.WriterOptions{MessageID: "WIRE", CreatedAt: day.AddDate(0, 0, -3)})
			if err != nil {
				t.Fatal(err)
			}
			for i, amount := range []string{"22.03", "25.01"} { // AC04, AM04
				if err := pw.Write(pain008.Transaction{EndToEndID: fmt.Sprintf("WIRE-E%d", i+1), Amount: decimal.RequireFromString(amount), Currency: "EUR",
					MandateID: "MNDT123", MandateSignedOn: day.AddDate(-1, 0, 0), SequenceType: pain008.SeqRecurrent, LocalInstrument: pain008.InstrumentCore,
					CollectionDate: day, Creditor: pain008.Creditor{Name: sandbox.SampleCreditorName, IBAN: sandbox.SampleCreditorIBAN, BIC: sandbox.SampleCreditorBIC, ID: sandbox.SampleCreditorID},
					DebtorName: "Wouters Doe", DebtorIBAN: "BE71096123456769", DebtorBIC: "GKCCBEBB", Remittance: "order 1235"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := pw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := cl.ImportCollection(context.Background(), 1234, bytes.NewReader(b.Bytes())); err != nil {
				t.Fatal(err)
			}
			var req *http.Request
			switch {
			case len(c.Request.Form) > 0:
				req, _ = http.NewRequest(c.Request.Method, srv.URL()+c.Request.Path, strings.NewReader(url.Values{"apiToken": {sandbox.DefaultToken}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			default:
				q := url.Values{}
				for k, v := range c.Request.Query {
					q.Add(k, v)
				}
				req, _ = http.NewRequest(c.Request.Method, srv.URL()+c.Request.Path+"?"+q.Encode(), nil)
				res, err := http.PostForm(srv.URL()+"/creditor", url.Values{"apiToken": {sandbox.DefaultToken}})
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				req.Header.Set("Authorization", res.Header.Get("Authorization"))
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.Answer.Status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, c.Answer.Status, body)
			}
			for k := range c.Answer.Headers {
				if res.Header.Get(k) == "" {
					t.Errorf("no %s header in the answer", k)
				}
			}
			if diff, err := wirecase.Covers(c.Answer.Body, body, c.Fixed...); err != nil || diff != "" {
				t.Errorf("answer %s\ndiffers from the recorded one: %s %v", body, diff, err)
			}
		})
	}
}
