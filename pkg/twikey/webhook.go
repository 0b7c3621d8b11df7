package twikey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// WebhookSignature returns the X-Signature the platform sends with a
// webhook: the hex HMAC-SHA256 of the URL-decoded message (the query string
// of the GET, e.g. "msg=dummytest&type=event") keyed with the API key.
func WebhookSignature(apiKey Secret, message string) string {
	mac := hmac.New(sha256.New, []byte(apiKey))
	io.WriteString(mac, message)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhookSignature reports whether signature (hex, any case) is the
// signature of message, comparing in constant time.
func VerifyWebhookSignature(apiKey Secret, message, signature string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(apiKey))
	io.WriteString(mac, message)
	return hmac.Equal(got, mac.Sum(nil))
}

// ErrBadSignature is returned by VerifyWebhook for a missing or wrong
// X-Signature.
var ErrBadSignature = errors.New("twikey: webhook X-Signature does not verify")

// VerifyWebhook checks the X-Signature of a webhook request. The signed
// message is the URL-decoded query string (GET) or, for a form POST, the
// URL-decoded body, which is then restored for the handler to read (up to
// 1 MiB).
func VerifyWebhook(apiKey Secret, r *http.Request) error {
	sig := r.Header.Get("X-Signature")
	if sig == "" {
		return ErrBadSignature
	}
	raw := r.URL.RawQuery
	if r.Method == http.MethodPost && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return err
		}
		r.Body.Close()
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		raw = string(b)
	}
	msg, err := url.QueryUnescape(raw)
	if err != nil {
		return ErrBadSignature
	}
	if !VerifyWebhookSignature(apiKey, msg, sig) {
		return ErrBadSignature
	}
	return nil
}
