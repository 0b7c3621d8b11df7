package due

import (
	"fmt"
	"strings"
	"testing"
)

// TestIDSetRuns puts ids through a set whose table holds 1,000, so that
// most live in runs merged several times, and checks every answer against
// a map: each repeat names the line of first use, no new id is taken for a
// repeat.
func TestIDSetRuns(t *testing.T) {
	tests := []struct{ n, memCap int }{{100, 1000}, {5000, 1000}, {70000, 1000}, {70000, 4096}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("n=%d,cap=%d", tt.n, tt.memCap), func(t *testing.T) {
			s := idSet{memCap: tt.memCap, dir: t.TempDir()}
			defer s.close()
			first := map[string]int{}
			for line := 1; line <= tt.n; line++ {
				// Every seventh row repeats an id of a row 1 to ~n/2 back.
				id := fmt.Sprintf("E2E-%d", line)
				if line%7 == 0 {
					id = fmt.Sprintf("E2E-%d", 1+(line*7919)%(line-1))
				}
				got, dup, err := s.add(id, line)
				if err != nil {
					t.Fatal(err)
				}
				want, wantDup := first[id]
				if dup != wantDup || dup && got != want {
					t.Fatalf("line %d, id %s: add = %d, %v; want %d, %v", line, id, got, dup, want, wantDup)
				}
				if !wantDup {
					first[id] = line
				}
			}
			if runs, bound := len(s.runs), bitsLen(len(first)/tt.memCap)+1; runs > bound {
				t.Fatalf("%d runs for %d ids, want at most %d", runs, len(first), bound)
			}
			t.Logf("%d ids: %d in the table, %d runs", len(first), s.n, len(s.runs))
		})
	}
}

func bitsLen(n int) int {
	l := 0
	for ; n > 0; n >>= 1 {
		l++
	}
	return l
}

// TestIDSetSpillError: a run that cannot be written is an error, not a
// missed duplicate.
func TestIDSetSpillError(t *testing.T) {
	s := idSet{memCap: 10, dir: t.TempDir() + "/missing"}
	defer s.close()
	for line := 1; line <= 10; line++ {
		_, _, err := s.add(fmt.Sprint("E2E-", line), line)
		if line < 10 && err != nil || line == 10 && (err == nil || !strings.HasPrefix(err.Error(), "end-to-end id set: open ")) {
			t.Fatalf("line %d: %v", line, err)
		}
	}
}

// BenchmarkIDSet adds a million new ids (the first 786,432 in the table,
// the rest checked against a run too), one at a time and in batches of
// 256 prefetched as readAhead does. ns/op is per id.
func BenchmarkIDSet(b *testing.B) {
	const n = 1000000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("E2E-%09d", i+1)
	}
	for _, batch := range []int{1, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			es := make([]idEntry, 0, batch)
			for b.Loop() {
				s := idSet{dir: b.TempDir()}
				for i := 0; i < n; i += batch {
					es = es[:0]
					for j := i; j < min(i+batch, n); j++ {
						es = append(es, s.entry(ids[j], j+1))
					}
					if batch > 1 {
						s.prefetch(es)
					}
					for _, e := range es {
						if _, dup, err := s.insert(e); dup || err != nil {
							b.Fatal(dup, err)
						}
					}
				}
				s.close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/id")
		})
	}
}
