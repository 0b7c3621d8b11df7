package statement

import (
	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
)

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

func zeroEmpty(d decimal.Decimal, currency string) string {
	if d.IsZero() {
		return ""
	}
	return FormatAmount(d, currency)
}

// MinorUnits returns the number of decimals of a currency (ISO 4217):
// sepa.MinorUnits.
func MinorUnits(currency string) int32 { return sepa.MinorUnits(currency) }

// FormatAmount formats an amount with its currency's minor units, the one
// rule of every batchtool output: sepa.FormatAmount.
func FormatAmount(d decimal.Decimal, currency string) string { return sepa.FormatAmount(d, currency) }
