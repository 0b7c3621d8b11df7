package pipeline

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
)

// writeBenchDue writes a due CSV of n rows shaped like bench/cli's: ids
// E2E-000000001…, five debtor IBANs, three sequence types, no BIC, a
// remittance line. It returns the file's size.
func writeBenchDue(tb testing.TB, path string, n int) int64 {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := testutil.WriteDueRows(bufio.NewWriterSize(f, 64<<10), n); err != nil {
		tb.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	return st.Size()
}

// BenchmarkBuild builds a pain.008 from a due CSV of 100,000 rows
// (BATCHTOOL_BENCH_ROWS for another size) the way `collect build` does:
// read, check, spool, assemble, sync and rename. MB/s is of the CSV read.
func BenchmarkBuild(b *testing.B) {
	n := 100000
	if v := os.Getenv("BATCHTOOL_BENCH_ROWS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("BATCHTOOL_BENCH_ROWS=%q: want a number of rows", v)
		}
	}
	dir := b.TempDir()
	in := filepath.Join(dir, "due.csv")
	b.SetBytes(writeBenchDue(b, in, n))
	day := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := Build(BuildOptions{Due: in, Creditor: "../../testdata/creditor.json", Out: filepath.Join(dir, "batch.xml"),
			CollectionDate: day, MessageID: "BENCH"})
		if err != nil {
			b.Fatal(err)
		}
		if res.Count != n {
			b.Fatalf("%d transactions, want %d", res.Count, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}
