package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
)

// killedCreate is payreq create killed with SIGKILL after its Tikkie
// request for the AC04 return reached the sandbox and before it recorded
// the answer: the record stays pending in a run that never finished. It
// returns the request's token at Tikkie.
func killedCreate(t *testing.T, ledgerPath string) string {
	t.Helper()
	l, pr := reserveAC04(t, ledgerPath, true)
	defer l.Close()
	r, err := pipeline.NewRequester("tikkie", &pipeline.PayreqConfig{}, "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.Prepare(pr)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := call(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// payoutRows are the reconcile report rows, over every run, that book a
// payout by rule payment-request.
func payoutRows(t *testing.T, config string) []string {
	t.Helper()
	reports, _ := filepath.Glob(filepath.Join(filepath.Dir(config), "work", "reports", "*", "reconcile.csv"))
	var rows []string
	for _, p := range reports {
		b, _ := os.ReadFile(p)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, ",payment-request,") {
				rows = append(rows, line)
			}
		}
	}
	return rows
}

// TestPayreqKilledCreate: payreq create was killed after its request
// reached Tikkie. The next nightly run recovers it at once (the run lock
// says its run is dead), lists its link as new for finance to send, and the
// payout of that request on a bank statement is booked once, by rule
// payment-request: whether it comes after the recovery or before it.
func TestPayreqKilledCreate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		paidFirst bool // the payout is on the statement of the run that recovers
	}{
		{"payout after recovery", false},
		{"payout before recovery", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, pay := startSandboxes(t)
			config, ledgerPath := sampleNightlyConfig(t)
			if code, out, errOut := batchtool(t, "nightly", "--config", config); code != 0 {
				t.Fatalf("first night: exit %d\n%s\n%s", code, out, errOut)
			}
			token := killedCreate(t, ledgerPath)
			b, _ := os.ReadFile(config)
			os.WriteFile(config, append(b, "[payreq]\nprovider = \"tikkie\"\noverdue = \"none\"\n"...), 0o644)
			if tc.paidFirst {
				if err := pay.MarkTikkiePaid(token, "Luc Maes"); err != nil {
					t.Fatal(err)
				}
			}
			code, out, errOut := batchtool(t, "nightly", "--config", config)
			wants := []string{
				"tikkie: 1 payment request(s) created (89.02 EUR), 1 recovered from an earlier run, 0 skipped, 0 refused\n",
				"\nto do: send 2 new payment request link(s) (104.05 EUR): ",
			}
			newLinks := 2
			if tc.paidFirst {
				wants = []string{
					"    by payment-request             1            15.03 EUR\n",
					"tikkie: 1 payment request(s) created (89.02 EUR), 0 recovered from an earlier run, 0 skipped, 0 refused\n",
					"\nto do: send 1 new payment request link(s) (89.02 EUR): ",
				}
				newLinks = 1
			}
			for _, w := range append(wants, "\nnothing needs attention\n") {
				if !strings.Contains(out, w) {
					t.Errorf("recovering night lacks %q", w)
				}
			}
			if code != 0 || t.Failed() {
				t.Fatalf("recovering night: exit %d\n%s\n%s", code, out, errOut)
			}
			if n := srv.Stats()[tikkieCreates]; n != 2 {
				t.Errorf("%d requests created at Tikkie, want 2: the killed run's once, MD06's once", n)
			}
			links, _ := filepath.Glob(filepath.Join(filepath.Dir(config), "work", "reports", "*", "payment-links.csv"))
			if len(links) != 1 {
				t.Fatalf("payment-links.csv: %v", links)
			}
			lb, _ := os.ReadFile(links[0])
			ac04 := ",yes,ACME-2026-11-0005," + token + "\n"
			if n := strings.Count(string(lb), ",yes,"); n != newLinks || strings.Contains(string(lb), ac04) == tc.paidFirst {
				t.Errorf("payment-links.csv: %d new, want %d; the recovered one listed: %v\n%s", n, newLinks, !tc.paidFirst, lb)
			}
			if !tc.paidFirst {
				if err := pay.MarkTikkiePaid(token, "Luc Maes"); err != nil {
					t.Fatal(err)
				}
			}
			for night := 3; night <= 4; night++ {
				code, out, errOut = batchtool(t, "nightly", "--config", config)
				if code != 0 || !strings.Contains(out, "\nnothing needs attention\n") {
					t.Fatalf("night %d: exit %d\n%s\n%s", night, code, out, errOut)
				}
			}
			want := `,15.03,EUR,matched,payment-request,collection,,ACME-2026-11-0005,,15.03,0.00,,,Luc Maes,NL02ABNA0123456789,` +
				`"Tikkie ID 000000000001, Direct debit ACME-2026-11-0005, Luc Maes, NL02ABNA0123456789",,` +
				`payout of tikkie payment request ACME-2026-11-0005 for collection ACME-2026-11-0005: booked now`
			rows := payoutRows(t, config)
			if len(rows) != 1 || !strings.HasSuffix(rows[0], want) {
				t.Errorf("payout rows over four nights:\n%s\nwant one ending\n%s", strings.Join(rows, "\n"), want)
			}
			got := requestsOf(t, ledgerPath, "tikkie")["ACME-2026-11-0005"]
			if got.Status != ledger.RequestPaid || !got.PaidAmount.Equal(got.Amount) {
				t.Errorf("the recovered request: %+v", got)
			}
		})
	}
}

// TestPayreqKilledBeforeLinks: payreq create killed after Tikkie answered
// and the ledger recorded the request open, before it wrote the links file:
// nobody was told to send that link. The next run lists it as new, once;
// the run after that lists it as open, not new.
func TestPayreqKilledBeforeLinks(t *testing.T) {
	startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	l, pr := reserveAC04(t, ledgerPath, true)
	r, err := pipeline.NewRequester("tikkie", &pipeline.PayreqConfig{}, "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.Prepare(pr)
	if err != nil {
		t.Fatal(err)
	}
	token, link, err := call(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.MarkPaymentRequestSent(context.Background(), pr.ID, token, link); err != nil {
		t.Fatal(err)
	}
	l.Close()
	dir := t.TempDir()
	for i, want := range []string{"yes", "no"} {
		links := filepath.Join(dir, "links.csv")
		code, out, errOut := batchtool(t, "payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath,
			"--reason", "AC04", "--overdue", "none", "--links", links)
		if code != 0 || out != "tikkie: 0 payment request(s) created (none), 0 recovered from an earlier run, 0 skipped, 0 refused\nlinks: "+links+"\n" {
			t.Fatalf("run %d: exit %d\n%s\n%s", i+2, code, out, errOut)
		}
		b, _ := os.ReadFile(links)
		if rows := strings.Split(strings.TrimSpace(string(b)), "\n"); len(rows) != 2 || !strings.HasSuffix(rows[1], ","+want+",ACME-2026-11-0005,"+token) {
			t.Errorf("run %d: links\n%s\nwant the AC04 request new=%s", i+2, b, want)
		}
	}
}
