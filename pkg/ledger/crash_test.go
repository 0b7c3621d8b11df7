package ledger

import (
	"bufio"
	"context"
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
	crashEnv   = "BATCHTOOL_LEDGER_CRASH_CHILD" // path of the ledger the child imports into
	crashN     = 40000                          // lines the child imports
	crashAfter = 10000                          // lines after which it says MIDWAY (and goes on writing)
)

// TestCrashMidImport kills an import with SIGKILL halfway through its
// transaction and checks that the ledger is exactly as before the file; a
// second run then imports it exactly once.
func TestCrashMidImport(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path)
		return
	}
	l, path := openTemp(t)
	seed(t, l, crashN)
	before := countsString(t, l)
	l.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashMidImport$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	midway := false
	for sc.Scan() {
		if sc.Text() == "MIDWAY" {
			midway = true
			break
		}
	}
	if !midway {
		cmd.Wait()
		t.Fatal("child ended without reaching MIDWAY")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed by SIGKILL: %v", err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil {
		t.Logf("killed mid-import; WAL left behind: %d bytes (uncommitted pages spilled by the child)", fi.Size())
	}

	l2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if after := countsString(t, l2); after != before {
		t.Fatalf("ledger changed by a killed import\nbefore %s\n after %s", before, after)
	}
	if !l2.d.postgres {
		var ok1 string
		if err := l2.db.QueryRow(`PRAGMA integrity_check`).Scan(&ok1); err != nil || ok1 != "ok" {
			t.Fatalf("integrity_check %q %v", ok1, err)
		}
	}
	// Re-run: the file is imported once, exactly.
	r, err := l2.Import(context.Background(), File{Name: "crash.xml", SHA256: "crash"}, &genReader{k: 0, to: crashN}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.AlreadyImported {
		t.Fatal("the killed import was recorded")
	}
	checkSummary(t, r.Summary, crashN)
	x := expectFor(crashN)
	want := fmt.Sprintf("batches %d collections open 0 collected %d returned %d invoices open %d paid %d partial 0 overpaid 0 files 1 lines %d matches %d",
		crashN/1000, x.e2e, x.ret, x.unmatched, crashN/2-x.unmatched, crashN, crashN)
	if got := countsString(t, l2); got != want {
		t.Errorf("after re-run\n got %s\nwant %s", got, want)
	}
	r2, err := l2.Import(context.Background(), File{Name: "crash.xml", SHA256: "crash"}, &genReader{k: 0, to: crashN}, ImportOptions{})
	if err != nil || !r2.AlreadyImported {
		t.Fatalf("third run: %+v %v", r2, err)
	}
}

// crashChild imports the generated file into the ledger at path and says
// MIDWAY on stdout part-way; the parent kills it then. It must never finish.
func crashChild(path string) {
	l, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	n := 0
	_, err = l.Import(context.Background(), File{Name: "crash.xml", SHA256: "crash"}, &genReader{k: 0, to: crashN}, ImportOptions{
		OnResult: func(r *reconcile.Result, dup bool) error {
			n++
			if n == crashAfter {
				os.Stdout.WriteString("MIDWAY\n")
				os.Stdout.Sync()
			}
			if n == crashN {
				// Do not commit: the parent has had ample time to kill us.
				// If it has not, hang until it does (the test then fails by timeout).
				time.Sleep(time.Hour)
			}
			return nil
		},
	})
	fmt.Fprintln(os.Stderr, "child import returned:", err, strings.Repeat("!", 3))
	os.Exit(4)
}
