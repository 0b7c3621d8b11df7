package inspect

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestMinorTotals: the int64 sums of the statement summary give the exact
// decimal total per currency, also for amounts with more decimals or
// digits than the units hold and for sums that would overflow them.
func TestMinorTotals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		amounts []string // "amount currency"
		want    string
	}{
		{"none", nil, "none"},
		{"cents", []string{"1.01 EUR", "-0.02 EUR", "100 EUR"}, "100.99 EUR"},
		{"five decimals", []string{"0.00001 EUR", "0.00002 EUR"}, "0.00003 EUR"},
		{"six decimals go to the rest", []string{"0.000001 EUR", "1.5 EUR"}, "1.500001 EUR"},
		{"positive exponent", []string{"1E+3 EUR", "0.5 EUR"}, "1000.50 EUR"},
		{"thirteen digits", []string{"12345678901.23 EUR", "0.77 EUR"}, "12345678902.00 EUR"},
		{"overflow", []string{"9999999.99999 EUR", "9999999.99999 EUR", "9999999.99999 EUR"}, "29999999.99997 EUR"},
		{"per currency", []string{"2 USD", "1.10 EUR", "3 JPY", "2.20 EUR"}, "3.30 EUR, 3 JPY, 2.00 USD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m minorTotals
			for _, a := range tc.amounts {
				var amt, ccy string
				for i := range a {
					if a[i] == ' ' {
						amt, ccy = a[:i], a[i+1:]
					}
				}
				m.add(decimal.RequireFromString(amt), ccy)
			}
			got := m.totals()
			if got.String() != tc.want || got.Count() != len(tc.amounts) {
				t.Errorf("totals = %q (%d), want %q (%d)", got.String(), got.Count(), tc.want, len(tc.amounts))
			}
		})
	}
}

// TestMinorTotalsOverflow: units that would overflow int64 go to the rest.
func TestMinorTotalsOverflow(t *testing.T) {
	var m minorTotals
	big := decimal.RequireFromString("999999999999") // 12 digits: 10^17 units
	for range 100 {
		m.add(big, "EUR")
	}
	if got, want := m.totals()[0].Amount.String(), "99999999999900"; got != want {
		t.Errorf("sum = %s, want %s", got, want)
	}
}
