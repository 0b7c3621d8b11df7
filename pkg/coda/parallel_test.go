package coda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// readResult is everything a read of a file tells, as text.
type readResult struct {
	entries    []string
	findings   []string
	statements []string
	charset    Charset
	err        string
}

// dumpEntry is an entry as JSON, with its statement named by ID and line.
func dumpEntry(tb testing.TB, e *statement.Entry) string {
	c := *e
	c.Statement = nil
	b, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	if e.Statement == nil {
		return string(b)
	}
	return fmt.Sprintf("%s@%d %s", e.Statement.ID, e.Statement.Line, b)
}

func entriesOf(tb testing.TB, r *Reader) []string {
	var out []string
	for {
		e, err := r.Next()
		if err != nil {
			if err != io.EOF {
				out = append(out, "error: "+err.Error())
			}
			return out
		}
		out = append(out, dumpEntry(tb, e))
	}
}

func (res *readResult) finish(tb testing.TB, fs []fmt.Stringer, sts []*statement.Statement, free func(*statement.Statement) []string, cs Charset, err error) {
	for _, f := range fs {
		res.findings = append(res.findings, f.String())
	}
	for _, st := range sts {
		b, e := json.Marshal(st)
		if e != nil {
			tb.Fatal(e)
		}
		res.statements = append(res.statements, fmt.Sprintf("%s free %q", b, free(st)))
	}
	res.charset = cs
	if err != nil {
		res.err = err.Error()
	}
}

func readSequential(tb testing.TB, data []byte, opts ...Option) readResult {
	r := NewReader(bytes.NewReader(data), "big.cod", opts...)
	res := readResult{entries: entriesOf(tb, r)}
	var fs []fmt.Stringer
	for _, f := range r.Findings() {
		fs = append(fs, f)
	}
	res.finish(tb, fs, r.Statements(), r.FreeCommunications, r.Charset(), r.err)
	return res
}

func readInParts(tb testing.TB, data []byte, workers int, target int64, opts ...Option) readResult {
	var res readResult
	f := readParallel(bytes.NewReader(data), int64(len(data)), "big.cod", workers, target, 0,
		func(r *Reader) []string { return entriesOf(tb, r) },
		func(es []string) { res.entries = append(res.entries, es...) }, opts...)
	var fs []fmt.Stringer
	for _, x := range f.Findings {
		fs = append(fs, x)
	}
	res.finish(tb, fs, f.Statements, f.FreeCommunications, f.Charset, f.Err)
	return res
}

func sameRead(t *testing.T, what string, got, want readResult) {
	t.Helper()
	if len(want.entries) == 0 && len(want.findings) == 0 {
		t.Fatalf("%s: the sequential read found nothing: a test that cannot fail", what)
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{{"entries", got.entries, want.entries}, {"findings", got.findings, want.findings}, {"statements", got.statements, want.statements}} {
		if slices.Equal(c.got, c.want) {
			continue
		}
		for i := range max(len(c.got), len(c.want)) {
			var g, w string
			if i < len(c.got) {
				g = c.got[i]
			}
			if i < len(c.want) {
				w = c.want[i]
			}
			if g != w {
				t.Fatalf("%s: %s differ at %d (%d, want %d):\n got %s\nwant %s", what, c.name, i, len(c.got), len(c.want), g, w)
			}
		}
	}
	if got.charset != want.charset || got.err != want.err {
		t.Fatalf("%s: charset %v error %q, want %v %q", what, got.charset, got.err, want.charset, want.err)
	}
}

// replaceAll replaces old by new in the records of kind (e.g. "23").
func replaceIn(data []byte, kind, old, new string, every int) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	k := 0
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte(kind)) && bytes.Contains(l, []byte(old)) {
			if k%every == 0 {
				lines[i] = bytes.Replace(l, []byte(old), []byte(new), 1)
			}
			k++
		}
	}
	return bytes.Join(lines, nil)
}

// TestReadParallelSameAsOneReader: a file read in parts on several
// goroutines gives the entries (with their line numbers), findings,
// statements, free communications and charset that one Reader gives,
// whatever the cuts: parts of 1 byte cut at every statement boundary.
func TestReadParallelSameAsOneReader(t *testing.T) {
	stmt := func(n int) []byte { return generated(n) }
	many := func(k, n int, f func(i int, b []byte) []byte) []byte {
		var out []byte
		for i := range k {
			out = append(out, f(i, stmt(n))...)
		}
		return out
	}
	same := func(i int, b []byte) []byte { return b }
	cases := []struct {
		name string
		data []byte
		opts []Option
	}{
		{"clean", many(12, 40, same), nil},
		{"bad OGM past the cap", many(5, 60, func(i int, b []byte) []byte { return withOGM(b, badOGM) }), nil},
		{"Latin-1 letters in every statement", many(6, 10, func(i int, b []byte) []byte {
			return replaceIn(b, "23", "Jan Peeters", "J\xe4n Peeters", 3)
		}), nil},
		{"Latin-1 letters from the third statement", many(6, 10, func(i int, b []byte) []byte {
			if i < 2 {
				return b
			}
			return replaceIn(b, "23", "Jan Peeters", "J\xe4n Peeters", 3)
		}), nil},
		{"UTF-8 in every statement", many(6, 10, func(i int, b []byte) []byte {
			return replaceIn(b, "23", "Jan Peeters", "Jän Peeters", 4)
		}), nil},
		{"UTF-8 first, Latin-1 later", many(6, 10, func(i int, b []byte) []byte {
			if i == 0 {
				return replaceIn(b, "23", "Jan Peeters", "Jän Peeters", 4)
			}
			return replaceIn(b, "23", "Jan Peeters", "J\xe4n Peeters", 2)
		}), nil},
		{"Latin-1 symbols (a detection warning) in every statement", many(6, 10, func(i int, b []byte) []byte {
			return replaceIn(b, "23", "Jan Peeters", "Jan \xa9eeters", 5)
		}), nil},
		{"UTF-8 then Latin-1 in every statement, past the charset cap", many(4, 120, func(i int, b []byte) []byte {
			b = replaceIn(b, "23", "Jan Peeters", "Jän Peeters", 1000)
			return replaceIn(b, "23", "Jan Peeters", "J\xe4n Peeters", 1)
		}), nil},
		{"CP1252 given", many(6, 10, func(i int, b []byte) []byte {
			return replaceIn(b, "23", "Jan Peeters", "Jan \x80eeters", 3)
		}), []Option{WithCharset(CP1252)}},
		{"statements without trailer, headers out of place", func() []byte {
			b := many(6, 10, same)
			b = bytes.Replace(b, []byte("\r\n9"), []byte("\r\n8"), 2)
			return append(append([]byte{}, b[:len(b)/2]...), append([]byte("0000011112605300  \r\n"), b[len(b)/2:]...)...)
		}(), nil},
	}
	// Every corpus and fuzz seed file in one: broken files between valid
	// ones.
	var corpus []byte
	paths := testutil.Corpus(t, "coda")
	seeds, _ := filepath.Glob("testdata/*.cod")
	for _, p := range append(paths, seeds...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			b = append(b, '\n')
		}
		corpus = append(corpus, b...)
	}
	if len(corpus) > 0 {
		cases = append(cases, struct {
			name string
			data []byte
			opts []Option
		}{"corpus twice", append(slices.Clone(corpus), corpus...), nil})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := readSequential(t, c.data, c.opts...)
			for _, target := range []int64{1, 700, 5000, int64(len(c.data) / 3)} {
				for _, workers := range []int{1, 3} {
					got := readInParts(t, c.data, workers, target, c.opts...)
					sameRead(t, fmt.Sprintf("parts of %d bytes on %d workers", target, workers), got, want)
				}
			}
		})
	}
	// the cuts are where a test can see them
	parts, err := split(bytes.NewReader(cases[0].data), int64(len(cases[0].data)), 1)
	if err != nil || len(parts) != 12 {
		t.Fatalf("clean file of 12 statements: %d parts, %v", len(parts), err)
	}
}

// TestReadParallelStatementBound: the bound on statements per file holds
// across parts: the part that crosses it is read again knowing how many
// the parts before it kept.
func TestReadParallelStatementBound(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 statements")
	}
	one := generated(0)
	data := bytes.Repeat(one, maxStatements+30)
	want := readSequential(t, data)
	if !strings.Contains(strings.Join(want.findings, "\n"), "more than 20000 statements") {
		t.Fatalf("no limit finding: %v", want.findings)
	}
	got := readInParts(t, data, 2, int64(len(data)/7))
	sameRead(t, "statements", got, want)
}

// mixedFile writes statements of every kind of movement the writer makes:
// direct debits, returned ones with their reason, credit transfers with a
// structured communication (some with wrong check digits), debits with
// free text, batches of collections, information text.
func mixedFile(t *testing.T, statements, entries int) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, WriterOptions{CreatedAt: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), BankID: "539"})
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for s := range statements {
		st := &statement.Statement{LegalSequence: fmt.Sprint(s + 1),
			Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR", Owner: "ACME"},
			Opening: &statement.Balance{Amount: decimal.Zero, Currency: "EUR", Date: day}}
		if err := w.BeginStatement(st); err != nil {
			t.Fatal(err)
		}
		for range entries {
			n++
			amt := decimal.New(int64(100+n*37%100000), -2)
			id := fmt.Sprintf("%09d", n)
			e := &statement.Entry{Amount: amt, Currency: "EUR", BookingDate: day, ValueDate: day.AddDate(0, 0, -(n % 3)), AccountSvcrRef: "BANK" + id}
			dd := statement.Transaction{Amount: amt, Currency: "EUR", EndToEndID: "E2E-" + id, MandateID: "MNDT-" + id,
				CreditorID: "BE69ZZZ050D000000008", Remittance: "Invoice " + id, Counterparty: statement.Party{Name: "Debtor " + id, IBAN: "BE71096123456769", BIC: "GKCCBEBB"}}
			switch k := n % 10; {
			case k < 4:
				e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "ESDD", Proprietary: "05/01/000"}
				e.Details = []statement.Transaction{dd}
			case k == 4: // a returned collection
				e.Amount, dd.Amount = amt.Neg(), amt.Neg()
				e.Reversal, dd.ReturnReason = true, []string{"AM04", "MD06", "MS02"}[n%3]
				e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "UPDD", Proprietary: "05/05/000"}
				e.Details = []statement.Transaction{dd}
			case k < 7:
				o, _ := sepa.NewOGM(uint64(n))
				e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT", Proprietary: "01/50/000"}
				e.Details = []statement.Transaction{{Amount: amt, Currency: "EUR", Reference: statement.Reference{Scheme: sepa.SchemeOGM, Value: o.Digits()},
					Counterparty: statement.Party{Name: "Customer " + id, IBAN: "BE62510007547061"}}}
			case k < 9:
				e.Amount = amt.Neg()
				e.Info = "Information about payment " + id + " that goes on for a while to fill a record 31 and more"
				e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "ESCT", Proprietary: "01/01/000"}
				e.Details = []statement.Transaction{{Amount: e.Amount, Currency: "EUR", Remittance: "Supplier invoice " + id,
					Counterparty: statement.Party{Name: "Supplier " + id, IBAN: "NL91ABNA0417164300"}}}
			default: // a batch of collections, one returned
				e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "ESDD", Proprietary: "05/50/000"}
				e.BatchID, e.BatchCount = "PMTINF-"+id, 4
				sum := decimal.Zero
				for j := range 4 {
					d := dd
					d.Amount = decimal.New(int64(100+j*11), -2)
					d.EndToEndID = fmt.Sprintf("E2E-%s-%d", id, j)
					if j == 3 {
						d.Amount, d.ReturnReason = d.Amount.Neg(), "AC04"
					}
					sum = sum.Add(d.Amount)
					e.Details = append(e.Details, d)
				}
				e.Amount = sum
			}
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
	return buf.Bytes()
}

// TestSummaryOnlySameTotals: a Reader with SummaryOnly gives what a
// summary reads of every entry (amounts, codes, dates, return reasons,
// reversal, batch counts) and the findings of a full read.
func TestSummaryOnlySameTotals(t *testing.T) {
	mixed := mixedFile(t, 4, 200)
	bad := bytes.Clone(mixed)
	for i := 0; i+RecordLen <= len(bad); i += bytes.IndexByte(bad[i:], '\n') + 1 {
		if bad[i] == '2' && bad[i+1] == '1' && string(bad[i+61:i+65]) == "1101" {
			bad[i+76]++ // wrong check digits
		}
	}
	r22 := bytes.Clone(mixed) // returns told in record 22 only: the zone's R-type and reason blanked
	for i := 0; i+RecordLen <= len(r22); i += bytes.IndexByte(r22[i:], '\n') + 1 {
		if r22[i] == '2' && r22[i+1] == '3' && r22[i+120] == '3' {
			copy(r22[i+120:i+125], "     ")
		}
	}
	inputs := map[string][]byte{"mixed": mixed, "wrong OGMs": bad, "returns in 22": r22, "generated": generated(300),
		"UTF-8 then Latin-1": append(replaceIn(generated(5), "23", "Jan Peeters", "Jän Peeters", 1), replaceIn(generated(5), "23", "Jan Peeters", "J\xe4n Peeters", 1)...)}
	for _, p := range testutil.Corpus(t, "coda") {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(p)] = b
	}
	for name, data := range inputs {
		full, summary := summaryRead(t, data), summaryRead(t, data, SummaryOnly())
		if len(full) == 0 {
			t.Fatalf("%s: nothing read", name)
		}
		if !slices.Equal(full, summary) {
			for i := range min(len(full), len(summary)) {
				if full[i] != summary[i] {
					t.Fatalf("%s: line %d:\nSummaryOnly %s\nfull        %s", name, i, summary[i], full[i])
				}
			}
			t.Fatalf("%s: %d lines, want %d", name, len(summary), len(full))
		}
	}
	// the mixed file has what it says
	all := strings.Join(summaryRead(t, bad), "\n")
	for _, want := range []string{`AM04 "`, `AC04 "`, "[OGM mod 97]", ` false 4 2026-`, ` true 0 2026-`} {
		if !strings.Contains(all, want) {
			t.Errorf("mixed file without %q", want)
		}
	}
}

// TestReadParallelWhole: a file with a statement longer than Parts.Max,
// or smaller than two parts, is read whole on the caller's goroutine
// (Reader.Part false); a larger one in parts (Part true).
func TestReadParallelWhole(t *testing.T) {
	data := append(generated(4000), generated(10)...) // 1.5 MB statement, then a small one
	for _, c := range []struct {
		name string
		p    Parts
		part bool
	}{
		{"one worker", Parts{Workers: 1, Size: 1000}, false},
		{"smaller than two parts", Parts{Workers: 2, Size: int64(len(data))}, false},
		{"a statement longer than Max", Parts{Workers: 2, Size: 1000, Max: 1 << 20}, false},
		{"in parts", Parts{Workers: 2, Size: 1000, Max: 2 << 20}, true},
	} {
		var parts []bool
		var mu sync.Mutex
		n := 0
		f := ReadParallel(bytes.NewReader(data), int64(len(data)), "big.cod", c.p, func(r *Reader) int {
			mu.Lock()
			parts = append(parts, r.Part())
			mu.Unlock()
			return len(entriesOf(t, r))
		}, func(k int) { n += k })
		if n != 4010 || len(f.Statements) != 2 || len(f.Findings) != 0 {
			t.Fatalf("%s: %d entries, %d statements, %v", c.name, n, len(f.Statements), f.Findings)
		}
		if want := map[bool]int{false: 1, true: 2}[c.part]; len(parts) != want || parts[0] != c.part {
			t.Fatalf("%s: parts %v", c.name, parts)
		}
	}
}

// TestSummaryOnlyAllocations: read SummaryOnly, 1,000 direct debit
// movements cost no entry and no text each; what remains is the amounts'
// decimals (1,000 distinct, a big.Int each).
func TestSummaryOnlyAllocations(t *testing.T) {
	data := generated(1000)
	allocs := func(opts ...Option) float64 {
		return testing.AllocsPerRun(5, func() {
			r := NewReader(bytes.NewReader(data), "a.cod", opts...)
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
		})
	}
	full, summary := allocs(), allocs(SummaryOnly())
	t.Logf("allocations: full read %.0f, SummaryOnly %.0f", full, summary)
	if full-summary < 950 { // an entry (and its one transaction) per movement
		t.Errorf("allocations: full read %.0f, SummaryOnly %.0f: want at least 950 fewer", full, summary)
	}
}
