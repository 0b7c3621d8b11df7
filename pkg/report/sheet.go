package report

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// MaxSheetRows is the most rows a worksheet holds (Excel's limit, header
// included). A table of more rows continues on a second sheet, named as the
// first with " 2" appended ("Lines 2"), each with its own header.
const MaxSheetRows = 1 << 20

// spool keeps the rows of a sheet in a temporary file until their number
// is known: a worksheet's <dimension> (its used range, which readers such
// as openpyxl's read-only mode trust) comes before its rows, and the
// number of sheets a table needs is known only at the end. Memory stays
// flat: a row at a time. It also measures each column's longest value for
// the column widths.
type spool struct {
	f      *os.File
	bw     *bufio.Writer
	cw     *csv.Writer
	rows   int
	widest []int // longest value per column, in characters
}

func newSpool(header []string) (*spool, error) {
	f, err := os.CreateTemp("", "batchtool-sheet-*.csv")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) // the open file stays usable; nothing is left behind
	s := &spool{f: f, bw: bufio.NewWriterSize(f, 64<<10), widest: make([]int, len(header))}
	s.cw = csv.NewWriter(s.bw)
	for i, h := range header {
		s.widest[i] = utf8.RuneCountInString(h)
	}
	return s, nil
}

func (s *spool) add(fields []string) error {
	s.rows++
	for i, v := range fields {
		if n := len(v); n > s.widest[i] {
			if n = utf8.RuneCountInString(v); n > s.widest[i] {
				s.widest[i] = n
			}
		}
	}
	return s.cw.Write(fields)
}

// replay hands every row to fn, in the order added.
func (s *spool) replay(fn func(fields []string) error) error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := csv.NewReader(bufio.NewReaderSize(s.f, 64<<10))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

func (s *spool) close() { s.f.Close() }

// table is a sheet of rows under a header: its name, the cells of a row
// as typed values, and where they are spooled.
type table struct {
	name   string
	header []string
	cells  func(fields []string) []any
	*spool
}

// sheetNames returns the names of the sheets the table fills, perSheet
// rows (header included) to a sheet: name, name 2, name 3 ...
func (t *table) sheetNames(perSheet int) []string {
	names := []string{t.name}
	for n := 2; (n-1)*(perSheet-1) < t.rows; n++ {
		names = append(names, fmt.Sprintf("%s %d", t.name, n))
	}
	return names
}

// columnWidth is a column's width in characters: its longest value and
// header, within bounds so that one long remittance does not make a column
// a screen wide.
func columnWidth(widest int) float64 {
	return float64(min(max(widest+2, 8), 60))
}

// write streams the table into its sheets, which must exist: each with
// its header in bold, frozen, an autofilter over its rows, the columns as
// wide as their values and its <dimension>.
func (t *table) write(f *excelize.File, perSheet, bold int) error {
	names := t.sheetNames(perSheet)
	lastCol, err := excelize.ColumnNumberToName(len(t.header))
	if err != nil {
		return err
	}
	head := make([]any, len(t.header))
	for i, h := range t.header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	var sw *excelize.StreamWriter
	sheet, row := -1, perSheet // row of the current sheet last written
	finish := func() error {
		if sw == nil {
			return nil
		}
		ref := fmt.Sprintf("A1:%s%d", lastCol, row)
		if err := f.AutoFilter(names[sheet], ref, nil); err != nil {
			return err
		}
		return sw.Flush()
	}
	start := func() error {
		if err := finish(); err != nil {
			return err
		}
		sheet++
		rows := min(t.rows-sheet*(perSheet-1), perSheet-1)
		if err := f.SetSheetDimension(names[sheet], fmt.Sprintf("A1:%s%d", lastCol, rows+1)); err != nil {
			return err
		}
		if sw, err = f.NewStreamWriter(names[sheet]); err != nil {
			return err
		}
		// Last column first: excelize puts each new one in front, and a
		// sheet's columns must come in order.
		for i := len(t.widest) - 1; i >= 0; i-- {
			if err := sw.SetColWidth(i+1, i+1, columnWidth(t.widest[i])); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
			return err
		}
		row = 1
		return sw.SetRow("A1", head)
	}
	if err := start(); err != nil {
		return err
	}
	err = t.replay(func(fields []string) error {
		if row == perSheet {
			if err := start(); err != nil {
				return err
			}
		}
		row++
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, t.cells(fields))
	})
	if err != nil {
		return err
	}
	return finish()
}

// writeWorkbook writes the workbook to out as it is zipped. excelize's
// WriteTo assembles the whole file in memory first (49 MB at a million
// rows); its zip writer hook, given the same archive/zip writer on out,
// streams the same bytes instead.
func writeWorkbook(f *excelize.File, out io.Writer) error {
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(out) })
	_, err := f.WriteTo(io.Discard)
	return err
}
