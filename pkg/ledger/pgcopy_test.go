package ledger

import (
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
)

// TestDecimalText: the fast text of an amount is d.String(), exactly.
func TestDecimalText(t *testing.T) {
	for _, s := range []string{"0", "0.00", "1", "-1", "12.34", "12.340", "-0.05", "0.001", "1000", "1E3", "-1234567890123456.78",
		"123456789012345678901234.5", "0.000000000000000000001", "10.10", "-10.00", "99999999999999999.9"} {
		d := decimal.RequireFromString(s)
		if got, want := string(decimalText(nil, d)), d.String(); got != want {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
}

// TestAppendNumeric: the binary NUMERIC of decimal texts, as numeric_send
// writes them (length, ndigits, weight, sign, dscale, base-10000 digits).
func TestAppendNumeric(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0", "00000008" + "0000" + "0000" + "0000" + "0000"},
		{"12.34", "0000000c" + "0002" + "0000" + "0000" + "0002" + "000c" + "0d48"},
		{"-0.05", "0000000a" + "0001" + "ffff" + "4000" + "0002" + "01f4"},
		{"10000", "0000000a" + "0001" + "0001" + "0000" + "0000" + "0001"},
		{"123456.7", "0000000e" + "0003" + "0001" + "0000" + "0001" + "000c" + "0d80" + "1b58"},
	} {
		got, err := appendNumeric(nil, c.in)
		if err != nil || hex.EncodeToString(got) != c.want {
			t.Errorf("%s: %x %v, want %s", c.in, got, err, c.want)
		}
	}
	if _, err := appendNumeric(nil, "1e5"); err == nil || err.Error() != `ledger: amount "1e5" is not a decimal number` {
		t.Errorf("1e5: %v", err)
	}
}

// TestNumericValue: a NUMERIC's binary form read by numericValue is what
// pgx's codec reads (value, exponent and text), for the amounts of a
// ledger and beyond an int64.
func TestNumericValue(t *testing.T) {
	m := pgtype.NewMap()
	for _, s := range []string{"0", "0.00", "1", "-1", "12.34", "12.30", "-0.05", "0.001", "10000", "10000.00", "123456.7",
		"-1234567890123456.78", "9999999999999999", "99999999999999999", "123456789012345678901234.5", "0.000000000000000000001",
		"-10.00", "100000000", "0.1000", "5000.0001", "1.000000000000000001"} {
		b, err := appendNumeric(nil, s)
		if err != nil {
			t.Fatal(err)
		}
		b = b[4:] // the length
		var n pgtype.Numeric
		if err := m.Scan(pgtype.NumericOID, pgtype.BinaryFormatCode, b, &n); err != nil {
			t.Fatal(err)
		}
		want, err := numericDec(n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := numericValue(b)
		if err != nil || !got.Equal(want) || got.Exponent() != want.Exponent() || got.String() != want.String() || got.String() != decimal.RequireFromString(s).String() {
			t.Errorf("%s: %v (exponent %d) %v, want %v (exponent %d)", s, got, got.Exponent(), err, want, want.Exponent())
		}
	}
	for _, b := range []string{"", "0001000000000002", "0000000000c00000"} {
		raw, _ := hex.DecodeString(b)
		if _, err := numericValue(raw); err == nil {
			t.Errorf("%q: no error", b)
		}
	}
}
