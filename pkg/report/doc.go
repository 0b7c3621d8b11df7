// Package report writes what a reconciliation (or a run of payment-request
// bookings) did, for the people and systems that act on it: the ERP export
// as CSV, the whole result as JSON, a workbook (XLSX) and one self-contained
// HTML page. It also writes the XLSX form of a flat statement export
// (statement convert).
//
// # One input model
//
// Every report takes the same input, in two parts:
//
//   - while the run goes on, each statement entry's [reconcile.Result] as it
//     is booked, with the name of the file (or provider) it came from, through
//     [Writer.Write]; an entry already booked from another file is passed
//     with dup set and appears as one "duplicate" row;
//   - at the end, a [Run]: the statement files read ([ledger.ImportResult],
//     nil for payment-request bookings) and the run's [reconcile.Summary],
//     through [Writer.Close].
//
// Every figure carries its currency: rows have an amount and its currency,
// totals are a [reconcile.Tally] per currency (a run over EUR and CHF
// statements has two totals, never one), and charts scale each currency on
// its own.
//
// # Formats
//
// [New] returns the writer of one [Format]; [FormatOf] tells the format by a
// file name's extension. The CSV and JSON reports stream: memory stays flat
// whatever the number of lines. CSV is the ERP export, one [Row] per booked
// line and item, columns [Header]; text from the statement never runs as a
// spreadsheet formula. JSON is {"rows": [...], "files": [...], "summary":
// {...}} with amounts as strings (docs/json.md).
//
// Nothing is written half: the caller gives each writer a temporary file and
// renames it into place after Close.
package report
