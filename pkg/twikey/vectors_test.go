package twikey_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/twikey"
)

// The expected values below were computed independently of this package,
// with Python's hmac/hashlib:
//
//	key = b"own" + bytes.fromhex(pk)
//	h = hmac.new(key, struct.pack(">Q", t // 30), hashlib.sha256).digest()
//	o = h[19] & 0xf
//	((h[o] & 0x7f) << 24 | h[o+1] << 16 | h[o+2] << 8 | h[o+3]) % 10**8
func TestOTPVectors(t *testing.T) {
	for _, tc := range []struct {
		key  string
		unix int64
		want uint32
	}{
		{"0123456789abcdef", 0, 19066536},
		{"0123456789abcdef", 59, 89030742}, // same 30 s step as 30..59
		{"0123456789abcdef", 1700000000, 70898271},
		{"deadbeefcafebabe00112233445566778899aabbccddeeff", 1234567890, 66223837},
		{"", 1111111109, 82126397}, // no private key: key is just "own"
	} {
		got, err := twikey.OTP(twikey.Secret(tc.key), time.Unix(tc.unix, 0))
		if err != nil || got != tc.want {
			t.Errorf("OTP(%q, %d) = %d, %v; want %d", tc.key, tc.unix, got, err, tc.want)
		}
	}
	if _, err := twikey.OTP("not-hex", time.Unix(0, 0)); err == nil || err.Error() != "twikey: private key is not hexadecimal" {
		t.Errorf("OTP of a non-hex key: error %v", err)
	}
	a, _ := twikey.OTP("0123456789abcdef", time.Unix(30, 0))
	b, _ := twikey.OTP("0123456789abcdef", time.Unix(59, 0))
	if a != b {
		t.Errorf("OTP differs within one 30 s step: %d, %d", a, b)
	}
}

// Signatures computed with Python: hmac.new(key, msg, sha256).hexdigest().
// The first is the platform's documented test payload.
func TestWebhookSignatureVectors(t *testing.T) {
	for _, tc := range []struct{ key, msg, sig string }{
		{"**API_KEY**", "msg=dummytest&type=event", "728da82f4a853f1f1afd20bb56df21b22beaa4c210390bcc543a1d108917b36c"},
		{"sandbox-token", "type=payment&id=186229&status=paid&amount=45.42&ref=123456&ct=2223", "0a2e9a186264b2eead1bd2cc9e192792792899afd5b98c234783a1561c124bca"},
	} {
		if got := twikey.WebhookSignature(twikey.Secret(tc.key), tc.msg); got != tc.sig {
			t.Errorf("WebhookSignature(%q) = %s, want %s", tc.msg, got, tc.sig)
		}
		if !twikey.VerifyWebhookSignature(twikey.Secret(tc.key), tc.msg, tc.sig) {
			t.Errorf("VerifyWebhookSignature(%q) = false", tc.msg)
		}
	}
	key := twikey.Secret("**API_KEY**")
	good := "728da82f4a853f1f1afd20bb56df21b22beaa4c210390bcc543a1d108917b36c"
	for _, tc := range []struct {
		name, target, sig string
		ok                bool
	}{
		{"GET with signature", "/hook?msg=dummytest&type=event", good, true},
		{"upper-case hex", "/hook?msg=dummytest&type=event", "728DA82F4A853F1F1AFD20BB56DF21B22BEAA4C210390BCC543A1D108917B36C", true},
		{"url-encoded fields are decoded first", "/hook?msg=dummy%74est&type=event", good, true},
		{"tampered query", "/hook?msg=dummytest&type=payment", good, false},
		{"one digit off", "/hook?msg=dummytest&type=event", good[:63] + "d", false},
		{"missing", "/hook?msg=dummytest&type=event", "", false},
		{"not hex", "/hook?msg=dummytest&type=event", "zz", false},
	} {
		r := httptest.NewRequest("GET", tc.target, nil)
		if tc.sig != "" {
			r.Header.Set("X-Signature", tc.sig)
		}
		err := twikey.VerifyWebhook(key, r)
		if (err == nil) != tc.ok {
			t.Errorf("%s: VerifyWebhook = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
