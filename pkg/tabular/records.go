package tabular

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"io"
	"math/bits"
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
// eight bytes at a time, with one allocation for the record's text (the
// fields of many records share one). A
// line with a quote is read field by field as RFC 4180 has it (a quoted
// field may hold the separator, line ends and doubled quotes).
type records struct {
	br     *bufio.Reader
	comma  rune
	line   int        // lines read so far
	long   []byte     // a line longer than br's buffer, gathered
	buf    []byte     // the unquoted text of a record with quotes
	ends   []int      // where each field of a quoted record ends in buf; where the separators of a line are
	pos    []position // where each field of the last record starts
	fields []string   // the fields of a line without quotes, before they are copied out
	block  []string   // where alloc cuts the next records' fields from
	ascii  bool       // the last record was split by splitASCII and is all ASCII
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
	if r.comma < utf8.RuneSelf {
		if rec, ok := r.splitASCII(line); ok {
			return rec, errRead
		}
	} else if bytes.IndexByte(line, '"') < 0 {
		return r.split(line), errRead
	}
	return r.quoted(line, errRead)
}

// Word-at-a-time byte search: lsb has the low bit of every byte set,
// high the top bit, low7 the other seven.
const (
	lsb  = 0x0101010101010101
	high = 0x8080808080808080
	low7 = 0x7f7f7f7f7f7f7f7f
)

// equal has the top bit of each byte set where the bytes of x and pat are
// equal, and no other bit: exact, as no byte's sum carries into the next.
func equal(x, pat uint64) uint64 {
	v := x ^ pat
	return ^((v&low7 + low7) | v | low7)
}

// splitASCII returns the fields of a line separated by an ASCII
// character, reading it eight bytes at a time; false when the line holds
// a quote (quoted reads it). It notes whether the line is all ASCII.
func (r *records) splitASCII(line []byte) ([]string, bool) {
	text := line[:len(line)-lengthNL(line)]
	c := byte(r.comma)
	quotes, commas := uint64('"')*lsb, uint64(c)*lsb
	r.ends = r.ends[:0]
	var or uint64
	i := 0
	for ; i+8 <= len(text); i += 8 {
		x := binary.LittleEndian.Uint64(text[i:])
		or |= x
		if equal(x, quotes) != 0 {
			return nil, false
		}
		for m := equal(x, commas); m != 0; m &= m - 1 {
			r.ends = append(r.ends, i+bits.TrailingZeros64(m)>>3)
		}
	}
	for ; i < len(text); i++ {
		switch text[i] {
		case '"':
			return nil, false
		case c:
			r.ends = append(r.ends, i)
		}
		or |= uint64(text[i])
	}
	r.ascii = or&high == 0
	s := string(text)
	rec := r.alloc(len(r.ends) + 1)
	r.pos = r.pos[:0]
	at := 0
	for k, end := range r.ends {
		rec[k] = s[at:end]
		r.pos = append(r.pos, position{r.line, at + 1})
		at = end + 1
	}
	rec[len(r.ends)] = s[at:]
	r.pos = append(r.pos, position{r.line, at + 1})
	return rec, true
}

// split returns the fields of a line without quotes separated by a
// character beyond ASCII.
func (r *records) split(line []byte) []string {
	s := string(line[:len(line)-lengthNL(line)])
	r.fields, r.pos, r.ascii = r.fields[:0], r.pos[:0], false
	sep := string(r.comma)
	at := 0
	for {
		i := strings.Index(s[at:], sep)
		if i < 0 {
			break
		}
		r.fields = append(r.fields, s[at:at+i])
		r.pos = append(r.pos, position{r.line, at + 1})
		at += i + len(sep)
	}
	r.fields = append(r.fields, s[at:])
	r.pos = append(r.pos, position{r.line, at + 1})
	rec := r.alloc(len(r.fields))
	copy(rec, r.fields)
	return rec
}

// alloc returns room for the n fields of a record, cut from a block
// shared by the records read one after the other: one allocation for
// dozens of records. A record kept holds its block, a few kilobytes, in
// memory; a reader of millions of records keeps none for long.
func (r *records) alloc(n int) []string {
	if len(r.block) < n {
		r.block = make([]string, max(n, fieldBlock))
	}
	rec := r.block[:n:n]
	r.block = r.block[n:]
	return rec
}

// fieldBlock is how many fields alloc allocates at once.
const fieldBlock = 256

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
	r.ascii = false
	if len(r.ends) == 0 {
		return nil, err
	}
	s := string(r.buf)
	rec := r.alloc(len(r.ends))
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
