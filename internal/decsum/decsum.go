// Package decsum adds decimal amounts exactly and fast: in int64 units of
// 10^-5 (the finest an ISO 20022 amount has) while they fit, in
// shopspring/decimal beyond. Readers and summaries add one amount per
// entry; decimal.Add allocates a big.Int on every call, this does not.
package decsum

import "github.com/shopspring/decimal"

// Scale is the exponent of the int64 units: amounts with at most 5
// decimals are added as integers.
const Scale = -5

// pow10 holds 10^0 ... 10^5 and fits the largest coefficient that can be
// multiplied by each without overflow.
var (
	pow10 = [1 - Scale]int64{1, 10, 100, 1e3, 1e4, 1e5}
	fits  = [1 - Scale]int64{1<<63 - 1, (1<<63 - 1) / 10, (1<<63 - 1) / 100, (1<<63 - 1) / 1000, (1<<63 - 1) / 10000, (1<<63 - 1) / 100000}
)

// Sum is an exact sum of decimals. The zero value is 0.
type Sum struct {
	units int64           // in 10^Scale
	rest  decimal.Decimal // what did not fit in units
}

// Units returns d in units of 10^Scale when it is exact and fits.
func Units(d decimal.Decimal) (int64, bool) {
	exp := d.Exponent()
	if exp < Scale || exp > 0 || d.NumDigits() > 18 {
		return 0, false
	}
	c := d.CoefficientInt64()
	if k := exp - Scale; c <= fits[k] && c >= -fits[k] {
		return c * pow10[k], true
	}
	return 0, false
}

// Add adds d.
func (s *Sum) Add(d decimal.Decimal) {
	if u, ok := Units(d); ok && s.addUnits(u) {
		return
	}
	s.rest = s.rest.Add(d)
}

// Sub subtracts d.
func (s *Sum) Sub(d decimal.Decimal) {
	if u, ok := Units(d); ok && s.addUnits(-u) {
		return
	}
	s.rest = s.rest.Sub(d)
}

func (s *Sum) addUnits(u int64) bool {
	t := s.units + u
	if (u > 0 && t < s.units) || (u < 0 && t > s.units) {
		return false // overflow: the caller adds to rest
	}
	s.units = t
	return true
}

// Equal reports whether the sum equals d, without allocating when both fit
// in units.
func (s Sum) Equal(d decimal.Decimal) bool {
	if u, ok := Units(d); ok && s.rest.IsZero() {
		return s.units == u
	}
	return s.Decimal().Equal(d)
}

// Decimal returns the sum.
func (s Sum) Decimal() decimal.Decimal {
	v := decimal.New(s.units, Scale)
	if s.rest.IsZero() {
		return v
	}
	return v.Add(s.rest)
}
