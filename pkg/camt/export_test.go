package camt

import "io"

// NewCarefulReader returns a Reader that reads every token with the
// scanner's full checks, never straight from the buffer: FuzzReader
// requires both Readers to return the same.
func NewCarefulReader(r io.Reader, name string) *Reader {
	cr := NewReader(r, name)
	cr.t.careful = true
	return cr
}

// ReadAgain returns how many parts of f were read again from the state the
// parts before them left, and whether the rest of the file was read by
// one Reader.
func ReadAgain(f *File) (int, bool) { return f.again, f.rest }
