package camt_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// reconciliationStatement is what the platform sandbox writes: a SEPA DD
// collection booked as one batch entry, a return of one collection (AM04,
// a reversal), a credit transfer with an RF reference and one with a
// Belgian structured communication, and a bank charge.
func reconciliationStatement() (*statement.Statement, []*statement.Entry) {
	st := &statement.Statement{
		Format: "camt.053.001.02", Kind: statement.KindStatement, MessageID: "TWIKEY-20240315-0001",
		ID: "STMT-20240315-001", ElectronicSequence: "74", LegalSequence: "74",
		CreatedAt: time.Date(2024, 3, 15, 18, 30, 0, 0, time.UTC),
		From:      day("2024-03-15"), To: day("2024-03-15"),
		Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR", Name: "Collections",
			Owner: "Acme & Söhne <Belgium> NV", BIC: "GKCCBEBB"},
		Opening:       &statement.Balance{Amount: d("1000.00"), Currency: "EUR", Date: day("2024-03-14"), Type: "OPBD"},
		Closing:       &statement.Balance{Amount: d("1170.45"), Currency: "EUR", Date: day("2024-03-15"), Type: "CLBD"},
		StatedCredits: &statement.Total{Count: 2, Sum: d("238.75")},
		StatedDebits:  &statement.Total{Count: 2, Sum: d("68.30")},
	}
	sdd := statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "ESDD", Proprietary: "01-05", ProprietaryIssuer: "BE"}
	entries := []*statement.Entry{
		{
			Seq: 1, Ref: "NTRY-1", Amount: d("150.00"), Currency: "EUR", Status: "BOOK",
			BookingDate: day("2024-03-15"), ValueDate: day("2024-03-15"), BankTxCode: sdd,
			AccountSvcrRef: "BANKREF-0001", BatchCount: 2, BatchID: "PMTINF-2024-03-15-RCUR",
			Info: "SEPA DD collection 2 transactions",
			Details: []statement.Transaction{
				{Amount: d("100.00"), Currency: "EUR", EndToEndID: "E2E-INV-1001", MandateID: "MNDT-0001",
					InstructionID: "INSTR-1", PaymentInfoID: "PMTINF-2024-03-15-RCUR", CreditorID: "BE69ZZZ050D000000008",
					Counterparty: statement.Party{Name: "Jan \"Peeters\"", IBAN: "NL91ABNA0417164300", BIC: "ABNANL2A"},
					Remittance:   "Invoice 1001 'March'"},
				{Amount: d("50.00"), Currency: "EUR", EndToEndID: "E2E-INV-1002", MandateID: "MNDT-0002",
					PaymentInfoID: "PMTINF-2024-03-15-RCUR", CreditorID: "BE69ZZZ050D000000008",
					Counterparty: statement.Party{Name: "Marie Dupont", IBAN: "FR1420041010050500013M02606"},
					Remittance:   "Invoice 1002"},
			},
		},
		{
			Seq: 2, Amount: d("-50.00"), Currency: "EUR", Reversal: true, Status: "BOOK",
			BookingDate: day("2024-03-15"), ValueDate: day("2024-03-15"),
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "UPDD"},
			Details: []statement.Transaction{{
				Amount: d("-50.00"), Currency: "EUR", EndToEndID: "E2E-INV-1002", MandateID: "MNDT-0002",
				CreditorID: "BE69ZZZ050D000000008", Counterparty: statement.Party{Name: "Marie Dupont", IBAN: "FR1420041010050500013M02606"},
				ReturnReason: "AM04", ReturnText: "Insufficient funds",
			}},
		},
		{
			Seq: 3, Amount: d("88.75"), Currency: "EUR", Status: "BOOK",
			BookingDate: day("2024-03-15"), ValueDate: day("2024-03-16"),
			BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"},
			Details: []statement.Transaction{{
				Amount: d("88.75"), Currency: "EUR", EndToEndID: "CT-778", Counterparty: statement.Party{Name: "Klant BV", IBAN: "NL91ABNA0417164300"},
				Reference:  statement.Reference{Scheme: sepa.SchemeRF, Value: "RF18539007547034"},
				OrigAmount: d("96.10"), OrigCurrency: "USD", Charges: d("0.35"),
				Remittance: strings.Repeat("long remittance text ", 9) + "end",
			}},
		},
		{
			Seq: 4, Amount: d("-18.30"), Currency: "EUR", Status: "BOOK", BookingDate: day("2024-03-15"),
			BankTxCode: statement.BankTxCode{Proprietary: "CHRG"},
			Details: []statement.Transaction{{
				Amount: d("-18.30"), Currency: "EUR", Counterparty: statement.Party{Name: "Bank", Account: "INTERNAL-1"},
				Reference: statement.Reference{Scheme: sepa.SchemeOGM, Value: "123456789002"},
			}},
		},
	}
	return st, entries
}

func writeStatement(t *testing.T, st *statement.Statement, entries []*statement.Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := camt.NewWriter(&buf, camt.WriterOptions{MessageID: st.MessageID, CreatedAt: st.CreatedAt})
	if err := w.BeginStatement(st); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := w.WriteEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.EndStatement(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWriterRoundTrip writes the reconciliation statement, checks it against
// the golden file and the XSD, and reads it back equal.
func TestWriterRoundTrip(t *testing.T) {
	st, entries := reconciliationStatement()
	out := writeStatement(t, st, entries)

	golden := filepath.Join("testdata", "reconciliation.camt053.xml")
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("output differs from %s (run with -update to accept):\n%s", golden, out)
	}

	r := camt.NewReader(bytes.NewReader(out), "out.xml")
	got, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings()) != 0 {
		t.Errorf("findings on our own output:\n%s", findingsText(r.Findings()))
	}
	sts := r.Statements()
	if len(sts) != 1 {
		t.Fatalf("statements = %d", len(sts))
	}
	sts[0].Line = 0
	if a, b := jsonOf(t, sts[0]), jsonOf(t, st); a != b {
		t.Errorf("statement read back\n%s\nwant\n%s", a, b)
	}
	for _, e := range got {
		e.Line = 0
		for i := range e.Details {
			e.Details[i].Line = 0
		}
	}
	if a, b := jsonOf(t, got), jsonOf(t, entries); a != b {
		t.Errorf("entries read back\n%s\nwant\n%s", a, b)
	}
}

// TestWriterXSD validates the output against camt.053.001.02.xsd.
func TestWriterXSD(t *testing.T) {
	xsd := testutil.XSD(t, "camt.053", "camt.053.001.02.xsd")
	st, entries := reconciliationStatement()
	file := filepath.Join(t.TempDir(), "out.xml")
	if err := os.WriteFile(file, writeStatement(t, st, entries), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Xmllint(t, xsd, file)

	// Minimal statement: closing balance only, no entries, other account id.
	min := &statement.Statement{ID: "S1", Account: statement.Account{Other: "12345"},
		Closing: &statement.Balance{Amount: d("-3.10"), Currency: "CHF", Date: day("2024-01-31")}}
	var buf bytes.Buffer
	w := camt.NewWriter(&buf, camt.WriterOptions{MessageID: "M1", CreatedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)})
	if err := w.BeginStatement(min); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEntry(&statement.Entry{Amount: d("0"), Currency: "CHF"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	file2 := filepath.Join(t.TempDir(), "min.xml")
	if err := os.WriteFile(file2, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Xmllint(t, xsd, file2)
}

// TestWriterErrors checks that invalid statements are refused with a
// message naming the element and value.
func TestWriterErrors(t *testing.T) {
	opts := camt.WriterOptions{MessageID: "M1", CreatedAt: day("2024-01-01")}
	good := func() *statement.Statement {
		return &statement.Statement{ID: "S1", Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"},
			Opening: &statement.Balance{Amount: d("1"), Date: day("2024-01-01")}}
	}
	tests := []struct {
		name string
		run  func(w *camt.Writer) error
		want string
	}{
		{"no statement", func(w *camt.Writer) error { return w.Close() }, camt.ErrNoStatement.Error()},
		{"entry first", func(w *camt.Writer) error { return w.WriteEntry(&statement.Entry{}) },
			"camt: WriteEntry outside a statement (call BeginStatement first)"},
		{"no balance", func(w *camt.Writer) error {
			st := good()
			st.Opening = nil
			return w.BeginStatement(st)
		}, "camt: Stmt[1]/Bal: a camt.053 statement needs at least one balance (Opening or Closing)"},
		{"bad iban", func(w *camt.Writer) error {
			st := good()
			st.Account.IBAN = "BE00539007547034"
			return w.BeginStatement(st)
		}, `camt: Stmt[1]/Acct/Id/IBAN "BE00539007547034": ` + sepa.ValidateIBAN("BE00539007547034").Error()},
		{"long id", func(w *camt.Writer) error {
			st := good()
			st.ID = strings.Repeat("X", 36)
			return w.BeginStatement(st)
		}, `camt: Stmt[1]/Id "` + strings.Repeat("X", 36) + `": must be 1 to 35 characters`},
		{"6 decimals", func(w *camt.Writer) error {
			if err := w.BeginStatement(good()); err != nil {
				return err
			}
			return w.WriteEntry(&statement.Entry{Seq: 1, Amount: d("1.000001"), Currency: "EUR"})
		}, "camt: Stmt[1]/Ntry[1]/Amt 1.000001: more than 5 decimals"},
		{"no currency", func(w *camt.Writer) error {
			st := good()
			st.Account.Currency = ""
			return w.BeginStatement(st)
		}, `camt: Stmt[1]/Bal/Amt Ccy "": not an ISO 4217 currency code`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := camt.NewWriter(&bytes.Buffer{}, opts)
			err := tt.run(w)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

// TestCreate checks that Create leaves the file only after a good Close.
func TestCreate(t *testing.T) {
	dir := t.TempDir()
	st, entries := reconciliationStatement()
	opts := camt.WriterOptions{MessageID: st.MessageID, CreatedAt: st.CreatedAt}
	listing := func() string {
		des, _ := os.ReadDir(dir)
		var names []string
		for _, de := range des {
			names = append(names, de.Name())
		}
		return strings.Join(names, ",")
	}

	// A complete statement: the file appears with the golden content.
	path := filepath.Join(dir, "ok.xml")
	w, err := camt.Create(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.BeginStatement(st); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := w.WriteEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	if got := listing(); got == "ok.xml" || !strings.HasPrefix(got, ".ok.xml.") {
		t.Errorf("while writing, dir holds %q", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want, _ := os.ReadFile(filepath.Join("testdata", "reconciliation.camt053.xml"))
	if !bytes.Equal(got, want) {
		t.Error("created file differs from the golden file")
	}

	// Abort after some entries: nothing is left.
	w, err = camt.Create(filepath.Join(dir, "aborted.xml"), opts)
	if err != nil {
		t.Fatal(err)
	}
	w.BeginStatement(st)
	w.WriteEntry(entries[0])
	w.Abort()

	// An invalid entry makes Close fail and leave nothing.
	w, err = camt.Create(filepath.Join(dir, "bad.xml"), opts)
	if err != nil {
		t.Fatal(err)
	}
	w.BeginStatement(st)
	if err := w.WriteEntry(&statement.Entry{Amount: d("1"), Currency: "euro"}); err == nil {
		t.Fatal("no error for currency euro")
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after an error succeeded")
	}
	if got := listing(); got != "ok.xml" {
		t.Errorf("dir holds %q, want only ok.xml", got)
	}
}
