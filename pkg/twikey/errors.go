package twikey

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error is an answer of the platform that is not a success: an API error
// (ApiErrorCode header or JSON {code, message, extra} body), an HTTP error
// status, or a rate limit that did not clear within the retries.
type Error struct {
	Status  int    // HTTP status code of the answer (200 for header-signalled errors)
	Code    string // platform error code, e.g. "invalid_file", "err_no_such_ct"; "http_<status>" when the platform gave none
	Message string // human message from the platform
	Extra   string // extra detail ("extra" in the JSON body), as text
	Call    string // the call, e.g. "POST /creditor/collect/import"
	// RetryAfter is the wait the platform asked for on a 429 answer.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("twikey: ")
	if e.Call != "" {
		b.WriteString(e.Call)
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	if e.Message != "" && e.Message != e.Code {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Extra != "" {
		b.WriteString(" (")
		b.WriteString(e.Extra)
		b.WriteString(")")
	}
	return b.String()
}

// IsUserError reports whether the platform rejected the request itself (a
// 4xx or header-signalled error), as opposed to a server or rate-limit error.
func (e *Error) IsUserError() bool {
	return e.Status == http.StatusOK || (e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests)
}

// Error codes the client itself assigns or reacts to.
const (
	CodeNoLogin     = "err_no_login" // the session is missing or expired
	CodeRateLimited = "rate_limited" // 429 still answered after all retries
	CodeLoginFailed = "login_failed" // the API token (or OTP) was refused
)

// apiErrorFromHeaders returns the error signalled by the ApiError and
// ApiErrorCode headers, or nil when there is none. The code is in ApiError:
// the reference says a user error's code is "available in apierror header
// and response", and the official Go, Java and PHP SDKs read ApiError as
// the code; the Python SDK reads ApiErrorCode, which then holds it too.
// The message comes from the JSON body when there is one.
func apiErrorFromHeaders(h http.Header, status int, call string) *Error {
	code, other := h.Get("ApiError"), h.Get("ApiErrorCode")
	if code == "" && other == "" {
		return nil
	}
	// An older answer may put a message in ApiError and the code in
	// ApiErrorCode: a code has no spaces.
	if code == "" || strings.Contains(code, " ") && other != "" && !strings.Contains(other, " ") {
		code, other = other, code
	}
	msg := ""
	if other != code {
		msg = other
	}
	return &Error{Status: status, Code: code, Message: msg, Call: call}
}

// apiErrorFromBody reads a JSON error body {code, message, extra}. "extra"
// may be a string or any JSON value; a value is kept as its JSON text.
func apiErrorFromBody(body []byte, status int, call string) *Error {
	var w struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Extra   json.RawMessage `json:"extra"`
	}
	e := &Error{Status: status, Call: call}
	if json.Unmarshal(body, &w) == nil && w.Code != "" {
		e.Code, e.Message = w.Code, w.Message
		if len(w.Extra) > 0 && string(w.Extra) != "null" {
			var s string
			if json.Unmarshal(w.Extra, &s) == nil {
				e.Extra = s
			} else {
				e.Extra = string(w.Extra)
			}
		}
		return e
	}
	e.Code = fmt.Sprintf("http_%d", status)
	e.Message = http.StatusText(status)
	if t := strings.TrimSpace(string(body)); t != "" && len(t) <= 200 && !strings.ContainsAny(t, "<{") {
		e.Message += ": " + t
	}
	return e
}
