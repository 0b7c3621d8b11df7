package tinka_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

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
