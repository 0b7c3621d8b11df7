package due

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// benchFile returns n due rows in the notation of a European desk (';',
// decimal comma, thousands) or of the documented default (',', point).
func benchFile(n int, european bool) []byte {
	var b bytes.Buffer
	sep, amount := ",", "1234.56"
	if european {
		sep, amount = ";", "1.234,56"
	}
	b.WriteString(strings.ReplaceAll(header, ",", sep))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "E2E-%d%sMD-%d%s2024-01-15%sRCUR%s%s%sJan Peeters%sBE68539007547034%s%sInvoice %d%s\n",
			i, sep, i, sep, sep, sep, amount, sep, sep, sep, sep, i, sep)
	}
	return b.Bytes()
}

// BenchmarkReaderCSV reads and checks due rows: the decoding layer
// (separator, decimal comma, UTF-8 check) must cost the streaming speed
// next to nothing.
func BenchmarkReaderCSV(b *testing.B) {
	for _, european := range []bool{false, true} {
		in := benchFile(20000, european)
		b.Run(fmt.Sprintf("european=%v", european), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				r := NewReader(bytes.NewReader(in), "due.csv", CSV, defaults)
				for {
					row, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil || !row.OK() {
						b.Fatal(err, row.Findings)
					}
				}
			}
			b.ReportMetric(float64(b.N)*20000/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
