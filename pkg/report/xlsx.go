package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// maxUnmatchedRows bounds what the XLSX and HTML reports keep in memory for
// their unmatched table; the full list is always in the Lines sheet / CSV.
const maxUnmatchedRows = 10000

// xlsxReport streams the report rows into a "Lines" sheet and adds a
// "Summary" and an "Unmatched" sheet at the end. Amounts are numbers shown
// #,##0.00 (XLSX numbers are doubles: an amount of up to 15 significant
// digits is written as its exact shortest decimal form), dates are dates.
type xlsxReport struct {
	out       io.Writer
	f         *excelize.File
	sw        *excelize.StreamWriter
	row       int
	money     int
	date      int
	bold      int
	unmatched [][]string
	more      int
}

func newXLSX(out io.Writer) (*xlsxReport, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Lines"); err != nil {
		return nil, err
	}
	x := &xlsxReport{out: out, f: f}
	var err error
	if x.money, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil {
		return nil, err
	}
	if x.date, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil {
		return nil, err
	}
	if x.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	if x.sw, err = f.NewStreamWriter("Lines"); err != nil {
		return nil, err
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	head := make([]any, len(Header))
	for i, h := range Header {
		head[i] = excelize.Cell{StyleID: x.bold, Value: h}
	}
	x.row = 1
	return x, x.sw.SetRow("A1", head)
}

func (x *xlsxReport) cells(fields []string) []any {
	cells := make([]any, len(fields))
	for i, v := range fields {
		name := Header[i]
		switch {
		case v == "":
			cells[i] = nil
		case moneyCols[name]:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				cells[i] = excelize.Cell{StyleID: x.money, Value: f}
				continue
			}
			cells[i] = v
		case name == "booking_date":
			if d, err := time.Parse(time.DateOnly, v); err == nil {
				cells[i] = excelize.Cell{StyleID: x.date, Value: d}
				continue
			}
			cells[i] = v
		case name == "entry" || name == "detail":
			n, _ := strconv.Atoi(v)
			cells[i] = n
		default:
			cells[i] = v
		}
	}
	return cells
}

func (x *xlsxReport) Write(source string, r *reconcile.Result, dup bool) error {
	for _, row := range Rows(source, r, dup) {
		fields := row.Fields()
		x.row++
		cell, _ := excelize.CoordinatesToCellName(1, x.row)
		if err := x.sw.SetRow(cell, x.cells(fields)); err != nil {
			return err
		}
		if row.needsPerson() {
			if len(x.unmatched) < maxUnmatchedRows {
				x.unmatched = append(x.unmatched, fields)
			} else {
				x.more++
			}
		}
	}
	return nil
}

func (x *xlsxReport) Close(run Run) error {
	last, _ := excelize.CoordinatesToCellName(len(Header), max(x.row, 2))
	if err := x.sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "Lines", StyleName: "TableStyleLight1"}); err != nil {
		return err
	}
	if err := x.sw.Flush(); err != nil {
		return err
	}
	if err := x.summarySheet(run.Files, run.Summary); err != nil {
		return err
	}
	if err := x.unmatchedSheet(); err != nil {
		return err
	}
	x.f.SetActiveSheet(1)
	if _, err := x.f.WriteTo(x.out); err != nil {
		return err
	}
	return x.f.Close()
}

func (x *xlsxReport) summarySheet(files []*ledger.ImportResult, total reconcile.Summary) error {
	const sh = "Summary"
	if _, err := x.f.NewSheet(sh); err != nil {
		return err
	}
	// Columns: label, lines, amount, currency, note. Every amount has its
	// currency beside it; each currency has its own block.
	r := 0
	put := func(label string, count any, t *reconcile.Tally, note string) {
		r++
		x.f.SetCellValue(sh, fmt.Sprintf("A%d", r), label)
		if count != nil {
			x.f.SetCellValue(sh, fmt.Sprintf("B%d", r), count)
		}
		if t != nil {
			f, _ := t.Amount.Float64()
			x.f.SetCellValue(sh, fmt.Sprintf("C%d", r), f)
			x.f.SetCellStyle(sh, fmt.Sprintf("C%d", r), fmt.Sprintf("C%d", r), x.money)
			x.f.SetCellValue(sh, fmt.Sprintf("D%d", r), t.Currency)
		}
		if note != "" {
			x.f.SetCellValue(sh, fmt.Sprintf("E%d", r), note)
		}
	}
	heading := func(s string) {
		r++
		x.f.SetCellValue(sh, fmt.Sprintf("A%d", r), s)
		x.f.SetCellStyle(sh, fmt.Sprintf("A%d", r), fmt.Sprintf("E%d", r), x.bold)
	}
	heading("batchtool reconciliation")
	put("files", len(files), nil, "")
	put("entries", total.Entries, nil, "")
	put("lines", total.Lines, nil, "")
	for _, c := range total.Currencies {
		r++
		heading("in " + c.Currency)
		r++
		x.f.SetSheetRow(sh, fmt.Sprintf("A%d", r), &[]any{"outcome", "lines", "amount", "currency"})
		x.f.SetCellStyle(sh, fmt.Sprintf("A%d", r), fmt.Sprintf("D%d", r), x.bold)
		for _, o := range []struct {
			name string
			t    reconcile.Tally
		}{{"matched", c.Matched}, {"returned", c.Returned}, {"ambiguous", c.Ambiguous}, {"unmatched", c.Unmatched}, {"total", c.Total}} {
			put(o.name, o.t.Count, &o.t, "")
		}
		check := "balanced: matched + returned + ambiguous + unmatched = total"
		if !c.Balanced() {
			check = "NOT BALANCED"
		}
		put("check", nil, nil, check)
		heading("by rule")
		for _, k := range sortedKeys(c.ByRule) {
			put(k, c.ByRule[reconcile.Rule(k)].Count, c.ByRule[reconcile.Rule(k)], "")
		}
		heading("returns by reason")
		for _, k := range sortedKeys(c.ByReason) {
			text, _ := reconcile.ReturnReasonText(k)
			put(k, c.ByReason[k].Count, c.ByReason[k], text)
		}
	}
	x.f.SetColWidth(sh, "A", "A", 22)
	x.f.SetColWidth(sh, "C", "C", 16)
	x.f.SetColWidth(sh, "E", "E", 60)
	return nil
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

func (x *xlsxReport) unmatchedSheet() error {
	const sh = "Unmatched"
	if _, err := x.f.NewSheet(sh); err != nil {
		return err
	}
	head := make([]any, len(Header))
	for i, h := range Header {
		head[i] = h
	}
	x.f.SetSheetRow(sh, "A1", &head)
	x.f.SetCellStyle(sh, "A1", "X1", x.bold)
	for i, fields := range x.unmatched {
		cells := x.cells(fields)
		if err := x.f.SetSheetRow(sh, fmt.Sprintf("A%d", i+2), &cells); err != nil {
			return err
		}
	}
	if x.more > 0 {
		x.f.SetCellValue(sh, fmt.Sprintf("A%d", len(x.unmatched)+3), fmt.Sprintf("%d more: see the Lines sheet", x.more))
	}
	return nil
}
