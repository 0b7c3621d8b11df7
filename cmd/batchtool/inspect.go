package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/internal/ziparchive"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
)

// inspection is what `batchtool inspect` reports for one file.
type inspection struct {
	File     string            `json:"file"`
	Format   string            `json:"format"`
	Summary  summary           `json:"summary,omitempty"`
	Findings []finding.Finding `json:"findings"`
}

// summary is the format-specific one-screen overview of a file.
type summary interface {
	WriteText(w io.Writer)
}

// inspector reads one file of its format from r (named name in findings)
// and returns its summary and findings. An error is a file that could not be
// read to its end; what was read up to then is still reported.
type inspector func(name string, r io.Reader) (*inspection, error)

// fileFormat is a format recognised from the first bytes of a file.
type fileFormat string

const (
	formatPain008 fileFormat = "pain.008"
	formatCamt    fileFormat = "camt"
	formatCODA    fileFormat = "coda"
	formatUBL     fileFormat = "ubl"
	formatZip     fileFormat = "zip"
	formatUnknown fileFormat = ""
)

// sniffLen is how much of a file detectFormat looks at.
const sniffLen = 8192

// detectFormat recognises a file by its first bytes: the root element and
// namespace of XML, a CODA record 0, or a zip header.
func detectFormat(head []byte) fileFormat {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return formatZip
	}
	if isCODAHead(head) {
		return formatCODA
	}
	d := xml.NewDecoder(bytes.NewReader(head))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return formatUnknown
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		ns := ""
		for _, a := range se.Attr {
			if a.Name.Local == "xmlns" && a.Name.Space == "" || a.Name.Space == "xmlns" && a.Name.Local == se.Name.Space {
				ns = a.Value
			}
		}
		switch {
		case strings.Contains(ns, "pain.008"):
			return formatPain008
		case strings.Contains(ns, "camt.05"):
			return formatCamt
		case se.Name.Local == "Invoice" || se.Name.Local == "CreditNote":
			return formatUBL
		case se.Name.Local == "Document":
			// A Document without a known namespace: look at its first child.
			for {
				tok, err := d.RawToken()
				if err != nil {
					return formatUnknown
				}
				if c, ok := tok.(xml.StartElement); ok {
					switch c.Name.Local {
					case "CstmrDrctDbtInitn":
						return formatPain008
					case "BkToCstmrStmt", "BkToCstmrAcctRpt", "BkToCstmrDbtCdtNtfctn":
						return formatCamt
					}
					return formatUnknown
				}
			}
		}
		return formatUnknown
	}
}

// isCODAHead reports whether head starts with a CODA record 0: "0000" then
// a creation date, the first line 128 characters (give or take a CR).
func isCODAHead(head []byte) bool {
	if len(head) < 5 || !bytes.HasPrefix(head, []byte("0000")) {
		return false
	}
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i]
	}
	line = bytes.TrimRight(line, "\r")
	return len(line) >= 120
}

func inspectorFor(f fileFormat) inspector {
	switch f {
	case formatPain008:
		return inspectPain008
	case formatCamt:
		return inspectCamt
	case formatCODA:
		return inspectCODA
	case formatUBL:
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
UBL invoices (also inside a zip), prints a summary of each and every finding.
It exits 1 when any file has an error, 0 otherwise.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			defer statementGC()()
			// Files are read in parallel, one per core; their results
			// are printed in the order of the arguments.
			var all []*inspection
			statement.InOrder(len(args), func(i int) []*inspection { return inspectPath(args[i]) },
				func(_ int, in []*inspection) { all = append(all, in...) })
			if asJSON {
				for _, in := range all {
					if in.Findings == nil {
						in.Findings = []finding.Finding{} // lists are never null
					}
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(all); err != nil {
					return err
				}
			} else {
				for i, in := range all {
					if i > 0 {
						fmt.Fprintln(a.stdout)
					}
					writeInspection(safename.NewWriter(a.stdout), in)
				}
			}
			for _, in := range all {
				if finding.List(in.Findings).HasErrors() {
					return &exitError{code: 1}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the inspection as JSON")
	return cmd
}

func writeInspection(w io.Writer, in *inspection) {
	fmt.Fprintf(w, "%s: %s\n", safename.Escape(in.File), in.Format)
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

// inspectPath inspects a file, or every member of a zip file.
func inspectPath(name string) []*inspection {
	f, err := os.Open(name)
	if err != nil {
		return []*inspection{failed(name, "", err)}
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, sniffLen)
	head, _ := br.Peek(sniffLen)
	format := detectFormat(head)
	if format == formatZip {
		return inspectZip(name, f)
	}
	return []*inspection{inspectReader(name, format, br)}
}

func inspectReader(name string, format fileFormat, r io.Reader) *inspection {
	insp := inspectorFor(format)
	if insp == nil {
		return failed(name, "unknown", fmt.Errorf("not a pain.008, camt.052/.053/.054, CODA or UBL file"))
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
		return []*inspection{failed(name, "zip", err)}
	}
	a, err := ziparchive.Open(name, f, st.Size())
	if err != nil {
		return []*inspection{failed(name, "zip", err)}
	}
	var out []*inspection
	for _, m := range a.Members {
		rc, err := m.Open()
		if err != nil {
			out = append(out, failed(m.Name, "", err))
			continue
		}
		br := bufio.NewReaderSize(rc, sniffLen)
		head, _ := br.Peek(sniffLen)
		out = append(out, inspectReader(m.Name, detectFormat(head), br))
		rc.Close()
	}
	if len(out) == 0 {
		out = append(out, failed(name, "zip", fmt.Errorf("zip holds no files")))
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
