package tabular

import (
	"io"
	"strings"
	"testing"
)

func TestNormalizeAmount(t *testing.T) {
	const (
		commaMark = "'.' is not the decimal mark of this file, which writes decimal commas (12,50): give --decimal-comma=false if its amounts are written 12.50"
		pointMark = "',' is not the decimal mark of this file, which writes decimal points (12.50): give --decimal-comma if its amounts are written 12,50"
		grouping  = "thousands separators must group digits by three (1.234.567,89 or 1,234,567.89)"
		syntax    = "not an amount: digits, one decimal mark and optional thousands separators"
	)
	for _, tt := range []struct {
		in   string
		dec  Decimal
		want string // normalised, or the error
	}{
		{"25,00", DecimalComma, "25.00"},
		{"25", DecimalComma, "25"},
		{"0,5", DecimalComma, "0.5"},
		{"1.234,56", DecimalComma, "1234.56"},
		{"1.234.567,89", DecimalComma, "1234567.89"},
		{"1.234.567", DecimalComma, "1234567"},
		{" 1 234,56 ", DecimalComma, "1234.56"},
		{"1\u00a0234,56", DecimalComma, "1234.56"},
		{"1\u202f234,56", DecimalComma, "1234.56"},
		{"-1.234,56", DecimalComma, "-1234.56"},
		{"1,005", DecimalComma, "1.005"}, // three decimals: sepa.ParseAmount refuses them by its own rule
		{"1.234", DecimalComma, "ambiguous: with decimal commas '.' groups thousands (1.234 would be 1234), yet it reads as a decimal point: write it without the '.' or with decimals (1.234,00)"},
		{"12.50", DecimalComma, commaMark},
		{"1,234.56", DecimalComma, commaMark},
		{"1.23.456,00", DecimalComma, grouping},
		{"1.234 567,00", DecimalComma, grouping},
		{"12,", DecimalComma, syntax},
		{",50", DecimalComma, syntax},
		{"€ 25,00", DecimalComma, syntax},
		{"1e3", DecimalComma, syntax},
		{"", DecimalComma, syntax},
		{"25.00", DecimalPoint, "25.00"},
		{"1,234.56", DecimalPoint, "1234.56"},
		{"1'234.56", DecimalPoint, "1234.56"},
		{"1,234", DecimalPoint, "ambiguous: with decimal points ',' groups thousands (1,234 would be 1234), yet it reads as a decimal comma: write it without the ',' or with decimals (1,234.00)"},
		{"25,00", DecimalPoint, pointMark},
		{"1.234,56", DecimalPoint, pointMark},
		{"1,2345", DecimalPoint, pointMark},
		{"1,23,456.00", DecimalPoint, grouping},
	} {
		got, err := NormalizeAmount(tt.in, tt.dec)
		if err != nil {
			got = err.Error()
			if _, ok := err.(*AmountError); !ok {
				t.Errorf("%q: error of type %T", tt.in, err)
			}
		}
		if got != tt.want {
			t.Errorf("NormalizeAmount(%q, %d) = %q\nwant %q", tt.in, tt.dec, got, tt.want)
		}
	}
}

func readAll(t *testing.T, in string, d Dialect) ([][]string, Dialect, error) {
	t.Helper()
	r := NewReader(strings.NewReader(in), "f.csv", d)
	var recs [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, r.Dialect(), nil
		}
		if err != nil {
			return recs, r.Dialect(), err
		}
		recs = append(recs, rec)
	}
}

func TestReaderDialects(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		d        Dialect
		want     string // records joined by | and /, or the error
		delim    rune
		dec      Decimal
	}{
		{"comma", "a,b\n1,2\n", Dialect{}, "a|b/1|2", ',', DecimalPoint},
		{"semicolon", "a;b\n1,5;2\n", Dialect{}, "a|b/1,5|2", ';', DecimalComma},
		{"tab", "a\tb\n1,5\t2\n", Dialect{}, "a|b/1,5|2", '\t', DecimalComma},
		{"pipe", "a|b\n1|2\n", Dialect{}, "a|b/1|2", '|', DecimalPoint},
		{"quoted separators do not count", "\"a;x\";\"b,y\";c,d\n", Dialect{}, "a;x|b,y|c,d", ';', DecimalComma},
		{"one column", "a\n1\n", Dialect{}, "a/1", ',', DecimalPoint},
		{"given delimiter wins", "a;b,c\n", Dialect{Delimiter: ','}, "a;b|c", ',', DecimalPoint},
		{"decimal comma forced", "a,b\n", Dialect{Decimal: DecimalComma}, "a|b", ',', DecimalComma},
		{"decimal point forced", "a;b\n", Dialect{Decimal: DecimalPoint}, "a|b", ';', DecimalPoint},
		{"BOM and CRLF", "\xef\xbb\xbfa;b\r\nx;y\r\n", Dialect{}, "a|b/x|y", ';', DecimalComma},
		{"UTF-8 kept", "name\nChloé\n", Dialect{}, "name/Chloé", ',', DecimalPoint},
		{"cp1252", "name;x\nChlo\xe9;\x80 5\n", Dialect{Encoding: CP1252}, "name|x/Chloé|€ 5", ';', DecimalComma},
		{"latin1", "name;x\nFran\xe7ois;\xa0\n", Dialect{Encoding: Latin1}, "name|x/François|\u00a0", ';', DecimalComma},
		{"not UTF-8", "id;name\n1;Chlo\xe9\n", Dialect{},
			`f.csv:2:2: error: name "Chlo\xe9": byte E9 at byte 5 is not UTF-8; read as Windows-1252 the field is "Chloé": give --encoding cp1252 (or latin1), or save the file as "CSV UTF-8" [encoding]`, ';', DecimalComma},
		{"not UTF-8 though told", "id;name\n1;x\n2;\x80uro\n", Dialect{Encoding: UTF8},
			`f.csv:3:2: error: name "\x80uro": byte 80 at byte 1 is not UTF-8; read as Windows-1252 the field is "€uro": give --encoding cp1252 (or latin1), or save the file as "CSV UTF-8" [encoding]`, ';', DecimalComma},
		{"UTF-8 read as cp1252", "id;name\n1;Chloé\n", Dialect{Encoding: CP1252},
			`f.csv:2:2: error: name "Chloé": is valid UTF-8 ("Chloé") but --encoding cp1252 was given: the file is UTF-8, drop --encoding [encoding]`, ';', DecimalComma},
		{"BOM read as cp1252", "\xef\xbb\xbfid\n", Dialect{Encoding: CP1252},
			`f.csv:1: error: the file starts with a UTF-8 byte order mark but --encoding cp1252 was given: drop --encoding [encoding]`, 0, DecimalAuto},
		{"UTF-16", "\xff\xfea\x00", Dialect{},
			`f.csv:1: error: the file is UTF-16 (Excel's "Unicode Text"): save it as "CSV UTF-8" or "CSV (semicolon/comma delimited)" [encoding]`, 0, DecimalAuto},
		{"broken quote", "a;\"b\n", Dialect{}, `f.csv:1:6: error: CSV: extraneous or missing " in quoted-field`, ';', DecimalComma},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, d, err := readAll(t, tt.in, tt.d)
			var got string
			if err != nil {
				got = err.Error()
			} else {
				var parts []string
				for _, r := range recs {
					parts = append(parts, strings.Join(r, "|"))
				}
				got = strings.Join(parts, "/")
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if d.Delimiter != tt.delim || d.Decimal != tt.dec {
				t.Errorf("dialect %q %d, want %q %d", d.Delimiter, d.Decimal, tt.delim, tt.dec)
			}
		})
	}
}

func TestParseEncodingAndDelimiter(t *testing.T) {
	for in, want := range map[string]Encoding{"": Auto, "UTF8": UTF8, "windows-1252": CP1252, "ISO-8859-1": Latin1, "latin1": Latin1} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseEncoding("utf-16"); err == nil || err.Error() != `encoding "utf-16": want utf-8, cp1252 or latin1` {
		t.Errorf("utf-16: %v", err)
	}
	for in, want := range map[string]rune{";": ';', "tab": '\t', `\t`: '\t', "|": '|', "": 0} {
		if got, err := ParseDelimiter(in); err != nil || got != want {
			t.Errorf("ParseDelimiter(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseDelimiter(";;"); err == nil || err.Error() != `delimiter ";;": want one character such as ';' or ',', or tab` {
		t.Errorf(";;: %v", err)
	}
}

func FuzzNormalizeAmount(f *testing.F) {
	for _, s := range []string{"1.234,56", "25,00", "1,234", "12.50", "1 234,5", "-0,01", "1'234.56"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, comma bool) {
		dec := DecimalPoint
		if comma {
			dec = DecimalComma
		}
		out, err := NormalizeAmount(s, dec)
		if err != nil {
			return
		}
		// What is accepted is plain decimal notation of the same digits.
		digits := func(x string) string {
			var b strings.Builder
			for _, c := range x {
				if c >= '0' && c <= '9' {
					b.WriteRune(c)
				}
			}
			return b.String()
		}
		if digits(out) != digits(s) || strings.Count(out, ".") > 1 || strings.ContainsAny(out, ", '") {
			t.Fatalf("%q → %q", s, out)
		}
	})
}
