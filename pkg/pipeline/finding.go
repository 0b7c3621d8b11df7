package pipeline

import "github.com/batchtool/batchtool/pkg/finding"

// errorFinding turns a reader's error into a finding; errors that already
// are findings keep their position.
func errorFinding(name string, err error) finding.Finding {
	if f, ok := err.(finding.Finding); ok {
		if f.File == "" {
			f.File = name
		}
		f.Severity = finding.Error
		return f
	}
	return finding.Finding{Severity: finding.Error, File: name, Message: err.Error()}
}
