package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/batchtool/batchtool/pkg/reconcile"
)

// xlsxReport writes a workbook: "Lines" (every row of the ERP export),
// "Summary" (one block per currency, its balance check a formula) and
// "Unmatched" (every unmatched and ambiguous row). Amounts are numbers shown
// #,##0.00 (XLSX numbers are doubles: an amount of up to 15 significant
// digits is written as its exact shortest decimal form), dates are dates.
// The rows are spooled to a temporary file and written at Close, when
// their number is known: a table of more rows than a sheet holds goes on
// (Lines 2, ...). The Summary is the selected sheet.
type xlsxReport struct {
	out       io.Writer
	perSheet  int // rows a sheet holds, header included: MaxSheetRows
	lines     *table
	unmatched *table
	money     int
	date      int
	bold      int
}

func newXLSX(out io.Writer) (*xlsxReport, error) {
	x := &xlsxReport{out: out, perSheet: MaxSheetRows}
	ls, err := newSpool(Header)
	if err != nil {
		return nil, err
	}
	us, err := newSpool(Header)
	if err != nil {
		ls.close()
		return nil, err
	}
	x.lines = &table{name: "Lines", header: Header, cells: x.cells, spool: ls}
	x.unmatched = &table{name: "Unmatched", header: Header, cells: x.cells, spool: us}
	return x, nil
}

// cells types a row's fields: amounts as numbers, the booking date as a
// date, entry and detail as integers, the rest as text.
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
		if err := x.lines.add(fields); err != nil {
			return err
		}
		if row.needsPerson() {
			if err := x.unmatched.add(fields); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *xlsxReport) Close(run Run) error {
	defer x.lines.close()
	defer x.unmatched.close()
	f := excelize.NewFile()
	defer f.Close()
	var err error
	if x.money, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
		return err
	}
	if x.date, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil {
		return err
	}
	if x.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	// Every sheet exists before any is written: the selected one is marked
	// in each sheet's view, which a streamed sheet writes first.
	lines, unmatched := x.lines.sheetNames(x.perSheet), x.unmatched.sheetNames(x.perSheet)
	names := append(append(append([]string{}, lines...), "Summary"), unmatched...)
	if err := f.SetSheetName("Sheet1", names[0]); err != nil {
		return err
	}
	for _, n := range names[1:] {
		if _, err := f.NewSheet(n); err != nil {
			return err
		}
	}
	f.SetActiveSheet(len(lines))
	if err := x.lines.write(f, x.perSheet, x.bold); err != nil {
		return err
	}
	if err := x.summarySheet(f, run); err != nil {
		return err
	}
	if err := x.unmatched.write(f, x.perSheet, x.bold); err != nil {
		return err
	}
	return writeWorkbook(f, x.out)
}

// summarySheet writes one block per currency: the lines and amount of each
// outcome, the statement total, and a check cell whose formula adds the
// outcomes up against the total (its value as computed here cached, so a
// reader that does not calculate shows it too); then the lines by rule and
// the returns by reason code. Every amount has its currency beside it.
func (x *xlsxReport) summarySheet(f *excelize.File, run Run) error {
	// The rows are gathered first: the sheet's used range comes before them.
	var rows [][]any
	r := 0
	put := func(cells ...any) {
		r++
		for len(rows) < r-1 {
			rows = append(rows, nil) // a blank row
		}
		rows = append(rows, cells)
	}
	bold := func(s string) excelize.Cell { return excelize.Cell{StyleID: x.bold, Value: s} }
	amount := func(t reconcile.Tally) excelize.Cell {
		v, _ := t.Amount.Float64()
		return excelize.Cell{StyleID: x.money, Value: v}
	}
	title := "batchtool reconciliation"
	if run.Kind == Payments {
		title = "batchtool payment request bookings"
	}
	total := run.Summary
	for _, row := range [][]any{{bold(title)}, {"files", len(run.Files)}, {"entries", total.Entries}, {"lines", total.Lines}} {
		put(row...)
	}
	for _, c := range total.Currencies {
		r++ // a blank row between blocks
		put(bold("in " + c.Currency))
		put(bold("outcome"), bold("lines"), bold("amount"), bold("currency"))
		first := r + 1
		for _, o := range []struct {
			name string
			t    reconcile.Tally
		}{{"matched", c.Matched}, {"returned", c.Returned}, {"ambiguous", c.Ambiguous}, {"unmatched", c.Unmatched}, {"total", c.Total}} {
			put(o.name, o.t.Count, amount(o.t), c.Currency)
		}
		// The outcomes in rows first..first+3, the total in first+4.
		check := "balanced"
		if !c.Balanced() {
			check = "NOT BALANCED"
		}
		formula := fmt.Sprintf(`IF(AND(SUM(B%d:B%d)=B%d,ROUND(SUM(C%d:C%d)-C%d,6)=0),"balanced","NOT BALANCED")`,
			first, first+3, first+4, first, first+3, first+4)
		put("check", nil, nil, nil, excelize.Cell{Formula: formula, Value: check})
		put(bold("by rule"))
		for _, k := range sortedKeys(c.ByRule) {
			t := *c.ByRule[reconcile.Rule(k)]
			put(k, t.Count, amount(t), c.Currency)
		}
		put(bold("returns by reason"))
		for _, k := range sortedKeys(c.ByReason) {
			text, _ := reconcile.ReturnReasonText(k)
			t := *c.ByReason[k]
			put(k, t.Count, amount(t), c.Currency, text)
		}
	}
	if err := f.SetSheetDimension("Summary", fmt.Sprintf("A1:E%d", r)); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter("Summary")
	if err != nil {
		return err
	}
	widths := []float64{24, 10, 18, 10, 60}
	for col := len(widths); col > 0; col-- { // last first, as in table.write
		if err := sw.SetColWidth(col, col, widths[col-1]); err != nil {
			return err
		}
	}
	for i, cells := range rows {
		if cells == nil {
			continue
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+1), cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}
