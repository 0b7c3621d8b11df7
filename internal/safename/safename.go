// Package safename keeps names that come from input — file names found in
// a folder, zip member names, file names a server lists — from doing harm:
// a line feed that forges a line of the summary, an escape sequence that
// rewrites the terminal, a U+202E that shows "fdp.exe" as "exe.pdf".
//
// Escape is for every message, table and log line that prints such a name;
// Check refuses a name before it becomes a file on disk or a record kept
// under that name. Both treat the same characters as unsafe: control
// characters (C0, DEL, C1), Unicode format characters (bidi embeddings,
// overrides and isolates, zero-width characters, the byte order mark, the
// soft hyphen), the line and paragraph separators, and bytes that are not
// UTF-8.
package safename

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// unsafe reports whether r must not appear raw in a printed name.
func unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
		unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// Escape returns s with every unsafe character written as a Go escape:
// \n, \r, \t, \x1b, \u202e, and bytes that are not UTF-8 as \xff. Every other
// character, backslashes included, is kept, so that ordinary names print
// as they are.
func Escape(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unsafe(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unsafe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// EscapeLines escapes like Escape but keeps line feeds: for a message of
// several lines (errors.Join) whose names were not escaped where they were
// put in; escape sequences and bidi controls still cannot pass.
func EscapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return strings.Join(lines, "\n")
}

// NewWriter returns a writer that escapes, like Escape, every unsafe
// character written through it except line feeds and tabs: for reports
// printed from a file's content (names, references, remittance texts), where
// an escape sequence or a bidi override must not reach the terminal. Each
// Write is escaped on its own, so a character must not be split across two
// writes (fmt writes each formatted string whole).
func NewWriter(w io.Writer) io.Writer { return escWriter{w} }

type escWriter struct{ w io.Writer }

func (e escWriter) Write(p []byte) (int, error) {
	s := string(p)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		cells := strings.Split(l, "\t")
		for j, c := range cells {
			cells[j] = Escape(c)
		}
		lines[i] = strings.Join(cells, "\t")
	}
	if out := strings.Join(lines, "\n"); out != s {
		if _, err := io.WriteString(e.w, out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return e.w.Write(p)
}

// Check returns an error naming the first unsafe character of name, or
// nil. The error prints the name escaped.
func Check(name string) error {
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return fmt.Errorf("name \"%s\" holds a byte that is not UTF-8 (0x%02x): refused", Escape(name), name[i])
		case unsafe(r):
			return fmt.Errorf("name \"%s\" holds the control character U+%04X: refused", Escape(name), r)
		}
		i += n
	}
	return nil
}
