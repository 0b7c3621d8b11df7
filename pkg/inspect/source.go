package inspect

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
)

// Source is an input opened for reading by content: a file or a stream,
// a gzip file already decompressed (statement.xml.gz is read as
// statement.xml), with its first bytes at hand to tell its format.
type Source struct {
	Name   string
	R      *bufio.Reader // the content, decompressed
	Head   []byte        // its first bytes (up to SniffLen)
	Format Format
	Gzip   bool     // the file is gzip; R is its content
	File   *os.File // the file itself, for a zip's random access; nil for a stream and gzip
	Size   int64    // bytes on disk; -1 when unknown (standard input, a pipe)
	// Reading is Options.Reading, for a caller that reads File at
	// offsets of its own (coda.ReadParallel) and counts progress.
	Reading func(io.Reader) io.Reader
	close   []io.Closer
}

// Close closes what Open or NewSource opened.
func (s *Source) Close() error {
	var err error
	for i := len(s.close) - 1; i >= 0; i-- {
		if e := s.close[i].Close(); err == nil {
			err = e
		}
	}
	return err
}

// Unreadable is an input that is not one batchtool reads: a directory, an
// empty file, an image. It is a usage error (exit 2), said in one line.
type Unreadable struct {
	Name string // the file's name as given
	What string // what it is: "is a directory: give the files in it (in/*)"
}

func (u *Unreadable) Error() string { return u.Name + ": " + u.What }

// Options says how Open and NewSource read.
type Options struct {
	// BufSize is the read buffer (at least SniffLen).
	BufSize int
	// Reading, if set, wraps the bytes as they are read from disk or
	// the stream, before decompression (to count progress).
	Reading func(io.Reader) io.Reader
}

// Open opens the file name for reading by content. A directory or an empty
// file is refused as *Unreadable; a gzip file is decompressed (once: a
// gzip inside a gzip is refused).
func Open(name string, opt Options) (*Source, error) {
	s := &Source{Name: name, Size: -1}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	s.close = append(s.close, f)
	st, err := f.Stat()
	if err != nil {
		s.Close()
		return nil, err
	}
	if st.IsDir() {
		s.Close()
		return nil, &Unreadable{Name: name, What: "is a directory: give the files in it (" + name + "/*)"}
	}
	if st.Mode().IsRegular() {
		s.Size = st.Size()
		if s.Size == 0 {
			s.Close()
			return nil, &Unreadable{Name: name, What: "is empty (0 bytes)"}
		}
	}
	s.File = f
	return s.start(f, opt)
}

// NewSource reads r (a stream such as standard input, named name in
// findings) by content as Open reads a file.
func NewSource(name string, r io.Reader, opt Options) (*Source, error) {
	s := &Source{Name: name, Size: -1}
	return s.start(r, opt)
}

// start sniffs raw, decompressing a gzip, and tells its format.
func (s *Source) start(raw io.Reader, opt Options) (*Source, error) {
	name := s.Name
	s.Reading = opt.Reading
	if opt.Reading != nil {
		raw = opt.Reading(raw)
	}
	bufSize := opt.BufSize
	if bufSize < SniffLen {
		bufSize = SniffLen
	}
	s.R = bufio.NewReaderSize(raw, bufSize)
	s.Head, _ = s.R.Peek(SniffLen)
	if len(s.Head) == 0 {
		s.Close()
		return nil, &Unreadable{Name: name, What: "is empty (0 bytes)"}
	}
	if isGzip(s.Head) {
		zr, err := gzip.NewReader(s.R)
		if err != nil {
			s.Close()
			return nil, &Unreadable{Name: name, What: "is gzip and cannot be decompressed: " + err.Error()}
		}
		zr.Multistream(true)
		s.close = append(s.close, zr)
		s.Gzip, s.File = true, nil
		s.R = bufio.NewReaderSize(zr, bufSize)
		s.Head, _ = s.R.Peek(SniffLen)
		if len(s.Head) == 0 {
			s.Close()
			return nil, &Unreadable{Name: name, What: "is gzip of an empty file"}
		}
		if isGzip(s.Head) {
			s.Close()
			return nil, &Unreadable{Name: name, What: "is gzip of a gzip file: decompress it once first"}
		}
	}
	s.Format = Detect(s.Head)
	if s.Format == FormatZip && s.File == nil {
		what := "is a zip on standard input: give its file name (a zip is read from its end)"
		if s.Gzip {
			what = "is a gzip of a zip: decompress it first"
		}
		s.Close()
		return nil, &Unreadable{Name: name, What: what}
	}
	return s, nil
}

func isGzip(head []byte) bool { return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b }

// Foreign names what a file is when it is none of ours, from its first
// bytes: an image, a PDF, an office document; "" when it cannot tell.
func Foreign(head []byte) string {
	for _, m := range []struct{ magic, what string }{
		{"\x89PNG\r\n\x1a\n", "a PNG image"},
		{"\xff\xd8\xff", "a JPEG image"},
		{"GIF87a", "a GIF image"},
		{"GIF89a", "a GIF image"},
		{"%PDF-", "a PDF document"},
		{"PK\x05\x06", "an empty zip"},
		{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.xls/.doc)"},
		{"BZh", "bzip2-compressed: decompress it first"},
		{"\xfd7zXZ\x00", "xz-compressed: decompress it first"},
		{"\x28\xb5\x2f\xfd", "zstd-compressed: decompress it first"},
		{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive: extract it first"},
	} {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			return m.what
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" {
		return "a WebP image"
	}
	return ""
}
