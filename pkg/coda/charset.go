package coda

import (
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Charset is the character set of a CODA file's text fields.
type Charset int

// Charsets a CODA file may come in. Febelfin expects ISO-8859-1; banks and
// tools deliver CP850 and CP1252 too, and files that passed through an
// editor are often UTF-8.
const (
	// Detect reads text as UTF-8 when a non-ASCII record is valid UTF-8 and
	// as ISO-8859-1 otherwise, and reports what it detected as a warning.
	Detect Charset = iota
	Latin1
	CP1252
	CP850
	UTF8
)

func (c Charset) String() string {
	switch c {
	case Latin1:
		return "ISO-8859-1"
	case CP1252:
		return "CP1252"
	case CP850:
		return "CP850"
	case UTF8:
		return "UTF-8"
	}
	return "detect"
}

// Option configures a Reader.
type Option func(*Reader)

// WithCharset makes the Reader decode text in the given charset instead of
// detecting it.
func WithCharset(c Charset) Option { return func(r *Reader) { r.charset = c } }

// SummaryOnly makes the Reader leave out the text of entries that a
// summary does not read — counterparty, references, communications,
// information — and the work of carving it from the records: entries
// carry amounts, currencies, dates, bank transaction codes, return reasons
// and texts, reversal flags and batch counts, and the findings are those
// of a full read. And as a summary keeps no entry, Next hands out the same
// Entry each time, valid until its next call (the strings and the
// Statement in it stay valid): no allocation per entry. For inspect, which
// totals a file; not for ReadAhead, which holds entries.
func SummaryOnly() Option { return func(r *Reader) { r.summary, r.reuseEntry = true, true } }

// ReuseEntries makes Next hand out the same Entry each time, overwritten
// by its next call (the strings and the Statement in it stay valid), as
// SummaryOnly does but with every field read: no allocation per entry, for
// a caller that is done with an entry before it asks for the next one —
// statement convert formatting the rows of a part (ReadParallel). Call it
// before the first Next.
func (r *Reader) ReuseEntries() { r.reuseEntry = true }

// WithReading makes the Reader read the file through wrap(file): a caller
// that counts progress sees the bytes of every part ReadParallel reads.
func WithReading(wrap func(io.Reader) io.Reader) Option {
	return func(r *Reader) { r.reading = wrap }
}

// wideRune is a character at a record position whose code point does not
// fit in one byte (U+FFFD, €, ...).
type wideRune struct {
	pos int
	r   rune
}

// latin1Letters reports whether every non-ASCII byte of b is an
// ISO-8859-1 letter (0xC0-0xFF but × and ÷), the bytes a conforming
// CODA file holds for accented names.
func latin1Letters(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 && (c < 0xC0 || c == 0xD7 || c == 0xF7) {
			return false
		}
	}
	return true
}

// isASCII reports whether b holds only 7-bit bytes.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if v&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// canonical converts a non-ASCII line into the record buffer so that every
// record position is one byte whose value is its Unicode code point; code
// points above U+00FF are kept aside in r.wide. It returns the number of
// positions (characters).
func (r *Reader) canonical(line []byte, cs Charset) int {
	r.wide = r.wide[:0]
	n := 0
	put := func(c rune) {
		if n < len(r.buf) {
			if c < 0x100 {
				r.buf[n] = byte(c)
			} else {
				r.buf[n] = 0x1A
				r.wide = append(r.wide, wideRune{n, c})
			}
		}
		n++
	}
	switch cs {
	case UTF8:
		for len(line) > 0 {
			c, size := utf8.DecodeRune(line)
			put(c)
			line = line[size:]
		}
	case CP1252:
		for _, b := range line {
			put(charmap.Windows1252.DecodeByte(b))
		}
	case CP850:
		for _, b := range line {
			put(charmap.CodePage850.DecodeByte(b))
		}
	default: // Latin-1: byte value is the code point
		for _, b := range line {
			put(rune(b))
		}
	}
	return n
}
