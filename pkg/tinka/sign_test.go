package tinka

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignatureVectors(t *testing.T) {
	// Vectors computed outside Go with openssl, from the portal's message
	// (merchant-id, timestamp, nonce, request content; ':' between them):
	//   printf '%s' 'example:1700000000:nonce123:{"transactionId":"tx-1"}' | openssl dgst -sha256 -hmac s3cr3t -binary | base64
	tests := []struct {
		name, ts, nonce, body, want string
	}{
		{"POST with a body", "1700000000", "nonce123", `{"transactionId":"tx-1"}`, "/rolP8KEx9psl4PY+/6gbATiwqk0Qq64uPeGNYOgRb8="},
		{"GET: empty content", "1700000000", "n2", "", "KBqXMOZ0JVJO9xUBLuUPIYvo7zNVQZdpO5zNfhoP6r4="},
	}
	for _, tc := range tests {
		if got := Signature([]byte("s3cr3t"), "example", tc.ts, tc.nonce, []byte(tc.body)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := string(Message("example", "1700000000", "n2", []byte("{}"))); got != "example:1700000000:n2:{}" {
		t.Errorf("message %q", got)
	}
	h := AuthorizationHeader([]byte("s3cr3t"), "example", "nonce123", time.Unix(1700000000, 0), []byte(`{"transactionId":"tx-1"}`))
	if want := "hmac example:/rolP8KEx9psl4PY+/6gbATiwqk0Qq64uPeGNYOgRb8=:nonce123:1700000000"; h != want {
		t.Errorf("header %s, want %s", h, want)
	}
}

func TestVerifyTinkaSignature(t *testing.T) {
	secret := []byte("s3cr3t")
	now := time.Unix(1700000000, 0)
	body := []byte(`{"x":1}`)
	h := "hmac " + Signature(secret, "example", "1700000000", "n1", body) + ":n1:1700000000"
	if err := verifyTinkaSignature(h, secret, "example", body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("valid header refused: %v", err)
	}
	tests := []struct {
		name, header, merchant, body string
		at                           time.Time
		want                         string
	}{
		{"other body", h, "example", `{"x":2}`, now, "tinka: X-Authorization: signature does not match"},
		{"other merchant", h, "other", string(body), now, "tinka: X-Authorization: signature does not match"},
		{"late", h, "example", string(body), now.Add(6 * time.Minute), "tinka: X-Authorization: timestamp out of date"},
		{"no scheme", strings.TrimPrefix(h, "hmac "), "example", string(body), now, `tinka: X-Authorization: does not start with "hmac "`},
		{"request form", "hmac example:" + strings.TrimPrefix(h, "hmac "), "example", string(body), now, "tinka: X-Authorization: want hash:nonce:timestamp"},
		{"not seconds", "hmac abc:n:xxxxxxxxxx", "example", string(body), now, "tinka: X-Authorization: timestamp is not Unix seconds"},
	}
	for _, tc := range tests {
		err := verifyTinkaSignature(tc.header, secret, tc.merchant, []byte(tc.body), tc.at, 5*time.Minute)
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrAuthorization) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
