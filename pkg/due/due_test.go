package due

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
)

var defaults = Defaults{
	Creditor:       pain008.Creditor{Name: "Acme", IBAN: "BE68539007547034", ID: "BE69ZZZ050D000000008"},
	CollectionDate: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
}

func readAll(t *testing.T, in string, f Format) []*Row {
	t.Helper()
	return readAllWith(t, in, f, defaults)
}

func readAllWith(t *testing.T, in string, f Format, d Defaults) []*Row {
	t.Helper()
	r := NewReader(strings.NewReader(in), "due.csv", f, d)
	var rows []*Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, row)
	}
}

const header = "end_to_end_id,mandate_id,mandate_signed_on,sequence_type,amount,debtor_name,debtor_iban,debtor_bic,remittance,creditor_reference\n"

func TestCSVGoodRow(t *testing.T) {
	rows := readAll(t, "\xef\xbb\xbf"+header+"E2E-1,MD-1,2024-01-15,frst,12.30,Jan Peeters,BE68 5390 0754 7034,gebabebb,Invoice 1,+++123/4567/89002+++\n", CSV)
	if len(rows) != 1 || !rows[0].OK() {
		t.Fatalf("rows %d, findings %v", len(rows), rows[0].Findings)
	}
	tx := rows[0].Tx
	if tx.EndToEndID != "E2E-1" || tx.MandateID != "MD-1" || tx.SequenceType != "FRST" || tx.Amount.StringFixed(2) != "12.30" ||
		tx.DebtorIBAN != "BE68539007547034" || tx.DebtorBIC != "GEBABEBB" || tx.Currency != "EUR" || tx.LocalInstrument != "CORE" ||
		tx.CreditorReference != "123456789002" || tx.Remittance != "Invoice 1" || !tx.CollectionDate.Equal(defaults.CollectionDate) ||
		tx.Creditor.ID != "BE69ZZZ050D000000008" || tx.Amendment != nil {
		t.Fatalf("tx = %+v", tx)
	}
	if rows[0].Line != 2 {
		t.Fatalf("line = %d", rows[0].Line)
	}
}

func TestCSVBadRows(t *testing.T) {
	in := header +
		"E2E-1,MD-1,2024-01-15,RCUR,10.00,A,BE68 5390 0754 7035,,,\n" +
		"E2E-2,MD-2,2024-01-15,RCUR,1.005,B,BE68539007547034,,,\n" +
		"E2E-2,MD-3,2024-01-15,XXXX,5,C,BE68539007547034,,,\n" +
		"E2E-4,MD_4,2027-01-15,RCUR,5,D,BE68539007547034,,,RF19539007547034\n" +
		"E2E-5,MD-5\n"
	rows := readAll(t, in, CSV)
	want := [][]string{
		{`due.csv:2:7: error: debtor_iban "BE68 5390 0754 7035": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]`},
		{`due.csv:3:5: error: amount "1.005": amount has more than 2 decimals [EPC AT-06]`},
		{`due.csv:4:1: error: end_to_end_id "E2E-2": end-to-end id already used on line 3 [EPC AT-10 unique]`,
			`due.csv:4:4: error: sequence_type "XXXX": must be one of FRST, RCUR, OOFF, FNAL [EPC AT-21]`},
		{`due.csv:5:2: error: mandate_id "MD_4": identifier may hold only a-z A-Z 0-9 / - ? : ( ) . , ' + and space (EPC basic Latin): '_' at position 3 [EPC charset]`,
			`due.csv:5:3: error: mandate_signed_on "2027-01-15": mandate signed after the collection date 2026-12-01 [EPC AT-25]`,
			`due.csv:5:10: error: creditor_reference "RF19539007547034": RF creditor reference check digits do not verify (ISO 11649 mod 97) [ISO 11649]`},
		{`due.csv:6: error: row has 2 fields, the header has 10`},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, row := range rows {
		if row.OK() {
			t.Errorf("row %d accepted", i)
		}
		var got []string
		for _, f := range row.Findings {
			got = append(got, f.String())
		}
		if strings.Join(got, "\n") != strings.Join(want[i], "\n") {
			t.Errorf("row %d findings:\n%s\nwant:\n%s", i, strings.Join(got, "\n"), strings.Join(want[i], "\n"))
		}
	}
}

func TestTransliterationIsAWarning(t *testing.T) {
	rows := readAll(t, header+"E2E-1,MD-1,2024-01-15,RCUR,5,Müller & Söhne,BE68539007547034,,,\n", CSV)
	if !rows[0].OK() || rows[0].Tx.DebtorName != "Muller + Sohne" {
		t.Fatalf("row %+v", rows[0])
	}
	if len(rows[0].Findings) != 1 || rows[0].Findings[0].Severity != finding.Warning {
		t.Fatalf("findings %v", rows[0].Findings)
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "due.csv:1: error: file is empty: expected a header row with end_to_end_id, mandate_id, mandate_signed_on, sequence_type, amount, debtor_name, debtor_iban"},
		{"end_to_end_id,amount\n", "due.csv:1: error: header lacks required column(s) mandate_id, mandate_signed_on, sequence_type, debtor_name, debtor_iban (read as 2 column(s) separated by ','; give --delimiter if the file uses another separator)"},
		// A header with both separators is read by the one it uses most:
		// told otherwise, the error says how it was read.
		{"end_to_end_id;mandate_id;mandate_signed_on;sequence_type;amount;debtor_name;debtor_iban,x\n", "due.csv:1: error: header lacks required column(s) end_to_end_id, mandate_id, mandate_signed_on, sequence_type, amount, debtor_name, debtor_iban (read as 2 column(s) separated by ','; give --delimiter if the file uses another separator)"},
		{"a,\"b\n", `due.csv:1:6: error: CSV: extraneous or missing " in quoted-field`},
	} {
		r := NewReader(strings.NewReader(tt.in), "due.csv", CSV, defaults)
		if strings.HasSuffix(tt.in, ",x\n") {
			r.Dialect.Delimiter = ','
		}
		_, err := r.Next()
		if err == nil || err.Error() != tt.want {
			t.Errorf("error %v\nwant %s", err, tt.want)
		}
	}
}

func TestJSONLines(t *testing.T) {
	in := `{"end_to_end_id":"E2E-1","mandate_id":"MD-1","mandate_signed_on":"2024-01-15","sequence_type":"OOFF","amount":"0.10","debtor_name":"A","debtor_iban":"NL91ABNA0417164300","local_instrument":"B2B","collection_date":"2026-12-03","original_mandate_id":"OLD-1","debtor_bank_changed":true}

{"end_to_end_id":"E2E-2","mandate_id":"MD-2","mandate_signed_on":"2024-01-15","sequence_type":"RCUR","amount":12.5,"debtor_name":"B","debtor_iban":"NL91ABNA0417164300"}
not json
`
	rows := readAll(t, in, JSONLines)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	tx := rows[0].Tx
	if !rows[0].OK() || tx.LocalInstrument != "B2B" || tx.CollectionDate.Format(time.DateOnly) != "2026-12-03" ||
		tx.Amendment == nil || tx.Amendment.OriginalMandateID != "OLD-1" || !tx.Amendment.DebtorAgentChanged {
		t.Fatalf("row 1: %+v %v", tx, rows[0].Findings)
	}
	// OOFF after a bank change draws the FRST warning.
	if len(rows[0].Findings) != 1 || rows[0].Findings[0].Path != "sequence_type" {
		t.Fatalf("row 1 findings %v", rows[0].Findings)
	}
	if !rows[1].OK() || rows[1].Line != 3 || rows[1].Tx.Amount.StringFixed(2) != "12.50" {
		t.Fatalf("row 2: line %d %v", rows[1].Line, rows[1].Findings)
	}
	if rows[2].OK() || rows[2].Line != 4 || !strings.HasPrefix(rows[2].Findings[0].String(), "due.csv:4: error: not a JSON object") {
		t.Fatalf("row 3: %v", rows[2].Findings)
	}
}

func TestFormatOf(t *testing.T) {
	if FormatOf("x.JSONL") != JSONLines || FormatOf("x.csv") != CSV || FormatOf("x") != CSV {
		t.Fatal("FormatOf")
	}
}

func FuzzReader(f *testing.F) {
	f.Add(header+"E2E-1,MD-1,2024-01-15,RCUR,10.00,A,BE68539007547034,,,\n", false)
	f.Add(`{"end_to_end_id":"E","amount":"1"}`+"\n", true)
	f.Add("a,\"b\n", false)
	// European exports: ';' and decimal commas, thousands, BOM and CRLF,
	// Windows-1252 bytes (refused: the reader is not told the encoding).
	f.Add("\xef\xbb\xbf"+strings.ReplaceAll(header, ",", ";")+"E2E-1;MD-1;2024-01-15;RCUR;1.234,50;Chlo\xc3\xa9;BE68539007547034;;;\r\n", false)
	f.Add(strings.ReplaceAll(header, ",", ";")+"E2E-1;MD-1;2024-01-15;RCUR;1.234;Chlo\xe9;BE68539007547034;;;\n", false)
	f.Add(strings.ReplaceAll(header, ",", "\t")+"E2E-1\tMD-1\t2024-01-15\tRCUR\t25,00\tA\tBE68539007547034\t\t\t\n", false)
	f.Add(header+`E2E-1,MD-1,2024-01-15,RCUR,"1,234.50",A,BE68539007547034,,,`+"\n", false)
	f.Fuzz(func(t *testing.T, in string, jsonl bool) {
		format := CSV
		if jsonl {
			format = JSONLines
		}
		r := NewReader(strings.NewReader(in), "f", format, defaults)
		for i := 0; i < 10000; i++ {
			row, err := r.Next()
			if err != nil {
				return
			}
			if row.OK() && (row.Tx.EndToEndID == "" || row.Tx.Amount.Sign() <= 0 || row.Tx.DebtorIBAN == "") {
				t.Fatalf("accepted an incomplete row: %+v", row.Tx)
			}
		}
		t.Fatal("reader did not end")
	})
}

// TestLongTextRules: a debtor name over 70 characters breaks the SEPA
// rulebook's limit (EPC AT-14), not the schema's (Dbtr/Nm is Max140Text);
// a remittance over 140 breaks both, the schema's Max140Text.
func TestLongTextRules(t *testing.T) {
	name, rem := strings.Repeat("n", 71), strings.Repeat("r", 141)
	rows := readAll(t, header+"E2E-1,MD-1,2024-01-15,RCUR,10.00,"+name+",BE68539007547034,,"+rem+",\n", CSV)
	var got []string
	for _, f := range rows[0].Findings {
		got = append(got, f.String())
	}
	want := `due.csv:2:6: error: debtor_name "` + name + `": longer than 70 characters (71) [EPC AT-14]
due.csv:2:9: error: remittance "` + rem + `": longer than 140 characters (141) [XSD Max140Text]`
	if strings.Join(got, "\n") != want {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

func TestColumnsMatchTheirIndexes(t *testing.T) {
	if int(nColumns) != len(Columns) || Columns[colEndToEndID] != "end_to_end_id" || Columns[colDebtorIBAN] != "debtor_iban" ||
		Columns[colCreditorReference] != "creditor_reference" || Columns[colDebtorBankChanged] != "debtor_bank_changed" {
		t.Fatalf("column constants out of step with Columns (%d, %d)", nColumns, len(Columns))
	}
}

// TestDuplicateFarApart: a duplicate is found, with the line of the first
// use, after the table of ids has grown many times.
func TestDuplicateFarApart(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	const n = 50000
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "E2E-%d,MD-1,2024-01-15,RCUR,1.00,A,BE68539007547034,,,\n", i)
	}
	b.WriteString("E2E-17,MD-1,2024-01-15,RCUR,1.00,A,BE68539007547034,,,\n")
	rows := readAll(t, b.String(), CSV)
	bad := 0
	for _, r := range rows[:n] {
		if !r.OK() {
			bad++
		}
	}
	last := rows[n].Findings
	if bad != 0 || len(last) != 1 || last[0].String() != `due.csv:50002:1: error: end_to_end_id "E2E-17": end-to-end id already used on line 18 [EPC AT-10 unique]` {
		t.Fatalf("%d bad rows before; last row %v", bad, last)
	}
}

// TestParseDate: the fast path gives what time.Parse gives, errors included.
func TestParseDate(t *testing.T) {
	for _, v := range []string{"2024-03-14", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-01-00", "0000-01-01",
		"2024-1-14", "2024/03/14", "2024-03-1x", "+024-03-14", "2024-12-31", "2024-04-31", ""} {
		got, err := parseDate(v)
		want, werr := time.Parse(time.DateOnly, v)
		if !got.Equal(want) || got.Location() != want.Location() || (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Errorf("parseDate(%q) = %v, %v; time.Parse gives %v, %v", v, got, err, want, werr)
		}
	}
}

// TestDuplicateInRuns: with a table of 1,000 ids most of a file's ids are
// in runs on disk, checked ahead of the rows on the CSV goroutine; every
// repeat is still found, naming its first line, in CSV and JSON Lines.
func TestDuplicateInRuns(t *testing.T) {
	const n = 20000
	var csv, jsonl strings.Builder
	csv.WriteString(header)
	id := func(i int) int {
		if i%1000 == 999 {
			return i*7%500 + 1001 // a repeat of the id of one of the first 500 rows
		}
		return i + 1000
	}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&csv, "E2E-%d,MD-1,2024-01-15,RCUR,1.00,A,BE68539007547034,,,\n", id(i))
		fmt.Fprintf(&jsonl, `{"end_to_end_id":"E2E-%d","mandate_id":"MD-1","mandate_signed_on":"2024-01-15","sequence_type":"RCUR","amount":"1.00","debtor_name":"A","debtor_iban":"BE68539007547034"}`+"\n", id(i))
	}
	for _, f := range []struct {
		format Format
		text   string
		line0  int // line of row 1
	}{{CSV, csv.String(), 2}, {JSONLines, jsonl.String(), 1}} {
		r := NewReader(strings.NewReader(f.text), "due", f.format, defaults)
		r.seen.memCap = 1000
		r.TempDir = t.TempDir()
		var got []string
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range row.Findings {
				got = append(got, x.String())
			}
		}
		var want []string
		for i := 1; i <= n; i++ {
			if i%1000 == 999 {
				first := id(i) - 1000 // the row that used the id first
				col := ":1"
				if f.format == JSONLines {
					col = ""
				}
				want = append(want, fmt.Sprintf(`due:%d%s: error: end_to_end_id "E2E-%d": end-to-end id already used on line %d [EPC AT-10 unique]`,
					i+f.line0-1, col, id(i), first+f.line0-1))
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("format %d: findings\n%s\nwant\n%s", f.format, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestCollapseSpace: what collapseSpace returns without allocating is what
// strings.Fields joined by one space gives.
func TestCollapseSpace(t *testing.T) {
	for _, s := range []string{"", " ", "a", "Jan Peeters", " Jan", "Jan ", "Jan  Peeters", "Jan\tPeeters", "Jan\u00a0Peeters",
		"Jan\x7fPeeters", "Jan\x01Peeters", "Chloé Dubois", "a\r\nb", "a\vb\fc", "~!", "x y z"} {
		if got, want := collapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	}
}
