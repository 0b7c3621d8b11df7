package inspect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/statement"
)

// codaStatements writes n statements of k entries each (mixed credits,
// debits and returns), every trailer's record count set wrong: one error
// per statement, past the cap of findings per rule.
func codaStatements(t *testing.T, n, k int) []byte {
	var buf bytes.Buffer
	w := coda.NewWriter(&buf, coda.WriterOptions{CreatedAt: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), BankID: "539"})
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for s := range n {
		st := &statement.Statement{LegalSequence: fmt.Sprint(s%1000 + 1),
			Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR", Owner: "ACME SERVICES NV"},
			Opening: &statement.Balance{Amount: decimal.New(int64(s), 0), Currency: "EUR", Date: day}}
		if err := w.BeginStatement(st); err != nil {
			t.Fatal(err)
		}
		for i := range k {
			amt := decimal.New(int64(100+i*7+s), -2)
			e := &statement.Entry{Amount: amt, Currency: "EUR", BookingDate: day, ValueDate: day,
				BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "ESDD", Proprietary: "05/01/000"}}
			tx := statement.Transaction{Amount: amt, Currency: "EUR", EndToEndID: fmt.Sprintf("E2E-%d-%d", s, i), MandateID: "M1",
				CreditorID: "BE69ZZZ050D000000008", Remittance: "Invoice", Counterparty: statement.Party{Name: "Debtor", IBAN: "BE71096123456769"}}
			if i%5 == 4 {
				e.Amount, tx.Amount = amt.Neg(), amt.Neg()
				e.Reversal, tx.ReturnReason = true, "AM04"
				e.BankTxCode.Proprietary = "05/05/000"
			}
			e.Details = []statement.Transaction{tx}
			if err := w.WriteEntry(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.EndStatement(); err != nil {
			t.Fatal(err)
		}
		day = day.AddDate(0, 0, 1)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(buf.Bytes(), []byte("\n"))
	for _, l := range lines {
		if len(l) > 22 && l[0] == '9' {
			copy(l[16:22], "999999")
		}
	}
	return bytes.Join(lines, nil)
}

// TestInspectCODAFileInParts: a CODA file on disk, read in parts on all
// cores, gives the inspection a stream of it gives, byte for byte as JSON,
// and both the one a full read of every entry gives.
func TestInspectCODAFileInParts(t *testing.T) {
	data := codaStatements(t, 180, 140)
	if len(data) < 9<<20 {
		t.Fatalf("%d bytes: too small to be read in parts", len(data))
	}
	path := filepath.Join(t.TempDir(), "big.cod")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	stream := inspectReader(path, FormatCODA, bufio.NewReader(bytes.NewReader(data)))
	ins := File(path)
	if len(ins) != 1 {
		t.Fatalf("%d inspections", len(ins))
	}
	want, _ := json.MarshalIndent(stream, "", " ")
	got, _ := json.MarshalIndent(ins[0], "", " ")
	if !bytes.Equal(got, want) {
		t.Fatalf("in parts:\n%.3000s\nas a stream:\n%.3000s", got, want)
	}
	// and the reader's SummaryOnly leaves out nothing the summary reads
	full, err := summarizeReader(path, FormatCODA, coda.NewReader(bytes.NewReader(data), path))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.MarshalIndent(full, "", " "); !bytes.Equal(b, want) {
		t.Fatalf("SummaryOnly:\n%.3000s\nfull read:\n%.3000s", want, b)
	}
	sum := ins[0].Summary.(*StatementsSummary)
	if len(sum.Statements) != 180 || len(ins[0].Findings) != 101 {
		t.Fatalf("%d statements, %d findings", len(sum.Statements), len(ins[0].Findings))
	}
	last := ins[0].Findings[100].String()
	if last != path+": warning: 80 more findings of this rule not shown [CODA trailer]" {
		t.Fatalf("last finding %s", last)
	}
}
