package main

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/csvsafe"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/report"
	"github.com/batchtool/batchtool/pkg/statement"
)

func newStatementCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "statement", Short: "Work with bank statements (camt.052/.053/.054, CODA)"}
	c.AddCommand(newStatementConvertCmd(a))
	return c
}

func newStatementConvertCmd(a *app) *cobra.Command {
	var to, out string
	cmd := &cobra.Command{
		Use:   "convert FILE... --out F [--to csv|jsonl|xlsx]",
		Short: "Flatten camt and CODA statements to one row per transaction (CSV, JSON Lines, XLSX)",
		Long: `convert reads camt.052/.053/.054 and CODA files (also inside a zip) and writes one flat row per
transaction, with the columns an ERP import expects (see the README). A batch
booking gives one row per detail. The output is written to a temporary file
and renamed only when every input was read to its end (a device or a pipe is
written as the rows come). "-" reads standard input, "--out -" writes standard
output (then --to is needed, and the summary line goes to standard error); a
.gz input is decompressed. Findings are printed on stderr; the exit code is 1
when any has severity error, 2 when an input cannot be read.`,
		Example: `  batchtool statement convert statement.xml statement.cod --out lines.csv
  batchtool statement convert inbox/camt/*.xml --out lines.xlsx
  batchtool statement convert statement.xml.gz --to jsonl --out -
  gunzip -c statement.cod.gz | batchtool statement convert - --to csv --out - > lines.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			defer statementGC()()
			if out == "" {
				return usagef("--out is required")
			}
			if err := checkStdio("input", args...); err != nil {
				return err
			}
			if to == "" {
				if out == stdioName {
					return usagef("--out - needs --to csv, jsonl or xlsx")
				}
				to = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			}
			if to == "ndjson" {
				to = "jsonl"
			}
			if !slices.Contains(convertFormats, to) {
				return usagef("--to must be csv, jsonl or xlsx (got %q)", to)
			}
			var sink rowSink
			f, err := a.createOutput(out)
			if err != nil {
				return err
			}
			defer f.Abort()
			switch to {
			case "csv":
				sink = newCSVSink(f)
			case "jsonl", "ndjson":
				sink = newJSONLSink(f)
			case "xlsx":
				sink, err = report.NewFlatXLSX(f)
				if err != nil {
					return err
				}
			default:
				return usagef("--to must be csv, jsonl or xlsx (got %q)", to)
			}
			rows, errs := 0, false
			start, size := time.Now(), inputSize(args)
			p := a.newProgress("convert", size)
			defer p.finish()
			for _, name := range args {
				n, fs, err := a.convertFile(name, sink, p)
				rows += n
				for _, fi := range fs {
					fmt.Fprintln(a.stderr, fi)
				}
				if finding.List(fs).HasErrors() {
					errs = true
				}
				if err != nil {
					return err
				}
			}
			if err := sink.Close(); err != nil {
				return err
			}
			if err := f.Commit(); err != nil {
				return err
			}
			p.finish()
			a.verboseDone("convert", start, size)
			fmt.Fprintf(a.messages(out), "%s: %d rows from %d file(s)\n", out, rows, len(args))
			if errs {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "output format: csv, jsonl or xlsx (default: from the --out extension)")
	cmd.Flags().StringVar(&out, "out", "", `output file ("-": standard output)`)
	return cmd
}

// convertFormats are the formats --to takes.
var convertFormats = []string{"csv", "jsonl", "xlsx"}

// convertFile converts one statement file, or every member of a zip of
// statements (named zip!member in findings), as inspect and reconcile read
// them.
func (a *app) convertFile(name string, sink rowSink, p *progress) (int, []finding.Finding, error) {
	src, err := a.openSource(name, 64*1024, p)
	if err != nil {
		return 0, nil, usageError{err}
	}
	defer src.Close()
	switch src.Format {
	case inspect.FormatZip:
	case inspect.FormatCamt, inspect.FormatCODA:
		return convertStream(name, src.R, sink)
	default:
		what := inspect.Foreign(src.Head)
		if what == "" {
			what = "not a statement"
		}
		return 0, nil, usageError{&inspect.Unreadable{Name: name, What: "is " + what + ": convert reads camt.052/.053/.054 and CODA statements"}}
	}
	f := src.File
	st, err := f.Stat()
	if err != nil {
		return 0, nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", name, err)
	}
	n, members := 0, 0
	var all []finding.Finding
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		members++
		rc, err := zf.Open()
		if err != nil {
			return n, all, fmt.Errorf("%s!%s: %w", name, zf.Name, err)
		}
		k, fs, err := convertStream(name+"!"+filepath.ToSlash(zf.Name), bufio.NewReaderSize(rc, 64*1024), sink)
		rc.Close()
		n += k
		all = append(all, fs...)
		if err != nil {
			return n, all, err
		}
	}
	if members == 0 {
		return 0, nil, fmt.Errorf("%s: zip holds no files", name)
	}
	return n, all, nil
}

// convertStream converts one camt or CODA stream.
func convertStream(name string, br *bufio.Reader, sink rowSink) (int, []finding.Finding, error) {
	head, _ := br.Peek(inspect.SniffLen)
	sr, err := inspect.OpenStatements(name, inspect.Detect(head), br)
	if err != nil {
		return 0, nil, err
	}
	// The reader runs a few batches of entries ahead on a goroutine of its
	// own; this one flattens and writes them: the two halves on two cores.
	ar := statement.ReadAhead(sr)
	defer ar.Close()
	n := 0
	for {
		e, err := ar.Next()
		if err == io.EOF {
			return n, ar.Findings(), nil
		}
		if err != nil {
			return n, ar.Findings(), err
		}
		for _, row := range statement.FlatRows(e) {
			if err := sink.Write(row); err != nil {
				return n, ar.Findings(), err
			}
			n++
		}
	}
}

// rowSink writes flat rows in one output format.
type rowSink interface {
	Write(row []string) error
	Close() error
}

// csvSink writes RFC 4180 CSV exactly as encoding/csv's Writer does (comma,
// LF line ends), a row at a time into one buffer and one write: the
// per-field writes of encoding/csv were a third of convert's time.
type csvSink struct {
	bw     *bufio.Writer
	buf    []byte
	header bool
}

func newCSVSink(w io.Writer) *csvSink { return &csvSink{bw: bufio.NewWriterSize(w, 64<<10)} }

func (s *csvSink) Write(row []string) error {
	if !s.header {
		s.header = true
		h := make([]string, len(statement.FlatColumns))
		for i, c := range statement.FlatColumns {
			h[i] = c.Name
		}
		if err := s.writeRow(h); err != nil {
			return err
		}
	}
	// Text from the statement never runs as a spreadsheet formula; the
	// amount, date and number columns are ours and stay as they are.
	return s.writeRow(csvsafe.Row(row, flatTextCol))
}

func (s *csvSink) writeRow(row []string) error {
	b := s.buf[:0]
	for i, f := range row {
		if i > 0 {
			b = append(b, ',')
		}
		if !csvNeedsQuotes(f) {
			b = append(b, f...)
			continue
		}
		b = append(b, '"')
		for j := 0; j < len(f); j++ {
			if f[j] == '"' {
				b = append(b, '"')
			}
			b = append(b, f[j])
		}
		b = append(b, '"')
	}
	b = append(b, '\n')
	s.buf = b
	_, err := s.bw.Write(b)
	return err
}

// csvNeedsQuotes is encoding/csv's rule: a comma, quote, CR or LF, a
// leading white-space character, or the field \. (end of data in PostgreSQL).
func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		if c := f[i]; c == ',' || c == '"' || c == '\r' || c == '\n' {
			return true
		}
	}
	if c := f[0]; c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\v' || c == '\f'
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

func flatTextCol(i int) bool { return statement.FlatColumns[i].Kind == statement.Text }

func (s *csvSink) Close() error {
	if !s.header {
		s.Write(nil) // header only
	}
	return s.bw.Flush()
}

type jsonlSink struct {
	bw    *bufio.Writer
	order []int // FlatColumns by name: encoding/json writes a map's keys sorted
	keys  [][]byte
	buf   []byte
}

func newJSONLSink(w io.Writer) *jsonlSink {
	s := &jsonlSink{bw: bufio.NewWriterSize(w, 64<<10)}
	for i := range statement.FlatColumns {
		s.order = append(s.order, i)
	}
	slices.SortFunc(s.order, func(a, b int) int {
		return strings.Compare(statement.FlatColumns[a].Name, statement.FlatColumns[b].Name)
	})
	s.keys = make([][]byte, len(statement.FlatColumns))
	for i, c := range statement.FlatColumns {
		s.keys[i] = appendJSONString(nil, c.Name)
	}
	return s
}

// Write writes one object; amounts stay strings so no consumer rounds them.
// The object is what encoding/json writes for a map of the non-empty
// columns, byte for byte, without building the map.
func (s *jsonlSink) Write(row []string) error {
	b := append(s.buf[:0], '{')
	for _, i := range s.order {
		if row[i] == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, s.keys[i]...)
		b = append(b, ':')
		b = appendJSONString(b, row[i])
	}
	b = append(b, '}', '\n')
	s.buf = b
	_, err := s.bw.Write(b)
	return err
}

// appendJSONString appends s as a JSON string the way encoding/json writes
// it (HTML characters escaped): plain text is copied, anything else is
// left to encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func (s *jsonlSink) Close() error { return s.bw.Flush() }
