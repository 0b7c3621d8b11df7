package camt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// tree holds one decoded element (an Ntry, a Bal, the Acct ...) as a small
// tree of the nodes fields are read from: the element itself and every
// element below it whose name is in elementNames, reached through such
// elements. Texts live in one byte arena. The tree is reused from element to
// element, so reading an entry allocates only the one string its texts are
// handed out from (see tree.str).
//
// Its size is bounded by MaxElementBytes, MaxElements and MaxText, which
// also keeps every offset well inside an int32.
type tree struct {
	nodes []node
	arena []byte
	stack []frame
	base  int    // line of the decoded element
	root  []byte // its local name
	// codes holds the codes, currencies and BICs read, which repeat on
	// every entry (and in every file): see codeCache. It comes with the
	// Reader's buffers.
	codes *codeCache
	// keep maps the names of the elements read to themselves, those of
	// elements left out (SummaryOnly) to nmOther.
	keep *[numNames]name
	// careful leaves every token to scanner.next: the fuzz target reads
	// each input both ways and requires the same result.
	careful bool
	// str is the arena as one string, made on the first call of text
	// after read (strOK): the texts an element hands out are substrings of
	// it, one allocation per element instead of one per field.
	str   string
	strOK bool
}

// maxShared is the largest arena whose texts share one string; a larger
// element (far beyond real entries, up to MaxElementBytes) gets a string
// per text, so that its copy does not double its memory.
const maxShared = 64 << 10

// span is a piece of the arena.
type span struct{ off, n int32 }

type node struct {
	text  span
	ccy   span  // the Ccy attribute of amounts
	line  int32 // from tree.base
	next  int32 // sibling; the first child of node i is i+1
	name  name
	flags uint8
}

const (
	hasChild   = 1 << iota // the next node is the first child
	hasCcy                 // ccy is set
	textClosed             // a child started after the text: later text is not added
	trimmed                // the text has no white space to trim at either end
)

// frame is an open element while the tree is read.
type frame struct{ node, last int32 }

// none is the index of a missing node; every accessor accepts it.
const none = -1

func (t *tree) put(b []byte) span {
	s := span{int32(len(t.arena)), int32(len(b))}
	t.arena = append(t.arena, b...)
	return s
}

func (t *tree) bytes(s span) []byte { return t.arena[s.off : s.off+s.n] }

// read decodes the element whose start tag tok the scanner just returned.
//
// The loop reads the common tokens straight from the scanner's buffer —
// text of plain ASCII characters, <name>, <name/> and </name> — and leaves
// everything else (attributes, references, comments, CDATA, a token cut by
// the end of the buffer, errors) to scanner.next, which reads the same
// token from the same position with every check.
func (t *tree) read(s *scanner, tok *token) error {
	t.nodes = t.nodes[:0]
	t.arena = t.arena[:0]
	t.str, t.strOK = "", false
	t.base = tok.line
	t.root = append(t.root[:0], tok.name...)
	t.add(s, names.lookup(tok.name), tok.line)
	if tok.selfClose {
		s.closeEmpty()
		return nil
	}
	start := s.offset
	stack := append(t.stack[:0], frame{0, none})
	defer func() { t.stack = stack[:0] }()
	drop := 0 // depth inside an element no field reads
	for {
		if s.offset-start > MaxElementBytes {
			return t.limit(s, s.line, string(t.root), "%s larger than %d bytes (MaxElementBytes)", t.root, MaxElementBytes)
		}
		if buf := s.buf[s.pos:s.end]; len(buf) >= 2 && !t.careful {
			// Text, then the tag after it, in one turn of the loop: the
			// text leaves buf at the tag, or empty for the scanner.
			if buf[0] == '\n' {
				// Indentation, the most common text of a file written
				// for people: a line feed and spaces up to a tag,
				// skipped eight spaces at a time without a call. Before
				// a child or the first text of an element white space is
				// not added; in any other place the loop below reads it.
				j := 1
				for j+8 <= len(buf) {
					if x := binary.LittleEndian.Uint64(buf[j:]) ^ 0x2020202020202020; x != 0 {
						j += bits.TrailingZeros64(x) >> 3
						break
					}
					j += 8
				}
				if j+8 <= len(buf) && buf[j] == '<' {
					if n := &t.nodes[stack[len(stack)-1].node]; drop > 0 || n.text.n == 0 || n.flags&textClosed != 0 {
						s.pos += j
						s.offset += int64(j)
						s.line++
						buf = buf[j:]
						if s.offset-start > MaxElementBytes {
							continue // refused at the top of the loop
						}
					}
				}
			}
			if buf[0] != '<' {
				// Text that starts with a character (most text) is
				// scanned by a loop small enough to be inlined: a call
				// here would spill the loop's state on every text.
				var i, nl int
				var plain, white bool
				if buf[0] > ' ' {
					i, nl, plain = scanBytes(buf)
				} else {
					i, nl, plain, white = scanText(buf)
				}
				if !plain || i == len(buf) {
					buf = nil // the scanner reads it
				} else {
					text := buf[:i]
					buf = buf[i:]
					s.pos += i
					s.offset += int64(i)
					line := s.line
					s.line += nl
					if drop == 0 {
						// t.addText, written out for the common cases:
						// the first text of an element, starting with a
						// character that is not white space, and white
						// space that is not added.
						n := &t.nodes[stack[len(stack)-1].node]
						switch {
						case n.text.n == 0 && text[0] > ' ' && len(text) <= MaxText:
							n.text = span{int32(len(t.arena)), int32(len(text))}
							t.arena = append(t.arena, text...)
							n.flags &^= textClosed
							if text[len(text)-1] > ' ' {
								n.flags |= trimmed
							}
						case (n.text.n == 0 || n.flags&textClosed != 0) && white:
						default:
							if err := t.addText(s, &stack[len(stack)-1], text, line); err != nil {
								return err
							}
						}
					}
					if len(buf) < 2 || s.offset-start > MaxElementBytes {
						continue
					}
				}
			}
			switch {
			case len(buf) < 2:
				// the scanner reads it
			case buf[1] == '/':
				top := s.stack[s.stackOff[len(s.stackOff)-1]:]
				b := buf[2:]
				// </name> of the open element: names of up to 16
				// bytes are compared as two words (the bytes past a
				// name are masked off), longer ones as strings.
				n := len(top)
				same := len(b) > n && b[n] == '>'
				if same && n <= 16 && cap(b) >= 16 && cap(top) >= 16 {
					b16, t16 := b[:16], top[:16]
					x0 := binary.LittleEndian.Uint64(b16) ^ binary.LittleEndian.Uint64(t16)
					x1 := binary.LittleEndian.Uint64(b16[8:]) ^ binary.LittleEndian.Uint64(t16[8:])
					if n < 8 {
						same = x0&(1<<(8*n)-1) == 0
					} else {
						same = x0 == 0 && x1&(1<<(8*(n-8))-1) == 0
					}
				} else if same {
					same = string(b[:n]) == string(top)
				}
				if same {
					s.drop()
					s.pos += len(top) + 3
					s.offset += int64(len(top) + 3)
					if drop > 0 {
						drop--
						continue
					}
					stack = stack[:len(stack)-1]
					if len(stack) == 0 {
						return nil
					}
					continue
				}
			case nameClass[buf[1]] == 1 && len(s.stackOff) < MaxDepth:
				b := buf[1:]
				// The name, with at most one ':' between prefix and
				// local name; a second ':' ends it (and the scanner
				// refuses the tag).
				i := 1
				for i < len(b) && nameClass[b[i]]&nameChar != 0 {
					i++
				}
				colon := -1
				if i < len(b) && b[i] == ':' {
					colon = i
					for i++; i < len(b) && nameClass[b[i]]&nameChar != 0; i++ {
					}
				}
				full := b[:i]
				if i > MaxName {
					i = len(b) // the scanner refuses it
				}
				s.attrs = s.attrs[:0]
				if colon != i-1 && i < len(b) && b[i] == ' ' {
					i = fastAttrs(s, b, i)
				}
				self := i+1 < len(b) && b[i] == '/' && b[i+1] == '>'
				if i < len(b) && (b[i] == '>' || self) && colon != len(full)-1 {
					line := s.line
					n := i + 2
					if self {
						n++
					}
					s.pos += n
					s.offset += int64(n)
					if drop > 0 && self {
						continue
					}
					s.stackOff = append(s.stackOff, len(s.stack))
					if k := len(s.stack); len(full) <= 16 && cap(full) >= 16 && cap(s.stack)-k >= 16 {
						// Two word stores instead of a call of memmove;
						// the bytes past the name are beyond len.
						dst, src := s.stack[k:k+16], full[:16]
						binary.LittleEndian.PutUint64(dst, binary.LittleEndian.Uint64(src))
						binary.LittleEndian.PutUint64(dst[8:], binary.LittleEndian.Uint64(src[8:]))
						s.stack = s.stack[:k+len(full)]
					} else {
						s.stack = append(s.stack, full...)
					}
					if drop > 0 {
						drop++
						continue
					}
					// t.start and t.add, written out: a start tag of a
					// name of up to 16 bytes makes no call.
					local := full[colon+1:]
					f := &stack[len(stack)-1]
					t.nodes[f.node].flags |= textClosed
					nm := nmOther
					if len(local) <= 16 && cap(local) >= 16 {
						w0, w1 := nameWords(local)
						for h := wordHash(w0, w1); words[h].len != 0; h = (h + 1) % uint32(len(words)) {
							if e := &words[h]; e.w0 == w0 && e.w1 == w1 && int(e.len) == len(local) {
								nm = e.n
								break
							}
						}
					} else {
						nm = names.lookupString(local)
					}
					nm = t.keep[nm]
					if nm == nmOther {
						if self {
							s.drop()
						} else {
							drop = 1
						}
						continue
					}
					k := len(t.nodes)
					if k >= MaxElements {
						return t.limit(s, line, string(local), "%s holds more than %d elements with fields (MaxElements)", t.root, MaxElements)
					}
					if k < cap(t.nodes) {
						t.nodes = t.nodes[:k+1]
					} else {
						t.nodes = append(t.nodes, node{})
					}
					nd := &t.nodes[k]
					nd.text, nd.ccy = span{}, span{}
					nd.line, nd.next, nd.name, nd.flags = int32(line-t.base), none, nm, 0
					if len(s.attrs) > 0 {
						if v, ok := s.attr("Ccy"); ok {
							nd.ccy = t.put(v)
							nd.flags |= hasCcy
						}
					}
					if f.last == none {
						t.nodes[f.node].flags |= hasChild
					} else {
						t.nodes[f.last].next = int32(k)
					}
					f.last = int32(k)
					if self {
						s.drop()
					} else {
						stack = append(stack, frame{int32(k), none})
					}
					continue
				}
			}
		}
		tk, err := s.next()
		if err != nil {
			return err
		}
		switch tk.kind {
		case tokStart:
			if drop > 0 {
				if tk.selfClose {
					s.closeEmpty()
				} else {
					drop++
				}
				continue
			}
			if stack, err = t.start(s, stack, tk.name, tk.selfClose, tk.line); err != nil {
				return err
			}
			if tk.selfClose {
				s.closeEmpty()
			} else if stack[len(stack)-1].node == none {
				drop = 1
				stack = stack[:len(stack)-1]
			}
		case tokEnd:
			if drop > 0 {
				drop--
				continue
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
		case tokText:
			if drop == 0 {
				if err := t.addText(s, &stack[len(stack)-1], tk.text, tk.line); err != nil {
					return err
				}
			}
		case tokEOF:
			return s.errf(s.line, "unexpected EOF")
		}
	}
}

// start adds the element local that just started below the top of stack.
// An element no field reads gets no node: for one that is not empty the
// returned stack ends in a frame with node none, which the caller turns
// into skipping its content.
func (t *tree) start(s *scanner, stack []frame, local []byte, self bool, line int) ([]frame, error) {
	f := &stack[len(stack)-1]
	t.nodes[f.node].flags |= textClosed
	nm := t.keep[names.lookup(local)]
	if nm == nmOther {
		if !self {
			stack = append(stack, frame{none, none})
		}
		return stack, nil
	}
	if len(t.nodes) >= MaxElements {
		return stack, t.limit(s, line, string(local), "%s holds more than %d elements with fields (MaxElements)", t.root, MaxElements)
	}
	i := t.add(s, nm, line)
	if f.last == none {
		t.nodes[f.node].flags |= hasChild
	} else {
		t.nodes[f.last].next = i
	}
	f.last = i
	if !self {
		stack = append(stack, frame{i, none})
	}
	return stack, nil
}

// addText adds a piece of text to the element of frame f. An element's
// text starts with its first piece that is not only white space; the pieces
// after it (split off by comments, CDATA or processing instructions) are
// added until a child element starts. Text after a child is not the
// element's (camt has no mixed content).
func (t *tree) addText(s *scanner, f *frame, text []byte, line int) error {
	n := &t.nodes[f.node]
	if len(text) == 0 || (n.text.n == 0 || n.flags&textClosed != 0) && blank(text) {
		return nil
	}
	switch {
	case n.text.n == 0:
		if len(text) > MaxText {
			return t.limit(s, line, shorten(string(text)), "text longer than %d bytes (MaxText)", MaxText)
		}
		n.text = t.put(text)
		n.flags &^= textClosed
	case n.flags&textClosed == 0:
		// Text split by comments, CDATA or references: the pieces are
		// contiguous at the end of the arena.
		if int(n.text.n)+len(text) > MaxText {
			return t.limit(s, line, shorten(string(t.bytes(n.text))), "text longer than %d bytes (MaxText)", MaxText)
		}
		t.arena = append(t.arena, text...)
		n.text.n += int32(len(text))
		n.flags &^= trimmed
	}
	return nil
}

// fastAttrs reads the attributes of the start tag in b (without its '<')
// whose name ends at i, as long as they are the plain kind: one space, an
// ASCII name without prefix, '=', a quoted value of plain characters. It
// returns where they end, at the tag's '>' or "/>" if all were plain; else
// len(b), and the scanner's full checks must read the tag.
func fastAttrs(s *scanner, b []byte, i int) int {
	for i+1 < len(b) && b[i] == ' ' && nameClass[b[i+1]] == 1 {
		j := i + 2
		for j < len(b) && nameClass[b[j]] != 0 && b[j] != ':' {
			j++
		}
		if j+1 >= len(b) || b[j] != '=' || (b[j+1] != '"' && b[j+1] != '\'') {
			return len(b)
		}
		q := b[j+1]
		k := j + 2
		for k < len(b) && b[k] != q && textClass[b[k]] == 0 {
			k++
		}
		if k >= len(b) || b[k] != q {
			return len(b)
		}
		s.attrs = append(s.attrs, attr{name: b[i+1 : j], value: b[j+2 : k]})
		i = k + 1
	}
	return i
}

// scanText returns the length of the text at the start of b (up to the
// first '<', or all of b), its line feeds, whether it is plain (ASCII
// without references, control characters or ']') and whether it is only
// white space. Indentation, the most common text of a file written for
// people, is skipped eight spaces at a time, and other text eight plain
// bytes at a time.
func scanText(b []byte) (n, nl int, plain, blank bool) {
	i := 0
	for i < len(b) {
		switch b[i] {
		case ' ':
			if i+8 <= len(b) {
				// Skip the spaces among the next eight bytes: all
				// eight, or those before the first other byte.
				x := binary.LittleEndian.Uint64(b[i:]) ^ 0x2020202020202020
				if x == 0 {
					i += 8
				} else {
					i += bits.TrailingZeros64(x) / 8
				}
				continue
			}
		case '\n':
			nl++
		case '\t', '\r':
		case '<':
			return i, nl, true, true
		default:
			return scanRest(b, i, nl)
		}
		i++
	}
	return len(b), nl, true, true
}

// scanBytes is scanText byte by byte, without telling white space.
func scanBytes(b []byte) (n, nl int, plain bool) {
	plain = true
	for i, c := range b {
		switch textClass[c] {
		case 0:
		case 1:
			return i, nl, plain
		case 2:
			nl++
		default:
			plain = false
		}
	}
	return len(b), nl, plain
}

// scanRest goes on with scanText from b[i], a byte that is not white space.
func scanRest(b []byte, i, nl int) (n, nlines int, plain, blank bool) {
	plain = true
	for i < len(b) {
		if i+8 <= len(b) && plainWord(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
			continue
		}
		switch textClass[b[i]] {
		case 0:
		case 1:
			return i, nl, plain, false
		case 2:
			nl++
		default:
			plain = false
		}
		i++
	}
	return len(b), nl, plain, false
}

// plainWord reports whether the eight bytes of x are all of textClass 0
// and none is a tab or CR: ASCII from ' ' on, but '<', '&' and ']'.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// A byte >= 0x80, or < 0x20 (x has no high bits then), or one of the
	// three: x ^ c has a zero byte.
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	return x&highs == 0 && (x-0x20*ones)&^x&highs == 0 &&
		zero(x^(0x3C*ones))|zero(x^(0x26*ones))|zero(x^(0x5D*ones)) == 0
}

// limit makes the error for input beyond a limit at the scanner's position.
func (t *tree) limit(s *scanner, line int, value, format string, args ...any) error {
	return &limitError{line: line, path: s.path(), value: value, msg: fmt.Sprintf(format, args...)}
}

// blank reports whether text is only white space, as bytes.TrimSpace sees it.
func blank(b []byte) bool {
	for _, c := range b {
		switch {
		case isSpace(c):
		case c < 0x80 && c != '\v' && c != '\f':
			return false
		default:
			return len(bytes.TrimSpace(b)) == 0
		}
	}
	return true
}

func (t *tree) add(s *scanner, nm name, line int) int32 {
	i := len(t.nodes)
	if i < cap(t.nodes) {
		t.nodes = t.nodes[:i+1]
	} else {
		t.nodes = append(t.nodes, node{})
	}
	// Field by field: a whole 28-byte node copied in goes through the
	// stack with overlapping moves that stall the store.
	n := &t.nodes[i]
	n.text, n.ccy = span{}, span{}
	n.line, n.next, n.name, n.flags = int32(line-t.base), none, nm, 0
	if len(s.attrs) > 0 {
		if v, ok := s.attr("Ccy"); ok {
			n.ccy = t.put(v)
			n.flags |= hasCcy
		}
	}
	return int32(i)
}

// is reports whether node i is named nm.
func (t *tree) is(i int32, nm name) bool {
	return i != none && t.nodes[i].name == nm
}

// child returns the first child of i named nm.
func (t *tree) child(i int32, nm name) int32 {
	for c := t.firstChild(i); c != none; c = t.nodes[c].next {
		if t.nodes[c].name == nm {
			return c
		}
	}
	return none
}

// kids holds the first child of a node per name (none for none): an
// element read field by field looks its children up once.
type kids [numNames]int32

var noKids = func() (k kids) {
	for i := range k {
		k[i] = none
	}
	return k
}()

// kidsOf fills k with the first children of i by name.
func (t *tree) kidsOf(i int32, k *kids) {
	*k = noKids
	for c := t.firstChild(i); c != none; c = t.nodes[c].next {
		if nm := t.nodes[c].name; k[nm] == none {
			k[nm] = c
		}
	}
}

// at follows a path of child names from i.
func (t *tree) at(i int32, path ...name) int32 {
	for _, p := range path {
		if i == none {
			break
		}
		i = t.child(i, p)
	}
	return i
}

// firstChild returns the first child of i.
func (t *tree) firstChild(i int32) int32 {
	if i == none || t.nodes[i].flags&hasChild == 0 {
		return none
	}
	return i + 1
}

func (t *tree) nextSibling(c int32) int32 { return t.nodes[c].next }

// text returns the trimmed text of node i ("" for none), a substring of
// the one string of the element's texts (see tree.str).
func (t *tree) text(i int32) string {
	if i == none {
		return ""
	}
	sp := t.nodes[i].text
	all := t.bytes(sp)
	b := all
	if t.nodes[i].flags&trimmed == 0 {
		b = bytes.TrimSpace(all)
	}
	if len(b) == 0 {
		return ""
	}
	if len(t.arena) > maxShared {
		return string(b)
	}
	if !t.strOK {
		t.str, t.strOK = string(t.arena), true
	}
	// b is a piece of all: it starts where the capacities differ.
	off := int(sp.off) + cap(all) - cap(b)
	return t.str[off : off+len(b)]
}

// code returns the trimmed text of node i as an interned string: codes,
// currencies and BICs are few and repeat, so they are allocated once.
func (t *tree) code(i int32) string {
	if i == none {
		return ""
	}
	b := t.trim(i)
	// The code of an element is most often one of the two it had last
	// (CRDT and DBIT alternate): comparing with those is cheaper than a map
	// lookup.
	last := &t.codes.last[codeSlot[t.nodes[i].name]]
	switch {
	case len(b) == 0:
		return ""
	case last[0] == string(b):
		return last[0]
	case last[1] == string(b):
		return last[1]
	}
	s := t.internBytes(b)
	last[0], last[1] = s, last[0]
	return s
}

// codeCache holds codes as strings, so that each is allocated once.
type codeCache struct {
	// intern holds them by a hash of their bytes: a small table,
	// cheaper than a map for a file of a few entries and bounded for
	// any file.
	intern [internSlots]string
	// last holds the last two codes read per element name that codes
	// are read from (see codeSlot); the others share slot 0.
	last [numCodeSlots][2]string
}

// codeSlot gives each name code is read from its own slot of
// codeCache.last: a table per name of every name would be most of a
// Reader's size, cleared for each file.
var codeSlot = func() (k [numNames]uint8) {
	for i, n := range []name{nmCd, nmCdtDbtInd, nmSubFmlyCd, nmPrtry, nmIssr, nmRvslInd, nmBICFI, nmBIC} {
		k[n] = uint8(i + 1)
	}
	return k
}()

const numCodeSlots = 9

// internSlots is the size of codeCache.intern.
const internSlots = 64

// internBytes returns b as a string, the one kept in its slot of
// codeCache.intern if it is there, else a new one that takes the slot.
func (t *tree) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 16 {
		return string(b)
	}
	h := uint32(len(b))
	for _, c := range b {
		h = h*31 + uint32(c)
	}
	slot := &t.codes.intern[(h^h>>8)%internSlots]
	if *slot == string(b) {
		return *slot
	}
	*slot = string(b)
	return *slot
}

// codeAt returns the interned text at a path from i.
func (t *tree) codeAt(i int32, path ...name) string { return t.code(t.at(i, path...)) }

// codeChoice returns the first non-empty interned text among the paths.
func (t *tree) codeChoice(i int32, paths ...[]name) string {
	if i == none {
		return "" // most choices are of elements a file leaves out
	}
	for _, p := range paths {
		if s := t.codeAt(i, p...); s != "" {
			return s
		}
	}
	return ""
}

// textAt returns the text at a path from i.
func (t *tree) textAt(i int32, path ...name) string { return t.text(t.at(i, path...)) }

// line returns the line of node i, or def for none.
func (t *tree) line(i int32, def int) int {
	if i == none {
		return def
	}
	return t.base + int(t.nodes[i].line)
}

// raw returns the trimmed text of node i as bytes of the arena, valid until
// the next element is read (nil for none).
func (t *tree) raw(i int32) []byte {
	if i == none {
		return nil
	}
	return t.trim(i)
}

// trim returns the text of node i without the white space at its ends.
func (t *tree) trim(i int32) []byte {
	n := &t.nodes[i]
	if n.flags&trimmed != 0 {
		return t.arena[n.text.off : n.text.off+n.text.n]
	}
	return bytes.TrimSpace(t.arena[n.text.off : n.text.off+n.text.n])
}

// rawAt returns the raw text at a path from i.
func (t *tree) rawAt(i int32, path ...name) []byte { return t.raw(t.at(i, path...)) }

// rawChoice returns the first non-empty raw text among the paths.
func (t *tree) rawChoice(i int32, paths ...[]name) []byte {
	if i == none {
		return nil
	}
	for _, p := range paths {
		if b := t.rawAt(i, p...); len(b) > 0 {
			return b
		}
	}
	return nil
}

// amount reads an amount element (<Amt Ccy="EUR">12.30</Amt>).
func (t *tree) amount(i int32) amt {
	if i == none {
		return amt{}
	}
	n := &t.nodes[i]
	a := amt{raw: t.raw(i), Line: t.line(i, 0), Set: true}
	if n.flags&hasCcy != 0 {
		a.Ccy = t.internBytes(bytes.TrimSpace(t.bytes(n.ccy)))
	}
	return a
}

// choice returns the first non-empty text among the paths tried in order.
func (t *tree) choice(i int32, paths ...[]name) string {
	if i == none {
		return ""
	}
	for _, p := range paths {
		if s := t.textAt(i, p...); s != "" {
			return s
		}
	}
	return ""
}

// amt is an amount with its currency: <Amt Ccy="EUR">12.30</Amt>
// (ActiveOrHistoricCurrencyAndAmount). Line is where it stands in the file;
// raw is its text in the tree's arena, valid until the next element is read.
type amt struct {
	raw  []byte
	Ccy  string
	Line int
	Set  bool
}
