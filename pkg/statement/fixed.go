package statement

import (
	"github.com/shopspring/decimal"
)

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000,
	10000000000000000, 100000000000000000, 1000000000000000000}

// fixed formats d as Money's rule does for places decimals — StringFixed
// when no significant digit lies beyond them, else String — from the int64
// coefficient, without the big.Int arithmetic and allocations of those two.
// ok is false when d does not fit (more than 18 digits, a positive
// exponent): the caller then formats it the slow way.
func fixed(d decimal.Decimal, places int32) (s string, ok bool) {
	var buf [24]byte
	b, ok := appendFixed(buf[:0], d, places)
	return string(b), ok
}

// appendFixed appends what fixed returns to b.
func appendFixed(b []byte, d decimal.Decimal, places int32) ([]byte, bool) {
	e := d.Exponent()
	if e > 0 || e < -18 || places > 18 || d.NumDigits() > 18 {
		return b, false
	}
	c := d.CoefficientInt64()
	decimals := places
	switch {
	case e >= -places: // pad with zeros to places decimals
		k := places + e
		if d.NumDigits()+int(k) > 18 {
			return b, false
		}
		c *= pow10[k]
	case c%pow10[-e-places] == 0: // only zeros beyond places
		c /= pow10[-e-places]
	default: // significant digits beyond places: all of them, no trailing zero
		decimals = -e
		for c%10 == 0 {
			c /= 10
			decimals--
		}
	}
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	return appendDigits(b, uint64(c), int(decimals)), true
}

// appendDigits appends c with a decimal point before its last decimals
// digits (at least one digit before it): the digits are written from the
// right into a buffer in one pass, without strconv's two calls for the
// whole and the fraction.
func appendDigits(b []byte, c uint64, decimals int) []byte {
	var buf [24]byte // 20 digits, the point, room to spare
	i := len(buf)
	for k := 0; k < decimals; k++ {
		i--
		buf[i] = byte('0' + c%10)
		c /= 10
	}
	if decimals > 0 {
		i--
		buf[i] = '.'
	}
	for {
		i--
		buf[i] = byte('0' + c%10)
		c /= 10
		if c == 0 {
			break
		}
	}
	return append(b, buf[i:]...)
}
