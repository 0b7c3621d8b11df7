package main

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestCountSumExact: the int64 total gives the decimal sum exactly, also
// for amounts of more decimals than cents, amounts too long for the int64
// units and totals that would overflow them.
func TestCountSumExact(t *testing.T) {
	tests := []struct {
		name    string
		amounts []string
		want    string
	}{
		{"cents", []string{"12.30", "0.04", "-5.00"}, "7.34"},
		{"thousandths and camt's five decimals", []string{"1.001", "0.00001", "2"}, "3.00101"},
		{"more than five decimals", []string{"0.000001", "1.10"}, "1.100001"},
		{"beyond twelve digits", []string{"123456789012345.67", "0.33"}, "123456789012346"},
		{"overflowing the units", []string{"9999999999.99", "9999999999.99", "-0.98"}, "19999999999"},
		{"nothing", nil, "0"},
	}
	for _, tt := range tests {
		var c countSum
		want := decimal.Zero
		for _, a := range tt.amounts {
			d := decimal.RequireFromString(a)
			c.add(d)
			want = want.Add(d)
		}
		c.finish()
		if c.Sum.String() != tt.want || !c.Sum.Equal(want) || c.Count != len(tt.amounts) {
			t.Errorf("%s: sum %s count %d, want %s (%s)", tt.name, c.Sum, c.Count, tt.want, want)
		}
	}
	// many large amounts: the units overflow, the remainder takes over
	var c countSum
	want := decimal.Zero
	d := decimal.RequireFromString("999999999999.99")
	for i := 0; i < 100; i++ {
		c.add(d)
		want = want.Add(d)
	}
	c.finish()
	if !c.Sum.Equal(want) || c.Sum.String() != "99999999999999" {
		t.Errorf("100 large amounts: %s, want %s", c.Sum, want)
	}
}
