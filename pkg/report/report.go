package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// Format is a report format.
type Format string

// The report formats.
const (
	CSV  Format = "csv"  // the ERP export: one row per booked line and item
	JSON Format = "json" // rows, files and summary
	XLSX Format = "xlsx" // a workbook: Lines, Summary, Unmatched
	HTML Format = "html" // one self-contained page for a person
)

// FormatOf returns the format a file name asks for by its extension
// (.csv, .json, .xlsx, .html or .htm, in any case).
func FormatOf(name string) (Format, error) {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".csv", ".json", ".xlsx", ".html":
		return Format(ext[1:]), nil
	case ".htm":
		return HTML, nil
	}
	return "", fmt.Errorf("%q: want a .csv, .json, .xlsx or .html file", name)
}

// Kind tells what a report's rows are.
type Kind int

const (
	// Reconciliation: statement lines booked and matched (reconcile).
	Reconciliation Kind = iota
	// Payments: payment requests a provider reported paid, booked against
	// their items (payreq sync); the file column names the provider.
	Payments
)

// Run is what a report says about the run as a whole, given at Close.
type Run struct {
	Kind Kind
	// Files are the statement files read, in order (nil for Payments).
	Files []*ledger.ImportResult
	// Summary adds up every result written (duplicates excluded), one
	// block per currency.
	Summary reconcile.Summary
	// Generated is when the run wrote its reports, shown on the HTML page;
	// the zero time means now.
	Generated time.Time
	// Exports name the other reports of the run that hold every line (the
	// CSV, XLSX or JSON beside the page, relative to it): the HTML page
	// links to them where it leaves lines out.
	Exports []string
}

func (r Run) generated() time.Time {
	if r.Generated.IsZero() {
		return time.Now()
	}
	return r.Generated
}

// Writer writes one report. Write is called once per statement entry, in
// booking order; Close once, after the last entry.
type Writer interface {
	// Write adds the result of one entry read from source (a file name,
	// or the provider for Payments). dup tells an entry already booked
	// from another file: it is listed, not counted.
	Write(source string, r *reconcile.Result, dup bool) error
	// Close writes what remains (totals, the HTML page, the workbook) to
	// the writer given to New. It does not close that writer.
	Close(run Run) error
}

// New returns a writer of the report in format f to w.
func New(w io.Writer, f Format) (Writer, error) {
	switch f {
	case CSV:
		return newCSV(w), nil
	case JSON:
		return newJSON(w), nil
	case XLSX:
		return newXLSX(w)
	case HTML:
		return newHTML(w)
	}
	return nil, fmt.Errorf("report: unknown format %q", f)
}

// Multi returns a writer that hands every call to each of ws in turn.
func Multi(ws ...Writer) Writer { return multi(ws) }

type multi []Writer

func (m multi) Write(source string, r *reconcile.Result, dup bool) error {
	for _, w := range m {
		if err := w.Write(source, r, dup); err != nil {
			return err
		}
	}
	return nil
}

func (m multi) Close(run Run) error {
	for _, w := range m {
		if err := w.Close(run); err != nil {
			return err
		}
	}
	return nil
}
