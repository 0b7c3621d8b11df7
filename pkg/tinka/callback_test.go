package tinka

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func sampleCallback() *Callback {
	return &Callback{MerchantRequestReference: "INV-1", RequestedPaymentAmount: 90000, PaymentMethod: Credit, Decision: Accepted,
		DecisionDateTime: "2026-11-22T10:00:00.000Z", Nonce: "abc", PaymentRequestID: "01234567-aaaa-bbbb-cccc-987654321abc",
		Timestamp: "1700000000", TransactionID: "tx-1"}
}

func TestShaSignVector(t *testing.T) {
	// openssl: printf '%s' 'merchantRequestReference=INV-1&requestedPaymentAmount=90000&paymentMethod=Credit&decision=Accepted&decisionDateTime=2026-11-22T10:00:00.000Z&nonce=abc&paymentRequestId=01234567-aaaa-bbbb-cccc-987654321abc&timestamp=1700000000&transactionId=tx-1' | openssl dgst -sha256 -hmac s3cr3t
	const want = "42EBD24E21A5E807558E0F2EDB85225F25505FB4F6B0E9DE7C716116108B5D57"
	if got := ShaSign([]byte("s3cr3t"), sampleCallback()); got != want {
		t.Errorf("ShaSign %s, want %s", got, want)
	}
	// independent: straight from the parameter list
	c := sampleCallback()
	msg := "merchantRequestReference=" + c.MerchantRequestReference + "&requestedPaymentAmount=90000&paymentMethod=Credit&decision=Accepted" +
		"&decisionDateTime=" + c.DecisionDateTime + "&nonce=abc&paymentRequestId=" + c.PaymentRequestID + "&timestamp=1700000000&transactionId=tx-1"
	m := hmac.New(sha256.New, []byte("s3cr3t"))
	m.Write([]byte(msg))
	if strings.ToUpper(hex.EncodeToString(m.Sum(nil))) != want {
		t.Error("independent computation disagrees")
	}
}

func TestVerifyCallback(t *testing.T) {
	secret := []byte("s3cr3t")
	q := sampleCallback().Query(secret)
	q.Set("extra", "kept by merchants") // other parameters of the merchant's own URL are ignored
	raw := q.Encode()
	c, err := VerifyCallback(secret, raw)
	if err != nil {
		t.Fatal(err)
	}
	if *c != *withSign(sampleCallback(), secret) {
		t.Errorf("got %+v", c)
	}
	lower := q
	lower.Set("shaSign", strings.ToLower(lower.Get("shaSign")))
	if _, err := VerifyCallback(secret, lower.Encode()); err != nil {
		t.Errorf("lower-case hex refused: %v", err)
	}

	tamper := func(k, v string) string {
		t := sampleCallback().Query(secret)
		t.Set(k, v)
		return t.Encode()
	}
	tests := []struct{ name, query, want string }{
		{"amount changed", tamper("requestedPaymentAmount", "90001"), ErrShaSign.Error()},
		{"decision changed", tamper("decision", "Rejected"), ErrShaSign.Error()},
		{"wrong secret", sampleCallback().Query([]byte("other")).Encode(), ErrShaSign.Error()},
		{"amount not integer", tamper("requestedPaymentAmount", "900.00"), `tinka: callback query: requestedPaymentAmount "900.00" is not an integer of cents`},
		{"amount leading plus", tamper("requestedPaymentAmount", "+900"), `tinka: callback query: requestedPaymentAmount "+900" is not an integer of cents`},
		{"decision unknown", tamper("decision", "Maybe"), `tinka: callback query: decision "Maybe" is not Accepted, Rejected, Cancelled or Pending`},
		{"method unknown", tamper("paymentMethod", "Cash"), `tinka: callback query: paymentMethod "Cash" is not Invoice or Credit`},
		{"missing nonce", func() string { v := sampleCallback().Query(secret); v.Del("nonce"); return v.Encode() }(), "tinka: callback query: nonce missing"},
		{"missing shaSign", func() string { v := sampleCallback().Query(secret); v.Del("shaSign"); return v.Encode() }(), "tinka: callback query: shaSign missing"},
		{"decision twice", sampleCallback().Query(secret).Encode() + "&decision=Accepted", "tinka: callback query: decision given 2 times"},
		{"bad escape", "nonce=%zz", `tinka: callback query: invalid URL escape "%zz"`},
	}
	for _, tc := range tests {
		_, err := VerifyCallback(secret, tc.query)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := VerifyCallback(secret, tamper("decision", "Rejected")); !errors.Is(err, ErrShaSign) {
		t.Error("ErrShaSign not matchable")
	}
}

func withSign(c *Callback, secret []byte) *Callback {
	c.ShaSign = ShaSign(secret, c)
	return c
}

func FuzzParseCallback(f *testing.F) {
	secret := []byte("s3cr3t")
	f.Add(sampleCallback().Query(secret).Encode())
	f.Add("")
	f.Add("decision=Accepted&decision=Rejected")
	f.Add("requestedPaymentAmount=99999999999999999999")
	f.Add("nonce=%zz&shaSign=;")
	f.Fuzz(func(t *testing.T, q string) {
		c, err := ParseCallback(q)
		if err != nil {
			return
		}
		// A parsed callback re-signs and verifies through its own query.
		v := c.Query(secret)
		c2, err := VerifyCallback(secret, v.Encode())
		if err != nil {
			t.Fatalf("round trip of %q: %v", q, err)
		}
		c.ShaSign = c2.ShaSign
		if *c2 != *c {
			t.Fatalf("round trip changed %+v to %+v", c, c2)
		}
	})
}

// notificationBody is the portal's callback example, made valid JSON.
const notificationBody = `{"paymentRequestId":"01234567-aaaa-bbbb-cccc-987654321abc","paymentMethod":"Credit","requestedPaymentAmount":90000,` +
	`"decision":"Accepted","decisionDateTime":"2020-02-02T09:40:00.020Z","transactionId":"unique-1","merchantRequestReference":"ref-1"}`

func TestVerifyNotification(t *testing.T) {
	secret := []byte("s3cr3t")
	now := time.Unix(1700000100, 0)
	// openssl: printf '%s' "example:1700000000:cbnonce:$body" | openssl dgst -sha256 -hmac s3cr3t -binary | base64
	const header = "hmac AZefWTfDNCnGTITFyEl6N7gkw6Y208iFzLd2b06g9/4=:cbnonce:1700000000"
	st, err := VerifyNotification(secret, "example", header, []byte(notificationBody), now)
	if err != nil {
		t.Fatal(err)
	}
	want := Status{PaymentRequestID: "01234567-aaaa-bbbb-cccc-987654321abc", PaymentMethod: Credit, RequestedPaymentAmount: 90000,
		Decision: Accepted, DecisionDateTime: "2020-02-02T09:40:00.020Z", TransactionID: "unique-1", MerchantRequestReference: "ref-1"}
	if *st != want {
		t.Errorf("got %+v", st)
	}
	// Forged twins: the same signature over another body, another secret,
	// another merchant, a stale timestamp, a body with a hole.
	forged := strings.Replace(notificationBody, `"Accepted"`, `"Rejected"`, 1)
	noID := strings.Replace(notificationBody, `"transactionId":"unique-1",`, ``, 1)
	tests := []struct {
		name, merchant, header, body string
		secret                       string
		at                           time.Time
		want                         string
	}{
		{"decision changed", "example", header, forged, "s3cr3t", now, "tinka: X-Authorization: signature does not match"},
		{"other secret", "example", header, notificationBody, "guess", now, "tinka: X-Authorization: signature does not match"},
		{"other merchant", "other", header, notificationBody, "s3cr3t", now, "tinka: X-Authorization: signature does not match"},
		{"replayed late", "example", header, notificationBody, "s3cr3t", now.Add(time.Hour), "tinka: X-Authorization: timestamp out of date"},
		{"no transactionId", "example", "hmac " + Signature(secret, "example", "1700000000", "n", []byte(noID)) + ":n:1700000000", noID, "s3cr3t", now,
			"tinka: callback body: transactionId missing"},
	}
	for _, tc := range tests {
		if _, err := VerifyNotification([]byte(tc.secret), tc.merchant, tc.header, []byte(tc.body), tc.at); err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func FuzzVerifyNotification(f *testing.F) {
	secret := []byte("s3cr3t")
	now := time.Unix(1700000000, 0)
	f.Add("hmac "+Signature(secret, "m", "1700000000", "n", []byte(notificationBody))+":n:1700000000", notificationBody)
	f.Add("hmac ::", "{}")
	f.Fuzz(func(t *testing.T, h, body string) {
		st, err := VerifyNotification(secret, "m", h, []byte(body), now)
		if err == nil && (st.PaymentRequestID == "" || st.TransactionID == "" || st.Decision == "") {
			t.Fatalf("accepted %q %q with empty parts", h, body)
		}
	})
}
