package inspect

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/batchtool/batchtool/internal/ziparchive"
	"github.com/batchtool/batchtool/pkg/finding"
)

// Inspection is what is in one file and what is wrong with it: what
// `batchtool inspect` prints, as text or JSON.
type Inspection struct {
	File        string            `json:"file"`
	Format      string            `json:"format"`
	Compression string            `json:"compression,omitempty"` // "gzip": the file was decompressed to be read
	Summary     Summary           `json:"summary,omitempty"`
	Findings    []finding.Finding `json:"findings"`

	unreadable *Unreadable // the file could not be read or is none of ours: exit 2
}

// Summary is the format-specific one-screen overview of a file: a
// *Pain008Summary, *StatementsSummary or *UBLSummary.
type Summary interface {
	summary()
}

// inspector reads one file of its format from r (named name in findings)
// and returns its summary and findings. An error is a file that could not be
// read to its end; what was read up to then is still reported.
type inspector func(name string, r io.Reader) (*Inspection, error)

func inspectorFor(f Format) inspector {
	switch f {
	case FormatPain008:
		return inspectPain008
	case FormatCamt:
		return inspectCamt
	case FormatCODA:
		return inspectCODA
	case FormatUBL:
		return inspectUBL
	}
	return nil
}

// File inspects the file name, or every member of a zip file: one
// Inspection each. A file that cannot be read or is none of ours is one
// Inspection whose NotOurs says why.
func File(name string) []*Inspection {
	src, err := Open(name, Options{})
	if err != nil {
		return []*Inspection{NotOurs(name, err)}
	}
	defer src.Close()
	return src.Inspect()
}

// Reader inspects the stream r (a file named name in findings), which may
// be gzip-compressed; a zip needs a file (File), as it is read from its end.
func Reader(name string, r io.Reader) []*Inspection {
	src, err := NewSource(name, r, Options{})
	if err != nil {
		return []*Inspection{NotOurs(name, err)}
	}
	defer src.Close()
	return src.Inspect()
}

// Inspect reads the source to its end and inspects it, or every member of
// a zip file.
func (src *Source) Inspect() []*Inspection {
	name := src.Name
	if src.Format == FormatZip {
		return inspectZip(name, src.File)
	}
	if src.Format == FormatCODA && src.File != nil && src.Size > 0 {
		// a CODA file on disk: read in parts on all cores
		return []*Inspection{inspectCODAFile(name, src.File, src.Size, src.Reading)}
	}
	if src.Format == FormatCamt && src.File != nil && src.Size > 0 {
		// a camt file on disk: read in parts on all cores
		return []*Inspection{inspectCamtFile(name, src.File, src.Size, src.Reading)}
	}
	in := inspectReader(name, src.Format, src.R)
	if src.Gzip {
		in.Compression = "gzip"
		if u := in.unreadable; u != nil {
			u.What = "is gzip-compressed and its content " + u.What
			in.Findings[0].Message = u.What
		}
	}
	return []*Inspection{in}
}

// NotOurs returns why the file could not be read or is none of ours (a
// directory, an image, a zip without payment files), nil for a file that
// was inspected.
func (in *Inspection) NotOurs() *Unreadable { return in.unreadable }

// firstLine is head up to its first line end.
func firstLine(head []byte) []byte {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		return head[:i]
	}
	return head
}

// notOurs is the Inspection of a file that could not be read or is none
// of ours: one finding saying what it is, exit code 2.
func NotOurs(name string, err error) *Inspection {
	u, ok := err.(*Unreadable)
	if !ok {
		u = &Unreadable{Name: name, What: "cannot be read: " + errorText(err)}
	}
	in := failed(name, "unreadable", errors.New(u.What))
	in.unreadable = u
	return in
}

// errorText is an os error without the path it repeats.
func errorText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func inspectReader(name string, format Format, r io.Reader) *Inspection {
	insp := inspectorFor(format)
	if insp == nil {
		head, _ := r.(*bufio.Reader).Peek(SniffLen)
		what := Foreign(head)
		switch {
		case what == "" && bytes.Contains(bytes.ToLower(firstLine(head)), []byte("end_to_end_id")):
			what = "is a due collections file, not a payment file: collect build reads it (--in)"
		case what == "":
			what = "is not a payment file: none of pain.008, camt.052/.053/.054, CODA or UBL"
		default:
			what = "is " + what + ", not a payment file (pain.008, camt, CODA or UBL)"
		}
		return NotOurs(name, &Unreadable{Name: name, What: what})
	}
	in, err := insp(name, r)
	if in == nil {
		in = &Inspection{File: name, Format: string(format)}
	}
	if err != nil {
		in.Findings = append(in.Findings, ErrorFinding(name, err))
	}
	return in
}

func inspectZip(name string, f *os.File) []*Inspection {
	st, err := f.Stat()
	if err != nil {
		return []*Inspection{NotOurs(name, err)}
	}
	a, err := ziparchive.Open(name, f, st.Size())
	if err != nil {
		return []*Inspection{failed(name, "zip", err)}
	}
	var out []*Inspection
	ours := 0 // members that are payment files, or refused

	for _, m := range a.Members {
		rc, err := m.Open()
		if err != nil {
			out = append(out, failed(m.Name, "", err)) // refused by the zip's limits: an error finding
			ours++
			continue
		}
		br := bufio.NewReaderSize(rc, SniffLen)
		head, _ := br.Peek(SniffLen)
		format := Detect(head)
		in := inspectReader(m.Name, format, br)
		if inspectorFor(format) != nil {
			ours++
		} else {
			in.unreadable = nil // a member beside payment files: an error finding, exit 1
			in.Format = "unknown"
		}
		out = append(out, in)
		rc.Close()
	}
	switch {
	case len(out) == 0:
		return []*Inspection{NotOurs(name, &Unreadable{Name: name, What: "is a zip holding no files"})}
	case ours == 0:
		what := fmt.Sprintf("is a zip of %d file(s), none of them a payment file (pain.008, camt, CODA or UBL)", len(a.Members))
		if slices.ContainsFunc(a.Members, func(m *ziparchive.Member) bool { return m.Path == "[Content_Types].xml" }) {
			what = "is an Office document (.xlsx/.docx), not a payment file: export it as CSV, or give the statements themselves"
		}
		return []*Inspection{NotOurs(name, &Unreadable{Name: name, What: what})}
	}
	return out
}

func failed(name, format string, err error) *Inspection {
	return &Inspection{File: name, Format: format, Findings: []finding.Finding{ErrorFinding(name, err)}}
}

// ErrorFinding turns a reader's error into a finding; errors that already
// are findings keep their position.
func ErrorFinding(name string, err error) finding.Finding {
	if f, ok := err.(finding.Finding); ok {
		if f.File == "" {
			f.File = name
		}
		f.Severity = finding.Error
		return f
	}
	return finding.Finding{Severity: finding.Error, File: name, Message: err.Error()}
}
