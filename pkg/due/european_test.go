package due

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/tabular"
)

// european is a fixture of ../../testdata/european (written by gen.py).
func european(name string) string { return filepath.Join("..", "..", "testdata", "european", name) }

// readFile reads a due file with a dialect; err is the file's stop error.
func readFile(t *testing.T, path string, d tabular.Dialect, def Defaults) (rows []*Row, err error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewReader(f, filepath.Base(path), FormatOf(path), def)
	r.Dialect = d
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

// TestEuropeanFixtures: the same five collections saved as European desks
// save them give the same transactions, to the cent and the letter.
func TestEuropeanFixtures(t *testing.T) {
	want := []string{
		"EU-1 25.00 Chloe Lefevre BE07363001234566",
		"EU-2 1299.95 Francois Dubois BE38143099887772",
		"EU-3 1234567.89 Muller Backerei GmbH DE62370400440532013001",
		"EU-4 0.10 Pieter de Vries NL20INGB0001234567",
		"EU-5 7.00 Zoe Akesson BE25973123456782",
	}
	// The names that are not EPC basic Latin are transliterated with a
	// warning naming the original, never degraded silently.
	wantWarnings := []string{
		`due-semicolon-cp1252.csv:2:6: warning: debtor_name "Chloé Lefèvre": written as "Chloe Lefevre" ('é'→"e" at 5, 'è'→"e" at 10) [EPC basic Latin]`,
		`due-semicolon-cp1252.csv:3:6: warning: debtor_name "François Dubois": written as "Francois Dubois" ('ç'→"c" at 5) [EPC basic Latin]`,
		`due-semicolon-cp1252.csv:4:6: warning: debtor_name "Müller Bäckerei GmbH": written as "Muller Backerei GmbH" ('ü'→"u" at 2, 'ä'→"a" at 9) [EPC basic Latin]`,
		`due-semicolon-cp1252.csv:6:6: warning: debtor_name "Zoë Åkesson": written as "Zoe Akesson" ('ë'→"e" at 3, 'Å'→"A" at 5) [EPC basic Latin]`,
	}
	for _, tt := range []struct {
		file  string
		d     tabular.Dialect
		delim rune
		dec   tabular.Decimal
	}{
		{"due-semicolon-bom-crlf.csv", tabular.Dialect{}, ';', tabular.DecimalComma},
		{"due-semicolon-cp1252.csv", tabular.Dialect{Encoding: tabular.CP1252}, ';', tabular.DecimalComma},
		{"due-semicolon-latin1.csv", tabular.Dialect{Encoding: tabular.Latin1}, ';', tabular.DecimalComma},
		{"due-tab.txt", tabular.Dialect{}, '\t', tabular.DecimalComma},
		{"due-comma-thousands.csv", tabular.Dialect{}, ',', tabular.DecimalPoint},
		{"due-semicolon-bom-crlf.csv", tabular.Dialect{Delimiter: ';', Decimal: tabular.DecimalComma, Encoding: tabular.UTF8}, ';', tabular.DecimalComma},
	} {
		t.Run(tt.file, func(t *testing.T) {
			rows, err := readFile(t, european(tt.file), tt.d, defaults)
			if err != nil {
				t.Fatal(err)
			}
			var got, warnings []string
			for _, r := range rows {
				if !r.OK() {
					t.Fatalf("line %d: %v", r.Line, r.Findings)
				}
				tx := r.Tx
				got = append(got, strings.Join([]string{tx.EndToEndID, tx.Amount.StringFixed(2), tx.DebtorName, tx.DebtorIBAN}, " "))
				for _, f := range r.Findings {
					warnings = append(warnings, strings.Replace(f.String(), tt.file, "due-semicolon-cp1252.csv", 1))
				}
				if r.Line < 2 || r.Line > 6 {
					t.Errorf("line %d", r.Line)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("transactions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if strings.Join(warnings, "\n") != strings.Join(wantWarnings, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(wantWarnings, "\n"))
			}
		})
	}
}

// TestEuropeanRefusals: what would be degraded or read two ways stops
// with file, line, column, the offending value, the rule and the fix.
func TestEuropeanRefusals(t *testing.T) {
	const (
		commaMark = "'.' is not the decimal mark of this file, which writes decimal commas (12,50): give --decimal-comma=false if its amounts are written 12.50"
		pointMark = "',' is not the decimal mark of this file, which writes decimal points (12.50): give --decimal-comma if its amounts are written 12,50"
	)
	for _, tt := range []struct {
		file string
		d    tabular.Dialect
		want []string // the stop error, or every row's findings
	}{
		{"due-semicolon-cp1252.csv", tabular.Dialect{}, []string{
			`due-semicolon-cp1252.csv:2:6: error: debtor_name "Chlo\xe9 Lef\xe8vre": byte E9 at byte 5 is not UTF-8; read as Windows-1252 the field is "Chloé Lefèvre": give --encoding cp1252 (or latin1), or save the file as "CSV UTF-8" [encoding]`}},
		{"due-semicolon-latin1.csv", tabular.Dialect{Encoding: tabular.UTF8}, []string{
			`due-semicolon-latin1.csv:2:6: error: debtor_name "Chlo\xe9 Lef\xe8vre": byte E9 at byte 5 is not UTF-8; read as Windows-1252 the field is "Chloé Lefèvre": give --encoding cp1252 (or latin1), or save the file as "CSV UTF-8" [encoding]`}},
		{"due-semicolon-bom-crlf.csv", tabular.Dialect{Encoding: tabular.CP1252}, []string{
			`due-semicolon-bom-crlf.csv:1: error: the file starts with a UTF-8 byte order mark but --encoding cp1252 was given: drop --encoding [encoding]`}},
		{"due-tab.txt", tabular.Dialect{Encoding: tabular.Latin1}, []string{
			`due-tab.txt:2:6: error: debtor_name "Chloé Lefèvre": is valid UTF-8 ("Chloé Lefèvre") but --encoding latin1 was given: the file is UTF-8, drop --encoding [encoding]`}},
		{"due-semicolon-ambiguous.csv", tabular.Dialect{}, []string{
			`due-semicolon-ambiguous.csv:2:5: error: amount "1.234": ambiguous: with decimal commas '.' groups thousands (1.234 would be 1234), yet it reads as a decimal point: write it without the '.' or with decimals (1.234,00) [amount notation]`,
			`due-semicolon-ambiguous.csv:3:5: error: amount "12.50": ` + commaMark + ` [amount notation]`,
			`due-semicolon-ambiguous.csv:4:5: error: amount "1.23,00": thousands separators must group digits by three (1.234.567,89 or 1,234,567.89) [amount notation]`,
			`due-semicolon-ambiguous.csv:5:5: error: amount "1,005": amount has more than 2 decimals [EPC AT-06]`,
			``}},
		{"due-comma-ambiguous.csv", tabular.Dialect{}, []string{
			`due-comma-ambiguous.csv:2:5: error: amount "1,234": ambiguous: with decimal points ',' groups thousands (1,234 would be 1234), yet it reads as a decimal comma: write it without the ',' or with decimals (1,234.00) [amount notation]`,
			`due-comma-ambiguous.csv:3:5: error: amount "25,00": ` + pointMark + ` [amount notation]`,
			`due-comma-ambiguous.csv:4:5: error: amount "1.234,56": ` + pointMark + ` [amount notation]`,
			``,
			``}},
		// Told that the comma file writes decimal commas, its "25,00" is
		// read and its "25.00" refused.
		{"due-comma-ambiguous.csv", tabular.Dialect{Decimal: tabular.DecimalComma}, []string{
			`due-comma-ambiguous.csv:2:5: error: amount "1,234": amount has more than 2 decimals [EPC AT-06]`,
			``,
			``,
			`due-comma-ambiguous.csv:5:5: error: amount "25.00": ` + commaMark + ` [amount notation]`,
			`due-comma-ambiguous.csv:6:5: error: amount "1,234.5": ` + commaMark + ` [amount notation]`}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			rows, err := readFile(t, european(tt.file), tt.d, defaults)
			var got []string
			if err != nil {
				got = append(got, err.Error())
			}
			for _, r := range rows {
				var errs []string
				for _, f := range r.Findings {
					if f.Severity.String() == "error" {
						errs = append(errs, f.String())
					}
				}
				got = append(got, strings.Join(errs, "\n"))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestCollectionDateCalendar: a row's own collection date must be a TARGET2
// business day; --roll-forward moves it, once said per date; a date too
// close to today draws the D-1 warning once.
func TestCollectionDateCalendar(t *testing.T) {
	const h = "end_to_end_id,mandate_id,mandate_signed_on,sequence_type,amount,debtor_name,debtor_iban,collection_date\n"
	in := h +
		"E1,M,2024-01-15,RCUR,1,A,BE68539007547034,2026-12-05\n" + // Saturday
		"E2,M,2024-01-15,RCUR,1,A,BE68539007547034,2026-12-25\n" + // Christmas Day, a Friday
		"E3,M,2024-01-15,RCUR,1,A,BE68539007547034,2026-12-05\n" +
		"E4,M,2024-01-15,RCUR,1,A,BE68539007547034,2026-12-03\n" + // today: past D-1
		"E6,M,2024-01-15,RCUR,1,A,BE68539007547034,2026-12-03\n" + // said once
		"E7,M,2024-01-15,RCUR,1,A,BE68539007547034,2026-12-04\n" + // tomorrow: today is D-1
		"E5,M,2024-01-15,RCUR,1,A,BE68539007547034,\n" // the default: the caller checks it
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		roll bool
		want string
	}{
		{false, `E1 0001-01-01
  due.csv:2:8: error: collection_date "2026-12-05": collection date 2026-12-05 is not a TARGET2 business day (Saturday): the next business day is 2026-12-07 [TARGET2 calendar]
E2 0001-01-01
  due.csv:3:8: error: collection_date "2026-12-25": collection date 2026-12-25 is not a TARGET2 business day (Christmas Day): the next business day is 2026-12-28 [TARGET2 calendar]
E3 0001-01-01
  due.csv:4:8: error: collection_date "2026-12-05": collection date 2026-12-05 is not a TARGET2 business day (Saturday): the next business day is 2026-12-07 [TARGET2 calendar]
E4 2026-12-03
  due.csv:5:8: warning: collection_date "2026-12-03": collection date 2026-12-03 leaves less than the D-1 business day the SDD rulebook requires: the file had to reach the debtor's bank by 2026-12-02 (today is 2026-12-03); the bank may reject it or move the date (said once per date) [EPC SDD D-1]
E6 2026-12-03
E7 2026-12-04
E5 2026-12-01`},
		{true, `E1 2026-12-07
  due.csv:2:8: warning: collection_date "2026-12-05": not a TARGET2 business day (Saturday): moved to 2026-12-07, as are the later rows of this date (--roll-forward) [TARGET2 calendar]
E2 2026-12-28
  due.csv:3:8: warning: collection_date "2026-12-25": not a TARGET2 business day (Christmas Day): moved to 2026-12-28, as are the later rows of this date (--roll-forward) [TARGET2 calendar]
E3 2026-12-07
E4 2026-12-03
  due.csv:5:8: warning: collection_date "2026-12-03": collection date 2026-12-03 leaves less than the D-1 business day the SDD rulebook requires: the file had to reach the debtor's bank by 2026-12-02 (today is 2026-12-03); the bank may reject it or move the date (said once per date) [EPC SDD D-1]
E6 2026-12-03
E7 2026-12-04
E5 2026-12-01`},
	} {
		d := defaults
		d.RollForward, d.Today = tt.roll, today
		d.CollectionDate = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		r := NewReader(strings.NewReader(in), "due.csv", CSV, d)
		var got []string
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, row.Tx.EndToEndID+" "+row.Tx.CollectionDate.Format(time.DateOnly))
			for _, f := range row.Findings {
				got = append(got, "  "+f.String())
			}
		}
		if strings.Join(got, "\n") != tt.want {
			t.Errorf("roll %v:\n%s\nwant:\n%s", tt.roll, strings.Join(got, "\n"), tt.want)
		}
	}
}

// TestNoCollectionDateIsOneError: without a default and without the
// column, the file stops once instead of failing every row.
func TestNoCollectionDateIsOneError(t *testing.T) {
	d := defaults
	d.CollectionDate = time.Time{}
	for _, tt := range []struct {
		in   string
		f    Format
		want string
	}{
		{header + "E2E-1,MD-1,2024-01-15,RCUR,10.00,A,BE68539007547034,,,\n", CSV,
			"due.csv: no collection date: the rows carry none (no collection_date column) and no default was given; give --collection-date"},
		{`{"end_to_end_id":"E","amount":"1"}` + "\n", JSONLines,
			"due.csv:1: no collection date: the rows carry none (no collection_date column) and no default was given; give --collection-date"},
	} {
		_, err := NewReader(strings.NewReader(tt.in), "due.csv", tt.f, d).Next()
		if err == nil || err.Error() != tt.want || !errors.Is(err, ErrNoCollectionDate) {
			t.Errorf("error %v\nwant %s", err, tt.want)
		}
	}
}

// TestLaterRowWithoutCollectionDate: in JSON Lines a row without a date
// after dated rows is that row's error, not the whole file's.
func TestLaterRowWithoutCollectionDate(t *testing.T) {
	d := defaults
	d.CollectionDate = time.Time{}
	in := `{"end_to_end_id":"E1","mandate_id":"MD-1","mandate_signed_on":"2024-01-15","sequence_type":"RCUR","amount":"10.00","debtor_name":"A","debtor_iban":"BE68539007547034","collection_date":"2026-12-10"}` + "\n" +
		`{"end_to_end_id":"E2","mandate_id":"MD-2","mandate_signed_on":"2024-01-15","sequence_type":"RCUR","amount":"20.00","debtor_name":"B","debtor_iban":"BE68539007547034"}` + "\n"
	rows := readAllWith(t, in, JSONLines, d)
	if len(rows) != 2 || rows[0].Findings.HasErrors() || len(rows[1].Findings) != 1 {
		t.Fatalf("rows %d, findings %v / %v", len(rows), rows[0].Findings, rows[len(rows)-1].Findings)
	}
	if got, want := rows[1].Findings[0].String(), `due.csv:2: error: collection_date "": no collection date: give the column or --collection-date [EPC AT-11]`; got != want {
		t.Errorf("finding %s\nwant %s", got, want)
	}
}

// TestSplitDecimalComma: 25,00 unquoted in a comma-separated file (the
// issue's "row has 9 fields") says what happened and the fix.
func TestSplitDecimalComma(t *testing.T) {
	rows := readAll(t, header+"E2E-1,MD-1,2024-01-15,RCUR,25,00,A,BE68539007547034,,,\n", CSV)
	want := `due.csv:2: error: row has 11 fields, the header has 10: the amount 25,00 is written with a decimal comma in a comma-separated file, which splits it in two; save the file with ';' as separator, or quote the amount ("25,00") and give --decimal-comma`
	if len(rows) != 1 || len(rows[0].Findings) != 1 || rows[0].Findings[0].String() != want {
		t.Fatalf("findings %v\nwant %s", rows[0].Findings, want)
	}
}
