package pain008

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/sepa"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func date(s string) time.Time {
	t, err := time.Parse(isoDate, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	created  = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	creditor = Creditor{Name: "Fitness Club Brussel", IBAN: "BE68539007547034", BIC: "GKCCBEBB", ID: "BE69ZZZ050D000000008"}
	other    = Creditor{Name: "Fitness Club Gent", IBAN: "BE71096123456769", ID: "BE69ZZZ050D000000008"}
)

// sampleTxs exercises every shape the writer has: two creditors, FRST and
// RCUR, CORE and B2B, two dates, amendments of each kind, structured and
// unstructured remittance, a debtor without BIC, given out of order.
func sampleTxs() []Transaction {
	base := Transaction{
		Amount: decimal.RequireFromString("25.00"), MandateSignedOn: date("2026-01-15"),
		SequenceType: SeqRecurrent, CollectionDate: date("2026-12-01"), Creditor: creditor,
	}
	var txs []Transaction
	add := func(f func(tx *Transaction)) {
		tx := base
		f(&tx)
		txs = append(txs, tx)
	}
	add(func(tx *Transaction) {
		tx.EndToEndID, tx.MandateID, tx.DebtorName, tx.DebtorIBAN, tx.DebtorBIC = "E2E-0001", "MD-1001", "Jan Peeters", "BE62510007547061", "JVBABE22"
		tx.Remittance = "Membership December 2026"
	})
	add(func(tx *Transaction) {
		tx.EndToEndID, tx.MandateID, tx.DebtorName, tx.DebtorIBAN = "E2E-0002", "MD-1002", "Marie Dubois", "FR1420041010050500013M02606"
		tx.SequenceType = SeqFirst
		tx.Amount = decimal.RequireFromString("0.10")
		tx.CreditorReference = "RF18539007547034"
		tx.InstructionID = "INSTR-2"
	})
	add(func(tx *Transaction) {
		tx.EndToEndID, tx.MandateID, tx.DebtorName, tx.DebtorIBAN, tx.DebtorBIC = "E2E-0003", "MD-1003", "Anna Schmidt", "DE89370400440532013000", "COBADEFFXXX"
		tx.Amount = decimal.RequireFromString("0.20")
		tx.Amendment = &Amendment{OriginalMandateID: "OLD-1003", OriginalCreditorName: "Fitness Club Old", OriginalCreditorID: "DE98ZZZ09999999999"}
		tx.Remittance = "Membership December 2026"
	})
	add(func(tx *Transaction) {
		tx.EndToEndID, tx.MandateID, tx.DebtorName, tx.DebtorIBAN = "E2E-0004", "MD-1004", "Bakkerij Janssens BV", "NL91ABNA0417164300"
		tx.LocalInstrument = InstrumentB2B
		tx.CollectionDate = date("2026-12-03")
		tx.Amount = decimal.RequireFromString("1234.56")
		tx.Amendment = &Amendment{OriginalDebtorIBAN: "NL02ABNA0123456789", DebtorAgentChanged: true}
	})
	add(func(tx *Transaction) {
		tx.EndToEndID, tx.MandateID, tx.DebtorName, tx.DebtorIBAN = "E2E-0005", "MD-1005", "Luc O'Neill", "BE43068999999501"
		tx.Creditor = other
		tx.Amount = decimal.RequireFromString("999999999.99")
	})
	add(func(tx *Transaction) {
		tx.EndToEndID, tx.MandateID, tx.DebtorName, tx.DebtorIBAN = "E2E-0006", "MD-1006", "Sofie Maes", "BE62510007547061"
		tx.Amount = decimal.RequireFromString("19.9")
		tx.Remittance = "Membership December 2026"
	})
	return txs
}

func writeAll(t testing.TB, opts WriterOptions, txs []Transaction) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range txs {
		if err := w.Write(tx); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriterGoldenAndSchema(t *testing.T) {
	for _, v := range []string{Version02, Version08} {
		t.Run(v, func(t *testing.T) {
			got := writeAll(t, WriterOptions{Version: v, MessageID: "MSG-20261120-1", CreatedAt: created}, sampleTxs())
			golden := filepath.Join("testdata", "golden-"+v+".xml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run go test -update to accept):\n%s", golden, got)
			}
			testutil.Xmllint(t, testutil.XSD(t, "pain.008", "pain.008."+v+".xsd"), golden)
		})
	}
}

func TestWriterGroupsAndSums(t *testing.T) {
	out := writeAll(t, WriterOptions{MessageID: "M1", CreatedAt: created}, sampleTxs())
	r := NewReader(bytes.NewReader(out), "out.xml")
	type grp struct {
		id, seq, instr, date, cdtr string
		n                          int
		sum                        decimal.Decimal
	}
	var groups []*grp
	byID := map[string]*grp{}
	for {
		tx, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		g := byID[tx.PmtInfID]
		if g == nil {
			g = &grp{id: tx.PmtInfID, seq: tx.SequenceType, instr: tx.LocalInstrument, date: tx.CollectionDate.Format(isoDate), cdtr: tx.Creditor.Name}
			byID[tx.PmtInfID] = g
			groups = append(groups, g)
		}
		g.n++
		g.sum = g.sum.Add(tx.Amount)
	}
	if f := r.Findings(); len(f) != 0 {
		t.Fatalf("findings in written file: %v", f)
	}
	var got []string
	for _, g := range groups {
		got = append(got, fmt.Sprintf("%s %s %s %s %s n=%d sum=%s", g.id, g.date, g.seq, g.instr, g.cdtr, g.n, g.sum.StringFixed(2)))
	}
	want := []string{
		"M1-1 2026-12-01 RCUR CORE Fitness Club Brussel n=3 sum=45.10",
		"M1-2 2026-12-01 FRST CORE Fitness Club Brussel n=1 sum=0.10",
		"M1-3 2026-12-03 RCUR B2B Fitness Club Brussel n=1 sum=1234.56",
		"M1-4 2026-12-01 RCUR CORE Fitness Club Gent n=1 sum=999999999.99",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	h := r.Header()
	if h.MsgId != "M1" || h.NbOfTxs != 6 || h.CtrlSum.String() != "1000001279.75" || h.InitgPty != "Fitness Club Brussel" {
		t.Errorf("header = %+v", h)
	}
}

// TestRoundTrip writes and reads back every sample field by field.
func TestRoundTrip(t *testing.T) {
	for _, v := range []string{Version02, Version08} {
		t.Run(v, func(t *testing.T) {
			txs := sampleTxs()
			out := writeAll(t, WriterOptions{Version: v, MessageID: "RT", CreatedAt: created}, txs)
			r := NewReader(bytes.NewReader(out), "rt.xml")
			got := map[string]*Transaction{}
			for {
				tx, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got[tx.EndToEndID] = tx
			}
			if r.Version() != v || len(r.Findings()) != 0 {
				t.Fatalf("version %q, findings %v", r.Version(), r.Findings())
			}
			for _, want := range txs {
				g := got[want.EndToEndID]
				if g == nil {
					t.Fatalf("%s not read back", want.EndToEndID)
				}
				if want.Currency == "" {
					want.Currency = "EUR"
				}
				if want.LocalInstrument == "" {
					want.LocalInstrument = InstrumentCore
				}
				if !g.Amount.Equal(want.Amount) {
					t.Errorf("%s: Amount %s, want %s", want.EndToEndID, g.Amount, want.Amount)
				}
				if !strings.HasPrefix(g.PmtInfID, "RT-") {
					t.Errorf("%s: PmtInfID %q", want.EndToEndID, g.PmtInfID)
				}
				g.Amount, want.Amount = decimal.Zero, decimal.Zero
				g.PmtInfID = ""
				if (g.Amendment == nil) != (want.Amendment == nil) || g.Amendment != nil && *g.Amendment != *want.Amendment {
					t.Errorf("%s: Amendment %+v, want %+v", want.EndToEndID, g.Amendment, want.Amendment)
				}
				g.Amendment, want.Amendment = nil, nil
				if fmt.Sprintf("%+v", *g) != fmt.Sprintf("%+v", want) {
					t.Errorf("round trip:\n got %+v\nwant %+v", *g, want)
				}
			}
		})
	}
}

func TestWriterRefuses(t *testing.T) {
	good := sampleTxs()[0]
	tests := []struct {
		name string
		mod  func(tx *Transaction)
		want string
	}{
		{"debtor IBAN", func(tx *Transaction) { tx.DebtorIBAN = "BE62510007547062" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): DebtorIBAN "BE62510007547062": IBAN check digits do not verify (ISO 13616 mod 97)`},
		{"creditor BIC", func(tx *Transaction) { tx.Creditor.BIC = "GKCCBE" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): Creditor.BIC "GKCCBE": BIC must be 8 or 11 characters: 4 letters (institution), 2 letters (country), 2 letters or digits (location), optionally 3 letters or digits (branch) (ISO 9362): 6 characters`},
		{"creditor id", func(tx *Transaction) { tx.Creditor.ID = "BE68ZZZ050D000000008" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): Creditor.ID "BE68ZZZ050D000000008": creditor identifier check digits do not verify (EPC262-08 mod 97): expected 69`},
		{"end-to-end id too long", func(tx *Transaction) { tx.EndToEndID = strings.Repeat("X", 36) },
			`pain008: transaction 1 (EndToEndId "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"): EndToEndID "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX": identifier is longer than 35 characters: 36 characters`},
		{"mandate id charset", func(tx *Transaction) { tx.MandateID = "MD_1" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): MandateID "MD_1": identifier may hold only a-z A-Z 0-9 / - ? : ( ) . , ' + and space (EPC basic Latin): '_' at position 3`},
		{"debtor name charset", func(tx *Transaction) { tx.DebtorName = "Jan & Piet" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): DebtorName "Jan & Piet": character outside the EPC basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space): '&' at position 5`},
		{"amount 3 decimals", func(tx *Transaction) { tx.Amount = decimal.RequireFromString("1.005") },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): Amount "1.005": amount has more than 2 decimals`},
		{"amount zero", func(tx *Transaction) { tx.Amount = decimal.Zero },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): Amount "0": amount must be between 0.01 and 999999999.99`},
		{"amount too large", func(tx *Transaction) { tx.Amount = decimal.RequireFromString("1000000000") },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): Amount "1000000000": amount must be between 0.01 and 999999999.99`},
		{"currency", func(tx *Transaction) { tx.Currency = "USD" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): Currency "USD": SEPA direct debits are in EUR only`},
		{"sequence type", func(tx *Transaction) { tx.SequenceType = "RPRE" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): SequenceType "RPRE": sequence type must be FRST, RCUR, OOFF or FNAL`},
		{"instrument", func(tx *Transaction) { tx.LocalInstrument = "COR1" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): LocalInstrument "COR1": local instrument must be CORE or B2B`},
		{"mandate after collection", func(tx *Transaction) { tx.MandateSignedOn = date("2026-12-02") },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): MandateSignedOn "2026-12-02": mandate signature date is after the collection date`},
		{"collection before creation", func(tx *Transaction) { tx.CollectionDate = date("2026-11-19") },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): CollectionDate "2026-11-19": collection date is before the message creation date`},
		{"no mandate date", func(tx *Transaction) { tx.MandateSignedOn = time.Time{} },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): MandateSignedOn "": is required`},
		{"both remittances", func(tx *Transaction) { tx.CreditorReference = "RF18539007547034" },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): CreditorReference "RF18539007547034": give either Remittance (Ustrd) or CreditorReference (Strd), not both (EPC AT-22)`},
		{"empty amendment", func(tx *Transaction) { tx.Amendment = &Amendment{} },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): Amendment "": amendment must name at least one original value (AT-24)`},
		{"amendment creditor id", func(tx *Transaction) { tx.Amendment = &Amendment{OriginalCreditorID: "DE00ZZZ00099999999"} },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): Amendment.OriginalCreditorID "DE00ZZZ00099999999": creditor identifier check digits do not verify (EPC262-08 mod 97): expected 10`},
		{"debtor name too long", func(tx *Transaction) { tx.DebtorName = strings.Repeat("a", 71) },
			`pain008: transaction 1 (EndToEndId "E2E-0001"): DebtorName "` + strings.Repeat("a", 71) + `": is too long: 71 characters, at most 70`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := NewWriter(io.Discard, WriterOptions{CreatedAt: created})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			tx := good
			tc.mod(&tx)
			err = w.Write(tx)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Write error\n got %v\nwant %s", err, tc.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("not a *FieldError: %T", err)
			}
			// The writer stays usable after a refused transaction.
			if err := w.Write(good); err != nil {
				t.Fatalf("good transaction after a refused one: %v", err)
			}
		})
	}
}

func TestWriterDuplicateEndToEnd(t *testing.T) {
	w, _ := NewWriter(io.Discard, WriterOptions{CreatedAt: created})
	defer w.Abort()
	tx := sampleTxs()[0]
	if err := w.Write(tx); err != nil {
		t.Fatal(err)
	}
	tx.MandateID = "OTHER"
	err := w.Write(tx)
	want := `pain008: transaction 2 (EndToEndId "E2E-0001"): EndToEndID "E2E-0001": EndToEndId is already used in this message`
	if err == nil || err.Error() != want || !errors.Is(err, ErrDuplicateE2E) {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestWriterOptions(t *testing.T) {
	tests := []struct {
		opts WriterOptions
		want string
	}{
		{WriterOptions{Version: "001.03"}, `pain008: cannot write version "001.03" (only 001.02 and 001.08)`},
		{WriterOptions{MessageID: "A//B"}, `pain008: MessageID "A//B": identifier must not start or end with '/' nor contain '//' (EPC implementation guidelines)`},
		{WriterOptions{InitiatingParty: "Café"}, `pain008: InitiatingParty "Café": character outside the EPC basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space): 'é' at position 4`},
	}
	for _, tc := range tests {
		if _, err := NewWriter(io.Discard, tc.opts); err == nil || err.Error() != tc.want {
			t.Errorf("NewWriter(%+v) = %v\nwant %s", tc.opts, err, tc.want)
		}
	}
	if got := pmtInfID(strings.Repeat("M", 35), 12); got != strings.Repeat("M", 32)+"-12" {
		t.Errorf("pmtInfID = %q", got)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestCreateAtomic(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "batch.xml")

	// Abort leaves nothing.
	w, err := Create(target, WriterOptions{CreatedAt: created})
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range sampleTxs() {
		if err := w.Write(tx); err != nil {
			t.Fatal(err)
		}
	}
	w.Abort()
	if n := dirNames(t, dir); len(n) != 0 {
		t.Fatalf("after Abort the directory holds %v", n)
	}

	// A failed Close (no transactions) leaves nothing.
	w, err = Create(target, WriterOptions{CreatedAt: created})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil || err.Error() != "pain008: no transactions to write (a pain.008 needs at least one)" {
		t.Fatalf("Close of an empty message: %v", err)
	}
	if n := dirNames(t, dir); len(n) != 0 {
		t.Fatalf("after a failed Close the directory holds %v", n)
	}

	// Close renames; the spool (forced by many transactions) is removed.
	w, err = Create(target, WriterOptions{CreatedAt: created, MessageID: "ATOMIC"})
	if err != nil {
		t.Fatal(err)
	}
	gen := newGenerator(1)
	for i := 0; i < 8000; i++ {
		if err := w.Write(gen.next()); err != nil {
			t.Fatal(err)
		}
	}
	if w.spool == nil || len(w.groups) != 6 {
		t.Fatal("8000 transactions did not use the spool file")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := dirNames(t, dir); strings.Join(n, ",") != "batch.xml" {
		t.Fatalf("after Close the directory holds %v", n)
	}
	f, _ := os.Open(target)
	defer f.Close()
	n, sum, findings := readAll(t, f)
	if n != 8000 || len(findings) != 0 {
		t.Fatalf("read back %d transactions, findings %v", n, findings)
	}
	_ = sum
	testutil.Xmllint(t, testutil.XSD(t, "pain.008", "pain.008.001.02.xsd"), target)
}

func readAll(t testing.TB, rd io.Reader) (int64, decimal.Decimal, []string) {
	t.Helper()
	r := NewReader(rd, "gen.xml")
	var n int64
	sum := decimal.Zero
	for {
		tx, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		sum = sum.Add(tx.Amount)
	}
	var fs []string
	for _, f := range r.Findings() {
		fs = append(fs, f.String())
	}
	return n, sum, fs
}

// generator makes valid, varied transactions quickly and reproducibly.
type generator struct {
	rnd   *rand.Rand
	n     int
	ibans []string
}

func newGenerator(seed int64) *generator {
	g := &generator{rnd: rand.New(rand.NewSource(seed))}
	for i := 0; i < 50; i++ {
		g.ibans = append(g.ibans, fixIBAN(fmt.Sprintf("%012d", 539007547000+i)))
	}
	return g
}

// fixIBAN returns the Belgian IBAN with correct check digits for a BBAN.
func fixIBAN(bban string) string {
	for cd := 2; cd < 99; cd++ {
		s := fmt.Sprintf("BE%02d%s", cd, bban)
		if sepa.ValidateIBAN(s) == nil {
			return s
		}
	}
	panic("no check digits")
}

var seqs = []string{SeqRecurrent, SeqRecurrent, SeqRecurrent, SeqFirst, SeqOneOff, SeqFinal}

func (g *generator) next() Transaction {
	g.n++
	cents := int64(g.rnd.Intn(100000) + 1)
	return Transaction{
		EndToEndID:      fmt.Sprintf("E2E-%09d", g.n),
		Amount:          decimal.New(cents, -2),
		MandateID:       fmt.Sprintf("MD-%09d", g.n),
		MandateSignedOn: date("2025-03-01"),
		SequenceType:    seqs[g.n%len(seqs)],
		CollectionDate:  date("2026-12-01").AddDate(0, 0, g.n%3),
		Creditor:        creditor,
		DebtorName:      "Debtor Name Number " + fmt.Sprint(g.n%1000),
		DebtorIBAN:      g.ibans[g.n%len(g.ibans)],
		Remittance:      "Invoice 2026/" + fmt.Sprint(g.n),
	}
}

// TestCtrlSumExact adds 0.10 and 0.20 (and random cents) 100,000 times:
// CtrlSum must equal the exact decimal sum, never a float's.
func TestCtrlSumExact(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, WriterOptions{CreatedAt: created, MessageID: "SUMS"})
	gen := newGenerator(7)
	want := decimal.Zero
	for i := 0; i < 100000; i++ {
		tx := gen.next()
		switch i % 3 {
		case 0:
			tx.Amount = decimal.RequireFromString("0.10")
		case 1:
			tx.Amount = decimal.RequireFromString("0.20")
		}
		want = want.Add(tx.Amount)
		if err := w.Write(tx); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := NewReader(bytes.NewReader(buf.Bytes()), "sums.xml")
	h := r.Header()
	if h.NbOfTxs != 100000 || h.CtrlSum.String() != want.String() {
		t.Fatalf("GrpHdr NbOfTxs %d CtrlSum %s, want 100000 %s", h.NbOfTxs, h.CtrlSum, want)
	}
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	n, sum := r.Totals()
	if n != 100000 || !sum.Equal(want) || len(r.Findings()) != 0 {
		t.Fatalf("read %d, sum %s (want %s), findings %v", n, sum, want, r.Findings())
	}
	// 33,334 × 0.10 + 33,333 × 0.20 are part of it; the float sum would drift.
	var f float64
	for i := 0; i < 100000; i++ {
		f += 0.1
	}
	if fmt.Sprintf("%.10f", f) == "10000.0000000000" {
		t.Log("float sum happened to be exact")
	}
}

// TestWriterHeapFlat writes 1,000,000 transactions and samples the heap:
// the spool keeps it under 64 MiB.
func TestWriterHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a million transactions")
	}
	n := 1000000
	runtime.GC() // do not count what earlier tests left
	stopHeap := testutil.SampleHeap()
	w, err := NewWriter(io.Discard, WriterOptions{CreatedAt: created, MessageID: "HEAP", TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	gen := newGenerator(3)
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := w.Write(gen.next()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := stopHeap()
	t.Logf("1,000,000 transactions in %v, peak heap in use %.1f MiB", time.Since(start).Round(time.Millisecond), float64(p)/(1<<20))
	if p > 64<<20 {
		t.Fatalf("peak heap %d MiB, want < 64 MiB", p>>20)
	}
}

// TestWriterManyGroups puts 10,000 transactions in 1,000 groups (one
// collection date each), which spools small chunks: every group is complete
// and in order.
func TestWriterManyGroups(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, WriterOptions{CreatedAt: created, MessageID: "MANY", TempDir: t.TempDir()})
	gen := newGenerator(9)
	for i := 0; i < 10000; i++ {
		tx := gen.next()
		tx.SequenceType = SeqRecurrent
		tx.CollectionDate = date("2026-12-01").AddDate(0, 0, i%1000)
		tx.Amount = decimal.New(int64(i%1000+1), -2)
		if err := w.Write(tx); err != nil {
			t.Fatal(err)
		}
	}
	if w.spool == nil || len(w.groups) != 1000 {
		t.Fatalf("spool %v, %d groups", w.spool, len(w.groups))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, txs, fs, err := readDoc(t, "many.xml", buf.Bytes())
	if err != nil || len(txs) != 10000 || len(fs) != 0 {
		t.Fatalf("err %v, %d transactions, findings %v", err, len(txs), fs)
	}
	for i, tx := range txs {
		g := i / 10 // ten transactions per group, groups in order of first use
		if want := fmt.Sprintf("MANY-%d", g+1); tx.PmtInfID != want || tx.Amount.String() != decimal.New(int64(g+1), -2).String() {
			t.Fatalf("transaction %d: PmtInfID %s amount %s, want %s %s", i, tx.PmtInfID, tx.Amount, want, decimal.New(int64(g+1), -2))
		}
	}
}

// TestWriterUniqueIDs: with UniqueIDs the caller vouches for the ids, and
// the Writer keeps no set (so it does not refuse a repeated id).
func TestWriterUniqueIDs(t *testing.T) {
	w, _ := NewWriter(io.Discard, WriterOptions{CreatedAt: created, MessageID: "UNIQ", UniqueIDs: true})
	tx := newGenerator(1).next()
	for i := 0; i < 2; i++ {
		if err := w.Write(tx); err != nil {
			t.Fatal(err)
		}
	}
	if w.e2e.n != 0 {
		t.Fatalf("the writer kept %d ids", w.e2e.n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// failAfter is a destination that fails once it has taken n bytes.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return f.n, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

// TestWriterDestinationFails: a destination that fails half-way through
// the document (rendered on one goroutine, written on another) makes Close
// return its error; nothing hangs whatever buffer the failure hits.
func TestWriterDestinationFails(t *testing.T) {
	for _, n := range []int{0, 100, 1 << 20, 3<<20 + 5} {
		w, _ := NewWriter(&failAfter{n: n}, WriterOptions{CreatedAt: created, MessageID: "FAIL", TempDir: t.TempDir()})
		gen := newGenerator(4)
		for i := 0; i < 10000; i++ { // about 8 MB of XML
			if err := w.Write(gen.next()); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err == nil || err.Error() != "disk full" {
			t.Errorf("fail after %d bytes: Close = %v, want disk full", n, err)
		}
	}
}

// TestTxRecord: a transaction's spooled record renders the same XML as the
// transaction itself, for every optional part and for dates of any width.
func TestTxRecord(t *testing.T) {
	gen := newGenerator(7)
	base := gen.next()
	amended := base
	amended.Amendment = &Amendment{OriginalMandateID: "OLD-1", OriginalCreditorName: "Old & Co", OriginalCreditorID: "DE98ZZZ09999999999", OriginalDebtorIBAN: "BE62510007547061", DebtorAgentChanged: true}
	ref := base
	ref.Remittance, ref.CreditorReference, ref.InstructionID, ref.DebtorBIC = "", "RF18539007547034", "INSTR-1", ""
	far := base
	far.MandateSignedOn = time.Date(12345, 6, 7, 0, 0, 0, 0, time.UTC)
	for i, tx := range []Transaction{base, amended, ref, far} {
		for _, v := range []string{Version02, Version08} {
			want := appendTx(nil, &tx, 123456, v)
			rec := encodeTx(nil, &tx, 123456)
			var tt txText[[]byte]
			cents, rest := decodeTx(rec, &tt)
			if got := appendTxText(nil, &tt, cents, v); string(got) != string(want) || len(rest) != 0 {
				t.Errorf("transaction %d, %s: record renders\n%s\nwant\n%s(%d bytes left)", i, v, got, want, len(rest))
			}
		}
	}
}
