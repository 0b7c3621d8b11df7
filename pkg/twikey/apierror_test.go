package twikey

import (
	"net/http"
	"testing"
)

// TestAPIErrorFromHeaders: the code is in ApiError (the reference; the Go,
// Java and PHP SDKs), ApiErrorCode holds it too (the Python SDK); an older
// style with a message in ApiError is still read right.
func TestAPIErrorFromHeaders(t *testing.T) {
	for _, tc := range []struct {
		apiError, apiErrorCode, code, msg string
	}{
		{"err_no_contract", "err_no_contract", "err_no_contract", ""},
		{"err_no_login", "", "err_no_login", ""},
		{"", "err_invalid_params", "err_invalid_params", ""},
		{"Not logged in", "err_no_login", "err_no_login", "Not logged in"},
	} {
		h := http.Header{}
		if tc.apiError != "" {
			h.Set("ApiError", tc.apiError)
		}
		if tc.apiErrorCode != "" {
			h.Set("ApiErrorCode", tc.apiErrorCode)
		}
		e := apiErrorFromHeaders(h, 200, "GET /x")
		if e == nil || e.Code != tc.code || e.Message != tc.msg {
			t.Errorf("ApiError=%q ApiErrorCode=%q: %+v, want code %q message %q", tc.apiError, tc.apiErrorCode, e, tc.code, tc.msg)
		}
	}
	if apiErrorFromHeaders(http.Header{}, 200, "GET /x") != nil {
		t.Error("no headers: an error")
	}
}
