package pipeline

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
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
	w := bufio.NewWriterSize(f, 64<<10)
	ibans := []string{"BE71096123456769", "BE62510007547061", "NL91ABNA0417164300", "DE89370400440532013000", "FR1420041010050500013M02606"}
	seqs := []string{"RCUR", "RCUR", "RCUR", "FRST", "OOFF"}
	w.WriteString("end_to_end_id,mandate_id,mandate_signed_on,sequence_type,amount,debtor_name,debtor_iban,debtor_bic,remittance\n")
	var b, idb []byte
	for i := 1; i <= n; i++ {
		cents := 100 + int64(i*7919%100000)
		idb = strconv.AppendInt(idb[:0], int64(1000000000+i), 10)
		id := idb[1:]
		b = append(b[:0], "E2E-"...)
		b = append(b, id...)
		b = append(b, ",MNDT-"...)
		b = append(b, id...)
		b = append(b, ",2024-03-14,"...)
		b = append(b, seqs[i%len(seqs)]...)
		b = append(b, ',')
		b = strconv.AppendInt(b, cents/100, 10)
		b = append(b, '.', byte('0'+cents%100/10), byte('0'+cents%10), ',')
		b = append(b, "Debtor "...)
		b = append(b, id...)
		b = append(b, ',')
		b = append(b, ibans[i%len(ibans)]...)
		b = append(b, ",,Invoice "...)
		b = append(b, id...)
		b = append(b, " monthly subscription\n"...)
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
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
