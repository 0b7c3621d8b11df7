package tikkie

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/batchtool/batchtool/internal/redirect"
)

// Config configures a [Client].
type Config struct {
	BaseURL    string          // "https://api-sandbox.abnamro.com", "https://api.abnamro.com" or the batchtool sandbox
	APIKey     string          // API-Key header and sub of the client assertion
	PrivateKey *rsa.PrivateKey // signs the client assertion; never printed
	Issuer     string          // iss claim; "batchtool" when empty
	// Audience is the aud claim of the client assertion. When empty it is
	// AudienceProduction for https://api.abnamro.com and AudienceSandbox
	// for any other base URL (ABN AMRO's sandbox, the batchtool sandbox);
	// set it when a proxy stands in front of production.
	Audience    string
	Version     string       // batchtool version for the User-Agent; "dev" when empty
	HTTPClient  *http.Client // a client with a 60 s timeout when nil
	Now         func() time.Time
	RenewBefore time.Duration // renew the token this long before it expires; 60 s when 0
	// Retries is how often a GET is retried after a network error, 429 or
	// 5xx answer (2 when 0, none when negative). POSTs are never retried
	// on those: a payment request must not be created twice.
	Retries int
	// RetryWait is the first wait between retries, doubled each time and
	// replaced by Retry-After when the server sends one; 500 ms when 0.
	RetryWait time.Duration
}

// Client calls the Tikkie Payment Request API. It is safe for concurrent use.
type Client struct {
	cfg       Config
	base      string
	userAgent string

	sem     chan struct{} // guards token and expires; held while fetching
	token   string
	expires time.Time

	ensureMu sync.Mutex // serialises EnsurePaymentRequest
}

// New checks the configuration and returns a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("tikkie: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.APIKey == "" || cfg.PrivateKey == nil {
		return nil, errors.New("tikkie: API key and private key are required")
	}
	base := strings.TrimSuffix(u.String(), "/")
	if cfg.Issuer == "" {
		cfg.Issuer = "batchtool"
	}
	if cfg.Audience == "" {
		cfg.Audience = AudienceSandbox
		if u.Scheme == "https" && u.Host == ProductionHost {
			cfg.Audience = AudienceProduction
		}
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	// No cross-origin redirect, no credential on any redirect.
	cfg.HTTPClient = redirect.Client(cfg.HTTPClient)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RenewBefore == 0 {
		cfg.RenewBefore = time.Minute
	}
	if cfg.Retries == 0 {
		cfg.Retries = 2
	}
	if cfg.RetryWait == 0 {
		cfg.RetryWait = 500 * time.Millisecond
	}
	return &Client{cfg: cfg, base: base, userAgent: "batchtool/" + cfg.Version, sem: make(chan struct{}, 1)}, nil
}

// APIError is an error answer of the API: the call, the HTTP status and the
// first of the API's errors (code, message, traceId).
type APIError struct {
	Op         string // "CreatePaymentRequest", ...
	Method     string
	Path       string
	StatusCode int
	Code       string // e.g. "ERR_1100_004"
	Message    string
	TraceID    string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("tikkie: %s %s %s: %d", e.Op, e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	s += ": " + e.Message
	if e.TraceID != "" {
		s += " (traceId " + e.TraceID + ")"
	}
	return s
}

func apiError(op, method, path string, status int, body []byte) *APIError {
	e := &APIError{Op: op, Method: method, Path: path, StatusCode: status, Message: http.StatusText(status)}
	var eb struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			TraceID string `json:"traceId"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &eb) == nil && len(eb.Errors) > 0 {
		e.Code, e.TraceID = eb.Errors[0].Code, eb.Errors[0].TraceID
		if eb.Errors[0].Message != "" {
			e.Message = eb.Errors[0].Message
		}
	}
	return e
}

// do sends one API call with a valid token, renewing the token and retrying
// once when the answer is 401.
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("tikkie: %s: %w", op, err)
		}
	}
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	stale := ""
	renewed := false
	retries := 0
	wait := c.cfg.RetryWait
	for {
		tok, err := c.accessToken(ctx, stale)
		if err != nil {
			return err
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, target, rd)
		if err != nil {
			return fmt.Errorf("tikkie: %s: %w", op, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("API-Key", c.cfg.APIKey)
		req.Header.Set("User-Agent", c.userAgent)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := c.cfg.HTTPClient.Do(req)
		var data []byte
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(res.Body, 16<<20))
			res.Body.Close()
		}
		if err != nil || res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
			if method == http.MethodGet && retries < c.cfg.Retries && ctx.Err() == nil && !errors.Is(err, redirect.ErrCrossOrigin) {
				retries++
				d := wait
				if res != nil {
					if s, perr := strconv.Atoi(res.Header.Get("Retry-After")); perr == nil && s >= 0 {
						d = time.Duration(s) * time.Second
					}
				}
				wait *= 2
				if err := sleep(ctx, d); err != nil {
					return fmt.Errorf("tikkie: %s %s %s: %w", op, method, path, err)
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("tikkie: %s %s %s: %w", op, method, path, err)
			}
		}
		if res.StatusCode == http.StatusUnauthorized && !renewed {
			renewed = true
			stale = tok
			continue
		}
		if res.StatusCode < 200 || res.StatusCode > 299 {
			return apiError(op, method, path, res.StatusCode, data)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("tikkie: %s %s %s: answer is not the expected JSON: %w", op, method, path, err)
		}
		return nil
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
