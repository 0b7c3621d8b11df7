package report

import (
	"encoding/csv"
	"io"

	"github.com/batchtool/batchtool/internal/csvsafe"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// csvReport is the ERP export: Header, then one Row per booked line and
// item, streamed.
type csvReport struct{ w *csv.Writer }

func newCSV(w io.Writer) *csvReport {
	c := &csvReport{w: csv.NewWriter(w)}
	c.w.Write(Header)
	return c
}

// textCol tells the text columns of Header: everything but the amounts and
// the entry and detail numbers, which batchtool writes.
func textCol(i int) bool {
	name := Header[i]
	return !moneyCols[name] && name != "entry" && name != "detail"
}

func (c *csvReport) Write(source string, r *reconcile.Result, dup bool) error {
	for _, row := range Rows(source, r, dup) {
		// Text from the statement (names, remittance) never runs as a
		// spreadsheet formula; amounts stay numbers.
		if err := c.w.Write(csvsafe.Row(row.Fields(), textCol)); err != nil {
			return err
		}
	}
	return nil
}

func (c *csvReport) Close(Run) error {
	c.w.Flush()
	return c.w.Error()
}
