package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/batchtool/batchtool/internal/csvsafe"
	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/statement"
)

func corpusFile(t *testing.T, format, name string) string {
	t.Helper()
	return filepath.Join(testutil.SharedDir(t), "corpus", format, name)
}

func TestStatementConvert(t *testing.T) {
	camtFile := corpusFile(t, "camt053", "subite-camt053-v2-be-small.xml")
	codaFile := corpusFile(t, "coda", "wimverstuyf-coda-sample1.cod")
	dir := t.TempDir()

	out := filepath.Join(dir, "lines.csv")
	code, stdout, _ := batchtool(t, "statement", "convert", camtFile, codaFile, "--out", out)
	if code != 0 || stdout != out+": 7 rows from 2 file(s)\n" {
		t.Fatalf("exit %d %q", code, stdout)
	}
	f, _ := os.Open(out)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 8 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	// camt entry 1: the debit of 789903.41 to Sigma Solutions.
	if r := recs[1]; r[col["amount"]] != "-789903.41" || r[col["credit_debit"]] != "D" || r[col["counterparty_name"]] != "Sigma Solutions" ||
		r[col["end_to_end_id"]] != "E2EXRUHYXKX58020423" || r[col["booking_date"]] != "2024-05-23" || r[col["bank_tx_code"]] != "PMNT/ICDT/ESCT" {
		t.Fatalf("row 1: %v", r)
	}
	// CODA movement 1: 5.00 credit with its structured communication.
	if r := recs[4]; r[col["amount"]] != "5.00" || r[col["account"]] != "138536152215" || r[col["structured_reference"]] != "000003505158" || r[col["proprietary_code"]] != "01/50/000" {
		t.Fatalf("row 4: %v", r)
	}

	jl := filepath.Join(dir, "lines.jsonl")
	if code, _, _ := batchtool(t, "statement", "convert", camtFile, "--out", jl); code != 0 {
		t.Fatalf("jsonl exit %d", code)
	}
	b, _ := os.ReadFile(jl)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var m map[string]string
	if len(lines) != 3 || json.Unmarshal([]byte(lines[2]), &m) != nil || m["amount"] != "789904.40" || m["credit_debit"] != "C" {
		t.Fatalf("jsonl: %d lines, last %v", len(lines), m)
	}

	xl := filepath.Join(dir, "lines.xlsx")
	if code, _, _ := batchtool(t, "statement", "convert", camtFile, "--out", xl); code != 0 {
		t.Fatalf("xlsx exit %d", code)
	}
	x, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("Transactions")
	if len(rows) != 4 || rows[0][0] != "account" {
		t.Fatalf("xlsx rows %d", len(rows))
	}
	amountCell, _ := excelize.CoordinatesToCellName(col["amount"]+1, 4)
	if typ, _ := x.GetCellType("Transactions", amountCell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("amount cell type %v", typ)
	}
	raw, _ := x.GetCellValue("Transactions", amountCell, excelize.Options{RawCellValue: true})
	if raw != "789904.4" {
		t.Fatalf("amount cell holds %q, want the number 789904.4", raw)
	}
	shown, _ := x.GetCellValue("Transactions", amountCell)
	if shown != "789,904.40" {
		t.Fatalf("amount cell shows %q", shown)
	}
	dateCell, _ := excelize.CoordinatesToCellName(col["booking_date"]+1, 2)
	if raw, _ := x.GetCellValue("Transactions", dateCell, excelize.Options{RawCellValue: true}); raw != "45435" { // 2024-05-23 as an Excel serial date
		t.Fatalf("booking_date cell holds %q", raw)
	}
}

func TestStatementConvertLeavesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "truncated.xml")
	os.WriteFile(bad, []byte(`<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>X</MsgId>`), 0o644)
	out := filepath.Join(dir, "out.csv")
	code, _, stderr := batchtool(t, "statement", "convert", bad, "--out", out)
	if code != 1 || !strings.Contains(stderr, "truncated.xml") {
		t.Fatalf("exit %d %q", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("output written for a truncated input")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}
	if code, _, _ := batchtool(t, "statement", "convert", bad, "--out", filepath.Join(dir, "x.pdf")); code != 2 {
		t.Fatalf("unknown format: exit %d", code)
	}
}

func TestInspectStatements(t *testing.T) {
	code, out, _ := batchtool(t, "inspect", corpusFile(t, "camt054", "moov-camt054-v4-postfinance-returns-2019.xml"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{
		": camt.054.001.04\n",
		"notification 20190520375204012050705, account CH2909000000250094239 (Robert Schneider SA Grands magasins Biel/Bienne)",
		"  entries   1: credits 1 = 400.00 CHF, debits 0 = 0.00 CHF\n",
		"  returns   AC01 1 = 400.00 CHF\n",
		"findings: none\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	// Entries and their transaction details are counted apart: an entry
	// without details is not a "transaction".
	code, out, _ = batchtool(t, "inspect", corpusFile(t, "camt054", "moov-camt054-v4-postfinance-esr.xml"))
	if want := "  batches   1 batch booking(s); 2 entries with 6 transaction details, 0 entries without details\n"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("inspect output lacks %q:\n%s", want, out)
	}
	code, out, _ = batchtool(t, "inspect", corpusFile(t, "camt053", "viafintech-camt053-v2-batch.xml"))
	if want := "  batches   1 batch booking(s); 2 entries with 2 transaction details, 1 entries without details\n"; !strings.Contains(out, want) {
		t.Errorf("inspect output lacks %q:\n%s", want, out)
	}
	code, out, _ = batchtool(t, "inspect", "--json", corpusFile(t, "coda", "wimverstuyf-coda-sample1.cod"))
	var got []struct {
		Format  string `json:"format"`
		Summary struct {
			Statements []struct {
				Entries int `json:"entries"`
				Closing struct {
					Amount string `json:"amount"`
				} `json:"closing"`
			} `json:"statements"`
		} `json:"summary"`
		Findings []struct {
			Severity string `json:"severity"`
			Line     int    `json:"line"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if len(got) != 1 || got[0].Format != "CODA 2" || got[0].Summary.Statements[0].Entries != 4 ||
		got[0].Summary.Statements[0].Closing.Amount != "17832.12" || len(got[0].Findings) != 4 || got[0].Findings[0].Line != 3 {
		t.Fatalf("json: %+v", got)
	}
}

// TestJSONLSinkAsEncodingJSON: the JSON Lines sink writes, byte for byte,
// what encoding/json writes for a map of the row's non-empty columns.
func TestJSONLSinkAsEncodingJSON(t *testing.T) {
	values := []string{"", "plain", "Café Müller", `say "hi" \ back`, "<b>&amp;</b>", "tab\there\nnew\rline\x01\x7f",
		"bad utf-8 \xff\xfe", "line sep \u2028 para \u2029", "12.34", "2026-11-30"}
	for k := range values {
		row := make([]string, len(statement.FlatColumns))
		for i := range row {
			row[i] = values[(i+k)%len(values)]
		}
		var got, want bytes.Buffer
		s := newJSONLSink(&got)
		if err := s.Write(row); err != nil {
			t.Fatal(err)
		}
		s.Close()
		m := map[string]string{}
		for i, c := range statement.FlatColumns {
			if row[i] != "" {
				m[c.Name] = row[i]
			}
		}
		json.NewEncoder(&want).Encode(m)
		if got.String() != want.String() {
			t.Errorf("row %d:\n got %s\nwant %s", k, got.String(), want.String())
		}
	}
}

// TestCSVSinkAsEncodingCSV: the CSV sink writes, byte for byte, what
// encoding/csv's Writer writes.
func TestCSVSinkAsEncodingCSV(t *testing.T) {
	values := []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\rhere", "crlf\r\nend", " leading", "\tTab", "\u00a0nbsp",
		"\u2003em space", `\.`, `\.x`, "Café", "trailing ", "=1+2", "12.34", "-10,00", "\r=1", `@x"y`, "+ 1", "'quoted"}
	var got, want bytes.Buffer
	s := newCSVSink(&got)
	cw := csv.NewWriter(&want)
	h := make([]string, len(statement.FlatColumns))
	for i, c := range statement.FlatColumns {
		h[i] = c.Name
	}
	cw.Write(h)
	for k := range values {
		row := make([]string, len(statement.FlatColumns))
		for i := range row {
			row[i] = values[(i+k)%len(values)]
		}
		if err := s.Write(row); err != nil {
			t.Fatal(err)
		}
		cw.Write(csvsafe.Row(slices.Clone(row), func(i int) bool { return statement.FlatColumns[i].Kind == statement.Text }))
	}
	s.Close()
	cw.Flush()
	if got.String() != want.String() {
		t.Errorf("got:\n%s\nwant:\n%s", got.String(), want.String())
	}
	got.Reset()
	want.Reset()
	newCSVSink(&got).Close()
	cw = csv.NewWriter(&want)
	cw.Write(h)
	cw.Write(nil)
	cw.Flush()
	if got.String() != want.String() {
		t.Errorf("header only: %q, want %q", got.String(), want.String())
	}
}

// TestCSVSinkOneOddField: a row of plain fields with one field that needs
// quoting, escaping or a formula guard, in every column, is written as
// encoding/csv writes the row csvsafe escaped — the sink's look at the
// whole line must catch each of them.
func TestCSVSinkOneOddField(t *testing.T) {
	odd := []string{"a,b", `say "hi"`, "two\nlines", "cr\rhere", " lead", "\tTab", "\u00a0nbsp", "\u2003em", `\.`,
		"Émile", "=1+2", "+32", "-10.00", "@x", "', ok", "x\\y", "<b>&</b>", "plain"}
	isText := func(i int) bool { return statement.FlatColumns[i].Kind == statement.Text }
	for _, v := range odd {
		for col := range statement.FlatColumns {
			row := make([]string, len(statement.FlatColumns))
			for i := range row {
				row[i] = fmt.Sprintf("f%d", i)
			}
			row[col] = v
			var want bytes.Buffer
			cw := csv.NewWriter(&want)
			cw.Write(csvsafe.Row(slices.Clone(row), isText))
			cw.Flush()
			s := newCSVSink(nil)
			if got := s.appendRow(nil, row); string(got) != want.String() {
				t.Errorf("%q in column %d:\n got %q\nwant %q", v, col, got, want.String())
			}
		}
	}
}

// TestJSONLSinkOneOddField: a row of plain values with one value that
// needs escaping, in every column, is written as encoding/json writes it —
// the sink's look at the whole line must catch each of them.
func TestJSONLSinkOneOddField(t *testing.T) {
	odd := []string{`say "hi"`, `back\slash`, "<b>", "a>b", "&amp;", "tab\there", "nl\n", "\x01", "\x1f", "\x7f", "Café",
		"\xff", "\u2028", "plain"}
	for _, v := range odd {
		for col := range statement.FlatColumns {
			row := make([]string, len(statement.FlatColumns))
			m := map[string]string{}
			for i, c := range statement.FlatColumns {
				if i%3 != 1 || i == col { // some columns empty
					row[i] = fmt.Sprintf("v%d", i)
					if i == col {
						row[i] = v
					}
					m[c.Name] = row[i]
				}
			}
			var want bytes.Buffer
			json.NewEncoder(&want).Encode(m)
			if got := newJSONLSink(nil).appendRow(nil, row); string(got) != want.String() {
				t.Errorf("%q in column %d:\n got %s\nwant %s", v, col, got, want.String())
			}
		}
	}
	if got := newJSONLSink(nil).appendRow(nil, make([]string, len(statement.FlatColumns))); string(got) != "{}\n" {
		t.Errorf("empty row: %q", got)
	}
}

// TestJSONLSinkEveryByte: the sink's look at each value, eight bytes at a
// time, finds every byte that encoding/json escapes at every place in
// values of every length up to 24 (whole words, a last overlapping one, a
// short one read with its key in front), and no other byte: each row is
// encoding/json's.
func TestJSONLSinkEveryByte(t *testing.T) {
	s := newJSONLSink(nil)
	n := 0
	for c := range 256 {
		for size := 1; size <= 24; size++ {
			for at := range size {
				v := bytes.Repeat([]byte("a~ 0Z}"), 4)[:size]
				v[at] = byte(c)
				row := make([]string, len(statement.FlatColumns))
				row[0], row[n%len(row)] = "BE68539007547034", string(v) // account, and a column in turn
				m := map[string]string{}
				for i, c := range statement.FlatColumns {
					if row[i] != "" {
						m[c.Name] = row[i]
					}
				}
				want, _ := json.Marshal(m)
				if got := s.appendRow([]byte("x"), row); string(got) != "x"+string(want)+"\n" {
					t.Fatalf("byte %#02x at %d of %d:\n got %s\nwant %s", c, at, size, got[1:], want)
				}
				n++
			}
		}
	}
	if n != 256*300 {
		t.Fatalf("%d cases", n)
	}
}

// FuzzJSONLSink: any values, in any two columns, are written as
// encoding/json writes the map of the non-empty columns.
func FuzzJSONLSink(f *testing.F) {
	f.Add("BE68539007547034", `Invoice "12", <b> & co`, uint8(29))
	f.Add("", "Café\x7f\x1f\u2028", uint8(0))
	f.Add("12345678", "\xff\xfe", uint8(35))
	s := newJSONLSink(nil)
	f.Fuzz(func(t *testing.T, a, b string, col uint8) {
		row := make([]string, len(statement.FlatColumns))
		row[0], row[int(col)%len(row)] = a, b
		m := map[string]string{}
		for i, c := range statement.FlatColumns {
			if row[i] != "" {
				m[c.Name] = row[i]
			}
		}
		want, _ := json.Marshal(m)
		if got := s.appendRow(nil, row); string(got) != string(want)+"\n" {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}
