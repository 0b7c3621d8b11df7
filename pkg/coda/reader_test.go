package coda

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
)

// rec builds a 128-character record: kind at position 1, then pairs of
// 1-based position and text.
func rec(kind string, fields ...any) string {
	b := []byte(strings.Repeat(" ", RecordLen))
	copy(b, kind)
	for i := 0; i+1 < len(fields); i += 2 {
		copy(b[fields[i].(int)-1:], fields[i+1].(string))
	}
	return string(b)
}

func hdr() string {
	return rec("0", 2, "0000", 6, "211126", 12, "300", 15, "05", 25, "REF0000001", 61, "GKCCBEBB", 128, "2")
}
func old(amount string) string {
	return rec("1", 2, "2", 3, "007", 6, "BE68539007547034", 40, "EUR", 43, "0"+amount, 59, "201126", 65, "ACME", 126, "007")
}
func mv(seq, detail, sign, amount, code, comm string, flags string) string {
	return rec("21", 3, seq, 7, detail, 11, "BANKREF", 32, sign, 33, amount, 48, "211126", 54, code, 62, comm, 116, "211126", 122, "007", 125, flags)
}
func newBal(amount string) string {
	return rec("8", 2, "007", 5, "BE68539007547034", 39, "EUR", 42, "0"+amount, 58, "211126")
}
func trl(n, deb, cred string) string { return rec("9", 17, n, 23, deb, 38, cred, 128, "2") }

func lines(ls ...string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }

func read(t *testing.T, data []byte, opts ...Option) (*Reader, []*statement.Entry, []string) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), "t.cod", opts...)
	var es []*statement.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	var fs []string
	for _, f := range r.Findings() {
		fs = append(fs, f.String())
	}
	return r, es, fs
}

func TestReaderFindings(t *testing.T) {
	good := mv("0001", "0000", "0", "000000000010000", "001500000", "0HELLO", "000")
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"empty", nil, []string{"t.cod: error: file is empty: no CODA records [CODA structure]"}},
		{"clean", lines(hdr(), old("000000000000000"), good, newBal("000000000010000"), trl("000003", "000000000000000", "000000000010000")), nil},
		{"not numeric", lines(hdr(), old("000000000000000"),
			mv("0001", "0000", "0", "0000000000100X0", "001500000", "0HELLO", "000"), newBal("000000000010000"), trl("000003", "000000000000000", "000000000010000")),
			[]string{
				`t.cod:3: error: record 21 amount "0000000000100X0": not numeric [CODA field]`,
				`t.cod:4: error: record 8 new balance "10.00": old balance 0.00 + movements 0.00 = 0.00, not the new balance [CODA balance]`,
				`t.cod:5: error: record 9 credit movements "10": the credit movements add up to 0.00 [CODA trailer]`,
			}},
		{"bad sign and date", lines(hdr(), old("000000000000000"),
			rec("21", 3, "0001", 7, "0000", 32, "2", 33, "000000000010000", 48, "311126", 54, "001500000", 62, "0", 116, "211126", 125, "000"),
			newBal("000000000010000"), trl("000003", "000000000000000", "000000000010000")),
			[]string{
				`t.cod:3: error: record 21 amount sign "2": sign code must be 0 (credit) or 1 (debit) [CODA field]`,
				`t.cod:3: error: record 21 value date "311126": not a date DDMMYY [CODA field]`,
			}},
		{"no trailer", lines(hdr(), old("000000000000000"), good, newBal("000000000010000")),
			[]string{"t.cod:4: error: statement that starts on line 2 has no trailer record 9 [CODA structure]"}},
		{"no new balance", lines(hdr(), old("000000000000000"), good, trl("000002", "000000000000000", "000000000010000")),
			[]string{"t.cod:4: error: statement that starts on line 2 has no new balance record 8 [CODA structure]"}},
		{"unknown record and sequence", lines(hdr(), old("000000000000000"), good, rec("7", 2, "x"),
			mv("0003", "0000", "1", "000000000010000", "001010000", "0BYE", "000"),
			newBal("000000000000000"), trl("000004", "000000000010000", "000000000010000")),
			[]string{
				`t.cod:4: error: record 7 record type "7x": unknown record type [CODA record]`,
				`t.cod:5: warning: record 21 sequence number "0003": sequence number 3 follows 1 [CODA sequence]`,
			}},
		{"next code without continuation", lines(hdr(), old("000000000000000"),
			mv("0001", "0000", "0", "000000000010000", "001500000", "0HELLO", "010"), newBal("000000000010000"), trl("000003", "000000000000000", "000000000010000")),
			[]string{`t.cod:4: warning: record 8 : line 3 announces a record 2x, but record 8 follows [CODA next code]`}},
		{"short record", lines(hdr(), old("000000000000000"), strings.TrimRight(good, " "), newBal("000000000010000"), trl("000003", "000000000000000", "000000000010000")),
			[]string{`t.cod:3: warning: record 21 : record is 127 characters long, not 128 [CODA record]`}},
		{"globalisation does not add up", lines(hdr(), old("000000000000000"),
			mv("0001", "0000", "0", "000000000010000", "105500000", "0BATCH", "100"),
			mv("0001", "0001", "0", "000000000004000", "505500000", "0A", "000"),
			mv("0001", "0002", "0", "000000000005000", "505500000", "0B", "100"),
			newBal("000000000010000"), trl("000005", "000000000000000", "000000000010000")),
			[]string{`t.cod:3: warning: record 21 amount "10": globalised movement 0001: its 2 detail movements add up to 9.00 [CODA globalisation]`}},
		{"two-level globalisation", lines(hdr(), old("000000000000000"),
			mv("0001", "0000", "0", "000000000010000", "205500000", "0BATCH", "200"),
			mv("0001", "0001", "0", "000000000006000", "205500000", "0SUB", "100"),
			mv("0001", "0002", "0", "000000000002000", "605500000", "0A", "000"),
			mv("0001", "0003", "0", "000000000004000", "605500000", "0B", "100"),
			mv("0001", "0004", "0", "000000000004000", "605500000", "0C", "200"),
			newBal("000000000010000"), trl("000007", "000000000000000", "000000000010000")), nil},
		{"duplicate", lines(rec("0", 2, "0000", 6, "211126", 12, "300", 15, "05", 17, "D", 128, "2"), old("000000000000000"),
			newBal("000000000000000"), trl("000002", "000000000000000", "000000000000000")),
			[]string{`t.cod:1: warning: record 0 duplicate code "D": the bank marks this file as a duplicate of one it sent before: do not book it twice [CODA duplicate]`}},
		{"version", lines(rec("0", 2, "0000", 6, "211126", 15, "05", 128, "3"), old("000000000000000"), trl("000001", "000000000000000", "000000000000000")),
			[]string{`t.cod:1: error: record 0 version code "3": CODA version 3 is not supported (versions 1 and 2 are) [CODA version]`}},
		{"xml", []byte("<?xml version=\"1.0\"?>\n<Document/>\n"), []string{
			`t.cod:1: warning: record < : record is 21 characters long, not 128 [CODA record]`,
			`t.cod:1: error: record < record type "<?": unknown record type [CODA record]`,
			`t.cod:2: warning: record < : record is 11 characters long, not 128 [CODA record]`,
			`t.cod:2: error: record < record type "<D": unknown record type [CODA record]`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, got := read(t, tt.data)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLineEnds(t *testing.T) {
	data, err := os.ReadFile("testdata/sandbox-sdd.cod")
	if err != nil {
		t.Fatal(err)
	}
	_, crlf, f1 := read(t, data)
	_, lf, f2 := read(t, bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
	_, noEnd, f3 := read(t, bytes.TrimSuffix(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n")))
	if len(crlf) != 5 || len(lf) != 5 || len(noEnd) != 5 {
		t.Fatalf("entries %d %d %d", len(crlf), len(lf), len(noEnd))
	}
	for i := range crlf {
		if project(crlf[i]) != project(lf[i]) || project(lf[i]) != project(noEnd[i]) {
			t.Errorf("entry %d differs between CRLF and LF", i)
		}
	}
	// The Latin-1 "é" and "ü" of a conforming file are read without a
	// word: ISO-8859-1 is what Febelfin asks for and 128 bytes of Latin-1
	// letters leave no doubt.
	for _, fs := range [][]string{f1, f2, f3} {
		if len(fs) != 0 {
			t.Errorf("findings %q", fs)
		}
	}
	eq(t, "name", crlf[0].Details[2].Counterparty.Name, "Café Müller")
}

func TestCharsets(t *testing.T) {
	base := func(name string) []byte {
		return lines(hdr(), old("000000000000000"),
			mv("0001", "0000", "0", "000000000010000", "001500000", "0X", "010"),
			rec("22", 3, "0001", 7, "0000", 126, "1"),
			rec("23", 3, "0001", 7, "0000", 11, "BE71096123456769", 48, name),
			newBal("000000000010000"), trl("000005", "000000000000000", "000000000010000"))
	}
	tests := []struct {
		name string
		data []byte
		opt  []Option
		want string
	}{
		{"latin1", base("Andr\xe9 \xa4"), nil, "André ¤"},
		{"cp1252", base("Andr\xe9 \x80"), []Option{WithCharset(CP1252)}, "André €"},
		{"cp850", base("Andr\x82 \x9a"), []Option{WithCharset(CP850)}, "André Ü"},
		{"utf8 detected", base("André €"), nil, "André €"},
		{"ascii", base("Andre"), nil, "Andre"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, es, fs := read(t, tt.data, tt.opt...)
			eq(t, "name", es[0].Details[0].Counterparty.Name, tt.want)
			for _, f := range r.Findings() {
				if f.Severity == finding.Error {
					t.Errorf("finding %s", f)
				}
			}
			if tt.opt == nil && tt.name != "ascii" && len(fs) == 0 {
				t.Error("detection not reported")
			}
		})
	}
}

func TestStructuredCommunications(t *testing.T) {
	z := func(s string) (p21, p22, p23 string) { // lay a 146-position zone over 21/22/23
		s += strings.Repeat(" ", 146-len(s))
		return s[:50], s[50:103], s[103:146]
	}
	// 127: return of a SEPA direct debit, reason only as the one-digit code.
	a, b, c := z("221126" + "1" + "1" + "4" + fmt.Sprintf("%-35s", "BE69ZZZ050D000000008") + fmt.Sprintf("%-35s", "MNDT-42") +
		fmt.Sprintf("%-62s", "Invoice 42") + "2" + "    ")
	// 105: original amount in USD with charges.
	o1, o2, o3 := z("000000000110000" + "000000000120000" + "000109090909" + "USD")
	data := lines(hdr(), old("000000000000000"),
		mv("0001", "0000", "1", "000000000025000", "005540000", "1127"+a, "010"),
		rec("22", 3, "0001", 7, "0000", 11, b, 64, "E2E-42", 126, "1"),
		rec("23", 3, "0001", 7, "0000", 11, "BE71096123456769", 48, "Jan", 83, c),
		mv("0002", "0000", "0", "000000000100000", "041500000", "1105"+o1, "010"),
		rec("22", 3, "0002", 7, "0000", 11, o2, 126, "1"),
		rec("23", 3, "0002", 7, "0000", 83, o3),
		mv("0003", "0000", "0", "000000000010000", "001500000", "1101010806817183", "000"),
		mv("0004", "0000", "0", "000000000010000", "001500000", "1101010806817184", "000"),
		newBal("000000000095000"), trl("000010", "000000000025000", "000000000120000"))
	_, es, fs := read(t, data)
	eq(t, "findings", strings.Join(fs, "\n"),
		`t.cod:10: warning: record 21 structured communication "010806817184": Belgian structured communication check digits do not verify (mod 97, 0 read as 97): expected 83 [OGM mod 97]`)
	ret := es[0].Details[0]
	eq(t, "127", fmt.Sprintf("%v %s %s %s %s %q %q %s", es[0].Reversal, ret.CreditorID, ret.MandateID, ret.EndToEndID, ret.Remittance, ret.ReturnReason, ret.ReturnText, es[0].BankTxCode.SubFamily),
		`true BE69ZZZ050D000000008 MNDT-42 E2E-42 Invoice 42 "" "debtor's account problem" UPDD`)
	fx := es[1].Details[0]
	eq(t, "105", fmt.Sprintf("%s %s %s", fx.OrigAmount.StringFixed(2), fx.OrigCurrency, fx.Charges.StringFixed(2)), "120.00 USD 10.00")
	eq(t, "101", fmt.Sprintf("%+v", es[2].Details[0].Reference), "{Scheme:BE Value:010806817183}")
	eq(t, "101 bad", fmt.Sprintf("%+v", es[3].Details[0].Reference), "{Scheme:OTHER Value:010806817184}")
}

func TestMultipleStatements(t *testing.T) {
	one := []string{hdr(), old("000000000000000"), mv("0001", "0000", "0", "000000000010000", "001500000", "0A", "000"),
		newBal("000000000010000"), trl("000003", "000000000000000", "000000000010000")}
	r, es, fs := read(t, lines(append(append([]string{}, one...), one...)...))
	if len(fs) != 0 || len(es) != 2 || len(r.Statements()) != 2 {
		t.Fatalf("findings %v entries %d statements %d", fs, len(es), len(r.Statements()))
	}
	if es[0].Statement == es[1].Statement || es[1].Statement != r.Statements()[1] || es[1].Seq != 1 || es[1].Statement.Line != 6 {
		t.Error("second entry does not belong to the second statement")
	}
}

func TestFreeCommunication(t *testing.T) {
	r, _, fs := read(t, lines(hdr(), old("000000000000000"), rec("8", 2, "007", 5, "BE68539007547034", 39, "EUR", 42, "0000000000000000", 58, "211126", 128, "1"),
		rec("4", 3, "0001", 7, "0000", 33, "CLOSING AVAILABLE BALANCE"), trl("000002", "000000000000000", "000000000000000")))
	if len(fs) != 0 {
		t.Fatal(fs)
	}
	eq(t, "free", strings.Join(r.FreeCommunications(r.Statements()[0]), "|"), "CLOSING AVAILABLE BALANCE")
}

func TestSniff(t *testing.T) {
	eq(t, "coda", Sniff([]byte(hdr())), true)
	eq(t, "xml", Sniff([]byte("<?xml version=\"1.0\"?><Document>")), false)
}

func TestVersion1(t *testing.T) {
	data := lines(
		rec("0", 2, "0000", 6, "050309", 12, "725", 15, "05", 25, "V1FILE", 128, "1"),
		rec("1", 3, "042", 6, "407051416150", 19, "EUR", 43, "0000000000100000", 59, "040309", 65, "STORA ENSO", 126, "002"),
		rec("21", 3, "0001", 7, "0000", 11, "REF1", 32, "1", 33, "000000000250000", 48, "050309", 54, "001010000", 62, "0RENT MARCH", 116, "050309", 122, "042", 125, "010"),
		rec("23", 3, "0001", 7, "0000", 11, "001234567890", 48, "LANDLORD NV"),
		rec("8", 2, "042", 5, "407051416150", 18, "EUR", 42, "1000000000150000", 58, "050309"),
		trl("000004", "000000000250000", "000000000000000"))
	r, es, fs := read(t, data)
	if len(fs) != 0 {
		t.Fatal(fs)
	}
	st := r.Statements()[0]
	eq(t, "statement", fmt.Sprintf("%s %s %s %s %s", st.Format, st.Account.Other, st.Account.Currency, st.Opening.Amount.StringFixed(2), st.Closing.Amount.StringFixed(2)),
		"CODA 1 407051416150 EUR 100.00 -150.00")
	tx := es[0].Details[0]
	eq(t, "movement", fmt.Sprintf("%s %s %s %s", tx.Amount.StringFixed(2), tx.Remittance, tx.Counterparty.Account, tx.Counterparty.Name), "-250.00 RENT MARCH 001234567890 LANDLORD NV")
}

// TestTrimBytes: spaces are trimmed from both ends whatever the number of
// them around the eight a word holds.
func TestTrimBytes(t *testing.T) {
	for _, lead := range []int{0, 1, 8} {
		for _, text := range []string{"", "a", "a b", "abcdefgh", "abcdefghi j"} {
			for trail := 0; trail <= 17; trail++ {
				in := strings.Repeat(" ", lead) + text + strings.Repeat(" ", trail)
				if got := string(trimBytes([]byte(in))); got != text {
					t.Errorf("trimBytes(%q) = %q, want %q", in, got, text)
				}
			}
		}
	}
}

// TestTrimEnd: trimEnd, a word at a time, drops exactly the spaces that
// end b[i:j], for every place of the last other byte in fields of up to 40
// bytes, and every start.
func TestTrimEnd(t *testing.T) {
	n := 0
	for size := 0; size <= 40; size++ {
		for last := -1; last < size; last++ { // -1: all spaces
			b := bytes.Repeat([]byte(" "), size)
			if last >= 0 {
				b[last] = 'x'
				if last > 0 {
					b[0] = 'a' // bytes before it are no spaces either
				}
			}
			for i := 0; i <= size; i++ {
				want := size
				for want > i && b[want-1] == ' ' {
					want--
				}
				if got := trimEnd(b, i, size); got != want {
					t.Fatalf("%q from %d: %d, want %d", b, i, got, want)
				}
				n++
			}
		}
	}
	if n != 23821 {
		t.Fatalf("%d cases", n)
	}
}
