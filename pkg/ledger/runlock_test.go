package ledger

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// lockRow is the run_lock row, or "" when there is none.
func lockRow(t *testing.T, l *DB) string {
	t.Helper()
	var holder, command, since, expires string
	err := l.db.QueryRow(`SELECT holder, command, since, expires_at FROM run_lock WHERE name = 'run'`).Scan(&holder, &command, &since, &expires)
	if err != nil {
		return ""
	}
	return holder + " " + command + " " + since + " " + expires
}

// deadPid is the id of a process that has ended.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	return cmd.Process.Pid
}

// TestRunLock: what AcquireRunLock does with each state of the lock row.
func TestRunLock(t *testing.T) {
	host, _ := os.Hostname()
	me := os.Getpid()
	t0 := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	since := "2026-12-03T01:59:00Z"
	live, expired := "2026-12-03T02:01:00Z", "2026-12-03T01:59:59Z"
	for _, tc := range []struct {
		name, holder, expires string
		want                  string // "taken", "reentrant", or the error
	}{
		{"free", "", "", "taken"},
		{"held elsewhere", "other:4242:abc", live,
			"another run (nightly) is in progress since 2026-12-03T01:59:00Z (holder other:4242:abc, lease renewed until 2026-12-03T02:01:00Z)"},
		{"expired elsewhere", "other:4242:abc", expired, "taken"},
		{"expired here, holder killed", fmt.Sprintf("%s:%d:abc", host, deadPid(t)), expired, "taken"},
		{"held here by a killed process", fmt.Sprintf("%s:%d:abc", host, deadPid(t)), live, "taken"},
		{"expired here, holder alive", fmt.Sprintf("%s:%d:abc", host, os.Getppid()), expired,
			fmt.Sprintf("another run (nightly) is in progress since 2026-12-03T01:59:00Z (holder %s:%d:abc, lease renewed until 2026-12-03T01:59:59Z)", host, os.Getppid())},
		{"held by this process", fmt.Sprintf("%s:%d:abc", host, me), live, "reentrant"},
		{"expired, held by this process", fmt.Sprintf("%s:%d:abc", host, me), expired, "reentrant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := openTemp(t)
			l.now = func() time.Time { return t0 }
			ctx := context.Background()
			if tc.holder != "" {
				if _, err := l.db.Exec(`INSERT INTO run_lock (name, holder, command, since, expires_at) VALUES ('run', ?, 'nightly', ?, ?)`,
					tc.holder, since, tc.expires); err != nil {
					t.Fatal(err)
				}
			}
			before := lockRow(t, l)
			lk, err := l.AcquireRunLock(ctx, "collect upload")
			switch tc.want {
			case "taken":
				if err != nil {
					t.Fatal(err)
				}
				want := lk.Holder() + " collect upload 2026-12-03T02:00:00Z 2026-12-03T02:02:00Z"
				if got := lockRow(t, l); got != want || lk.Reentrant() {
					t.Fatalf("row %q, reentrant %v; want %q", got, lk.Reentrant(), want)
				}
				if h, pid, ok := parseHolder(lk.Holder()); !ok || h != host || pid != me || len(lk.Holder()) != len(host)+len(strconv.Itoa(me))+2+12 {
					t.Errorf("holder %q: want %s:%d:<12 hex digits>", lk.Holder(), host, me)
				}
				if err := lk.Release(); err != nil {
					t.Fatal(err)
				}
				if got := lockRow(t, l); got != "" {
					t.Fatalf("after Release: %q", got)
				}
			case "reentrant":
				if err != nil {
					t.Fatal(err)
				}
				if !lk.Reentrant() || lk.Holder() != tc.holder {
					t.Fatalf("reentrant %v holder %q", lk.Reentrant(), lk.Holder())
				}
				if err := lk.Release(); err != nil {
					t.Fatal(err)
				}
				if got := lockRow(t, l); got != before {
					t.Fatalf("the inner Release changed the lock: %q, was %q", got, before)
				}
			default:
				var le *LockedError
				if !errors.As(err, &le) || err.Error() != tc.want {
					t.Fatalf("got %v\nwant %s", err, tc.want)
				}
				if got := lockRow(t, l); got != before {
					t.Fatalf("a refused acquire changed the lock: %q, was %q", got, before)
				}
			}
		})
	}
}

// TestRunLockRenewAndClose: the lease is renewed while the lock is held,
// a lock taken over meanwhile is reported lost, and closing the ledger
// releases what is still held.
func TestRunLockRenewAndClose(t *testing.T) {
	l, loc := openTemp(t)
	l.locks.lease = 200 * time.Millisecond
	ctx := context.Background()
	lk, err := l.AcquireRunLock(ctx, "reconcile")
	if err != nil {
		t.Fatal(err)
	}
	var first string
	l.db.QueryRow(`SELECT expires_at FROM run_lock`).Scan(&first)
	time.Sleep(150 * time.Millisecond) // more than lease/4
	var renewed string
	l.db.QueryRow(`SELECT expires_at FROM run_lock`).Scan(&renewed)
	if renewed <= first {
		t.Fatalf("lease not renewed: %s, then %s", first, renewed)
	}
	// Another run took it over (this one looked dead): Release says so.
	l.db.Exec(`UPDATE run_lock SET holder = 'other:1:x'`)
	time.Sleep(150 * time.Millisecond)
	if err := lk.Release(); !errors.Is(err, ErrLockLost) {
		t.Fatalf("Release after a takeover: %v", err)
	}
	l.db.Exec(`DELETE FROM run_lock`)

	if _, err := l.AcquireRunLock(ctx, "reconcile"); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if got := lockRow(t, l2); got != "" {
		t.Fatalf("Close left the lock held: %q", got)
	}
}

const lockChildEnv = "BATCHTOOL_LEDGER_LOCK_CHILD" // ledger location the child locks

// TestRunLockKilledHolder: a process holding the lock is refused to
// another process, with the holder's command; once it is killed with
// SIGKILL its lock is taken over at once, its lease not yet ended (it is a
// process of this host, and gone).
func TestRunLockKilledHolder(t *testing.T) {
	if loc := os.Getenv(lockChildEnv); loc != "" {
		l, err := Open(loc)
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		if _, err := l.AcquireRunLock(context.Background(), "nightly"); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		fmt.Println("HELD")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	l, loc := openTemp(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunLockKilledHolder$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+loc)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "HELD" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q", sc.Text())
	}
	host, _ := os.Hostname()
	ctx := context.Background()
	_, err = l.AcquireRunLock(ctx, "collect upload")
	var le *LockedError
	if !errors.As(err, &le) || le.Command != "nightly" || le.Holder[:len(host)+1+len(strconv.Itoa(cmd.Process.Pid))+1] != fmt.Sprintf("%s:%d:", host, cmd.Process.Pid) {
		t.Fatalf("while the child holds it: %v", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	lk, err := l.AcquireRunLock(ctx, "collect upload")
	if err != nil {
		t.Fatalf("holder killed, its lease not ended: %v", err)
	}
	if lk.Reentrant() {
		t.Fatal("took the dead holder's lock as its own")
	}
	if err := lk.Release(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenAtOnce: runs started at once on a new ledger each migrate it or
// find it migrated; none fails on a migration the other applied.
func TestOpenAtOnce(t *testing.T) {
	loc := tempLocation(t)
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			l, err := Open(loc)
			if err == nil {
				err = l.Close()
			}
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
