package pipeline

import (
	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/pkg/report"
)

// reportFiles are the night's reports being written (package report), each
// to a temporary file: committed into place when complete, or aborted.
type reportFiles struct {
	report.Writer
	outs []*atomicfile.File
}

// openReports opens one report per path, its format named by its extension.
func openReports(paths []string) (*reportFiles, error) {
	r := &reportFiles{}
	var ws []report.Writer
	for _, p := range paths {
		format, err := report.FormatOf(p)
		if err == nil {
			var out *atomicfile.File
			if out, err = atomicfile.Create(p); err == nil {
				r.outs = append(r.outs, out)
				var w report.Writer
				w, err = report.New(out, format)
				ws = append(ws, w)
			}
		}
		if err != nil {
			r.Abort()
			return nil, err
		}
	}
	r.Writer = report.Multi(ws...)
	return r, nil
}

// Commit puts every report in place.
func (r *reportFiles) Commit() error {
	for _, o := range r.outs {
		if err := o.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Abort removes what was written of the reports not committed.
func (r *reportFiles) Abort() {
	for _, o := range r.outs {
		o.Abort()
	}
}
