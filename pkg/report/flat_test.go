package report

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/statement"
)

// flatXLSX writes the flat export of a statement with a batch booking of
// two collections and a reversed one, perSheet rows to a sheet.
func flatXLSX(t *testing.T, perSheet int) []byte {
	t.Helper()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	st := &statement.Statement{ID: "STMT-1", Kind: "statement", Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"}}
	entries := []*statement.Entry{
		{Statement: st, Seq: 1, Amount: d("30.50"), Currency: "EUR", BookingDate: day, ValueDate: day, Status: "BOOK", AccountSvcrRef: "BANK-1",
			Details: []statement.Transaction{{Amount: d("10.00"), EndToEndID: "E2E-A"}, {Amount: d("20.50"), EndToEndID: "E2E-B", Counterparty: statement.Party{Name: "Bert"}}}},
		{Statement: st, Seq: 2, Amount: d("-10.00"), Currency: "EUR", Reversal: true, BookingDate: day.AddDate(0, 0, 2), Status: "BOOK",
			Details: []statement.Transaction{{Amount: d("-10.00"), EndToEndID: "E2E-A", ReturnReason: "AM04"}}},
	}
	var b bytes.Buffer
	w, err := NewFlatXLSX(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.perSheet = perSheet
	for _, e := range entries {
		for _, row := range statement.FlatRows(e) {
			if err := w.Write(row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFlatXLSX: statement convert's workbook has one named, selected
// sheet, its header frozen and filtered, widths set, the right dimension
// (openpyxl's read-only mode reads every row), and typed cells: amounts
// and sequence numbers as numbers, dates as dates, reversal as a boolean.
func TestFlatXLSX(t *testing.T) {
	b := flatXLSX(t, MaxSheetRows)
	facts := sheetFacts(t, b)
	if len(facts) != 1 || facts[0] != "dimension A1:AJ4, selected, frozen below row 1, filter $A$1:$AJ$4, widths 18 18 14 16 11 12 14 12 8 10 14 16 14 10 8 14 18 11 22 15 12 17 16 13 19 19 18 18 22 12 15 13 9 18 13 15" {
		t.Errorf("sheets: %q", facts)
	}
	golden(t, "flat.xlsx.openpyxl", []byte(secondReader(t, b, 10)))
}

// TestFlatXLSXSheetsContinue: past a sheet's rows the export goes on in
// "Transactions 2".
func TestFlatXLSXSheetsContinue(t *testing.T) {
	got := secondReader(t, flatXLSX(t, 3), 0)
	for _, want := range []string{
		"sheets ['Transactions', 'Transactions 2'] active Transactions\n",
		"== Transactions A1:AJ3 rows 3 columns 36\n  read 3 rows\n",
		"== Transactions 2 A1:AJ2 rows 2 columns 36\n  read 2 rows\n",
		"view Transactions 2 freeze A2 filter $A$1:$AJ$2 selected None\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("openpyxl lacks %q:\n%s", want, got)
		}
	}
}

// TestFlatXLSXMillion writes 1,048,576 transactions, one more than a sheet
// holds under its header: the last goes on in "Transactions 2" (excelize
// alone fails on row 1,048,577), in a bounded heap. Long:
// BATCHTOOL_XLSX_MILLION=1.
func TestFlatXLSXMillion(t *testing.T) {
	if os.Getenv("BATCHTOOL_XLSX_MILLION") == "" {
		t.Skip("skipping: set BATCHTOOL_XLSX_MILLION=1 to write 1,048,576 rows")
	}
	path := filepath.Join(t.TempDir(), "million.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewFlatXLSX(f)
	if err != nil {
		t.Fatal(err)
	}
	st := &statement.Statement{ID: "STMT-1", Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"}}
	e := &statement.Entry{Statement: st, Amount: d("12.34"), Currency: "EUR", Status: "BOOK",
		BookingDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Details: []statement.Transaction{{Amount: d("12.34"), EndToEndID: "E2E"}}}
	start, heap := time.Now(), testutil.SampleHeap()
	const n = MaxSheetRows
	for i := 1; i <= n; i++ {
		e.Seq = i
		if err := w.Write(statement.FlatRows(e)[0]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	peak := heap()
	st2, _ := f.Stat()
	t.Logf("%d rows in %v, %d bytes, peak heap %.1f MiB", n, time.Since(start), st2.Size(), float64(peak)/(1<<20))
	if peak > 64<<20 { // excelize buffers a sheet 16 MB at a time (StreamChunkSize)
		t.Errorf("peak heap %.1f MiB: the rows are held in memory", float64(peak)/(1<<20))
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got []string
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 16<<10)
		k, _ := io.ReadFull(rc, head)
		rc.Close()
		got = append(got, zf.Name+" "+dimensionRe.FindString(string(head[:k])))
	}
	slices.Sort(got)
	want := `xl/worksheets/sheet1.xml <dimension ref="A1:AJ1048576"
xl/worksheets/sheet2.xml <dimension ref="A1:AJ2"`
	if strings.Join(got, "\n") != want {
		t.Errorf("sheets:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
}
