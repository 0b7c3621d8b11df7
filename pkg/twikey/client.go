package twikey

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/batchtool/batchtool/internal/redirect"
)

// DefaultBaseURL is the production platform.
const DefaultBaseURL = "https://api.twikey.com"

// Secret is an API token or key. It prints as "[redacted]" in every format,
// so that it cannot leak into a log line or an error message by accident.
type Secret string

func (Secret) String() string                  { return "[redacted]" }
func (Secret) GoString() string                { return "[redacted]" }
func (Secret) MarshalText() ([]byte, error)    { return []byte("[redacted]"), nil }
func (s Secret) Format(f fmt.State, verb rune) { io.WriteString(f, "[redacted]") }

// Clock tells the time and waits. The client waits only through its Clock,
// so tests measure waits with a fake clock instead of sleeping.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx is done.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Options configure a Client. Only APIToken is required.
type Options struct {
	BaseURL    string // default DefaultBaseURL
	APIToken   Secret // the API key from Settings > Api
	PrivateKey Secret // hex private key for enhanced security (OTP); empty when not set up
	UserAgent  string // default "batchtool/dev"

	// HTTPClient sends the requests. The default has connect and
	// response-header timeouts but no overall timeout, so that large
	// downloads are bounded by the caller's context instead.
	HTTPClient *http.Client
	Clock      Clock // default SystemClock

	MaxRetries    int           // retries after the first attempt; default 4, negative for none
	BaseDelay     time.Duration // first backoff delay; default 500ms
	MaxDelay      time.Duration // cap of the backoff delay; default 30s
	MaxRetryAfter time.Duration // longest 429 wait honoured; default 5m (longer waits fail at once)
	// Jitter returns the actual wait for a computed backoff delay d; the
	// default is "equal jitter", uniformly in [d/2, d].
	Jitter func(d time.Duration) time.Duration
	// SessionTTL is how long a session is reused; default 23h (the platform
	// keeps it 24h; the margin avoids racing its expiry).
	SessionTTL time.Duration
	// MaxDownload caps a downloaded reconciliation file, after gunzip;
	// default DefaultMaxDownload. A larger file is refused, never cut.
	MaxDownload int64
	// Logf, when set, receives one line per attempt: method, path, status,
	// duration. Never a header, a body or the token.
	Logf func(format string, args ...any)
}

// Client talks to the platform. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	token      Secret
	privateKey Secret
	userAgent  string
	hc         *http.Client
	clock      Clock
	maxRetries int
	baseDelay  time.Duration
	maxDelay   time.Duration
	maxRA      time.Duration
	jitter     func(time.Duration) time.Duration
	ttl        time.Duration
	maxDown    int64
	logf       func(string, ...any)

	sess *sessionCache
}

// New returns a client for opts.
func New(opts Options) (*Client, error) {
	if opts.APIToken == "" {
		return nil, errors.New("twikey: no API token")
	}
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("twikey: base URL %q: want http(s)://host", base)
	}
	if opts.PrivateKey != "" {
		if _, err := OTP(opts.PrivateKey, time.Unix(0, 0)); err != nil {
			return nil, err
		}
	}
	c := &Client{
		base:       u,
		token:      opts.APIToken,
		privateKey: opts.PrivateKey,
		userAgent:  opts.UserAgent,
		hc:         opts.HTTPClient,
		clock:      opts.Clock,
		maxRetries: opts.MaxRetries,
		baseDelay:  opts.BaseDelay,
		maxDelay:   opts.MaxDelay,
		maxRA:      opts.MaxRetryAfter,
		jitter:     opts.Jitter,
		ttl:        opts.SessionTTL,
		maxDown:    opts.MaxDownload,
		logf:       opts.Logf,
		sess:       newSessionCache(),
	}
	if c.userAgent == "" {
		c.userAgent = "batchtool/dev"
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
		}}
	}
	// No cross-origin redirect, no credential on any redirect.
	c.hc = redirect.Client(c.hc)
	if c.clock == nil {
		c.clock = SystemClock{}
	}
	if c.maxRetries == 0 {
		c.maxRetries = 4
	} else if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.baseDelay <= 0 {
		c.baseDelay = 500 * time.Millisecond
	}
	if c.maxDelay <= 0 {
		c.maxDelay = 30 * time.Second
	}
	if c.maxRA <= 0 {
		c.maxRA = 5 * time.Minute
	}
	if c.jitter == nil {
		c.jitter = func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }
	}
	if c.ttl <= 0 {
		c.ttl = 23 * time.Hour
	}
	if c.maxDown <= 0 {
		c.maxDown = DefaultMaxDownload
	}
	return c, nil
}

// BaseURL returns the platform address the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// CallOption adjusts one call.
type CallOption func(*request)

// WithIdempotencyKey sends an Idempotency-Key header. The platform runs a
// request with a given key at most once, so the client may then retry a
// POST after a 5xx answer or a network error.
func WithIdempotencyKey(key string) CallOption {
	return func(r *request) { r.header.Set("Idempotency-Key", key) }
}

// request is one logical call, possibly sent several times.
type request struct {
	method string
	path   string // escaped path below the base URL, e.g. "/creditor/files"
	query  url.Values
	header http.Header
	body   io.Reader // nil, or replayable when it is an io.Seeker
	auth   bool      // needs a session
	// idempotent marks a POST that may be sent twice without harm.
	idempotent bool
	// lossy marks a call whose answer, once lost, cannot be asked for
	// again: the platform moved on when it answered (a plain listing of
	// files). It is not sent again after a network error; the caller must
	// ask differently (ListFiles with a reset).
	lossy bool
}

func newRequest(method, path string, body io.Reader, opts []CallOption) *request {
	r := &request{method: method, path: path, header: http.Header{}, body: body, auth: true}
	for _, o := range opts {
		o(r)
	}
	return r
}

func (r *request) call() string {
	p := r.path
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return r.method + " " + p
}

// safe reports whether sending the request twice cannot do harm.
func (r *request) safe() bool {
	return r.idempotent || r.method == http.MethodGet || r.method == http.MethodHead || r.header.Get("Idempotency-Key") != ""
}

// do sends req, retrying as the package doc describes, and returns a 2xx
// response whose body the caller must close.
func (c *Client) do(ctx context.Context, req *request) (*http.Response, error) {
	call := req.call()
	var start int64 = -1
	if s, ok := req.body.(io.Seeker); ok {
		if off, err := s.Seek(0, io.SeekCurrent); err == nil {
			start = off
		}
	}
	replayable := req.body == nil || start >= 0
	relogged := false
	var lastErr error
	for attempt, sends := 0, 0; ; attempt, sends = attempt+1, sends+1 {
		if sends > 0 {
			if !replayable {
				return nil, fmt.Errorf("%w (request body cannot be replayed for a retry)", lastErr)
			}
			if req.body != nil {
				if _, err := req.body.(io.Seeker).Seek(start, io.SeekStart); err != nil {
					return nil, fmt.Errorf("twikey: %s: rewinding body for retry: %w", call, err)
				}
			}
		}
		var session string
		if req.auth {
			var err error
			if session, err = c.session(ctx); err != nil {
				return nil, err
			}
		}
		if req.lossy {
			// On a connection it reused, the HTTP transport sends a GET
			// again by itself when the connection breaks: a lossy call
			// takes a new one, where it does not.
			c.hc.CloseIdleConnections()
		}
		resp, err := c.send(ctx, req, session)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("twikey: %s: %w", call, ctx.Err())
			}
			lastErr = fmt.Errorf("twikey: %s: %w", call, err)
			if req.lossy {
				return nil, fmt.Errorf("%w (the answer may have been lost after the platform moved its feed: not sent again)", lastErr)
			}
			if req.safe() && attempt < c.maxRetries && !errors.Is(err, redirect.ErrCrossOrigin) {
				if err := c.clock.Sleep(ctx, c.backoff(attempt)); err != nil {
					return nil, fmt.Errorf("twikey: %s: %w", call, err)
				}
				continue
			}
			return nil, lastErr
		}
		apiErr := apiErrorFromHeaders(resp.Header, resp.StatusCode, call)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			drain(resp)
			wait, hasRA := retryAfter(resp.Header)
			e := &Error{Status: 429, Code: CodeRateLimited, Message: "too many requests", Call: call, RetryAfter: wait}
			if !hasRA {
				wait = c.backoff(attempt)
			}
			lastErr = e
			if attempt >= c.maxRetries || wait > c.maxRA {
				return nil, e
			}
			if err := c.clock.Sleep(ctx, wait); err != nil {
				return nil, fmt.Errorf("twikey: %s: %w", call, err)
			}
			continue
		case req.auth && (resp.StatusCode == http.StatusUnauthorized || apiErr != nil && apiErr.Code == CodeNoLogin):
			drain(resp)
			e := apiErr
			if e == nil {
				e = &Error{Status: resp.StatusCode, Code: CodeNoLogin, Message: "not logged in", Call: call}
			}
			if relogged {
				return nil, e
			}
			// The session ran out on the platform's side: log in again and
			// retry this call once. It was not executed, so this is safe.
			relogged = true
			c.sess.invalidate(session)
			lastErr = e
			attempt-- // a new session is not a retry
			continue
		case resp.StatusCode >= 500:
			body := readSmall(resp)
			e := apiErr
			if e == nil {
				e = apiErrorFromBody(body, resp.StatusCode, call)
			}
			lastErr = e
			if req.safe() && attempt < c.maxRetries {
				if err := c.clock.Sleep(ctx, c.backoff(attempt)); err != nil {
					return nil, fmt.Errorf("twikey: %s: %w", call, err)
				}
				continue
			}
			return nil, e
		case apiErr != nil:
			body := readSmall(resp)
			if e := apiErrorFromBody(body, resp.StatusCode, call); !strings.HasPrefix(e.Code, "http_") {
				apiErr.Extra = e.Extra
				if apiErr.Message == "" || apiErr.Message == apiErr.Code {
					apiErr.Message = e.Message
				}
			}
			return nil, apiErr
		case resp.StatusCode >= 300:
			return nil, apiErrorFromBody(readSmall(resp), resp.StatusCode, call)
		case isHTML(resp.Header.Get("Content-Type")):
			// The API never answers HTML: a proxy or a maintenance page
			// answered instead, whatever its status says, and the call
			// did not reach the platform. Never taken for a success.
			drain(resp)
			e := &Error{Status: resp.StatusCode, Code: "http_html", Message: "an HTML page answered, not the platform's API (a proxy or maintenance page)", Call: call}
			lastErr = e
			if req.safe() && attempt < c.maxRetries {
				if err := c.clock.Sleep(ctx, c.backoff(attempt)); err != nil {
					return nil, fmt.Errorf("twikey: %s: %w", call, err)
				}
				continue
			}
			return nil, e
		}
		return resp, nil
	}
}

// isHTML tells an HTML Content-Type.
func isHTML(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// send performs one attempt.
func (c *Client) send(ctx context.Context, req *request, session string) (*http.Response, error) {
	u := *c.base
	p, rawQuery, _ := strings.Cut(req.path, "?")
	u.Path = c.base.Path + p
	if req.query != nil {
		rawQuery = req.query.Encode()
	}
	u.RawQuery = rawQuery
	var body io.Reader
	if req.body != nil {
		body = io.NopCloser(req.body) // keep the caller's reader open for retries
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, v := range req.header {
		hr.Header[k] = v
	}
	hr.Header.Set("User-Agent", c.userAgent)
	if session != "" {
		hr.Header.Set("Authorization", session)
	}
	t0 := c.clock.Now()
	resp, err := c.hc.Do(hr)
	if c.logf != nil {
		if err != nil {
			c.logf("twikey: %s %s: %v", req.method, p, redactURLError(err))
		} else {
			c.logf("twikey: %s %s: %d in %s", req.method, p, resp.StatusCode, c.clock.Now().Sub(t0).Round(time.Millisecond))
		}
	}
	if err != nil {
		return nil, redactURLError(err)
	}
	return resp, nil
}

// redactURLError keeps url.Error's operation and cause; the URL never holds
// a secret (the token goes in the body), but it may be long.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// backoff returns the wait before retry number attempt+1: BaseDelay doubled
// per attempt, capped at MaxDelay, then jittered.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.baseDelay
	for i := 0; i < attempt && d < c.maxDelay; i++ {
		d *= 2
	}
	if d > c.maxDelay {
		d = c.maxDelay
	}
	return c.jitter(d)
}

// retryAfter reads X-Rate-Limit-Retry-After-Seconds (or the standard
// Retry-After in seconds).
func retryAfter(h http.Header) (time.Duration, bool) {
	for _, k := range []string{"X-Rate-Limit-Retry-After-Seconds", "Retry-After"} {
		if v := strings.TrimSpace(h.Get(k)); v != "" {
			if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
				return time.Duration(n * float64(time.Second)), true
			}
		}
	}
	return 0, false
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func readSmall(resp *http.Response) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return b
}
