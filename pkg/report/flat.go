package report

import (
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/batchtool/batchtool/pkg/statement"
)

// FlatXLSX writes the flat statement export (statement.FlatColumns, one
// row per transaction, as statement.FlatRows gives them) as a workbook,
// streamed: amounts are numbers shown with two decimals, dates are dates.
// XLSX stores numbers as IEEE doubles; an amount of up to 15 significant
// digits is written as its exact shortest decimal form, so 1234.56 stays
// 1234.56 in the file.
type FlatXLSX struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	money  int
	date   int
	header int
}

// NewFlatXLSX returns a writer of the flat export's workbook to out.
func NewFlatXLSX(out io.Writer) (*FlatXLSX, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	s := &FlatXLSX{out: out, f: f, sw: sw}
	if s.money, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
		return nil, err
	}
	if s.date, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil { // date
		return nil, err
	}
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	h := make([]any, len(statement.FlatColumns))
	for i, c := range statement.FlatColumns {
		h[i] = excelize.Cell{StyleID: s.header, Value: c.Name}
	}
	if err := sw.SetRow("A1", h); err != nil {
		return nil, err
	}
	s.row = 1
	return s, nil
}

// Write adds one row, its cells in the order of statement.FlatColumns.
func (s *FlatXLSX) Write(row []string) error {
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
		}
	}
	s.row++
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, cells)
}

// Close writes the workbook to out.
func (s *FlatXLSX) Close() error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	if _, err := s.f.WriteTo(s.out); err != nil {
		return err
	}
	return s.f.Close()
}
