package tinka_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/redirect"
	"github.com/batchtool/batchtool/pkg/tinka"
)

// TestNoCrossOriginRedirect: an answer redirecting to another port or host
// name is not followed; neither the Basic credentials nor the signed
// X-Authorization reach it.
func TestNoCrossOriginRedirect(t *testing.T) {
	var mu sync.Mutex
	var stolen []string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stolen = append(stolen, r.URL.Path+" Authorization="+r.Header.Get("Authorization")+" X-Authorization="+r.Header.Get("X-Authorization"))
		mu.Unlock()
		w.Write([]byte(`{"paymentRequestId":"x","decision":"Accepted"}`))
	}))
	defer evil.Close()
	for _, tc := range []struct{ name, target string }{
		{"another port", evil.URL},
		{"another host name", strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)},
	} {
		stolen = nil
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, tc.target+r.URL.Path, http.StatusFound)
		}))
		c, err := tinka.New(tinka.Config{BaseURL: api.URL, MerchantID: "m", Username: "u", Password: "p", Secret: secret, Retries: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Status(context.Background(), "x")
		api.Close()
		if err == nil || !errors.Is(err, redirect.ErrCrossOrigin) {
			t.Errorf("%s: %v, want a refused redirect", tc.name, err)
		}
		if len(stolen) != 0 {
			t.Errorf("%s: the other origin was called: %q", tc.name, stolen)
		}
	}
}

// TestSynchronousAnswerSignature: Tinka signs the answer of a synchronous
// call; an answer whose signature does not verify is refused, one without a
// signature is read.
func TestSynchronousAnswerSignature(t *testing.T) {
	body := []byte(`{"paymentRequestId":"01234567-aaaa-bbbb-cccc-987654321abc","decision":"Accepted"}`)
	for _, tc := range []struct {
		name, header, want string
	}{
		{"signed by the merchant's secret", "hmac " + tinka.Signature(secret, "example", fmt.Sprint(time.Now().Unix()), "n1", body) + ":n1:" + fmt.Sprint(time.Now().Unix()), ""},
		{"not signed", "", ""},
		{"signed by another secret", "hmac " + tinka.Signature([]byte("other"), "example", fmt.Sprint(time.Now().Unix()), "n1", body) + ":n1:" + fmt.Sprint(time.Now().Unix()),
			"tinka: Create POST /merchant-api/v2/online/payment-requests?synchronous=true: answer: tinka: X-Authorization: signature does not match"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("X-Authorization", tc.header)
			}
			w.Write(body)
		}))
		c, _ := tinka.New(tinka.Config{BaseURL: srv.URL, MerchantID: "example", Username: "u", Password: "p", Secret: secret})
		r, err := c.Create(context.Background(), invoice("sig-1", 1000), tinka.CreateOptions{Synchronous: true})
		srv.Close()
		switch {
		case tc.want == "" && (err != nil || r.Decision != tinka.Accepted):
			t.Errorf("%s: %+v %v", tc.name, r, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
