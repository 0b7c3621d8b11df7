package tikkie

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestCentsJSON(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{`1250`, "12.50", ""},
		{`"1250"`, "12.50", ""},
		{`0`, "0.00", ""},
		{`"-5"`, "-0.05", ""},
		{`12.5`, "", "tikkie: amountInCents 12.5 is not an integer"},
		{`"12,50"`, "", `tikkie: amountInCents "12,50" is not an integer`},
		{`"99999999999999999999"`, "", `tikkie: amountInCents "99999999999999999999" is not an integer`},
	} {
		var c Cents
		err := json.Unmarshal([]byte(tc.in), &c)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || c.Decimal().StringFixed(2) != tc.want {
			t.Errorf("%s: %s %v", tc.in, c.Decimal().StringFixed(2), err)
		}
	}
	for _, tc := range []struct{ in, want, err string }{
		{"1234.56", "123456", ""},
		{"0.1", "10", ""},
		{"1.005", "", "tikkie: amount 1.005 is not a whole number of cents"},
		{"1e30", "", "tikkie: amount 1000000000000000000000000000000 is out of range"},
	} {
		c, err := ToCents(decimal.RequireFromString(tc.in))
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: %v", tc.in, err)
			}
			continue
		}
		if err != nil || strconv.FormatInt(int64(c), 10) != tc.want {
			t.Errorf("%s: %d %v", tc.in, c, err)
		}
	}
}

func FuzzCentsJSON(f *testing.F) {
	for _, s := range []string{`1250`, `"1250"`, `null`, `"-0"`, `1e3`, `"`, `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var c Cents
		if err := c.UnmarshalJSON([]byte(s)); err != nil {
			return
		}
		// Whatever parsed re-encodes to the same number of cents.
		var back Cents
		if err := json.Unmarshal([]byte(strconv.FormatInt(int64(c), 10)), &back); err != nil || back != c {
			t.Fatalf("%q: %d → %d %v", s, c, back, err)
		}
	})
}

// TestClientAssertion checks the JWT with straightforward code: three
// base64url parts, the claims, and the RS256 signature.
func TestClientAssertion(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	jwt, err := ClientAssertion(key, "my-api-key", "batchtool", "https://auth.example/oauth/token", now, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if string(h) != `{"alg":"RS256","typ":"JWT"}` {
		t.Errorf("header %s", h)
	}
	if string(c) != `{"aud":"https://auth.example/oauth/token","exp":1700000300,"iss":"batchtool","nbf":1699999940,"sub":"my-api-key"}` {
		t.Errorf("claims %s", c)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature: %v", err)
	}
}
