package camt_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/camt"
)

func benchRead(b *testing.B, data []byte, opts ...camt.Option) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := testutil.CPUTime()
	defer func() {
		if cpu := testutil.CPUTime() - cpu0; cpu > 0 {
			b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
		}
	}()
	for i := 0; i < b.N; i++ {
		r := camt.NewReader(bytes.NewReader(data), "bench.xml", opts...)
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n == 0 {
			b.Fatal("no entries")
		}
	}
}

// BenchmarkReader reads a generated 4 MB camt.053 of SEPA DD credits and
// returns with full transaction details.
func BenchmarkReader(b *testing.B) {
	g, _, _, _ := newGenStatement(4 << 20)
	data, err := io.ReadAll(g)
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data)
}

// BenchmarkReaderBad reads the statement of BenchmarkReader where every
// entry has findings (a value date that does not exist; in the credits a
// detail amount that is not the entry's): bad input must not be much
// slower than good (TestBadNotSlower).
func BenchmarkReaderBad(b *testing.B) {
	g, _, _, _ := newGenStatement(4 << 20)
	g.bad = true
	data, err := io.ReadAll(g)
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data)
}

// BenchmarkReadParallel reads a generated 32 MB camt.053 of one statement
// with ReadParallel on all cores (parts of 4 MiB) and, for comparison, with
// one Reader: MB/s is wall time, MB/cpu-s the cost of cutting and merging.
// Each way twice: full, every field as statement convert reads them (one
// reused entry), and summary, as inspect reads (SummaryOnly); full's
// MB/cpu-s over summary's is what reading the fields convert writes costs.
func BenchmarkReadParallel(b *testing.B) {
	g, _, _, _ := newGenStatement(32 << 20)
	data, err := io.ReadAll(g)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"full", "summary"} {
		var opts []camt.Option
		if mode == "summary" {
			opts = append(opts, camt.SummaryOnly())
		}
		for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("%s/workers=%d", mode, workers), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				cpu0 := testutil.CPUTime()
				defer func() {
					if cpu := testutil.CPUTime() - cpu0; cpu > 0 {
						b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
					}
				}()
				for i := 0; i < b.N; i++ {
					var n atomic.Int64
					f := camt.ReadParallel(bytes.NewReader(data), int64(len(data)), "bench.xml", camt.Parts{Workers: workers},
						func(r *camt.Reader) int {
							r.ReuseEntries() // each entry is used before the next is read
							k := 0
							for {
								if _, err := r.Next(); err != nil {
									break
								}
								k++
							}
							return k
						}, func(k int) { n.Add(int64(k)) }, opts...)
					if f.Err != nil || n.Load() == 0 {
						b.Fatal(f.Err, n.Load())
					}
				}
			})
		}
	}
}

// BenchmarkReaderSmall reads the two small camt.053.001.08 files of
// make bench-peer (7 and 10 KB), whole and as inspect does (SummaryOnly):
// what a Reader costs before and after its entries counts here.
func BenchmarkReaderSmall(b *testing.B) {
	for _, f := range []string{"genkgo-camt053-v8.xml", "viafintech-camt053-v8-example.xml"} {
		data, err := os.ReadFile(filepath.Join(sharedCorpus(), "camt053", f))
		if err != nil {
			b.Skip("shared corpus not found")
		}
		b.Run(f, func(b *testing.B) { benchRead(b, data) })
		b.Run(f+"/summary", func(b *testing.B) { benchRead(b, data, camt.SummaryOnly()) })
	}
}

// BenchmarkReaderCorpus reads the largest real statement of the corpus
// (Belgian half-year camt.053.001.02, 821 KB).
func BenchmarkReaderCorpus(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(sharedCorpus(), "camt053", "subite-camt053-v2-be-halfyear.xml"))
	if err != nil {
		b.Skip("shared corpus not found")
	}
	benchRead(b, data)
}

// BenchmarkWriter writes the reconciliation statement's entries over and over.
func BenchmarkWriter(b *testing.B) {
	st, entries := reconciliationStatement()
	var size int64
	{
		var buf bytes.Buffer
		w := camt.NewWriter(&buf, camt.WriterOptions{MessageID: "M", CreatedAt: st.CreatedAt})
		w.BeginStatement(st)
		for _, e := range entries {
			w.WriteEntry(e)
		}
		w.Close()
		size = int64(buf.Len())
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := testutil.CPUTime()
	defer func() {
		if cpu := testutil.CPUTime() - cpu0; cpu > 0 {
			b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
		}
	}()
	for i := 0; i < b.N; i++ {
		w := camt.NewWriter(io.Discard, camt.WriterOptions{MessageID: "M", CreatedAt: st.CreatedAt})
		if err := w.BeginStatement(st); err != nil {
			b.Fatal(err)
		}
		for _, e := range entries {
			if err := w.WriteEntry(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
