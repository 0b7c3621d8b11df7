package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

const ublTestInvoice = "../../pkg/ubl/testdata/invoice-sdd.xml"

func TestInspectUBL(t *testing.T) {
	code, out, _ := batchtool(t, "inspect", ublTestInvoice)
	want := []string{
		ublTestInvoice + ": ubl Invoice\n",
		"  number:       INV/2024/0042 (Invoice type 380)\n",
		"  customer no:  CUST-0042 (step 1 of 5: cac:AccountingCustomerParty/cbc:SupplierAssignedAccountID)\n",
		"  dates:        issued 2024-03-01, due 2024-03-31\n",
		"  totals:       lines 198.04, allowances 8.04, without VAT 190.00, with VAT 214.90, VAT 24.90 EUR\n",
		"  payable:      214.90 EUR (3 lines)\n",
		"  payment:      59 (SEPA direct debit), ref +++123/4567/89002+++, instruction INV-2024-0042, mandate MND-0001, from BE68539007547034\n",
		"  platform:     number=INV/2024/0042 amount=214.90 date=2024-03-01 duedate=2024-03-31 customerNumber=CUST-0042 remittance=INV-2024-0042 ",
		"  collect:      mandate MND-0001, debtor BE68539007547034, 214.90 EUR, end-to-end INV/2024/0042, remittance +++123/4567/89002+++\n",
		"findings: none\n",
	}
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}

	code, out, _ = batchtool(t, "inspect", "--json", ublTestInvoice)
	var got []struct {
		Format  string
		Summary struct {
			Number  string
			Mapping struct {
				Amount         string
				CustomerNumber string `json:"customerNumber"`
			}
			DirectDebit struct {
				EndToEndID string `json:"end_to_end_id"`
			} `json:"direct_debit"`
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || len(got) != 1 {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if s := got[0].Summary; got[0].Format != "ubl Invoice" || s.Number != "INV/2024/0042" || s.Mapping.Amount != "214.90" ||
		s.Mapping.CustomerNumber != "CUST-0042" || s.DirectDebit.EndToEndID != "INV/2024/0042" {
		t.Errorf("%+v", got[0])
	}
}

func TestInspectUBLBroken(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cut.xml")
	b, _ := os.ReadFile(ublTestInvoice)
	os.WriteFile(p, b[:len(b)/2], 0o644)
	code, out, _ := batchtool(t, "inspect", p)
	if code != 1 || !strings.Contains(out, p+":73: error: not well-formed XML: unexpected EOF [XML]") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestInvoiceCheck(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile(ublTestInvoice)
	os.WriteFile(filepath.Join(dir, "ok.xml"), b, 0o644)
	bad := strings.Replace(string(b), `<cbc:PayableAmount currencyID="EUR">214.90</cbc:PayableAmount>`, `<cbc:PayableAmount currencyID="EUR">214.99</cbc:PayableAmount>`, 1)
	bad = strings.Replace(bad, "<cbc:SupplierAssignedAccountID>CUST-0042</cbc:SupplierAssignedAccountID>", "", 1)
	bad = strings.Replace(bad, "<cac:PartyIdentification><cbc:ID>BE0123456749</cbc:ID></cac:PartyIdentification>", "", 1)
	os.WriteFile(filepath.Join(dir, "bad.xml"), []byte(bad), 0o644)

	code, out, _ := batchtool(t, "invoice", "check", filepath.Join(dir, "ok.xml"))
	if code != 0 || !strings.Contains(out, "1 file(s), 0 with errors; payable 214.90 EUR") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out, _ = batchtool(t, "invoice", "check", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 6 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for i, want := range []string{
		"FILE NUMBER CUSTOMER CUSTOMER NO PAYABLE CURRENCY ERRORS WARNINGS",
		filepath.Join(dir, "bad.xml") + " INV/2024/0042 Klant België BV - 214.99 EUR 2 0",
		filepath.Join(dir, "ok.xml") + " INV/2024/0042 Klant België BV CUST-0042 214.90 EUR 0 0",
		"2 file(s), 1 with errors; payable 214.90 EUR (files without errors; credit notes count negative)",
		filepath.Join(dir, "bad.xml") + `:107: error: /Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount "214.99": amount due for payment (BT-115) must equal the total with VAT − paid amount + rounding amount: stated 214.99, computed 214.90 [BR-CO-16]`,
		filepath.Join(dir, "bad.xml") + `:41: error: /Invoice/cac:AccountingCustomerParty "": no customer reference: the platform cannot import the invoice without one of cbc:SupplierAssignedAccountID, cbc:AdditionalAccountID, cac:Party/cac:PartyIdentification/cbc:ID, cac:Party/cac:PartyIdentification/cbc:CompanyID, cbc:CustomerAssignedAccountID [Twikey UBL]`,
	} {
		if got := strings.Join(strings.Fields(lines[i]), " "); got != want {
			t.Errorf("line %d\n got %s\nwant %s", i, got, want)
		}
	}
	if code, _, errOut := batchtool(t, "invoice", "check", t.TempDir()); code != 2 || !strings.Contains(errOut, "no UBL files") {
		t.Errorf("empty dir: exit %d %s", code, errOut)
	}
}

func TestInvoiceCheckCorpus(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "corpus", "ubl")
	code, out, _ := batchtool(t, "invoice", "check", "--quiet", dir)
	if code != 1 || !strings.Contains(out, "30 file(s), 9 with errors;") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}
