package coda

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the Reader: it must never panic,
// must end, and must hand out entries that belong to a statement and hold
// at least one transaction.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*")
	shared := os.Getenv("BATCHTOOL_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "..", "..", "shared")
	}
	corpus, _ := filepath.Glob(filepath.Join(shared, "corpus", "coda", "*"))
	for _, p := range append(seeds, corpus...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(generated(3))
	f.Add([]byte(hdr() + "\n" + old("000000000000000") + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cs := range []Charset{Detect, CP850} {
			r := NewReader(bytes.NewReader(data), "fuzz.cod", WithCharset(cs))
			lines := bytes.Count(data, []byte{'\n'}) + 1
			n := 0
			for {
				e, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				if n > lines {
					t.Fatalf("%d entries from %d lines", n, lines)
				}
				if e.Statement == nil || len(e.Details) == 0 {
					t.Fatalf("entry %+v without statement or transactions", e)
				}
			}
			_ = r.Findings()
		}
	})
}
