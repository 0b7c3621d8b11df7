//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOutputNotRegular: --out a FIFO or a symlink to /dev/null writes
// into it and leaves it what it was (renaming over /dev/stdout as root
// replaced the link with a file).
func TestOutputNotRegular(t *testing.T) {
	camtFile := corpusFile(t, "camt053", "subite-camt053-v2-be-small.xml")
	dir := t.TempDir()
	null := filepath.Join(dir, "null.csv")
	if err := os.Symlink("/dev/null", null); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := batchtool(t, "statement", "convert", camtFile, "--out", null); code != 0 || out != null+": 3 rows from 1 file(s)\n" {
		t.Fatalf("symlink to /dev/null: exit %d %q %q", code, out, errOut)
	}
	if target, err := os.Readlink(null); err != nil || target != "/dev/null" {
		t.Fatalf("link now %q, %v", target, err)
	}

	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	code, out, errOut := batchtool(t, "statement", "convert", camtFile, "--out", fifo)
	b := <-got
	if code != 0 || out != fifo+": 3 rows from 1 file(s)\n" || bytes.Count(b, []byte("\n")) != 4 || !bytes.HasPrefix(b, []byte("account,account_currency,")) {
		t.Fatalf("FIFO: exit %d %q %q, read %q", code, out, errOut, b)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("FIFO replaced: %v %v", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d files in dir, want 2 (no temporary file left)", len(entries))
	}
}
