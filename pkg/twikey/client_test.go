package twikey_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// fakeClock advances instantly on Sleep and records every wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

type env struct {
	srv   *sandbox.Server
	dir   string
	clock *fakeClock
	c     *twikey.Client
}

// setup starts a sandbox on a loopback port and a client for it whose
// backoff has no jitter (the computed delay is waited exactly).
func setup(t *testing.T, sopts sandbox.Options, mod func(*twikey.Options)) *env {
	t.Helper()
	dir := t.TempDir()
	srv := sandbox.New(dir, sopts)
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	clk := newFakeClock()
	opts := twikey.Options{
		BaseURL: srv.URL(), APIToken: sandbox.DefaultToken, Clock: clk, UserAgent: "batchtool/test",
		Jitter: func(d time.Duration) time.Duration { return d },
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := twikey.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, dir: dir, clock: clk, c: c}
}

func batch(t *testing.T, msgID string, amounts ...string) *bytes.Reader {
	t.Helper()
	var b bytes.Buffer
	if err := sandbox.SampleBatch(&b, msgID, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), amounts...); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b.Bytes())
}

func apiErr(t *testing.T, err error) *twikey.Error {
	t.Helper()
	var e *twikey.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T): want *twikey.Error", err, err)
	}
	return e
}

var ctx = context.Background()

func TestLoginOncePerSessionAcrossGoroutines(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.c.QueryCollections(ctx, twikey.CollectionQuery{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := e.srv.Stats()
	if st["POST /creditor"] != 1 || st["GET /creditor/collect/query"] != 8 {
		t.Fatalf("stats %v: want 1 login and 8 queries", st)
	}
}

func TestSessionRenewedAfterTTL(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	for _, step := range []time.Duration{0, 22 * time.Hour, 61 * time.Minute} {
		e.clock.Advance(step)
		if _, err := e.c.ListFiles(ctx, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	// 0h and 22h share a session; 23h01 is past the 23h reuse limit.
	if n := e.srv.Stats()["POST /creditor"]; n != 2 {
		t.Fatalf("logins = %d, want 2", n)
	}
}

func TestSessionExpiredOnPlatformIsRenewedAndCallRetriedOnce(t *testing.T) {
	for _, kind := range []sandbox.FaultKind{sandbox.FaultExpire, sandbox.FaultNoLogin} {
		t.Run(string(kind), func(t *testing.T) {
			e := setup(t, sandbox.Options{}, nil)
			if _, err := e.c.ListFiles(ctx, time.Time{}); err != nil {
				t.Fatal(err)
			}
			e.srv.Inject(sandbox.Fault{Kind: kind, Path: "/creditor/collect/import"})
			if err := e.c.ImportCollection(ctx, 1234, batch(t, "EXP1", "10.00")); err != nil {
				t.Fatal(err)
			}
			st := e.srv.Stats()
			if st["POST /creditor"] != 2 || st["POST /creditor/collect/import"] != 2 {
				t.Fatalf("stats %v: want 2 logins and 2 import attempts", st)
			}
			if len(e.clock.Sleeps()) != 0 {
				t.Fatalf("waited %v on a session renewal", e.clock.Sleeps())
			}
		})
	}
}

func TestSessionErrorTwiceIsReported(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultNoLogin, Path: "/creditor/files", Count: 2})
	_, err := e.c.ListFiles(ctx, time.Time{})
	// The platform signals it with the code in the headers only.
	if got, want := fmt.Sprint(err), "twikey: GET /creditor/files: err_no_login"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
}

func TestLoginRefusedNeverShowsToken(t *testing.T) {
	e := setup(t, sandbox.Options{}, func(o *twikey.Options) { o.APIToken = "wrong-secret-token" })
	_, err := e.c.ListFiles(ctx, time.Time{})
	if got, want := fmt.Sprint(err), "twikey: POST /creditor: login_failed: the platform refused the API token (HTTP 401)"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
	if e := apiErr(t, err); e.Code != twikey.CodeLoginFailed || e.Status != 401 {
		t.Fatalf("got %+v", e)
	}
	if n := e.srv.Stats()["POST /creditor"]; n != 1 {
		t.Fatalf("login attempts = %d, want 1 (a refusal is not retried)", n)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	o := twikey.Options{APIToken: "s3cr3t-token", PrivateKey: "abcdef"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if s := fmt.Sprintf(f, o); strings.Contains(s, "s3cr3t") || strings.Contains(s, "abcdef") || strings.Contains(s, fmt.Sprintf("%x", "s3cr3t")) {
			t.Errorf("%s prints the secret: %s", f, s)
		}
	}
}

func TestLoginWithOTP(t *testing.T) {
	const key = "deadbeefcafebabe00112233445566778899aabbccddeeff"
	// The sandbox checks the OTP against the wall clock; so does this client.
	e := setup(t, sandbox.Options{PrivateKey: key}, func(o *twikey.Options) { o.PrivateKey = key; o.Clock = nil })
	if err := e.c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	bad := setup(t, sandbox.Options{PrivateKey: key}, func(o *twikey.Options) { o.PrivateKey = "00"; o.Clock = nil })
	err := bad.c.Login(ctx)
	if got, want := fmt.Sprint(err), "twikey: POST /creditor: login_failed: the platform refused the API token or the OTP (HTTP 401)"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
}

func TestUserAgent(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	if _, err := e.c.ListFiles(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if st := e.srv.Stats(); st["User-Agent batchtool/test"] != 2 {
		t.Fatalf("stats %v: want 2 requests with User-Agent batchtool/test", st)
	}
}
