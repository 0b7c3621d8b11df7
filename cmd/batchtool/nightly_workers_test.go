package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/payreqsandbox"
	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
)

// workerNight is what one nightly process of a night did.
type workerNight struct {
	code        int
	out, errOut string
	res         nightlyResult
}

// workers are n nightly workers, each with a work folder of its own (a
// machine of its own), on one new sandbox and one new PostgreSQL ledger.
type workers struct {
	srv     *sandbox.Server
	pay     *payreqsandbox.Server
	url     string
	configs []string
}

func newWorkers(t *testing.T, n int) *workers {
	t.Helper()
	w := &workers{url: testutil.PostgresLedger(t)}
	w.srv, w.pay = startSandboxes(t)
	due, _ := filepath.Abs(repoFile("due.csv"))
	inv, _ := filepath.Abs(repoFile("invoices"))
	for range n {
		config, _ := writeNightlyConfig(t, t.TempDir(), nightlyTestConfig{due: due, invoices: inv, formats: `"camt", "coda"`, reports: `"csv"`,
			extra: "[payreq]\nprovider = \"tikkie\"\noverdue = \"none\"\n"})
		b, _ := os.ReadFile(config)
		os.WriteFile(config, []byte(strings.Replace(string(b), `ledger = "batchtool.db"`, fmt.Sprintf("ledger = %q", w.url), 1)), 0o644)
		w.configs = append(w.configs, config)
	}
	return w
}

// night runs one night: the workers' nightly processes started at once,
// with more than one the batch upload held up 4 s so that they meet (a
// loaded machine starts processes slowly). It returns what each did.
func (w *workers) night(t *testing.T) []workerNight {
	t.Helper()
	n := len(w.configs)
	if n > 1 {
		w.srv.Inject(sandbox.Fault{Kind: sandbox.FaultSlow, Method: "POST", Path: "/creditor/collect/import", Delay: 4 * time.Second})
	}
	cmds := make([]*exec.Cmd, n)
	outs, errs := make([]bytes.Buffer, n), make([]bytes.Buffer, n)
	for i, config := range w.configs {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^$")
		cmds[i].Env = append(os.Environ(), execArgsEnv+"="+strings.Join([]string{"nightly", "--config", config, "--json"}, "\x1f"))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &errs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	nights := make([]workerNight, n)
	for i, c := range cmds {
		err := c.Wait()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		wn := workerNight{code: c.ProcessState.ExitCode(), out: outs[i].String(), errOut: errs[i].String()}
		if err := json.Unmarshal(outs[i].Bytes(), &wn.res); err != nil {
			t.Fatalf("worker %d of %d: exit %d, --json: %v\n%s\n%s", i+1, n, wn.code, err, wn.out, wn.errOut)
		}
		if wn.code != 0 || len(wn.res.NeedsAttention) != 0 {
			t.Fatalf("worker %d of %d: exit %d, attention %q\n%s", i+1, n, wn.code, wn.res.NeedsAttention, wn.errOut)
		}
		nights[i] = wn
	}
	return nights
}

// between is what happens at the customers between the two nights: one
// returned collection's request is paid, the other expires.
func (w *workers) between(t *testing.T) {
	t.Helper()
	prs := requestsOf(t, w.url, "tikkie", ledger.RequestOpen)
	if err := w.pay.MarkTikkiePaid(prs["ACME-2026-11-0005"].ProviderRef, "Luc Maes"); err != nil {
		t.Fatal(err)
	}
	if err := w.pay.ExpireTikkie(prs["ACME-2026-11-0004"].ProviderRef); err != nil {
		t.Fatal(err)
	}
}

// unitNames lists units as "kind key", sorted. The keys that differ from
// one sandbox to another (a batch's SHA-256 holds its creation time, the
// platform's files are named after theirs) are written as "*".
func unitNames(units ...[]pipeline.Unit) []string {
	var out []string
	for _, us := range units {
		for _, u := range us {
			key := u.Key
			switch {
			case u.Kind == ledger.ClaimFile, u.Kind == ledger.ClaimStatement, u.Kind == ledger.ClaimUpload && !strings.HasPrefix(key, "invoice "):
				key = "*"
			}
			out = append(out, string(u.Kind)+" "+key)
		}
	}
	sort.Strings(out)
	return out
}

// platformCalls are the sandbox's counts of the calls that do a unit of
// work: a batch imported, an invoice uploaded, a file downloaded, a
// payment request created.
func platformCalls(stats map[string]int) string {
	var tikkie int
	for k, v := range stats {
		if strings.HasPrefix(k, "POST /v1/tikkie/platforms/") && strings.HasSuffix(k, "/paymentrequests") {
			tikkie += v
		}
	}
	return fmt.Sprintf("batch imports %d, invoice uploads %d, file downloads %d, tikkie requests %d",
		stats["POST /creditor/collect/import"], stats["POST /creditor/invoice/ubl"], stats["GET /creditor/files/{name}"], tikkie)
}

// TestNightlyWorkersPostgres runs the sample data for two nights against
// PostgreSQL: once with one nightly process a night, once with two at the
// same time on one ledger and one sandbox, each with a work folder of its
// own. Between the nights one payment request is paid and one expires. The
// two workers split each night: every unit of work (the due file, the
// batch upload, each invoice upload, each platform file, each statement
// file, each payment request sent or synced) is done by exactly one of
// them — the other reports it as left to it — and together they did what
// the one worker did: the same units, the same calls to the platforms
// (each once), the same ledger.
func TestNightlyWorkersPostgres(t *testing.T) {
	if os.Getenv(testutil.PostgresEnv) == "" {
		t.Skip("skipping: " + testutil.PostgresEnv + " is not set (.ci/run starts a PostgreSQL server)")
	}
	want := []string{
		"due 1 upload 1 invoice 6 file 2 statement 2 payreq 2",
		"due 0 upload 0 invoice 0 file 2 statement 2 payreq 2", // the payout's files; the expired request closed and sent again (~2)
	}
	solo := newWorkers(t, 1)
	var soloUnits [][]string
	var soloCalls []string
	for night := range 2 {
		if night > 0 {
			solo.between(t)
		}
		w := solo.night(t)[0]
		if len(w.res.Elsewhere) != 0 {
			t.Fatalf("night %d, one worker: left %v to others", night+1, w.res.Elsewhere)
		}
		units := unitNames(w.res.Done)
		if unitCounts(units) != want[night] {
			t.Fatalf("night %d, one worker's units: %s, want %s\n%s", night+1, unitCounts(units), want[night], strings.Join(units, "\n"))
		}
		soloUnits, soloCalls = append(soloUnits, units), append(soloCalls, platformCalls(solo.srv.Stats()))
	}
	if want := "batch imports 1, invoice uploads 6, file downloads 2, tikkie requests 2"; soloCalls[0] != want {
		t.Fatalf("one worker's calls the first night: %s, want %s", soloCalls[0], want)
	}
	soloLedger := ledgerCounts(t, solo.url)

	pair := newWorkers(t, 2)
	for night := range 2 {
		if night > 0 {
			pair.between(t)
		}
		two := pair.night(t)
		for i, w := range two {
			t.Logf("night %d: worker %d did %s; left %s to the other", night+1, i+1, unitCounts(unitNames(w.res.Done)), unitCounts(unitNames(w.res.Elsewhere)))
		}
		// Each unit done once: no key twice among the two workers' units.
		seen := map[pipeline.Unit]int{}
		for i, w := range two {
			for _, u := range w.res.Done {
				if j, dup := seen[u]; dup {
					t.Errorf("night %d: %s %s done by worker %d and worker %d", night+1, u.Kind, u.Key, j+1, i+1)
				}
				seen[u] = i
			}
		}
		// What one left to the other, the other did.
		for i, w := range two {
			for _, u := range w.res.Elsewhere {
				if j, ok := seen[u]; !ok || j == i {
					t.Errorf("night %d: worker %d left %s %s to another worker, which did not do it", night+1, i+1, u.Kind, u.Key)
				}
			}
		}
		if got := unitNames(two[0].res.Done, two[1].res.Done); strings.Join(got, "\n") != strings.Join(soloUnits[night], "\n") {
			t.Errorf("night %d: the two workers' units:\n%s\nwant one worker's:\n%s", night+1, strings.Join(got, "\n"), strings.Join(soloUnits[night], "\n"))
		}
		// The batch upload took 4 s: the other worker met the due file
		// held (or done).
		if night == 0 {
			var dueDone, dueLeft int
			for _, w := range two {
				dueDone += unitsOf(w.res.Done, ledger.ClaimDue)
				dueLeft += unitsOf(w.res.Elsewhere, ledger.ClaimDue)
			}
			if dueDone != 1 || dueLeft != 1 {
				t.Errorf("the due file: done by %d worker(s), left by %d; want 1 and 1", dueDone, dueLeft)
			}
		}
		if got := platformCalls(pair.srv.Stats()); got != soloCalls[night] {
			t.Errorf("night %d: two workers' calls so far: %s, want one worker's: %s", night+1, got, soloCalls[night])
		}
	}
	if got, want := ledgerState(ledgerCounts(t, pair.url)), ledgerState(soloLedger); got != want {
		t.Errorf("the ledger after two workers:\n%s\nafter one:\n%s", got, want)
	}
}

// unitsOf counts the units of kind.
func unitsOf(units []pipeline.Unit, kind ledger.ClaimKind) int {
	n := 0
	for _, u := range units {
		if u.Kind == kind {
			n++
		}
	}
	return n
}

// unitCounts sums unit names (unitNames) per kind, in a fixed order.
func unitCounts(names []string) string {
	n := map[string]int{}
	for _, s := range names {
		kind, key, _ := strings.Cut(s, " ")
		if kind == string(ledger.ClaimUpload) && strings.HasPrefix(key, "invoice ") {
			kind = "invoice"
		}
		n[kind]++
	}
	var out []string
	for _, k := range []string{"due", "upload", "invoice", "file", "statement", "payreq"} {
		out = append(out, fmt.Sprintf("%s %d", k, n[k]))
	}
	return strings.Join(out, " ")
}

// TestNightlyWorkerKilledPostgres: a worker killed with -9 while it uploads
// the night's batch holds the due file's claim and the batch's; a worker
// started afterwards on the same host sees its process gone and takes the
// due file over at once (on another host, once the lease ran out): it
// builds the batch again in its own work folder and sends it; the platform
// holds its collections once, and the ledger ends as after one worker's
// night.
func TestNightlyWorkerKilledPostgres(t *testing.T) {
	if os.Getenv(testutil.PostgresEnv) == "" {
		t.Skip("skipping: " + testutil.PostgresEnv + " is not set (.ci/run starts a PostgreSQL server)")
	}
	solo := newWorkers(t, 1)
	solo.night(t)
	want := ledgerState(ledgerCounts(t, solo.url))

	w := newWorkers(t, 2)
	w.srv.Inject(sandbox.Fault{Kind: sandbox.FaultSlow, Method: "POST", Path: "/creditor/collect/import", Delay: 3 * time.Second})
	killed := exec.Command(os.Args[0], "-test.run=^$")
	killed.Env = append(os.Environ(), execArgsEnv+"="+strings.Join([]string{"nightly", "--config", w.configs[0]}, "\x1f"))
	var out bytes.Buffer
	killed.Stdout, killed.Stderr = &out, &out
	if err := killed.Start(); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); w.srv.Stats()["POST /creditor/collect/import"] == 0; time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			killed.Process.Kill()
			killed.Wait()
			t.Fatalf("the first worker never uploaded:\n%s", out.String())
		}
	}
	killed.Process.Signal(syscall.SIGKILL)
	killed.Wait()

	code, stdout, stderr := batchtool(t, "nightly", "--config", w.configs[1], "--json")
	var res nightlyResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 || len(res.NeedsAttention) != 0 {
		t.Fatalf("the worker after the kill: exit %d, %v\n%s\n%s", code, err, stdout, stderr)
	}
	if got := unitCounts(unitNames(res.Done)); got != "due 1 upload 1 invoice 6 file 2 statement 2 payreq 2" || len(res.Elsewhere) != 0 {
		t.Errorf("the worker after the kill did %s, left %v", got, res.Elsewhere)
	}
	l, err := ledger.Open(w.url)
	if err != nil {
		t.Fatal(err)
	}
	due, err := l.Claims(context.Background(), ledger.ClaimDue)
	l.Close()
	if err != nil || len(due) != 1 || due[0].Attempts != 2 || due[0].DoneAt == "" {
		t.Errorf("the due file's claim: %+v %v, want done on the second attempt", due, err)
	}
	if got := ledgerState(ledgerCounts(t, w.url)); got != want {
		t.Errorf("the ledger after the kill and the second worker:\n%s\nafter one worker's night:\n%s", got, want)
	}
}
