package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// nightlyTestConfig is what a test's batchtool.toml varies.
type nightlyTestConfig struct {
	due, invoices    string // absolute paths
	formats, reports string // TOML array bodies, e.g. `"camt", "coda"`
	extra            string // appended as is: more tables
}

// writeNightlyConfig writes a batchtool.toml into dir for the test's
// sandbox and returns its path and the ledger's.
func writeNightlyConfig(t *testing.T, dir string, c nightlyTestConfig) (string, string) {
	t.Helper()
	creditor, err := filepath.Abs(repoFile("creditor.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`ledger = "batchtool.db"
work = "work"
creditor = %q
[collect]
due = [%q]
[invoices]
paths = [%q]
[platform]
url = %q
profile = 1234
formats = [%s]
[reports]
formats = [%s]
%s`, creditor, c.due, c.invoices, os.Getenv(pipeline.EnvTwikeyURL), c.formats, c.reports, c.extra)
	path := filepath.Join(dir, "batchtool.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, filepath.Join(dir, "batchtool.db")
}

// sampleNightlyConfig is the config of the sample data in testdata/.
func sampleNightlyConfig(t *testing.T) (string, string) {
	t.Helper()
	due, _ := filepath.Abs(repoFile("due.csv"))
	inv, _ := filepath.Abs(repoFile("invoices"))
	return writeNightlyConfig(t, t.TempDir(), nightlyTestConfig{due: due, invoices: inv, formats: `"camt", "coda"`, reports: `"csv"`})
}

// ledgerState is what the ledger holds, less its run log (every run logs).
func ledgerState(c ledger.Counts) string {
	c.Runs = 0
	return fmt.Sprintf("%+v", c)
}

func ledgerCounts(t *testing.T, path string) ledger.Counts {
	t.Helper()
	l, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := l.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNightly(t *testing.T) {
	srv, _ := startSandbox(t)
	config, ledgerPath := sampleNightlyConfig(t)

	code, out, errOut := batchtool(t, "nightly", "--config", config)
	if code != 0 {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		": 12 transactions, total 2037.22 EUR (pain.008.001.02)\n",
		"platform: imported on profile 1234\n",
		"6 file(s): 6 uploaded, 0 skipped, 0 failed\n",
		"5 invoice(s) added",
		"(balanced)\n",
		"nothing needs attention\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("first run output lacks %q", want)
		}
	}
	first := ledgerCounts(t, ledgerPath)
	total := func(m map[reconcile.Status]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	if total(first.Collections) != 12 || total(first.Invoices) != 5 || first.Lines == 0 {
		t.Fatalf("ledger after the first run: %+v", first)
	}
	imports := srv.Stats()["POST /creditor/collect/import"]
	uploads := srv.Stats()["POST /creditor/invoice/ubl"]

	code, out, errOut = batchtool(t, "nightly", "--config", config)
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"built in an earlier run from the same file; not rebuilt\n",
		"(ledger): not sent again\n",
		"6 file(s): 0 uploaded, 0 skipped, 0 failed, 6 already uploaded\n",
		": nothing changed\n",
		"nothing needs attention\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("second run output lacks %q\n%s", want, out)
		}
	}
	if again := ledgerCounts(t, ledgerPath); ledgerState(again) != ledgerState(first) {
		t.Fatalf("second run changed the ledger:\n%+v\n%+v", first, again)
	}
	if srv.Stats()["POST /creditor/collect/import"] != imports || srv.Stats()["POST /creditor/invoice/ubl"] != uploads {
		t.Fatal("second run sent something to the platform again")
	}
}

func TestNightlyConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ cfg, want string }{
		{`colect = 1`, "unknown setting(s) colect"},
		{"[collect]\ndue = [\"x.csv\"]", "collect.due needs creditor and platform.profile"},
		{"[platform]\nformats = [\"mt940\"]", `platform.formats: "mt940" is not camt or coda`},
		{"[payreq]\nprovider = \"paypal\"", `payreq.provider: "paypal" is not tikkie or tinka`},
	} {
		p := filepath.Join(dir, "b.toml")
		os.WriteFile(p, []byte(tt.cfg), 0o644)
		code, _, errOut := batchtool(t, "nightly", "--config", p)
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d %q", tt.cfg, code, errOut)
		}
	}
	if code, _, _ := batchtool(t, "nightly"); code != 2 {
		t.Fatalf("no --config: exit %d", code)
	}
}

// TestNightlyPayreq: the nightly job sends Tikkie requests for the final
// returns, and the next night books the one that was paid.
func TestNightlyPayreq(t *testing.T) {
	_, pay := startSandboxes(t)
	due, _ := filepath.Abs(repoFile("due.csv"))
	inv, _ := filepath.Abs(repoFile("invoices"))
	config, ledgerPath := writeNightlyConfig(t, t.TempDir(), nightlyTestConfig{due: due, invoices: inv, formats: `"camt"`, reports: `"csv"`,
		extra: "[payreq]\nprovider = \"tikkie\"\noverdue = \"none\"\n"})
	code, out, errOut := batchtool(t, "nightly", "--config", config)
	if code != 0 || !strings.Contains(out, "== payreq create (tikkie)\n") ||
		!strings.Contains(out, "tikkie: 2 payment request(s) created (104.05 EUR), 0 recovered from an earlier run, 0 skipped, 0 refused\n") ||
		!strings.Contains(out, "\nto do: send 2 new payment request link(s) (104.05 EUR): ") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	links, _ := filepath.Glob(filepath.Join(filepath.Dir(config), "work", "reports", "*", "payment-links.csv"))
	if len(links) != 1 {
		t.Fatalf("payment-links.csv: %v", links)
	}
	b, _ := os.ReadFile(links[0])
	if n := strings.Count(string(b), ",yes,"); n != 2 {
		t.Errorf("links: %d new, want 2\n%s", n, b)
	}
	prs := requestsOf(t, ledgerPath, "tikkie", ledger.RequestOpen)
	if err := pay.MarkTikkiePaid(prs["ACME-2026-11-0005"].ProviderRef, "Luc Maes"); err != nil {
		t.Fatal(err)
	}
	// The second night the payout is on the statement: reconcile books it
	// against the request and its collection; sync then has nothing to book.
	code, out, errOut = batchtool(t, "nightly", "--config", config)
	if code != 0 || !strings.Contains(out, "    by payment-request             1            15.03 EUR\n") ||
		!strings.Contains(out, "tikkie: 0 paid and booked (none), 0 closed unpaid, 1 still open\n") ||
		!strings.Contains(out, "tikkie: 0 payment request(s) created (none)") || strings.Contains(out, "to do: ") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
	reports, _ := filepath.Glob(filepath.Join(filepath.Dir(config), "work", "reports", "*", "reconcile.csv"))
	var rows []string
	for _, p := range reports {
		b, _ := os.ReadFile(p)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, ",payment-request,") {
				rows = append(rows, line[strings.Index(line, ",15.03,"):])
			}
		}
	}
	want := `,15.03,EUR,matched,payment-request,collection,,ACME-2026-11-0005,,15.03,0.00,,,Luc Maes,NL02ABNA0123456789,"Tikkie ID 000000000002, Direct debit ACME-2026-11-0005, Luc Maes, NL02ABNA0123456789",,payout of tikkie payment request ACME-2026-11-0005 for collection ACME-2026-11-0005: booked now`
	if len(rows) != 1 || rows[0] != want {
		t.Errorf("payout rows in the reconcile reports:\n%s\nwant\n%s", strings.Join(rows, "\n"), want)
	}
	if c := ledgerCounts(t, ledgerPath); c.Collections[reconcile.StatusPaid] != 1 || c.Collections[reconcile.StatusReturned] != 2 {
		t.Errorf("collections after the payout: %v", c.Collections)
	}
	if got := requestsOf(t, ledgerPath, "tikkie", ledger.RequestPaid); len(got) != 1 || got["ACME-2026-11-0005"].PaidAmount.String() != "15.03" {
		t.Errorf("paid requests %+v", got)
	}
}

// TestNightlyPostgres runs the nightly job twice with its ledger in
// PostgreSQL (testutil.PostgresEnv; .ci/run starts a server): the same
// bookings as on SQLite, the second run changes nothing, and the password
// is not printed.
func TestNightlyPostgres(t *testing.T) {
	url := testutil.PostgresLedger(t)
	if url == "" {
		t.Skip("skipping: " + testutil.PostgresEnv + " is not set (.ci/run starts a PostgreSQL server)")
	}
	startSandboxes(t)
	config, _ := sampleNightlyConfig(t)
	b, _ := os.ReadFile(config)
	os.WriteFile(config, []byte(strings.Replace(string(b), `ledger = "batchtool.db"`, fmt.Sprintf("ledger = %q", url), 1)+
		"[payreq]\nprovider = \"tikkie\"\noverdue = \"none\"\n"), 0o644)
	code, out, errOut := batchtool(t, "nightly", "--config", config)
	if code != 0 || !strings.Contains(out, "(balanced)\n") || !strings.Contains(out, "tikkie: 2 payment request(s) created (104.05 EUR)") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	if pw := strings.SplitN(strings.TrimPrefix(os.Getenv(testutil.PostgresEnv), "postgres://"), "@", 2)[0]; strings.Contains(pw, ":") &&
		strings.Contains(out+errOut, pw) {
		t.Error("the database password was printed")
	}
	first := ledgerCounts(t, url)
	if first.Collections[reconcile.StatusCollected] != 9 || first.Collections[reconcile.StatusReturned] != 3 || first.Invoices[reconcile.StatusPaid] != 4 ||
		first.Requests["open"] != 2 || first.Lines != 12 {
		t.Fatalf("ledger after the first run: %+v", first)
	}
	code, out, errOut = batchtool(t, "nightly", "--config", config)
	if code != 0 || !strings.Contains(out, ": nothing changed\n") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
	if again := ledgerCounts(t, url); ledgerState(again) != ledgerState(first) {
		t.Fatalf("second run changed the ledger:\n%+v\n%+v", first, again)
	}
}

// TestLedgerStatus: after the sample night, status shows the items by
// status and amount, the payment requests, what was booked and the runs.
func TestLedgerStatus(t *testing.T) {
	startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	mustCreate(t, ledgerPath, "tikkie", "--overdue", "none")
	code, out, errOut := batchtool(t, "ledger", "status", "--ledger", ledgerPath)
	want := `ledger ` + ledgerPath + ` (schema ` + strconv.Itoa(ledger.LatestSchema()) + `)

collections        collected              9         1,898.16 EUR
                   returned               3           139.06 EUR
invoices (open)    paid                   4             0.00 EUR
                   partial                1            15.01 EUR
payment requests   tikkie open            2           104.05 EUR

statements: 2 file(s), 12 line(s) booked, 20 match(es); 4 batch(es)
platform files: 2 listed: 2 booked, 0 downloaded and not booked, 0 not downloaded

last runs:
`
	if code != 0 || !strings.HasPrefix(out, want) || !strings.Contains(out, "  payreq create --provider tikkie\n") || strings.Count(out, "\n  20") != 5 {
		t.Fatalf("exit %d\n%s\nwant prefix\n%s\n%s", code, out, want, errOut)
	}
}

// TestNightlyOwedFile: a statement file whose download fails is owed: the
// night says so and exits 1 (before, it said "nothing needs attention" and
// the movements were never booked), and the next night books it.
func TestNightlyOwedFile(t *testing.T) {
	srv, _ := startSandbox(t)
	config, ledgerPath := sampleNightlyConfig(t)
	// Every download attempt of the night breaks off (1 + 4 retries each).
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Path: "/creditor/files/", Count: 10})
	code, out, errOut := batchtool(t, "nightly", "--config", config)
	if code != 1 || !strings.Contains(out, "needs attention:\n") ||
		!strings.Contains(out, "  - 2 statement file(s) listed by the platform and not booked yet (fetched again next run): \"sdd_twikey_") ||
		strings.Contains(out, "nothing needs attention") {
		t.Fatalf("night with broken downloads: exit %d\n%s\n%s", code, out, errOut)
	}
	if c := ledgerCounts(t, ledgerPath); c.Lines != 0 {
		t.Fatalf("lines booked %d, want none yet", c.Lines)
	}
	code, out, errOut = batchtool(t, "nightly", "--config", config)
	if code != 0 || !strings.Contains(out, "nothing needs attention\n") || strings.Count(out, "  again  ") != 2 {
		t.Fatalf("next night: exit %d\n%s\n%s", code, out, errOut)
	}
	if c := ledgerCounts(t, ledgerPath); c.Files != 2 || c.Lines != 12 || c.Matches != 20 || c.Collections[reconcile.StatusCollected] != 9 || c.Collections[reconcile.StatusReturned] != 3 {
		t.Fatalf("after the next night: %+v", c)
	}
}

// TestLedgerStatusMissing: a read-only command never creates a ledger: a
// mistyped path is a usage error and leaves nothing behind.
func TestLedgerStatusMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "batchtol.db")
	code, out, errOut := batchtool(t, "ledger", "status", "--ledger", path)
	if want := "batchtool: ledger " + path + ": no ledger there: the file does not exist (give --ledger or $BATCHTOOL_LEDGER the ledger the nightly job writes)\n"; code != 2 || out != "" || errOut != want {
		t.Fatalf("exit %d %q %q, want %q", code, out, errOut, want)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the status of a missing ledger created %s", path)
	}
}
