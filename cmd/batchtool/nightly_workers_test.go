package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

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

// workersNight runs one night with n nightly processes at once, each with
// a work folder of its own (a machine of its own), against a new sandbox
// and a new PostgreSQL ledger, the batch upload held up 2 s so that the
// workers meet. It returns what each did, the sandbox's call counts and
// the ledger's counts.
func workersNight(t *testing.T, n int) ([]workerNight, map[string]int, ledger.Counts) {
	t.Helper()
	srv, _ := startSandboxes(t)
	url := testutil.PostgresLedger(t)
	due, _ := filepath.Abs(repoFile("due.csv"))
	inv, _ := filepath.Abs(repoFile("invoices"))
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultSlow, Method: "POST", Path: "/creditor/collect/import", Delay: 2 * time.Second})
	cmds := make([]*exec.Cmd, n)
	outs, errs := make([]bytes.Buffer, n), make([]bytes.Buffer, n)
	for i := range cmds {
		config, _ := writeNightlyConfig(t, t.TempDir(), nightlyTestConfig{due: due, invoices: inv, formats: `"camt", "coda"`, reports: `"csv"`,
			extra: "[payreq]\nprovider = \"tikkie\"\noverdue = \"none\"\n"})
		b, _ := os.ReadFile(config)
		os.WriteFile(config, []byte(strings.Replace(string(b), `ledger = "batchtool.db"`, fmt.Sprintf("ledger = %q", url), 1)), 0o644)
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
		w := workerNight{code: c.ProcessState.ExitCode(), out: outs[i].String(), errOut: errs[i].String()}
		if err := json.Unmarshal(outs[i].Bytes(), &w.res); err != nil {
			t.Fatalf("worker %d of %d: exit %d, --json: %v\n%s\n%s", i+1, n, w.code, err, w.out, w.errOut)
		}
		nights[i] = w
	}
	return nights, srv.Stats(), ledgerCounts(t, url)
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

// TestNightlyWorkersPostgres runs the sample night twice against
// PostgreSQL: once with one nightly process, once with two at the same
// time on one ledger and one sandbox, each with a work folder of its own.
// The two split the night: every unit of work (the due file, the batch
// upload, each invoice upload, each platform file, each statement file,
// each payment request) is done by exactly one of them — the other reports
// it as left to it — and together they did what the one worker did: the
// same units, the same calls to the platforms (each once), the same ledger.
func TestNightlyWorkersPostgres(t *testing.T) {
	if os.Getenv(testutil.PostgresEnv) == "" {
		t.Skip("skipping: " + testutil.PostgresEnv + " is not set (.ci/run starts a PostgreSQL server)")
	}
	one, oneStats, oneLedger := workersNight(t, 1)
	if w := one[0]; w.code != 0 || len(w.res.NeedsAttention) != 0 || len(w.res.Elsewhere) != 0 {
		t.Fatalf("one worker: exit %d, attention %q, elsewhere %v\n%s", w.code, w.res.NeedsAttention, w.res.Elsewhere, w.errOut)
	}
	wantUnits := unitNames(one[0].res.Done)
	if want := "due 1 upload 1 invoice 6 file 2 statement 2 payreq 2"; unitCounts(wantUnits) != want {
		t.Fatalf("one worker's units: %s, want %s\n%s", unitCounts(wantUnits), want, strings.Join(wantUnits, "\n"))
	}
	if got, want := platformCalls(oneStats), "batch imports 1, invoice uploads 6, file downloads 2, tikkie requests 2"; got != want {
		t.Fatalf("one worker's calls: %s, want %s", got, want)
	}

	two, twoStats, twoLedger := workersNight(t, 2)
	for i, w := range two {
		if w.code != 0 || len(w.res.NeedsAttention) != 0 {
			t.Errorf("worker %d: exit %d, attention %q\n%s\n%s", i+1, w.code, w.res.NeedsAttention, w.out, w.errOut)
		}
		t.Logf("worker %d did %s; left %s to the other", i+1, unitCounts(unitNames(w.res.Done)), unitCounts(unitNames(w.res.Elsewhere)))
	}
	if t.Failed() {
		t.FailNow()
	}
	// Each unit done once: no key twice among the two workers' units.
	seen := map[pipeline.Unit]int{}
	for i, w := range two {
		for _, u := range w.res.Done {
			if j, dup := seen[u]; dup {
				t.Errorf("%s %s done by worker %d and worker %d", u.Kind, u.Key, j+1, i+1)
			}
			seen[u] = i
		}
	}
	// What one left to the other, the other did.
	for i, w := range two {
		for _, u := range w.res.Elsewhere {
			if j, ok := seen[u]; !ok || j == i {
				t.Errorf("worker %d left %s %s to another worker, which did not do it", i+1, u.Kind, u.Key)
			}
		}
	}
	if got := unitNames(two[0].res.Done, two[1].res.Done); strings.Join(got, "\n") != strings.Join(wantUnits, "\n") {
		t.Errorf("the two workers' units:\n%s\nwant one worker's:\n%s", strings.Join(got, "\n"), strings.Join(wantUnits, "\n"))
	}
	// The batch upload took 2 s: the other worker met the due file held.
	var dueDone, dueLeft int
	for _, w := range two {
		for _, u := range w.res.Done {
			dueDone += boolInt(u.Kind == ledger.ClaimDue)
		}
		for _, u := range w.res.Elsewhere {
			dueLeft += boolInt(u.Kind == ledger.ClaimDue)
		}
	}
	if dueDone != 1 || dueLeft != 1 {
		t.Errorf("the due file: done by %d worker(s), left by %d; want 1 and 1", dueDone, dueLeft)
	}
	if got, want := platformCalls(twoStats), platformCalls(oneStats); got != want {
		t.Errorf("two workers' calls: %s, want one worker's: %s", got, want)
	}
	if got, want := ledgerState(twoLedger), ledgerState(oneLedger); got != want {
		t.Errorf("the ledger after two workers:\n%s\nafter one:\n%s", got, want)
	}
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

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
