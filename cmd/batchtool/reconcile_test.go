package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/statement"
)

// writeRecBatch writes a pain.008 with three collections in one PmtInf.
func writeRecBatch(t *testing.T, path string, day time.Time) {
	t.Helper()
	w, err := pain008.Create(path, pain008.WriterOptions{MessageID: "MSG-REC-1", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	cred := pain008.Creditor{Name: "Fitness Club", IBAN: "BE68539007547034", BIC: "GKCCBEBB", ID: "BE69ZZZ050D000000008"}
	for _, c := range []struct{ e2e, mndt, amt, name string }{
		{"E2E-A", "MNDT-A", "10.00", "Anna"},
		{"E2E-B", "MNDT-B", "20.50", "Bert"},
		{"E2E-C", "MNDT-C", "30.25", "Carl"},
	} {
		err := w.Write(pain008.Transaction{EndToEndID: c.e2e, Amount: decimal.RequireFromString(c.amt), Currency: "EUR", MandateID: c.mndt,
			MandateSignedOn: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), SequenceType: "RCUR", LocalInstrument: "CORE", CollectionDate: day,
			Creditor: cred, DebtorName: c.name, DebtorIBAN: "NL91ABNA0417164300", Remittance: "Membership " + c.e2e})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeRecStatement writes a camt.053 with the given entries, balances set so
// that the file is consistent.
func writeRecStatement(t *testing.T, path, msgID string, day time.Time, entries []statement.Entry) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := camt.NewWriter(f, camt.WriterOptions{MessageID: msgID, CreatedAt: day})
	sum := decimal.Zero
	for _, e := range entries {
		sum = sum.Add(e.Amount)
	}
	st := &statement.Statement{ID: "STMT-" + msgID, LegalSequence: "1", CreatedAt: day, From: day, To: day,
		Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"},
		Opening: &statement.Balance{Amount: decimal.Zero, Currency: "EUR", Date: day, Type: "OPBD"},
		Closing: &statement.Balance{Amount: sum, Currency: "EUR", Date: day, Type: "CLBD"},
	}
	if err := w.BeginStatement(st); err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		if err := w.WriteEntry(&entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.EndStatement(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLedgerAddAndReconcile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 5)
	batch := filepath.Join(dir, "batch.xml")
	writeRecBatch(t, batch, day)

	code, out, errOut := batchtool(t, "ledger", "add", "--create", batch, "--ledger", db)
	if code != 0 || out != batch+": pain.008: 3 collection(s) added, 0 already in the ledger, 1 new batch(es)\n" {
		t.Fatalf("ledger add: %d %q %q", code, out, errOut)
	}
	code, out, _ = batchtool(t, "ledger", "add", batch, "--ledger", db)
	if code != 0 || out != batch+": pain.008: 0 collection(s) added, 3 already in the ledger, 0 new batch(es)\n" {
		t.Fatalf("ledger add again: %d %q", code, out)
	}

	d := decimal.RequireFromString
	entries := []statement.Entry{
		{Amount: d("30.50"), Currency: "EUR", Status: "BOOK", BookingDate: day, ValueDate: day, AccountSvcrRef: "BANK-1", BatchID: "MSG-REC-1-1", BatchCount: 2,
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "IDDT", SubFamily: "ESDD"},
			Details: []statement.Transaction{
				{Amount: d("10.00"), Currency: "EUR", EndToEndID: "E2E-A", MandateID: "MNDT-A"},
				{Amount: d("20.50"), Currency: "EUR", EndToEndID: "E2E-B", MandateID: "MNDT-B"},
			}},
		{Amount: d("30.25"), Currency: "EUR", Status: "BOOK", BookingDate: day, ValueDate: day, AccountSvcrRef: "BANK-2",
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "IDDT", SubFamily: "ESDD"},
			Details:    []statement.Transaction{{Amount: d("30.25"), Currency: "EUR", EndToEndID: "E2E-C", MandateID: "MNDT-C"}}},
		{Amount: d("-10.00"), Currency: "EUR", Status: "BOOK", Reversal: true, BookingDate: day, ValueDate: day, AccountSvcrRef: "BANK-3",
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "IDDT", SubFamily: "UPDD"},
			Details:    []statement.Transaction{{Amount: d("-10.00"), Currency: "EUR", EndToEndID: "E2E-A", MandateID: "MNDT-A", ReturnReason: "AM04"}}},
		{Amount: d("5.00"), Currency: "EUR", Status: "BOOK", BookingDate: day, ValueDate: day, AccountSvcrRef: "BANK-4",
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"},
			Details:    []statement.Transaction{{Amount: d("5.00"), Currency: "EUR", Remittance: "a gift", Counterparty: statement.Party{Name: "Dora", IBAN: "DE89370400440532013000"}}}},
	}
	st1 := filepath.Join(dir, "st1.xml")
	writeRecStatement(t, st1, "CAMT-1", day, entries)
	report := filepath.Join(dir, "out.csv")
	code, out, errOut = batchtool(t, "reconcile", st1, "--ledger", db, "--report", report)
	if code != 1 || errOut != "batchtool: 1 line(s) unmatched (5.00 EUR): they need a person\n" { // exit 1: a line needs a person
		t.Fatalf("reconcile: %d\n%s\n%s", code, out, errOut)
	}
	want := st1 + `: camt, 4 entries booked, 0 duplicate(s) of lines already booked skipped (none)
entries: 4, lines: 5, total 55.75 EUR
  matched                          3            60.75 EUR
    by end-to-end-id               3            60.75 EUR
  returned                         1           -10.00 EUR
    AM04                           1           -10.00 EUR  Insufficient funds
  ambiguous                        0             0.00 EUR
  unmatched                        1             5.00 EUR
  total                            5            55.75 EUR  (balanced)
report: ` + report + "\n"
	if out != want {
		t.Errorf("reconcile output\n%s\nwant\n%s", out, want)
	}
	f, err := os.Open(report)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Fatalf("%d report rows", len(rows))
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, strings.Join([]string{r[4], r[6], r[7], r[9], r[10], r[11], r[12], r[13], r[14], r[17]}, "|"))
	}
	wantRows := []string{
		"1|1|10.00|matched|end-to-end-id|collection||E2E-A||",
		"1|2|20.50|matched|end-to-end-id|collection||E2E-B||",
		"2|1|30.25|matched|end-to-end-id|collection||E2E-C||",
		"3|1|-10.00|returned|return|collection||E2E-A||AM04",
		"4|1|5.00|unmatched||||||",
	}
	if strings.Join(got, "\n") != strings.Join(wantRows, "\n") {
		t.Errorf("report rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}

	// The same file again: nothing changes.
	code, out, _ = batchtool(t, "reconcile", st1, "--ledger", db)
	if code != 0 || !strings.HasPrefix(out, st1+": already imported as "+st1+" on ") || !strings.Contains(out, "entries: 0, lines: 0, total none\n") {
		t.Errorf("second run: %d\n%s", code, out)
	}

	// Another file repeating the four lines and adding one: duplicates skipped.
	more := append(entries[:4:4], statement.Entry{Amount: d("1.00"), Currency: "EUR", Status: "BOOK", BookingDate: day, ValueDate: day, AccountSvcrRef: "BANK-5",
		Details: []statement.Transaction{{Amount: d("1.00"), Currency: "EUR", Remittance: "tip"}}})
	st2 := filepath.Join(dir, "st2.xml")
	writeRecStatement(t, st2, "CAMT-2", day, more)
	jsonReport := filepath.Join(dir, "out.json")
	code, out, errOut = batchtool(t, "reconcile", st2, "--ledger", db, "--report", jsonReport)
	if code != 1 || errOut != "batchtool: 1 line(s) unmatched (1.00 EUR): they need a person\n" || !strings.HasPrefix(out, st2+": camt, 1 entries booked, 4 duplicate(s) of lines already booked skipped (55.75 EUR)\n") ||
		!strings.Contains(out, "  duplicates                       4            55.75 EUR  (skipped: already booked)\n") {
		t.Errorf("overlapping file: %d\n%s\n%s", code, out, errOut)
	}
	var rep struct {
		Rows []struct {
			Status string `json:"status"`
			Amount string `json:"amount"`
		} `json:"rows"`
		Summary struct {
			Lines int `json:"lines"`
		} `json:"summary"`
	}
	b, err := os.ReadFile(jsonReport)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("json report: %v\n%s", err, b)
	}
	if len(rep.Rows) != 5 || rep.Rows[0].Status != "duplicate" || rep.Rows[4].Status != "unmatched" || rep.Rows[4].Amount != "1.00" || rep.Summary.Lines != 1 {
		t.Errorf("json report %+v", rep)
	}
}

func TestReconcileUsage(t *testing.T) {
	if code, _, errOut := batchtool(t, "reconcile", "--create", "x.xml", "--report", "out.txt"); code != 2 || !strings.Contains(errOut, `--report "out.txt": want a .csv, .json, .xlsx or .html file`) {
		t.Errorf("bad report: %d %q", code, errOut)
	}
	dir := t.TempDir()
	code, _, errOut := batchtool(t, "reconcile", "--create", filepath.Join(dir, "missing.xml"), "--ledger", filepath.Join(dir, "l.db"))
	if code != 2 || !strings.Contains(errOut, "missing.xml: no such file or directory") { // an unreadable input: exit 2
		t.Errorf("missing file: %d %q", code, errOut)
	}
}

func TestLedgerAddInvoicesAndReconcile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	code, out, errOut := batchtool(t, "ledger", "add", "--create", repoFile("invoices"), "--ledger", db)
	if code != 0 || out != repoFile("invoices")+": UBL: 5 invoice(s) added, 0 already in the ledger, 0 with errors not added\n" ||
		!strings.Contains(errOut, `CN-2026-0009.xml: warning: /CreditNote "CN-2026-0009": credit note: not an open item: not added`) {
		t.Fatalf("ledger add invoices: %d %q %q", code, out, errOut)
	}
	d := decimal.RequireFromString
	day := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	credit := func(ref, amount string, tx statement.Transaction) statement.Entry {
		tx.Amount, tx.Currency = d(amount), "EUR"
		return statement.Entry{Amount: d(amount), Currency: "EUR", Status: "BOOK", BookingDate: day, ValueDate: day, AccountSvcrRef: ref,
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"}, Details: []statement.Transaction{tx}}
	}
	st := filepath.Join(dir, "st.xml")
	writeRecStatement(t, st, "CAMT-INV", day, []statement.Entry{
		credit("R1", "1210.00", statement.Transaction{Reference: statement.Reference{Scheme: "BE", Value: "202605030048"}}),
		credit("R2", "50.00", statement.Transaction{Remittance: "RF30 2026 0504 part 1"}),
		credit("R3", "60.50", statement.Transaction{Remittance: "factuur inv 2026/502"}),
		credit("R4", "99.99", statement.Transaction{Remittance: "no idea"}),
	})
	report := filepath.Join(dir, "erp.csv")
	code, out, errOut = batchtool(t, "reconcile", st, "--ledger", db, "--report", report)
	want := st + `: camt, 4 entries booked, 0 duplicate(s) of lines already booked skipped (none)
entries: 4, lines: 4, total 1420.49 EUR
  matched                          3          1320.50 EUR
    by structured-reference        2          1260.00 EUR
    by invoice-number              1            60.50 EUR
  returned                         0             0.00 EUR
  ambiguous                        0             0.00 EUR
  unmatched                        1            99.99 EUR
  total                            4          1420.49 EUR  (balanced)
report: ` + report + "\n"
	if code != 1 || out != want || errOut != "batchtool: 1 line(s) unmatched (99.99 EUR): they need a person\n" {
		t.Fatalf("reconcile: %d\n%s\nwant\n%s\n%s", code, out, want, errOut)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, strings.Join([]string{r[7], r[9], r[12], r[15], r[16]}, "|"))
	}
	wantRows := "1210.00|matched|INV-2026-0503|1210.00|0.00\n50.00|matched|INV-2026-0504|50.00|46.80\n60.50|matched|INV-2026-0502|60.50|0.00\n99.99|unmatched|||"
	if strings.Join(got, "\n") != wantRows {
		t.Errorf("ERP rows\n%s\nwant\n%s", strings.Join(got, "\n"), wantRows)
	}
}

// TestReconcileSeveralFilesInOrder: files are booked one transaction each
// in the order of the arguments: a copy of a file
// booked earlier in the same run is seen as already imported, a missing
// file fails alone, and a CODA after it is booked.
func TestReconcileSeveralFilesInOrder(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "l.db")
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	d := decimal.RequireFromString
	st1 := filepath.Join(dir, "st1.xml")
	writeRecStatement(t, st1, "CAMT-1", day, []statement.Entry{
		{Amount: d("5.00"), Currency: "EUR", Status: "BOOK", BookingDate: day, ValueDate: day, AccountSvcrRef: "BANK-1",
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"},
			Details:    []statement.Transaction{{Amount: d("5.00"), Currency: "EUR", Remittance: "a gift"}}},
	})
	data, err := os.ReadFile(st1)
	if err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(dir, "again.xml")
	if err := os.WriteFile(again, data, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.xml")
	cod := filepath.Join("..", "..", "pkg", "coda", "testdata", "sandbox-sdd.cod")
	csvReport, htmlReport := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.html")
	code, out, errOut := batchtool(t, "reconcile", st1, again, missing, cod, "--ledger", db, "--create", "--report", csvReport, "--report", htmlReport)
	if code != 2 { // a file that cannot be read: exit 2, the others booked
		t.Fatalf("exit %d, want 2\n%s\n%s", code, out, errOut)
	}
	var heads []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, dir) || strings.HasPrefix(line, "../") {
			heads = append(heads, line[:strings.Index(line, ":")])
		}
	}
	if got, want := strings.Join(heads, " "), strings.Join([]string{st1, again, cod}, " "); got != want {
		t.Errorf("files in the order %s, want %s\n%s", got, want, out)
	}
	if !strings.Contains(out, again+": already imported as "+st1) {
		t.Errorf("the copy is not seen as imported:\n%s", out)
	}
	// The reports of a run that did not read every file are not written:
	// a finance user would take them for the whole.
	if want := "batchtool: open " + missing + ": no such file or directory\nbatchtool: " + csvReport + ", " + htmlReport + " not written: not every file was read\n"; errOut != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	for _, p := range []string{csvReport, htmlReport} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: %v, want no file", p, err)
		}
	}
}
