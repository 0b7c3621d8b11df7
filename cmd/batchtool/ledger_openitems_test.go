package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/statement"
)

func openItemsFile(name string) string { return repoFile(filepath.Join("openitems", name)) }

// TestLedgerAddOpenItems: an ERP's open receivables, as CSV (';', decimal
// comma, BOM, CRLF; cp1252) and XLSX, become open invoices; bad rows are
// reported with file, line, column and rule and not added; the invoices
// are matched by reconcile like UBL ones.
func TestLedgerAddOpenItems(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	nl, xlsx, bad, cp := openItemsFile("open-items-nl.csv"), openItemsFile("open-items.xlsx"), openItemsFile("open-items-bad.csv"), openItemsFile("open-items-nl-cp1252.csv")
	code, out, errOut := batchtool(t, "ledger", "add", nl, xlsx, bad, "--ledger", db, "--create")
	wantOut := nl + ": open items: 4 invoice(s) added, 0 already in the ledger, 0 with errors not added\n" +
		xlsx + ": open items: 4 invoice(s) added, 0 already in the ledger, 0 with errors not added\n" +
		bad + ": open items: 1 invoice(s) added, 0 already in the ledger, 8 with errors not added\n"
	wantErr := nl + `:6:9: warning: reference "Factuur 1004": not a structured reference (RF or OGM): the invoice is matched by number, IBAN and amount only
` + bad + `:2:3: error: iban "BE68539007547035": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]
` + bad + `:3:4: error: amount "1,234": ambiguous: with decimal points ',' groups thousands (1,234 would be 1234), yet it reads as a decimal comma: write it without the ',' or with decimals (1,234.00) [amount notation]
` + bad + `:4:4: error: amount "10.005": more decimals than EUR has (2) [amount]
` + bad + `:5:1: error: invoice_number "INV-1": invoice number already on line 2 [invoice number unique]
` + bad + `:6:5: error: currency "EURO": not an ISO 4217 currency code (three letters, e.g. EUR) [ISO 4217]
` + bad + `:6:6: error: due_date "31/02/2026": not a date: write YYYY-MM-DD or DD.MM.YYYY (day first, also DD-MM-YYYY and DD/MM/YYYY) [date]
` + bad + `:7:4: error: amount "-5.00": an open item is owed to us: the amount must be more than 0 (credit notes are not open items) [amount]
` + bad + `:8:7: error: reference "RF19539007547034": RF creditor reference check digits do not verify (ISO 11649 mod 97) [ISO 11649]
` + bad + `:9:7: error: reference "+++202/6100/10088+++": not a valid Belgian structured communication (OGM: 12 digits, the last two the first ten mod 97) [OGM]
`
	if code != 1 || out != wantOut || errOut != wantErr {
		t.Fatalf("ledger add: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", code, out, wantOut, errOut, wantErr)
	}

	// The cp1252 export of the same items: refused without --encoding,
	// found already in the ledger with it.
	code, out, errOut = batchtool(t, "ledger", "add", cp, "--ledger", db)
	if want := cp + `:2:2: error: klant "Chlo\xe9 Lef\xe8vre": byte E9 at byte 5 is not UTF-8; read as Windows-1252 the field is "Chloé Lefèvre": give --encoding cp1252 (or latin1), or save the file as "CSV UTF-8" [encoding]` + "\n"; code != 1 || out != "" || errOut != want {
		t.Fatalf("cp1252 without --encoding: exit %d %q\n%s\nwant\n%s", code, out, errOut, want)
	}
	code, out, _ = batchtool(t, "ledger", "add", cp, "--encoding", "cp1252", "--ledger", db)
	if want := cp + ": open items: 0 invoice(s) added, 4 already in the ledger, 0 with errors not added\n"; code != 0 || out != want {
		t.Fatalf("cp1252: exit %d %q, want %q", code, out, want)
	}

	d := decimal.RequireFromString
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	credit := func(ref, amount string, tx statement.Transaction) statement.Entry {
		tx.Amount, tx.Currency = d(amount), "EUR"
		return statement.Entry{Amount: d(amount), Currency: "EUR", Status: "BOOK", BookingDate: day, ValueDate: day, AccountSvcrRef: ref,
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"}, Details: []statement.Transaction{tx}}
	}
	st := filepath.Join(dir, "st.xml")
	writeRecStatement(t, st, "CAMT-OPEN", day, []statement.Entry{
		credit("R1", "1234.56", statement.Transaction{Reference: statement.Reference{Scheme: "BE", Value: "202610010087"}}),
		credit("R2", "25.00", statement.Transaction{Remittance: "RF52 INV2 0261 002"}),
		credit("R3", "99.90", statement.Transaction{Remittance: "factuur INV-2026-1003"}),
		credit("R4", "0.30", statement.Transaction{Remittance: "+++202/6100/50002+++"}),
	})
	_, out, errOut = batchtool(t, "reconcile", st, "--ledger", db)
	for _, want := range []string{
		"    by structured-reference        3          1259.86 EUR\n",
		"    by invoice-number              1            99.90 EUR\n",
		"  unmatched                        0             0.00 EUR\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("reconcile lacks %q:\n%s\n%s", want, out, errOut)
		}
	}
}

// TestLedgerAddUnknownFile: what is none of the formats says which it takes.
func TestLedgerAddUnknownFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "notes.md")
	os.WriteFile(p, []byte("# hello\n"), 0o644)
	code, _, errOut := batchtool(t, "ledger", "add", p, "--ledger", filepath.Join(dir, "l.db"), "--create")
	if want := p + ": not a pain.008 batch, a UBL invoice, a zip of invoices or an open-items export (.csv, .tsv, .txt, .xlsx)\n"; code != 1 || errOut != want {
		t.Fatalf("exit %d %q, want %q", code, errOut, want)
	}
}
