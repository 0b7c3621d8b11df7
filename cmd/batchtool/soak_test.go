package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// execArgsEnv makes the test binary run batchtool itself with these
// arguments (separated by \x1f): the soak test starts real processes it
// can kill with SIGKILL.
const execArgsEnv = "BATCHTOOL_TEST_EXEC_ARGS"

// soakEnv sets how long the soak test runs (a Go duration); the default is
// a short form for make test.
const soakEnv = "BATCHTOOL_SOAK"

func TestMain(m *testing.M) {
	if args := os.Getenv(execArgsEnv); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// soakFaults are the faults a soak round injects, one or more at random.
var soakFaults = []sandbox.Fault{
	{Kind: sandbox.FaultRateLimit, RetryAfter: 1},
	{Kind: sandbox.FaultServerError},
	{Kind: sandbox.FaultSlow, Delay: 300 * time.Millisecond},
	{Kind: sandbox.FaultDrop},
	{Kind: sandbox.FaultLost},
	{Kind: sandbox.FaultExpire},
	{Kind: sandbox.FaultNoLogin},
	{Kind: sandbox.FaultHTML},
}

var soakPaths = []struct{ method, path string }{
	{"POST", "/creditor/collect/import"},
	{"POST", "/creditor/files"},
	{"GET", "/creditor/files"},
	{"GET", "/creditor/files/"},
	{"GET", "/creditor/transaction"},
	{"", ""}, // any call
}

// TestSoakNightly runs the nightly job again and again against the sandbox
// with every fault kind injected at random and half of the runs killed
// with SIGKILL at a random moment, each round with new collections. Then,
// with the faults gone, the night runs until it is clean, and the ledger
// must hold exactly the platform's movements, to the cent, once each, with
// no statement file owed and every collection settled. BATCHTOOL_SOAK=5m
// runs it longer.
func TestSoakNightly(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test")
	}
	budget, rounds := 40*time.Second, 8
	if v := os.Getenv(soakEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s=%q: %v", soakEnv, v, err)
		}
		budget, rounds = d, 1<<30
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0x50a6))

	srv, _ := startSandbox(t)
	dir := t.TempDir()
	due := filepath.Join(dir, "due.csv")
	config, ledgerPath := writeNightlyConfig(t, dir, nightlyTestConfig{due: due, invoices: dir, formats: `"camt", "coda"`, reports: `"csv"`})
	// No invoices: the folder holds no UBL, only the config and the ledger.
	os.WriteFile(config, []byte(strings.Replace(mustRead(t, config), "[invoices]\npaths = ["+fmt.Sprintf("%q", dir)+"]\n", "", 1)), 0o644)

	env := append(os.Environ(), pipeline.EnvTwikeyURL+"="+srv.URL(), twikey.TokenEnv+"="+sandbox.DefaultToken)
	nightly := func(kill time.Duration) (code int, killed bool, out string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(env, execArgsEnv+"="+strings.Join([]string{"nightly", "--config", config}, "\x1f"))
		var b strings.Builder
		cmd.Stdout, cmd.Stderr = &b, &b
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var timer <-chan time.Time
		if kill > 0 {
			timer = time.After(kill)
		}
		select {
		case err := <-done:
			if err == nil {
				return 0, false, b.String()
			}
			if ee, ok := err.(*exec.ExitError); ok {
				return ee.ExitCode(), false, b.String()
			}
			t.Fatal(err)
		case <-timer:
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			return -1, true, b.String()
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			t.Fatalf("a nightly run hung:\n%s", b.String())
		}
		return 0, false, ""
	}

	start := time.Now()
	round, runs, kills, faults, rows, codes := 0, 0, 0, 0, 0, map[int]int{}
	killedLast := false
	for ; round < rounds && time.Since(start) < budget; round++ {
		// A run killed may have died before it built its batch: the ERP
		// exports the same due rows again, as they are still due.
		if !killedLast {
			n := 3 + rng.IntN(5)
			writeSoakDue(t, due, round, n)
			rows += n
		}
		for range 1 + rng.IntN(3) {
			f := soakFaults[rng.IntN(len(soakFaults))]
			p := soakPaths[rng.IntN(len(soakPaths))]
			f.Method, f.Path, f.Count = p.method, p.path, 1+rng.IntN(3)
			srv.Inject(f)
			faults++
		}
		var kill time.Duration
		if rng.IntN(2) == 0 {
			kill = time.Duration(50+rng.IntN(1500)) * time.Millisecond
		}
		code, killed, _ := nightly(kill)
		killedLast = killed
		runs++
		if killed {
			kills++
		} else {
			codes[code]++
		}
	}
	// The faults left are used up by quiet runs; the night must then end
	// clean.
	var code int
	var out string
	for i := 0; i < 6; i++ {
		if code, _, out = nightly(0); code == 0 {
			break
		}
		runs++
	}
	if code != 0 {
		t.Fatalf("after %d runs (%d killed, %d faults) the night does not end clean: exit %d\n%s", runs, kills, faults, code, out)
	}
	l, err := ledger.Open(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	owed, err := l.PlatformFiles(ctx, ledger.FileListed, ledger.FileDownloaded)
	if err != nil || len(owed) != 0 {
		t.Fatalf("files owed after the soak: %+v %v", owed, err)
	}
	n, sum := srv.Movements()
	totals, err := l.LineTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(totals) != 1 || totals[0].Currency != "EUR" || totals[0].Count != n || !totals[0].Sum.Equal(sum) {
		t.Fatalf("ledger lines %+v, want the platform's %d movements summing to %s EUR", totals, n, sum.StringFixed(2))
	}
	c, err := l.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Collections[reconcile.StatusOpen] != 0 || c.Collections[reconcile.StatusCollected]+c.Collections[reconcile.StatusReturned] != rows {
		t.Fatalf("collections after the soak: %+v, want all %d due rows settled", c.Collections, rows)
	}
	t.Logf("soak: %d rounds in %s, %d nightly runs, %d killed with SIGKILL, %d faults injected, exit codes of the others %v; ledger %d lines = %d movements, %s EUR; collections %v of %d due rows",
		round, time.Since(start).Round(time.Second), runs, kills, faults, codes, totals[0].Count, n, sum.StringFixed(2), c.Collections, rows)
}

// writeSoakDue writes round's due collections: n new ones, some of them
// with amounts the sandbox's bank returns.
func writeSoakDue(t *testing.T, path string, round, n int) {
	t.Helper()
	ibans := []string{"BE07363001234566", "BE38143099887772", "NL20INGB0001234567", "BE80735055512377"}
	amounts := []string{"49.99", "120.00", "35.01", "89.02", "15.03", "10.10", "250.00"}
	var b strings.Builder
	b.WriteString("end_to_end_id,mandate_id,mandate_signed_on,sequence_type,amount,debtor_name,debtor_iban,debtor_bic,remittance\n")
	for i := range n {
		fmt.Fprintf(&b, "SOAK-%03d-%02d,MNDT-%03d%02d,2023-03-14,RCUR,%s,Debtor %d,%s,,Soak round %d line %d\n",
			round, i, round, i, amounts[(round+i)%len(amounts)], i, ibans[(round+i)%len(ibans)], round, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
