package coda

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
)

// genReader produces one CODA statement of n movements on the fly: each
// movement is a 21, 22 and 23 record crediting 1.00 to 10.99 (1000
// distinct amounts) with a type 127 SEPA direct debit communication, so
// nothing of it is ever held in memory.
type genReader struct {
	n, i  int
	total int64 // thousandths
	buf   []byte
	block []byte // template of one movement (3 records)
	state int
}

const genMovementLen = 3 * (RecordLen + 2)

func newGenReader(n int) *genReader {
	zone := "211126" + "011" + fmt.Sprintf("%-35s", "BE69ZZZ050D000000008") + fmt.Sprintf("%-35s", "MNDT-000000001") +
		fmt.Sprintf("%-62s", "Invoice 2026-000001") + "0    "
	block := rec("21", 3, "0000", 7, "0000", 11, "TWKY0000000000000001", 32, "0", 33, "000000000001000", 48, "211126", 54, "005500000",
		62, "1127"+zone[:50], 116, "211126", 122, "001", 125, "010") + "\r\n" +
		rec("22", 3, "0000", 7, "0000", 11, zone[50:103], 64, "E2E-000000001", 99, "GKCCBEBB", 126, "1") + "\r\n" +
		rec("23", 3, "0000", 7, "0000", 11, "BE71096123456769", 45, "EUR", 48, "Jan Peeters", 83, zone[103:146], 126, "0") + "\r\n"
	return &genReader{n: n, block: []byte(block)}
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.state == 0:
			g.buf = []byte(rec("0", 2, "0000", 6, "211126", 12, "300", 15, "05", 25, "GEN0000001", 61, "GKCCBEBB", 128, "2") + "\r\n" +
				rec("1", 2, "2", 3, "001", 6, "BE68539007547034", 40, "EUR", 43, "0000000000000000", 59, "201126", 65, "ACME", 126, "001") + "\r\n")
			g.state = 1
		case g.state == 1 && g.i < g.n:
			// several movements per call, sequence numbers patched in
			k := min(64, g.n-g.i)
			g.buf = make([]byte, 0, k*genMovementLen)
			for j := 0; j < k; j++ {
				g.i++
				v := g.i % 10000
				seq := [4]byte{byte('0' + v/1000), byte('0' + v/100%10), byte('0' + v/10%10), byte('0' + v%10)}
				start := len(g.buf)
				g.buf = append(g.buf, g.block...)
				for r := 0; r < 3; r++ {
					copy(g.buf[start+r*(RecordLen+2)+2:], seq[:])
				}
				amt := 1000 + int64(g.i%1000)*10
				g.total += amt
				for k, p := 0, start+32+14; k < 6; k, p = k+1, p-1 { // amount field, last 6 digits
					g.buf[p] = byte('0' + amt%10)
					amt /= 10
				}
			}
		case g.state == 1:
			total := g.total
			g.buf = []byte(rec("8", 2, "001", 5, "BE68539007547034", 39, "EUR", 42, fmt.Sprintf("0%015d", total), 58, "211126") + "\r\n" +
				rec("9", 17, fmt.Sprintf("%06d", (3*g.n+2)%1000000), 23, "000000000000000", 38, fmt.Sprintf("%015d", total), 128, "2") + "\r\n")
			g.state = 2
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func generated(n int) []byte {
	b, _ := io.ReadAll(newGenReader(n))
	return b
}

func TestGeneratedReads(t *testing.T) {
	r, es, fs := read(t, generated(10001))
	if len(fs) != 0 {
		t.Fatal(fs)
	}
	eq(t, "entries", len(es), 10001)
	eq(t, "closing", r.Statements()[0].Closing.Amount.StringFixed(2), "59951.01")
	eq(t, "amounts", es[0].Amount.StringFixed(2)+" "+es[998].Amount.StringFixed(2)+" "+es[999].Amount.StringFixed(2), "1.01 10.99 1.00")
	last := es[len(es)-1].Details[0]
	eq(t, "last", fmt.Sprintf("%s %s %s %s %s", es[len(es)-1].Ref, last.MandateID, last.EndToEndID, last.CreditorID, last.Remittance),
		"0001 MNDT-000000001 E2E-000000001 BE69ZZZ050D000000008 Invoice 2026-000001")
}

// TestStreamGigabyte reads a 1 GB statement generated on the fly and
// checks that the heap stays under 64 MiB.
func TestStreamGigabyte(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the 1 GB stream in -short mode")
	}
	const size = 1 << 30
	n := size / genMovementLen
	stopHeap := testutil.SampleHeap()
	start := time.Now()
	cpu0 := testutil.CPUTime()
	r := NewReader(newGenReader(n), "gigabyte.cod")
	count := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	peak := stopHeap()
	elapsed := time.Since(start)
	cpu := testutil.CPUTime() - cpu0
	if fs := r.Findings(); len(fs) != 0 {
		t.Fatalf("findings: %v", fs)
	}
	if count != n {
		t.Fatalf("entries %d, want %d", count, n)
	}
	var total int64
	for i := 1; i <= n; i++ {
		total += 1000 + int64(i%1000)*10
	}
	want := thousandths(total).StringFixed(2)
	eq(t, "closing", r.Statements()[0].Closing.Amount.StringFixed(2), want)
	mb := float64(n*genMovementLen) / (1 << 20)
	t.Logf("%d entries, %.0f MiB in %v (%.0f MiB/s wall; %.0f MiB per CPU-second of the process, generator included), peak heap %.1f MiB",
		n, mb, elapsed.Round(time.Millisecond), mb/elapsed.Seconds(), mb/cpu.Seconds(), float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("peak heap %.1f MiB, want under 64 MiB", float64(peak)/(1<<20))
	}
}

func benchRead(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := testutil.CPUTime()
	for i := 0; i < b.N; i++ {
		r := NewReader(bytes.NewReader(data), "bench.cod")
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	// Throughput per CPU-second of the whole process (GC included): a figure
	// that holds on a machine shared with other work, unlike MB/s.
	if cpu := testutil.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

// BenchmarkReader reads 10,000 SEPA direct debit movements (3.9 MB).
func BenchmarkReader(b *testing.B) { benchRead(b, generated(10000)) }

// BenchmarkReaderBatch reads one globalised batch of 10,000 details.
func BenchmarkReaderBatch(b *testing.B) {
	data := generated(10000)
	// turn movement 1 into a global movement of all others as details
	s := strings.Replace(string(data), "\r\n", "\n", -1)
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	var out []string
	out = append(out, lines[0], lines[1])
	out = append(out, rec("21", 3, "0001", 7, "0000", 32, "0", 33, "000000010000000", 48, "211126", 54, "105500000", 62, "0BATCH", 116, "211126", 125, "100"))
	for i := 0; i < 10000; i++ {
		for j := 0; j < 3; j++ {
			l := []byte(lines[2+3*i+j])
			copy(l[2:], "0001")
			copy(l[6:], fmt.Sprintf("%04d", i+1))
			if j == 0 {
				l[53] = '5'
			}
			out = append(out, string(l))
		}
	}
	out = append(out, lines[len(lines)-2], lines[len(lines)-1])
	benchRead(b, []byte(strings.Join(out, "\n")+"\n"))
}

// BenchmarkCorpus reads every corpus file.
func BenchmarkCorpus(b *testing.B) {
	dir := os.Getenv("BATCHTOOL_SHARED")
	if dir == "" {
		dir = "../../../shared"
	}
	files, _ := filepath.Glob(filepath.Join(dir, "corpus", "coda", "*"))
	if len(files) == 0 {
		b.Skip("no corpus")
	}
	var all [][]byte
	var size int64
	for _, f := range files {
		d, _ := os.ReadFile(f)
		all = append(all, d)
		size += int64(len(d))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, d := range all {
			r := NewReader(bytes.NewReader(d), "c")
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
		}
	}
}

func BenchmarkWriter(b *testing.B) {
	st, entries := sandboxStatement()
	st.Closing = nil
	var buf bytes.Buffer
	w := NewWriter(io.Discard, sandboxOpts)
	w.BeginStatement(st)
	for _, e := range entries {
		w.WriteEntry(e)
	}
	w.EndStatement()
	_ = buf
	b.ReportAllocs()
	b.ResetTimer()
	var n int64
	for i := 0; i < b.N; i++ {
		cw := &countWriter{}
		w := NewWriter(cw, sandboxOpts)
		w.BeginStatement(st)
		for k := 0; k < 100; k++ {
			for _, e := range entries {
				if err := w.WriteEntry(e); err != nil {
					b.Fatal(err)
				}
			}
		}
		w.EndStatement()
		w.Close()
		n = cw.n
	}
	b.SetBytes(n)
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
