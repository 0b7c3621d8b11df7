package camt_test

import (
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/camt"
)

// TestHeapFlat streams a generated camt.053, produced on the fly, through
// the Reader and checks that the peak heap stays under 64 MiB and that
// every entry and the balance add up. The default is 512 MiB, which takes
// a few seconds on an idle machine and well under a minute on a loaded one;
// CAMT_HEAP_BYTES=1073741824 streams the full GiB. Skipped with -short.
func TestHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the large stream in -short mode")
	}
	size := int64(512 << 20)
	if s := os.Getenv("CAMT_HEAP_BYTES"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("CAMT_HEAP_BYTES: %v", err)
		}
		size = v
	}
	const limit = 64 << 20
	g, wantEntries, wantCredits, wantDebits := newGenStatement(size)
	cr := &countingReader{r: g}

	stopHeap := testutil.SampleHeap()

	start := time.Now()
	r := camt.NewReader(cr, "generated.xml")
	n := 0
	credits, debits := decimal.Zero, decimal.Zero
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if e.Amount.Sign() > 0 {
			credits = credits.Add(e.Amount)
		} else {
			debits = debits.Sub(e.Amount)
		}
	}
	elapsed := time.Since(start)
	peak := stopHeap()

	if n != wantEntries || !credits.Equal(wantCredits) || !debits.Equal(wantDebits) {
		t.Errorf("entries %d credits %s debits %s, want %d %s %s", n, credits, debits, wantEntries, wantCredits, wantDebits)
	}
	if fs := r.Findings(); len(fs) != 0 {
		t.Errorf("findings: %v", fs)
	}
	mb := float64(cr.n) / (1 << 20)
	t.Logf("streamed %.0f MiB, %d entries in %s (%.1f MB/s); peak heap in use %.1f MiB",
		mb, n, elapsed.Round(time.Millisecond), float64(cr.n)/1e6/elapsed.Seconds(), float64(peak)/(1<<20))
	if p := peak; p > limit {
		t.Errorf("peak heap %d bytes exceeds %d", p, limit)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
