// Package csvsafe keeps text from statements and ledgers from running as a
// formula when a CSV export is opened in a spreadsheet (CSV injection).
//
// A counterparty named "=HYPERLINK(...)" or a remittance "@SUM(...)" is
// text the bank passed on; Excel, LibreOffice and Google Sheets evaluate a
// cell that starts with = + - @ (and, in some, a tab or a carriage return).
// As OWASP recommends, such a cell is written with a single quote in front,
// which spreadsheets show as text and an ERP import can strip. Only text
// cells are escaped: amounts and counts are written by batchtool, are
// numbers, and a negative amount stays "-10.00".
package csvsafe

// Text returns s as a CSV text cell that no spreadsheet evaluates: s
// itself, or s with a single quote in front when it starts with = + - @,
// a tab or a carriage return.
func Text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Row escapes, in place, the cells of row whose column is text (isText
// reports it by column index), and returns row.
func Row(row []string, isText func(col int) bool) []string {
	for i, v := range row {
		if v != "" && isText(i) {
			row[i] = Text(v)
		}
	}
	return row
}
