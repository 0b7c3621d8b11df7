package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// parts returns every part of a workbook (a zip of XML files) by name.
func parts(t testing.TB, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(x)
	}
	return out
}

var (
	dimensionRe = regexp.MustCompile(`<dimension ref="([^"]+)"`)
	colsRe      = regexp.MustCompile(`<col min="(\d+)" max="\d+" width="([\d.]+)"`)
	paneRe      = regexp.MustCompile(`<pane [^>]*>`)
	filterRe    = regexp.MustCompile(`<autoFilter ref="([^"]+)"`)
)

// sheetFacts sums up what a worksheet's XML says of itself, in sheet order:
// "dimension A1:X10, selected, frozen below row 1, filter $A$1:$X$10, widths
// 9 11 ...".
func sheetFacts(t testing.TB, b []byte) []string {
	t.Helper()
	p := parts(t, b)
	var out []string
	for i := 1; ; i++ {
		x, ok := p[fmt.Sprintf("xl/worksheets/sheet%d.xml", i)]
		if !ok {
			return out
		}
		var f []string
		if m := dimensionRe.FindStringSubmatch(x); m != nil {
			f = append(f, "dimension "+m[1])
		}
		if strings.Contains(x, `tabSelected="true"`) || strings.Contains(x, `tabSelected="1"`) {
			f = append(f, "selected")
		}
		if pane := paneRe.FindString(x); pane != "" {
			if !strings.Contains(pane, `state="frozen"`) || !strings.Contains(pane, `ySplit="1"`) {
				t.Errorf("sheet %d: pane %s", i, pane)
			}
			f = append(f, "frozen below row 1")
		}
		if m := filterRe.FindStringSubmatch(x); m != nil {
			f = append(f, "filter "+m[1])
		}
		var widths []string
		for j, m := range colsRe.FindAllStringSubmatch(x, -1) {
			if m[1] != fmt.Sprint(j+1) {
				t.Errorf("sheet %d: column %s where %d belongs: columns out of order", i, m[1], j+1)
			}
			widths = append(widths, m[2])
		}
		f = append(f, "widths "+strings.Join(widths, " "))
		out = append(out, strings.Join(f, ", "))
	}
}

func TestXLSX(t *testing.T) {
	es, run := fixture()
	b := write(t, XLSX, es, run)
	got := sheetFacts(t, b)
	want := []string{
		"dimension A1:X10, frozen below row 1, filter $A$1:$X$10, widths 9 11 23 14 8 11 8 9 10 11 15 12 16 15 12 9 11 15 20 27 24 32 30 54",
		"dimension A1:E30, selected, widths 24 10 18 10 60",
		"dimension A1:X4, frozen below row 1, filter $A$1:$X$4, widths 9 11 23 14 8 11 8 9 10 11 8 11 16 15 12 9 11 15 13 24 24 32 30 26",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sheets:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if wb := parts(t, b)["xl/workbook.xml"]; !strings.Contains(wb, `activeTab="1"`) ||
		!strings.Contains(wb, `<sheets><sheet name="Lines" sheetId="1" r:id="rId1"></sheet><sheet name="Summary" sheetId="2" r:id="rId4"></sheet><sheet name="Unmatched" sheetId="3" r:id="rId5"></sheet></sheets>`) {
		t.Errorf("workbook.xml:\n%s", wb)
	}

	// The balance checks are formulas that hold: excelize's calculation
	// engine agrees with the value written, and a tampered total fails.
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, c := range []struct{ cell, formula string }{
		{"E13", `IF(AND(SUM(B8:B11)=B12,ROUND(SUM(C8:C11)-C12,6)=0),"balanced","NOT BALANCED")`},
		{"E24", `IF(AND(SUM(B19:B22)=B23,ROUND(SUM(C19:C22)-C23,6)=0),"balanced","NOT BALANCED")`},
	} {
		if f, _ := x.GetCellFormula("Summary", c.cell); f != c.formula {
			t.Errorf("Summary!%s formula %q", c.cell, f)
		}
		if v, err := x.CalcCellValue("Summary", c.cell); err != nil || v != "balanced" {
			t.Errorf("Summary!%s calculates to %q, %v", c.cell, v, err)
		}
	}
	x.SetCellValue("Summary", "C21", 50.01) // ambiguous EUR, one cent more
	if v, err := x.CalcCellValue("Summary", "E24"); err != nil || v != "NOT BALANCED" {
		t.Errorf("tampered Summary!E24 calculates to %q, %v", v, err)
	}
	x.SetCellValue("Summary", "C21", 50)
	x.SetCellValue("Summary", "B22", 2) // unmatched EUR, one line more
	if v, err := x.CalcCellValue("Summary", "E24"); err != nil || v != "NOT BALANCED" {
		t.Errorf("tampered Summary!E24 calculates to %q, %v", v, err)
	}
}

// TestXLSXSheetsContinue: a table longer than a sheet goes on in "Lines 2",
// "Lines 3", each sheet with its header, frozen, filtered and its own
// dimension; the rows stay in order.
func TestXLSXSheetsContinue(t *testing.T) {
	es, run := fixture()
	var b bytes.Buffer
	w, err := New(&b, XLSX)
	if err != nil {
		t.Fatal(err)
	}
	w.(*xlsxReport).perSheet = 4 // a header and 3 rows a sheet
	for _, e := range es {
		if err := w.Write(e.source, e.r, e.dup); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(run); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "Lines,Lines 2,Lines 3,Summary,Unmatched" {
		t.Fatalf("sheets %s", got)
	}
	var got []string
	for _, sh := range []string{"Lines", "Lines 2", "Lines 3", "Unmatched"} {
		rows, err := x.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		var entries []string
		for _, r := range rows {
			entries = append(entries, r[4]+"."+r[6]+" "+r[7]+" "+r[8])
		}
		got = append(got, sh+": "+strings.Join(entries, "; "))
	}
	want := `Lines: entry.detail amount currency; 1.1 10 EUR; 1.2 20.5 EUR; 2.0 1300 EUR
Lines 2: entry.detail amount currency; 2.0 1300 EUR; 3.1 -10 EUR; 4.1 1234.56 EUR
Lines 3: entry.detail amount currency; 5.0 50 EUR; 6.0 99.99 EUR; 1.0 1500 CHF
Unmatched: entry.detail amount currency; 4.1 1234.56 EUR; 5.0 50 EUR; 1.0 1500 CHF`
	if strings.Join(got, "\n") != want {
		t.Errorf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	facts := sheetFacts(t, b.Bytes())
	for i, want := range []string{"dimension A1:X4, frozen below row 1, filter $A$1:$X$4,", "dimension A1:X4, frozen below row 1, filter $A$1:$X$4,",
		"dimension A1:X4, frozen below row 1, filter $A$1:$X$4,", "dimension A1:E30, selected,", "dimension A1:X4, frozen below row 1, filter $A$1:$X$4,"} {
		if !strings.HasPrefix(facts[i], want) {
			t.Errorf("sheet %d: %s, want %s", i+1, facts[i], want)
		}
	}
}

// openpyxl returns a Python that has openpyxl (Debian: python3-openpyxl;
// .ci/run installs it), or skips the test.
func openpyxl(t testing.TB) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import openpyxl").Run() == nil {
			return py
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("python3-openpyxl is required in CI (.ci/run installs it)")
	}
	t.Skip("skipping: no python3 with openpyxl (apt-get install python3-openpyxl)")
	return ""
}

// readXLSX is what the second reader sees: every sheet in read-only mode
// (which trusts <dimension>), its size and values; the cached values of
// the formulas; and each sheet's view as the full reader loads it.
const readXLSX = `import sys, openpyxl
path = sys.argv[1]
wb = openpyxl.load_workbook(path, read_only=True)
print("sheets", wb.sheetnames, "active", wb.active.title)
for ws in wb.worksheets:
    n = 0
    print("==", ws.title, ws.calculate_dimension(), "rows", ws.max_row, "columns", ws.max_column)
    for r in ws.iter_rows(values_only=True):
        n += 1
        if n <= int(sys.argv[2]):
            print(" ", list(r))
    print("  read", n, "rows")
wb.close()
wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
for ws in wb.worksheets:
    for r in ws.iter_rows():
        for c in r:
            if isinstance(c.value, str) and "BALANCED" in c.value.upper():
                print("value", ws.title, c.coordinate, c.value)
wb.close()
wb = openpyxl.load_workbook(path)
for ws in wb.worksheets:
    print("view", ws.title, "freeze", ws.freeze_panes, "filter", ws.auto_filter.ref, "selected", ws.sheet_view.tabSelected)
`

// secondReader runs readXLSX on a workbook, printing the first rows of
// each sheet.
func secondReader(t testing.TB, b []byte, rows int) string {
	t.Helper()
	py := openpyxl(t)
	dir := t.TempDir()
	path, script := filepath.Join(dir, "r.xlsx"), filepath.Join(dir, "read.py")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(readXLSX), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, script, path, fmt.Sprint(rows)).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	return string(out)
}

// TestXLSXOpenpyxl opens the workbook with a second reader, Python's
// openpyxl, in read-only mode: every row is read (before the dimension was
// right it read one), the values and types are the report's.
func TestXLSXOpenpyxl(t *testing.T) {
	es, run := fixture()
	golden(t, "reconcile.xlsx.openpyxl", []byte(secondReader(t, write(t, XLSX, es, run), 40)))
}
