package sandbox

import (
	"testing"
	"time"
)

// The vectors were computed with Python's hmac/hashlib (see
// pkg/twikey/vectors_test.go for the recipe): the sandbox's own OTP agrees.
func TestTwikeyOTPVectors(t *testing.T) {
	for _, tc := range []struct {
		key  string
		unix int64
		want uint32
	}{
		{"0123456789abcdef", 0, 19066536},
		{"0123456789abcdef", 59, 89030742},
		{"0123456789abcdef", 1700000000, 70898271},
		{"deadbeefcafebabe00112233445566778899aabbccddeeff", 1234567890, 66223837},
		{"", 1111111109, 82126397},
	} {
		if got, ok := twikeyOTP(tc.key, time.Unix(tc.unix, 0)); !ok || got != tc.want {
			t.Errorf("twikeyOTP(%q, %d) = %d, %v; want %d", tc.key, tc.unix, got, ok, tc.want)
		}
	}
	if _, ok := twikeyOTP("not-hex", time.Unix(0, 0)); ok {
		t.Error("a non-hex key gave an OTP")
	}
}
