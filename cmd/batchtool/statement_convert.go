package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/internal/csvsafe"
	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
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
			defer gcPercent(400)()
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
				sink = newCSVSink(atomicfile.Writeback(f))
			case "jsonl", "ndjson":
				sink = newJSONLSink(atomicfile.Writeback(f))
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
		if f, ok := sink.(rowFormatter); ok && src.File != nil && src.Size > 0 {
			if src.Format == inspect.FormatCODA {
				return convertCODAFile(name, src, f)
			}
			return convertCamtFile(name, src, f, convertCamtParts())
		}
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
	return convertEntries(sr, sink)
}

// convertEntries writes the rows of every entry of sr.
func convertEntries(sr statement.Reader, sink rowSink) (int, []finding.Finding, error) {
	// The reader runs a few batches of entries ahead on a goroutine of its
	// own; this one flattens and writes them: the two halves on two cores.
	ar := statement.ReadAhead(sr)
	defer ar.Close()
	n := 0
	var fl statement.Flattener // rows valid until its next call: the sinks copy what they keep
	for {
		e, err := ar.Next()
		if err == io.EOF {
			return n, ar.Findings(), nil
		}
		if err != nil {
			return n, ar.Findings(), err
		}
		for _, row := range fl.Rows(e) {
			if err := sink.Write(row); err != nil {
				return n, ar.Findings(), err
			}
			n++
		}
	}
}

// convertParts is how a CODA file is cut to be converted on all cores:
// parts of about 1 MiB (in practice a statement each), whose rows wait in
// memory for their turn; a file with a statement longer than 16 MiB is
// converted as a stream.
func convertParts() coda.Parts {
	return coda.Parts{Workers: runtime.GOMAXPROCS(0), Size: 1 << 20, Max: 16 << 20}
}

// convertCamtParts is how a camt file is cut to be converted on all
// cores: parts of about 4 MiB cut between entries, whose rows wait in
// memory for their turn.
func convertCamtParts() camt.Parts {
	return camt.Parts{Workers: runtime.GOMAXPROCS(0), Size: 4 << 20}
}

// convertCODAFile converts a CODA file on disk in parts on all cores
// (coda.ReadParallel): each part's rows are formatted into blocks where
// the part is read, and the blocks are written in file order.
func convertCODAFile(name string, src *inspect.Source, sink rowFormatter) (int, []finding.Finding, error) {
	var opts []coda.Option
	if src.Reading != nil {
		opts = append(opts, coda.WithReading(src.Reading))
	}
	defer gcPercent(200)() // the blocks waiting for their turn are live: see gcPercent
	c := newPartConverter(sink)
	file := coda.ReadParallel(src.File, src.Size, name, convertParts(), func(r *coda.Reader) convertedPart {
		if r.Part() {
			r.ReuseEntries() // each entry is formatted before the next is read
		}
		return c.convert(r)
	}, c.write, opts...)
	if c.err != nil {
		return c.rows, file.Findings, c.err
	}
	return c.rows, file.Findings, file.Err
}

// convertCamtFile converts a camt file on disk in parts on all cores
// (camt.ReadParallel), as convertCODAFile does a CODA file. A part that
// begins inside a statement has that statement's fields in its entries:
// its rows are those of one Reader.
func convertCamtFile(name string, src *inspect.Source, sink rowFormatter, parts camt.Parts) (int, []finding.Finding, error) {
	return convertCamtFileWith(name, src, newPartConverter(sink), parts)
}

// convertCamtFileWith is convertCamtFile with c.
func convertCamtFileWith(name string, src *inspect.Source, c *partConverter, parts camt.Parts) (int, []finding.Finding, error) {
	var opts []camt.Option
	if src.Reading != nil {
		opts = append(opts, camt.WithReading(src.Reading))
	}
	defer gcPercent(200)() // the blocks waiting for their turn are live: see gcPercent
	file := camt.ReadParallel(src.File, src.Size, name, parts, func(r *camt.Reader) convertedPart {
		if r.Part() {
			r.ReuseEntries() // each entry is formatted before the next is read
		}
		return c.convert(r)
	}, c.write, opts...)
	if c.err != nil {
		return c.rows, file.Findings, c.err
	}
	return c.rows, file.Findings, file.Err
}

// partReader is the Reader of a file read in parts (coda.ReadParallel,
// camt.ReadParallel).
type partReader interface {
	statement.Reader
	// Part reports whether the Reader reads one part on a worker
	// goroutine; false: the whole file, on the caller's.
	Part() bool
}

// partConverter converts the parts of a file read on all cores: convert
// formats a part's rows into blocks on the worker that reads it, write
// writes the blocks in file order. Blocks go back to the workers once
// written: the few in flight are reused, so the collector has little to do
// and the heap stays at their size.
type partConverter struct {
	sink  rowFormatter
	free  chan []byte
	rows  int
	parts int   // parts converted on workers
	err   error // writing
}

// convertedPart is what a worker made of one part.
type convertedPart struct {
	rows   int
	blocks [][]byte
	part   bool  // converted on a worker
	err    error // writing, for a file read whole
}

// Block size, and the room a block must have left for the next row: a
// row rarely holds more than 1 KiB, and a longer one grows its block.
const blockSize, blockRoom = 256 << 10, 8 << 10

func newPartConverter(sink rowFormatter) *partConverter {
	return &partConverter{sink: sink, free: make(chan []byte, 32)}
}

// convert formats the rows of r's part into blocks; the whole file (not a
// part) is written as a stream on this goroutine.
func (c *partConverter) convert(r partReader) convertedPart {
	if !r.Part() {
		n, _, err := convertEntries(r, c.sink)
		return convertedPart{rows: n, err: err}
	}
	p := convertedPart{part: true}
	var fl statement.Flattener
	for {
		e, err := r.Next()
		if err != nil {
			return p // io.EOF, or a read error: the File's Err
		}
		for _, fields := range fl.Rows(e) {
			// formatted straight into the last block
			k := len(p.blocks) - 1
			if k < 0 || cap(p.blocks[k])-len(p.blocks[k]) < blockRoom {
				var blk []byte
				select {
				case blk = <-c.free:
				default:
					blk = make([]byte, 0, blockSize)
				}
				p.blocks = append(p.blocks, blk)
				k++
			}
			p.blocks[k] = c.sink.appendRow(p.blocks[k], fields)
			p.rows++
		}
	}
}

// write writes a part's blocks, in file order.
func (c *partConverter) write(p convertedPart) {
	c.rows += p.rows
	if p.part {
		c.parts++
	}
	if c.err == nil {
		c.err = p.err
	}
	for _, blk := range p.blocks {
		if c.err == nil {
			c.err = c.sink.writeRows(blk)
		}
		select {
		case c.free <- blk[:0]:
		default:
		}
	}
}

// rowFormatter is a rowSink that can format rows apart from writing them:
// appendRow appends the bytes of one row to b and may be called on any
// goroutine; writeRows writes such bytes, in order.
type rowFormatter interface {
	rowSink
	appendRow(b []byte, row []string) []byte
	writeRows(b []byte) error
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
		if err := s.writeHeader(); err != nil {
			return err
		}
	}
	s.buf = s.appendRow(s.buf[:0], row)
	_, err := s.bw.Write(s.buf)
	return err
}

// appendRow appends one CSV line. Text from the statement never runs as a
// spreadsheet formula (csvsafe.Text); the amount, date and number columns
// are ours and stay as they are.
//
// Nearly every row needs no quoting at all: its fields are copied as they
// are, and then one look at the whole line — the commas counted, quotes
// and line ends searched for, with the vector code of package bytes —
// tells. A row that needs more is written again field by field.
func (s *csvSink) appendRow(b []byte, row []string) []byte {
	start := len(b)
	for i, f := range row {
		if i > 0 {
			b = append(b, ',')
		}
		if f == "" {
			continue
		}
		if c := f[0]; csvFirst[c] || i < len(flatText) && flatText[i] && csvFormula[c] {
			return appendCSVRow(b[:start], row, flatText)
		}
		b = append(b, f...)
	}
	line := b[start:]
	if bytes.Count(line, []byte{','}) != max(len(row)-1, 0) || bytes.IndexByte(line, '"') >= 0 ||
		bytes.IndexByte(line, '\n') >= 0 || bytes.IndexByte(line, '\r') >= 0 {
		return appendCSVRow(b[:start], row, flatText)
	}
	return append(b, '\n')
}

// writeRows writes lines made by appendRow, after the header.
func (s *csvSink) writeRows(b []byte) error {
	if !s.header {
		s.header = true
		if err := s.writeHeader(); err != nil {
			return err
		}
	}
	_, err := s.bw.Write(b)
	return err
}

func (s *csvSink) writeHeader() error {
	h := make([]string, len(statement.FlatColumns))
	for i, c := range statement.FlatColumns {
		h[i] = c.Name
	}
	s.buf = appendCSV(s.buf[:0], h)
	_, err := s.bw.Write(s.buf)
	return err
}

// appendCSV appends row as one CSV line, no column escaped as text.
func appendCSV(b []byte, row []string) []byte { return appendCSVRow(b, row, nil) }

// appendCSVRow appends row as one CSV line, field by field; text[i] tells
// the columns csvsafe.Text escapes.
func appendCSVRow(b []byte, row []string, text []bool) []byte {
	for i, f := range row {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, f, i < len(text) && text[i])
	}
	return append(b, '\n')
}

// appendCSVField appends one field as encoding/csv writes it, with a
// single quote in front first when text is set and the field starts as a
// formula would (csvsafe.Text). Most fields need neither quotes nor
// escaping: one pass over their bytes tells, and they are copied as they
// are.
func appendCSVField(b []byte, f string, text bool) []byte {
	if f == "" {
		return b
	}
	formula := text && csvFormula[f[0]]
	if csvPlain(f) {
		if formula { // starts with the quote now: no leading space, not \.
			b = append(b, '\'')
			return append(b, f...)
		}
		if !csvLeadingSpace(f) && f != `\.` {
			return append(b, f...)
		}
	} else if formula {
		f = csvsafe.Text(f)
	}
	b = append(b, '"')
	for j := 0; j < len(f); j++ {
		if f[j] == '"' {
			b = append(b, '"')
		}
		b = append(b, f[j])
	}
	return append(b, '"')
}

// csvPlain reports whether f holds none of the bytes that make
// encoding/csv quote a field (comma, quote, CR, LF).
func csvPlain(f string) bool {
	for i := 0; i < len(f); i++ {
		if csvSpecial[f[i]] {
			return false
		}
	}
	return true
}

// csvLeadingSpace is the rest of encoding/csv's rule for quoting a field
// without a comma, quote, CR or LF: it starts with white space.
func csvLeadingSpace(f string) bool {
	if c := f[0]; c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\v' || c == '\f'
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// csvSpecial are the bytes that make encoding/csv quote a field anywhere
// in it; csvFormula the first bytes csvsafe.Text puts a quote before;
// csvFirst the first bytes that may need a field quoted whatever its
// column: white space (any non-ASCII byte may start a space), the \ of \.
var csvSpecial, csvFormula, csvFirst = func() (special, formula, first [256]bool) {
	for _, c := range []byte{',', '"', '\r', '\n'} {
		special[c] = true
	}
	for c := range first {
		first[c] = c >= utf8.RuneSelf || c == '\\' || csvLeadingSpace(string([]byte{byte(c)}))
	}
	for c := range formula {
		s := string([]byte{byte(c)})
		formula[c] = csvsafe.Text(s) != s
	}
	return
}()

// flatText tells the text columns of statement.FlatColumns.
var flatText = func() []bool {
	t := make([]bool, len(statement.FlatColumns))
	for i, c := range statement.FlatColumns {
		t[i] = c.Kind == statement.Text
	}
	return t
}()

func (s *csvSink) Close() error {
	if !s.header {
		s.Write(nil) // header only
	}
	return s.bw.Flush()
}

type jsonlSink struct {
	bw    *bufio.Writer
	order []int              // FlatColumns by name: encoding/json writes a map's keys sorted
	keys  [][]byte           // per column: a comma, its name as a JSON string, the colon and the value's opening quote
	words [][jsonKeyMax]byte // the keys again, padded: copied as one word each
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
		s.keys[i] = append(appendJSONString([]byte{','}, c.Name), ':', '"')
		if len(s.keys[i]) > jsonKeyMax {
			panic("flat column name longer than jsonKeyMax: " + c.Name)
		}
		var w [jsonKeyMax]byte
		copy(w[:], s.keys[i])
		s.words = append(s.words, w)
	}
	return s
}

// Write writes one object; amounts stay strings so no consumer rounds them.
// The object is what encoding/json writes for a map of the non-empty
// columns, byte for byte, without building the map.
func (s *jsonlSink) Write(row []string) error {
	s.buf = s.appendRow(s.buf[:0], row)
	_, err := s.bw.Write(s.buf)
	return err
}

// writeRows writes objects made by appendRow.
func (s *jsonlSink) writeRows(b []byte) error {
	_, err := s.bw.Write(b)
	return err
}

// appendRow appends one object and its line end.
//
// Values are copied as they are, and checked as they are copied, eight
// bytes at a time (jsonBad): a row with a value to escape — a quote, a
// backslash, an HTML character, anything but printable ASCII — is written
// again value by value.
func (s *jsonlSink) appendRow(b []byte, row []string) []byte {
	start := len(b)
	var bad uint64
	for _, i := range s.order {
		v := row[i]
		if v == "" {
			continue
		}
		// ,"name":" copied as one padded word, then cut to its length
		if cap(b)-len(b) < jsonKeyMax {
			b = slices.Grow(b, jsonKeyMax+len(v)+1)
		}
		k := len(b)
		*(*[jsonKeyMax]byte)(b[k : k+jsonKeyMax]) = s.words[i]
		b = b[:k+len(s.keys[i])]
		b = append(b, v...)
		// The value is the last len(v) bytes of b, after its key (more
		// than eight bytes): its words, the last one ending where it ends.
		end := len(b)
		for k := end - len(v); k < end-8; k += 8 {
			bad |= jsonBad(binary.LittleEndian.Uint64(b[k:]))
		}
		x := binary.LittleEndian.Uint64(b[end-8:])
		if n := len(v); n < 8 { // the key's bytes in front become spaces
			x = x>>(64-8*n) | jsonSpaces<<(8*n)
		}
		bad |= jsonBad(x)
		b = append(b, '"')
	}
	if bad != 0 {
		return s.appendRowEscaped(b[:start], row)
	}
	if len(b) == start {
		return append(b, '{', '}', '\n')
	}
	b[start] = '{' // the first key's comma
	return append(b, '}', '\n')
}

const jsonSpaces = 0x2020202020202020

// jsonKeyMax is room for the longest key of FlatColumns,
// ,"structured_reference":" (26 bytes).
const jsonKeyMax = 32

// jsonBad is not zero when one of the eight bytes of x is one that
// encoding/json escapes (not jsonPlain): the high bit is set of each byte
// from 0x80, below 0x20, or one of " & < > \ (tested in pairs: " and &
// differ only in bit 2, < and > in bit 1), and maybe of bytes above one.
func jsonBad(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	qa := x | 0x04*ones ^ 0x26*ones // 0 where " or &
	lg := x | 0x02*ones ^ 0x3E*ones // 0 where < or >
	bs := x ^ 0x5C*ones             // 0 where \
	return (x | (x-0x20*ones)&^x | (qa-ones)&^qa | (lg-ones)&^lg | (bs-ones)&^bs) & highs
}

// appendRowEscaped appends one object, each value escaped as it needs.
func (s *jsonlSink) appendRowEscaped(b []byte, row []string) []byte {
	start := len(b)
	b = append(b, '{')
	for _, i := range s.order {
		v := row[i]
		if v == "" {
			continue
		}
		key := s.keys[i]
		if len(b) == start+1 {
			key = key[1:]
		}
		b = append(b, key[:len(key)-1]...) // the value brings its quotes
		b = appendJSONString(b, v)
	}
	return append(b, '}', '\n')
}

// appendJSONString appends s as a JSON string the way encoding/json writes
// it (HTML characters escaped): plain text is copied, anything else is
// left to encoding/json.
func appendJSONString(b []byte, s string) []byte {
	i := 0
	for i < len(s) && jsonPlain[s[i]] {
		i++
	}
	if i < len(s) {
		q, _ := json.Marshal(s)
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func (s *jsonlSink) Close() error { return s.bw.Flush() }

// jsonPlain tells the bytes encoding/json writes as they are: printable
// ASCII but the quote, the backslash and the HTML characters <, > and &;
// jsonEscape is 1 for the others.
var jsonPlain, jsonEscape = func() (plain [256]bool, escape [256]byte) {
	for c := range plain {
		plain[c] = c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
		if !plain[c] {
			escape[c] = 1
		}
	}
	return
}()
