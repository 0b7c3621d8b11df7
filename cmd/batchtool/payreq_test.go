package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/payreqsandbox"
	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
	"github.com/batchtool/batchtool/pkg/tinka"
)

// tikkieCreates is the sandbox's count key of Tikkie payment request
// creations for the demo user (payreqsandbox.Demo* tokens).
const tikkieCreates = "POST /v1/tikkie/platforms/pt_demo/users/ut_demo/bankaccounts/bt_demo/paymentrequests"

// tikkieLists counts the pages of listings of the demo user's requests.
const tikkieLists = "GET /v1/tikkie/platforms/pt_demo/users/ut_demo/paymentrequests"

// tokens hides the random tokens and ports of the sandbox in command output.
var tokens = regexp.MustCompile(`prt_[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|127\.0\.0\.1:\d+|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func masked(s string) string { return tokens.ReplaceAllString(s, "*") }

// nightlyWithReturns runs the sample nightly job: ACME-2026-11-0003 comes
// back AM04, -0004 MD06 and -0005 AC04; invoice INV-2026-0506 stays unpaid.
func nightlyWithReturns(t *testing.T) string {
	t.Helper()
	config, ledgerPath := sampleNightlyConfig(t)
	if code, out, errOut := batchtool(t, "nightly", "--config", config); code != 0 {
		t.Fatalf("nightly: exit %d\n%s\n%s", code, out, errOut)
	}
	return ledgerPath
}

// mustCreate runs payreq create from the ledger with the provider and
// further flags, and fails the test unless it succeeds.
func mustCreate(t *testing.T, ledgerPath, provider string, flags ...string) {
	t.Helper()
	args := append([]string{"payreq", "create", "--provider", provider, "--from-ledger", "--ledger", ledgerPath}, flags...)
	if code, out, errOut := batchtool(t, args...); code != 0 {
		t.Fatalf("payreq create --provider %s %v: exit %d\n%s\n%s", provider, flags, code, out, errOut)
	}
}

func requestsOf(t *testing.T, ledgerPath, provider string, statuses ...string) map[string]ledger.PaymentRequest {
	t.Helper()
	l, err := ledger.Open(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	prs, err := l.PaymentRequests(context.Background(), provider, statuses...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ledger.PaymentRequest{}
	for _, pr := range prs {
		out[pr.ExternalID] = pr
	}
	return out
}

// TestPayreqTikkie is the whole flow: failed collections and an overdue
// invoice → Tikkie requests → paid → synced and booked, each step re-run
// without effect.
func TestPayreqTikkie(t *testing.T) {
	srv, pay := startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	links := filepath.Join(t.TempDir(), "links.csv")
	create := []string{"payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath, "--as-of", "2026-12-31", "--links", links}

	code, out, errOut := batchtool(t, create...)
	want := `collection ACME-2026-11-0004               89.02 EUR  http://*/tikkie/pay/*
collection ACME-2026-11-0005               15.03 EUR  http://*/tikkie/pay/*
invoice    INV-2026-0506                   15.01 EUR  http://*/tikkie/pay/*
tikkie: 3 payment request(s) created (119.06 EUR), 0 recovered from an earlier run, 0 skipped, 0 refused
links: ` + links + "\n"
	if code != 0 || masked(out) != want {
		t.Fatalf("create: exit %d\n%s\nwant\n%s\n%s", code, masked(out), want, errOut)
	}
	csv, _ := os.ReadFile(links)
	wantCSV := `provider,item_kind,item_key,name,amount,currency,reason,url,created_at,new,external_id,provider_ref
tikkie,collection,ACME-2026-11-0004,Sofie Janssens,89.02,EUR,MD06,http://*/tikkie/pay/*,*,yes,ACME-2026-11-0004,*
tikkie,collection,ACME-2026-11-0005,Luc Maes,15.03,EUR,AC04,http://*/tikkie/pay/*,*,yes,ACME-2026-11-0005,*
tikkie,invoice,INV-2026-0506,Sofie Janssens,15.01,EUR,overdue,http://*/tikkie/pay/*,*,yes,INV-2026-0506,*
`
	if masked(string(csv)) != wantCSV {
		t.Fatalf("links\n%s\nwant\n%s", masked(string(csv)), wantCSV)
	}

	// Not yet 14 days overdue: the invoice is not asked for.
	if code, out, _ := batchtool(t, "payreq", "create", "--create", "--provider", "tikkie", "--from-ledger", "--ledger", filepath.Join(t.TempDir(), "empty.db"),
		"--as-of", "2026-12-01"); code != 0 || out != "tikkie: 0 payment request(s) created (none), 0 recovered from an earlier run, 0 skipped, 0 refused\n" {
		t.Fatalf("empty ledger: exit %d %q", code, out)
	}

	// Again: nothing new is sent; the links file lists the same three, none new.
	posts := srv.Stats()[tikkieCreates]
	if posts != 3 {
		t.Fatalf("%d payment requests created at Tikkie, want 3", posts)
	}
	code, out, _ = batchtool(t, create...)
	if code != 0 || !strings.HasPrefix(out, "tikkie: 0 payment request(s) created (none)") {
		t.Fatalf("second create: exit %d\n%s", code, out)
	}
	csv, _ = os.ReadFile(links)
	if got := strings.Count(string(csv), ",no,"); got != 3 {
		t.Errorf("second links file: %d rows not new, want 3\n%s", got, csv)
	}
	if got := srv.Stats()[tikkieCreates]; got != posts {
		t.Errorf("second create sent %d more requests", got-posts)
	}

	// Luc Maes pays through his link (the sandbox's pay page); the invoice is
	// marked paid in the sandbox.
	prs := requestsOf(t, ledgerPath, "tikkie", ledger.RequestOpen)
	resp, err := http.PostForm(prs["ACME-2026-11-0005"].URL, url.Values{"name": {"Luc Maes"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := pay.MarkTikkiePaid(prs["INV-2026-0506"].ProviderRef, "Sofie Janssens"); err != nil {
		t.Fatal(err)
	}

	report := filepath.Join(t.TempDir(), "payments.csv")
	page := filepath.Join(t.TempDir(), "payments.html")
	code, out, errOut = batchtool(t, "payreq", "sync", "--ledger", ledgerPath, "--report", report, "--report", page)
	want = `collection ACME-2026-11-0005               15.03 EUR  paid by Luc Maes: collection paid
invoice    INV-2026-0506                   15.01 EUR  paid by Sofie Janssens: invoice paid
tikkie: 2 paid and booked (30.04 EUR), 0 closed unpaid, 1 still open
report: ` + report + "\nreport: " + page + "\n"
	if code != 0 || out != want {
		t.Fatalf("sync: exit %d\n%s\nwant\n%s\n%s", code, out, want, errOut)
	}
	if html, _ := os.ReadFile(page); !strings.Contains(string(html), "<h1>Payment request bookings</h1><p>1 provider(s): tikkie ·") ||
		!strings.Contains(string(html), `<div class="v">30.04 EUR</div>`) {
		t.Errorf("payments.html lacks its title, provider or total")
	}
	rep, _ := os.ReadFile(report)
	lines := strings.Split(strings.TrimSpace(string(rep)), "\n")
	if len(lines) != 3 || lines[0] != "file,statement,account,booking_date,entry,entry_ref,detail,amount,currency,status,rule,item_kind,invoice_number,end_to_end_id,pmt_inf_id,applied,remaining,return_reason,return_text,counterparty,counterparty_iban,remittance,candidates,evidence" {
		t.Fatalf("report\n%s", rep)
	}
	for i, w := range []string{
		`tikkie,,,2026-*,2,*,0,15.03,EUR,matched,payment-request,collection,,ACME-2026-11-0005,,15.03,0.00,,,Luc Maes,,ACME-2026-11-0005,,"tikkie payment request ACME-2026-11-0005 (*, sent for AC04) paid 15.03"`,
		`tikkie,,,2026-*,3,*,0,15.01,EUR,matched,payment-request,invoice,INV-2026-0506,,,15.01,0.00,,,Sofie Janssens,,INV-2026-0506,,"tikkie payment request INV-2026-0506 (*, sent for overdue) paid 15.01"`,
	} {
		got := regexp.MustCompile(`,2026-\d\d-\d\d,`).ReplaceAllString(masked(lines[i+1]), ",2026-*,")
		if got != w {
			t.Errorf("report row %d\n got %s\nwant %s", i+1, got, w)
		}
	}
	c := ledgerCounts(t, ledgerPath)
	if c.Collections[reconcile.StatusPaid] != 1 || c.Collections[reconcile.StatusReturned] != 2 || c.Invoices[reconcile.StatusPaid] != 5 {
		t.Errorf("ledger after sync: %+v", c)
	}

	// Again: nothing is booked twice.
	before := ledgerState(ledgerCounts(t, ledgerPath))
	code, out, _ = batchtool(t, "payreq", "sync", "--ledger", ledgerPath)
	if code != 0 || out != "tikkie: 0 paid and booked (none), 0 closed unpaid, 1 still open\n" {
		t.Fatalf("second sync: exit %d\n%s", code, out)
	}
	if after := ledgerState(ledgerCounts(t, ledgerPath)); after != before {
		t.Errorf("second sync changed the ledger\n%s\n%s", before, after)
	}
	// The paid and the open items are not asked for again, even with every
	// return reason: only the AM04 collection is new.
	code, out, _ = batchtool(t, append(create, "--reason", "all")...)
	if code != 0 || !strings.Contains(out, "collection ACME-2026-11-0003               35.01 EUR") ||
		!strings.Contains(out, "tikkie: 1 payment request(s) created (35.01 EUR)") {
		t.Fatalf("create --reason all: exit %d\n%s", code, out)
	}
	// Sofie's request expires unpaid: sync closes it, and the next create
	// asks again under a new externalId.
	if err := pay.ExpireTikkie(prs["ACME-2026-11-0004"].ProviderRef); err != nil {
		t.Fatal(err)
	}
	code, out, _ = batchtool(t, "payreq", "sync", "--ledger", ledgerPath)
	if code != 0 || out != "collection ACME-2026-11-0004               89.02 EUR  expired: expired unpaid\n"+
		"tikkie: 0 paid and booked (none), 1 closed unpaid, 1 still open\n" {
		t.Fatalf("sync after expiry: exit %d\n%s", code, out)
	}
	code, out, _ = batchtool(t, create...)
	if code != 0 || !strings.Contains(out, "tikkie: 1 payment request(s) created (89.02 EUR)") {
		t.Fatalf("create after expiry: exit %d\n%s", code, out)
	}
	if pr, ok := requestsOf(t, ledgerPath, "tikkie", ledger.RequestOpen)["ACME-2026-11-0004~2"]; !ok || pr.Reason != "MD06" {
		t.Errorf("second request for ACME-2026-11-0004: %+v", requestsOf(t, ledgerPath, "tikkie"))
	}
}

// reserveAC04 records a Tikkie request for the AC04 return of the sample
// as pending, as a run does before sending it; inRun ties it to a run
// that has begun and not finished.
func reserveAC04(t *testing.T, ledgerPath string, inRun bool) (*ledger.DB, *ledger.PaymentRequest) {
	t.Helper()
	l, err := ledger.Open(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var items []ledger.UnpaidItem
	err = l.Unpaid(ctx, ledger.UnpaidSelection{Collections: true, Reasons: []string{"AC04"}}, func(it ledger.UnpaidItem) error {
		items = append(items, it)
		return nil
	})
	if err != nil || len(items) != 1 {
		t.Fatalf("unpaid %v %v", items, err)
	}
	it := items[0]
	pr := &ledger.PaymentRequest{Provider: "tikkie", ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key, ExternalID: it.Key, Amount: it.Amount,
		Currency: it.Currency, Reason: it.Reason, Name: it.Name}
	if inRun {
		pr.RunID, _ = l.BeginRun(ctx, "payreq create (still going)")
	}
	if ok, err := l.ReservePaymentRequest(ctx, pr); !ok || err != nil {
		t.Fatalf("reserve %v %v", ok, err)
	}
	return l, pr
}

// TestPayreqRecoversPending: a run that recorded a request and sent it but
// died before recording the answer leaves it pending; the next run finds it
// at Tikkie by its externalId instead of sending it again.
func TestPayreqRecoversPending(t *testing.T) {
	srv, _ := startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	ctx := context.Background()
	l, pr := reserveAC04(t, ledgerPath, false)
	l.Close()
	r, err := pipeline.NewRequester("tikkie", &pipeline.PayreqConfig{}, "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.Prepare(pr)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := call(ctx) // sent; the answer is "lost"
	if err != nil {
		t.Fatal(err)
	}
	posts := srv.Stats()[tikkieCreates]
	if posts != 1 {
		t.Fatalf("%d payment requests created at Tikkie, want 1", posts)
	}
	code, out, errOut := batchtool(t, "payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath, "--reason", "AC04", "--overdue", "none")
	if code != 0 || out != "tikkie: 0 payment request(s) created (none), 1 recovered from an earlier run, 0 skipped, 0 refused\n" {
		t.Fatalf("create: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := srv.Stats()[tikkieCreates]; got != posts {
		t.Errorf("the pending request was sent again (%d POSTs)", got-posts)
	}
	got := requestsOf(t, ledgerPath, "tikkie")["ACME-2026-11-0005"]
	// Tikkie's GET and listing carry no paymentRequestUrl (the public
	// clients' recorded answers): a recovered request has its token, not its
	// link.
	if got.Status != ledger.RequestOpen || got.ProviderRef != token || got.URL != "" {
		t.Errorf("recovered record %+v, want open with token %s", got, token)
	}
}

// TestPayreqTinka: Tinka instalment credit for the same items; an accepted
// credit is booked as paid, a rejected one closed and asked again under a
// new transactionId.
func TestPayreqTinka(t *testing.T) {
	_, pay := startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	create := []string{"payreq", "create", "--provider", "tinka", "--from-ledger", "--ledger", ledgerPath, "--as-of", "2026-12-31"}
	code, out, errOut := batchtool(t, create...)
	want := `collection ACME-2026-11-0004               89.02 EUR  http://*/tinka/checkout/*
collection ACME-2026-11-0005               15.03 EUR  http://*/tinka/checkout/*
invoice    INV-2026-0506                   15.01 EUR  http://*/tinka/checkout/*
tinka: 3 payment request(s) created (119.06 EUR), 0 recovered from an earlier run, 0 skipped, 0 refused
`
	if code != 0 || masked(out) != want {
		t.Fatalf("create: exit %d\n%s\nwant\n%s\n%s", code, masked(out), want, errOut)
	}
	prs := requestsOf(t, ledgerPath, "tinka")
	if err := pay.DecideTinka(prs["ACME-2026-11-0004"].ProviderRef, string(tinka.Accepted)); err != nil {
		t.Fatal(err)
	}
	if err := pay.DecideTinka(prs["INV-2026-0506"].ProviderRef, string(tinka.Rejected)); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = batchtool(t, "payreq", "sync", "--provider", "tinka", "--ledger", ledgerPath)
	want = `collection ACME-2026-11-0004               89.02 EUR  paid by Tinka: credit accepted for Sofie Janssens: collection paid
invoice    INV-2026-0506                   15.01 EUR  rejected: credit rejected by Tinka
tinka: 1 paid and booked (89.02 EUR), 1 closed unpaid, 1 still open
`
	if code != 0 || out != want {
		t.Fatalf("sync: exit %d\n%s\nwant\n%s\n%s", code, out, want, errOut)
	}
	code, out, _ = batchtool(t, create...)
	if code != 0 || masked(out) != "invoice    INV-2026-0506                   15.01 EUR  http://*/tinka/checkout/*\n"+
		"tinka: 1 payment request(s) created (15.01 EUR), 0 recovered from an earlier run, 0 skipped, 0 refused\n" {
		t.Fatalf("create after rejection: exit %d\n%s", code, out)
	}
	if pr, ok := requestsOf(t, ledgerPath, "tinka", ledger.RequestOpen)["INV-2026-0506~2"]; !ok || pr.Reason != "overdue" {
		t.Errorf("second attempt not recorded as INV-2026-0506~2: %+v", requestsOf(t, ledgerPath, "tinka"))
	}
}

// TestPayreqChecksBeforeSending: an item the provider would refuse is
// reported with the rule it breaks and nothing is recorded or sent.
func TestPayreqChecksBeforeSending(t *testing.T) {
	t.Setenv("BATCHTOOL_TINKA_URL", "http://127.0.0.1:9")
	t.Setenv("BATCHTOOL_TINKA_MERCHANT_ID", payreqsandbox.DemoTinkaMerchantID)
	t.Setenv("BATCHTOOL_TINKA_USERNAME", payreqsandbox.DemoTinkaUsername)
	t.Setenv("BATCHTOOL_TINKA_SECRET", payreqsandbox.DemoTinkaSecret)
	t.Setenv("BATCHTOOL_TINKA_CALLBACK_URL", "https://shop.example/return")
	r, err := pipeline.NewRequester("tinka", &pipeline.PayreqConfig{}, "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Prepare(&ledger.PaymentRequest{ItemKind: ledger.ItemInvoice, ItemKey: "INV-1", ExternalID: "INV-1", Amount: decimal.RequireFromString("12.345"), Currency: "EUR"})
	if err == nil || err.Error() != "tinka: amount 12.345 is not a whole number of cents" {
		t.Errorf("fraction of a cent: %v", err)
	}
	_, err = r.Prepare(&ledger.PaymentRequest{ItemKind: ledger.ItemInvoice, ItemKey: "INV-1", ExternalID: "INV-1", Amount: decimal.RequireFromString("12.34"), Currency: "EUR"})
	var ve *tinka.ValidationError
	if err == nil || !strings.Contains(err.Error(), `applicant.lastName`) || !strings.Contains(err.Error(), "required") {
		t.Errorf("no customer name: %v", err)
	} else if !errors.As(err, &ve) {
		t.Errorf("want a *tinka.ValidationError: %T", err)
	} else if n, _ := ve.Findings.Count(); n != 1 {
		t.Errorf("want one error: %v", err)
	}
	if _, err := pipeline.NewRequester("tikkie", &pipeline.PayreqConfig{}, "dev", nil); err == nil || !strings.Contains(err.Error(), "tikkie: missing api_key (BATCHTOOL_TIKKIE_API_KEY)") {
		t.Errorf("tikkie without settings: %v", err)
	}
}

// TestPayreqConfig: the [payreq] table of batchtool.toml configures the
// provider; paths are taken from the config's folder; the environment wins.
func TestPayreqConfig(t *testing.T) {
	_, _ = startSandboxes(t) // sets BATCHTOOL_TIKKIE_*
	keyFile := os.Getenv("BATCHTOOL_TIKKIE_KEY_FILE")
	dir := t.TempDir()
	key, _ := os.ReadFile(keyFile)
	os.WriteFile(filepath.Join(dir, "tikkie.pem"), key, 0o600)
	t.Setenv("BATCHTOOL_TIKKIE_KEY_FILE", "")
	t.Setenv("BATCHTOOL_TIKKIE_PLATFORM", "")
	config := filepath.Join(dir, "batchtool.toml")
	os.WriteFile(config, []byte("[payreq]\nprovider = \"tikkie\"\nreasons = [\"AC04\"]\noverdue = \"none\"\n[payreq.tikkie]\nkey_file = \"tikkie.pem\"\nplatform = \""+
		payreqsandbox.DemoPlatformToken+"\"\n[payreq.tinka]\npassword_file = \"tinka.password\"\nsecret_file = \"tinka.secret\"\n"), 0o644)
	// Tinka's secrets from files beside the config, not from the environment.
	os.WriteFile(filepath.Join(dir, "tinka.password"), []byte(payreqsandbox.DemoTinkaPassword+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "tinka.secret"), []byte(payreqsandbox.DemoTinkaSecret+"\n"), 0o600)
	t.Setenv("BATCHTOOL_TINKA_PASSWORD", "")
	t.Setenv("BATCHTOOL_TINKA_SECRET", "")
	ledgerPath := nightlyWithReturns(t)
	code, out, errOut := batchtool(t, "payreq", "create", "--from-ledger", "--config", config, "--ledger", ledgerPath)
	if code != 0 || masked(out) != "collection ACME-2026-11-0005               15.03 EUR  http://*/tikkie/pay/*\n"+
		"tikkie: 1 payment request(s) created (15.03 EUR), 0 recovered from an earlier run, 0 skipped, 0 refused\n" {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = batchtool(t, "payreq", "create", "--provider", "tinka", "--reason", "MD06", "--from-ledger", "--config", config, "--ledger", ledgerPath)
	if code != 0 || !strings.Contains(out, "tinka: 1 payment request(s) created (89.02 EUR)") {
		t.Fatalf("tinka with secrets from files: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = batchtool(t, "payreq", "create", "--from-ledger", "--ledger", ledgerPath)
	if code != 2 || !strings.Contains(errOut, `--provider "": want tikkie or tinka`) {
		t.Errorf("without a provider: exit %d %q", code, errOut)
	}
	code, _, errOut = batchtool(t, "payreq", "create", "--provider", "tikkie", "--ledger", ledgerPath)
	if code != 2 || !strings.Contains(errOut, "--from-ledger is required") {
		t.Errorf("without --from-ledger: exit %d %q", code, errOut)
	}
}

// TestPayreqLostAnswer: Tikkie creates the request but the answer is lost
// on the way; the run stops with the record pending, and the next run finds
// the request at Tikkie instead of creating a second one. A request Tikkie
// refuses (a 4xx) is closed as failed and asked again next time.
func TestPayreqLostAnswer(t *testing.T) {
	srv, _ := startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	path := strings.TrimPrefix(tikkieCreates, "POST ")
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultLost, Method: "POST", Path: path})
	args := []string{"payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath, "--overdue", "none"}
	code, out, errOut := batchtool(t, args...)
	if code != 1 || out != "" || !strings.Contains(errOut, "batchtool: collection ACME-2026-11-0004: ") ||
		!strings.Contains(errOut, "(recorded as pending: the next run looks it up before sending anything)") {
		t.Fatalf("lost answer: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := srv.Stats()[tikkieCreates]; n != 1 {
		t.Fatalf("%d creations, want 1", n)
	}
	code, out, errOut = batchtool(t, args...)
	if code != 0 || !strings.Contains(out, "tikkie: 1 payment request(s) created (15.03 EUR), 1 recovered from an earlier run") {
		t.Fatalf("next run: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := srv.Stats()[tikkieCreates]; n != 2 { // the lost one, then ACME-2026-11-0005
		t.Errorf("%d creations, want 2: the lost one was sent again", n)
	}
	// A 500 on the next one: it stays pending too (it may have been created)
	// and is looked up, then sent, by the next run.
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultServerError, Method: "POST", Path: path})
	code, out, errOut = batchtool(t, append(args, "--reason", "AM04")...)
	if code != 1 || out != "" || !strings.Contains(errOut, "batchtool: collection ACME-2026-11-0003: tikkie: CreatePaymentRequest POST ") ||
		!strings.Contains(errOut, ": 500: Internal Server Error (recorded as pending") {
		t.Fatalf("server error: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = batchtool(t, append(args, "--reason", "AM04")...)
	if code != 0 || !strings.Contains(out, "tikkie: 0 payment request(s) created (none), 1 recovered") || srv.Stats()[tikkieCreates] != 4 {
		t.Fatalf("after the server error: exit %d, %d creations\n%s\n%s", code, srv.Stats()[tikkieCreates], out, errOut)
	}
}

// TestPayreqSyncGoesOnWithoutOneProvider: open requests of a provider that
// is not configured are reported (exit 1), and the other provider is
// synced all the same.
func TestPayreqSyncGoesOnWithoutOneProvider(t *testing.T) {
	_, pay := startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	mustCreate(t, ledgerPath, "tikkie", "--reason", "AC04", "--overdue", "none")
	mustCreate(t, ledgerPath, "tinka", "--reason", "MD06", "--overdue", "none")
	if err := pay.MarkTikkiePaid(requestsOf(t, ledgerPath, "tikkie")["ACME-2026-11-0005"].ProviderRef, "Luc Maes"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BATCHTOOL_TINKA_SECRET", "")
	report := filepath.Join(t.TempDir(), "payments.csv")
	code, out, errOut := batchtool(t, "payreq", "sync", "--ledger", ledgerPath, "--report", report)
	if b, _ := os.ReadFile(report); strings.Count(string(b), ",payment-request,collection,,ACME-2026-11-0005,") != 1 {
		t.Errorf("the booking is not in the report:\n%s", b)
	}
	if code != 1 || !strings.Contains(out, "tikkie: 1 paid and booked (15.03 EUR)") ||
		!strings.Contains(errOut, "batchtool: 1 open tinka request(s) not synced: tinka: merchant id, username and secret are required") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestPayreqDryRun: --dry-run lists what create would send and sends and
// records nothing; the real create afterwards sends exactly that.
func TestPayreqDryRun(t *testing.T) {
	srv, _ := startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	args := []string{"payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath, "--as-of", "2026-12-31"}
	before := ledgerState(ledgerCounts(t, ledgerPath))
	code, out, errOut := batchtool(t, append(args, "--dry-run")...)
	want := `collection ACME-2026-11-0004               89.02 EUR  MD06, Sofie Janssens
collection ACME-2026-11-0005               15.03 EUR  AC04, Luc Maes
invoice    INV-2026-0506                   15.01 EUR  overdue, Sofie Janssens
tikkie: 3 payment request(s) would be sent (119.06 EUR), 0 refused; dry run: nothing sent or recorded
`
	if code != 0 || out != want {
		t.Fatalf("dry run: exit %d\n%s\nwant\n%s\n%s", code, out, want, errOut)
	}
	if after := ledgerState(ledgerCounts(t, ledgerPath)); after != before || srv.Stats()[tikkieCreates] != 0 {
		t.Fatalf("dry run changed something: %d sent\n%s\n%s", srv.Stats()[tikkieCreates], before, after)
	}
	if code, out, _ := batchtool(t, args...); code != 0 || !strings.Contains(out, "tikkie: 3 payment request(s) created (119.06 EUR)") {
		t.Fatalf("create: exit %d\n%s", code, out)
	}
}

// TestPayreqPaidOtherwise: the customer pays the invoice by transfer while
// its Tikkie request is open; reconcile books the transfer, and sync warns
// that the link is still open.
func TestPayreqPaidOtherwise(t *testing.T) {
	startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	mustCreate(t, ledgerPath, "tikkie", "--as-of", "2026-12-31")
	st := filepath.Join(t.TempDir(), "transfer.xml")
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	writeRecStatement(t, st, "CAMT-T", day, []statement.Entry{{Amount: decimal.RequireFromString("15.01"), Currency: "EUR", Status: "BOOK",
		BookingDate: day, AccountSvcrRef: "TRANSFER-1", Details: []statement.Transaction{{Amount: decimal.RequireFromString("15.01"),
			Remittance: "rest of my bill", Counterparty: statement.Party{Name: "Sofie Janssens", IBAN: "BE80735055512377"}}}}})
	code, out, errOut := batchtool(t, "reconcile", st, "--ledger", ledgerPath)
	if code != 0 || !strings.Contains(out, "    by iban-amount") {
		t.Fatalf("reconcile: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = batchtool(t, "payreq", "sync", "--ledger", ledgerPath)
	want := "invoice    INV-2026-0506                   15.01 EUR  paid otherwise: the tikkie link is still open; withdraw it so it is not paid twice\n" +
		"tikkie: 0 paid and booked (none), 0 closed unpaid, 3 still open (1 of them paid otherwise)\n"
	if code != 0 || out != want {
		t.Fatalf("sync: exit %d\n%s\nwant\n%s\n%s", code, out, want, errOut)
	}
}

// TestPayreqSecretFileModes: Tinka's password_file and secret_file and
// Tikkie's key_file readable by group or others are refused with a clear
// error, as the Twikey token file is (issue 17 item 7).
func TestPayreqSecretFileModes(t *testing.T) {
	_, _ = startSandboxes(t)
	keyPEM, _ := os.ReadFile(os.Getenv("BATCHTOOL_TIKKIE_KEY_FILE"))
	t.Setenv("BATCHTOOL_TIKKIE_KEY_FILE", "")
	t.Setenv("BATCHTOOL_TINKA_PASSWORD", "")
	t.Setenv("BATCHTOOL_TINKA_SECRET", "")
	dir := t.TempDir()
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		os.Remove(p)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, provider string
		cfg            func(c *pipeline.PayreqConfig, mode os.FileMode)
		want           string
	}{
		{"tikkie key_file", pipeline.Tikkie, func(c *pipeline.PayreqConfig, m os.FileMode) { c.Tikkie.KeyFile = write("tikkie.pem", keyPEM, m) },
			"tikkie: private key: " + filepath.Join(dir, "tikkie.pem") + " is readable by others (mode -rw-r--r--); chmod 600 it"},
		{"tinka password_file", pipeline.Tinka, func(c *pipeline.PayreqConfig, m os.FileMode) {
			c.Tinka.PasswordFile = write("tinka.password", []byte("pw\n"), m)
			c.Tinka.SecretFile = write("tinka.secret", []byte("s\n"), 0o600)
		}, "tinka: password: " + filepath.Join(dir, "tinka.password") + " is readable by others (mode -rw-r--r--); chmod 600 it"},
		{"tinka secret_file", pipeline.Tinka, func(c *pipeline.PayreqConfig, m os.FileMode) {
			c.Tinka.PasswordFile = write("tinka.password", []byte("pw\n"), 0o600)
			c.Tinka.SecretFile = write("tinka.secret", []byte("s\n"), m)
		}, "tinka: secret: " + filepath.Join(dir, "tinka.secret") + " is readable by others (mode -rw-r--r--); chmod 600 it"},
	} {
		var c pipeline.PayreqConfig
		tc.cfg(&c, 0o644)
		if _, err := pipeline.NewRequester(tc.provider, &c, "dev", nil); err == nil || err.Error() != tc.want {
			t.Errorf("%s at 0644: %v, want %q", tc.name, err, tc.want)
		}
		c = pipeline.PayreqConfig{}
		tc.cfg(&c, 0o600)
		if _, err := pipeline.NewRequester(tc.provider, &c, "dev", nil); err != nil {
			t.Errorf("%s at 0600: %v", tc.name, err)
		}
	}
}
