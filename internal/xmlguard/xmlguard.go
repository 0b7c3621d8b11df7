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

	names []byte // names of the open elements, one after the other
	ends  []int  // where each open element's name ends in names
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
func (g *Reader) Depth() int { return len(g.ends) }

func (g *Reader) fail(what string, limit int) {
	ex := g.excerpt
	for len(ex) > 0 && !utf8.Valid(ex) {
		ex = ex[:len(ex)-1]
	}
	var path strings.Builder
	start := 0
	for _, end := range g.ends {
		path.WriteByte('/')
		path.Write(g.names[start:end])
		start = end
	}
	if path.Len() == 0 {
		path.WriteByte('/')
	}
	g.err = &Error{Line: g.atLine, Offset: g.at, Path: path.String(), What: what, Limit: limit, Excerpt: string(ex)}
}

// push opens an element named g.name; pop closes the innermost one.
func (g *Reader) push() {
	g.names = append(g.names, g.name...)
	g.ends = append(g.ends, len(g.names))
}

func (g *Reader) pop() {
	if n := len(g.ends); n > 0 {
		g.ends = g.ends[:n-1]
		g.names = g.names[:0]
		if n > 1 {
			g.names = g.names[:g.ends[n-2]]
		}
	}
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
		if g.state == stStartTag || g.state == stEndTag {
			var ok bool
			if i, ok = g.tag(b, i); !ok {
				return i
			}
			continue
		}
		if g.state == stLt && b[i] != '!' && b[i] != '?' && b[i] != '/' {
			g.openTag(stStartTag) // b[i] is the first byte of the name: tag reads it
			continue
		}
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
		if g.n+len(seg) > g.lim.Text {
			g.keep(seg[:g.lim.Text-g.n+1]) // up to the first byte beyond
			g.fail("text", g.lim.Text)
			return i
		}
		g.keep(seg)
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
		default: // '/': an end tag, the content run ends
			g.openTag(stEndTag)
			g.n++
			g.excerpt = append(g.excerpt, c)
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

// openTag starts an element tag: the content run ends, the tag begins at
// the '<' before the current byte.
func (g *Reader) openTag(state int) {
	g.begin(g.off-1, g.line)
	g.n = 1
	g.excerpt = append(g.excerpt, '<')
	g.name, g.nameDone, g.quote, g.prev = g.name[:0], false, 0, 0
	g.state = state
}

// tag follows a start or end tag from b[i] up to its '>' or the end of b,
// in one pass without a call per byte, and returns where it stopped; false
// when a limit broke.
func (g *Reader) tag(b []byte, i int) (int, bool) {
	j := i
	prev := g.prev
	for j < len(b) {
		if g.quote != 0 {
			k := bytes.IndexByte(b[j:], g.quote)
			if k < 0 {
				j = len(b)
				break
			}
			j += k + 1
			g.quote, prev = 0, '"'
			continue
		}
		// Up to the next '>' or quote (end tags have no quotes).
		var k int
		if g.state == stStartTag {
			k = bytes.IndexAny(b[j:], ">\"'")
		} else {
			k = bytes.IndexByte(b[j:], '>')
		}
		seg := b[j:]
		if k >= 0 {
			seg = seg[:k]
		}
		for x := 0; !g.nameDone && x < len(seg); x++ {
			c := seg[x]
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' && len(g.name) > 0 {
				g.nameDone = true
			} else if c != '/' && len(g.name) < maxNameInPath {
				g.name = append(g.name, c)
			}
		}
		for x := len(seg) - 1; x >= 0; x-- {
			if c := seg[x]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				prev = c
				break
			}
		}
		if k < 0 {
			j = len(b)
			break
		}
		j += k
		if c := b[j]; c != '>' {
			g.nameDone = true
			g.quote = c
			j++
			continue
		}
		g.nameDone = true
		break
	}
	g.prev = prev
	end := j
	if end < len(b) {
		end++ // the '>'
	}
	if g.n+end-i > g.lim.Tag {
		// the excerpt ends with the first byte beyond the limit
		g.keep(b[i : i+g.lim.Tag-g.n+1])
		what := "start tag"
		if g.state == stEndTag {
			what = "end tag"
		}
		g.fail(what, g.lim.Tag)
		return i, false
	}
	seg := b[i:j]
	g.keep(seg)
	g.n += len(seg)
	g.off += int64(len(seg))
	g.line += bytes.Count(seg, []byte{'\n'})
	if j == len(b) {
		return j, true
	}
	// '>'
	g.n++
	g.keep(b[j : j+1])
	g.off++
	if g.state == stEndTag {
		g.pop()
	} else if g.prev != '/' {
		g.push()
		if len(g.ends) > g.lim.Depth {
			g.fail("nesting", g.lim.Depth)
			return i, false
		}
	}
	g.state = stContent
	g.begin(g.off, g.line)
	return j + 1, true
}
