package tinka

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// independentSignature follows the recipe step by step, without sharing code
// with Signature.
func independentSignature(secret, merchantID, method, uri, ts, nonce, body string) string {
	var contentHash string
	if body != "" {
		h := md5.New()
		h.Write([]byte(body))
		contentHash = base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	encoded := strings.ToLower(url.QueryEscape(uri))
	data := strings.Join([]string{merchantID, method, encoded, ts, nonce, contentHash}, "")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(data))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestSignatureVectors(t *testing.T) {
	// Fixed vectors computed outside Go with openssl:
	//   printf '%s' "examplePOST%2fmerchant-api%2fv2%2fonline%2fpayment-requests%3fsynchronous%3dtrue1700000000nonce123$(printf '%s' '{"transactionId":"tx-1"}' | openssl dgst -md5 -binary | base64)" \
	//     | openssl dgst -sha256 -hmac s3cr3t -binary | base64
	tests := []struct {
		method, uri, ts, nonce, body, want string
	}{
		{"POST", "/merchant-api/v2/online/payment-requests?synchronous=true", "1700000000", "nonce123", `{"transactionId":"tx-1"}`,
			"vQKbelnBElrCkM4nI6a5XnAeyUcV6wzkXOP68GMeSbY="},
		{"GET", "/merchant-api/v2/online/payment-requests/abc", "1700000000", "n2", "",
			"FGfziAUlwelQcQ6TrAZlZ1vtTa2pRb0e8yVRtLS+0tE="},
	}
	for _, tc := range tests {
		got := Signature([]byte("s3cr3t"), "example", tc.method, tc.uri, tc.ts, tc.nonce, []byte(tc.body))
		if got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.method, tc.uri, got, tc.want)
		}
		if ind := independentSignature("s3cr3t", "example", tc.method, tc.uri, tc.ts, tc.nonce, tc.body); ind != tc.want {
			t.Errorf("independent implementation disagrees: %s", ind)
		}
	}
	at := time.Unix(1700000000, 0)
	h := AuthorizationHeader([]byte("s3cr3t"), "example", "POST", "/merchant-api/v2/online/payment-requests?synchronous=true", "nonce123", at, []byte(`{"transactionId":"tx-1"}`))
	if want := "hmac example:vQKbelnBElrCkM4nI6a5XnAeyUcV6wzkXOP68GMeSbY=:nonce123:1700000000"; h != want {
		t.Errorf("header %s, want %s", h, want)
	}
	// Many random-ish inputs: both implementations agree.
	for i, body := range []string{"", "{}", `{"a":"é"}`, strings.Repeat("z", 5000)} {
		uri := "/merchant-api/v2/online/payment-requests/" + strings.Repeat("A", i)
		if Signature([]byte("k"), "M", "POST", uri, "1", "n", []byte(body)) != independentSignature("k", "M", "POST", uri, "1", "n", body) {
			t.Errorf("case %d: implementations disagree", i)
		}
	}
}

func TestVerifyAuthorization(t *testing.T) {
	secret := []byte("s3cr3t")
	now := time.Unix(1700000000, 0)
	uri := "/merchant-api/v2/online/payment-requests"
	body := []byte(`{"x":1}`)
	h := AuthorizationHeader(secret, "example", "POST", uri, "n1", now, body)
	if a, err := VerifyAuthorization(h, secret, "POST", uri, body, now.Add(time.Minute), 5*time.Minute); err != nil || a.MerchantID != "example" || a.Nonce != "n1" {
		t.Fatalf("valid header refused: %v %+v", err, a)
	}
	tests := []struct {
		name, header, method, uri, body string
		at                              time.Time
		want                            string
	}{
		{"other body", h, "POST", uri, `{"x":2}`, now, "tinka: X-Authorization: signature does not match"},
		{"other uri", h, "POST", uri + "?synchronous=true", string(body), now, "tinka: X-Authorization: signature does not match"},
		{"other method", h, "PUT", uri, string(body), now, "tinka: X-Authorization: signature does not match"},
		{"late", h, "POST", uri, string(body), now.Add(6 * time.Minute), "tinka: X-Authorization: timestamp out of date"},
		{"no scheme", strings.TrimPrefix(h, "hmac "), "POST", uri, string(body), now, "tinka: X-Authorization: does not start with \"hmac \""},
		{"three parts", "hmac a:b:c", "POST", uri, string(body), now, "tinka: X-Authorization: want merchantId:signature:nonce:timestamp"},
		// The reference's example header has placeholder x's for the timestamp.
		{"reference example", "hmac example:xxxxxxxxxxxxxxxxxxxxxx/xxxxxxxxxxxxxxxx/xxx=:nonce:xxxxxxxxxx", "POST", uri, string(body), now,
			"tinka: X-Authorization: timestamp is not Unix seconds"},
	}
	for _, tc := range tests {
		_, err := VerifyAuthorization(tc.header, secret, tc.method, tc.uri, []byte(tc.body), tc.at, 5*time.Minute)
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrAuthorization) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	// The reference example's shape parses once the timestamp is numeric.
	a, err := ParseAuthorization("hmac example:xxxxxxxxxxxxxxxxxxxxxx/xxxxxxxxxxxxxxxx/xxx=:nonce:1614883495")
	if err != nil || a.MerchantID != "example" || a.Signature != "xxxxxxxxxxxxxxxxxxxxxx/xxxxxxxxxxxxxxxx/xxx=" || a.Nonce != "nonce" || a.Timestamp.Unix() != 1614883495 {
		t.Errorf("reference shape: %+v %v", a, err)
	}
}
