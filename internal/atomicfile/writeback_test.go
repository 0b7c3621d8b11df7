package atomicfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteback: the writer asking for early write-out writes every byte,
// across several write-out requests, and leaves what is not a file alone.
func TestWriteback(t *testing.T) {
	var buf bytes.Buffer
	if w := Writeback(&buf); w != &buf {
		t.Errorf("Writeback(*bytes.Buffer) = %T, want the buffer itself", w)
	}
	f, err := Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	w := Writeback(f)
	block := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	for range 20 {
		if _, err := w.Write(block); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20<<20 || !bytes.Equal(got[19<<20:], block) {
		t.Errorf("file has %d bytes, want %d ending in the last block", len(got), 20<<20)
	}
}
