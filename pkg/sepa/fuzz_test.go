package sepa

import (
	"testing"
	"unicode/utf8"
)

// The parsers must never panic, and what they accept must round-trip.

func FuzzParseIBAN(f *testing.F) {
	for _, s := range []string{"BE68 5390 0754 7034", "DE89370400440532013000", "XX00", "", "MT84MALT011000012345MTLCAST001S"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i, err := ParseIBAN(s)
		if err != nil {
			return
		}
		if err := ValidateIBAN(string(i)); err != nil {
			t.Fatalf("ParseIBAN(%q) = %q, which ValidateIBAN refuses: %v", s, i, err)
		}
		if j, err := ParseIBAN(i.Paper()); err != nil || j != i {
			t.Fatalf("paper form of %q does not round-trip: %q %v", i, j, err)
		}
	})
}

func FuzzParseCreditorID(f *testing.F) {
	for _, s := range []string{"DE98ZZZ09999999999", "BE69ZZZ050D000000008", "FR72ZZZ123456", "DE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ci, err := ParseCreditorID(s)
		if err != nil {
			return
		}
		if err := ValidateCreditorID(string(ci)); err != nil {
			t.Fatalf("%q accepted then refused: %v", ci, err)
		}
	})
}

func FuzzParseRF(f *testing.F) {
	for _, s := range []string{"RF18539007547034", "RF18 5390 0754 7034", "RF00", "539007547034"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if rf, err := ParseRF(s); err == nil {
			if again, err := NewRF(string(rf[4:])); err != nil || again != rf {
				t.Fatalf("%q: NewRF gives %q %v", rf, again, err)
			}
		}
		if rf, err := NewRF(s); err == nil {
			if _, err := ParseRF(string(rf)); err != nil {
				t.Fatalf("NewRF(%q) = %q does not verify", s, rf)
			}
		}
	})
}

func FuzzParseOGM(f *testing.F) {
	for _, s := range []string{"+++123/4567/89002+++", "***090/9337/55493***", "000000970097", "+++"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOGM(s)
		if err != nil {
			return
		}
		if again, err := ParseOGM(o.String()); err != nil || again != o {
			t.Fatalf("%q does not round-trip: %q %v", o, again, err)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.30", "1.005", "0.01", "999999999.99", "1e3", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAmount(s)
		if err != nil {
			return
		}
		if CheckAmount(d) != nil {
			t.Fatalf("%q accepted out of range", s)
		}
		if again, err := ParseAmount(FormatAmount(d, "EUR")); err != nil || !again.Equal(d) {
			t.Fatalf("%q does not round-trip through %q", s, FormatAmount(d, "EUR"))
		}
	})
}

func FuzzTransliterate(f *testing.F) {
	for _, s := range []string{"Müller & Söhne", "Ελλάδα", "plain", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, changes := Transliterate(s)
		if err := ValidateText(out); err != nil {
			t.Fatalf("Transliterate(%q) = %q: %v", s, out, err)
		}
		if len(changes) == 0 && utf8.ValidString(s) && out != s {
			t.Fatalf("unreported change %q → %q", s, out)
		}
	})
}
