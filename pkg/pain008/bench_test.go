package pain008

import (
	"bytes"
	"io"
	"testing"
)

// countingWriter counts bytes written, to report MB/s of output.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkWriter writes transactions (validation, rendering, spooling and
// assembly by Close) in messages of 65,536; MB/s is of the XML produced.
func BenchmarkWriter(b *testing.B) {
	const batch = 1 << 16
	gen := newGenerator(11)
	pool := make([]Transaction, batch)
	for i := range pool {
		pool[i] = gen.next()
	}
	// Measure the output size of one message to set bytes per transaction.
	var cw countingWriter
	w, _ := NewWriter(&cw, WriterOptions{CreatedAt: created, MessageID: "BENCH", TempDir: b.TempDir()})
	for _, tx := range pool {
		if err := w.Write(tx); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cw.n / batch)
	b.ReportAllocs()
	b.ResetTimer()
	w, _ = NewWriter(io.Discard, WriterOptions{CreatedAt: created, MessageID: "BENCH", TempDir: b.TempDir()})
	for i := 0; i < b.N; i++ {
		if i > 0 && i%batch == 0 {
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			w, _ = NewWriter(io.Discard, WriterOptions{CreatedAt: created, MessageID: "BENCH", TempDir: b.TempDir()})
		}
		if err := w.Write(pool[i%batch]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkReader reads a message of 20,000 transactions; MB/s is of XML read.
func BenchmarkReader(b *testing.B) {
	gen := newGenerator(12)
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, WriterOptions{CreatedAt: created, MessageID: "BENCH"})
	for i := 0; i < 20000; i++ {
		if err := w.Write(gen.next()); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := NewReader(bytes.NewReader(data), "bench.xml")
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
		if n != 20000 || len(r.Findings()) != 0 {
			b.Fatalf("read %d, findings %v", n, r.Findings())
		}
	}
	b.ReportMetric(float64(b.N)*20000/b.Elapsed().Seconds(), "tx/s")
}
