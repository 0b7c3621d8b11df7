package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/statement"
)

// bigCODA writes n statements of k entries (credits, returned debits, a
// structured communication now and then, text that CSV quotes and JSON
// escapes); every trailer's debit total is wrong: one error finding per
// statement, past the cap of 100 per rule.
func bigCODA(t *testing.T, n, k int) []byte {
	var buf bytes.Buffer
	w := coda.NewWriter(&buf, coda.WriterOptions{CreatedAt: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), BankID: "539"})
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for s := range n {
		st := &statement.Statement{LegalSequence: fmt.Sprint(s%999 + 1),
			Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR", Owner: "ACME"},
			Opening: &statement.Balance{Amount: decimal.New(int64(s), 0), Currency: "EUR", Date: day}}
		if err := w.BeginStatement(st); err != nil {
			t.Fatal(err)
		}
		for i := range k {
			amt := decimal.New(int64(100+i*7+s), -2)
			tx := statement.Transaction{Amount: amt, Currency: "EUR", EndToEndID: fmt.Sprintf("E2E-%d-%d", s, i), MandateID: "M1",
				CreditorID: "BE69ZZZ050D000000008", Remittance: `Invoice "12", <b> & co`,
				Counterparty: statement.Party{Name: "Debtor, Jr.", IBAN: "BE71096123456769"}}
			e := &statement.Entry{Amount: amt, Currency: "EUR", BookingDate: day, ValueDate: day.AddDate(0, 0, i%3),
				BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "ESDD", Proprietary: "05/01/000"}}
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
		if len(l) > 37 && l[0] == '9' {
			copy(l[22:37], "000000000000001")
		}
	}
	return bytes.Join(lines, nil)
}

// TestConvertCODAInParts: a CODA file on disk, converted in parts on all
// cores, gives the CSV and JSON Lines, findings and exit code of the same
// file converted as a stream (standard input), byte for byte.
func TestConvertCODAInParts(t *testing.T) {
	data := bigCODA(t, 150, 60)
	if len(data) < 3*int(convertParts().Size) {
		t.Fatalf("%d bytes: too small to be cut", len(data))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big.cod")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"csv", "jsonl"} {
		t.Run(to, func(t *testing.T) {
			file := filepath.Join(dir, "file."+to)
			code, stdout, stderr := batchtool(t, "statement", "convert", path, "--out", file)
			var out, errb bytes.Buffer
			scode := run([]string{"statement", "convert", "-", "--to", to, "--out", "-"}, bytes.NewReader(data), &out, &errb)
			got, _ := os.ReadFile(file)
			if code != 1 || scode != 1 || stdout != file+": 9000 rows from 1 file(s)\n" {
				t.Fatalf("exit %d (stream %d), %q", code, scode, stdout)
			}
			if !bytes.Equal(got, out.Bytes()) {
				t.Fatalf("in parts %d bytes, as a stream %d bytes", len(got), out.Len())
			}
			// the stream names standard input; the summary line goes to stderr
			want := strings.TrimSuffix(errb.String(), "-: 9000 rows from 1 file(s)\n")
			want = strings.ReplaceAll(want, "-:", path+":")
			if stderr != want {
				t.Fatalf("findings in parts:\n%.2000s\nas a stream:\n%.2000s", stderr, want)
			}
			if n := strings.Count(stderr, "\n"); n != 101 || !strings.Contains(stderr, "50 more findings of this rule not shown") {
				t.Fatalf("%d findings:\n%s", n, stderr)
			}
		})
	}
}

// TestAppendJSONString: every string is written as encoding/json writes
// it: each byte alone and beside plain text, valid and broken UTF-8.
func TestAppendJSONString(t *testing.T) {
	inputs := []string{"", "plain text 123", "Jän", "\xff", "a\u2028b", `"<&>"\`}
	for c := range 256 {
		inputs = append(inputs, string([]byte{byte(c)}), "ab"+string([]byte{byte(c)})+"cd")
	}
	for _, s := range inputs {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("%q: %s, want %s", s, got[1:], want)
		}
	}
}

// bigCamt writes a camt.053 of n statements of k entries: single
// transactions with text that CSV quotes and JSON escapes, returns, and
// now and then a batch of three details.
func bigCamt(t *testing.T, n, k int) []byte {
	var buf bytes.Buffer
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	w := camt.NewWriter(&buf, camt.WriterOptions{MessageID: "BIG", CreatedAt: day})
	for s := range n {
		st := &statement.Statement{ID: fmt.Sprintf("STMT-%d", s), LegalSequence: fmt.Sprint(s + 1), CreatedAt: day,
			Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"},
			Opening: &statement.Balance{Amount: decimal.Zero, Currency: "EUR", Date: day, Type: "OPBD"}}
		if err := w.BeginStatement(st); err != nil {
			t.Fatal(err)
		}
		for i := range k {
			amt := decimal.New(int64(100+i*7+s), -2)
			tx := func(j int, a decimal.Decimal) statement.Transaction {
				return statement.Transaction{Amount: a, Currency: "EUR", EndToEndID: fmt.Sprintf("E2E-%d-%d-%d", s, i, j), MandateID: "M1",
					CreditorID: "BE69ZZZ050D000000008", Remittance: `Invoice "12", <b> & co`,
					Counterparty: statement.Party{Name: "Débiteur, Jr.", IBAN: "BE71096123456769"}}
			}
			e := &statement.Entry{Amount: amt, Currency: "EUR", BookingDate: day, ValueDate: day.AddDate(0, 0, i%3), Status: "BOOK",
				BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "ESDD", Proprietary: "05/01/000"}}
			switch {
			case i%7 == 6:
				e.Amount = amt.Mul(decimal.NewFromInt(3))
				e.Details = []statement.Transaction{tx(0, amt), tx(1, amt), tx(2, amt)}
				e.BatchCount = 3
			case i%5 == 4:
				e.Amount = amt.Neg()
				e.Reversal = true
				d := tx(0, amt.Neg())
				d.ReturnReason = "AM04"
				e.Details = []statement.Transaction{d}
			default:
				e.Details = []statement.Transaction{tx(0, amt)}
			}
			if err := w.WriteEntry(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.EndStatement(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestConvertCamtInParts: a camt file converted in parts cut between
// entries (many of them inside a statement) gives the rows and findings of
// the same file converted as a stream, byte for byte.
func TestConvertCamtInParts(t *testing.T) {
	data := bigCamt(t, 4, 150)
	path := filepath.Join(t.TempDir(), "big.xml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sinks := map[string]func(w io.Writer) rowFormatter{
		"csv":   func(w io.Writer) rowFormatter { return newCSVSink(w) },
		"jsonl": func(w io.Writer) rowFormatter { return newJSONLSink(w) },
	}
	for to, newSink := range sinks {
		t.Run(to, func(t *testing.T) {
			var want bytes.Buffer
			ws := newSink(&want)
			wn, wfs, werr := convertStream(path, bufio.NewReader(bytes.NewReader(data)), ws)
			ws.Close()

			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got bytes.Buffer
			gs := newSink(&got)
			src := &inspect.Source{Name: path, File: f, Size: int64(len(data)), Format: inspect.FormatCamt}
			c := newPartConverter(gs)
			gn, gfs, gerr := convertCamtFileWith(path, src, c, camt.Parts{Workers: 2, Size: 16 << 10})
			gs.Close()
			if werr != nil || gerr != nil || wn != 4*(150+2*21) || gn != wn {
				t.Fatalf("rows %d (stream %d), errors %v / %v", gn, wn, gerr, werr)
			}
			if c.parts < 10 {
				t.Fatalf("%d parts converted on workers: the file was not cut", c.parts)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("in parts %d bytes, as a stream %d bytes", got.Len(), want.Len())
			}
			if fmt.Sprint(gfs) != fmt.Sprint(wfs) {
				t.Fatalf("findings in parts:\n%v\nas a stream:\n%v", gfs, wfs)
			}
		})
	}
}
