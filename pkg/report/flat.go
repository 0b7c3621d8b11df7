package report

import (
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/batchtool/batchtool/pkg/statement"
)

// FlatXLSX writes the flat statement export (statement.FlatColumns, one
// row per transaction, as statement.FlatRows gives them) as a workbook of
// one sheet, "Transactions": its header bold and frozen, an autofilter, the
// columns as wide as their values, amounts as numbers shown with two
// decimals, dates as dates, sequence numbers as numbers and the reversal
// flag as a boolean. XLSX stores numbers as IEEE doubles; an amount of up
// to 15 significant digits is written as its exact shortest decimal form,
// so 1234.56 stays 1234.56 in the file. The rows are spooled to a temporary
// file and written at Close; past MaxSheetRows they go on in
// "Transactions 2".
type FlatXLSX struct {
	out      io.Writer
	perSheet int
	t        *table
	money    int
	date     int
}

// FlatSheet names the sheet of the flat export.
const FlatSheet = "Transactions"

// NewFlatXLSX returns a writer of the flat export's workbook to out.
func NewFlatXLSX(out io.Writer) (*FlatXLSX, error) {
	header := make([]string, len(statement.FlatColumns))
	for i, c := range statement.FlatColumns {
		header[i] = c.Name
	}
	sp, err := newSpool(header)
	if err != nil {
		return nil, err
	}
	s := &FlatXLSX{out: out, perSheet: MaxSheetRows}
	s.t = &table{name: FlatSheet, header: header, cells: s.cells, spool: sp}
	return s, nil
}

// Write adds one row, its cells in the order of statement.FlatColumns.
func (s *FlatXLSX) Write(row []string) error { return s.t.add(row) }

func (s *FlatXLSX) cells(row []string) []any {
	cells := make([]any, len(row))
	for i, v := range row {
		cells[i] = v
		if v == "" {
			cells[i] = nil
			continue
		}
		switch statement.FlatColumns[i].Kind {
		case statement.Amount:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				cells[i] = excelize.Cell{StyleID: s.money, Value: f}
			}
		case statement.Date:
			if d, err := time.Parse(time.DateOnly, v); err == nil {
				cells[i] = excelize.Cell{StyleID: s.date, Value: d}
			}
		case statement.Integer:
			if n, err := strconv.Atoi(v); err == nil {
				cells[i] = n
			}
		case statement.Bool:
			if b, err := strconv.ParseBool(v); err == nil {
				cells[i] = b
			}
		}
	}
	return cells
}

// Close writes the workbook to out.
func (s *FlatXLSX) Close() error {
	defer s.t.close()
	f := excelize.NewFile()
	defer f.Close()
	var err error
	if s.money, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
		return err
	}
	if s.date, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	names := s.t.sheetNames(s.perSheet)
	if err := f.SetSheetName("Sheet1", names[0]); err != nil {
		return err
	}
	for _, n := range names[1:] {
		if _, err := f.NewSheet(n); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if err := s.t.write(f, s.perSheet, bold); err != nil {
		return err
	}
	return writeWorkbook(f, s.out)
}
