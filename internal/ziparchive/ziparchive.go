// Package ziparchive opens the zip files batchtool reads (statements and
// UBL invoices delivered zipped) within bounds no real archive reaches, so
// that a small hostile zip cannot expand into gigabytes of reading (a 1 MB
// zip held a 1 GB UBL; a 755 KB zip expanded to a camt statement that was
// read with 2.2 GB RSS and booked):
//
//   - at most MaxMembers files (directories not counted), checked from the
//     end-of-central-directory record before archive/zip reads the
//     directory;
//   - a member expands to at most MaxRatio times its compressed size plus
//     RatioAllowance bytes (real statements and invoices compress 2-40
//     times; deflate reaches 1,000), and to at most MaxMemberBytes;
//   - a member name may not hold control characters (line feed, escape,
//     U+202E and the other characters safename refuses).
//
// Beyond a bound the archive, or the member, is refused with a
// finding.Finding of rule "limit" naming the archive, the member and the
// figures. The sizes are checked against the headers before the member is
// read (archive/zip fails a member that inflates beyond its header), and
// counted again while it is read.
package ziparchive

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/finding"
)

// Bounds of an archive.
const (
	MaxMembers     = 10_000
	MaxMemberBytes = 2 << 30
	MaxRatio       = 200
	RatioAllowance = 64 << 10
)

// RuleLimit is the rule of the findings that refuse an archive or member.
const RuleLimit = "limit"

// Archive is an opened zip file.
type Archive struct {
	Name    string    // the archive's file name, as given to Open
	Members []*Member // the files it holds, in directory order, without directories
}

// Member is one file of an archive.
type Member struct {
	Name string // "archive.zip!dir/member.xml", the name used in messages and the ledger
	Path string // the member's path inside the archive, slash-separated
	// Err is set when the member is refused (its name): Open returns it.
	Err error
	f   *zip.File
	arc string
}

// IsZip reports whether head starts like a zip file.
func IsZip(head []byte) bool { return bytes.HasPrefix(head, []byte("PK\x03\x04")) }

// Open reads the directory of the zip file ra of size bytes, called name.
func Open(name string, ra io.ReaderAt, size int64) (*Archive, error) {
	if n, ok := directoryRecords(ra, size); ok && n > MaxMembers {
		return nil, refuse(name, "", fmt.Sprintf("%d", n), fmt.Sprintf("the zip holds %d entries, more than %d: refused (no real archive has that many)", n, MaxMembers))
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	a := &Archive{Name: name}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if len(a.Members) == MaxMembers {
			return nil, refuse(name, "", "", fmt.Sprintf("the zip holds more than %d files: refused (no real archive has that many)", MaxMembers))
		}
		p := filepath.ToSlash(f.Name)
		m := &Member{Name: name + "!" + p, Path: p, f: f, arc: name}
		if err := safename.Check(p); err != nil {
			m.Err = refuse(m.Name, "", "", "member "+err.Error())
		}
		a.Members = append(a.Members, m)
	}
	return a, nil
}

func refuse(file, path, value, msg string) error {
	return finding.Finding{Severity: finding.Error, File: file, Path: path, Value: value, Rule: RuleLimit, Message: msg}
}

// allowed returns the bytes a member may expand to.
func (m *Member) allowed() uint64 {
	return min(m.f.CompressedSize64*MaxRatio+RatioAllowance, MaxMemberBytes)
}

// Open opens the member for reading; it is refused before any byte is
// inflated when its header states more than the bounds allow.
func (m *Member) Open() (io.ReadCloser, error) {
	if m.Err != nil {
		return nil, m.Err
	}
	if err := m.check(m.f.UncompressedSize64); err != nil {
		return nil, err
	}
	rc, err := m.f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	return &bounded{rc: rc, m: m, left: m.allowed()}, nil
}

func (m *Member) check(size uint64) error {
	if size > MaxMemberBytes {
		return refuse(m.Name, "", fmt.Sprintf("%d bytes", size), fmt.Sprintf("member expands to more than %d GiB: refused", MaxMemberBytes>>30))
	}
	if size > m.allowed() {
		return refuse(m.Name, "", fmt.Sprintf("%d bytes from %d", size, m.f.CompressedSize64),
			fmt.Sprintf("member expands more than %d times its compressed size: refused (real statements and invoices compress at most 40 times; a zip bomb 1,000)", MaxRatio))
	}
	return nil
}

// bounded counts what a member inflates to.
type bounded struct {
	rc   io.ReadCloser
	m    *Member
	left uint64
	read uint64
}

func (b *bounded) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.read += uint64(n)
	if b.read > b.left {
		return 0, b.m.check(b.read)
	}
	return n, err
}

func (b *bounded) Close() error { return b.rc.Close() }

// directoryRecords reads the number of entries from the end-of-central-
// directory record (zip64 when its 16-bit count is saturated); ok is false
// when the record cannot be found, and archive/zip will say why.
func directoryRecords(ra io.ReaderAt, size int64) (n uint64, ok bool) {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := ra.ReadAt(buf, size-tail); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return 0, false
	}
	n = uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if n != 0xffff {
		return n, true
	}
	// zip64: the locator sits right before the record and points at the
	// zip64 end of central directory, whose entry count is at offset 32.
	at := size - tail + int64(i) - 20
	var loc [20]byte
	if at < 0 {
		return n, true
	}
	if _, err := ra.ReadAt(loc[:], at); err != nil || !bytes.HasPrefix(loc[:], []byte("PK\x06\x07")) {
		return n, true
	}
	var rec [40]byte
	off := int64(binary.LittleEndian.Uint64(loc[8:]))
	if _, err := ra.ReadAt(rec[:], off); err != nil || !bytes.HasPrefix(rec[:], []byte("PK\x06\x06")) {
		return n, true
	}
	return binary.LittleEndian.Uint64(rec[32:]), true
}
