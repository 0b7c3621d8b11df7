package sepa

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseIBAN(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		// Published examples of the national IBAN formats (SWIFT IBAN registry).
		{"BE68 5390 0754 7034", "BE68539007547034", nil},
		{"DE89370400440532013000", "DE89370400440532013000", nil},
		{"nl91abna0417164300", "NL91ABNA0417164300", nil},
		{"FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606", nil},
		{"GB29NWBK60161331926819", "GB29NWBK60161331926819", nil},
		{"AT611904300234573201", "AT611904300234573201", nil},
		{"CH9300762011623852957", "CH9300762011623852957", nil},
		{"ES9121000418450200051332", "ES9121000418450200051332", nil},
		{"IT60X0542811101000000123456", "IT60X0542811101000000123456", nil},
		{"LU280019400644750000", "LU280019400644750000", nil},
		{"NO9386011117947", "NO9386011117947", nil},
		{"MT84MALT011000012345MTLCAST001S", "MT84MALT011000012345MTLCAST001S", nil},
		{"BE68 5390 0754 7035", "", ErrIBANChecksum},
		{"BE68539007547", "", ErrIBANLength},
		{"XX68539007547034", "", ErrIBANCountry},
		{"BE68-5390-0754-7034", "", ErrIBANChars},
		{"BEXX539007547034", "", ErrIBANChecksum},
		{"", "", ErrIBANLength},
	}
	for _, tt := range tests {
		got, err := ParseIBAN(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseIBAN(%q) error = %v, want %v", tt.in, err, tt.err)
		}
		if string(got) != tt.want {
			t.Errorf("ParseIBAN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIBANLengthMessage(t *testing.T) {
	_, err := ParseIBAN("BE685390075470341")
	want := "IBAN has the wrong length for its country (ISO 13616): BE IBANs have 16 characters, not 17"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestValidateIBANIsStrict(t *testing.T) {
	if err := ValidateIBAN("BE68 5390 0754 7034"); !errors.Is(err, ErrIBANChars) {
		t.Fatalf("paper form must be refused in electronic fields, got %v", err)
	}
	if err := ValidateIBAN("BE68539007547034"); err != nil {
		t.Fatal(err)
	}
}

func TestIBANPaper(t *testing.T) {
	if got := IBAN("FR1420041010050500013M02606").Paper(); got != "FR14 2004 1010 0505 0001 3M02 606" {
		t.Fatalf("Paper() = %q", got)
	}
	if got := IBAN("BE68539007547034").Country(); got != "BE" {
		t.Fatalf("Country() = %q", got)
	}
}

func TestParseBIC(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"DEUTDEFF", "DEUTDEFF", true},
		{"deutdeff500", "DEUTDEFF500", true},
		{"GEBABEBB", "GEBABEBB", true},
		{"KREDBEBBXXX", "KREDBEBBXXX", true},
		{"NEDSZAJJXXX", "NEDSZAJJXXX", true},
		{"DEUT12FF", "", false},    // country must be letters
		{"DEUTDEF", "", false},     // 7 characters
		{"DEUTDEFF5", "", false},   // 9 characters
		{"DEUTDE0F", "", false},    // location may not start with 0 (test BICs use 0 in 2nd position only)
		{"DEUTDEFO", "", false},    // 'O' as second location character is reserved
		{"DEUTDEFF50!", "", false}, // punctuation
	}
	for _, tt := range tests {
		got, err := ParseBIC(tt.in)
		if (err == nil) != tt.ok || string(got) != tt.want {
			t.Errorf("ParseBIC(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if BIC("GEBABEBB").Country() != "BE" {
		t.Fatal("Country")
	}
}

func TestCreditorID(t *testing.T) {
	// Examples published in EPC262-08 and by the national communities.
	valid := []string{
		"DE98ZZZ09999999999",
		"BE69ZZZ050D000000008",
		"NL79ZZZ999999990000",
		"FR72ZZZ123456",
		"ES50ZZZM23456789",
		"IT66ZZZA1B2C3D4E5F6G7H8",
		"AT61ZZZ01234567890",
		"de98 zzz 09999999999",
		"DE98ABC09999999999", // the business code does not take part in the check
	}
	for _, s := range valid {
		if _, err := ParseCreditorID(s); err != nil {
			t.Errorf("ParseCreditorID(%q): %v", s, err)
		}
	}
	invalid := []struct {
		in  string
		err error
		msg string
	}{
		{"DE97ZZZ09999999999", ErrCIChecksum, "creditor identifier check digits do not verify (EPC262-08 mod 97): expected 98"},
		{"DE98ZZZ09999999998", ErrCIChecksum, "creditor identifier check digits do not verify (EPC262-08 mod 97): expected 28"},
		{"DE98ZZZ", ErrCIShape, ""},
		{"1E98ZZZ09999999999", ErrCIShape, ""},
		{"DE98ZZZ0999-999999", ErrCIShape, ""},
		// Right shape, lower-case national identifier, wrong check digits:
		// the check digits are blamed, not the shape (issue 13).
		{"AA00ZZZOriginalCreditorID", ErrCIChecksum, "creditor identifier check digits do not verify (EPC262-08 mod 97): expected 26"},
	}
	// As written (what the pain.008 reader checks), lower case included.
	if err := ValidateCreditorID("AA00ZZZOriginalCreditorID"); err == nil ||
		err.Error() != "creditor identifier check digits do not verify (EPC262-08 mod 97): expected 26" {
		t.Errorf("ValidateCreditorID: %v", err)
	}
	if err := ValidateCreditorID("AA26ZZZOriginalCreditorID"); err != nil {
		t.Errorf("ValidateCreditorID with the right check digits: %v", err)
	}
	for _, tt := range invalid {
		_, err := ParseCreditorID(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseCreditorID(%q) = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("ParseCreditorID(%q) message %q, want %q", tt.in, err, tt.msg)
		}
	}
	ci, err := NewCreditorID("DE", "ZZZ", "09999999999")
	if err != nil || ci != "DE98ZZZ09999999999" {
		t.Fatalf("NewCreditorID = %q, %v", ci, err)
	}
	ci, err = NewCreditorID("BE", "ZZZ", "0123456789")
	if err != nil || ci != "BE68ZZZ0123456789" {
		t.Fatalf("NewCreditorID = %q, %v", ci, err)
	}
}

func TestValidateID(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{"MANDATE-2024/001", nil},
		{"E2E 0001 (retry) ?:.,'+", nil},
		{"12345678901234567890123456789012345", nil},
		{"123456789012345678901234567890123456", ErrIDLength},
		{"", ErrIDEmpty},
		{"/ABC", ErrIDSlash},
		{"ABC/", ErrIDSlash},
		{"A//B", ErrIDSlash},
		{"MANDAT_1", ErrIDChars},
		{"Müller-1", ErrIDChars},
	}
	for _, tt := range tests {
		if err := ValidateID(tt.in); !errors.Is(err, tt.err) {
			t.Errorf("ValidateID(%q) = %v, want %v", tt.in, err, tt.err)
		}
	}
}

func TestTransliterate(t *testing.T) {
	tests := []struct {
		in, want string
		changes  int
	}{
		{"Plain text 123 /-?:().,'+", "Plain text 123 /-?:().,'+", 0},
		{"Müller & Söhne", "Muller + Sohne", 3},
		{"Straße", "Strasse", 1},
		{"Ærøskøbing", "AEroskobing", 3},
		{"Łódź", "Lodz", 3},
		{"François Café", "Francois Cafe", 2},
		{"Ελλάδα", "......", 6},
		{"a_b", "a-b", 1},
		{"€ 10", "EUR 10", 1},
	}
	for _, tt := range tests {
		got, ch := Transliterate(tt.in)
		if got != tt.want || len(ch) != tt.changes {
			t.Errorf("Transliterate(%q) = %q with %d changes %v; want %q with %d", tt.in, got, len(ch), ch, tt.want, tt.changes)
		}
		if err := ValidateText(got); err != nil {
			t.Errorf("Transliterate(%q) = %q still invalid: %v", tt.in, got, err)
		}
	}
	_, ch := Transliterate("Aé")
	if len(ch) != 1 || ch[0] != (Change{Pos: 2, From: 'é', To: "e"}) {
		t.Fatalf("changes = %v", ch)
	}
	err := ValidateText("Café")
	if err == nil || err.Error() != `character outside the EPC basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space): 'é' at position 4` {
		t.Fatalf("ValidateText: %v", err)
	}
}

func TestRF(t *testing.T) {
	rf, err := ParseRF("RF18 5390 0754 7034")
	if err != nil || rf != "RF18539007547034" {
		t.Fatalf("ParseRF = %q, %v", rf, err)
	}
	if rf.Paper() != "RF18 5390 0754 7034" {
		t.Fatalf("Paper = %q", rf.Paper())
	}
	if _, err := ParseRF("RF19539007547034"); !errors.Is(err, ErrRFChecksum) {
		t.Fatalf("bad check digits: %v", err)
	}
	if _, err := ParseRF("RF18"); !errors.Is(err, ErrRFShape) {
		t.Fatalf("short: %v", err)
	}
	if _, err := ParseRF("RF1853900754703412345678901"); !errors.Is(err, ErrRFShape) {
		t.Fatalf("long: %v", err)
	}
	for _, ref := range []string{"539007547034", "INV2024001", "A", "123456789012345678901"} {
		rf, err := NewRF(ref)
		if err != nil {
			t.Fatalf("NewRF(%q): %v", ref, err)
		}
		if _, err := ParseRF(string(rf)); err != nil {
			t.Fatalf("NewRF(%q) = %q does not verify: %v", ref, rf, err)
		}
	}
	if rf, _ := NewRF("539007547034"); rf != "RF18539007547034" {
		t.Fatalf("NewRF = %q", rf)
	}
}

func TestOGM(t *testing.T) {
	tests := []struct {
		in, digits, printed string
		err                 error
	}{
		{"+++123/4567/89002+++", "123456789002", "+++123/4567/89002+++", nil},
		{"***090/9337/55493***", "090933755493", "+++090/9337/55493+++", nil},
		{"090933755493", "090933755493", "+++090/9337/55493+++", nil},
		{"+++000/0009/70097+++", "000000970097", "+++000/0009/70097+++", nil}, // remainder 0 is written 97
		{"+++123/4567/89003+++", "", "", ErrOGMCheck},
		{"+++123/4567/8900+++", "", "", ErrOGMShape},
		{"12345678900A", "", "", ErrOGMShape},
		{" 123 4567 89002 ", "123456789002", "+++123/4567/89002+++", nil},
		{"1234567890021", "", "", ErrOGMShape},
		{"+++123/4567/89002", "", "", ErrOGMShape},
		{"", "", "", ErrOGMShape},
	}
	for _, tt := range tests {
		o, err := ParseOGM(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseOGM(%q) error %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && (o.Digits() != tt.digits || o.String() != tt.printed) {
			t.Errorf("ParseOGM(%q) = %s / %s", tt.in, o.Digits(), o)
		}
	}
	// CODA and camt carry the bare 12 digits: reading them allocates nothing.
	if n := testing.AllocsPerRun(100, func() { ParseOGM("090933755493") }); n != 0 {
		t.Errorf("ParseOGM of 12 digits: %v allocations, want 0", n)
	}
	if o, _ := NewOGM(9700); o.String() != "+++000/0009/70097+++" {
		t.Fatalf("NewOGM(9700) = %s", o)
	}
	if _, err := NewOGM(10000000000); !errors.Is(err, ErrOGMShape) {
		t.Fatal("NewOGM accepted 11 digits")
	}
}

func TestDetectReference(t *testing.T) {
	tests := []struct {
		in     string
		scheme ReferenceScheme
		value  string
	}{
		{"RF18 5390 0754 7034", SchemeRF, "RF18539007547034"},
		{"+++123/4567/89002+++", SchemeOGM, "123456789002"},
		{"123456789002", SchemeOGM, "123456789002"},
		{"INV-2024-17", SchemeOther, "INV-2024-17"},
		{"  ", SchemeNone, ""},
	}
	for _, tt := range tests {
		s, v := DetectReference(tt.in)
		if s != tt.scheme || v != tt.value {
			t.Errorf("DetectReference(%q) = %q %q", tt.in, s, v)
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"12", "12.00", nil},
		{"12.3", "12.30", nil},
		{"0.01", "0.01", nil},
		{"007.50", "7.50", nil},
		{"999999999.99", "999999999.99", nil},
		{"1.005", "", ErrAmountDecimals},
		{"0.00", "", ErrAmountRange},
		{"1000000000.00", "", ErrAmountRange},
		{"-1", "", ErrAmountSyntax},
		{"1e3", "", ErrAmountSyntax},
		{"1,00", "", ErrAmountSyntax},
		{".5", "", ErrAmountSyntax},
		{"5.", "", ErrAmountSyntax},
		{"", "", ErrAmountSyntax},
		{" 5", "", ErrAmountSyntax},
		{"000000000000000001.5", "1.50", nil},
		{"99999999999999999999", "", ErrAmountRange}, // too many digits for the int64 path
		{"9999999999999999.9", "", ErrAmountRange},
	}
	for _, tt := range tests {
		d, err := ParseAmount(tt.in)
		if want, werr := decimal.NewFromString(tt.in); err == nil && (werr != nil || d.Exponent() != want.Exponent() || d.Coefficient().Cmp(want.Coefficient()) != 0) {
			t.Errorf("ParseAmount(%q) = %s × 10^%d, decimal.NewFromString gives %v × 10^%d", tt.in, d.Coefficient(), d.Exponent(), want.Coefficient(), want.Exponent())
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseAmount(%q) error %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && FormatAmount(d, "EUR") != tt.want {
			t.Errorf("ParseAmount(%q) = %s, want %s", tt.in, FormatAmount(d, "EUR"), tt.want)
		}
	}
}

func TestIsSEPACountry(t *testing.T) {
	for cc, want := range map[string]bool{"BE": true, "CH": true, "GB": true, "US": false, "TR": false} {
		if IsSEPACountry(cc) != want {
			t.Errorf("IsSEPACountry(%s) != %v", cc, want)
		}
	}
}

// TestEPCCharSet checks the bit set of isEPCChar against the EPC basic
// Latin set as written, for every code point up to U+024F.
func TestEPCCharSet(t *testing.T) {
	const set = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ "
	for r := rune(-1); r < 0x250; r++ {
		if got, want := isEPCChar(r), strings.ContainsRune(set, r); got != want {
			t.Errorf("isEPCChar(%q) = %v, want %v", r, got, want)
		}
	}
}

// TestMod97 checks the gathered remainder against one division per
// character, on strings of digits and letters up to 70 long.
func TestMod97(t *testing.T) {
	slow := func(s string) int {
		rem := 0
		for i := 0; i < len(s); i++ {
			if c := s[i]; c <= '9' {
				rem = (rem*10 + int(c-'0')) % 97
			} else {
				rem = (rem*100 + int(c-'A') + 10) % 97
			}
		}
		return rem
	}
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ9999999999ZZZZ"
	x := uint32(1)
	for n := 0; n < 5000; n++ {
		b := make([]byte, n%71)
		for i := range b {
			x = x*1664525 + 1013904223
			b[i] = chars[x>>8%uint32(len(chars))]
		}
		if got, ok := mod97(string(b)); !ok || got != slow(string(b)) {
			t.Fatalf("mod97(%s) = %d, %v; want %d", b, got, ok, slow(string(b)))
		}
	}
	if _, ok := mod97("12a"); ok {
		t.Fatal("mod97 took a lower-case letter")
	}
}
