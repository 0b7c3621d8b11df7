package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/ledger"
)

const nightlyChildEnv = "BATCHTOOL_NIGHTLY_CHILD" // the config a child process runs nightly with

// TestNightlyRunLock starts two nightly runs at once, as two processes, on
// one sandbox and one new SQLite ledger (one machine owns the file, and the
// run lock serialises its runs; on PostgreSQL see
// TestNightlyNoRunLockPostgres): one runs (its upload held up 3 s by the
// sandbox), the other is refused at once with the run holding the lock,
// exit 1; no SQLITE_BUSY, no upload refused. A third run afterwards finds
// the lock free.
func TestNightlyRunLock(t *testing.T) {
	if cfg := os.Getenv(nightlyChildEnv); cfg != "" {
		os.Exit(run([]string{"nightly", "--config", cfg}, strings.NewReader(""), os.Stdout, os.Stderr))
	}
	testNightlyRunLock(t)
}

// TestNightlyNoRunLockPostgres: on PostgreSQL nightly takes no run lock:
// two runs started at once both run to the end, exit 0, and split the
// night — the due file is built and its batch uploaded by one (imported
// once), the other leaves it to it (TestNightlyWorkersPostgres checks the
// whole split).
func TestNightlyNoRunLockPostgres(t *testing.T) {
	url := testutil.PostgresLedger(t)
	if url == "" {
		t.Skip("skipping: " + testutil.PostgresEnv + " is not set")
	}
	srv, _ := startSandbox(t)
	config, _ := sampleNightlyConfig(t)
	b, _ := os.ReadFile(config)
	os.WriteFile(config, []byte(strings.Replace(string(b), `ledger = "batchtool.db"`, fmt.Sprintf("ledger = %q", url), 1)), 0o644)
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultSlow, Method: "POST", Path: "/creditor/collect/import", Delay: 4 * time.Second})
	var cmds [2]*exec.Cmd
	var outs [2]bytes.Buffer
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestNightlyRunLock$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), nightlyChildEnv+"="+config)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	left := 0
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, outs[i].String())
		}
		out := outs[i].String()
		if strings.Contains(out, "another run") || !strings.HasSuffix(out, "nothing needs attention\n") {
			t.Errorf("run %d:\n%s", i+1, out)
		}
		if strings.Contains(out, ": claimed by worker ") && strings.Contains(out, "): left to it\n") {
			left++
		}
	}
	if n := srv.Stats()["POST /creditor/collect/import"]; n != 1 || left != 1 {
		t.Errorf("%d batch import(s), %d run(s) left the due file to the other; want 1 and 1", n, left)
	}
}

func testNightlyRunLock(t *testing.T) {
	srv, _ := startSandbox(t)
	config, _ := sampleNightlyConfig(t)
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultSlow, Method: "POST", Path: "/creditor/collect/import", Delay: 3 * time.Second})
	type result struct {
		pid         int
		code        int
		out, errOut string
	}
	var cmds [2]*exec.Cmd
	var outs, errs [2]bytes.Buffer
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestNightlyRunLock$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), nightlyChildEnv+"="+config)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &errs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	var res [2]result
	for i, c := range cmds {
		err := c.Wait()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		res[i] = result{pid: c.Process.Pid, code: c.ProcessState.ExitCode(), out: outs[i].String(), errOut: errs[i].String()}
	}
	if res[0].code != 0 {
		res[0], res[1] = res[1], res[0]
	}
	winner, loser := res[0], res[1]
	if winner.code != 0 || !strings.Contains(winner.out, "6 file(s): 6 uploaded, 0 skipped, 0 failed\n") ||
		!strings.Contains(winner.out, "platform: imported on profile 1234\n") || !strings.HasSuffix(winner.out, "nothing needs attention\n") {
		t.Fatalf("the run holding the lock: exit %d\n%s\n%s", winner.code, winner.out, winner.errOut)
	}
	host, _ := os.Hostname()
	stamp := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`
	want := regexp.MustCompile(`^batchtool: another run \(nightly\) is in progress since ` + stamp + ` \(holder ` +
		regexp.QuoteMeta(fmt.Sprintf("%s:%d:", host, winner.pid)) + `[0-9a-f]{12}, lease renewed until ` + stamp + `\)\n$`)
	if loser.code != 1 || !want.MatchString(loser.errOut) || strings.Count(loser.out, "\n") != 1 ||
		!strings.HasPrefix(loser.out, "batchtool nightly ") {
		t.Fatalf("the second run: exit %d\n%s\n%s\nwant stderr %s", loser.code, loser.out, loser.errOut, want)
	}
	for _, r := range res {
		if s := r.out + r.errOut; strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked") {
			t.Errorf("pid %d met a busy database:\n%s", r.pid, s)
		}
	}
	if n := srv.Stats()["POST /creditor/collect/import"]; n != 1 {
		t.Errorf("%d batch imports, want 1", n)
	}
	code, out, errOut := batchtool(t, "nightly", "--config", config)
	if code != 0 || !strings.Contains(out, "(ledger): not sent again\n") {
		t.Fatalf("a third run: exit %d\n%s\n%s", code, out, errOut)
	}
}

const lockHolderEnv = "BATCHTOOL_TEST_HOLD_LOCK" // ledger a child process holds the run lock of

// TestCommandsTakeRunLock: while another process holds the run lock (as
// nightly), every command that changes the ledger or calls the platform
// exits 1 naming it, before it does anything; commands that only read run.
func TestCommandsTakeRunLock(t *testing.T) {
	if path := os.Getenv(lockHolderEnv); path != "" {
		l, err := ledger.Open(path)
		if err == nil {
			_, err = l.AcquireRunLock(context.Background(), "nightly")
		}
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		fmt.Println("HELD")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	srv, _ := startSandboxes(t)
	ledgerPath := os.Getenv(envLedger)
	batch := writeBatch(t, "LOCK-1", "10.00")
	child := exec.Command(os.Args[0], "-test.run=^TestCommandsTakeRunLock$", "-test.count=1")
	child.Env = append(os.Environ(), lockHolderEnv+"="+ledgerPath)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "HELD\n" {
		t.Fatalf("child: %q", line)
	}
	host, _ := os.Hostname()
	stamp := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`
	want := regexp.MustCompile(`^batchtool: another run \(nightly\) is in progress since ` + stamp + ` \(holder ` +
		regexp.QuoteMeta(fmt.Sprintf("%s:%d:", host, child.Process.Pid)) + `[0-9a-f]{12}, lease renewed until ` + stamp + `\)\n$`)
	before := srv.Stats()
	for _, args := range [][]string{
		{"collect", "upload", batch, "--profile", "1234"},
		{"invoice", "upload", repoFile("invoices")},
		{"ledger", "add", batch},
		{"reconcile", corpusFile(t, "camt053", "subite-camt053-v2-be-small.xml")},
		{"payreq", "create", "--provider", "tikkie", "--from-ledger"},
		{"payreq", "sync"},
		{"ledger", "check"},
		{"files", "fetch", "--dir", t.TempDir()},
	} {
		code, stdout, stderr := batchtool(t, args...)
		if code != 1 || stdout != "" || !want.MatchString(stderr) {
			t.Errorf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
	}
	if after := srv.Stats(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("calls made while the lock was held elsewhere:\nbefore %v\nafter  %v", before, after)
	}
	if code, stdout, stderr := batchtool(t, "ledger", "status"); code != 0 || !strings.Contains(stdout, "statements: 0 file(s), 0 line(s) booked") {
		t.Errorf("ledger status (reads only): exit %d\n%s\n%s", code, stdout, stderr)
	}
}
