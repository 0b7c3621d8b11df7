package twikey_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/redirect"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// TestNoCrossOriginRedirect: a platform answer that redirects to another
// port on the same host, or to another host name, is not followed, so the
// session token never reaches it (issue 17 item 5).
func TestNoCrossOriginRedirect(t *testing.T) {
	var mu sync.Mutex
	var stolen []string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stolen = append(stolen, r.Method+" "+r.URL.Path+" Authorization="+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"Entries":[]}`))
	}))
	defer evil.Close()
	for _, tc := range []struct{ name, target string }{
		{"another port", evil.URL},
		{"another host name", strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)},
	} {
		stolen = nil
		platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/creditor" {
				w.Header().Set("Authorization", "session-123")
				return
			}
			http.Redirect(w, r, tc.target+r.URL.Path, http.StatusFound)
		}))
		c, err := twikey.New(twikey.Options{BaseURL: platform.URL, APIToken: "tok", BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.TransactionFeed(context.Background(), twikey.FeedOptions{})
		platform.Close()
		if err == nil || !errors.Is(err, redirect.ErrCrossOrigin) {
			t.Errorf("%s: %v, want a refused redirect", tc.name, err)
		}
		if len(stolen) != 0 {
			t.Errorf("%s: the other origin was called: %q", tc.name, stolen)
		}
	}
}

// TestDownloadNotFollowedToAnotherHost: a statement download redirected to
// another host is refused and nothing is saved.
func TestDownloadNotFollowedToAnotherHost(t *testing.T) {
	var calls int
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Write([]byte(`<?xml version="1.0"?><Document/>`))
	}))
	defer evil.Close()
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/creditor" {
			w.Header().Set("Authorization", "session-123")
			return
		}
		http.Redirect(w, r, strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)+"/stmt.xml", http.StatusFound)
	}))
	defer platform.Close()
	c, err := twikey.New(twikey.Options{BaseURL: platform.URL, APIToken: "tok", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = c.DownloadFile(context.Background(), "stmt.xml", dir, nil)
	if err == nil || !errors.Is(err, redirect.ErrCrossOrigin) {
		t.Errorf("download: %v, want a refused redirect", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || calls != 0 {
		t.Errorf("%d files saved, %d calls to the other host", len(entries), calls)
	}
}
