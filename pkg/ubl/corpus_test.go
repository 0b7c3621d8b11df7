package ubl

import (
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/finding"
)

// corpusFacts are the values of every UBL file in the shared corpus: the
// header and LegalMonetaryTotal values match shared/corpus/MANIFEST.md; the
// error rules are those EN 16931 breaks (the OASIS examples are not EN 16931
// invoices: no CustomizationID; the full OASIS example states totals that do
// not add up, 1436.5 + 292.20 written as 1729, and 1729 − 1000 + 0.30 as 729).
// The customer number is what the platform's precedence gives (no corpus
// file carries an account id, so step 3, PartyIdentification/ID, or none).
var corpusFacts = []struct {
	file, root, number, currency, payable string
	lines                                 int
	customerNumber                        string
	step                                  int
	errorRules                            []string
}{
	{"en16931-ubl-bis3-positive.xml", "Invoice", "12345", "DKK", "782179.43", 1, "DK87654321", 3, nil},
	{"en16931-ubl-discount-price.xml", "Invoice", "test decimal 1", "EUR", "15.15", 1, "12346830600751", 3, nil},
	{"en16931-ubl-example1.xml", "Invoice", "12115118", "EUR", "250.33", 20, "10202", 3, nil},
	{"en16931-ubl-example10.xml", "Invoice", "12115118", "EUR", "250.33", 20, "10202", 3, nil},
	{"en16931-ubl-example3.xml", "Invoice", "TOSL108", "DKK", "2005.00", 2, "5790000435975", 3, nil},
	{"en16931-ubl-example4.xml", "Invoice", "TOSL110", "DKK", "4675.00", 3, "5790000436057", 3, nil},
	{"en16931-ubl-example5.xml", "Invoice", "TOSL110", "DKK", "2337.50", 3, "5790000436057", 3, nil},
	{"en16931-ubl-example6.xml", "Invoice", "TOSL110", "DKK", "4675.00", 3, "", 0, nil},
	{"en16931-ubl-example7.xml", "Invoice", "INVOICE_test_7", "SEK", "3200.00", 2, "", 0, nil},
	{"en16931-ubl-example9.xml", "Invoice", "20150483", "EUR", "177.87", 1, "", 0, nil},
	{"en16931-ubl-guide-example1.xml", "Invoice", "12115118", "EUR", "250.33", 20, "10202", 3, nil},
	{"en16931-ubl-guide-example2.xml", "Invoice", "TOSL108", "NOK", "801.78", 5, "3456789012098", 3, nil},
	{"en16931-ubl-guide-example3.xml", "Invoice", "TOSL108", "DKK", "1125.00", 2, "5790000435975", 3, nil},
	{"en16931-ubl-it-large-attachment.xml", "Invoice", "1316/85", "EUR", "1246.00", 1, "", 0, nil},
	{"oasis-ubl21-invoice-example.xml", "Invoice", "TOSL108", "EUR", "729", 5, "345KS5324", 3, []string{"BR-01", "BR-CO-15", "BR-CO-16"}},
	{"oasis-ubl21-invoice-trivial.xml", "Invoice", "123", "", "100.00", 1, "", 0, []string{"BR-01", "BR-04", "BR-05", "BR-06", "BR-07", "BR-08", "BR-10", "BR-12", "BR-13", "BR-14", "BR-22", "BR-25", "BR-26", "BR-CO-04", "BR-CO-18", "BR-CO-25"}},
	{"peppol-bis3-base-example.xml", "Invoice", "Snippet1", "EUR", "1656.25", 2, "FR23342", 3, nil},
	{"peppol-bis3-creditnote-correction.xml", "CreditNote", "Snippet1", "EUR", "1656.25", 2, "FR23342", 3, nil},
	{"peppol-bis3-gr-base.xml", "Invoice", "061828591|01/10/2020|0|1.1|0|1", "EUR", "1656.25", 2, "FR23342", 3, nil},
	{"peppol-bis3-no-example.xml", "Invoice", "TOSL108", "NOK", "802.00", 5, "3456789012098", 3, nil},
	{"peppol-bis3-sales-order-example.xml", "Invoice", "Snippet1", "EUR", "1656.25", 2, "FR23342", 3, nil},
	{"peppol-bis3-snippet-calc.xml", "Invoice", "Snippet1", "EUR", "6125.00", 3, "FR23342", 3, nil},
	{"peppol-bis3-snippet-creditnote.xml", "CreditNote", "Snippet1", "EUR", "4000", 1, "FR23342", 3, nil},
	{"peppol-bis3-snippet-giro.xml", "Invoice", "Snippet1", "EUR", "3762.50", 1, "FR23342", 3, nil},
	{"peppol-bis3-snippet-payment-card.xml", "Invoice", "Snippet1", "EUR", "3762.50", 1, "FR23342", 3, nil},
	{"peppol-bis3-snippet-price.xml", "Invoice", "Snippet1", "EUR", "6125.00", 3, "FR23342", 3, nil},
	{"peppol-bis3-vat-category-e.xml", "Invoice", "Vat-Z", "GBP", "1200.00", 1, "", 0, nil},
	{"peppol-bis3-vat-category-o.xml", "Invoice", "Vat-O", "SEK", "3200.00", 1, "", 0, nil},
	{"peppol-bis3-vat-category-s.xml", "Invoice", "Snippet1", "EUR", "8550", 3, "FR23342", 3, nil},
	{"peppol-bis3-vat-category-z.xml", "Invoice", "Vat-Z", "GBP", "1200.00", 1, "", 0, nil},
}

func TestCorpus(t *testing.T) {
	files := testutil.Corpus(t, "ubl")
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if len(names) != len(corpusFacts) {
		t.Errorf("corpus has %d UBL files, the table %d: %v", len(names), len(corpusFacts), names)
	}
	dir := filepath.Dir(files[0])
	for _, want := range corpusFacts {
		t.Run(want.file, func(t *testing.T) {
			if !slices.Contains(names, want.file) {
				t.Skipf("%s not in the corpus", want.file)
			}
			inv := mustReadFile(t, filepath.Join(dir, want.file))
			if inv.Root() != want.root || inv.Number != want.number || inv.Currency != want.currency ||
				inv.Totals.PayableAmount.Text != want.payable || len(inv.Lines) != want.lines {
				t.Errorf("got %s %q %q payable %q, %d lines", inv.Root(), inv.Number, inv.Currency, inv.Totals.PayableAmount.Text, len(inv.Lines))
			}
			var rules []string
			for _, f := range inv.Check() {
				if f.Severity == finding.Error && !slices.Contains(rules, f.Rule) {
					rules = append(rules, f.Rule)
				}
				if f.File == "" || f.Line == 0 || f.Path == "" || f.Rule == "" {
					t.Errorf("finding without position, path or rule: %+v", f)
				}
			}
			sort.Strings(rules)
			if !slices.Equal(rules, want.errorRules) {
				t.Errorf("error rules %q, want %q", rules, want.errorRules)
			}
			m, mf := inv.Mapping()
			if m.CustomerNumber != want.customerNumber || m.CustomerNumberStep != want.step {
				t.Errorf("customer number %q step %d", m.CustomerNumber, m.CustomerNumberStep)
			}
			if mf.HasErrors() != (want.step == 0) {
				t.Errorf("mapping findings %v", mf)
			}
		})
	}
}

func TestCorpusDetails(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "corpus", "ubl")
	// The 3 MB base64 PDF is measured, not held; what follows keeps its lines.
	inv := mustReadFile(t, filepath.Join(dir, "en16931-ubl-it-large-attachment.xml"))
	if len(inv.Attachments) != 1 || inv.Attachments[0].Filename != "mappatura_ubl_sdi.pdf" || inv.Attachments[0].Size != 2464230 || inv.Attachments[0].Line != 38 {
		t.Errorf("attachments %+v", inv.Attachments)
	}
	if inv.Totals.PayableAmount.Line != 124 || inv.Totals.PrepaidAmount.Text != "274.12" {
		t.Errorf("payable at line %d, prepaid %q", inv.Totals.PayableAmount.Line, inv.Totals.PrepaidAmount.Text)
	}

	// The full OASIS example: exact texts of its arithmetic errors.
	inv = mustReadFile(t, filepath.Join(dir, "oasis-ubl21-invoice-example.xml"))
	var got []string
	for _, f := range inv.Check() {
		f.File = filepath.Base(f.File)
		got = append(got, f.String())
	}
	want := []string{
		`oasis-ubl21-invoice-example.xml:4: error: /Invoice/cbc:CustomizationID "": specification identifier (BT-24) is missing [BR-01]`,
		`oasis-ubl21-invoice-example.xml:259: warning: /Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount "1273": line net amount: stated 1273, computed 1271.00 (1 × 1273 / 1 + 10.00 − 12.00 = 1271); EN 16931 itself has no rule for it, Peppol BIS 3 rejects it [PEPPOL-EN16931-R120]`,
		`oasis-ubl21-invoice-example.xml:248: error: /Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount "1729": invoice total with VAT (BT-112) must equal the total without VAT + the total VAT amount: stated 1729, computed 1728.70 [BR-CO-15]`,
		`oasis-ubl21-invoice-example.xml:253: error: /Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount "729": amount due for payment (BT-115) must equal the total with VAT − paid amount + rounding amount: stated 729, computed 729.30 [BR-CO-16]`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n%s\nwant\n%s", joinLines(got), joinLines(want))
	}

	// Example 5 asks for a direct debit (49 with a mandate) in DKK from a
	// made-up IBAN: not collectable, and said why.
	inv = mustReadFile(t, filepath.Join(dir, "en16931-ubl-example5.xml"))
	dd, ok := inv.DirectDebit()
	if ok || dd.Means != "49" || dd.MandateID != "123456" || dd.Reason != `debtor IBAN "DK1212341234123412": IBAN check digits do not verify (ISO 13616 mod 97)` {
		t.Errorf("direct debit %v %+v", ok, dd)
	}
}

func joinLines(ss []string) string {
	out := ""
	for _, s := range ss {
		out += "  " + s + "\n"
	}
	return out
}
