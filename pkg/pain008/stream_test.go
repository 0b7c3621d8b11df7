package pain008

import (
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/shopspring/decimal"
)

// genStream produces a pain.008 of n transactions on the fly, rendered with
// the Writer's own functions, without ever holding more than one
// transaction: a large input for the Reader without a large file.
type genStream struct {
	n, i int
	buf  []byte
	off  int
	size int64 // bytes produced
	tx   Transaction
	done bool
}

func genAmount(i int) int64 { return int64(100 + i%1000) }

func newGenStream(n int) *genStream {
	g := &genStream{n: n}
	var sum int64
	for i := 0; i < n; i++ {
		sum += genAmount(i)
	}
	gen := newGenerator(5)
	g.tx = gen.next()
	g.tx.SequenceType, g.tx.LocalInstrument, g.tx.Currency = SeqRecurrent, InstrumentCore, "EUR"
	grp := &group{key: groupKey{date: g.tx.CollectionDate, seq: SeqRecurrent, instr: InstrumentCore, creditor: creditor}, num: 1, count: int64(n), sum: sum}
	b := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02">` + "\n  <CstmrDrctDbtInitn>\n    <GrpHdr>\n")
	b = leaf(b, 6, "MsgId", "STREAM")
	b = leaf(b, 6, "CreDtTm", created.Format(time.RFC3339))
	b = leaf(b, 6, "NbOfTxs", strconv.Itoa(n))
	b = leafRaw(b, 6, "CtrlSum", appendCents(nil, sum))
	b = append(b, "      <InitgPty>\n        <Nm>Stream</Nm>\n      </InitgPty>\n    </GrpHdr>\n"...)
	g.buf = appendPmtInfHead(b, grp, "STREAM", Version02)
	return g
}

func (g *genStream) Read(p []byte) (int, error) {
	for g.off == len(g.buf) {
		if g.done {
			return 0, io.EOF
		}
		g.buf, g.off = g.buf[:0], 0
		if g.i == g.n {
			g.buf = append(g.buf, "    </PmtInf>\n  </CstmrDrctDbtInitn>\n</Document>\n"...)
			g.done = true
			break
		}
		g.tx.EndToEndID = "E2E-" + strconv.Itoa(g.i)
		g.tx.MandateID = "MD-" + strconv.Itoa(g.i)
		g.buf = appendTx(g.buf, &g.tx, genAmount(g.i), Version02)
		g.i++
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	g.size += int64(n)
	return n, nil
}

// TestReaderHeapFlat reads a generated message of 100,000 transactions
// (about 90 MB) and samples the heap: it stays a small fraction of the input.
func TestReaderHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 90 MB")
	}
	const n = 100000
	runtime.GC()
	stopHeap := testutil.SampleHeap()
	src := newGenStream(n)
	r := NewReader(src, "stream.xml")
	count := 0
	sum := decimal.Zero
	for {
		tx, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
		sum = sum.Add(tx.Amount)
	}
	p := stopHeap()
	if count != n || len(r.Findings()) != 0 {
		t.Fatalf("read %d, findings %v", count, r.Findings())
	}
	if h := r.Header(); !h.CtrlSum.Equal(sum) || h.NbOfTxs != n {
		t.Fatalf("header %+v, sum %s", h, sum)
	}
	t.Logf("read %d transactions (%.0f MB), peak heap in use %.1f MiB", n, float64(src.size)/1e6, float64(p)/(1<<20))
	if p > 32<<20 {
		t.Fatalf("peak heap %d MiB, want < 32 MiB", p>>20)
	}
}
