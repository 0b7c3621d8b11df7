// Package report writes what a reconciliation (or a run of payment-request
// bookings) did, for the people and systems that act on it: the ERP export
// as CSV, the whole result as JSON, a workbook (XLSX) and one self-contained
// HTML page. It also writes the workbook of the flat statement export
// (statement convert). It knows the reconciliation's results and the
// ledger's file records, never the command line: reconcile, payreq sync and
// the nightly pipeline call it, and so can any Go program (see the example).
//
// # One input model
//
// Every report takes the same input, in two parts:
//
//   - while the run goes on, each statement entry's [reconcile.Result] as it
//     is booked, with the name of the file (or provider) it came from,
//     through [Writer.Write]; an entry already booked from another file is
//     passed with dup set and appears as one "duplicate" row, counted
//     nowhere;
//   - at the end, a [Run] through [Writer.Close]: what kind of run it was,
//     the statement files read ([ledger.ImportResult]; none for payment
//     bookings, which [Booking] turns into results), the run's
//     [reconcile.Summary], when it was generated, and the names of the
//     run's other reports for the HTML page to point to.
//
// Every figure carries its currency: rows have an amount and its currency,
// totals are a [reconcile.Tally] per currency (a run over EUR and CHF
// statements has two totals, never one), and charts scale each currency on
// its own.
//
// # Formats
//
// [New] returns the writer of one [Format] to an io.Writer; [FormatOf] tells
// the format by a file name's extension and [Multi] feeds several. [Create]
// writes a run's reports to files, by their extensions: each to a temporary
// file put in place by [Files.Commit] once the run has read everything, so
// no half-written report is ever seen, the HTML page linking the others.
// Memory stays flat whatever the number of lines:
//
//   - CSV, the ERP export: [Header], then one [Row] per booked line and item
//     it was booked against ([Rows]), streamed. Text from the statement that
//     a spreadsheet would run as a formula gets a ' in front (OWASP's advice
//     against CSV injection); amounts stay numbers.
//   - JSON: {"rows": [...], "files": [...], "summary": {...}}, rows streamed,
//     amounts as strings with their currency's minor units (docs/json.md).
//   - XLSX: sheets Lines (every row), Summary (selected; one block per
//     currency by outcome, rule and return reason, and a balance check
//     written as a formula with its value, so the file proves itself in any
//     spreadsheet) and Unmatched (every unmatched and ambiguous row). Rows
//     are spooled to a temporary file and the workbook written at Close, when
//     their number is known: each sheet states its used range (<dimension>,
//     which readers such as openpyxl's read-only mode trust), its columns are
//     as wide as their values, its header frozen and filtered, and a table
//     longer than [MaxSheetRows] goes on in "Lines 2", "Lines 3". Amounts
//     are numbers shown #,##0.00, dates are dates.
//   - HTML: one page with no outside resources, for a person: per currency
//     the totals by outcome and the balance check; charts of the amounts
//     per booking day (per month past 31 days) and per return reason; then
//     what needs a person — the unmatched and ambiguous lines with their
//     closest candidates, and the returns with their reason, up to
//     [HTMLPersonRows] each — and the first [HTMLLineRows] lines. Where it
//     leaves lines out it says how many and links the exports named in
//     [Run.Exports]. So the page stays about a megabyte and renders in a few
//     seconds at a million lines; tables sort by a click and never get wider
//     than a 1280 px window. Untrusted text is escaped.
//
// [FlatXLSX] writes the flat statement export (statement.FlatColumns) as a
// workbook of one sheet, [FlatSheet], under the same rules.
package report
