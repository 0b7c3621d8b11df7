package ubl

import (
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/sepa"
)

func TestDirectDebitFromFile(t *testing.T) {
	inv := mustReadFile(t, "testdata/invoice-sdd.xml")
	dd, ok := inv.DirectDebit()
	if !ok {
		t.Fatalf("not collectable: %s", dd.Reason)
	}
	if dd.Means != "59" || dd.MandateID != "MND-0001" || dd.DebtorIBAN != "BE68539007547034" || dd.Amount.StringFixed(2) != "214.90" ||
		dd.Currency != "EUR" || dd.EndToEndID != "INV/2024/0042" || dd.Remittance != "+++123/4567/89002+++" ||
		dd.CreditorReference != "123456789002" || dd.ReferenceScheme != sepa.SchemeOGM || dd.DebtorName != "Klant Belgie BV" ||
		dd.DueDate.Format("2006-01-02") != "2024-03-31" || dd.Reason != "" {
		t.Errorf("%+v", dd)
	}
	if err := sepa.ValidateID(dd.EndToEndID); err != nil {
		t.Error(err)
	}
}

func TestDirectDebit(t *testing.T) {
	base := func() *Invoice {
		return &Invoice{Number: "F-2024-001", Currency: "EUR", Totals: MonetaryTotal{PayableAmount: amt("120.50", 5)},
			Customer:     Customer{Party: Party{Name: "Jürgen Müller"}},
			PaymentMeans: []PaymentMeans{{Code: "59", Mandate: &Mandate{ID: "M-7", PayerAccount: FinancialAccount{ID: "BE68 5390 0754 7034"}}}}}
	}
	tests := []struct {
		name                           string
		change                         func(inv *Invoice)
		ok                             bool
		means, e2e, remittance, reason string
	}{
		{"59 with mandate", func(*Invoice) {}, true, "59", "F-2024-001", "F-2024-001", ""},
		{"49 with mandate", func(inv *Invoice) { inv.PaymentMeans[0].Code = "49" }, true, "49", "F-2024-001", "F-2024-001", ""},
		{"RF reference is the remittance", func(inv *Invoice) {
			inv.PaymentMeans[0].PaymentIDs = []Text{{Value: "RF18 5390 0754 7034"}}
		}, true, "59", "F-2024-001", "RF18539007547034", ""},
		{"malformed OGM: the invoice number is", func(inv *Invoice) {
			inv.PaymentMeans[0].PaymentIDs = []Text{{Value: "+++123/4567/89003+++"}}
		}, true, "59", "F-2024-001", "F-2024-001", ""},
		{"59 without mandate", func(inv *Invoice) { inv.PaymentMeans[0].Mandate = nil }, false, "59", "", "",
			"payment means 59 (SEPA direct debit) without a mandate (cac:PaymentMandate/cbc:ID)"},
		{"49 without mandate", func(inv *Invoice) { inv.PaymentMeans[0].Code = "49"; inv.PaymentMeans[0].Mandate = nil }, false, "49", "", "",
			"payment means 49 (direct debit) without a mandate (cac:PaymentMandate/cbc:ID)"},
		{"credit transfer", func(inv *Invoice) { inv.PaymentMeans[0].Code = "30" }, false, "", "", "",
			"the invoice does not ask for a direct debit (payment means 59, or 49 with a mandate)"},
		{"credit note never", func(inv *Invoice) { inv.IsCreditNote = true }, false, "", "", "", "a credit note is never collected"},
		{"invoice typed as credit note never", func(inv *Invoice) { inv.TypeCode = "381" }, false, "", "", "", "a credit note (type code 381) is never collected"},
		{"no debtor IBAN", func(inv *Invoice) { inv.PaymentMeans[0].Mandate.PayerAccount.ID = "" }, false, "59", "F-2024-001", "F-2024-001",
			"no debtor IBAN (cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID)"},
		{"bad debtor IBAN", func(inv *Invoice) { inv.PaymentMeans[0].Mandate.PayerAccount.ID = "BE68539007547035" }, false, "59", "F-2024-001", "F-2024-001",
			`debtor IBAN "BE68539007547035": IBAN check digits do not verify (ISO 13616 mod 97)`},
		{"mandate id with //", func(inv *Invoice) { inv.PaymentMeans[0].Mandate.ID = "M//7" }, false, "59", "F-2024-001", "F-2024-001",
			`mandate id "M//7": identifier must not start or end with '/' nor contain '//' (EPC implementation guidelines)`},
		{"not EUR", func(inv *Invoice) { inv.Currency = "DKK" }, false, "59", "F-2024-001", "F-2024-001", `currency "DKK": SEPA direct debits are in EUR`},
		{"nothing due", func(inv *Invoice) { inv.Totals.PayableAmount = amt("0.00", 5) }, false, "59", "F-2024-001", "F-2024-001",
			"amount due 0.00 is not positive: nothing to collect"},
		{"amount with 3 decimals", func(inv *Invoice) { inv.Totals.PayableAmount = amt("10.005", 5) }, false, "59", "F-2024-001", "F-2024-001",
			"amount due 10.005: amount has more than 2 decimals"},
		{"accented, long number", func(inv *Invoice) { inv.Number = "Facture n°2024/ÉTÉ//0001 pour Müller & Fils SPRL" }, true, "59",
			"Facture n2024/ETE/0001 pou-2f16fbef", "Facture n2024/ETE//0001 pour Muller + Fils SPRL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := base()
			tt.change(inv)
			dd, ok := inv.DirectDebit()
			if ok != tt.ok || dd.Means != tt.means || dd.EndToEndID != tt.e2e || dd.Remittance != tt.remittance || dd.Reason != tt.reason {
				t.Errorf("got ok=%v means=%q e2e=%q remittance=%q reason=%q", ok, dd.Means, dd.EndToEndID, dd.Remittance, dd.Reason)
			}
			if ok && (dd.MandateID == "" || dd.DebtorIBAN != "BE68539007547034" || dd.DebtorName != "Jurgen Muller" || !dd.Amount.Equal(inv.Totals.PayableAmount.Value)) {
				t.Errorf("%+v", dd)
			}
			if dd.EndToEndID != "" {
				if err := sepa.ValidateID(dd.EndToEndID); err != nil {
					t.Errorf("end-to-end id %q: %v", dd.EndToEndID, err)
				}
			}
		})
	}
}

func TestEndToEndID(t *testing.T) {
	tests := map[string]string{
		"":                      "",
		"  /INV-1/ ":            "INV-1",
		"A//B":                  "A/B",
		"Ŝ#1":                   "S1",
		strings.Repeat("9", 35): strings.Repeat("9", 35),
	}
	for in, want := range tests {
		if got := EndToEndID(in); got != want {
			t.Errorf("EndToEndID(%q) = %q, want %q", in, got, want)
		}
	}
	a, b := EndToEndID(strings.Repeat("X", 40)+"1"), EndToEndID(strings.Repeat("X", 40)+"2")
	if a == b || len(a) != 35 || len(b) != 35 {
		t.Errorf("long numbers %q %q", a, b)
	}
}
