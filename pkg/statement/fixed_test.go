package statement

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// slowMoney is Money's rule by decimal's own formatting.
func slowMoney(d decimal.Decimal, places int32) string {
	if d.Exponent() >= -places || d.Equal(d.Truncate(places)) {
		return d.StringFixed(places)
	}
	return d.String()
}

// TestFixedAsDecimal: fixed formats exactly as StringFixed/String do, for
// fixed cases and a million random amounts of 0 to 18 digits and 0 to 7
// decimals.
func TestFixedAsDecimal(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"12", "12.00"}, {"80.000", "80.00"}, {"1.23456", "1.23456"}, {"1.23450", "1.2345"}, {"-0.05", "-0.05"},
		{"0", "0.00"}, {"-1234567890.10", "-1234567890.10"}, {"0.001", "0.001"}, {"-0.10000", "-0.10"},
		{"999999999999999999", "999999999999999999.00"}, {"1e3", "1000.00"},
	} {
		d := decimal.RequireFromString(tt.in)
		if got := Money(d); got != tt.want || got != slowMoney(d, 2) {
			t.Errorf("Money(%s) = %q, want %q (decimal: %q)", tt.in, got, tt.want, slowMoney(d, 2))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000000; i++ {
		digits := rng.IntN(19)
		c := rng.Int64N(pow10[digits]+1) * int64(1-2*rng.IntN(2))
		d := decimal.New(c, -int32(rng.IntN(8)))
		places := int32(rng.IntN(4))
		want := slowMoney(d, places)
		if got, ok := fixed(d, places); ok && got != want {
			t.Fatalf("fixed(%s, %d) = %q, want %q", d, places, got, want)
		}
	}
}
