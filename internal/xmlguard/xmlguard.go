// Package xmlguard bounds what one piece of XML can cost an encoding/xml
// Decoder. The Decoder holds a whole token in memory before it returns it:
// 300 MB of text in one element is 300 MB of heap (more while its buffer
// grows), and elements nested ten million deep are a stack of ten million
// names, even when the reader skips them. A Reader sits between the file
// and the Decoder, follows the markup byte by byte (text, start and end
// tags, comments, CDATA sections, processing instructions, declarations)
// and fails the read with an *Error as soon as
//
//   - the content between two element tags (text, CDATA, comments and
//     processing instructions together: text split by comments counts as
//     one) exceeds Limits.Text bytes,
//   - one start or end tag, attributes included, exceeds Limits.Tag bytes, or
//   - elements nest deeper than Limits.Depth,
//
// so that the Decoder never buffers more than about Text+Tag bytes and never
// stacks more than Depth elements, whatever the input.
package xmlguard

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits are the bounds a Reader enforces. Zero fields take the defaults.
type Limits struct {
	Text  int // bytes of content between two element tags; default 1 MiB
	Tag   int // bytes of one element tag with its attributes; default 64 KiB
	Depth int // element nesting; default 64
}

// Defaults: far beyond any real pain.008, camt or UBL document (the ISO
// 20022 and UBL text fields are at most a few thousand characters; UBL
// attachments are dropped before the guard by the UBL reader) and small
// enough that a hostile file costs a few MiB.
const (
	DefaultText  = 1 << 20
	DefaultTag   = 64 << 10
	DefaultDepth = 64
)

// Error reports the piece of XML that broke a limit.
type Error struct {
	Line    int    // 1-based line of the guarded stream where the piece starts
	Offset  int64  // byte offset of the guarded stream where the piece starts
	Path    string // element path as written: /Invoice/cbc:Note
	What    string // "text", "start tag", "end tag" or "nesting"
	Limit   int    // the bound that was exceeded
	Excerpt string // the first bytes of the piece, valid UTF-8
}

func (e *Error) Error() string {
	if e.What == "nesting" {
		return fmt.Sprintf("elements nested deeper than %d", e.Limit)
	}
	return fmt.Sprintf("%s longer than %s: refused (no real file has one)", e.What, Size(e.Limit))
}

// Size writes a byte count the way the limits are stated: 1 MiB, 64 KiB.
func Size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// lexer states
const (
	stContent   = iota // text between tags
	stLt               // after '<'
	stStartTag         // inside <name ...>
	stEndTag           // inside </name>
	stBang             // after '<!'
	stBangDash         // after '<!-'
	stComment          // inside <!-- -->
	stCDATA            // inside <![ ... ]]>
	stPI               // inside <? ?>
	stDirective        // inside <!DOCTYPE ...>
)

const (
	excerptLen    = 40 // bytes of the offending piece kept for the error
	maxNameInPath = 64 // bytes of an element name kept for the path
)

// Reader is an io.Reader that passes its input through unchanged until a
// limit is broken; then it returns the bytes before the offending one and
// an *Error.
type Reader struct {
	r   io.Reader
	lim Limits
	err error

	state int
	off   int64 // offset of the next byte
	line  int   // line of the next byte

	// the piece in progress: a content run or an element tag
	n       int   // its length so far
	at      int64 // where it starts
	atLine  int
	excerpt []byte

	quote    byte    // in a start tag or declaration: the open quote, or 0
	prev     byte    // in a start tag: the last non-space byte
	tail     [2]byte // in a comment, CDATA section or PI: the last two bytes
	nest     int     // in a declaration: '<' not yet closed
	name     []byte  // in a tag: the element name so far
	nameDone bool

	stack []string // open elements
}

// NewReader guards r with the limits lim (zero fields: defaults).
func NewReader(r io.Reader, lim Limits) *Reader {
	if lim.Text <= 0 {
		lim.Text = DefaultText
	}
	if lim.Tag <= 0 {
		lim.Tag = DefaultTag
	}
	if lim.Depth <= 0 {
		lim.Depth = DefaultDepth
	}
	return &Reader{r: r, lim: lim, line: 1, atLine: 1}
}

// Read implements io.Reader.
func (g *Reader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if k := g.scan(p[:n]); k < n || g.err != nil {
		return k, g.err
	}
	return n, err
}

// Depth returns the number of elements open after the bytes read so far.
func (g *Reader) Depth() int { return len(g.stack) }

func (g *Reader) fail(what string, limit int) {
	ex := g.excerpt
	for len(ex) > 0 && !utf8.Valid(ex) {
		ex = ex[:len(ex)-1]
	}
	g.err = &Error{Line: g.atLine, Offset: g.at, Path: "/" + strings.Join(g.stack, "/"), What: what, Limit: limit, Excerpt: string(ex)}
}

// begin starts a new piece at offset at, line atLine.
func (g *Reader) begin(at int64, atLine int) {
	g.n, g.at, g.atLine = 0, at, atLine
	g.excerpt = g.excerpt[:0]
}

func (g *Reader) keep(b []byte) {
	if k := excerptLen - len(g.excerpt); k > 0 {
		g.excerpt = append(g.excerpt, b[:min(k, len(b))]...)
	}
}

// scan follows the markup in b and returns how many bytes are within the
// limits: len(b) unless a limit was broken (g.err set).
func (g *Reader) scan(b []byte) int {
	i := 0
	for i < len(b) {
		if g.state != stContent {
			if !g.step(b[i]) {
				return i
			}
			i++
			continue
		}
		// Text up to the next '<', in one go.
		end := len(b)
		j := bytes.IndexByte(b[i:], '<')
		if j >= 0 {
			end = i + j
		}
		seg := b[i:end]
		g.keep(seg)
		if g.n+len(seg) > g.lim.Text {
			g.fail("text", g.lim.Text)
			return i
		}
		g.n += len(seg)
		g.line += bytes.Count(seg, []byte{'\n'})
		g.off += int64(len(seg))
		i = end
		if j >= 0 {
			g.state = stLt
			g.off++
			i++
		}
	}
	return len(b)
}

// step moves the lexer over one byte of markup; false when a limit broke.
func (g *Reader) step(c byte) bool {
	switch g.state {
	case stLt:
		switch c {
		case '!', '?': // a comment, CDATA, PI or declaration: part of the content run
			g.run('<')
			g.run(c)
			g.state, g.tail, g.quote, g.nest = stPI, [2]byte{}, 0, 0
			if c == '!' {
				g.state = stBang
			}
		default: // an element tag: the content run ends
			g.begin(g.off-1, g.line)
			g.n = 1
			g.excerpt = append(g.excerpt, '<')
			g.name, g.nameDone, g.quote, g.prev = g.name[:0], false, 0, 0
			g.state = stStartTag
			if c == '/' {
				g.state = stEndTag
				g.n++
				g.excerpt = append(g.excerpt, c)
			} else {
				g.tagByte(c)
			}
		}
	case stBang:
		g.run(c)
		switch c {
		case '-':
			g.state = stBangDash
		case '[':
			g.state = stCDATA
		default:
			g.state = stDirective
		}
	case stBangDash:
		g.run(c)
		g.state = stComment
	case stComment, stCDATA, stPI:
		g.run(c)
		t := g.tail
		if c == '>' && (g.state == stComment && t == [2]byte{'-', '-'} ||
			g.state == stCDATA && t == [2]byte{']', ']'} ||
			g.state == stPI && t[1] == '?') {
			g.state = stContent
		}
		g.tail = [2]byte{t[1], c}
	case stDirective:
		g.run(c)
		switch {
		case g.quote != 0:
			if c == g.quote {
				g.quote = 0
			}
		case c == '"' || c == '\'':
			g.quote = c
		case c == '<':
			g.nest++
		case c == '>' && g.nest == 0:
			g.state = stContent
		case c == '>':
			g.nest--
		}
	case stStartTag, stEndTag:
		g.tagByte(c)
	}
	g.off++
	if c == '\n' {
		g.line++
	}
	return g.err == nil
}

// run counts one byte of a comment, CDATA section, PI or declaration into
// the content run.
func (g *Reader) run(c byte) {
	g.n++
	if len(g.excerpt) < excerptLen {
		g.excerpt = append(g.excerpt, c)
	}
	if g.n > g.lim.Text {
		g.fail("text", g.lim.Text)
	}
}

// tagByte follows one byte of a start or end tag (after "<" or "</").
func (g *Reader) tagByte(c byte) {
	g.n++
	if len(g.excerpt) < excerptLen {
		g.excerpt = append(g.excerpt, c)
	}
	if g.n > g.lim.Tag {
		what := "start tag"
		if g.state == stEndTag {
			what = "end tag"
		}
		g.fail(what, g.lim.Tag)
		return
	}
	if g.quote != 0 {
		if c == g.quote {
			g.quote = 0
		}
		return
	}
	space := c == ' ' || c == '\t' || c == '\r' || c == '\n'
	if !g.nameDone {
		if space || c == '/' || c == '>' {
			g.nameDone = true
		} else if len(g.name) < maxNameInPath {
			g.name = append(g.name, c)
		}
	}
	switch {
	case g.state == stStartTag && (c == '"' || c == '\''):
		g.quote = c
	case c == '>':
		if g.state == stEndTag {
			if len(g.stack) > 0 {
				g.stack = g.stack[:len(g.stack)-1]
			}
		} else if g.prev != '/' {
			g.stack = append(g.stack, string(g.name))
			if len(g.stack) > g.lim.Depth {
				g.fail("nesting", g.lim.Depth)
				return
			}
		}
		g.state = stContent
		g.begin(g.off+1, g.line)
		return
	}
	if !space {
		g.prev = c
	}
}
