package statement_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/statement"
)

// TestInOrder: results come to use in the order of i whatever order the
// work finishes in, work runs in parallel, and no more than GOMAXPROCS
// results wait.
func TestInOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, n := range []int{0, 1, 3, 4, 5, 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var running, most, ahead, mostAhead atomic.Int32
			var got []int
			statement.InOrder(n, func(i int) int {
				r := running.Add(1)
				for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
				}
				time.Sleep(time.Duration((n-i)%4) * time.Millisecond) // later ones finish first
				running.Add(-1)
				a := ahead.Add(1)
				for m := mostAhead.Load(); a > m && !mostAhead.CompareAndSwap(m, a); m = mostAhead.Load() {
				}
				return i * i
			}, func(i, v int) {
				ahead.Add(-1)
				if v != i*i {
					t.Errorf("use(%d, %d): want %d", i, v, i*i)
				}
				got = append(got, i)
			})
			if len(got) != n {
				t.Fatalf("use called %d times, want %d", len(got), n)
			}
			for i, v := range got {
				if v != i {
					t.Fatalf("order %v", got)
				}
			}
			if n >= 4 && most.Load() < 2 {
				t.Errorf("at most %d at once: not parallel", most.Load())
			}
			if mostAhead.Load() > 4 {
				t.Errorf("%d results waiting, want at most 4", mostAhead.Load())
			}
		})
	}
}

// TestReadAheadSameEntries: through ReadAhead a file gives the same entries
// in the same order, the same findings and statements, and stopping early
// leaves no goroutine behind blocked.
func TestReadAheadSameEntries(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "coda", "testdata", "sandbox-sdd.cod"))
	if err != nil {
		t.Fatal(err)
	}
	// many statements: the same file 300 times
	big := bytes.Repeat(data, 300)
	flat := func(r statement.Reader) string {
		var b strings.Builder
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range statement.FlatRows(e) {
				b.WriteString(strings.Join(row, "|") + "\n")
			}
		}
		fmt.Fprintf(&b, "%d statements, %v", len(r.Statements()), r.Findings())
		return b.String()
	}
	want := flat(coda.NewReader(bytes.NewReader(big), "big.cod"))
	ar := statement.ReadAhead(coda.NewReader(bytes.NewReader(big), "big.cod"))
	got := flat(ar)
	ar.Close()
	if got != want || !strings.Contains(got, "300 statements") {
		t.Fatalf("read ahead differs:\n%.500s\nwant\n%.500s", got, want)
	}
	ar = statement.ReadAhead(coda.NewReader(bytes.NewReader(big), "big.cod"))
	if _, err := ar.Next(); err != nil {
		t.Fatal(err)
	}
	ar.Close() // returns only when the goroutine has stopped
}

// TestSplit: parts begin at 0 and where nextCut says, asked target bytes
// past the last cut; they cover the file without gap or overlap.
func TestSplit(t *testing.T) {
	type part struct{ off, n int64 }
	at := func(step int64) func(int64) (int64, error) {
		return func(from int64) (int64, error) {
			c := (from + step - 1) / step * step // the next multiple of step
			if c >= 100 {
				return -1, nil
			}
			return c, nil
		}
	}
	tests := []struct {
		name   string
		target int64
		cut    func(int64) (int64, error)
		want   string
	}{
		{"cuts at every 7th byte, parts of 30", 30, at(7), "[{0 35} {35 35} {70 30}]"},
		{"no cut", 30, func(int64) (int64, error) { return -1, nil }, "[{0 100}]"},
		{"target past the end", 200, at(7), "[{0 100}]"},
	}
	for _, tt := range tests {
		parts, err := statement.Split(100, tt.target, tt.cut, func(off, n int64) part { return part{off, n} })
		if err != nil || fmt.Sprint(parts) != tt.want {
			t.Errorf("%s: Split = %v, %v; want %s", tt.name, parts, err, tt.want)
		}
	}
	boom := errors.New("read failed")
	if _, err := statement.Split(100, 30, func(int64) (int64, error) { return 0, boom }, func(off, n int64) part { return part{off, n} }); err != boom {
		t.Errorf("Split with a failing cut: %v, want %v", err, boom)
	}
}
