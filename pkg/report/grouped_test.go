package report

import "testing"

func TestGrouped(t *testing.T) {
	for in, want := range map[string]string{
		"0.00": "0.00", "999.99": "999.99", "1000.00": "1,000.00", "-1234.56": "-1,234.56", "2606023.60": "2,606,023.60",
		"123456789": "123,456,789", "-100": "-100", "": "", "12a456.00": "12a456.00", "1000.12345": "1,000.12345",
	} {
		if got := Grouped(in); got != want {
			t.Errorf("Grouped(%q) = %q, want %q", in, got, want)
		}
	}
}
