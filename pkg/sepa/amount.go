package sepa

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// Amount limits of a SEPA Direct Debit instructed amount (EPC rulebook AT-06:
// 0.01 to 999999999.99 euro, two decimals at most).
var (
	MinAmount = decimal.New(1, -2)
	MaxAmount = decimal.RequireFromString("999999999.99")
)

// Errors of amount parsing.
var (
	ErrAmountSyntax   = errors.New("amount must be digits with an optional '.' and at most 2 decimals, no sign or exponent")
	ErrAmountDecimals = errors.New("amount has more than 2 decimals")
	ErrAmountRange    = errors.New("amount must be between 0.01 and 999999999.99")
)

// ParseAmount reads a SEPA amount from text exactly: "12", "12.3" and
// "12.30" are accepted; "1.005", "-1", "1e3", "1,00" and "" are errors, never
// rounded.
func ParseAmount(s string) (decimal.Decimal, error) {
	if err := checkAmountSyntax(s); err != nil {
		return decimal.Decimal{}, err
	}
	if d, ok, err := parseCents(s); ok {
		return d, err
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%w: %v", ErrAmountSyntax, err)
	}
	return d, CheckAmount(d)
}

// parseCents reads s, which passed checkAmountSyntax, as an int64 with
// its exponent, the common case that needs no big number arithmetic; the
// result is the Decimal decimal.NewFromString gives. ok is false when s has
// more digits than that reads (leading zeros): then the caller parses.
func parseCents(s string) (d decimal.Decimal, ok bool, err error) {
	var m int64
	exp := int32(0)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			exp = -int32(len(s) - i - 1)
			continue
		}
		if m > 1e15 {
			return d, false, nil
		}
		m = m*10 + int64(s[i]-'0')
	}
	cents := m
	for e := -exp; e < 2; e++ { // to cents
		if cents > 1e15 {
			return d, true, ErrAmountRange
		}
		cents *= 10
	}
	d = decimal.New(m, exp)
	if cents < 1 || cents > 99999999999 {
		return d, true, ErrAmountRange
	}
	return d, true, nil
}

func checkAmountSyntax(s string) error {
	if s == "" {
		return ErrAmountSyntax
	}
	dot := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0 && i > 0:
			dot = i
		default:
			return ErrAmountSyntax
		}
	}
	if dot == len(s)-1 {
		return ErrAmountSyntax
	}
	if dot >= 0 && len(s)-dot-1 > 2 {
		return ErrAmountDecimals
	}
	if len(s) > 20 {
		return ErrAmountRange
	}
	return nil
}

// CheckAmount checks the range and precision of an amount already parsed.
func CheckAmount(d decimal.Decimal) error {
	if !d.Equal(d.Truncate(2)) {
		return ErrAmountDecimals
	}
	if d.LessThan(MinAmount) || d.GreaterThan(MaxAmount) {
		return ErrAmountRange
	}
	return nil
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
// rule of every batchtool output (and what the XML messages carry for EUR): 80 EUR → "80.00", 80 JPY → "80",
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
