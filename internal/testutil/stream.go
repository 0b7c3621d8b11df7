package testutil

import (
	"io"
	"strings"
)

// Repeat returns a reader of n bytes of pattern repeated (cut short at n),
// generated as it is read: heap tests stream hostile inputs of gigabytes
// without holding them.
func Repeat(pattern string, n int64) io.Reader {
	return io.LimitReader(&repeater{p: pattern}, n)
}

type repeater struct {
	p   string
	off int
}

func (r *repeater) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k := copy(b[n:], r.p[r.off:])
		n += k
		r.off = (r.off + k) % len(r.p)
	}
	return n, nil
}

// Concat streams its parts one after the other: strings are written as
// they are, readers are read to their end.
func Concat(parts ...any) io.Reader {
	rs := make([]io.Reader, 0, len(parts))
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			rs = append(rs, strings.NewReader(p))
		case io.Reader:
			rs = append(rs, p)
		default:
			panic("testutil.Concat: a string or an io.Reader")
		}
	}
	return io.MultiReader(rs...)
}
