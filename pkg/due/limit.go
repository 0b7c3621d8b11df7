package due

import (
	"bytes"
	"fmt"
	"io"

	"github.com/batchtool/batchtool/pkg/finding"
)

// maxRow bounds one row: a CSV record (a quoted field may span lines) or a
// JSON Lines line. A real row of the documented columns is well under 2 KiB
// (the longest field, remittance, is 140 characters); an ERP's extra columns
// leave plenty of room below 256 KiB. Without the bound encoding/csv and
// bufio.Reader.ReadBytes hold a whole row, however long (a 300 MB line is
// 300 MB of heap); with it a row costs at most about 10 MB (256 KiB of
// one-byte CSV fields, the worst case, is 128k strings).
const maxRow = 256 << 10

// RuleLimit is the rule of the error that refuses a row beyond maxRow.
const RuleLimit = "limit"

// rowLimit passes a due file through and fails the read, with a finding
// naming file and line, as soon as one row exceeds maxRow bytes. For CSV it
// follows double quotes, so that a line feed inside a quoted field does not
// end the row.
type rowLimit struct {
	r      io.Reader
	name   string
	csv    bool
	quoted bool // inside a quoted CSV field
	n      int  // bytes of the current row
	line   int  // line of the next byte
	start  int  // line where the current row began
	err    error
}

func newRowLimit(r io.Reader, name string, format Format) *rowLimit {
	return &rowLimit{r: r, name: name, csv: format == CSV, line: 1, start: 1}
}

func (l *rowLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	b := p[:n]
	off := 0
	for off < len(b) {
		seg := b[off:]
		i := bytes.IndexByte(seg, '\n')
		if i >= 0 {
			seg = seg[:i+1]
		}
		if l.csv && bytes.Count(seg, []byte{'"'})%2 == 1 {
			l.quoted = !l.quoted
		}
		if l.n+len(seg) > maxRow {
			l.err = finding.Finding{Severity: finding.Error, File: l.name, Line: l.start, Rule: RuleLimit,
				Message: fmt.Sprintf("row longer than %d KiB: refused (no real row comes near)", maxRow>>10)}
			return off, l.err
		}
		l.n += len(seg)
		off += len(seg)
		if i >= 0 {
			l.line++
			if !l.quoted {
				l.n, l.start = 0, l.line
			}
		}
	}
	return n, err
}
