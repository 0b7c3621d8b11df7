package coda

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// withOGM turns every movement of a generated file into a credit transfer
// with Belgian structured communication (type 101) carrying ogm.
func withOGM(data []byte, ogm string) []byte {
	out := bytes.Clone(data)
	for i := 0; i+RecordLen <= len(out); {
		if out[i] == '2' && out[i+1] == '1' {
			copy(out[i+61:], "1101"+ogm)
		}
		j := bytes.IndexByte(out[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return out
}

const (
	goodOGM = "090933755493"
	badOGM  = "090933755494" // check digits 94 where 93 is right
)

// readCounting reads every entry and returns the count and the findings' texts.
func readCounting(tb testing.TB, data []byte) (int, []string) {
	tb.Helper()
	r := NewReader(bytes.NewReader(data), "bad.cod")
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		n++
	}
	var fs []string
	for _, f := range r.Findings() {
		fs = append(fs, f.String())
	}
	return n, fs
}

// TestBadOGMEveryMovement: a file where every movement has a wrong
// structured communication keeps 100 findings and counts the rest, and
// reading it allocates no more than reading the same file with valid
// communications, plus the 100 findings it keeps.
func TestBadOGMEveryMovement(t *testing.T) {
	const n = 20000
	good, bad := withOGM(generated(n), goodOGM), withOGM(generated(n), badOGM)
	if _, err := sepa.ParseOGM(goodOGM); err != nil {
		t.Fatal(err)
	}
	count, fs := readCounting(t, good)
	if count != n || len(fs) != 0 {
		t.Fatalf("good file: %d entries, findings %v", count, fs)
	}
	count, fs = readCounting(t, bad)
	if count != n || len(fs) != 101 {
		t.Fatalf("bad file: %d entries, %d findings", count, len(fs))
	}
	eq(t, "first", fs[0], `bad.cod:3: warning: record 21 structured communication "090933755494": Belgian structured communication check digits do not verify (mod 97, 0 read as 97): expected 93 [OGM mod 97]`)
	eq(t, "last", fs[100], fmt.Sprintf("bad.cod: warning: %d more findings of this rule not shown [OGM mod 97]", n-100))

	allocs := func(data []byte) float64 {
		return testing.AllocsPerRun(3, func() { readCounting(t, data) })
	}
	ga, ba := allocs(good), allocs(bad)
	t.Logf("allocations: good %.0f, bad %.0f", ga, ba)
	if ba > ga+100*20 { // about 15 allocations for each finding kept
		t.Errorf("bad file: %.0f allocations, good file %.0f: a finding past the cap must cost nothing", ba, ga)
	}
}

// BenchmarkBadVsGood reads the same 10,000 movements with valid and with
// wrong structured communications, interleaved, and reports bad/good: the
// ratio of CPU time of the process (target ≤ 1.5), which holds better than
// wall time on a machine shared with other work.
func BenchmarkBadVsGood(b *testing.B) {
	good, bad := withOGM(generated(10000), goodOGM), withOGM(generated(10000), badOGM)
	b.SetBytes(int64(len(good) + len(bad)))
	b.ReportAllocs()
	var tg, tb time.Duration
	for i := 0; i < b.N; i++ {
		c0 := testutil.CPUTime()
		readCounting(b, good)
		c1 := testutil.CPUTime()
		readCounting(b, bad)
		tg += c1 - c0
		tb += testutil.CPUTime() - c1
	}
	b.ReportMetric(tb.Seconds()/tg.Seconds(), "bad/good")
}

// TestSuppressedInOneOrder: the counts of findings past the cap come in
// the order of their rules' names, the same on every read.
func TestSuppressedInOneOrder(t *testing.T) {
	data := withOGM(generated(300), badOGM)
	for i := 0; i+RecordLen <= len(data); {
		if data[i] == '2' {
			copy(data[i+2:], "0001") // every movement numbered 1: a sequence warning each
		}
		i += bytes.IndexByte(data[i:], '\n') + 1
	}
	for k := 0; k < 20; k++ {
		_, fs := readCounting(t, data)
		got := strings.Join(fs[len(fs)-2:], "\n")
		want := "bad.cod: warning: 199 more findings of this rule not shown [CODA sequence]\n" + // the first is right
			"bad.cod: warning: 200 more findings of this rule not shown [OGM mod 97]"
		if got != want {
			t.Fatalf("read %d:\n%s\nwant\n%s", k, got, want)
		}
	}
}
