package ubl

import (
	"bytes"
	"io"
	"runtime"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

func TestGeneratedInvoiceIsValid(t *testing.T) {
	inv, fl, err := Read(genInvoice("G-1", 1000, 1000), "g.xml")
	if err != nil || len(fl) != 0 {
		t.Fatal(err, fl)
	}
	if v := inv.Validate(); len(v) != 0 {
		t.Fatal(v)
	}
	if len(inv.Lines) != 1000 || inv.Totals.PayableAmount.Text != "3025.00" || inv.Attachments[0].Size != 741 {
		t.Fatalf("%d lines, payable %s, attachment %+v", len(inv.Lines), inv.Totals.PayableAmount.Text, inv.Attachments)
	}
	// 1000 base64 characters are 13 lines, 12 line feeds: the first invoice
	// line follows the attachment (line 9), 4 lines of parties, 1 payment,
	// tax and total lines: line 9 + 12 + 6 = 27.
	if inv.Lines[0].Line != 27 {
		t.Fatalf("first line at %d", inv.Lines[0].Line)
	}
}

// TestHeapFlatOnHugeAttachment reads an invoice carrying a 512 MB base64
// attachment, generated while it is read, and samples the heap: the
// attachment is dropped before the XML decoder, so the heap stays small.
func TestHeapFlatOnHugeAttachment(t *testing.T) {
	size := int64(512 << 20)
	if testing.Short() {
		size = 64 << 20
	}
	stopHeap := testutil.SampleHeap()
	inv, fl, err := Read(genInvoice("BIG-1", 10, size), "big.xml")
	peak := stopHeap()
	if err != nil || len(fl) != 0 {
		t.Fatal(err, fl)
	}
	chars := size/77*76 + min(size%77, 76)
	if len(inv.Attachments) != 1 || inv.Attachments[0].Size != chars*3/4 {
		t.Errorf("attachment %+v", inv.Attachments)
	}
	if inv.Totals.PayableAmount.Text != "30.25" {
		t.Errorf("payable %q", inv.Totals.PayableAmount.Text)
	}
	t.Logf("%d MB attachment: peak HeapInuse %.1f MB", size>>20, float64(peak)/(1<<20))
	if peak > 32<<20 {
		t.Errorf("peak heap %d bytes: the attachment is held", peak)
	}
}

func BenchmarkRead1000Lines(b *testing.B) {
	doc, _ := io.ReadAll(genInvoice("B-1", 1000, 0))
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv, _, err := Read(bytes.NewReader(doc), "b.xml")
		if err != nil {
			b.Fatal(err)
		}
		if fl := inv.Validate(); len(fl) != 0 {
			b.Fatal(fl)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invoices/s")
}

func BenchmarkRead10000Small(b *testing.B) {
	docs := make([][]byte, 10000)
	total := 0
	for i := range docs {
		docs[i], _ = io.ReadAll(genInvoice("S-"+string(rune('A'+i%26)), 1+i%3, 0))
		total += len(docs[i])
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			inv, _, err := Read(bytes.NewReader(d), "s.xml")
			if err != nil {
				b.Fatal(err)
			}
			if fl := inv.Validate(); len(fl) != 0 {
				b.Fatal(fl)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "invoices/s")
}

func BenchmarkReadLargeAttachment(b *testing.B) {
	const size = 16 << 20
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := Read(genInvoice("A-1", 1, size), "a.xml"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHeapPerLine bounds what a read invoice holds per line: lines are kept
// (Check needs them all), so a 20,000-line invoice must stay well under
// 1 KB a line.
func TestHeapPerLine(t *testing.T) {
	const n = 20000
	doc, _ := io.ReadAll(genInvoice("L-1", n, 0))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	inv, _, err := Read(bytes.NewReader(doc), "l.xml")
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perLine := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	runtime.KeepAlive(inv)
	t.Logf("%d lines (%d MB of XML): %d bytes held per line", n, len(doc)>>20, perLine)
	if perLine > 1024 {
		t.Errorf("%d bytes held per line", perLine)
	}
}
