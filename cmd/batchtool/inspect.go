package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/internal/ziparchive"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/statement"
)

// inspection is what `batchtool inspect` reports for one file.
type inspection struct {
	File        string            `json:"file"`
	Format      string            `json:"format"`
	Compression string            `json:"compression,omitempty"` // "gzip": the file was decompressed to be read
	Summary     summary           `json:"summary,omitempty"`
	Findings    []finding.Finding `json:"findings"`

	unreadable *unreadable // the file could not be read or is none of ours: exit 2
}

// summary is the format-specific one-screen overview of a file.
type summary interface {
	WriteText(w io.Writer)
}

// inspector reads one file of its format from r (named name in findings)
// and returns its summary and findings. An error is a file that could not be
// read to its end; what was read up to then is still reported.
type inspector func(name string, r io.Reader) (*inspection, error)

func inspectorFor(f inspect.Format) inspector {
	switch f {
	case inspect.FormatPain008:
		return inspectPain008
	case inspect.FormatCamt:
		return inspectCamt
	case inspect.FormatCODA:
		return inspectCODA
	case inspect.FormatUBL:
		return inspectUBL
	}
	return nil
}

func newInspectCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect FILE...",
		Short: "Tell in one screen what is in a payment file and what is wrong with it",
		Long: `inspect recognises pain.008 batches, camt.052/.053/.054 and CODA statements and
UBL invoices (also inside a zip, and gzip-compressed: statement.xml.gz is
read as statement.xml), prints a summary of each and every finding. "-"
reads standard input.

A file that is none of these — a directory, an empty file, an image, a PDF,
a zip without payment files — is named for what it is, in one line on
standard error. Exit code: 0 every file read and clean, 1 a file has an
error finding, 2 a file could not be read or is not a payment file.`,
		Example: `  batchtool inspect batch.xml
  batchtool inspect statement.xml statement.cod inbox/files.zip
  batchtool inspect --json statement.xml.gz
  curl -s https://bank.example/statement.xml | batchtool inspect -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkStdio("input", args...); err != nil {
				return err
			}
			defer statementGC()()
			// Files are read in parallel, one per core; their results
			// are printed in the order of the arguments.
			start, size := time.Now(), inputSize(args)
			p := a.newProgress("inspect", size)
			var all []*inspection
			statement.InOrder(len(args), func(i int) []*inspection { return a.inspectPath(args[i], p) },
				func(_ int, in []*inspection) { all = append(all, in...) })
			p.finish()
			a.verboseDone("inspect", start, size)
			code := 0
			printed := 0
			for _, in := range all {
				if in.unreadable != nil {
					code = 2
					if !asJSON {
						fmt.Fprintf(a.stderr, "batchtool: %s\n", safename.Escape(in.unreadable.Error()))
						continue
					}
				} else if finding.List(in.Findings).HasErrors() && code == 0 {
					code = 1
				}
				if asJSON {
					if in.Findings == nil {
						in.Findings = []finding.Finding{} // lists are never null
					}
					continue
				}
				if printed > 0 {
					fmt.Fprintln(a.stdout)
				}
				printed++
				writeInspection(safename.NewWriter(a.stdout), in)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(all); err != nil {
					return err
				}
			}
			if code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the inspection as JSON")
	return cmd
}

func writeInspection(w io.Writer, in *inspection) {
	if in.Compression != "" {
		fmt.Fprintf(w, "%s: %s (%s)\n", safename.Escape(in.File), in.Format, in.Compression)
	} else {
		fmt.Fprintf(w, "%s: %s\n", safename.Escape(in.File), in.Format)
	}
	if in.Summary != nil {
		in.Summary.WriteText(w)
	}
	errs, warns := finding.List(in.Findings).Count()
	if len(in.Findings) == 0 {
		fmt.Fprintln(w, "findings: none")
		return
	}
	fmt.Fprintf(w, "findings: %d error(s), %d warning(s)\n", errs, warns)
	for _, f := range in.Findings {
		fmt.Fprintf(w, "  %s\n", f)
	}
}

// inspectPath inspects a file ("-": standard input), or every member of a
// zip file.
func (a *app) inspectPath(name string, p *progress) []*inspection {
	src, err := a.openSource(name, inspect.SniffLen, p)
	if err != nil {
		return []*inspection{notOurs(name, err)}
	}
	defer src.Close()
	if src.format == inspect.FormatZip {
		return inspectZip(name, src.file)
	}
	in := inspectReader(name, src.format, src.r)
	if src.gzip {
		in.Compression = "gzip"
		if u := in.unreadable; u != nil {
			u.what = "is gzip-compressed and its content " + u.what
			in.Findings[0].Message = u.what
		}
	}
	return []*inspection{in}
}

// firstLine is head up to its first line end.
func firstLine(head []byte) []byte {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		return head[:i]
	}
	return head
}

// notOurs is the inspection of a file that could not be read or is none
// of ours: one finding saying what it is, exit code 2.
func notOurs(name string, err error) *inspection {
	u, ok := err.(*unreadable)
	if !ok {
		u = &unreadable{name, "cannot be read: " + errorText(err)}
	}
	in := failed(name, "unreadable", errors.New(u.what))
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

func inspectReader(name string, format inspect.Format, r io.Reader) *inspection {
	insp := inspectorFor(format)
	if insp == nil {
		head, _ := r.(*bufio.Reader).Peek(inspect.SniffLen)
		what := foreign(head)
		switch {
		case what == "" && bytes.Contains(bytes.ToLower(firstLine(head)), []byte("end_to_end_id")):
			what = "is a due collections file, not a payment file: collect build reads it (--in)"
		case what == "":
			what = "is not a payment file: none of pain.008, camt.052/.053/.054, CODA or UBL"
		default:
			what = "is " + what + ", not a payment file (pain.008, camt, CODA or UBL)"
		}
		return notOurs(name, &unreadable{name, what})
	}
	in, err := insp(name, r)
	if in == nil {
		in = &inspection{File: name, Format: string(format)}
	}
	if err != nil {
		in.Findings = append(in.Findings, errorFinding(name, err))
	}
	return in
}

func inspectZip(name string, f *os.File) []*inspection {
	st, err := f.Stat()
	if err != nil {
		return []*inspection{notOurs(name, err)}
	}
	a, err := ziparchive.Open(name, f, st.Size())
	if err != nil {
		return []*inspection{failed(name, "zip", err)}
	}
	var out []*inspection
	ours := 0 // members that are payment files, or refused

	for _, m := range a.Members {
		rc, err := m.Open()
		if err != nil {
			out = append(out, failed(m.Name, "", err)) // refused by the zip's limits: an error finding
			ours++
			continue
		}
		br := bufio.NewReaderSize(rc, inspect.SniffLen)
		head, _ := br.Peek(inspect.SniffLen)
		format := inspect.Detect(head)
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
		return []*inspection{notOurs(name, &unreadable{name, "is a zip holding no files"})}
	case ours == 0:
		what := fmt.Sprintf("is a zip of %d file(s), none of them a payment file (pain.008, camt, CODA or UBL)", len(a.Members))
		if slices.ContainsFunc(a.Members, func(m *ziparchive.Member) bool { return m.Path == "[Content_Types].xml" }) {
			what = "is an Office document (.xlsx/.docx), not a payment file: export it as CSV, or give the statements themselves"
		}
		return []*inspection{notOurs(name, &unreadable{name, what})}
	}
	return out
}

func failed(name, format string, err error) *inspection {
	return &inspection{File: name, Format: format, Findings: []finding.Finding{errorFinding(name, err)}}
}

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
