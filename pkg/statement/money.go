package statement

import "github.com/shopspring/decimal"

// Money formats an amount the way every batchtool export writes it: two
// decimals, more only when the bank sent significant ones (camt allows
// five, CODA carries three): 12 → "12.00", 80.000 → "80.00", 1.23456 →
// "1.23456". No digit is ever rounded away.
func Money(d decimal.Decimal) string {
	if s, ok := fixed(d, 2); ok {
		return s
	}
	if d.Exponent() >= -2 || d.Equal(d.Truncate(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}

func money(d decimal.Decimal) string { return Money(d) }

func zeroEmpty(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return money(d)
}
