package tikkie_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/batchtool/batchtool/internal/redirect"
	"github.com/batchtool/batchtool/pkg/tikkie"
)

// TestNoCrossOriginRedirect: an answer redirecting to another port or host
// name is not followed; neither the bearer token nor the API key reaches it.
func TestNoCrossOriginRedirect(t *testing.T) {
	var mu sync.Mutex
	var stolen []string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stolen = append(stolen, r.URL.Path+" Authorization="+r.Header.Get("Authorization")+" API-Key="+r.Header.Get("API-Key"))
		mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	defer evil.Close()
	for _, tc := range []struct{ name, target string }{
		{"another port", evil.URL},
		{"another host name", strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)},
	} {
		stolen = nil
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == tikkie.TokenPath {
				w.Write([]byte(`{"access_token":"bearer-123","expires_in":"3600","scope":"tikkie","token_type":"Bearer"}`))
				return
			}
			http.Redirect(w, r, tc.target+r.URL.Path, http.StatusFound)
		}))
		c, err := tikkie.New(tikkie.Config{BaseURL: api.URL, APIKey: "api-key-1", PrivateKey: testKey(), Retries: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.GetPaymentRequest(context.Background(), "p", "u", "r")
		api.Close()
		if err == nil || !errors.Is(err, redirect.ErrCrossOrigin) {
			t.Errorf("%s: %v, want a refused redirect", tc.name, err)
		}
		if len(stolen) != 0 {
			t.Errorf("%s: the other origin was called: %q", tc.name, stolen)
		}
	}
}
