package coda

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// FuzzReader feeds arbitrary bytes to the Reader: it must never panic,
// must end, and must hand out entries that belong to a statement and hold
// at least one transaction; read SummaryOnly, and in parts cut at every
// statement, it gives what one full Reader gives.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*")
	shared := os.Getenv("BATCHTOOL_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "..", "..", "shared")
	}
	corpus, _ := filepath.Glob(filepath.Join(shared, "corpus", "coda", "*"))
	for _, p := range append(seeds, corpus...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(generated(3))
	f.Add([]byte(hdr() + "\n" + old("000000000000000") + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cs := range []Charset{Detect, CP850} {
			r := NewReader(bytes.NewReader(data), "fuzz.cod", WithCharset(cs))
			lines := bytes.Count(data, []byte{'\n'}) + 1
			n := 0
			for {
				e, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				if n > lines {
					t.Fatalf("%d entries from %d lines", n, lines)
				}
				if e.Statement == nil || len(e.Details) == 0 {
					t.Fatalf("entry %+v without statement or transactions", e)
				}
			}
			_ = r.Findings()
		}
		// SummaryOnly and ReadParallel (cut at every statement) give the
		// findings and totals of one full Reader.
		full, summary := summaryRead(t, data), summaryRead(t, data, SummaryOnly())
		if !slices.Equal(full, summary) {
			t.Fatalf("SummaryOnly:\n%s\nfull read:\n%s", strings.Join(summary, "\n"), strings.Join(full, "\n"))
		}
		want, got := readSequential(t, data), readInParts(t, data, 2, 1)
		sameRead(t, "parts", got, want)
	})
}

// summaryView is what a summary reads of an entry, as text.
func summaryView(e *statement.Entry) string {
	s := fmt.Sprintf("%d %s %s %s %s %v %d %s %s %v %s %d:", e.Line, e.Statement.ID, e.Ref, e.Amount, e.Currency, e.Reversal, e.BatchCount,
		e.BookingDate.Format(time.DateOnly), e.ValueDate.Format(time.DateOnly), e.BankTxCode, e.Status, e.Seq)
	for _, t := range e.Details {
		s += fmt.Sprintf(" [%d %s %s %s %q %v %s %s %s]", t.Line, t.Amount, t.Currency, t.ReturnReason, t.ReturnText, t.BankTxCode,
			t.OrigAmount, t.OrigCurrency, t.Charges)
	}
	return s
}

// summaryRead reads data and returns the summary view of every entry and
// the findings.
func summaryRead(t *testing.T, data []byte, opts ...Option) []string {
	r := NewReader(bytes.NewReader(data), "fuzz.cod", opts...)
	var out []string
	for {
		e, err := r.Next()
		if err != nil {
			if err != io.EOF {
				out = append(out, err.Error())
			}
			break
		}
		out = append(out, summaryView(e))
	}
	for _, f := range r.Findings() {
		out = append(out, f.String())
	}
	return out
}

// FuzzRoundTrip writes one entry from fuzzed text and amount and reads it
// back: whatever the Writer accepts must read back equal (free text with
// its white space collapsed, names trimmed).
func FuzzRoundTrip(f *testing.F) {
	f.Add("Invoice 2026-0001", "Jan Peeters", int64(12345), uint64(0), uint8(1))
	f.Add(strings.Repeat("word ", 29), "Café Müller", int64(-99999999), uint64(108068171), uint8(0))
	f.Add("  spaced   out  ", " X ", int64(1), uint64(0), uint8(3))
	f.Add("SEPA DD", "Débiteur", int64(-2500), uint64(0), uint8(2))
	f.Add("RF18539007547034", "", int64(100), uint64(0), uint8(0))
	f.Fuzz(func(t *testing.T, rem, name string, cents int64, ogm uint64, kind uint8) {
		amount := decimal.New(cents, -2)
		tx := statement.Transaction{Amount: amount, Currency: "EUR", Remittance: rem,
			Counterparty: statement.Party{Name: name, IBAN: "BE71096123456769"}}
		e := &statement.Entry{Amount: amount, Currency: "EUR", BookingDate: day(2026, 11, 21), ValueDate: day(2026, 11, 20)}
		switch kind % 4 {
		case 1: // SEPA direct debit
			tx.MandateID, tx.CreditorID, tx.EndToEndID = "MNDT-1", "BE69ZZZ050D000000008", "E2E-1"
		case 2: // return
			tx.MandateID, tx.CreditorID, tx.EndToEndID, tx.ReturnReason = "MNDT-1", "BE69ZZZ050D000000008", "E2E-1", "AM04"
			e.Reversal = true
		case 3: // OGM
			o, err := sepa.NewOGM(ogm % 10000000000)
			if err != nil {
				t.Skip()
			}
			tx.Reference = statement.Reference{Scheme: sepa.SchemeOGM, Value: o.Digits()}
		}
		e.Details = []statement.Transaction{tx}
		st := &statement.Statement{Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"},
			Opening: &statement.Balance{Amount: decimal.Zero, Date: day(2026, 11, 20)}}
		var buf bytes.Buffer
		w := NewWriter(&buf, WriterOptions{CreatedAt: day(2026, 11, 21)})
		if w.BeginStatement(st) != nil || w.WriteEntry(e) != nil || w.EndStatement() != nil || w.Close() != nil {
			return // refused with an error: fine
		}
		r := NewReader(bytes.NewReader(buf.Bytes()), "rt.cod", WithCharset(Latin1))
		got, err := r.Next()
		if err != nil {
			t.Fatalf("read back: %v\n%s", err, buf.Bytes())
		}
		if fs := r.Findings(); len(fs) != 0 {
			t.Fatalf("findings %v\n%s", fs, buf.Bytes())
		}
		g := got.Details[0]
		want := collapse(rem)
		if rf, ok := rfOnly(want); ok && kind%4 == 0 {
			// free text that is exactly an ISO 11649 reference reads back as one
			tx.Reference, want = statement.Reference{Scheme: sepa.SchemeRF, Value: rf}, ""
		}
		if g.Remittance != want || !g.Amount.Equal(amount) || g.Counterparty.Name != strings.TrimSpace(name) ||
			g.MandateID != tx.MandateID || g.ReturnReason != tx.ReturnReason || g.Reference != tx.Reference || got.Reversal != e.Reversal {
			t.Fatalf("read back %+v\nwant rem %q amount %s name %q ref %+v\n%s", g, want, amount, strings.TrimSpace(name), tx.Reference, buf.Bytes())
		}
	})
}
