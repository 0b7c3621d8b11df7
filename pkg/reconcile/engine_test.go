package reconcile

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustOGM(n uint64) string {
	o, err := sepa.NewOGM(n)
	if err != nil {
		panic(err)
	}
	return string(o)
}

func mustRF(s string) string {
	r, err := sepa.NewRF(s)
	if err != nil {
		panic(err)
	}
	return string(r)
}

const (
	ibanA = "BE68539007547034"
	ibanC = "NL91ABNA0417164300"
	ibanD = "DE89370400440532013000"
	ibanE = "FR1420041010050500013M02606"
)

// fixture builds the open items every case starts from.
func fixture() *MemStore {
	m := NewMemStore()
	coll := func(e2e, mndt, pmtinf, amt string) {
		m.AddCollection(Collection{EndToEndID: e2e, MandateID: mndt, PmtInfID: pmtinf, Amount: d(amt), Currency: "EUR", CollectionDate: day("2024-03-05"), DebtorName: "Debtor " + e2e})
	}
	m.AddBatch(Batch{PmtInfID: "PMTINF-1", Count: 2, Total: d("30.50"), Currency: "EUR", Date: day("2024-03-05")})
	coll("E2E-1", "MNDT-1", "PMTINF-1", "10.00")
	coll("E2E-2", "MNDT-2", "PMTINF-1", "20.50")
	m.AddBatch(Batch{PmtInfID: "PMTINF-2", Count: 1, Total: d("99.99"), Currency: "EUR", Date: day("2024-03-05")})
	coll("E2E-3", "MNDT-3", "PMTINF-2", "99.99")
	m.AddBatch(Batch{PmtInfID: "PMTINF-3", Count: 2, Total: d("50.00"), Currency: "EUR", Date: day("2024-03-06")})
	coll("E2E-31", "MNDT-31", "PMTINF-3", "25.00")
	coll("E2E-32", "MNDT-32", "PMTINF-3", "25.00")
	m.AddBatch(Batch{PmtInfID: "PMTINF-4", Count: 2, Total: d("50.00"), Currency: "EUR", Date: day("2024-03-07")})
	coll("E2E-41", "MNDT-41", "PMTINF-4", "25.00")
	coll("E2E-42", "MNDT-42", "PMTINF-4", "25.00")
	m.AddBatch(Batch{PmtInfID: "PMTINF-5", Count: 3, Total: d("75.15"), Currency: "EUR", Date: day("2024-03-07")})
	coll("E2E-51", "MNDT-51", "PMTINF-5", "25.05")
	coll("E2E-52", "MNDT-52", "PMTINF-5", "25.05")
	coll("E2E-53", "MNDT-53", "PMTINF-5", "25.05")
	coll("DUP-E2E", "MNDT-X", "PMTINF-6", "12.00")
	coll("DUP-E2E", "MNDT-Y", "PMTINF-6", "12.00")

	inv := func(num, cust, iban, ref, amt, due string) {
		v := Invoice{Number: num, CustomerName: cust, Reference: ref, Amount: d(amt), Currency: "EUR", DueDate: day(due)}
		if iban != "" {
			v.CustomerIBANs = []string{iban}
		}
		m.AddInvoice(v)
	}
	inv("INV-2024-0042", "Alpha", ibanA, mustOGM(2024000042), "121.00", "2024-03-01")
	inv("INV-100", "Alpha", ibanA, mustRF("INV100"), "50.00", "2024-03-01")
	inv("2024-0777", "Bravo", "", "", "80.00", "2024-03-01")
	inv("C-1", "Charlie", ibanC, "", "30.00", "2024-03-01")
	inv("C-2", "Charlie", ibanC, "", "45.00", "2024-03-10")
	inv("C-3", "Charlie", ibanC, "", "70.00", "2024-03-20")
	inv("D-1", "Delta", ibanD, "", "40.00", "2024-03-01")
	inv("D-2", "Delta", ibanD, "", "40.00", "2024-03-02")
	inv("E-1", "Echo", ibanE, "", "10.00", "2024-03-01")
	inv("E-2", "Echo", ibanE, "", "20.00", "2024-03-02")
	inv("E-3", "Echo", ibanE, "", "30.00", "2024-03-03")
	inv("E-4", "Echo", ibanE, "", "40.00", "2024-03-04")
	inv("SAME-1", "Foxtrot", "", mustOGM(777), "60.00", "2024-03-01")
	inv("SAME-2", "Foxtrot", "", mustOGM(777), "60.00", "2024-03-01")
	inv("G-107", "Golf", "", "", "15.00", "2024-03-01")
	inv("G-108", "Golf", "", "", "16.00", "2024-03-01")
	return m
}

func entry(amount string, details ...statement.Transaction) statement.Entry {
	return statement.Entry{Amount: d(amount), Currency: "EUR", BookingDate: day("2024-03-08"), Status: "BOOK", Details: details}
}

func tx(amount string, f func(*statement.Transaction)) statement.Transaction {
	t := statement.Transaction{Amount: d(amount), Currency: "EUR"}
	if f != nil {
		f(&t)
	}
	return t
}

// render gives a line in one comparable string:
// outcome rule amount [item keys applied/remaining] {candidate keys} evidence.
func render(l Line) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", l.Outcome, l.Rule, l.Amount.StringFixed(2))
	for _, it := range l.Items {
		fmt.Fprintf(&b, " [%s %s/%s]", it.Key, it.Applied.StringFixed(2), it.Remaining.StringFixed(2))
	}
	for _, it := range l.Candidates {
		fmt.Fprintf(&b, " {%s}", it.Key)
	}
	fmt.Fprintf(&b, " | %s", l.Evidence)
	return b.String()
}

// ruleCase is a case of TestRules: entries reconciled in order over the
// fixture.
type ruleCase struct {
	name    string
	entries []statement.Entry
	want    []string // one per line, over all entries
	check   func(t *testing.T, m *MemStore)
}

// ruleCases are the cases of TestRules (and TestKeysOfEveryRule).
func ruleCases() []ruleCase {
	return []ruleCase{
		{
			name:    "1 end-to-end id and mandate",
			entries: []statement.Entry{entry("99.99", tx("99.99", func(x *statement.Transaction) { x.EndToEndID = "E2E-3"; x.MandateID = "MNDT-3" }))},
			want:    []string{`matched end-to-end-id 99.99 [E2E-3 99.99/0.00] | end-to-end id "E2E-3", mandate "MNDT-3", amount 99.99`},
			check: func(t *testing.T, m *MemStore) {
				if s := m.Collection(3).Status; s != StatusCollected {
					t.Errorf("E2E-3 status %s", s)
				}
			},
		},
		{
			name:    "1 end-to-end id with another mandate is not matched",
			entries: []statement.Entry{entry("99.99", tx("99.99", func(x *statement.Transaction) { x.EndToEndID = "E2E-3"; x.MandateID = "OTHER" }))},
			want:    []string{`unmatched  99.99 {E2E-3} | end-to-end id "E2E-3" is known under mandate "MNDT-3", the line names "OTHER"`},
		},
		{
			name:    "1 end-to-end id with another amount is not matched",
			entries: []statement.Entry{entry("99.98", tx("99.98", func(x *statement.Transaction) { x.EndToEndID = "E2E-3" }))},
			want:    []string{`unmatched  99.98 {E2E-3} | end-to-end id "E2E-3" is known with amount 99.99 EUR, the line is 99.98 EUR`},
		},
		{
			name:    "1 same end-to-end id twice is ambiguous",
			entries: []statement.Entry{entry("12.00", tx("12.00", func(x *statement.Transaction) { x.EndToEndID = "DUP-E2E" }))},
			want:    []string{`ambiguous  12.00 {DUP-E2E} {DUP-E2E} | 2 open collections carry end-to-end id "DUP-E2E" and amount 12.00`},
		},
		{
			name: "1 collected twice: second is unmatched",
			entries: []statement.Entry{
				entry("99.99", tx("99.99", func(x *statement.Transaction) { x.EndToEndID = "E2E-3" })),
				entry("99.99", tx("99.99", func(x *statement.Transaction) { x.EndToEndID = "E2E-3" })),
			},
			want: []string{
				`matched end-to-end-id 99.99 [E2E-3 99.99/0.00] | end-to-end id "E2E-3", amount 99.99`,
				`unmatched  99.99 {E2E-3} | end-to-end id "E2E-3" is already collected`,
			},
		},
		{
			name: "1 batch booking by PmtInfId without details",
			entries: []statement.Entry{func() statement.Entry {
				e := entry("30.50")
				e.BatchID, e.BatchCount = "PMTINF-1", 2
				return e
			}()},
			want: []string{`matched batch 30.50 [PMTINF-1 30.50/0.00] | PmtInfId "PMTINF-1", 2 collections totalling 30.50`},
			check: func(t *testing.T, m *MemStore) {
				if m.Collection(1).Status != StatusCollected || m.Collection(2).Status != StatusCollected || m.Batch(1).Status != StatusCollected {
					t.Errorf("batch not collected: %s %s %s", m.Collection(1).Status, m.Collection(2).Status, m.Batch(1).Status)
				}
			},
		},
		{
			name: "1 batch booking with details matched one by one",
			entries: []statement.Entry{func() statement.Entry {
				e := entry("30.50",
					tx("10.00", func(x *statement.Transaction) { x.EndToEndID = "E2E-1" }),
					tx("20.50", func(x *statement.Transaction) { x.EndToEndID = "E2E-2" }))
				e.BatchID = "PMTINF-1"
				return e
			}()},
			want: []string{
				`matched end-to-end-id 10.00 [E2E-1 10.00/0.00] | end-to-end id "E2E-1", amount 10.00; batch: PmtInfId "PMTINF-1", 2 collections totalling 30.50`,
				`matched end-to-end-id 20.50 [E2E-2 20.50/0.00] | end-to-end id "E2E-2", amount 20.50; batch: PmtInfId "PMTINF-1", 2 collections totalling 30.50`,
			},
			check: func(t *testing.T, m *MemStore) {
				if m.Batch(1).Status != StatusCollected {
					t.Errorf("batch status %s", m.Batch(1).Status)
				}
			},
		},
		{
			name: "1 batch booking by count and exact total",
			entries: []statement.Entry{func() statement.Entry {
				e := entry("75.15")
				e.BatchCount = 3
				return e
			}()},
			want: []string{`matched batch 75.15 [PMTINF-5 75.15/0.00] | 3 collections totalling 75.15: the only open batch with that count and total (PmtInfId "PMTINF-5")`},
		},
		{
			name: "1 two batches with the same count and total are ambiguous",
			entries: []statement.Entry{func() statement.Entry {
				e := entry("50.00")
				e.BatchCount = 2
				return e
			}()},
			want: []string{`ambiguous  50.00 {PMTINF-3} {PMTINF-4} | 2 open batches hold 2 collections totalling 50.00`},
		},
		{
			name: "1 batch total differs",
			entries: []statement.Entry{func() statement.Entry {
				e := entry("30.49")
				e.BatchID, e.BatchCount = "PMTINF-1", 2
				return e
			}()},
			want: []string{`unmatched  30.49 | batch booking: PmtInfId "PMTINF-1" totals 30.50, the entry 30.49`},
		},
		{
			name: "2 return with reason reopens the collection",
			entries: []statement.Entry{
				entry("99.99", tx("99.99", func(x *statement.Transaction) { x.EndToEndID = "E2E-3" })),
				func() statement.Entry {
					e := entry("-99.99", tx("-99.99", func(x *statement.Transaction) { x.EndToEndID = "E2E-3"; x.ReturnReason = "AM04" }))
					e.Reversal = true
					return e
				}(),
			},
			want: []string{
				`matched end-to-end-id 99.99 [E2E-3 99.99/0.00] | end-to-end id "E2E-3", amount 99.99`,
				`returned return -99.99 [E2E-3 -99.99/99.99] | end-to-end id "E2E-3" returned (AM04: Insufficient funds); collection reopened`,
			},
			check: func(t *testing.T, m *MemStore) {
				c := m.Collection(3)
				if c.Status != StatusReturned || c.ReturnReason != "AM04" || c.ReturnText != "Insufficient funds" {
					t.Errorf("collection %+v", c)
				}
			},
		},
		{
			name: "2 return with charges and bank text",
			entries: []statement.Entry{entry("-102.49", tx("-102.49", func(x *statement.Transaction) {
				x.EndToEndID, x.ReturnReason, x.ReturnText, x.Charges = "E2E-3", "MD06", "Refund on request", d("2.50")
			}))},
			want: []string{`returned return -102.49 [E2E-3 -102.49/99.99] | end-to-end id "E2E-3" returned (MD06: Refund on request); collection reopened`},
		},
		{
			name: "2 return twice: second unmatched",
			entries: []statement.Entry{
				entry("-10.00", tx("-10.00", func(x *statement.Transaction) { x.EndToEndID, x.ReturnReason = "E2E-1", "AC04" })),
				entry("-10.00", tx("-10.00", func(x *statement.Transaction) { x.EndToEndID, x.ReturnReason = "E2E-1", "AC04" })),
			},
			want: []string{
				`returned return -10.00 [E2E-1 -10.00/10.00] | end-to-end id "E2E-1" returned (AC04: Account closed); collection reopened`,
				`unmatched  -10.00 {E2E-1} | end-to-end id "E2E-1" was already returned`,
			},
		},
		{
			name:    "2 return of an unknown collection",
			entries: []statement.Entry{entry("-5.00", tx("-5.00", func(x *statement.Transaction) { x.EndToEndID, x.ReturnReason = "NOPE", "MS03" }))},
			want:    []string{`unmatched  -5.00 | returned end-to-end id "NOPE" is not in the ledger`},
		},
		{
			name: "3 OGM structured reference",
			entries: []statement.Entry{entry("121.00", tx("121.00", func(x *statement.Transaction) {
				x.Reference = statement.Reference{Scheme: sepa.SchemeOGM, Value: mustOGM(2024000042)}
			}))},
			want: []string{`matched structured-reference 121.00 [INV-2024-0042 121.00/0.00] | structured reference 202400004279`},
			check: func(t *testing.T, m *MemStore) {
				if v := m.Invoice(1); v.Status != StatusPaid || !v.Open.IsZero() {
					t.Errorf("invoice %s open %s", v.Status, v.Open)
				}
			},
		},
		{
			name:    "3 OGM in the unstructured remittance, partial payment",
			entries: []statement.Entry{entry("100.00", tx("100.00", func(x *statement.Transaction) { x.Remittance = "betaling +++202/4000/04279+++ dank" }))},
			want:    []string{`matched structured-reference 100.00 [INV-2024-0042 100.00/21.00] | structured reference 202400004279; partial payment, 21.00 stays open`},
		},
		{
			name: "3 RF reference, overpayment",
			entries: []statement.Entry{entry("55.00", tx("55.00", func(x *statement.Transaction) {
				x.Reference = statement.Reference{Scheme: sepa.SchemeRF, Value: mustRF("INV100")}
			}))},
			want: []string{`matched structured-reference 55.00 [INV-100 55.00/-5.00] | structured reference RF36INV100; overpaid by 5.00`},
			check: func(t *testing.T, m *MemStore) {
				if v := m.Invoice(2); v.Status != StatusOverpaid || v.Open.String() != "-5" {
					t.Errorf("invoice %s open %s", v.Status, v.Open)
				}
			},
		},
		{
			name: "3 partial then rest",
			entries: []statement.Entry{
				entry("21.00", tx("21.00", func(x *statement.Transaction) { x.Remittance = "+++202/4000/04279+++" })),
				entry("100.00", tx("100.00", func(x *statement.Transaction) { x.Remittance = "+++202/4000/04279+++" })),
			},
			want: []string{
				`matched structured-reference 21.00 [INV-2024-0042 21.00/100.00] | structured reference 202400004279; partial payment, 100.00 stays open`,
				`matched structured-reference 100.00 [INV-2024-0042 100.00/0.00] | structured reference 202400004279`,
			},
		},
		{
			name:    "3 two open invoices share a reference and the amount: ambiguous",
			entries: []statement.Entry{entry("60.00", tx("60.00", func(x *statement.Transaction) { x.Remittance = mustOGM(777) }))},
			want:    []string{`ambiguous  60.00 {SAME-1} {SAME-2} | structured reference 000000077701: 2 invoices fit equally well`},
		},
		{
			name:    "3 two open invoices share a reference, paid together",
			entries: []statement.Entry{entry("120.00", tx("120.00", func(x *statement.Transaction) { x.Remittance = mustOGM(777) }))},
			want:    []string{`matched structured-reference 120.00 [SAME-1 60.00/0.00] [SAME-2 60.00/0.00] | structured reference 000000077701; 2 invoices whose open remainders add up to 120.00`},
		},
		{
			name:    "4 invoice number with other separators and leading zeros",
			entries: []statement.Entry{entry("80.00", tx("80.00", func(x *statement.Transaction) { x.Remittance = "Invoice nr. 2024 / 777, thanks" }))},
			want:    []string{`matched invoice-number 80.00 [2024-0777 80.00/0.00] | invoice number 2024-0777 in remittance "Invoice nr. 2024 / 777, thanks"`},
		},
		{
			name:    "4 invoice number spaced out",
			entries: []statement.Entry{entry("121.00", tx("121.00", func(x *statement.Transaction) { x.Remittance = "inv 2024 42" }))},
			want:    []string{`matched invoice-number 121.00 [INV-2024-0042 121.00/0.00] | invoice number INV-2024-0042 in remittance "inv 2024 42"`},
		},
		{
			name:    "4 two invoice numbers in one remittance, amount of both",
			entries: []statement.Entry{entry("31.00", tx("31.00", func(x *statement.Transaction) { x.Remittance = "G-107 and G-108" }))},
			want:    []string{`matched invoice-number 31.00 [G-107 15.00/0.00] [G-108 16.00/0.00] | invoice number G-107, G-108 in remittance "G-107 and G-108"; 2 invoices whose open remainders add up to 31.00`},
		},
		{
			name:    "4 two invoice numbers, amount of one",
			entries: []statement.Entry{entry("16.00", tx("16.00", func(x *statement.Transaction) { x.Remittance = "G-107 G-108" }))},
			want:    []string{`matched invoice-number 16.00 [G-108 16.00/0.00] | invoice number G-107, G-108 in remittance "G-107 G-108"`},
		},
		{
			name:    "4 two invoice numbers, amount of neither: ambiguous",
			entries: []statement.Entry{entry("20.00", tx("20.00", func(x *statement.Transaction) { x.Remittance = "G-107 G-108" }))},
			want:    []string{`ambiguous  20.00 {G-107} {G-108} | invoice number G-107, G-108 in remittance "G-107 G-108": 2 invoices fit equally well`},
		},
		{
			name: "5 IBAN and exact amount in the date window",
			entries: []statement.Entry{entry("70.00", tx("70.00", func(x *statement.Transaction) {
				x.Counterparty = statement.Party{Name: "Charlie", IBAN: "NL91 ABNA 0417 1643 00"}
			}))},
			want: []string{`matched iban-amount 70.00 [C-3 70.00/0.00] | counterparty IBAN NL91ABNA0417164300, exact amount 70.00, due 2024-03-20`},
		},
		{
			name: "5 IBAN and exact amount outside the window: unmatched with closest",
			entries: []statement.Entry{func() statement.Entry {
				e := entry("70.00", tx("70.00", func(x *statement.Transaction) { x.Counterparty.IBAN = ibanC }))
				e.BookingDate = day("2025-01-01")
				return e
			}()},
			want: []string{`unmatched  70.00 {C-3} {C-2} {C-1} | no rule matched; closest open invoices of the counterparty listed`},
		},
		{
			name:    "5 two invoices of the same amount: ambiguous",
			entries: []statement.Entry{entry("40.00", tx("40.00", func(x *statement.Transaction) { x.Counterparty.IBAN = ibanD }))},
			want:    []string{`ambiguous  40.00 {D-1} {D-2} | 2 open invoices of counterparty IBAN DE89370400440532013000 are due for exactly 40.00`},
		},
		{
			name:    "6 one payment for two invoices",
			entries: []statement.Entry{entry("75.00", tx("75.00", func(x *statement.Transaction) { x.Counterparty.IBAN = ibanC }))},
			want:    []string{`matched subset-sum 75.00 [C-1 30.00/0.00] [C-2 45.00/0.00] | counterparty IBAN NL91ABNA0417164300; open invoices C-1 + C-2 add up to exactly 75.00`},
		},
		{
			name:    "6 several subsets: ambiguous",
			entries: []statement.Entry{entry("50.00", tx("50.00", func(x *statement.Transaction) { x.Counterparty.IBAN = ibanE }))},
			want:    []string{`ambiguous  50.00 {E-1} {E-4} {E-2} {E-3} | counterparty IBAN FR1420041010050500013M02606: several sets of open invoices add up to 50.00`},
		},
		{
			name:    "nothing fits",
			entries: []statement.Entry{entry("1.23", tx("1.23", func(x *statement.Transaction) { x.Remittance = "gift" }))},
			want:    []string{`unmatched  1.23 | no rule matched`},
		},
		{
			name:    "debit that is no return",
			entries: []statement.Entry{entry("-7.00", tx("-7.00", nil))},
			want:    []string{`unmatched  -7.00 | debit that is not a return of a collection`},
		},
		{
			name: "details that do not add up leave a residual",
			entries: []statement.Entry{entry("100.00",
				tx("60.00", func(x *statement.Transaction) { x.Remittance = mustOGM(777) }),
				tx("30.00", func(x *statement.Transaction) { x.Counterparty.IBAN = ibanE }))},
			want: []string{
				`ambiguous  60.00 {SAME-1} {SAME-2} | structured reference 000000077701: 2 invoices fit equally well`,
				`matched iban-amount 30.00 [E-3 30.00/0.00] | counterparty IBAN FR1420041010050500013M02606, exact amount 30.00, due 2024-03-03`,
				`unmatched  10.00 | transaction details add up to 90.00, the entry to 100.00: the difference stays unmatched`,
			},
		},
		{
			name: "unsigned detail amounts under a debit entry",
			entries: []statement.Entry{entry("-35.00",
				tx("10.00", func(x *statement.Transaction) { x.EndToEndID, x.ReturnReason = "E2E-1", "MD01" }),
				tx("25.00", func(x *statement.Transaction) { x.EndToEndID, x.ReturnReason = "E2E-31", "AC01" }))},
			want: []string{
				`returned return -10.00 [E2E-1 -10.00/10.00] | end-to-end id "E2E-1" returned (MD01: No mandate (unauthorised transaction)); collection reopened`,
				`returned return -25.00 [E2E-31 -25.00/25.00] | end-to-end id "E2E-31" returned (AC01: Account identifier incorrect (invalid IBAN)); collection reopened`,
			},
		},
	}
}

func TestRules(t *testing.T) {
	for _, tc := range ruleCases() {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture()
			eng := NewEngine(m, Options{})
			var got []string
			var sum Summary
			for i := range tc.entries {
				res, err := eng.Reconcile(&tc.entries[i])
				if err != nil {
					t.Fatal(err)
				}
				sum.Add(res)
				for _, l := range res.Lines {
					got = append(got, render(l))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if !sum.Balanced() {
				t.Errorf("summary does not balance: %+v", sum)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

func TestNumberKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"INV-2024-0042", "INV.2024.42"},
		{"inv 2024/42", "INV.2024.42"},
		{"INV2024 042", "INV.2024.42"},
		{"000123", "123"},
		{"12-345", "12.345"},
		{"123-45", "123.45"},
		{"0", "0"},
		{"", ""},
	} {
		if got := NumberKey(tc.in); got != tc.want {
			t.Errorf("NumberKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got := strings.Join(RemittanceKeys("Inv. nr 2024 / 0042"), " ")
	want := "INV.NR.2024 INV.NR.2024.42 NR.2024 NR.2024.42 2024 2024.42" // "42" alone is too short
	if got != want {
		t.Errorf("RemittanceKeys = %q, want %q", got, want)
	}
}

func TestReferencesInText(t *testing.T) {
	got := ReferencesInText("pay +++202/4000/04279+++ or RF36 INV1 00 please, not 202400004278")
	if strings.Join(got, " ") != "202400004279 RF36INV100" {
		t.Errorf("got %q", got)
	}
}

func TestReturnReasonText(t *testing.T) {
	for code, want := range map[string]string{"AM04": "Insufficient funds", "md06": "Refund requested by the debtor (authorised transaction)", "AC04": "Account closed", "MS03": "Reason not specified by the bank"} {
		if got, ok := ReturnReasonText(code); !ok || got != want {
			t.Errorf("%s: %q %v", code, got, ok)
		}
	}
	if _, ok := ReturnReasonText("ZZ99"); ok {
		t.Error("ZZ99 known")
	}
	if n := len(ReturnReasonCodes()); n != 33 {
		t.Errorf("%d codes", n)
	}
}

func TestSubsetSearchIsBounded(t *testing.T) {
	m := NewMemStore()
	for i := 0; i < 60; i++ {
		m.AddInvoice(Invoice{Number: fmt.Sprintf("N-%d", 1000+i), CustomerIBANs: []string{ibanC}, Amount: d("1.01"), Currency: "EUR", DueDate: day("2024-03-01")})
	}
	eng := NewEngine(m, Options{MaxSubsetSteps: 1000})
	e := entry("3.03", tx("3.03", func(x *statement.Transaction) { x.Counterparty.IBAN = ibanC }))
	res, err := eng.Reconcile(&e)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Lines[0].Outcome; got != Ambiguous {
		t.Errorf("outcome %s", got)
	}
}

func parseAmountLoose(s string) (decimal.Decimal, error) { return decimal.NewFromString(s) }
