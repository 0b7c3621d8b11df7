package coda

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }

// sandboxStatement is what the platform sandbox writes: a globalised SEPA
// direct debit collection, a return, a credit transfer with an OGM, a free
// text debit and an RF reference.
func sandboxStatement() (*statement.Statement, []*statement.Entry) {
	st := &statement.Statement{
		MessageID:     "TWKY000042",
		LegalSequence: "042",
		Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR", Owner: "ACME SERVICES NV",
			Name: "Zichtrekening", BIC: "GKCCBEBB"},
		Opening: &statement.Balance{Amount: d("1000.00"), Date: day(2026, 11, 20)},
		Closing: &statement.Balance{Amount: d("1265.25"), Date: day(2026, 11, 21)},
	}
	const cid = "BE69ZZZ050D000000008"
	dd := func(amt, e2e, mandate, name, iban, bic, rem string) statement.Transaction {
		return statement.Transaction{Amount: d(amt), Currency: "EUR", EndToEndID: e2e, MandateID: mandate, CreditorID: cid,
			Counterparty: statement.Party{Name: name, IBAN: iban, BIC: bic}, Remittance: rem}
	}
	book, val := day(2026, 11, 21), day(2026, 11, 21)
	entries := []*statement.Entry{
		{Amount: d("300.00"), Currency: "EUR", BookingDate: book, ValueDate: val, AccountSvcrRef: "TWKYBATCH0001",
			BankTxCode: statement.BankTxCode{Proprietary: "05/50/000"}, Info: "SEPA DD COLLECTION", BatchID: "PMTINF-2026-11-21",
			Details: []statement.Transaction{
				dd("100.00", "E2E-INV-2026-0001", "MNDT-0001", "Jan Peeters", "BE71096123456769", "GKCCBEBB", "Invoice 2026-0001"),
				dd("150.00", "E2E-INV-2026-0002", "MNDT-0002", "Marie Dubois", "BE62510007547061", "BBRUBEBB", "Invoice 2026-0002 and a rather long remittance line"),
				dd("50.00", "E2E-INV-2026-0003", "MNDT-0003", "Café Müller", "DE89370400440532013000", "COBADEFFXXX", ""),
			}},
		{Amount: d("-100.00"), Currency: "EUR", BookingDate: book, ValueDate: val, AccountSvcrRef: "TWKYRET0001", Reversal: true,
			BankTxCode: statement.BankTxCode{Proprietary: "05/54/000"},
			Details: []statement.Transaction{func() statement.Transaction {
				t := dd("-100.00", "E2E-INV-2026-0001", "MNDT-0001", "Jan Peeters", "BE71096123456769", "GKCCBEBB", "Invoice 2026-0001")
				t.ReturnReason = "AM04"
				return t
			}()}},
		{Amount: d("65.25"), Currency: "EUR", BookingDate: book, ValueDate: val,
			Details: []statement.Transaction{{Amount: d("65.25"), Currency: "EUR",
				Reference:    statement.Reference{Scheme: sepa.SchemeOGM, Value: "010806817183"},
				Counterparty: statement.Party{Name: "BVBA Klant", IBAN: "BE43068999999501"}}}},
		{Amount: d("-12.50"), Currency: "EUR", BookingDate: book, ValueDate: val,
			Details: []statement.Transaction{{Amount: d("-12.50"), Currency: "EUR",
				Remittance: strings.Repeat("Maandelijkse kosten rekening ", 5)[:140]}}},
		{Amount: d("12.50"), Currency: "EUR", BookingDate: book, ValueDate: val, AccountSvcrRef: "INFO0001",
			Info: strings.Repeat("Kosten van het beheer van de rekening over het vierde kwartaal, ", 6) + "einde.",
			Details: []statement.Transaction{{Amount: d("12.50"), Currency: "EUR",
				Reference: statement.Reference{Scheme: sepa.SchemeRF, Value: "RF18539007547034"}}}},
	}
	return st, entries
}

func writeStatement(t *testing.T, st *statement.Statement, entries []*statement.Entry, opts WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, opts)
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

var sandboxOpts = WriterOptions{CreatedAt: day(2026, 11, 21), BankID: "300", HolderID: "00404483367"}

// project renders what the round trip must keep.
func project(e *statement.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s rev=%v book=%s val=%s code=%+v ref=%q batch=%d/%q info=%q\n", e.Ref, e.Amount.StringFixed(2), e.Reversal,
		e.BookingDate.Format("2006-01-02"), e.ValueDate.Format("2006-01-02"), e.BankTxCode, e.AccountSvcrRef, e.BatchCount, e.BatchID, e.Info)
	for _, t := range e.Details {
		fmt.Fprintf(&b, "  %s e2e=%q mandate=%q cid=%q cp=%+v rem=%q ref=%+v return=%q/%q svcr=%q pmtinf=%q\n", t.Amount.StringFixed(2), t.EndToEndID,
			t.MandateID, t.CreditorID, t.Counterparty, t.Remittance, t.Reference, t.ReturnReason, t.ReturnText, t.AccountSvcrRef, t.PaymentInfoID)
	}
	return b.String()
}

func TestWriterRoundTrip(t *testing.T) {
	st, entries := sandboxStatement()
	for _, cs := range []Charset{Latin1, UTF8, CP1252, CP850} {
		t.Run(cs.String(), func(t *testing.T) {
			opts := sandboxOpts
			opts.Charset = cs
			out := writeStatement(t, st, entries, opts)
			for i, line := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
				if n := len([]rune(line)); cs == UTF8 && n != RecordLen || cs != UTF8 && len(line) != RecordLen {
					t.Fatalf("line %d is %d long: %q", i+1, n, line)
				}
			}
			r := NewReader(bytes.NewReader(out), "roundtrip.cod", WithCharset(cs))
			sum, got := readAll(t, r)
			if len(r.Findings()) != 0 {
				t.Fatalf("findings: %v", r.Findings())
			}
			eq(t, "summary", fmt.Sprint(sum), fmt.Sprint(summary{1, 5, 7, "377.75", "112.50", "1265.25", nil}))
			rs := r.Statements()[0]
			eq(t, "statement", fmt.Sprintf("%s %s %s %+v %s@%s %s@%s %s/%s", rs.Format, rs.ID, rs.MessageID, rs.Account,
				rs.Opening.Amount.StringFixed(2), rs.Opening.Date.Format("2006-01-02"), rs.Closing.Amount.StringFixed(2), rs.Closing.Date.Format("2006-01-02"),
				rs.StatedCredits.Sum.StringFixed(2), rs.StatedDebits.Sum.StringFixed(2)),
				"CODA 2 BE68539007547034/042 TWKY000042 {IBAN:BE68539007547034 Other: Currency:EUR Name:Zichtrekening Owner:ACME SERVICES NV BIC:GKCCBEBB} 1000.00@2026-11-20 1265.25@2026-11-21 377.75/112.50")
			var gotP, wantP []string
			for i, e := range got {
				gotP = append(gotP, project(e))
				want := *entries[i]
				want.Ref = fmt.Sprintf("%04d", i+1)
				want.Details = append([]statement.Transaction(nil), want.Details...)
				if want.BankTxCode.Proprietary == "" {
					want.BankTxCode.Proprietary = defaultCode(&want.Details[0], want.Amount.Shift(3).IntPart())
				}
				fam, txn, cat, _ := splitCode(want.BankTxCode.Proprietary)
				rt := byte(0)
				if want.Reversal {
					rt = RReturn
				}
				want.BankTxCode = bankTxCode(fam, txn, cat, want.Amount.Sign() >= 0, rt)
				if len(want.Details) > 1 {
					want.BatchCount = len(want.Details)
					for j := range want.Details {
						want.Details[j].PaymentInfoID = want.BatchID
					}
				} else {
					if want.Details[0].AccountSvcrRef == "" {
						want.Details[0].AccountSvcrRef = want.AccountSvcrRef
					}
				}
				for j := range want.Details {
					if rr := want.Details[j].ReturnReason; rr != "" {
						want.Details[j].ReturnText = ReasonText(rr)
					}
				}
				wantP = append(wantP, project(&want))
			}
			eq(t, "entries", strings.Join(gotP, ""), strings.Join(wantP, ""))

			// What was read writes back byte for byte.
			again := writeStatement(t, rs, got, opts)
			if !bytes.Equal(again, out) {
				t.Errorf("rewrite differs:\n%s\nwant\n%s", again, out)
			}
		})
	}
}

func TestWriterGolden(t *testing.T) {
	st, entries := sandboxStatement()
	out := writeStatement(t, st, entries, sandboxOpts)
	golden := filepath.Join("testdata", "sandbox-sdd.cod")
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
		t.Errorf("output differs from %s (go test -update to accept):\n%s", golden, out)
	}
}

func TestWriterErrors(t *testing.T) {
	st, entries := sandboxStatement()
	tests := []struct {
		name string
		mod  func(st *statement.Statement, es []*statement.Entry)
		want string
	}{
		{"batch sum", func(_ *statement.Statement, es []*statement.Entry) { es[0].Amount = d("300.01") },
			"coda: entry 1: its 3 transactions add up to 300, not the entry amount 300.01"},
		{"closing", func(st *statement.Statement, _ []*statement.Entry) { st.Closing = &statement.Balance{Amount: d("1")} },
			`coda: statement "": closing balance 1 is not the opening balance plus the entries (1265.25)`},
		{"long remittance", func(_ *statement.Statement, es []*statement.Entry) {
			es[3].Details[0].Remittance = strings.Repeat("x", 150)
		}, `coda: entry 4: communication "` + strings.Repeat("x", 150) + `" is longer than 149 characters`},
		{"bad OGM", func(_ *statement.Statement, es []*statement.Entry) { es[2].Details[0].Reference.Value = "010806817184" },
			`coda: entry 3: structured reference "010806817184": Belgian structured communication check digits do not verify (mod 97, 0 read as 97): expected 83`},
		{"decimals", func(_ *statement.Statement, es []*statement.Entry) {
			es[3].Amount, es[3].Details[0].Amount = d("-12.5001"), d("-12.5001")
		}, "coda: entry amount -12.5001 has more than 3 decimals"},
		{"code", func(_ *statement.Statement, es []*statement.Entry) { es[0].BankTxCode.Proprietary = "PMNT" },
			`coda: entry 1: bank transaction code "PMNT" is not a Febelfin code FF/TT/CCC`},
		{"euro sign", func(_ *statement.Statement, es []*statement.Entry) { es[3].Details[0].Remittance = "5 €" },
			`coda: communication "5 €": character '€' cannot be written in CODA`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st2 := *st
			var es []*statement.Entry
			for _, e := range entries {
				c := *e
				c.Details = append([]statement.Transaction(nil), e.Details...)
				es = append(es, &c)
			}
			tt.mod(&st2, es)
			st2.ID = ""
			w := NewWriter(&bytes.Buffer{}, sandboxOpts)
			err := w.BeginStatement(&st2)
			for _, e := range es {
				if err == nil {
					err = w.WriteEntry(e)
				}
			}
			if err == nil {
				err = w.EndStatement()
			}
			if err == nil {
				err = w.Close()
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

func TestSeq3(t *testing.T) {
	for in, want := range map[string]string{"": "001", "7": "007", "42": "042", "123": "123", "1234": "234", "A1": "A1"} {
		eq(t, "seq3("+in+")", seq3(in), want)
	}
}

func TestCreateAtomic(t *testing.T) {
	dir := t.TempDir()
	st, entries := sandboxStatement()
	path := filepath.Join(dir, "out.cod")

	w, err := Create(path, sandboxOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.BeginStatement(st); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil || err.Error() != "coda: Close before EndStatement" {
		t.Fatalf("Close = %v", err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
		t.Fatalf("files left behind: %v", names)
	}

	w, err = Create(path, sandboxOpts)
	if err != nil {
		t.Fatal(err)
	}
	w.BeginStatement(st)
	for _, e := range entries {
		w.WriteEntry(e)
	}
	w.EndStatement()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, writeStatement(t, st, entries, sandboxOpts)) {
		t.Error("Create wrote other bytes than NewWriter")
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 1 {
		t.Fatalf("files: %v", names)
	}
}

// TestWriterSplitsLargeBatches: a batch of more transactions than four-digit
// detail numbers allow is written as globalised movements of MaxDetails,
// each totalled, and reads back clean with every transaction.
func TestWriterSplitsLargeBatches(t *testing.T) {
	const n = 2*MaxDetails + 5
	st := &statement.Statement{Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"},
		Opening: &statement.Balance{Amount: d("0"), Date: day(2026, 11, 21)}, Closing: &statement.Balance{Date: day(2026, 11, 21)}}
	e := &statement.Entry{Currency: "EUR", BookingDate: day(2026, 11, 21), ValueDate: day(2026, 11, 21), AccountSvcrRef: "BATCH1",
		BankTxCode: statement.BankTxCode{Proprietary: "05/50/000"}, BatchID: "PMTINF-1"}
	for i := 1; i <= n; i++ {
		amt := decimal.New(int64(100+i%97), -2)
		e.Details = append(e.Details, statement.Transaction{Amount: amt, Currency: "EUR", EndToEndID: fmt.Sprintf("E2E-%06d", i),
			MandateID: fmt.Sprintf("M-%d", i), CreditorID: "BE69ZZZ050D000000008", Counterparty: statement.Party{Name: "Debtor", IBAN: "BE71096123456769"}})
		e.Amount = e.Amount.Add(amt)
	}
	st.Closing.Amount = e.Amount
	r := NewReader(bytes.NewReader(writeStatement(t, st, []*statement.Entry{e}, sandboxOpts)), "split.cod")
	_, got := readAll(t, r)
	if len(r.Findings()) != 0 {
		t.Fatalf("findings: %v", r.Findings()[:min(3, len(r.Findings()))])
	}
	var sizes []int
	sum := decimal.Zero
	var e2e []string
	for _, g := range got {
		sizes = append(sizes, len(g.Details))
		part := decimal.Zero
		for _, x := range g.Details {
			part = part.Add(x.Amount)
			e2e = append(e2e, x.EndToEndID)
		}
		if !part.Equal(g.Amount) || g.BatchCount != len(g.Details) {
			t.Errorf("movement %s: amount %s, details add up to %s, count %d/%d", g.Ref, g.Amount, part, g.BatchCount, len(g.Details))
		}
		sum = sum.Add(g.Amount)
	}
	if fmt.Sprint(sizes) != fmt.Sprint([]int{MaxDetails, MaxDetails, 5}) || !sum.Equal(e.Amount) || len(e2e) != n ||
		e2e[0] != "E2E-000001" || e2e[n-1] != fmt.Sprintf("E2E-%06d", n) {
		t.Fatalf("movements of %v details, total %s (want %s), %d transactions", sizes, sum, e.Amount, len(e2e))
	}
}
