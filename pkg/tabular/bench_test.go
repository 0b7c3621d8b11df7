package tabular

import (
	"bufio"
	"bytes"
	"io"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

// BenchmarkReader reads a million-row due file's worth of records (the
// rows of collect build's benchmarks, 20,000 of them) through Reader.
func BenchmarkReader(b *testing.B) {
	var in bytes.Buffer
	w := bufio.NewWriter(&in)
	if _, err := testutil.WriteDueRows(w, 20000); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(in.Bytes()), "due.csv", Dialect{})
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 20001 {
			b.Fatalf("%d records", n)
		}
	}
}
