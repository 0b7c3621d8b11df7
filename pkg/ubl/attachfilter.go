package ubl

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
)

// attachTag is the element whose content attachFilter drops.
const attachTag = "EmbeddedDocumentBinaryObject"

// attachFilter passes an XML stream through unchanged except for the
// character content of cbc:EmbeddedDocumentBinaryObject elements, which it
// counts and drops, so that neither the XML decoder nor the reader ever holds
// a base64 attachment. It records where it dropped what, so that the reader
// can restore line numbers and report attachment sizes. Comments, CDATA
// sections and processing instructions are passed through untouched.
type attachFilter struct {
	r     *bufio.Reader
	out   int64 // bytes handed out so far (offset in the filtered stream)
	state int
	quote byte    // in a start tag: the open quote, or 0
	prev  byte    // in a start tag: the last non-space byte
	until string  // in passUntil: the end sequence
	tail  [2]byte // in passUntil: the last two bytes
	drops []drop
	err   error // sticky: too many attachments
}

// drop is one dropped attachment content.
type drop struct {
	at       int64 // offset in the filtered stream where the content was
	before   int   // line feeds dropped by the drops before this one
	newlines int   // line feeds dropped
	chars    int64 // non-space characters dropped
	pad      int   // '=' characters among them
}

// errTooManyAttachments refuses a document with more than maxAttachments
// attachment elements anywhere (the reader refuses as many in place): the
// filter keeps one drop for each.
var errTooManyAttachments = fmt.Errorf("more than %d embedded attachments (cbc:%s): refused (no real invoice has that many)", maxAttachments, attachTag)

// size is the decoded size of a base64 content.
func (d drop) size() int64 {
	n := d.chars*3/4 - int64(d.pad)
	if n < 0 {
		return 0
	}
	return n
}

const (
	fsPass = iota
	fsStartTag
	fsDrop
	fsPassUntil
)

func newAttachFilter(r io.Reader) *attachFilter {
	return &attachFilter{r: bufio.NewReaderSize(r, 16<<10)}
}

// newlinesBefore returns the line feeds dropped before offset off: a binary
// search, as the reader asks for every element (a linear scan made a
// document of many small attachments quadratic).
func (f *attachFilter) newlinesBefore(off int64) int {
	i := sort.Search(len(f.drops), func(i int) bool { return f.drops[i].at >= off })
	if i == len(f.drops) {
		if i == 0 {
			return 0
		}
		d := f.drops[i-1]
		return d.before + d.newlines
	}
	return f.drops[i].before
}

// dropAt returns the drop that started at offset off.
func (f *attachFilter) dropAt(off int64) (drop, bool) {
	i := sort.Search(len(f.drops), func(i int) bool { return f.drops[i].at >= off })
	if i < len(f.drops) && f.drops[i].at == off {
		return f.drops[i], true
	}
	return drop{}, false
}

func (f *attachFilter) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n := 0
	for n < len(p) {
		if f.r.Buffered() == 0 {
			if _, err := f.r.Peek(1); err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, err
			}
		}
		buf, _ := f.r.Peek(f.r.Buffered())
		switch f.state {
		case fsPass:
			i := bytes.IndexByte(buf, '<')
			if i != 0 {
				if i < 0 {
					i = len(buf)
				}
				k := copy(p[n:], buf[:i])
				f.r.Discard(k)
				n += k
				f.out += int64(k)
				continue
			}
			head, _ := f.r.Peek(4 + 64)
			switch {
			case bytes.HasPrefix(head, []byte("<!--")):
				f.state, f.until = fsPassUntil, "-->"
			case bytes.HasPrefix(head, []byte("<![CDATA[")):
				f.state, f.until = fsPassUntil, "]]>"
			case bytes.HasPrefix(head, []byte("<?")):
				f.state, f.until = fsPassUntil, "?>"
			case isAttachStart(head):
				f.state, f.quote, f.prev = fsStartTag, 0, 0
			}
			f.tail = [2]byte{}
			p[n] = '<'
			f.r.Discard(1)
			n++
			f.out++
		case fsStartTag:
			c := buf[0]
			p[n] = c
			f.r.Discard(1)
			n++
			f.out++
			switch {
			case f.quote != 0:
				if c == f.quote {
					f.quote = 0
				}
			case c == '"' || c == '\'':
				f.quote = c
			case c == '>':
				if f.prev == '/' {
					f.state = fsPass
				} else {
					if len(f.drops) == maxAttachments {
						f.err = errTooManyAttachments
						return n, f.err
					}
					before := 0
					if k := len(f.drops); k > 0 {
						before = f.drops[k-1].before + f.drops[k-1].newlines
					}
					f.state = fsDrop
					f.drops = append(f.drops, drop{at: f.out, before: before})
				}
			}
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				f.prev = c
			}
		case fsDrop:
			i := bytes.IndexByte(buf, '<')
			end := i
			if i < 0 {
				end = len(buf)
			}
			d := &f.drops[len(f.drops)-1]
			for _, c := range buf[:end] {
				switch c {
				case '\n':
					d.newlines++
				case ' ', '\t', '\r':
				case '=':
					d.pad++
					d.chars++
				default:
					d.chars++
				}
			}
			f.r.Discard(end)
			if i >= 0 {
				f.state = fsPass
			}
		case fsPassUntil:
			c := buf[0]
			p[n] = c
			f.r.Discard(1)
			n++
			f.out++
			u := f.until
			if (len(u) == 2 && f.tail[1] == u[0] && c == u[1]) ||
				(len(u) == 3 && f.tail[0] == u[0] && f.tail[1] == u[1] && c == u[2]) {
				f.state = fsPass
			}
			f.tail = [2]byte{f.tail[1], c}
		}
	}
	return n, nil
}

// isAttachStart reports whether head starts with a start tag named
// EmbeddedDocumentBinaryObject, with any namespace prefix.
func isAttachStart(head []byte) bool {
	if len(head) < 2 || head[0] != '<' {
		return false
	}
	name := head[1:]
	end := 0
	for end < len(name) && isNameByte(name[end]) {
		end++
	}
	if end == len(name) { // name runs past what we looked at
		return false
	}
	local := name[:end]
	if i := bytes.LastIndexByte(local, ':'); i >= 0 {
		local = local[i+1:]
	}
	return string(local) == attachTag
}

func isNameByte(c byte) bool {
	return c == ':' || c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
