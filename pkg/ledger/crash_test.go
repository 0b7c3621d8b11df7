package ledger

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/reconcile"
)

const (
	crashEnv   = "BATCHTOOL_LEDGER_CRASH_CHILD" // location of the ledger the child imports into
	crashN     = 20000                          // lines of the file
	crashAfter = 10000                          // lines after which the child says MIDWAY and stops, inside its transaction
	crashLease = 3 * time.Second                // the claims' lease, child and parent
)

var crashFile = File{Name: "crash.xml", SHA256: "crash"}

// TestKilledWorkerLeaseTakeover: a worker (a child process: this test
// binary again) claims a statement file and stops half-way through its
// import, inside the transaction, its lease renewed; it is killed with
// SIGKILL. Nothing of the file is booked. While its lease runs, a second
// worker leaves the file to it; once the lease ran out, the second worker
// takes the file over and books it exactly once: every count, and the sums
// of the lines and of the open remainders to the cent. On PostgreSQL the
// child's lease is renewed while it is alive (checked over two leases); on
// SQLite the child's transaction holds the database lock, so no one else
// writes until it dies.
func TestKilledWorkerLeaseTakeover(t *testing.T) {
	if loc := os.Getenv(crashEnv); loc != "" {
		crashChild(loc)
		return
	}
	ctx := context.Background()
	l, loc := openTemp(t)
	l.leaseClaims = crashLease
	seed(t, l, crashN)
	before := countsString(t, l)

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWorkerLeaseTakeover$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+loc)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // if the test fails before the kill
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "MIDWAY" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child ended without reaching MIDWAY (%q)", sc.Text())
	}
	claims, err := l.Claims(ctx, ClaimStatement)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || claims[0].Key != "crash" || claims[0].DoneAt != "" || claims[0].Attempts != 1 ||
		!strings.Contains(claims[0].Owner, fmt.Sprintf(":%d:", cmd.Process.Pid)) {
		t.Fatalf("claims while the child imports: %+v (want one, the child's, not done)", claims)
	}
	child := claims[0].Owner
	// leftTo checks that a second worker leaves the file to the child and
	// changes nothing.
	leftTo := func(when string) {
		t.Helper()
		r, err := l.Import(ctx, crashFile, &genReader{k: 0, to: crashN}, ImportOptions{})
		if err != nil || r.ClaimedBy != child || r.AlreadyImported || r.Entries != 0 {
			t.Fatalf("%s: second worker: %+v, %v (want the file left to %s)", when, r, err, child)
		}
		if got := countsString(t, l); got != before {
			t.Fatalf("%s: ledger changed\nbefore %s\n after %s", when, before, got)
		}
	}
	if l.d.postgres {
		time.Sleep(2 * crashLease) // the child's heartbeat renews its lease meanwhile
		leftTo("two leases into the child's import")
	}

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed by SIGKILL: %v", err)
	}
	killed := time.Now()
	// The second worker stands for one on another machine: a claim of a
	// dead process of this host is taken over at once (deadHere), one of
	// another host only when its lease ends.
	host, _ := os.Hostname()
	elsewhere := "another-machine" + strings.TrimPrefix(child, host)
	if _, err := l.db.ExecContext(ctx, `UPDATE claims SET owner = ? WHERE owner = ?`, elsewhere, child); err != nil {
		t.Fatal(err)
	}
	child = elsewhere
	if got := countsString(t, l); got != before {
		t.Fatalf("ledger changed by a killed import\nbefore %s\n after %s", before, got)
	}
	if !l.d.postgres {
		var ok string
		if err := l.db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("integrity_check %q %v", ok, err)
		}
	}
	claims, err = l.Claims(ctx, ClaimStatement)
	if err != nil {
		t.Fatal(err)
	}
	expires := claims[0].Expires
	if l.d.postgres {
		if !expires.After(killed) {
			t.Fatalf("the child's lease ended at %s, before it was killed at %s: its heartbeat did not renew it", expires, killed)
		}
		leftTo("just after the kill")
	}

	// The lease runs out; the second worker takes the file over.
	var r *ImportResult
	for deadline := time.Now().Add(3 * crashLease); ; time.Sleep(crashLease / 10) {
		if r, err = l.Import(ctx, crashFile, &genReader{k: 0, to: crashN}, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if r.ClaimedBy == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the killed worker's claim was not taken over (lease until %s)", r.ClaimExpires)
		}
	}
	if took := time.Now(); took.Before(expires) {
		t.Errorf("taken over at %s, before the lease ran out at %s", took, expires)
	}
	if r.AlreadyImported {
		t.Fatal("the killed import was recorded")
	}
	checkSummary(t, r.Summary, crashN)
	x := expectFor(crashN)
	want := fmt.Sprintf("batches %d collections open 0 collected %d returned %d invoices open %d paid %d partial 0 overpaid 0 files 1 lines %d matches %d",
		crashN/1000, x.e2e, x.ret, x.unmatched, crashN/2-x.unmatched, crashN, crashN)
	if got := countsString(t, l); got != want {
		t.Errorf("after the take-over\n got %s\nwant %s", got, want)
	}
	// Lines 0..19,999: the sum of their signed amounts; the gifts (k%1000
	// == 999) match nothing, so their invoices stay open.
	if got, want := sumByCurrency(t, l, `SELECT currency, SUM(amount) FROM statement_lines GROUP BY currency`), "EUR 1009500"; got != want {
		t.Errorf("lines booked: %s, want %s", got, want)
	}
	if got, want := sumByCurrency(t, l, `SELECT currency, SUM(open_amount) FROM invoices GROUP BY currency`), "EUR 1129.8"; got != want {
		t.Errorf("invoices open: %s, want %s (10.00+k%%9000/100 for k = 999, 1999, ..., 19999)", got, want)
	}
	claims, err = l.Claims(ctx, ClaimStatement)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || claims[0].Attempts != 2 || claims[0].DoneAt == "" || claims[0].Owner == child {
		t.Errorf("claim after the take-over: %+v (want done by the second worker, attempt 2)", claims)
	}
	r2, err := l.Import(ctx, crashFile, &genReader{k: 0, to: crashN}, ImportOptions{})
	if err != nil || !r2.AlreadyImported || r2.PreviousName != "crash.xml" {
		t.Fatalf("third run: %+v %v", r2, err)
	}
}

// crashChild imports the generated file into the ledger at loc, says
// MIDWAY on stdout half-way and waits inside its transaction for the
// parent to kill it. It must never finish.
func crashChild(loc string) {
	l, err := Open(loc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	l.leaseClaims = crashLease
	n := 0
	_, err = l.Import(context.Background(), crashFile, &genReader{k: 0, to: crashN}, ImportOptions{
		OnResult: func(r *reconcile.Result, dup bool) error {
			if n++; n == crashAfter {
				os.Stdout.WriteString("MIDWAY\n")
				time.Sleep(time.Hour) // the parent kills us; if not, the test times out
			}
			return nil
		},
	})
	fmt.Fprintln(os.Stderr, "child import returned:", err, errors.New("!!!"))
	os.Exit(4)
}
