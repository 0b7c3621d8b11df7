package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
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
		if IsPostgres(loc) {
			// The server processes of the benchmark's connections are found
			// by this name (samplePostgresCPU).
			u, err := url.Parse(loc)
			if err != nil {
				b.Fatal(err)
			}
			q := u.Query()
			q.Set("application_name", fmt.Sprintf("batchtool_bench_%d", os.Getpid()))
			u.RawQuery = q.Encode()
			loc = u.String()
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
		stop := sampleHeap()
		pg := samplePostgresCPU(b, loc)
		cpu0 := testutil.CPUTime()
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
		goCPU := testutil.CPUTime() - cpu0
		pgCPU, bgCPU, busy := pg()
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
		b.ReportMetric(goCPU.Seconds()*1e6/float64(n), "go-cpu-µs/line")
		if l.d.postgres {
			b.ReportMetric(pgCPU.Seconds()*1e6/float64(n), "pg-cpu-µs/line")
			b.ReportMetric(bgCPU.Seconds()*1e6/float64(n), "pg-bg-cpu-µs/line")
			b.ReportMetric(busy*100, "pg-busy-%")
		}
		l.Close()
		b.StartTimer()
	}
}

// sampleHeap samples the heap in use every few milliseconds until the
// returned function is called, which returns the peak in bytes. It reads
// runtime/metrics, which does not stop the world: runtime.ReadMemStats
// every 5 ms (testutil.SampleHeap) preempted the import 200 times a second
// and cost it about a tenth of its CPU.
func sampleHeap() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64()+s[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// samplePostgresCPU measures the CPU time PostgreSQL spends for the
// benchmark (Linux, server on this machine): loc gets an application_name,
// and every 100 ms the server processes of the connections so named (from
// pg_stat_activity) and its background processes (WAL writer,
// checkpointer, background writer, autovacuum) are read in /proc. The
// returned function stops and returns the CPU time of the benchmark's
// backends and of the background processes since the call (the latter
// includes work for anyone else using the server), and the share of the
// samples in which a backend was running a statement rather than waiting
// for the client in its transaction (pg_stat_activity.state 'active'
// against 'idle in transaction'): how well the import keeps the server
// busy, which the machine's load changes less than the times. All are 0
// for SQLite or when /proc cannot be read.
func samplePostgresCPU(b *testing.B, loc string) (stop func() (backends, background time.Duration, busy float64)) {
	if !IsPostgres(loc) {
		return func() (time.Duration, time.Duration, float64) { return 0, 0, 0 }
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	app := q.Get("application_name")
	q.Set("application_name", app+"_sampler")
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		b.Fatal(err)
	}
	ticks := func(pid int) int64 {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return -1
		}
		// Fields after the command (in parentheses): 14 utime, 15 stime.
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
		if len(f) < 13 {
			return -1
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		return ut + st
	}
	background := func() map[int]int64 {
		out := map[int]int64{}
		ds, _ := os.ReadDir("/proc")
		for _, d := range ds {
			pid, err := strconv.Atoi(d.Name())
			if err != nil {
				continue
			}
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			c := string(cmd)
			if strings.HasPrefix(c, "postgres: ") && (strings.Contains(c, "walwriter") || strings.Contains(c, "checkpointer") ||
				strings.Contains(c, "background writer") || strings.Contains(c, "autovacuum")) {
				out[pid] = ticks(pid)
			}
		}
		return out
	}
	// Connections made before (seeding) count from now.
	base, last := map[int]int64{}, map[int]int64{}
	var active, waiting int
	bg0 := background()
	sample := func() {
		rows, err := db.Query(`SELECT pid, coalesce(state, '') FROM pg_stat_activity WHERE application_name = $1`, app)
		if err != nil {
			return
		}
		defer rows.Close()
		for rows.Next() {
			var pid int
			var state string
			if rows.Scan(&pid, &state) == nil {
				switch state {
				case "active":
					active++
				case "idle in transaction":
					waiting++
				}
				if t := ticks(pid); t >= 0 {
					last[pid] = t
				}
			}
		}
	}
	sample()
	for pid, t := range last {
		base[pid] = t
	}
	active, waiting = 0, 0
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return func() (time.Duration, time.Duration, float64) {
		close(done)
		wg.Wait()
		sample()
		db.Close()
		var be, bg int64
		for pid, t := range last {
			be += t - base[pid]
		}
		for pid, t := range background() {
			if t0, ok := bg0[pid]; ok && t >= t0 {
				bg += t - t0
			}
		}
		busy := 0.0
		if active+waiting > 0 {
			busy = float64(active) / float64(active+waiting)
		}
		return time.Duration(be) * tick, time.Duration(bg) * tick, busy
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
