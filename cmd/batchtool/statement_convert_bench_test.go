package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/statement"
)

// benchRows returns the flat rows of a generated CODA file (bigCODA: text
// that CSV quotes and JSON escapes in every row) and of a plain one.
func benchRows(b *testing.B, data []byte) [][]string {
	r := coda.NewReader(bytes.NewReader(data), "bench.cod")
	var rows [][]string
	for {
		e, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, statement.FlatRows(e)...)
	}
}

// plainCODA is bigCODA without the text that needs quoting or escaping:
// the rows the fast paths of the sinks take.
func plainCODA(b *testing.B) []byte {
	t := &testing.T{}
	data := bigCODA(t, 20, 500)
	data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte(`Invoice "12", <b> & co`), []byte(`Invoice 12 b and co   `)),
		[]byte("Debtor, Jr."), []byte("Debtor Jr. "))
	for _, row := range benchRows(b, data) {
		for i, f := range row {
			if strings.ContainsAny(f, ",\"\r\n\\<>&") || f != "" && (f[0] == ' ' || flatText[i] && csvFormula[f[0]]) || !utf8.ValidString(f) {
				b.Fatalf("%q is not plain", f)
			}
		}
	}
	return data
}

func benchSink(b *testing.B, rows [][]string, appendRow func([]byte, []string) []byte) {
	var buf []byte
	n := 0
	for _, r := range rows {
		buf = appendRow(buf[:0], r)
		n += len(buf)
	}
	b.SetBytes(int64(n)) // bytes written
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range rows {
			buf = appendRow(buf[:0], r)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}

// BenchmarkCSVSink formats rows as CSV lines: plain rows (the fast path)
// and rows whose text needs quoting (field by field).
func BenchmarkCSVSink(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchSink(b, benchRows(b, plainCODA(b)), newCSVSink(nil).appendRow) })
	b.Run("quoted", func(b *testing.B) {
		benchSink(b, benchRows(b, bigCODA(&testing.T{}, 20, 500)), newCSVSink(nil).appendRow)
	})
}

// BenchmarkJSONLSink formats rows as JSON Lines objects, plain and escaped.
func BenchmarkJSONLSink(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchSink(b, benchRows(b, plainCODA(b)), newJSONLSink(nil).appendRow) })
	b.Run("escaped", func(b *testing.B) {
		benchSink(b, benchRows(b, bigCODA(&testing.T{}, 20, 500)), newJSONLSink(nil).appendRow)
	})
}

// BenchmarkConvertCODA converts a generated CODA file on disk in parts on
// all cores, as `statement convert` does, to a discarded output: MB/s of
// input, and MB per CPU-second of the process (which holds on a machine
// shared with other work). "inspect" inspects the same file, as `inspect`
// does: the speed convert is held to (issue 15: 80 % of it).
func BenchmarkConvertCODA(b *testing.B) {
	data := plainCODA(b)
	path := filepath.Join(b.TempDir(), "bench.cod")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("inspect", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		cpu0 := testutil.CPUTime()
		for i := 0; i < b.N; i++ {
			if in := inspect.File(path); len(in) != 1 || len(in[0].Summary.(*inspect.StatementsSummary).Statements) != 20 {
				b.Fatalf("%+v", in[0])
			}
		}
		if cpu := testutil.CPUTime() - cpu0; cpu > 0 {
			b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
		}
	})
	for _, to := range []string{"csv", "jsonl"} {
		b.Run(to, func(b *testing.B) {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			cpu0 := testutil.CPUTime()
			for i := 0; i < b.N; i++ {
				var sink rowFormatter = newCSVSink(io.Discard)
				if to == "jsonl" {
					sink = newJSONLSink(io.Discard)
				}
				src := &inspect.Source{Name: path, File: f, Size: int64(len(data)), Format: inspect.FormatCODA}
				if _, _, err := convertCODAFile(path, src, sink); err != nil {
					b.Fatal(err)
				}
				sink.Close()
			}
			if cpu := testutil.CPUTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
			}
		})
	}
}
