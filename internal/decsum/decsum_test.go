package decsum

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestSum(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		name string
		add  []string
		sub  []string
		want string
	}{
		{"empty", nil, nil, "0"},
		{"cents", []string{"12.34", "5.67", "-0.01"}, nil, "18"},
		{"five decimals", []string{"0.00001", "1.5"}, []string{"0.00002"}, "1.49999"},
		{"finer than units", []string{"0.000001", "1"}, nil, "1.000001"},
		{"18 digits", []string{"999999999999999999", "999999999999999999"}, nil, "1999999999999999998"},
		{"overflow of units", []string{"9999999999999.99999", "9999999999999.99999", "9999999999999.99999"}, []string{"0.00003"}, "29999999999999.99994"},
		{"big", []string{"123456789012345678901234567890.5", "1"}, nil, "123456789012345678901234567891.5"},
		{"integer exponent", []string{"1e3"}, nil, "1000"},
	}
	for _, tt := range tests {
		var s Sum
		want := decimal.Zero
		for _, a := range tt.add {
			s.Add(d(a))
			want = want.Add(d(a))
		}
		for _, a := range tt.sub {
			s.Sub(d(a))
			want = want.Sub(d(a))
		}
		if !s.Equal(want) || !s.Equal(d(tt.want)) || s.Equal(want.Add(decimal.New(1, -5))) || s.Equal(want.Add(decimal.New(1, -9))) {
			t.Errorf("%s: Equal is wrong", tt.name)
		}
		if got := s.Decimal(); got.String() != tt.want || !got.Equal(want) {
			t.Errorf("%s: %s, want %s (decimal says %s)", tt.name, got, tt.want, want)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	a := decimal.New(1234, -2)
	b.ReportAllocs()
	var s Sum
	for i := 0; i < b.N; i++ {
		s.Add(a)
	}
}

func BenchmarkDecimalAdd(b *testing.B) {
	a := decimal.New(1234, -2)
	b.ReportAllocs()
	s := decimal.Zero
	for i := 0; i < b.N; i++ {
		s = s.Add(a)
	}
}
