// Package finding holds the one problem report that every batchtool reader
// and validator produces, so that `batchtool inspect` prints CSV rows, XML
// elements and CODA records alike: where (file, line, column or record),
// what (element path or field), which rule, the offending value, and why.
package finding

import (
	"fmt"
	"strings"

	"github.com/batchtool/batchtool/internal/safename"
)

// Severity tells whether a finding stops a build (Error) or is reported and
// kept (Warning).
type Severity int

const (
	// Warning is printed and kept in reports; output is still written.
	Warning Severity = iota
	// Error stops a build: no output file is left behind.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// MarshalText writes the severity as "error" or "warning" (for JSON).
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "error" or "warning".
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	default:
		return fmt.Errorf("finding: unknown severity %q", b)
	}
	return nil
}

// Finding is one problem found in an input file.
type Finding struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`   // 1-based; 0 when unknown
	Column   int      `json:"column,omitempty"` // 1-based; 0 when unknown
	Record   string   `json:"record,omitempty"` // record kind or number, e.g. "record 21" (CODA) or "row 14"
	Path     string   `json:"path,omitempty"`   // element path (/Document/.../CtrlSum) or field name (debtor_iban)
	Value    string   `json:"value,omitempty"`  // the offending value as it stands in the file
	Rule     string   `json:"rule,omitempty"`   // rule id: "ISO 13616", "EPC AT-...", "BR-CO-10", "XSD"
	Message  string   `json:"message"`
}

// String formats the finding in one line, for example
//
//	due.csv:14:3: error: debtor_iban "BE68 5390 0754 7035": IBAN check digits do not verify [ISO 13616]
//
// The value is quoted; file, record, path and message are printed with
// control characters escaped (safename.Escape), so that a file or zip
// member name from input cannot forge lines or rewrite the terminal.
func (f Finding) String() string {
	var b strings.Builder
	if f.File != "" {
		b.WriteString(safename.Escape(f.File))
		if f.Line > 0 {
			fmt.Fprintf(&b, ":%d", f.Line)
			if f.Column > 0 {
				fmt.Fprintf(&b, ":%d", f.Column)
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(f.Severity.String())
	b.WriteString(": ")
	if f.Record != "" {
		b.WriteString(safename.Escape(f.Record))
		b.WriteByte(' ')
	}
	if f.Path != "" {
		b.WriteString(safename.Escape(f.Path))
		b.WriteByte(' ')
	}
	if f.Value != "" || f.Path != "" {
		fmt.Fprintf(&b, "%q", f.Value)
	}
	if f.Path != "" || f.Value != "" || f.Record != "" {
		b.WriteString(": ")
	}
	b.WriteString(safename.Escape(f.Message))
	if f.Rule != "" {
		fmt.Fprintf(&b, " [%s]", f.Rule)
	}
	return b.String()
}

// Error lets a Finding be returned as an error.
func (f Finding) Error() string { return f.String() }

// List is an ordered collection of findings.
type List []Finding

// Add appends a finding.
func (l *List) Add(f Finding) { *l = append(*l, f) }

// HasErrors reports whether any finding has severity Error.
func (l List) HasErrors() bool {
	for _, f := range l {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and warnings.
func (l List) Count() (errors, warnings int) {
	for _, f := range l {
		if f.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Error makes a List usable as an error: the first finding and how many more.
func (l List) Error() string {
	switch len(l) {
	case 0:
		return "no findings"
	case 1:
		return l[0].String()
	}
	return fmt.Sprintf("%s (and %d more findings)", l[0], len(l)-1)
}
