package ledger

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
)

// benchN is the number of open items and statement lines of
// BenchmarkReconcile: BATCHTOOL_BENCH_N (default 100000); the target run is
// BATCHTOOL_BENCH_N=1000000 (1,000,000 lines against 1,000,000 open items).
func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("BATCHTOOL_BENCH_N")); err == nil && v >= 1000 {
		return v / 1000 * 1000
	}
	return 100000
}

// BenchmarkReconcile imports N generated statement lines into a SQLite
// ledger holding N open items (N/2 collections, N/2 invoices) and reconciles
// every line. Reported: lines/s, peak Go heap and peak RSS (VmHWM, which
// includes SQLite's own allocations and the seeding).
//
// Measured 2026-11-22 on the 2-core build machine when it was quiet
// (load about 1): N=1,000,000 imported in 40.1 s (24,900 lines/s), peak RSS
// 338 MiB, peak Go heap 72 MiB, seeding 1,000,000 open items 10.8 s. Under
// a load of 10-15 from other jobs the same run took 85-150 s wall for about
// 54 s of CPU.
func BenchmarkReconcile(b *testing.B) {
	n := benchN()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		l, _ := openTemp(b)
		t0 := time.Now()
		seed(b, l, n)
		b.ReportMetric(time.Since(t0).Seconds(), "seed-s")
		runtime.GC()
		stop := testutil.SampleHeap()
		b.StartTimer()
		t1 := time.Now()
		r, err := l.Import(context.Background(), File{Name: "bench", SHA256: "bench"}, &genReader{0, n}, ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(t1)
		b.StopTimer()
		peak := stop()
		checkSummary(b, r.Summary, n)
		b.ReportMetric(float64(n)/el.Seconds(), "lines/s")
		b.ReportMetric(el.Seconds(), "import-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MiB")
		l.Close()
		b.StartTimer()
	}
}

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
