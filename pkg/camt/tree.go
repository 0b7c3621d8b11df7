package camt

import (
	"bytes"
)

// tree holds one decoded element (an Ntry, a Bal, the Acct ...) as a small
// tree of nodes whose names and texts live in one byte arena. It is reused
// from element to element, so reading an entry allocates only the strings
// it hands out.
type tree struct {
	nodes  []node
	arena  []byte
	intern map[string]string // codes, currencies and BICs repeat on every entry
}

type span struct{ off, n int32 }

type node struct {
	name        span
	text        span
	ccy         span // the Ccy attribute of amounts
	line        int32
	first, last int32 // children
	next        int32 // sibling
	hasCcy      bool
}

// none is the index of a missing node; every accessor accepts it.
const none = -1

func (t *tree) put(b []byte) span {
	s := span{int32(len(t.arena)), int32(len(b))}
	t.arena = append(t.arena, b...)
	return s
}

func (t *tree) bytes(s span) []byte { return t.arena[s.off : s.off+s.n] }

// read decodes the element whose start tag tok the scanner just returned.
func (t *tree) read(s *scanner, tok *token) error {
	t.nodes = t.nodes[:0]
	t.arena = t.arena[:0]
	t.add(s, tok, none)
	if tok.selfClose {
		_, err := s.next()
		return err
	}
	var stackBuf [16]int32
	stack := append(stackBuf[:0], 0)
	for len(stack) > 0 {
		tk, err := s.next()
		if err != nil {
			return err
		}
		cur := stack[len(stack)-1]
		switch tk.kind {
		case tokStart:
			i := t.add(s, &tk, cur)
			if !tk.selfClose {
				stack = append(stack, i)
			} else if _, err := s.next(); err != nil {
				return err
			}
		case tokEnd:
			stack = stack[:len(stack)-1]
		case tokText:
			if len(bytes.TrimSpace(tk.text)) == 0 {
				continue
			}
			n := &t.nodes[cur]
			if n.text.n == 0 {
				n.text = t.put(tk.text)
			} else if n.text.off+n.text.n == int32(len(t.arena)) {
				t.arena = append(t.arena, tk.text...)
				n.text.n += int32(len(tk.text))
			}
		case tokEOF:
			return s.errf(s.line, "unexpected EOF")
		}
	}
	return nil
}

func (t *tree) add(s *scanner, tok *token, parent int32) int32 {
	n := node{name: t.put(tok.name), line: int32(tok.line), first: none, last: none, next: none}
	if v, ok := s.attr("Ccy"); ok {
		n.ccy, n.hasCcy = t.put(v), true
	}
	i := int32(len(t.nodes))
	t.nodes = append(t.nodes, n)
	if parent != none {
		p := &t.nodes[parent]
		if p.last == none {
			p.first = i
		} else {
			t.nodes[p.last].next = i
		}
		p.last = i
	}
	return i
}

// is reports whether node i is named name.
func (t *tree) is(i int32, name string) bool {
	return i != none && string(t.bytes(t.nodes[i].name)) == name
}

// child returns the first child of i named name.
func (t *tree) child(i int32, name string) int32 {
	if i == none {
		return none
	}
	for c := t.nodes[i].first; c != none; c = t.nodes[c].next {
		if string(t.bytes(t.nodes[c].name)) == name {
			return c
		}
	}
	return none
}

// at follows a path of child names from i.
func (t *tree) at(i int32, path ...string) int32 {
	for _, p := range path {
		i = t.child(i, p)
	}
	return i
}

// first returns the first child of i; nextNamed the next sibling of c named like c.
func (t *tree) firstChild(i int32) int32 {
	if i == none {
		return none
	}
	return t.nodes[i].first
}

func (t *tree) nextSibling(c int32) int32 { return t.nodes[c].next }

// text returns the trimmed text of node i ("" for none).
func (t *tree) text(i int32) string {
	if i == none {
		return ""
	}
	b := bytes.TrimSpace(t.bytes(t.nodes[i].text))
	if len(b) == 0 {
		return ""
	}
	return string(b)
}

// code returns the trimmed text of node i as an interned string: codes,
// currencies and BICs are few and repeat, so they are allocated once.
func (t *tree) code(i int32) string {
	if i == none {
		return ""
	}
	b := bytes.TrimSpace(t.bytes(t.nodes[i].text))
	return t.internBytes(b)
}

func (t *tree) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 16 {
		return string(b)
	}
	if s, ok := t.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if t.intern == nil {
		t.intern = make(map[string]string)
	}
	if len(t.intern) < 4096 {
		t.intern[s] = s
	}
	return s
}

// codeAt returns the interned text at a path from i.
func (t *tree) codeAt(i int32, path ...string) string { return t.code(t.at(i, path...)) }

// codeChoice returns the first non-empty interned text among the paths.
func (t *tree) codeChoice(i int32, paths ...[]string) string {
	for _, p := range paths {
		if s := t.codeAt(i, p...); s != "" {
			return s
		}
	}
	return ""
}

// textAt returns the text at a path from i.
func (t *tree) textAt(i int32, path ...string) string { return t.text(t.at(i, path...)) }

// line returns the line of node i, or def for none.
func (t *tree) line(i int32, def int) int {
	if i == none {
		return def
	}
	return int(t.nodes[i].line)
}

// amount reads an amount element (<Amt Ccy="EUR">12.30</Amt>).
func (t *tree) amount(i int32) amt {
	if i == none {
		return amt{}
	}
	n := &t.nodes[i]
	a := amt{Value: t.text(i), Line: int(n.line), Set: true}
	if n.hasCcy {
		a.Ccy = t.internBytes(bytes.TrimSpace(t.bytes(n.ccy)))
	}
	return a
}

// choice returns the first non-empty text among the paths tried in order.
func (t *tree) choice(i int32, paths ...[]string) string {
	for _, p := range paths {
		if s := t.textAt(i, p...); s != "" {
			return s
		}
	}
	return ""
}

// amt is an amount with its currency: <Amt Ccy="EUR">12.30</Amt>
// (ActiveOrHistoricCurrencyAndAmount). Line is where it stands in the file.
type amt struct {
	Value string
	Ccy   string
	Line  int
	Set   bool
}
