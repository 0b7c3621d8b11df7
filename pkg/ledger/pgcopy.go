package ledger

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// copyRows builds the rows of a COPY ... FROM STDIN (FORMAT binary) on
// PostgreSQL: the import writes its statement lines and matches so, which
// costs the server a third to half of what an INSERT of the same rows from
// unnest(...) arrays costs (no text to parse, no per-row executor, pages
// filled several rows at a time), and the client no array encoding.
//
// The format (PostgreSQL documentation, "COPY", Binary Format): a
// signature, flags and header extension; per row the number of fields
// (int16), then per field its length (int32, -1 for NULL) and its value in
// the type's binary send form; a trailer of int16 -1.
type copyRows struct {
	buf  []byte
	rows int
}

// newCopyRows starts the data of a COPY of about size bytes.
func newCopyRows(size int) *copyRows {
	w := &copyRows{buf: make([]byte, 0, max(size, 1<<12))}
	w.buf = append(w.buf, "PGCOPY\n\xff\r\n\x00"...)
	w.buf = binary.BigEndian.AppendUint32(w.buf, 0) // flags: no OIDs
	w.buf = binary.BigEndian.AppendUint32(w.buf, 0) // header extension: none
	return w
}

// row starts a row of n fields.
func (w *copyRows) row(n int) {
	w.buf = binary.BigEndian.AppendUint16(w.buf, uint16(n))
	w.rows++
}

// bytes ends the data and returns it.
func (w *copyRows) bytes() []byte {
	return binary.BigEndian.AppendUint16(w.buf, 0xffff)
}

func (w *copyRows) null() { w.buf = binary.BigEndian.AppendUint32(w.buf, 0xffffffff) }

// int8 is a BIGINT.
func (w *copyRows) int8(v int64) {
	w.buf = binary.BigEndian.AppendUint32(w.buf, 8)
	w.buf = binary.BigEndian.AppendUint64(w.buf, uint64(v))
}

// text is a TEXT (UTF-8, as the server's encoding).
func (w *copyRows) text(s string) {
	w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(len(s)))
	w.buf = append(w.buf, s...)
}

// textOrNull writes NULL for the empty string (what NULLIF did).
func (w *copyRows) textOrNull(s string) {
	if s == "" {
		w.null()
		return
	}
	w.text(s)
}

// bytea is a BYTEA.
func (w *copyRows) bytea(b []byte) {
	w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(len(b)))
	w.buf = append(w.buf, b...)
}

// numeric is a NUMERIC with the value and scale of d's text (d.String(),
// which is what d::numeric stored before): 12.340 is stored as 12.34.
func (w *copyRows) numeric(d decimal.Decimal) error {
	var tmp [24]byte
	var err error
	w.buf, err = appendNumeric(w.buf, string(decimalText(tmp[:0], d)))
	return err
}

// decimalText appends d.String() to dst: without math/big's formatting
// when the coefficient has at most 18 digits (every amount a statement
// carries), through d.String() otherwise.
func decimalText(dst []byte, d decimal.Decimal) []byte {
	e := d.Exponent()
	if d.NumDigits() > 18 || e > 0 || e < -18 {
		return append(dst, d.String()...)
	}
	c := d.CoefficientInt64()
	for e < 0 && c%10 == 0 {
		c, e = c/10, e+1
	}
	if c < 0 {
		dst, c = append(dst, '-'), -c
	}
	var b [20]byte
	digits := strconv.AppendInt(b[:0], c, 10)
	if e == 0 {
		return append(dst, digits...)
	}
	n := int(-e)
	if len(digits) <= n {
		dst = append(dst, "0."...)
		for range n - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-n]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-n:]...)
}

// appendNumeric appends the binary form of the decimal text s
// ([-]digits[.digits]) as numeric_send writes it: the number of base-10000
// digits, the weight of the first (power of 10000), the sign (0 or 0x4000),
// the display scale (decimals), then the digits, none of them leading or
// trailing zeros.
func appendNumeric(buf []byte, s string) ([]byte, error) {
	var sign uint16
	if strings.HasPrefix(s, "-") {
		sign, s = 0x4000, s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" || strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return buf, fmt.Errorf("ledger: amount %q is not a decimal number", s)
	}
	// Groups of 4 digits from the decimal point both ways.
	var groups [64]int16
	gs := groups[:0]
	lead := (4 - len(intPart)%4) % 4
	n, v := 0, 0
	for i := 0; i < lead+len(intPart); i++ {
		if i >= lead {
			v = v*10 + int(intPart[i-lead]-'0')
		} else {
			v *= 10
		}
		if n++; n == 4 {
			gs, n, v = append(gs, int16(v)), 0, 0
		}
	}
	weight := len(gs) - 1
	for i := 0; i < len(frac); i += 4 {
		v = 0
		for j := i; j < i+4; j++ {
			v *= 10
			if j < len(frac) {
				v += int(frac[j] - '0')
			}
		}
		gs = append(gs, int16(v))
	}
	for len(gs) > 0 && gs[0] == 0 {
		gs, weight = gs[1:], weight-1
	}
	for len(gs) > 0 && gs[len(gs)-1] == 0 {
		gs = gs[:len(gs)-1]
	}
	if len(gs) == 0 {
		sign, weight = 0, 0
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(8+2*len(gs)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(gs)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(frac)))
	for _, g := range gs {
		buf = binary.BigEndian.AppendUint16(buf, uint16(g))
	}
	return buf, nil
}

// pow10 are the powers of ten an int64 holds.
var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// numericValue reads a NUMERIC in the binary form appendNumeric writes
// (numeric_send), as pgx's own codec would, but with the coefficient in an
// int64 when it has at most 16 digits (every amount of a ledger): the
// codec builds it in a big.Int, a division and a copy per amount. The
// exponent is minus the display scale, as the codec gives it.
func numericValue(b []byte) (decimal.Decimal, error) {
	if len(b) < 8 {
		return decimal.Zero, fmt.Errorf("ledger: a NUMERIC of %d bytes", len(b))
	}
	n := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) != 8+2*n || (sign != 0 && sign != 0x4000) {
		return decimal.Zero, fmt.Errorf("ledger: amount %x in the database is not a finite NUMERIC", b)
	}
	if n == 0 {
		return decimal.New(0, 0), nil
	}
	digits := b[8:]
	// The value is the digits times 10000^(weight-n+1).
	exp := 4 * (weight - n + 1)
	var d decimal.Decimal
	if n <= 4 {
		var c int64
		for i := range n {
			c = c*10000 + int64(binary.BigEndian.Uint16(digits[2*i:]))
		}
		// To the display scale, when it has decimals: exact (the digits
		// below it are the zeros of the last base-10000 digit), unless it
		// overflows.
		switch k := exp + dscale; {
		case dscale == 0:
		case k < 0 && -k < len(pow10):
			c, exp = c/pow10[-k], -dscale
		case k > 0 && k < len(pow10) && c < (1<<63-1)/pow10[k]:
			c, exp = c*pow10[k], -dscale
		}
		if sign != 0 {
			c = -c
		}
		d = decimal.New(c, int32(exp))
	} else {
		c := new(big.Int)
		for i := range n {
			c.Mul(c, big.NewInt(10000))
			c.Add(c, big.NewInt(int64(binary.BigEndian.Uint16(digits[2*i:]))))
		}
		if sign != 0 {
			c.Neg(c)
		}
		if k := exp + dscale; dscale > 0 && k != 0 {
			f := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(k, -k))), nil)
			if k < 0 {
				c.Quo(c, f)
			} else {
				c.Mul(c, f)
			}
			exp = -dscale
		}
		d = decimal.NewFromBigInt(c, int32(exp))
	}
	return d, nil
}
