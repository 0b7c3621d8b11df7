package ledger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/statement"
)

// benchN is the number of open items and statement lines of
// BenchmarkLedgerImport: BATCHTOOL_BENCH_N (default 100000); the target run
// is BATCHTOOL_BENCH_N=1000000 (1,000,000 lines against 1,000,000 open
// items).
func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("BATCHTOOL_BENCH_N")); err == nil && v >= 1000 {
		return v / 1000 * 1000
	}
	return 100000
}

// BenchmarkLedgerImport imports N generated statement lines into a ledger
// holding N open items (N/2 collections, N/2 invoices) and reconciles every
// line: on SQLite with one worker, and on PostgreSQL (when
// BATCHTOOL_TEST_POSTGRES names a server) with 1, 2 and 4 workers, each
// importing its share of the lines as a file of its own account at the
// same time. `make bench-ledger` runs it. Reported: lines/s over all
// workers, the import's seconds, the seeding's seconds, peak Go heap and
// peak RSS of the process during the import (VmHWM, reset before it; with
// SQLite that includes its page cache; the PostgreSQL server's memory is
// its own).
func BenchmarkLedgerImport(b *testing.B) {
	n := benchN()
	b.Run("sqlite/workers=1", func(b *testing.B) {
		benchImport(b, filepath.Join(b.TempDir(), "ledger.db"), n, 1)
	})
	for _, w := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("postgres/workers=%d", w), func(b *testing.B) {
			loc := testutil.PostgresLedger(b)
			if loc == "" {
				b.Skipf("%s is not set", testutil.PostgresEnv)
			}
			benchImport(b, loc, n, w)
		})
	}
}

func benchImport(b *testing.B, loc string, n, workers int) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if i > 0 {
			b.Fatal("run with -benchtime 1x: the ledger is imported into once")
		}
		l, err := Open(loc)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		seed(b, l, n)
		seedTime := time.Since(t0)
		runtime.GC()
		resetHWM()
		stop := testutil.SampleHeap()
		b.StartTimer()
		t1 := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, workers)
		results := make([]*ImportResult, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				// Worker w: lines w*n/workers up to (w+1)*n/workers, on an
				// account of its own.
				st := *genStatement
				st.Account = statement.Account{IBAN: fmt.Sprintf("BE%014d", 68539007547034+w), Currency: "EUR"}
				name := fmt.Sprintf("bench-%d", w)
				results[w], errs[w] = l.Import(context.Background(), File{Name: name, SHA256: name},
					&genReader{k: w * n / workers, to: (w + 1) * n / workers, st: &st}, ImportOptions{})
			}(w)
		}
		wg.Wait()
		el := time.Since(t1)
		b.StopTimer()
		peak := stop()
		for w, err := range errs {
			if err != nil {
				b.Fatalf("worker %d: %v", w, err)
			}
		}
		total := results[0].Summary
		for _, r := range results[1:] {
			total.Merge(r.Summary)
		}
		checkSummary(b, total, n)
		b.ReportMetric(float64(n)/el.Seconds(), "lines/s")
		b.ReportMetric(el.Seconds(), "import-s")
		b.ReportMetric(seedTime.Seconds(), "seed-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MiB")
		l.Close()
		b.StartTimer()
	}
}

// resetHWM resets the peak resident set size of the process (Linux: 5 to
// /proc/self/clear_refs), so that VmHWM tells the peak of what follows.
func resetHWM() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// vmHWM returns the peak resident set size of the process (Linux), 0
// elsewhere.
func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseUint(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
