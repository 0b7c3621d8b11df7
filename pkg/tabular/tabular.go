// Package tabular reads delimited text as spreadsheet programs on European
// desks write it: the separator (',', ';', tab or '|') found from the
// header line, a UTF-8 byte order mark skipped, CRLF line ends, and the
// bytes of Windows-1252 or ISO 8859-1 decoded when asked — never guessed:
// a file that is not UTF-8 and not declared otherwise stops at its first
// such byte with an error naming file, line, column and bytes, and the
// fix. Amounts written with a decimal comma and thousands separators
// (1.234,56) are read exactly by ParseAmount, which refuses what could be
// read two ways.
//
// The due-collection reader (pkg/due) and the open-items reader
// (pkg/openitems) share it, so that both take the same files.
package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/batchtool/batchtool/pkg/finding"
)

// Encoding names the character encoding of a file.
type Encoding string

// Encodings a file may be read in.
const (
	Auto   Encoding = ""       // UTF-8; anything else is refused with the fix named
	UTF8   Encoding = "utf-8"  // UTF-8 (with or without byte order mark)
	CP1252 Encoding = "cp1252" // Windows-1252: Excel's "CSV" on Windows in Western Europe
	Latin1 Encoding = "latin1" // ISO 8859-1
)

// ParseEncoding reads an encoding name as a user writes it (utf-8, utf8,
// cp1252, windows-1252, latin1, iso-8859-1; any case).
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return Auto, nil
	case "utf-8", "utf8":
		return UTF8, nil
	case "cp1252", "windows-1252", "win1252":
		return CP1252, nil
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
		return Latin1, nil
	}
	return "", fmt.Errorf("encoding %q: want utf-8, cp1252 or latin1", s)
}

// Decimal is the decimal mark of a file's amounts.
type Decimal int

// Decimal marks.
const (
	DecimalAuto  Decimal = iota // ',' when the separator is ';' or tab, else '.'
	DecimalPoint                // 1,234.56
	DecimalComma                // 1.234,56
)

// Dialect says how a file is written. The zero value detects the
// separator, takes the decimal mark from it and wants UTF-8.
type Dialect struct {
	Delimiter rune // 0: detect from the header line
	Decimal   Decimal
	Encoding  Encoding
}

// Rules named in the findings of this package.
const (
	RuleEncoding = "encoding"
	RuleAmount   = "amount notation"
)

// delimiters are the separators detection chooses from, in order of
// preference when a header line holds several equally often.
var delimiters = []rune{';', ',', '\t', '|'}

// Reader reads the records of a delimited file; the first is its header.
type Reader struct {
	name    string
	dialect Dialect
	br      *bufio.Reader
	recs    records
	header  []string
	cmap    *charmap.Charmap // non-nil: fields are decoded from it
	started bool
}

// NewReader returns a reader of r, called name in findings.
func NewReader(r io.Reader, name string, d Dialect) *Reader {
	return &Reader{name: name, dialect: d, br: bufio.NewReaderSize(r, 64<<10)}
}

// Dialect returns the dialect the file is read in: after the first Read,
// with the separator and decimal mark found.
func (r *Reader) Dialect() Dialect { return r.dialect }

// FieldPos returns the line and byte column of field i of the record
// most recently read.
func (r *Reader) FieldPos(i int) (line, column int) { return r.recs.fieldPos(i) }

// Read returns the next record: the header first, then the rows, or
// io.EOF. Errors are finding.Finding values naming file and line (a broken
// quote; bytes that are not in the file's encoding).
func (r *Reader) Read() ([]string, error) {
	if !r.started {
		if err := r.start(); err != nil {
			return nil, err
		}
	}
	rec, err := r.recs.read()
	if err != nil {
		return nil, r.csvError(err)
	}
	if !r.recs.ascii { // plain ASCII reads the same in every encoding
		if err := r.decode(rec); err != nil {
			return nil, err
		}
	}
	if r.header == nil {
		r.header = rec
	}
	return rec, nil
}

func (r *Reader) start() error {
	r.started = true
	switch head, _ := r.br.Peek(3); {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		if r.dialect.Encoding == CP1252 || r.dialect.Encoding == Latin1 {
			return finding.Finding{Severity: finding.Error, File: r.name, Line: 1, Rule: RuleEncoding,
				Message: fmt.Sprintf("the file starts with a UTF-8 byte order mark but --encoding %s was given: drop --encoding", r.dialect.Encoding)}
		}
		r.br.Discard(3)
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return finding.Finding{Severity: finding.Error, File: r.name, Line: 1, Rule: RuleEncoding,
			Message: `the file is UTF-16 (Excel's "Unicode Text"): save it as "CSV UTF-8" or "CSV (semicolon/comma delimited)"`}
	}
	switch r.dialect.Encoding {
	case CP1252:
		r.cmap = charmap.Windows1252
	case Latin1:
		r.cmap = charmap.ISO8859_1
	}
	if r.dialect.Delimiter == 0 {
		r.dialect.Delimiter = r.detect()
	}
	if r.dialect.Decimal == DecimalAuto {
		r.dialect.Decimal = DecimalPoint
		if r.dialect.Delimiter == ';' || r.dialect.Delimiter == '\t' {
			r.dialect.Decimal = DecimalComma
		}
	}
	r.recs = records{br: r.br, comma: r.dialect.Delimiter}
	return nil
}

// detect returns the separator the header line uses most often outside
// quotes, ',' when it holds none (a file of one column).
func (r *Reader) detect() rune {
	head, _ := r.br.Peek(r.br.Size())
	var counts [4]int
	quoted := false
	for _, c := range head {
		if c == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		for i, d := range delimiters {
			if rune(c) == d {
				counts[i]++
			}
		}
	}
	best := 1 // ','
	for i := range delimiters {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return delimiters[best]
}

// decode checks that every field is in the file's encoding and, for an
// 8-bit one, turns it into UTF-8.
func (r *Reader) decode(rec []string) error {
	for i, f := range rec {
		ascii := true
		for j := 0; j < len(f); j++ {
			if f[j] >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if ascii {
			continue
		}
		if r.cmap == nil {
			if !utf8.ValidString(f) {
				return r.notUTF8(rec, i)
			}
			continue
		}
		if utf8.ValidString(f) {
			// Real Windows-1252 text hardly ever forms valid multi-byte
			// UTF-8 ("Ã©"); a UTF-8 file read as cp1252 always does.
			return r.fieldError(rec, i, fmt.Sprintf("is valid UTF-8 (%q) but --encoding %s was given: the file is UTF-8, drop --encoding", f, r.dialect.Encoding))
		}
		var b strings.Builder
		b.Grow(len(f) + 8)
		for j := 0; j < len(f); j++ {
			b.WriteRune(r.cmap.DecodeByte(f[j]))
		}
		rec[i] = b.String()
	}
	return nil
}

// notUTF8 locates the first byte of field i that is not UTF-8 and names
// the fix: what the field reads as in Windows-1252, and the flag.
func (r *Reader) notUTF8(rec []string, i int) error {
	f := rec[i]
	at := 0
	for at < len(f) {
		c, n := utf8.DecodeRuneInString(f[at:])
		if c == utf8.RuneError && n <= 1 {
			break
		}
		at += n
	}
	end := at + 1
	for end < len(f) && f[end] >= 0x80 && !utf8.FullRuneInString(f[end:]) {
		end++
	}
	var as strings.Builder
	for j := 0; j < len(f); j++ {
		as.WriteRune(charmap.Windows1252.DecodeByte(f[j]))
	}
	return r.fieldError(rec, i, fmt.Sprintf("byte % X at byte %d is not UTF-8; read as Windows-1252 the field is %q: give --encoding cp1252 (or latin1), or save the file as \"CSV UTF-8\"",
		f[at:end], at+1, as.String()))
}

func (r *Reader) fieldError(rec []string, i int, msg string) error {
	line, _ := r.recs.fieldPos(i)
	path := ""
	if r.header != nil && i < len(r.header) {
		path = strings.ToLower(strings.TrimSpace(r.header[i]))
	}
	return finding.Finding{Severity: finding.Error, File: r.name, Line: line, Column: i + 1, Path: path, Value: rec[i], Rule: RuleEncoding, Message: msg}
}

func (r *Reader) csvError(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		var f finding.Finding
		if errors.As(pe.Err, &f) {
			return f
		}
		return finding.Finding{Severity: finding.Error, File: r.name, Line: pe.Line, Column: pe.Column, Message: "CSV: " + pe.Err.Error()}
	}
	var f finding.Finding
	if errors.As(err, &f) {
		return f
	}
	return fmt.Errorf("%s: %w", r.name, err)
}

// DelimiterName names a separator for messages: "';'", "tab".
func DelimiterName(d rune) string {
	if d == '\t' {
		return "tab"
	}
	return fmt.Sprintf("'%c'", d)
}

// ParseDelimiter reads a separator as a user gives it: one character, or
// "tab" / `\t`.
func ParseDelimiter(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case "tab", `\t`, "\t", "TAB":
		return '\t', nil
	}
	if utf8.RuneCountInString(s) == 1 {
		c, _ := utf8.DecodeRuneInString(s)
		if c != '"' && c != '\r' && c != '\n' && c != utf8.RuneError {
			return c, nil
		}
	}
	return 0, fmt.Errorf("delimiter %q: want one character such as ';' or ',', or tab", s)
}
