package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// belgianIBAN makes a valid Belgian IBAN from a number: a BBAN of ten
// digits and its mod-97 check (0 written 97), then the IBAN check digits.
func belgianIBAN(t *testing.T, n int) string {
	t.Helper()
	ten := fmt.Sprintf("%010d", 1000000000+n)
	r := 0
	for _, c := range ten {
		r = (r*10 + int(c-'0')) % 97
	}
	if r == 0 {
		r = 97
	}
	bban := fmt.Sprintf("%s%02d", ten, r)
	rem := 0
	for _, c := range bban + "111400" { // B=11 E=14 00
		rem = (rem*10 + int(c-'0')) % 97
	}
	iban := fmt.Sprintf("BE%02d%s", 98-rem, bban)
	if _, err := sepa.ParseIBAN(iban); err != nil {
		t.Fatalf("generated %s: %v", iban, err)
	}
	return iban
}

// TestEndToEnd runs the nightly job against the sandbox with 10,000
// collections and 2,000 invoices (1,000 and 200 with -short), the bank's
// outcomes simulated by amount, files fetched as CAMT and CODA; it checks
// that every collection ends collected or returned with its reason, every
// invoice paid, partly paid or open as the bank paid it, that the report
// totals equal the statement totals to the cent, and that a second run
// changes nothing.
func TestEndToEnd(t *testing.T) {
	nColl, nInv := 10000, 2000
	if testing.Short() {
		nColl, nInv = 1000, 200
	}
	start := time.Now()
	srv, pay := startSandboxes(t)
	dir := t.TempDir()

	// Collections: cents .01, .02, .03 come back AM04, MD06, AC04.
	var due strings.Builder
	due.WriteString("end_to_end_id,mandate_id,mandate_signed_on,sequence_type,amount,debtor_name,debtor_iban\n")
	wantReason := map[string]int{}
	collected := decimal.Zero
	for i := 1; i <= nColl; i++ {
		amt := decimal.New(int64(1000+(i%90)*100+i%100), -2)
		switch i % 100 {
		case 1:
			wantReason["AM04"]++
		case 2:
			wantReason["MD06"]++
		case 3:
			wantReason["AC04"]++
		}
		collected = collected.Add(amt)
		// One payment information block: the CODA file splits its batch
		// booking into movements of 9,998 details, the camt file does not,
		// and the ledger must see one booking.
		fmt.Fprintf(&due, "E2E-%06d,MNDT-%06d,2024-01-15,RCUR,%s,Debtor %d,%s\n", i, i, amt.StringFixed(2), i, belgianIBAN(t, i))
	}
	dueFile := filepath.Join(dir, "due.csv")
	os.WriteFile(dueFile, []byte(due.String()), 0o644)

	// Invoices: cents .01 never paid, .02 half paid, else paid in full, by
	// transfer quoting the OGM or RF reference.
	invDir := filepath.Join(dir, "invoices")
	os.MkdirAll(invDir, 0o755)
	wantInv := map[reconcile.Status]int{}
	issued := time.Now().UTC().AddDate(0, 0, -10)
	for i := 1; i <= nInv; i++ {
		amt := decimal.New(int64(5000+i*100+i%100), -2)
		var ref string
		if i%2 == 0 {
			o, _ := sepa.NewOGM(uint64(7000000000 + i))
			ref = o.String()
		} else {
			rf, _ := sepa.NewRF(fmt.Sprintf("INV%06d", i))
			ref = string(rf)
		}
		switch i % 100 {
		case 1:
			wantInv[reconcile.StatusOpen]++
		case 2:
			wantInv[reconcile.StatusPartial]++
		default:
			wantInv[reconcile.StatusPaid]++
		}
		os.WriteFile(filepath.Join(invDir, fmt.Sprintf("INV-%06d.xml", i)),
			sandbox.SampleInvoice(fmt.Sprintf("INV-%06d", i), amt.StringFixed(2), ref, issued), 0o644)
	}

	config, ledgerPath := writeNightlyConfig(t, dir, nightlyTestConfig{due: dueFile, invoices: invDir, formats: `"camt", "coda"`, reports: `"json", "csv"`})

	code, out, errOut := batchtool(t, "nightly", "--config", config)
	if code != 0 {
		t.Fatalf("nightly: exit %d\n%s\n%s", code, tail(out, 40), tail(errOut, 20))
	}
	if !strings.Contains(out, fmt.Sprintf(": %d transactions, total %s EUR", nColl, collected.StringFixed(2))) {
		t.Fatalf("batch not built as expected:\n%s", tail(out, 40))
	}
	t.Log(out[strings.LastIndex(out, "== summary"):])
	first := ledgerCounts(t, ledgerPath)

	// Collections: all credited, then the returned ones reopened.
	returned := wantReason["AM04"] + wantReason["MD06"] + wantReason["AC04"]
	if got := first.Collections; got[reconcile.StatusCollected] != nColl-returned || got[reconcile.StatusReturned] != returned || got[reconcile.StatusOpen] != 0 {
		t.Fatalf("collections %v, want %d collected and %d returned", got, nColl-returned, returned)
	}
	if got := first.Invoices; got[reconcile.StatusPaid] != wantInv[reconcile.StatusPaid] || got[reconcile.StatusPartial] != wantInv[reconcile.StatusPartial] || got[reconcile.StatusOpen] != wantInv[reconcile.StatusOpen] {
		t.Fatalf("invoices %v, want %v", got, wantInv)
	}

	// The report: every line matched or returned with the right reason,
	// balanced, and equal to the statement total read on its own.
	reports, _ := filepath.Glob(filepath.Join(dir, "work", "reports", "*", "reconcile.json"))
	if len(reports) != 1 {
		t.Fatalf("%d JSON reports", len(reports))
	}
	var rep struct {
		Summary reconcile.Summary `json:"summary"`
	}
	b, _ := os.ReadFile(reports[0])
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	s := rep.Summary
	if !s.Balanced() || s.Outcome(reconcile.Unmatched).Count() != 0 || s.Outcome(reconcile.Ambiguous).Count() != 0 {
		t.Fatalf("summary: balanced %v, unmatched %s, ambiguous %s", s.Balanced(), s.Outcome(reconcile.Unmatched), s.Outcome(reconcile.Ambiguous))
	}
	for code, n := range wantReason {
		if r := s.Reason(code); r.Count() != n {
			t.Errorf("returns %s: %+v, want %d", code, r, n)
		}
	}
	camtTotal := decimal.Zero
	camtFiles, _ := filepath.Glob(filepath.Join(dir, "work", "inbox", "camt", "*"))
	for _, f := range camtFiles {
		fh, _ := os.Open(f)
		r := camt.NewReader(fh, f)
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			camtTotal = camtTotal.Add(e.Amount)
		}
		fh.Close()
	}
	if tot := s.Total(); len(tot) != 1 || tot[0].Currency != "EUR" || !tot[0].Amount.Equal(camtTotal) || camtTotal.IsZero() {
		t.Fatalf("report total %s, statements %s EUR", tot, camtTotal)
	}
	// The CODA files repeat the CAMT movements: every line a duplicate.
	if !strings.Contains(out, "coda, 0 entries booked") {
		t.Fatalf("CODA lines were booked a second time:\n%s", tail(out, 40))
	}
	f, _ := os.Open(strings.TrimSuffix(reports[0], ".json") + ".csv")
	rows, _ := csv.NewReader(f).ReadAll()
	f.Close()
	if len(rows) < s.Lines {
		t.Fatalf("ERP export has %d rows for %d lines", len(rows), s.Lines)
	}

	// Again: nothing is sent, booked or changed.
	imports, uploads := srv.Stats()["POST /creditor/collect/import"], srv.Stats()["POST /creditor/invoice/ubl"]
	code, out, _ = batchtool(t, "nightly", "--config", config)
	if code != 0 || !strings.Contains(out, "nothing needs attention") {
		t.Fatalf("second run: exit %d\n%s", code, tail(out, 30))
	}
	if again := ledgerCounts(t, ledgerPath); ledgerState(again) != ledgerState(first) {
		t.Fatalf("second run changed the ledger:\n%+v\n%+v", first, again)
	}
	if srv.Stats()["POST /creditor/collect/import"] != imports || srv.Stats()["POST /creditor/invoice/ubl"] != uploads {
		t.Fatal("second run sent something again")
	}

	// Payment requests for what was not collected: every MD06 and AC04
	// return and every invoice left open or partly paid, in Tikkie (240
	// requests: three pages of the user's listing at 100 a page).
	wantReq := wantReason["MD06"] + wantReason["AC04"] + wantInv[reconcile.StatusOpen] + wantInv[reconcile.StatusPartial]
	links := filepath.Join(dir, "links.csv")
	create := []string{"payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath, "--as-of", "2099-01-01", "--links", links}
	code, out, errOut = batchtool(t, create...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("tikkie: %d payment request(s) created", wantReq)) {
		t.Fatalf("payreq create: exit %d\n%s\n%s", code, tail(out, 5), tail(errOut, 5))
	}
	// Half of them are paid; sync walks every page and books exactly those.
	f, _ = os.Open(links)
	rows, _ = csv.NewReader(f).ReadAll()
	f.Close()
	if len(rows) != wantReq+1 {
		t.Fatalf("links: %d rows, want %d", len(rows)-1, wantReq)
	}
	paidSum := decimal.Zero
	for i, row := range rows[1:] {
		if i%2 == 0 {
			if err := pay.MarkTikkiePaid(row[11], row[3]); err != nil {
				t.Fatal(err)
			}
			paidSum = paidSum.Add(decimal.RequireFromString(row[4]))
		}
	}
	lists := srv.Stats()[tikkieLists]
	code, out, errOut = batchtool(t, "payreq", "sync", "--ledger", ledgerPath)
	want := fmt.Sprintf("tikkie: %d paid and booked (%s EUR), 0 closed unpaid, %d still open\n", (wantReq+1)/2, paidSum.StringFixed(2), wantReq/2)
	if code != 0 || !strings.HasSuffix(out, want) {
		t.Fatalf("payreq sync: exit %d\n%s\nwant %s%s", code, tail(out, 3), want, errOut)
	}
	if pages := srv.Stats()[tikkieLists] - lists; pages != (wantReq+99)/100 {
		t.Errorf("sync read %d pages of the Tikkie listing, want %d", pages, (wantReq+99)/100)
	}
	code, out, _ = batchtool(t, create...)
	if code != 0 || !strings.HasPrefix(out, "tikkie: 0 payment request(s) created") {
		t.Fatalf("second payreq create: exit %d\n%s", code, tail(out, 3))
	}
	// The next night the payouts are on the statement: each is matched to its
	// request, and none books its item a second time.
	booked := ledgerCounts(t, ledgerPath)
	code, out, errOut = batchtool(t, "nightly", "--config", config)
	if code != 0 {
		t.Fatalf("third run: exit %d\n%s\n%s", code, tail(out, 30), tail(errOut, 10))
	}
	want = fmt.Sprintf("  %-26s %7d %20s\n", "  by payment-request", (wantReq+1)/2, paidSum.StringFixed(2)+" EUR")
	if !strings.Contains(out, want) || !strings.Contains(out, "  unmatched                        0             0.00 EUR\n") {
		t.Fatalf("third run: payouts not matched to their requests (want %q)\n%s", want, tail(out, 40))
	}
	if after := ledgerCounts(t, ledgerPath); fmt.Sprint(after.Collections, after.Invoices) != fmt.Sprint(booked.Collections, booked.Invoices) {
		t.Fatalf("payouts booked their items again:\n%v %v\n%v %v", booked.Collections, booked.Invoices, after.Collections, after.Invoices)
	}
	t.Logf("%d collections (%s EUR), %d invoices, %d statement lines (%s) reconciled, returns %v; %d payment requests, %d paid (%s EUR); in %v",
		nColl, collected.StringFixed(2), nInv, s.Lines, s.Total(), wantReason, wantReq, (wantReq+1)/2, paidSum.StringFixed(2),
		time.Since(start).Round(time.Millisecond))
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
