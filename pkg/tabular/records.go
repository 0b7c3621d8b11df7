package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// records splits delimited text into records exactly as encoding/csv's
// Reader does with FieldsPerRecord -1, no comment character, strict
// quotes and no trimming: the same fields, line numbers, field positions
// and *csv.ParseError values (FuzzRecords holds the two side by side).
//
// It exists for speed: most lines of a real file hold no double quote,
// and such a line is split where it lies in the bufio.Reader's buffer,
// with one allocation for the record's text and one for its fields. A
// line with a quote is read field by field as RFC 4180 has it (a quoted
// field may hold the separator, line ends and doubled quotes).
type records struct {
	br     *bufio.Reader
	comma  rune
	line   int        // lines read so far
	long   []byte     // a line longer than br's buffer, gathered
	buf    []byte     // the unquoted text of a record with quotes
	ends   []int      // where each field of that record ends in buf
	pos    []position // where each field of the last record starts
	fields []string   // the fields of a line without quotes, before they are copied out
}

// position is a field's line and 1-based byte column.
type position struct{ line, col int }

// errInvalidDelim is encoding/csv's error for a separator it cannot take.
var errInvalidDelim = errors.New("csv: invalid field or comment delimiter")

func validDelim(c rune) bool {
	return c != 0 && c != '"' && c != '\r' && c != '\n' && utf8.ValidRune(c) && c != utf8.RuneError
}

// lengthNL is 1 when b ends in a line feed.
func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// readLine returns the next line with its line feed (none at the end of
// the input), CRLF turned into LF, and a carriage return just before the
// end of the input dropped. The line is valid until the next call.
func (r *records) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	if len(line) > 0 && err == io.EOF {
		err = nil
		if line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
	}
	r.line++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

// read returns the next record, skipping empty lines, or io.EOF. With an
// error other than io.EOF the record is incomplete.
func (r *records) read() ([]string, error) {
	if !validDelim(r.comma) {
		return nil, errInvalidDelim
	}
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = r.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			continue // an empty line
		}
		break
	}
	if errRead == io.EOF {
		return nil, io.EOF
	}
	if bytes.IndexByte(line, '"') < 0 {
		rec := r.split(line)
		return rec, errRead
	}
	return r.quoted(line, errRead)
}

// split returns the fields of a line without quotes.
func (r *records) split(line []byte) []string {
	s := string(line[:len(line)-lengthNL(line)])
	r.fields, r.pos = r.fields[:0], r.pos[:0]
	at := 0
	if r.comma < utf8.RuneSelf {
		c := byte(r.comma)
		for i := 0; i < len(s); i++ {
			if s[i] == c {
				r.fields = append(r.fields, s[at:i])
				r.pos = append(r.pos, position{r.line, at + 1})
				at = i + 1
			}
		}
	} else {
		sep := string(r.comma)
		for {
			i := strings.Index(s[at:], sep)
			if i < 0 {
				break
			}
			r.fields = append(r.fields, s[at:at+i])
			r.pos = append(r.pos, position{r.line, at + 1})
			at += i + len(sep)
		}
	}
	r.fields = append(r.fields, s[at:])
	r.pos = append(r.pos, position{r.line, at + 1})
	return append([]string(nil), r.fields...)
}

// quoted reads the record that starts with line, which holds a quote: its
// fields may be quoted, and a quoted field may go on over more lines.
func (r *records) quoted(line []byte, errRead error) ([]string, error) {
	start := r.line
	width := utf8.RuneLen(r.comma)
	r.buf, r.ends, r.pos = r.buf[:0], r.ends[:0], r.pos[:0]
	at := position{r.line, 1}
	var err error
fields:
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexRune(line, r.comma)
			field := line
			if i >= 0 {
				field = line[:i]
			} else {
				field = line[:len(line)-lengthNL(line)]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				err = &csv.ParseError{StartLine: start, Line: r.line, Column: at.col + j, Err: csv.ErrBareQuote}
				break
			}
			r.buf = append(r.buf, field...)
			r.ends = append(r.ends, len(r.buf))
			r.pos = append(r.pos, at)
			if i < 0 {
				break
			}
			line = line[i+width:]
			at.col += i + width
			continue
		}
		fieldAt := at
		line = line[1:]
		at.col++
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0: // a quote: doubled, or the end of the field
				r.buf = append(r.buf, line[:i]...)
				line = line[i+1:]
				at.col += i + 1
				switch c, _ := utf8.DecodeRune(line); {
				case c == '"':
					r.buf = append(r.buf, '"')
					line = line[1:]
					at.col++
				case c == r.comma:
					line = line[width:]
					at.col += width
					r.ends = append(r.ends, len(r.buf))
					r.pos = append(r.pos, fieldAt)
					continue fields
				case len(line) == lengthNL(line):
					r.ends = append(r.ends, len(r.buf))
					r.pos = append(r.pos, fieldAt)
					break fields
				default:
					err = &csv.ParseError{StartLine: start, Line: r.line, Column: at.col - 1, Err: csv.ErrQuote}
					break fields
				}
			case len(line) > 0: // the field goes on on the next line
				r.buf = append(r.buf, line...)
				if errRead != nil {
					break fields
				}
				at.col += len(line)
				line, errRead = r.readLine()
				if len(line) > 0 {
					at.line++
					at.col = 1
				}
				if errRead == io.EOF {
					errRead = nil
				}
			default: // the input ended (or failed) inside the field
				if errRead == nil {
					err = &csv.ParseError{StartLine: start, Line: at.line, Column: at.col, Err: csv.ErrQuote}
					break fields
				}
				r.ends = append(r.ends, len(r.buf))
				r.pos = append(r.pos, fieldAt)
				break fields
			}
		}
	}
	if err == nil {
		err = errRead
	}
	if len(r.ends) == 0 {
		return nil, err
	}
	s := string(r.buf)
	rec := make([]string, len(r.ends))
	prev := 0
	for i, end := range r.ends {
		rec[i] = s[prev:end]
		prev = end
	}
	return rec, err
}

// fieldPos returns the line and column where field i of the last record
// starts.
func (r *records) fieldPos(i int) (line, column int) {
	p := r.pos[i]
	return p.line, p.col
}
