package redirect

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	// The target records what reaches it.
	var got []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path+" auth="+r.Header.Get("Authorization")+" key="+r.Header.Get("API-Key")+" x="+r.Header.Get("X-Authorization"))
	}))
	defer target.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/other-port":
			http.Redirect(w, r, target.URL+"/stolen", http.StatusFound)
		case "/other-host":
			http.Redirect(w, r, strings.Replace(target.URL, "127.0.0.1", "localhost", 1)+"/stolen", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/landing", http.StatusFound)
		case "/landing":
			got = append(got, r.URL.Path+" auth="+r.Header.Get("Authorization")+" key="+r.Header.Get("API-Key")+" x="+r.Header.Get("X-Authorization"))
		}
	}))
	defer origin.Close()
	c := Client(nil)
	for _, tc := range []struct {
		path, err string
		got       []string
	}{
		{"/other-port", "redirect to another origin refused: http://" + origin.Listener.Addr().String() + " redirected to http://" + target.Listener.Addr().String(), nil},
		{"/other-host", "redirect to another origin refused: http://" + origin.Listener.Addr().String() + " redirected to http://" +
			strings.Replace(target.Listener.Addr().String(), "127.0.0.1", "localhost", 1), nil},
		{"/same", "", []string{"/landing auth= key= x="}},
	} {
		got = nil
		req, _ := http.NewRequest(http.MethodGet, origin.URL+tc.path, nil)
		req.Header.Set("Authorization", "session-token")
		req.Header.Set("API-Key", "api-key")
		req.Header.Set("X-Authorization", "hmac m:sig:n:1")
		res, err := c.Do(req)
		if res != nil {
			res.Body.Close()
		}
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case tc.err != "" && (err == nil || !errors.Is(err, ErrCrossOrigin) || !strings.HasSuffix(err.Error(), tc.err)):
			t.Errorf("%s: %v, want %s", tc.path, err, tc.err)
		}
		if strings.Join(got, "|") != strings.Join(tc.got, "|") {
			t.Errorf("%s: the target saw %q, want %q", tc.path, got, tc.got)
		}
	}
}

func TestOrigin(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{origin("https", "api.twikey.com"), origin("https", "API.twikey.com:443")},
		{origin("http", "127.0.0.1"), origin("http", "127.0.0.1:80")},
		{origin("http", "[::1]"), origin("http", "[::1]:80")},
	} {
		if tc.a != tc.b {
			t.Errorf("%s != %s", tc.a, tc.b)
		}
	}
	if origin("http", "a:80") == origin("https", "a:80") || origin("http", "a:1") == origin("http", "a:2") {
		t.Error("scheme or port ignored")
	}
}
