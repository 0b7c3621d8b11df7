package report

import (
	"path/filepath"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// Files writes the reports of a run to files, one per path, in the format
// its extension names (FormatOf): each to a temporary file beside it, put in
// place by Commit once the run has read everything, or dropped by Abort, so
// no half-written report is ever seen. An HTML page among them links the
// others (relative to its own folder) for the lines it does not list. Files
// is a Writer: Write and Close feed every report.
type Files struct {
	outs []*atomicfile.File
	w    Writer
}

// Create starts writing a report to each of paths.
func Create(paths ...string) (*Files, error) {
	formats := make([]Format, len(paths))
	for i, p := range paths {
		f, err := FormatOf(p)
		if err != nil {
			return nil, err
		}
		formats[i] = f
	}
	fs := &Files{}
	var ws []Writer
	for i, p := range paths {
		out, err := atomicfile.Create(p)
		if err != nil {
			fs.Abort()
			return nil, err
		}
		fs.outs = append(fs.outs, out)
		w, err := New(out, formats[i])
		if err != nil {
			fs.Abort()
			return nil, err
		}
		if formats[i] == HTML {
			page := pageFile{Writer: w}
			for j, o := range paths {
				if formats[j] != HTML {
					page.exports = append(page.exports, relativeTo(p, o))
				}
			}
			w = page
		}
		ws = append(ws, w)
	}
	fs.w = Multi(ws...)
	return fs, nil
}

// Write hands one entry's result to every report.
func (fs *Files) Write(source string, r *reconcile.Result, dup bool) error {
	return fs.w.Write(source, r, dup)
}

// Close completes every report; Commit then puts them in place.
func (fs *Files) Close(run Run) error { return fs.w.Close(run) }

// Commit puts every report in place, after Close.
func (fs *Files) Commit() error {
	for _, o := range fs.outs {
		if err := o.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Abort drops the reports not committed; safe to defer, and on nil.
func (fs *Files) Abort() {
	if fs == nil {
		return
	}
	for _, o := range fs.outs {
		o.Abort()
	}
}

// pageFile is an HTML report told where the run's other reports are.
type pageFile struct {
	Writer
	exports []string
}

func (p pageFile) Close(run Run) error {
	run.Exports = p.exports
	return p.Writer.Close(run)
}

// relativeTo names file as a link from page: relative to the page's folder
// when it can be, else absolute.
func relativeTo(page, file string) string {
	if rel, err := filepath.Rel(filepath.Dir(page), file); err == nil {
		return rel
	}
	if abs, err := filepath.Abs(file); err == nil {
		return abs
	}
	return file
}
