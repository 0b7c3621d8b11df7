package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestClaimLifecycle walks one unit through two workers: held, renewed
// past its lease, released, abandoned (a dead worker), taken over after
// its lease, done once, and never claimed again.
func TestClaimLifecycle(t *testing.T) {
	const lease = 1500 * time.Millisecond
	ctx := context.Background()
	a, loc := openTemp(t)
	b, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.leaseClaims, b.leaseClaims = lease, lease

	ca, err := a.Claim(ctx, ClaimDue, "due-1")
	if err != nil || ca.Attempts != 1 {
		t.Fatalf("first claim: %+v %v", ca, err)
	}
	held := func(when string, owner string) {
		t.Helper()
		_, err := b.Claim(ctx, ClaimDue, "due-1")
		var h *HeldError
		if !errors.As(err, &h) || h.Owner != owner || !h.Expires.After(time.Now().Add(-time.Second)) {
			t.Fatalf("%s: %v (want held by %s)", when, err, owner)
		}
		if want := "due due-1: claimed by worker " + owner + " (lease until "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %q, want it to start %q", when, err, want)
		}
	}
	held("at once", ca.Owner)
	time.Sleep(2 * lease)
	held("two leases later (renewed)", ca.Owner)

	if err := ca.Release(ctx); err != nil {
		t.Fatal(err)
	}
	cb, err := b.Claim(ctx, ClaimDue, "due-1")
	if err != nil || cb.Attempts != 2 {
		t.Fatalf("claim after release: %+v %v", cb, err)
	}
	// b dies: its heartbeat stops, nothing releases the claim.
	cb.stop()
	if _, err := a.Claim(ctx, ClaimDue, "due-1"); !errors.As(err, new(*HeldError)) {
		t.Fatalf("claim of a dead worker's unit within its lease: %v (want held)", err)
	}
	time.Sleep(lease + lease/2)
	ca2, err := a.Claim(ctx, ClaimDue, "due-1")
	if err != nil || ca2.Attempts != 3 {
		t.Fatalf("claim after the lease ran out: %+v %v", ca2, err)
	}
	// The dead worker's late Done must not count.
	cb.once = sync.Once{}
	cb.cancel, cb.beat = func() {}, make(chan struct{})
	close(cb.beat)
	if err := cb.Done(ctx); !errors.Is(err, ErrClaimLost) || err.Error() != "due due-1: "+ErrClaimLost.Error() {
		t.Fatalf("late Done of the taken-over claim: %v", err)
	}
	if err := ca2.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ca2.Done(ctx); err != nil {
		t.Fatalf("second Done: %v (want nothing)", err)
	}
	if _, err := b.Claim(ctx, ClaimDue, "due-1"); !errors.Is(err, ErrDone) || !strings.HasPrefix(err.Error(), "due due-1: already done by worker "+ca2.Owner+" on ") {
		t.Fatalf("claim of a done unit: %v", err)
	}
	cs, err := b.Claims(ctx, ClaimDue)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Owner != ca2.Owner || cs[0].Attempts != 3 || cs[0].DoneAt == "" {
		t.Fatalf("claims: %+v", cs)
	}
}

// TestOnceAmongWorkers: eight workers (two ledger connections, four
// goroutines each) run every one of 40 units of each kind through Once at
// the same time: each unit runs exactly once. A unit whose work fails is
// released and done by the next worker.
func TestOnceAmongWorkers(t *testing.T) {
	const units, workers = 40, 8
	ctx := context.Background()
	a, loc := openTemp(t)
	b, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kinds := []ClaimKind{ClaimDue, ClaimUpload, ClaimStatement, ClaimRequest}
	var mu sync.Mutex
	ran := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		l := []*DB{a, b}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range units * len(kinds) {
				kind, key := kinds[i%len(kinds)], fmt.Sprintf("unit-%d", (i+w*7)%(units*len(kinds))/len(kinds))
				err := l.Once(ctx, kind, key, func(context.Context) error {
					mu.Lock()
					ran[string(kind)+" "+key]++
					mu.Unlock()
					return nil
				})
				if err != nil && !errors.Is(err, ErrDone) && !errors.As(err, new(*HeldError)) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(ran) != units*len(kinds) {
		t.Errorf("%d units ran, want %d", len(ran), units*len(kinds))
	}
	for u, n := range ran {
		if n != 1 {
			t.Errorf("%s ran %d times", u, n)
		}
	}

	boom := errors.New("upload refused")
	if err := a.Once(ctx, ClaimUpload, "PMT-9", func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing work: %v", err)
	}
	done := false
	if err := b.Once(ctx, ClaimUpload, "PMT-9", func(context.Context) error { done = true; return nil }); err != nil || !done {
		t.Fatalf("the failed unit, again: %v, ran %v", err, done)
	}
	if cs, err := a.Claims(ctx, ClaimUpload); err != nil || len(cs) != units+1 || cs[0].Key != "PMT-9" || cs[0].Attempts != 2 || cs[0].DoneAt == "" {
		t.Fatalf("claims (PMT-9 sorts first): %+v %v", cs, err)
	}
}

// TestClaimOfDeadProcessHere: a claim whose worker was a process of this
// host that is gone (killed -9) is taken over at once, not after its lease;
// one of a live process, or of another host, is left to it.
func TestClaimOfDeadProcessHere(t *testing.T) {
	ctx := context.Background()
	l, _ := openTemp(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true(1) to get a dead process id:", err)
	}
	host, _ := os.Hostname()
	for _, tc := range []struct {
		owner    string
		takeOver bool
	}{
		{fmt.Sprintf("%s:%d:0123456789ab", host, dead.Process.Pid), true},
		{fmt.Sprintf("%s:%d:0123456789ab", host, os.Getppid()), false}, // alive: the test's parent
		{fmt.Sprintf("another-machine:%d:0123456789ab", dead.Process.Pid), false},
	} {
		key := "k-" + tc.owner
		if _, err := l.db.ExecContext(ctx, `INSERT INTO claims (kind, key, owner, expires_ms, attempts, claimed_at) VALUES (?, ?, ?, ?, 1, ?)`,
			string(ClaimStatement), key, tc.owner, time.Now().Add(time.Hour).UnixMilli(), l.stamp()); err != nil {
			t.Fatal(err)
		}
		c, err := l.Claim(ctx, ClaimStatement, key)
		var h *HeldError
		switch {
		case tc.takeOver && (err != nil || c.Attempts != 2):
			t.Errorf("%s: %+v %v, want taken over (attempt 2)", tc.owner, c, err)
		case !tc.takeOver && (!errors.As(err, &h) || h.Owner != tc.owner):
			t.Errorf("%s: %+v %v, want left to it", tc.owner, c, err)
		}
		if c != nil {
			c.Release(ctx)
		}
	}
}
