package ledger

import (
	"context"
	"errors"
	"strconv"
	"testing"
)

// BenchmarkClaimOnce is the cost of one unit of work's claim: Once of a
// new unit (the INSERT, the heartbeat started and stopped, the mark done),
// and a second worker's Claim of a unit done (the INSERT that takes
// nothing, the read that says so). The ledger is SQLite, or PostgreSQL
// with BATCHTOOL_TEST_POSTGRES.
func BenchmarkClaimOnce(b *testing.B) {
	l, loc := openTemp(b)
	other, err := Open(loc)
	if err != nil {
		b.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	round := 0
	b.Run("once", func(b *testing.B) {
		round++ // the benchmark is run more than once: new units each time
		for i := 0; i < b.N; i++ {
			if err := l.Once(ctx, ClaimDue, "bench-"+strconv.Itoa(round)+"-"+strconv.Itoa(i), func(context.Context) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("done-elsewhere", func(b *testing.B) {
		if err := l.Once(ctx, ClaimDue, "bench-done", func(context.Context) error { return nil }); err != nil && !errors.Is(err, ErrDone) {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if _, err := other.Claim(ctx, ClaimDue, "bench-done"); !errors.Is(err, ErrDone) {
				b.Fatal(err)
			}
		}
	})
}
