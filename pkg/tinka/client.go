package tinka

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/batchtool/batchtool/internal/redirect"
	"github.com/batchtool/batchtool/pkg/finding"
)

// PaymentRequestsPath is the endpoint of the online payment request.
const PaymentRequestsPath = "/merchant-api/v2/online/payment-requests"

// StatusPath is the status endpoint; the paymentRequestId follows it
// (GET /merchant-api/v2/status/{paymentRequestId}, Tinka's developer
// portal, "Status Payment Request").
const StatusPath = "/merchant-api/v2/status/"

// SignatureSkew is how far the timestamp of a signature by Tinka (a
// callback, a synchronous answer) may be from our clock.
const SignatureSkew = 5 * time.Minute

// Config configures a [Client].
type Config struct {
	BaseURL    string // e.g. "https://api.tinka.nl" or the sandbox URL; no trailing path needed
	MerchantID string // merchant id provided by Tinka; signs every request
	Username   string // Basic authorization user
	Password   string // Basic authorization password; never printed
	Secret     []byte // HMAC key; never printed
	Version    string // batchtool version for the User-Agent; "dev" when empty
	HTTPClient *http.Client
	Now        func() time.Time // clock for the HMAC timestamp; time.Now when nil
	Nonce      func() string    // nonce source; 16 random bytes in hex when nil
	// Retries is how often a GET (Status) is retried after a network error,
	// 429 or 5xx answer, with a fresh nonce (2 when 0, none when negative).
	// The POST is never retried.
	Retries   int
	RetryWait time.Duration // first wait, doubled each retry; 500 ms when 0
}

// Client calls the Tinka merchant API. It is safe for concurrent use.
type Client struct {
	base *url.URL
	cfg  Config
}

// New checks the configuration and returns a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("tinka: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.MerchantID == "" || cfg.Username == "" || len(cfg.Secret) == 0 {
		return nil, errors.New("tinka: merchant id, username and secret are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	// No cross-origin redirect, no credential on any redirect.
	cfg.HTTPClient = redirect.Client(cfg.HTTPClient)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Nonce == nil {
		cfg.Nonce = randomNonce
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.Retries == 0 {
		cfg.Retries = 2
	}
	if cfg.RetryWait == 0 {
		cfg.RetryWait = 500 * time.Millisecond
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{base: u, cfg: cfg}, nil
}

func randomNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// APIError is a non-2xx answer of the Tinka API.
type APIError struct {
	Op         string // "Create", "Status"
	Method     string
	Path       string
	StatusCode int
	Code       string // error code from the body, when given
	Message    string // message from the body, or the HTTP status text
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("tinka: %s %s %s: %d", e.Op, e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	return s + ": " + e.Message
}

// CreateOptions tune [Client.Create].
type CreateOptions struct {
	// Synchronous asks for the decision in the answer (Invoice only): the
	// query parameter synchronous=true.
	Synchronous bool
}

// Create validates the request (every rule in [Rules] plus the cross-field
// rules, and that merchant.merchantId is the signing merchant) and, when no
// rule is violated, sends it. A violation returns a *[ValidationError]
// listing all findings and sends nothing. The POST is not retried (see the
// package comment on idempotency).
func (c *Client) Create(ctx context.Context, req *PaymentRequest, opt CreateOptions) (*Response, error) {
	fs := Validate(req)
	if req != nil && req.Merchant != nil && req.Merchant.MerchantID != "" && req.Merchant.MerchantID != c.cfg.MerchantID {
		fs.Add(finding.Finding{Severity: finding.Error, Path: "merchant.merchantId", Value: req.Merchant.MerchantID,
			Rule: RuleMerchantIsSigner, Message: "must be the merchant id that signs the request"})
	}
	if fs.HasErrors() {
		return nil, &ValidationError{Findings: fs}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("tinka: Create: %w", err)
	}
	path := PaymentRequestsPath
	if opt.Synchronous {
		if req.PaymentMethod != Invoice {
			return nil, errors.New("tinka: Create: synchronous decisions exist for paymentMethod Invoice only")
		}
		path += "?synchronous=true"
	}
	var resp Response
	if err := c.do(ctx, "Create", http.MethodPost, path, body, &resp); err != nil {
		return nil, err
	}
	if resp.PaymentRequestID == "" {
		return nil, errors.New("tinka: Create: answer has no paymentRequestId")
	}
	return &resp, nil
}

// Status reads the current decision of a payment request
// (GET /merchant-api/v2/status/{paymentRequestId}); an unknown id answers
// 404.
func (c *Client) Status(ctx context.Context, paymentRequestID string) (*Status, error) {
	var st Status
	if err := c.do(ctx, "Status", http.MethodGet, StatusPath+url.PathEscape(paymentRequestID), nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

func (c *Client) do(ctx context.Context, op, method, path string, body []byte, out any) error {
	u, err := url.Parse(c.base.String() + path)
	if err != nil {
		return fmt.Errorf("tinka: %s: %w", op, err)
	}
	wait := c.cfg.RetryWait
	for attempt := 0; ; attempt++ {
		status, data, sig, err := c.send(ctx, method, u, body)
		transient := err != nil && !errors.Is(err, redirect.ErrCrossOrigin) || status == http.StatusTooManyRequests || status >= 500
		if transient && method == http.MethodGet && attempt < c.cfg.Retries && ctx.Err() == nil {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("tinka: %s %s %s: %w", op, method, path, ctx.Err())
			}
			wait *= 2
			continue
		}
		if err != nil {
			return fmt.Errorf("tinka: %s %s %s: %w", op, method, path, err)
		}
		if status < 200 || status > 299 {
			e := &APIError{Op: op, Method: method, Path: path, StatusCode: status, Message: http.StatusText(status)}
			var eb struct {
				Code      string `json:"code"`
				ErrorCode string `json:"errorCode"`
				Message   string `json:"message"`
			}
			if json.Unmarshal(data, &eb) == nil {
				e.Code = eb.Code
				if e.Code == "" {
					e.Code = eb.ErrorCode
				}
				if eb.Message != "" {
					e.Message = eb.Message
				}
			}
			return e
		}
		// Tinka signs the answer of a synchronous call the way it signs a
		// callback: check it when it is there.
		if sig != "" {
			if err := verifyTinkaSignature(sig, c.cfg.Secret, c.cfg.MerchantID, data, c.cfg.Now(), SignatureSkew); err != nil {
				return fmt.Errorf("tinka: %s %s %s: answer: %w", op, method, path, err)
			}
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("tinka: %s %s %s: answer is not the expected JSON: %w", op, method, path, err)
		}
		return nil
	}
}

// send makes one signed HTTP request (fresh nonce and timestamp) and
// returns the status, the body and the answer's X-Authorization header.
func (c *Client) send(ctx context.Context, method string, u *url.URL, body []byte) (int, []byte, string, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return 0, nil, "", err
	}
	req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	req.Header.Set("X-Authorization", AuthorizationHeader(c.cfg.Secret, c.cfg.MerchantID, c.cfg.Nonce(), c.cfg.Now(), body))
	req.Header.Set("User-Agent", "batchtool/"+c.cfg.Version)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, "", scrub(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return 0, nil, "", fmt.Errorf("reading answer: %w", err)
	}
	return res.StatusCode, data, res.Header.Get("X-Authorization"), nil
}

// scrub removes user info from URL errors so that no credentials leak.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.User = nil
			ue.URL = u.Redacted()
		}
	}
	return err
}

// String prints the configuration without its secrets.
func (c Config) String() string {
	return fmt.Sprintf("tinka.Config{BaseURL:%q MerchantID:%q Username:%q Password:[redacted] Secret:[redacted] Version:%q}",
		c.BaseURL, c.MerchantID, c.Username, c.Version)
}

// GoString is String, so that %#v does not print secrets either.
func (c Config) GoString() string { return c.String() }
