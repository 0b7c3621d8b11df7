package camt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// scanner is a small XML tokenizer for camt messages. It replaces
// encoding/xml, whose byte-at-a-time decoder and reflection read camt at
// about 20 MB/s; this one finds '<' with bytes.IndexByte and hands out
// slices of its buffer, reading camt several times faster with few
// allocations. It checks what a reader of camt needs: tags nest and match,
// names and attributes are well formed, entities and character references
// are valid, text is UTF-8 without control characters, and the input does
// not end inside the document. DOCTYPE declarations are refused (no
// entity expansion). Namespaces are not resolved per element: a camt
// document lives in one namespace, read from the document element.
type scanner struct {
	r          io.Reader
	buf        []byte
	pos, end   int
	line       int
	eof        bool
	rerr       error
	stack      []byte // names of open elements, one after the other
	stackOff   []int
	pendingEnd bool
	filled     bool  // the last read filled the buffer: the next fill grows it
	partEnd    bool  // the input is a part of a file: it may end inside elements
	offset     int64 // bytes consumed
	attrs      []attr
	tmp        []byte
}

type attr struct {
	name  []byte // with prefix, e.g. xmlns:camt
	value []byte
}

type tokKind int

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokText
	tokEOF
)

// token is one piece of the document. Its slices point into the scanner's
// buffer and are valid until the next call of next.
type token struct {
	kind      tokKind
	name      []byte // local name of a start or end tag
	prefix    []byte
	text      []byte // character data, entities resolved
	selfClose bool
	line      int
}

// scanError is a well-formedness error at a line.
type scanError struct {
	line int
	msg  string
}

func (e *scanError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// The scanner's buffer starts at minBuffer bytes and doubles, up to
// maxBuffer, each time a read fills it: a small file (most statements are a
// few KB) does not pay for allocating and clearing a large buffer, which
// took a fifth of the time of reading one; a large file reads in
// maxBuffer pieces after three reads.
const (
	minBuffer = 8 << 10
	maxBuffer = 64 << 10
)

// init readies s to read r into buf, which it grows as it needs. The
// names of open elements, their offsets and the attributes of a tag start
// in the arrays of room (see Reader), which a small file does not outgrow:
// no allocation of their own.
func (s *scanner) init(r io.Reader, buf []byte, room *scanRoom) {
	size := minBuffer
	if l, ok := r.(interface{ Len() int }); ok {
		// A bytes.Reader or strings.Reader: a buffer that holds all of
		// a small input, read in one go.
		size = min(max(l.Len()+1, 1<<10), maxBuffer)
	}
	if cap(buf) >= size {
		buf = buf[:cap(buf)]
	} else {
		buf = make([]byte, size)
	}
	// The names of open elements get room for 16 bytes past the last
	// (see tree.read).
	*s = scanner{r: r, buf: buf, line: 1, stack: room.stack[:0],
		stackOff: room.stackOff[:0], attrs: room.attrs[:0]}
}

// scanRoom is where a scanner's small slices start.
type scanRoom struct {
	stack    [256]byte
	stackOff [16]int
	attrs    [4]attr
}

// fill reads more input, keeping the bytes from pos on. It reports whether
// more bytes arrived.
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		copy(s.buf, s.buf[s.pos:s.end])
		s.end -= s.pos
		s.pos = 0
	}
	if s.end == len(s.buf) || (s.filled && len(s.buf) < maxBuffer) {
		if s.end == len(s.buf) && len(s.buf) >= MaxToken {
			s.rerr = &limitError{line: s.line, path: s.path(), value: shorten(string(s.buf[:61])),
				msg: fmt.Sprintf("a tag or text longer than %d bytes (MaxToken)", MaxToken)}
			s.eof = true
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		s.filled = s.end == len(s.buf)
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof, s.rerr = true, io.ErrNoProgress
	return false
}

// peek returns the unread bytes, reading until at least n are there or the
// input ends.
func (s *scanner) peek(n int) []byte {
	for s.end-s.pos < n && s.fill() {
	}
	return s.buf[s.pos:s.end]
}

func (s *scanner) errf(line int, format string, args ...any) error {
	return &scanError{line, fmt.Sprintf(format, args...)}
}

// eofError is the error for input that ends inside a construct.
func (s *scanner) eofError() error {
	if s.rerr != nil {
		switch e := s.rerr.(type) {
		case *scanError:
			return e
		case *limitError:
			return e
		}
		return s.errf(s.line, "read error: %v", s.rerr)
	}
	return s.errf(s.line, "unexpected EOF")
}

// advance consumes n bytes, counting lines.
func (s *scanner) advance(n int) {
	s.line += bytes.Count(s.buf[s.pos:s.pos+n], []byte{'\n'})
	s.pos += n
	s.offset += int64(n)
}

// index finds seq at or after offset k from pos, reading more input as
// needed; it returns the offset from pos or -1 at the end of input.
func (s *scanner) index(seq []byte, k int) int {
	for {
		if s.pos+k <= s.end {
			if i := bytes.Index(s.buf[s.pos+k:s.end], seq); i >= 0 {
				return k + i
			}
		}
		k = max(k, s.end-s.pos-len(seq)+1)
		if !s.fill() {
			return -1
		}
	}
}

// depth returns the number of open elements.
func (s *scanner) depth() int { return len(s.stackOff) }

// next returns the next token; at the end of input a tokEOF, or an error
// when the input ends inside an element.
func (s *scanner) next() (token, error) {
	if s.pendingEnd {
		s.pendingEnd = false
		name := s.pop()
		return token{kind: tokEnd, name: name, line: s.line}, nil
	}
	for {
		if s.pos >= s.end && !s.fill() {
			if s.rerr != nil {
				return token{}, s.eofError()
			}
			if len(s.stackOff) > 0 && !s.partEnd {
				return token{}, s.errf(s.line, "unexpected EOF")
			}
			return token{kind: tokEOF, line: s.line}, nil
		}
		if s.buf[s.pos] != '<' {
			return s.text()
		}
		if s.end-s.pos >= 2 {
			switch s.buf[s.pos+1] {
			case '/':
				return s.endTag()
			case '!', '?':
			default:
				return s.startTag()
			}
		}
		b := s.peek(9)
		switch {
		case len(b) >= 2 && b[1] == '?':
			i := s.index([]byte("?>"), 2)
			if i < 0 {
				return token{}, s.eofError()
			}
			pi := s.buf[s.pos+2 : s.pos+i]
			n := 0
			for n < len(pi) && !isSpace(pi[n]) {
				n++
			}
			if !validName(pi[:n]) {
				return token{}, s.errf(s.line, "invalid processing instruction name %q", pi[:n])
			}
			if string(pi[:n]) == "xml" {
				if s.offset != 0 {
					return token{}, s.errf(s.line, "the XML declaration must come first in the file")
				}
				if v, ok := pseudoAttr(pi[n:], "version"); ok && string(v) != "1.0" {
					return token{}, s.errf(s.line, "unsupported XML version %q (only 1.0)", v)
				}
			}
			s.advance(i + 2)
		case bytes.HasPrefix(b, []byte("<!--")):
			i := s.index([]byte("-->"), 4)
			if i < 0 {
				return token{}, s.eofError()
			}
			// XML 1.0 [15]: no "--" inside a comment, and no "-" before
			// its end ("--->").
			if body := s.buf[s.pos+4 : s.pos+i]; bytes.Contains(body, []byte("--")) || bytes.HasSuffix(body, []byte("-")) {
				return token{}, s.errf(s.line, `invalid sequence "--" not allowed in comments`)
			}
			s.advance(i + 3)
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			line := s.line
			i := s.index([]byte("]]>"), 9)
			if i < 0 {
				return token{}, s.eofError()
			}
			if len(s.stackOff) == 0 {
				return token{}, s.errf(line, "CDATA outside the document element")
			}
			text := s.buf[s.pos+9 : s.pos+i]
			if err := checkChars(text, line); err != nil {
				return token{}, err
			}
			s.advance(i + 3)
			return token{kind: tokText, text: text, line: line}, nil
		case len(b) >= 2 && b[1] == '!':
			return token{}, s.errf(s.line, "DOCTYPE and other declarations are not accepted in a camt document")
		case len(b) >= 2 && b[1] == '/':
			return s.endTag()
		default:
			return s.startTag()
		}
	}
}

// textClass marks the bytes the text loop stops at: '<' ends the text,
// '\n' counts a line, the rest needs the careful checks (entities, "]]>",
// control characters, UTF-8).
var textClass = func() (c [256]uint8) {
	for i := range c {
		switch {
		case i == '<':
			c[i] = 1
		case i == '\n':
			c[i] = 2
		case i == '&', i == ']', i >= 0x80, i < 0x20 && i != '\t' && i != '\r':
			c[i] = 3
		}
	}
	return c
}()

// text reads character data up to the next '<'. One loop finds the '<',
// counts lines and notes whether the text holds anything but plain ASCII
// characters; only such text takes the full checks.
func (s *scanner) text() (token, error) {
	line := s.line
	k, nl := 0, 0
	plain := true
	for {
		i, n, p, _ := scanText(s.buf[s.pos+k : s.end])
		nl += n
		plain = plain && p
		k += i
		if s.pos+k < s.end {
			break
		}
		if !s.fill() {
			if s.rerr != nil {
				return token{}, s.eofError()
			}
			break
		}
	}
	text := s.buf[s.pos : s.pos+k]
	if !plain {
		if bytes.Contains(text, []byte("]]>")) {
			return token{}, s.errf(line, "unescaped ]]> not in CDATA section")
		}
		var err error
		if text, err = s.unescape(text, line); err != nil {
			return token{}, err
		}
		if err := checkChars(text, line); err != nil {
			return token{}, err
		}
	}
	s.pos += k
	s.offset += int64(k)
	s.line += nl
	return token{kind: tokText, text: text, line: line}, nil
}

// skipIndent skips indentation, a line feed and spaces up to a tag, in
// the buffer, eight spaces at a time: a caller that does not read white
// space between elements need not have it as a token.
func (s *scanner) skipIndent() {
	b := s.buf[s.pos:s.end]
	if len(b) < 9 || b[0] != '\n' {
		return
	}
	j := 1
	for j+8 <= len(b) {
		if x := binary.LittleEndian.Uint64(b[j:]) ^ 0x2020202020202020; x != 0 {
			j += bits.TrailingZeros64(x) >> 3
			if b[j] == '<' {
				s.pos += j
				s.offset += int64(j)
				s.line++
			}
			return
		}
		j += 8
	}
}

// tagEnd returns the offset of the '>' that closes the tag at pos,
// skipping quoted attribute values.
func (s *scanner) tagEnd() (int, error) {
	k := 1
	var q byte
	for {
		for ; s.pos+k < s.end; k++ {
			c := s.buf[s.pos+k]
			if q != 0 {
				if c == q {
					q = 0
				} else if c == '<' {
					return 0, s.errf(s.line, "unescaped < inside an attribute value")
				}
				continue
			}
			switch c {
			case '"', '\'':
				q = c
			case '>':
				return k, nil
			case '<':
				return 0, s.errf(s.line, "unexpected < inside a tag")
			}
		}
		if !s.fill() {
			return 0, s.eofError()
		}
	}
}

func (s *scanner) endTag() (token, error) {
	line := s.line
	// The common case: </name> right after its start tag's name.
	if n := len(s.stackOff); n > 0 {
		top := s.stack[s.stackOff[n-1]:]
		if b := s.buf[s.pos+2 : s.end]; len(b) > len(top) && b[len(top)] == '>' && string(b[:len(top)]) == string(top) {
			name := s.pop()
			s.pos += len(top) + 3
			s.offset += int64(len(top) + 3)
			return token{kind: tokEnd, name: name, line: line}, nil
		}
	}
	k, err := s.tagEnd()
	if err != nil {
		return token{}, err
	}
	full := trimRightSpace(s.buf[s.pos+2 : s.pos+k])
	prefix, name := splitName(full)
	if !validName(full) {
		return token{}, s.errf(line, "invalid end tag </%s>", full)
	}
	if len(s.stackOff) == 0 {
		return token{}, s.errf(line, "unexpected end element </%s>", full)
	}
	open := s.top()
	if !bytes.Equal(open, full) {
		return token{}, s.errf(line, "element <%s> closed by </%s>", open, full)
	}
	s.pop()
	s.advance(k + 1)
	return token{kind: tokEnd, name: name, prefix: prefix, line: line}, nil
}

func (s *scanner) startTag() (token, error) {
	line := s.line
	// The common case: <name> or <name/> without attributes, whole in the
	// buffer. A name is ASCII letters, digits, '_', '-', '.' and at most one
	// ':' between prefix and local name (see validName).
	if b := s.buf[s.pos+1 : s.end]; len(b) > 0 && nameClass[b[0]] == 1 {
		colon := -1
		i := 1
		for ; i < len(b) && nameClass[b[i]] != 0; i++ {
			if b[i] == ':' {
				if colon >= 0 {
					break
				}
				colon = i
			}
		}
		self := i+1 < len(b) && b[i] == '/' && b[i+1] == '>'
		if i < len(b) && (b[i] == '>' || self) && colon != i-1 {
			full := b[:i]
			if err := s.push(full, line); err != nil {
				return token{}, err
			}
			s.attrs = s.attrs[:0]
			n := i + 2
			if self {
				s.pendingEnd = true
				n++
			}
			s.pos += n
			s.offset += int64(n)
			t := token{kind: tokStart, name: full, selfClose: self, line: line}
			if colon >= 0 {
				t.prefix, t.name = full[:colon], full[colon+1:]
			}
			return t, nil
		}
	}
	k, err := s.tagEnd()
	if err != nil {
		return token{}, err
	}
	body := s.buf[s.pos+1 : s.pos+k]
	self := false
	if len(body) > 0 && body[len(body)-1] == '/' {
		self = true
		body = body[:len(body)-1]
	}
	n := 0
	for n < len(body) && !isSpace(body[n]) {
		n++
	}
	full := body[:n]
	if !validName(full) {
		return token{}, s.errf(line, "invalid element name %q", full)
	}
	s.attrs = s.attrs[:0]
	rest := body[n:]
	for {
		rest = trimLeftSpace(rest)
		if len(rest) == 0 {
			break
		}
		eq := bytes.IndexByte(rest, '=')
		if eq < 0 {
			return token{}, s.errf(line, "attribute %q without a value in <%s>", bytes.TrimSpace(rest), full)
		}
		an := trimRightSpace(rest[:eq])
		if !validName(an) {
			return token{}, s.errf(line, "invalid attribute name %q in <%s>", an, full)
		}
		rest = trimLeftSpace(rest[eq+1:])
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return token{}, s.errf(line, "unquoted attribute value in <%s>", full)
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return token{}, s.errf(line, "unterminated attribute value in <%s>", full)
		}
		val := rest[1 : 1+end]
		if bytes.IndexByte(val, '&') >= 0 {
			v, err := s.unescape(val, line)
			if err != nil {
				return token{}, err
			}
			val = append([]byte(nil), v...)
		}
		if err := checkChars(val, line); err != nil {
			return token{}, err
		}
		s.attrs = append(s.attrs, attr{name: an, value: val})
		rest = rest[2+end:]
		if len(rest) > 0 && !isSpace(rest[0]) {
			return token{}, s.errf(line, "no space between attributes in <%s>", full)
		}
	}
	prefix, name := splitName(full)
	if err := s.push(full, line); err != nil {
		return token{}, err
	}
	if self {
		s.pendingEnd = true
	}
	s.advance(k + 1)
	return token{kind: tokStart, name: name, prefix: prefix, selfClose: self, line: line}, nil
}

// attr returns the value of the attribute named name in the last start tag.
func (s *scanner) attr(name string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return a.value, true
		}
	}
	return nil, false
}

// push opens an element; beyond MaxDepth it refuses.
func (s *scanner) push(name []byte, line int) error {
	if len(name) > MaxName {
		return &limitError{line: line, path: s.path(), value: shorten(string(name)),
			msg: fmt.Sprintf("element name longer than %d bytes (MaxName)", MaxName)}
	}
	if len(s.stackOff) >= MaxDepth {
		_, local := splitName(name)
		return &limitError{line: line, path: s.path() + "/" + string(local), value: string(local),
			msg: fmt.Sprintf("elements nest deeper than %d levels (MaxDepth)", MaxDepth)}
	}
	s.stackOff = append(s.stackOff, len(s.stack))
	s.stack = append(s.stack, name...)
	return nil
}

// path returns the open elements by local name, /Document/BkToCstmrStmt/...
func (s *scanner) path() string {
	var b []byte
	for i, off := range s.stackOff {
		end := len(s.stack)
		if i+1 < len(s.stackOff) {
			end = s.stackOff[i+1]
		}
		_, local := splitName(s.stack[off:end])
		b = append(append(b, '/'), local...)
	}
	return string(b)
}

// local returns the local name of open element k (0 is the document
// element).
func (s *scanner) local(k int) []byte {
	end := len(s.stack)
	if k+1 < len(s.stackOff) {
		end = s.stackOff[k+1]
	}
	_, local := splitName(s.stack[s.stackOff[k]:end])
	return local
}

func (s *scanner) top() []byte {
	return s.stack[s.stackOff[len(s.stackOff)-1]:]
}

// pop removes the innermost open element and returns its local name (valid
// until the next push).
func (s *scanner) pop() []byte {
	i := len(s.stackOff) - 1
	name := s.stack[s.stackOff[i]:]
	s.stack = s.stack[:s.stackOff[i]]
	s.stackOff = s.stackOff[:i]
	_, local := splitName(name)
	return local
}

// closeEmpty ends the self-closing element whose start tag was just read,
// in place of reading its end token.
func (s *scanner) closeEmpty() {
	s.pendingEnd = false
	s.drop()
}

// drop removes the innermost open element.
func (s *scanner) drop() {
	i := len(s.stackOff) - 1
	s.stack = s.stack[:s.stackOff[i]]
	s.stackOff = s.stackOff[:i]
}

// skip reads past the end of the element whose start tag was just read.
func (s *scanner) skip() error {
	d := s.depth()
	for s.depth() >= d {
		t, err := s.next()
		if err != nil {
			return err
		}
		if t.kind == tokEOF {
			return s.errf(s.line, "unexpected EOF")
		}
	}
	return nil
}

func splitName(full []byte) (prefix, local []byte) {
	if i := bytes.IndexByte(full, ':'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return nil, full
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimLeftSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

func trimRightSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// nameClass is 1 for the bytes a name may start with, 2 for the others it
// may hold but ':', 4 for ':', 0 for the rest (see validName).
var nameClass = func() (c [256]uint8) {
	for i := range c {
		switch {
		case i >= 'a' && i <= 'z', i >= 'A' && i <= 'Z', i == '_':
			c[i] = 1
		case i >= '0' && i <= '9', i == '-', i == '.':
			c[i] = 2
		case i == ':':
			c[i] = 4
		}
	}
	return c
}()

// nameChar is the nameClass bits of the characters of a name but ':'.
const nameChar = 1 | 2

// validName checks an element, attribute or processing-instruction name.
// ISO 20022 names are ASCII, so only ASCII name characters are accepted:
// letters, digits, '_', '-', '.' and one ':' between a prefix and a local
// name, not starting with a digit, '-', '.' or ':'.
func validName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	switch c := b[0]; {
	case c >= '0' && c <= '9', c == '-', c == '.', c == ':':
		return false
	}
	colons := 0
	for _, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		case c == ':':
			colons++
		default:
			return false
		}
	}
	// At most one prefix, and a local name after it.
	return colons == 0 || (colons == 1 && b[len(b)-1] != ':')
}

// checkChars refuses control characters and invalid UTF-8.
func checkChars(b []byte, line int) error {
	for i, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return &scanError{line + bytes.Count(b[:i], []byte{'\n'}), fmt.Sprintf("illegal character code U+%04X", c)}
		}
		// U+FFFE and U+FFFF are not XML characters.
		if c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF) {
			return &scanError{line + bytes.Count(b[:i], []byte{'\n'}), fmt.Sprintf("illegal character code U+%04X", 0xFFC0|rune(b[i+2]&0x3F))}
		}
	}
	if !utf8.Valid(b) {
		return &scanError{line, "invalid UTF-8"}
	}
	return nil
}

// unescape resolves entity and character references; it returns raw itself
// when there are none.
func (s *scanner) unescape(raw []byte, line int) ([]byte, error) {
	i := bytes.IndexByte(raw, '&')
	if i < 0 {
		return raw, nil
	}
	out := append(s.tmp[:0], raw[:i]...)
	for i < len(raw) {
		c := raw[i]
		if c != '&' {
			out = append(out, c)
			i++
			continue
		}
		semi := bytes.IndexByte(raw[i:], ';')
		if semi < 0 || semi > 12 {
			end := min(len(raw), i+8)
			return nil, &scanError{line, fmt.Sprintf("invalid character entity %s (no semicolon)", raw[i:end])}
		}
		ent := raw[i+1 : i+semi]
		switch string(ent) {
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "amp":
			out = append(out, '&')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			var r uint64
			var err error = strconv.ErrSyntax
			if len(ent) > 2 && (ent[1] == 'x') && ent[0] == '#' {
				r, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else if len(ent) > 1 && ent[0] == '#' {
				r, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || !validXMLChar(rune(r)) {
				return nil, &scanError{line, fmt.Sprintf("invalid character entity &%s;", ent)}
			}
			out = utf8.AppendRune(out, rune(r))
		}
		i += semi + 1
	}
	s.tmp = out
	return out, nil
}

func validXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// pseudoAttr finds name="value" in the text of an XML declaration.
func pseudoAttr(decl []byte, name string) ([]byte, bool) {
	i := bytes.Index(decl, []byte(name))
	if i < 0 {
		return nil, false
	}
	rest := bytes.TrimLeft(decl[i+len(name):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
		return nil, false
	}
	q := bytes.IndexByte(rest[1:], rest[0])
	if q < 0 {
		return nil, false
	}
	return rest[1 : 1+q], true
}
