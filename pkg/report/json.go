package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// jsonReport streams {"rows":[...],"files":[...],"summary":{...}}.
type jsonReport struct {
	bw    *bufio.Writer
	first bool
}

func newJSON(w io.Writer) *jsonReport {
	j := &jsonReport{bw: bufio.NewWriter(w), first: true}
	j.bw.WriteString("{\"rows\": [")
	return j
}

func (j *jsonReport) Write(source string, r *reconcile.Result, dup bool) error {
	for _, row := range Rows(source, r, dup) {
		b, err := json.Marshal(row)
		if err != nil {
			return err
		}
		if !j.first {
			j.bw.WriteByte(',')
		}
		j.first = false
		j.bw.WriteString("\n  ")
		if _, err := j.bw.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonReport) Close(run Run) error {
	j.bw.WriteString("\n],\n\"files\": ")
	files := run.Files
	if files == nil {
		files = []*ledger.ImportResult{} // payment bookings: no statement file, and a list is never null
	}
	b, err := json.MarshalIndent(files, "", "  ")
	if err != nil {
		return err
	}
	j.bw.Write(b)
	j.bw.WriteString(",\n\"summary\": ")
	if b, err = json.MarshalIndent(run.Summary, "", "  "); err != nil {
		return err
	}
	j.bw.Write(b)
	j.bw.WriteString("}\n")
	return j.bw.Flush()
}
