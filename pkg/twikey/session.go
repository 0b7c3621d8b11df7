package twikey

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// sessionCache holds the session token. Its lock is a channel so that a
// goroutine waiting for another's login still honours its context.
type sessionCache struct {
	lock  chan struct{}
	token string
	at    time.Time
}

func newSessionCache() *sessionCache { return &sessionCache{lock: make(chan struct{}, 1)} }

// invalidate forgets the session if it is still token (another goroutine may
// already have renewed it).
func (s *sessionCache) invalidate(token string) {
	s.lock <- struct{}{}
	if s.token == token {
		s.token = ""
	}
	<-s.lock
}

// session returns a valid session token, logging in when there is none or
// it is older than the session TTL. Only one goroutine logs in at a time;
// the others wait and use its token.
func (c *Client) session(ctx context.Context) (string, error) {
	select {
	case c.sess.lock <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("twikey: waiting for login: %w", ctx.Err())
	}
	defer func() { <-c.sess.lock }()
	if c.sess.token != "" && c.clock.Now().Sub(c.sess.at) < c.ttl {
		return c.sess.token, nil
	}
	c.sess.token = ""
	tok, err := c.login(ctx)
	if err != nil {
		return "", err
	}
	c.sess.token, c.sess.at = tok, c.clock.Now()
	return tok, nil
}

// Login logs in now (it is otherwise done on the first call). It fails with
// an *Error of code CodeLoginFailed when the platform refuses the token.
func (c *Client) Login(ctx context.Context) error {
	c.sess.invalidate(c.sessionToken())
	_, err := c.session(ctx)
	return err
}

func (c *Client) sessionToken() string {
	c.sess.lock <- struct{}{}
	defer func() { <-c.sess.lock }()
	return c.sess.token
}

// login performs POST /creditor with the token (and OTP) in the form body.
func (c *Client) login(ctx context.Context) (string, error) {
	form := url.Values{"apiToken": {string(c.token)}}
	if c.privateKey != "" {
		otp, err := OTP(c.privateKey, c.clock.Now())
		if err != nil {
			return "", err
		}
		form.Set("otp", strconv.FormatUint(uint64(otp), 10))
	}
	req := newRequest(http.MethodPost, "/creditor", strings.NewReader(form.Encode()), nil)
	req.auth = false
	req.header.Set("Content-Type", "application/x-www-form-urlencoded")
	// Logging in twice only opens two sessions: a login may be retried.
	req.idempotent = true
	resp, err := c.doLogin(ctx, req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	tok := resp.Header.Get("Authorization")
	if tok == "" {
		var body struct {
			Authorization string `json:"Authorization"`
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(b, &body) == nil {
			tok = body.Authorization
		}
	}
	if tok == "" {
		return "", &Error{Status: resp.StatusCode, Code: CodeLoginFailed, Message: "no session token in the login answer", Call: "POST /creditor"}
	}
	return tok, nil
}

// doLogin sends the login request as a safe request and maps a refusal
// (401/403 without headers, or an ApiError header) to CodeLoginFailed
// without ever quoting the token.
func (c *Client) doLogin(ctx context.Context, req *request) (*http.Response, error) {
	resp, err := c.do(ctx, req)
	if err == nil {
		return resp, nil
	}
	var e *Error
	if errors.As(err, &e) && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden || e.IsUserError()) {
		msg := "the platform refused the API token"
		if c.privateKey != "" {
			msg += " or the OTP"
		}
		if e.Code != "" && !strings.HasPrefix(e.Code, "http_") {
			msg += " (" + e.Code + ")"
		} else {
			msg += fmt.Sprintf(" (HTTP %d)", e.Status)
		}
		return nil, &Error{Status: e.Status, Code: CodeLoginFailed, Message: msg, Call: "POST /creditor"}
	}
	return nil, err
}

// OTP computes the enhanced-security one-time password for the login call:
// HMAC-SHA256 keyed with the bytes "own" followed by the hex-decoded private
// key, over the 30-second time step counter as 8 big-endian bytes; dynamic
// truncation at offset hash[19]&0x0f, 31 bits, modulo 10^8.
func OTP(privateKey Secret, t time.Time) (uint32, error) {
	pk, err := hex.DecodeString(strings.TrimSpace(string(privateKey)))
	if err != nil {
		return 0, errors.New("twikey: private key is not hexadecimal")
	}
	key := append([]byte("own"), pk...)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	mac := hmac.New(sha256.New, key)
	mac.Write(msg[:])
	h := mac.Sum(nil)
	off := h[19] & 0x0f
	v := binary.BigEndian.Uint32(h[off:off+4]) & 0x7fffffff
	return v % 100000000, nil
}
