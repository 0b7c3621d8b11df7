package statement

import "github.com/shopspring/decimal"

// Money formats an amount the way every batchtool export writes it: two
// decimals, more only when the bank sent significant ones (camt allows
// five, CODA carries three): 12 → "12.00", 80.000 → "80.00", 1.23456 →
// "1.23456". No digit is ever rounded away.
func Money(d decimal.Decimal) string {
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

// MinorUnits returns the number of decimals of a currency (ISO 4217): 2
// for EUR and most others, 0 for JPY, 3 for KWD. An unknown or empty code
// gets 2.
func MinorUnits(currency string) int32 {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	}
	return 2
}

// FormatAmount formats an amount with its currency's minor units, the one
// rule of every batchtool output: 80 EUR → "80.00", 80 JPY → "80",
// 1.5 KWD → "1.500". Digits beyond the minor units are kept when they are
// significant (a camt amount may carry five decimals): nothing is rounded
// away.
func FormatAmount(d decimal.Decimal, currency string) string {
	m := MinorUnits(currency)
	if d.Exponent() >= -m || d.Equal(d.Truncate(m)) {
		return d.StringFixed(m)
	}
	return d.String()
}
