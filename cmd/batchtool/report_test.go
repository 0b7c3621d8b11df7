package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/batchtool/batchtool/pkg/statement"
)

// reconcileReports reconciles a small statement (a batch of two, one
// single collection, an AM04 return and an unmatched transfer whose
// remittance tries to inject a script) and writes every report format.
func reconcileReports(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 5)
	batch := filepath.Join(dir, "batch.xml")
	writeRecBatch(t, batch, day)
	if code, _, errOut := batchtool(t, "ledger", "add", batch, "--ledger", db); code != 0 {
		t.Fatal(errOut)
	}
	d := decimal.RequireFromString
	entries := []statement.Entry{
		{Amount: d("30.50"), Currency: "EUR", Status: "BOOK", BookingDate: day, AccountSvcrRef: "BANK-1", BatchID: "MSG-REC-1-1", BatchCount: 2,
			Details: []statement.Transaction{{Amount: d("10.00"), EndToEndID: "E2E-A", MandateID: "MNDT-A"}, {Amount: d("20.50"), EndToEndID: "E2E-B", MandateID: "MNDT-B"}}},
		{Amount: d("30.25"), Currency: "EUR", Status: "BOOK", BookingDate: day, AccountSvcrRef: "BANK-2",
			Details: []statement.Transaction{{Amount: d("30.25"), EndToEndID: "E2E-C", MandateID: "MNDT-C"}}},
		{Amount: d("-10.00"), Currency: "EUR", Status: "BOOK", Reversal: true, BookingDate: day.AddDate(0, 0, 2), AccountSvcrRef: "BANK-3",
			Details: []statement.Transaction{{Amount: d("-10.00"), EndToEndID: "E2E-A", MandateID: "MNDT-A", ReturnReason: "AM04"}}},
		{Amount: d("1234.56"), Currency: "EUR", Status: "BOOK", BookingDate: day.AddDate(0, 0, 2), AccountSvcrRef: "BANK-4",
			Details: []statement.Transaction{{Amount: d("1234.56"), Remittance: "<script>alert(1)</script> & co", Counterparty: statement.Party{Name: "Dora", IBAN: "DE89370400440532013000"}}}},
	}
	st := filepath.Join(dir, "st.xml")
	writeRecStatement(t, st, "CAMT-R", day, entries)
	args := []string{"reconcile", st, "--ledger", db}
	for _, ext := range []string{"csv", "xlsx", "html"} {
		args = append(args, "--report", filepath.Join(dir, "report."+ext))
	}
	code, out, errOut := batchtool(t, args...)
	if code != 0 {
		t.Fatalf("reconcile: %d\n%s\n%s", code, out, errOut)
	}
	for _, ext := range []string{"csv", "xlsx", "html"} {
		if !strings.Contains(out, "report: "+filepath.Join(dir, "report."+ext)+"\n") {
			t.Errorf("output does not name report.%s:\n%s", ext, out)
		}
	}
	return dir
}

func TestReportXLSX(t *testing.T) {
	dir := reconcileReports(t)
	x, err := excelize.OpenFile(filepath.Join(dir, "report.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "Lines,Summary,Unmatched" {
		t.Fatalf("sheets %s", got)
	}
	lines, _ := x.GetRows("Lines")
	csvRows := strings.Count(strings.TrimSpace(mustRead(t, filepath.Join(dir, "report.csv"))), "\n") + 1
	if len(lines) != csvRows || lines[0][0] != "file" {
		t.Fatalf("Lines has %d rows, the CSV %d", len(lines), csvRows)
	}
	summary, _ := x.GetRows("Summary", excelize.Options{RawCellValue: true})
	want := map[string][2]string{"matched": {"3", "60.75"}, "returned": {"1", "-10"}, "unmatched": {"1", "1234.56"}, "total": {"5", "1285.31"}, "AM04": {"1", "-10"}}
	found := 0
	for _, r := range summary {
		if len(r) >= 3 {
			if w, ok := want[r[0]]; ok && r[1] == w[0] && r[2] == w[1] {
				found++
			}
		}
	}
	if found != len(want) {
		t.Fatalf("summary sheet lacks some of %v:\n%v", want, summary)
	}
	unmatched, _ := x.GetRows("Unmatched")
	if len(unmatched) != 2 || !strings.Contains(strings.Join(unmatched[1], " "), "<script>alert(1)</script> & co") {
		t.Fatalf("unmatched sheet %v", unmatched)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReportHTML(t *testing.T) {
	dir := reconcileReports(t)
	page := mustRead(t, filepath.Join(dir, "report.html"))
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", // untrusted text escaped
		`<div class="v">1,285.31 EUR</div>`,              // statement total, thousands grouped
		`<td class="n">1,234.56 EUR</td>`,                // the unmatched line
		`<div class="v">-10.00 EUR</div>`,                // returned
		"balanced to the cent",
		"<td>AM04</td><td>Insufficient funds</td>",
		`<h2>Lines (5)</h2>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "src=\"http") || strings.Contains(page, "href=\"http") {
		t.Fatal("page holds injected script or external resources")
	}
}

// TestReconcileTwoCurrencies: a run of an EUR camt.053 and a CHF camt.054
// has one total per currency in the text, the JSON summary, the XLSX
// Summary and the HTML cards and charts; no figure adds EUR to CHF.
func TestReconcileTwoCurrencies(t *testing.T) {
	chf := corpusFile(t, "camt054", "moov-camt054-v4-postfinance-batch.xml")
	dir := reconcileReports(t) // writes the EUR statement st.xml: 1285.31 EUR
	var args []string
	for _, ext := range []string{"json", "xlsx", "html"} {
		args = append(args, "--report", filepath.Join(dir, "two."+ext))
	}
	// The EUR statement and the CHF one into a fresh ledger: nothing is open.
	eur := filepath.Join(dir, "eur.xml")
	if err := os.WriteFile(eur, []byte(mustRead(t, filepath.Join(dir, "st.xml"))), 0o644); err != nil {
		t.Fatal(err)
	}
	db2 := filepath.Join(dir, "fresh.db")
	code, out, errOut := batchtool(t, append([]string{"reconcile", eur, chf, "--ledger", db2}, args...)...)
	if code != 0 {
		t.Fatalf("reconcile: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"entries: 5, lines: 11, total 1500.00 CHF, 1285.31 EUR\n",
		" in CHF:\n",
		"  unmatched                        6          1500.00 CHF\n",
		" in EUR:\n",
		"  unmatched                        5          1285.31 EUR\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "2785.31") {
		t.Errorf("text adds EUR and CHF:\n%s", out)
	}
	var rep struct {
		Summary struct {
			Currencies []struct {
				Currency string
				Total    struct {
					Count            int
					Amount, Currency string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(mustRead(t, filepath.Join(dir, "two.json"))), &rep); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rep.Summary.Currencies); got != "[{CHF {6 1500.00 CHF}} {EUR {5 1285.31 EUR}}]" {
		t.Errorf("JSON summary: %s", got)
	}
	x, err := excelize.OpenFile(filepath.Join(dir, "two.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("Summary", excelize.Options{RawCellValue: true})
	var totals []string
	for _, r := range rows {
		if len(r) >= 4 && r[0] == "total" {
			totals = append(totals, strings.Join(r[1:4], " "))
		}
	}
	if got := strings.Join(totals, "; "); got != "6 1500 CHF; 5 1285.31 EUR" {
		t.Errorf("XLSX Summary totals: %s\n%v", got, rows)
	}
	page := mustRead(t, filepath.Join(dir, "two.html"))
	for _, want := range []string{
		`<div class="cards" data-currency="CHF">`, `<div class="v">1,500.00 CHF</div>`,
		`<div class="cards" data-currency="EUR">`, `<div class="v">1,285.31 EUR</div>`,
		`aria-label="amounts per day in CHF"`, `aria-label="amounts per day in EUR"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "2,785.31") {
		t.Error("page adds EUR and CHF")
	}
}
