package statement

import "github.com/shopspring/decimal"

// money writes an amount with at least two decimals and never drops a digit
// the bank sent (camt allows five): 12 → "12.00", 1.23456 → "1.23456".
func money(d decimal.Decimal) string {
	if d.Exponent() >= -2 {
		return d.StringFixed(2)
	}
	return d.String()
}

// Money formats an amount the way every batchtool export writes it.
func Money(d decimal.Decimal) string { return money(d) }

func zeroEmpty(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return money(d)
}
