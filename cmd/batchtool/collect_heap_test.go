//go:build unix

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
)

// TestCollectBuildHeap runs `collect build` on due collections generated
// into a named pipe while they are read (nothing of the input is ever
// whole, in memory or on disk), and checks the peak heap stays under 64
// MiB. 200,000 rows by default; BATCHTOOL_HEAP_ROWS=1000000 (or 10000000)
// for the full size.
func TestCollectBuildHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	n := 200000
	if v := os.Getenv("BATCHTOOL_HEAP_ROWS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("BATCHTOOL_HEAP_ROWS=%q: want a number of rows", v)
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "due.csv")
	if err := syscall.Mkfifo(in, 0o600); err != nil {
		t.Skipf("no named pipe: %v", err)
	}
	out := filepath.Join(dir, "batch.xml")
	total := make(chan int64, 1)
	go func() {
		f, err := os.OpenFile(in, os.O_WRONLY, 0)
		if err != nil {
			total <- -1
			return
		}
		defer f.Close()
		c, _ := testutil.WriteDueRows(bufio.NewWriterSize(f, 64<<10), n)
		total <- c
	}()
	stop := testutil.SampleHeap()
	start := time.Now()
	code, stdout, stderr := batchtool(t, "collect", "build", "--in", in, "--creditor", repoFile("creditor.json"),
		"--collection-date", collectionDay(), "--out", out, "--message-id", "HEAP")
	elapsed := time.Since(start)
	peak := stop()
	if code != 0 {
		t.Fatalf("exit %d\n%.2000s", code, stderr)
	}
	cents := <-total
	if want := fmt.Sprintf("%s: %d transactions, total %d.%02d EUR (pain.008.001.02)\n", out, n, cents/100, cents%100); stdout != want {
		t.Fatalf("stdout %q, want %q", stdout, want)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows in %v (%.0f tx/s, generator included), %.0f MB of pain.008, peak heap in use %.1f MiB",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), float64(st.Size())/1e6, float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("peak heap %.1f MiB, want under 64 MiB", float64(peak)/(1<<20))
	}
}
