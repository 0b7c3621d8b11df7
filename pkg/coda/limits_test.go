package coda

import (
	"io"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

// TestHostileBounded streams hostile CODA files, generated as they are read,
// and checks that each is refused with a located finding while the heap
// stays bounded (the reader reads on past a bound keeping nothing more, so
// a longer input costs time, not memory). Before the bounds, a million details under one movement
// (128 MB of file) held 1.7 GB, a million statements 691 MB, a million
// free communications 125 MB, a million information records 197 MB.
func TestHostileBounded(t *testing.T) {
	line := func(s string) string { return s + "\n" }
	head := line(hdr()) + line(old("000000000000000"))
	free := line(rec("4", 3, "0001", 7, "0000", 33, "CLOSING AVAILABLE BALANCE"))
	detail := line(mv("0001", "0001", "0", "000000000010000", "001500000", "0A", "000"))
	info := line(rec("31", 3, "0001", 7, "0000", 11, "0000000000", 40, "1", 41, strings.Repeat("I", 73), 126, "0", 128, "1"))
	stmt := line(old("000000000000000")) + line(newBal("000000000000000"))
	tests := []struct {
		name  string
		in    io.Reader
		want  string // the first finding of rule limit
		bound uint64
	}{
		{"a line of 20 MB", testutil.Concat(head, testutil.Repeat("x", 20<<20), "\n"),
			`h.cod:3: error: line longer than 32768 bytes: not a CODA file [CODA record]`, 8 << 20},
		{"300,000 free communications", testutil.Concat(head, line(newBal("000000000000000")), testutil.Repeat(free, 300_000*int64(len(free)))),
			`h.cod:100004: error: record 4 free communication "CLOSING AVAILABLE BALANCE": more than 100000 free communications (records 4) in one file: the file is refused [limit]`, 48 << 20},
		{"100,000 details under one movement", testutil.Concat(head, line(mv("0001", "0000", "0", "000000000010000", "101500000", "0A", "000")), testutil.Repeat(detail, 100_000*int64(len(detail)))),
			`h.cod:10003: error: record 21 detail number "0001": more than 9999 detail movements under sequence 0001: the file is refused [limit]`, 48 << 20},
		{"100,000 information records", testutil.Concat(head, line(mv("0001", "0000", "0", "000000000010000", "001500000", "0A", "001")), testutil.Repeat(info, 100_000*int64(len(info)))),
			`h.cod:940: error: record 31 information "` + strings.Repeat("I", 70) + `": more than 65536 bytes of information (records 3) for one movement: the file is refused [limit]`, 16 << 20},
		{"30,000 statements", testutil.Concat(line(hdr()), testutil.Repeat(stmt, 30_000*int64(len(stmt)))),
			`h.cod:40002: error: record 1 account "BE68539007547034/007": more than 20000 statements in one file: the file is refused (no real file has that many) [limit]`, 64 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stop := testutil.SampleHeap()
			r := NewReader(tc.in, "h.cod")
			for {
				if _, err := r.Next(); err != nil {
					if err != io.EOF {
						t.Fatal(err)
					}
					break
				}
			}
			peak := stop()
			got := ""
			for _, f := range r.Findings() {
				if f.Rule == RuleLimit || f.Rule == RuleRecord && strings.Contains(f.Message, "line longer") {
					got = f.String()
					break
				}
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			t.Logf("peak HeapInuse %.1f MB", float64(peak)/(1<<20))
			if peak > tc.bound {
				t.Errorf("peak heap %.1f MB, bound %d MB", float64(peak)/(1<<20), tc.bound>>20)
			}
		})
	}
}
