package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

func keyString(k Key) string {
	if k.Kind == KeyBatchTotal {
		return fmt.Sprintf("%s %d %s %s", k.Kind, k.Count, k.Total, k.Currency)
	}
	return k.Kind.String() + " " + k.Value
}

// keyCheck is a Store over another that fails the test when the engine
// looks up a key Keys did not announce for the entry being reconciled
// (expect), and notes the keys asked.
type keyCheck struct {
	Store
	t         testing.TB
	name      string
	announced map[string]bool
	asked     map[string]bool
}

func newKeyCheck(t testing.TB, s Store) *keyCheck { return &keyCheck{Store: s, t: t} }

// expect notes the keys Keys announces for en, named name in errors.
func (c *keyCheck) expect(en *statement.Entry, name string) {
	c.name = name
	c.announced, c.asked = map[string]bool{}, map[string]bool{}
	Keys(en, func(k Key) { c.announced[keyString(k)] = true })
}

func (c *keyCheck) ask(k Key) {
	c.t.Helper()
	s := keyString(k)
	c.asked[s] = true
	if !c.announced[s] {
		c.t.Errorf("%s: the engine looked up %q, which Keys did not announce (it announced %q)", c.name, s, slices.Sorted(mapKeys(c.announced)))
	}
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (c *keyCheck) CollectionsByEndToEnd(e2e string) ([]Collection, error) {
	c.ask(Key{Kind: KeyEndToEnd, Value: e2e})
	return c.Store.CollectionsByEndToEnd(e2e)
}

func (c *keyCheck) BatchByID(id string) (*Batch, error) {
	c.ask(Key{Kind: KeyBatchID, Value: id})
	return c.Store.BatchByID(id)
}

func (c *keyCheck) BatchesByTotal(count int, total decimal.Decimal, ccy string) ([]Batch, error) {
	c.ask(Key{Kind: KeyBatchTotal, Count: count, Total: total, Currency: ccy})
	return c.Store.BatchesByTotal(count, total, ccy)
}

func (c *keyCheck) InvoicesByReference(ref string) ([]Invoice, error) {
	c.ask(Key{Kind: KeyReference, Value: ref})
	return c.Store.InvoicesByReference(ref)
}

func (c *keyCheck) InvoicesByNumberKey(ks []string) ([]Invoice, error) {
	for _, k := range ks {
		c.ask(Key{Kind: KeyNumber, Value: k})
	}
	return c.Store.InvoicesByNumberKey(ks)
}

func (c *keyCheck) InvoicesByIBAN(iban string) ([]Invoice, error) {
	c.ask(Key{Kind: KeyIBAN, Value: iban})
	return c.Store.InvoicesByIBAN(iban)
}

func (c *keyCheck) PaymentRequestsByKey(ks []string) ([]PaymentRequest, error) {
	for _, k := range ks {
		c.ask(Key{Kind: KeyPaymentRequest, Value: k})
	}
	return c.Store.PaymentRequestsByKey(ks)
}

// checkKeys reconciles the entries in order over c (each sees the changes
// of those before it), failing on a key looked up but not announced; and
// each entry alone over an empty store, where the engine tries every rule:
// there the keys asked must be exactly those announced (Keys loads nothing
// the former dry run did not).
func checkKeys(t *testing.T, c *keyCheck, entries []*statement.Entry, names func(i int) string) {
	t.Helper()
	eng := NewEngine(c, Options{})
	empty := newKeyCheck(t, NewMemStore())
	dry := NewEngine(empty, Options{})
	for i, en := range entries {
		c.expect(en, names(i))
		if _, err := eng.Reconcile(en); err != nil {
			t.Fatalf("%s: %v", names(i), err)
		}
		empty.expect(en, names(i)+" (empty store)")
		if _, err := dry.Reconcile(en); err != nil {
			t.Fatalf("%s: %v", names(i), err)
		}
		if !maps2Equal(empty.asked, empty.announced) {
			t.Errorf("%s: over an empty store the engine looked up %q, Keys announced %q", names(i), slices.Sorted(mapKeys(empty.asked)), slices.Sorted(mapKeys(empty.announced)))
		}
	}
}

func maps2Equal(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// TestKeysOfEveryRule: the entries of TestRules, over the fixture (items
// found, every rule deciding) and over an empty store.
func TestKeysOfEveryRule(t *testing.T) {
	c := newKeyCheck(t, fixture())
	var es []*statement.Entry
	var names []string
	for _, tc := range ruleCases() {
		for i := range tc.entries {
			es = append(es, &tc.entries[i])
			names = append(names, fmt.Sprintf("%s, entry %d", tc.name, i+1))
		}
	}
	if len(es) < 35 {
		t.Fatalf("only %d entries", len(es))
	}
	checkKeys(t, c, es, func(i int) string { return names[i] })
}

// TestKeysAnnounced pins what Keys gives for each kind of line, in order.
func TestKeysAnnounced(t *testing.T) {
	ogm := mustOGM(2024000042)
	for _, tc := range []struct {
		name string
		en   statement.Entry
		want []string
	}{
		{"credit with everything", entry("121.00", tx("121.00", func(x *statement.Transaction) {
			x.EndToEndID, x.Reference.Value, x.Remittance = "E2E-9", "+++"+ogm[:3]+"/"+ogm[3:7]+"/"+ogm[7:]+"+++", "inv 2024/42"
			x.Counterparty.IBAN = "be68 5390 0754 7034"
		})), []string{
			"end-to-end-id E2E-9",
			"payment-request-key INV.2024", "payment-request-key INV.2024.42", "payment-request-key 2024", "payment-request-key 2024.42",
			"reference " + ogm,
			"number-key INV.2024", "number-key INV.2024.42", "number-key 2024", "number-key 2024.42",
			"iban BE68539007547034",
		}},
		{"entry without details: batch by total", entry("30.50"), []string{"batch-total 0 30.5 EUR"}},
		{"batch booking by id, no details: the batch alone", func() statement.Entry {
			e := entry("30.50")
			e.BatchID, e.Info = "PMTINF-1", "INV-100"
			return e
		}(), []string{"batch-id PMTINF-1"}},
		{"batch booking by count", entry("30.50", tx("10.00", nil), tx("20.50", func(x *statement.Transaction) { x.Counterparty.IBAN = ibanA })),
			[]string{"batch-total 2 30.5 EUR", "iban " + ibanA}},
		{"return", entry("-10.00", tx("-10.00", func(x *statement.Transaction) { x.EndToEndID, x.Remittance = "E2E-1", "INV-100" })),
			[]string{"end-to-end-id E2E-1"}},
		{"return without end-to-end id", entry("-10.00", tx("-10.00", func(x *statement.Transaction) { x.ReturnReason = "AC01" })), nil},
		{"debit", entry("-10.00", tx("-10.00", func(x *statement.Transaction) { x.Remittance = "INV-100" })), nil},
		{"zero", entry("0.00", tx("0.00", func(x *statement.Transaction) { x.Remittance = "INV-100" })), nil},
	} {
		var got []string
		Keys(&tc.en, func(k Key) { got = append(got, keyString(k)) })
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// mirror is a store holding, for every key the entries can be looked up
// by, an item it finds: so that over the corpus the engine's rules find
// something and decide, not only fall through.
func mirror(entries []*statement.Entry) *MemStore {
	m := NewMemStore()
	for i, en := range entries {
		amt := en.Amount.Abs()
		Keys(en, func(k Key) {
			switch k.Kind {
			case KeyEndToEnd:
				m.AddCollection(Collection{EndToEndID: k.Value, PmtInfID: en.BatchID, Amount: amt, Currency: en.Currency})
			case KeyBatchID:
				m.AddBatch(Batch{PmtInfID: k.Value, Count: batchCount(en), Total: en.Amount, Currency: en.Currency})
			case KeyBatchTotal:
				if i%2 == 0 {
					m.AddBatch(Batch{PmtInfID: fmt.Sprintf("M-%d", i), Count: k.Count, Total: k.Total, Currency: k.Currency})
				}
			case KeyReference:
				m.AddInvoice(Invoice{Number: fmt.Sprintf("R-%d", i), Reference: k.Value, Amount: amt, Currency: en.Currency})
			case KeyNumber:
				if i%3 == 0 {
					m.AddInvoice(Invoice{Number: k.Value, Amount: amt, Currency: en.Currency})
				}
			case KeyIBAN:
				m.AddInvoice(Invoice{Number: fmt.Sprintf("I-%d", i), CustomerIBANs: []string{k.Value}, Amount: amt, Currency: en.Currency})
			}
		})
	}
	return m
}

// TestKeysCorpus: every entry of every camt and CODA file of the shared
// corpus, over the fixture, over a store that finds an item for each key
// (mirror) and over an empty store.
func TestKeysCorpus(t *testing.T) {
	var es []*statement.Entry
	var names []string
	for _, format := range []string{"camt052", "camt053", "camt054", "coda"} {
		for _, path := range testutil.Corpus(t, format) {
			if filepath.Ext(path) == ".zip" {
				continue
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			var next func() (*statement.Entry, error)
			if format == "coda" {
				next = coda.NewReader(f, path).Next
			} else {
				next = camt.NewReader(f, path).Next
			}
			for n := 1; ; n++ {
				e, err := next()
				if err != nil { // io.EOF, or a file meant to be rejected: what was read counts
					break
				}
				es = append(es, e)
				names = append(names, fmt.Sprintf("%s: entry %d", filepath.Base(path), n))
			}
			f.Close()
		}
	}
	if len(es) < 200 {
		t.Fatalf("only %d corpus entries", len(es))
	}
	t.Logf("%d corpus entries", len(es))
	name := func(i int) string { return names[i] }
	checkKeys(t, newKeyCheck(t, fixture()), es, name)
	checkKeys(t, newKeyCheck(t, mirror(es)), es, name)
}

// FuzzKeys: whatever an entry holds, the engine looks up only keys Keys
// announced, over the fixture (items found) and over an empty store
// (exactly the keys announced).
func FuzzKeys(f *testing.F) {
	f.Add("Invoice nr. 2024 / 777, thanks", "", "121.00", "", ibanE, "", 1, uint8(0))
	f.Add("INV-100", mustRF("INV100"), "50.00", "E2E-1", ibanA, "", 1, uint8(0))
	f.Add("", "", "30.50", "", "", "PMTINF-1", 2, uint8(0))
	f.Add("", "", "30.50", "E2E-1", "", "PMTINF-1", 2, uint8(0))
	f.Add("", "", "-10.00", "E2E-1", "", "", 1, uint8(1))
	f.Add("+++202/4000/04279+++", "", "60.00", "", "", "", 0, uint8(4))
	f.Add("G-107 and G-108", "", "31.00", "", ibanC, "", 3, uint8(2))
	f.Fuzz(func(t *testing.T, remittance, ref, amount, e2e, iban, batchID string, details int, flags uint8) {
		a, err := decimal.NewFromString(amount)
		if err != nil || details < 0 || details > 4 || len(amount) > 16 || a.Exponent() < -4 || a.Exponent() > 4 {
			return // amounts like 1e-99999999 only test math/big's patience
		}
		en := statement.Entry{Amount: a, Currency: "EUR", BookingDate: day("2024-03-08"), Info: remittance, Reversal: flags&1 != 0}
		if flags&4 != 0 {
			en.BatchID = batchID
		}
		if flags&8 != 0 {
			en.BatchCount = details + 1
		}
		for i := 0; i < details; i++ {
			x := statement.Transaction{Amount: a, Currency: "EUR", EndToEndID: e2e, Remittance: remittance}
			if i > 0 {
				x.Amount = a.Div(decimal.NewFromInt(int64(details))).Round(2)
				x.EndToEndID = fmt.Sprintf("%s-%d", e2e, i)
			}
			x.Reference.Value = ref
			x.Counterparty.IBAN = iban
			if flags&2 != 0 {
				x.ReturnReason = "MD01"
			}
			if flags&16 != 0 {
				x.PaymentInfoID = batchID
			}
			en.Details = append(en.Details, x)
		}
		checkKeys(t, newKeyCheck(t, fixture()), []*statement.Entry{&en}, func(int) string { return fmt.Sprintf("%+v", en) })
	})
}

// generated is n lines of the ledger benchmark's world (pkg/ledger
// gen_test.go) and a store of the items they pay: line k pays item k, a
// collection by end-to-end id when k is even (a return every 100th), an
// invoice when odd — by OGM reference, by invoice number in the remittance
// (k%10 == 7), by customer IBAN and exact amount (k%10 == 9); k%1000 ==
// 999 is a gift nothing matches.
func generated(n int) ([]*statement.Entry, *MemStore) {
	m := NewMemStore()
	amount := func(k int) decimal.Decimal { return decimal.New(int64(1000+k%9000), -2) }
	var es []*statement.Entry
	for k := 0; k < n; k++ {
		amt := amount(k)
		e2e := fmt.Sprintf("E2E-%08d", k)
		if k%2 == 0 {
			m.AddCollection(Collection{EndToEndID: e2e, MandateID: fmt.Sprintf("MNDT-%08d", k), PmtInfID: fmt.Sprintf("PMT-%05d", k/1000), Amount: amt, Currency: "EUR", CollectionDate: day("2024-03-05")})
		} else {
			m.AddInvoice(Invoice{Number: fmt.Sprintf("INV-%08d", k), CustomerIBANs: []string{fmt.Sprintf("CUST%07d", k/10)}, Reference: mustOGM(uint64(k)), Amount: amt, Currency: "EUR", DueDate: day("2024-03-01")})
		}
		x := statement.Transaction{Amount: amt, Currency: "EUR"}
		e := &statement.Entry{Currency: "EUR", Status: "BOOK", BookingDate: day("2024-03-08")}
		switch {
		case k%100 == 0:
			x.Amount, x.EndToEndID, x.ReturnReason, e.Reversal = amt.Neg(), e2e, "AM04", true
		case k%2 == 0:
			x.EndToEndID, x.MandateID = e2e, fmt.Sprintf("MNDT-%08d", k)
		case k%1000 == 999:
			x.Remittance = "a gift"
		case k%10 == 7:
			x.Remittance = fmt.Sprintf("Invoice INV %d thank you", k)
		case k%10 == 9:
			x.Counterparty = statement.Party{Name: "Customer", IBAN: fmt.Sprintf("CUST%07d", k/10)}
		default:
			x.Reference.Value = mustOGM(uint64(k))
		}
		e.Amount, e.Details = x.Amount, []statement.Transaction{x}
		es = append(es, e)
	}
	return es, m
}

// TestKeysGenerated: the lines of the ledger benchmark, over the items they
// pay and over an empty store.
func TestKeysGenerated(t *testing.T) {
	es, m := generated(3000)
	c := newKeyCheck(t, m)
	checkKeys(t, c, es, func(i int) string { return fmt.Sprint("generated line ", i) })
	// The lines found what they pay: all but the gifts are decided.
	es, m = generated(3000)
	eng := NewEngine(m, Options{})
	var s Summary
	for _, e := range es {
		res, err := eng.Reconcile(e)
		if err != nil {
			t.Fatal(err)
		}
		s.Add(res)
	}
	if got := s.Outcome(Unmatched); len(got) != 1 || got[0].Count != 3 {
		t.Errorf("unmatched %+v, want the 3 gifts", got)
	}
}

// recorder is the dry run the chunk imports did before Keys: a Store
// without items that notes every key asked.
type recorder struct{ keys map[string]bool }

func (r *recorder) CollectionsByEndToEnd(e2e string) ([]Collection, error) {
	r.keys[e2e] = true
	return nil, nil
}
func (r *recorder) BatchByID(id string) (*Batch, error) { r.keys[id] = true; return nil, nil }
func (r *recorder) BatchesByTotal(int, decimal.Decimal, string) ([]Batch, error) {
	return nil, nil
}
func (r *recorder) InvoicesByReference(ref string) ([]Invoice, error) {
	r.keys[ref] = true
	return nil, nil
}
func (r *recorder) InvoicesByNumberKey(ks []string) ([]Invoice, error) {
	for _, k := range ks {
		r.keys[k] = true
	}
	return nil, nil
}
func (r *recorder) InvoicesByIBAN(iban string) ([]Invoice, error) {
	r.keys[iban] = true
	return nil, nil
}
func (r *recorder) PaymentRequestsByKey(ks []string) ([]PaymentRequest, error) {
	for _, k := range ks {
		r.keys[k] = true
	}
	return nil, nil
}
func (r *recorder) Apply([]Change) error { return nil }

// BenchmarkKeys: what noting a line's keys costs, by Keys and by the dry
// run of the engine it replaced, over the ledger benchmark's lines; and
// the real run, for scale.
func BenchmarkKeys(b *testing.B) {
	gen, _ := generated(40000)
	for _, set := range []struct {
		name string
		es   []*statement.Entry
	}{{"generated", gen}} {
		b.Run(set.name+"/keys", func(b *testing.B) {
			keys := map[string]bool{}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Keys(set.es[i%len(set.es)], func(k Key) { keys[k.Value] = true })
			}
		})
		b.Run(set.name+"/reconcile", func(b *testing.B) {
			// The real run, each line on the items it pays (a fresh world
			// every len(set.es) lines).
			var eng *Engine
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if i%len(gen) == 0 {
					b.StopTimer()
					_, m := generated(len(gen))
					eng = NewEngine(m, Options{})
					b.StartTimer()
				}
				if _, err := eng.Reconcile(set.es[i%len(set.es)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(set.name+"/dry-run", func(b *testing.B) {
			r := &recorder{keys: map[string]bool{}}
			eng := NewEngine(r, Options{})
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := eng.Reconcile(set.es[i%len(set.es)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// referencesSlow is ReferencesInText without its shortcuts (no regexp
// search under 12 digits, no RF search without "rf" in any case).
func referencesSlow(s string) []string {
	var out []string
	for _, m := range ogmInText.FindAllString(s, -1) {
		if o, err := sepa.ParseOGM(m); err == nil {
			out = append(out, string(o))
		}
	}
	words := strings.Fields(strings.ToUpper(s))
	for i, w := range words {
		if !strings.HasPrefix(w, "RF") {
			continue
		}
		c := ""
		for j := i; j < len(words) && len(c) < 25; j++ {
			c += strings.Trim(words[j], ".,;:()")
			if rf, err := sepa.ParseRF(c); err == nil {
				out = append(out, string(rf))
			}
		}
	}
	return out
}

// FuzzReferenceShortcuts: ReferencesInText and RemittanceKeys skip the
// search in texts that cannot hold a reference or key, and find the same.
func FuzzReferenceShortcuts(f *testing.F) {
	for _, s := range []string{"pay +++202/4000/04279+++ or RF36 INV1 00 please", "rf36inv100", "Rf 36", "202400004279", "12345678901", "inv 7", "a gift", "", "\xffRF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ReferencesInText(s), referencesSlow(s); !slices.Equal(got, want) {
			t.Errorf("ReferencesInText(%q) = %q, without shortcuts %q", s, got, want)
		}
		for _, r := range splitRuns(s) { // RemittanceKeys: no digit, no key
			if r[0] >= '0' && r[0] <= '9' && digits(s) == 0 {
				t.Errorf("%q: a digit run %q but no digit counted", s, r)
			}
		}
	})
}
