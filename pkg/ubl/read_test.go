package ubl

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/finding"
)

func mustReadFile(t testing.TB, path string) *Invoice {
	t.Helper()
	inv, fl, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", path, err)
	}
	if len(fl) > 0 {
		t.Fatalf("ReadFile(%s): findings %v", path, fl)
	}
	return inv
}

func TestReadInvoiceSDD(t *testing.T) {
	inv := mustReadFile(t, "testdata/invoice-sdd.xml")
	if inv.IsCreditNote || inv.Number != "INV/2024/0042" || inv.TypeCode != "380" || inv.Currency != "EUR" {
		t.Fatalf("header: %+v", inv)
	}
	if !inv.IssueDate.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) || !inv.DueDate.Equal(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("dates %v %v", inv.IssueDate, inv.DueDate)
	}
	if got := inv.Totals.PayableAmount; got.Text != "214.90" || got.Value.String() != "214.9" || got.Currency != "EUR" || got.Line != 107 {
		t.Fatalf("payable %+v", got)
	}
	if len(inv.Attachments) != 1 {
		t.Fatalf("attachments %+v", inv.Attachments)
	}
	if a := inv.Attachments[0]; a.ID != "ATT-1" || a.Filename != "invoice.pdf" || a.MimeCode != "application/pdf" || a.Size != 201 || a.Line != 17 {
		t.Fatalf("attachment %+v", a)
	}
	// Lines after the multi-line attachment keep their file line numbers.
	if len(inv.Lines) != 3 || inv.Lines[0].Line != 109 || inv.Lines[1].Line != 125 || inv.Lines[2].Line != 152 {
		t.Fatalf("lines %d, at %d %d %d", len(inv.Lines), inv.Lines[0].Line, inv.Lines[1].Line, inv.Lines[2].Line)
	}
	l := inv.Lines[1]
	if l.ID != "2" || l.Quantity.Text != "10" || l.Quantity.UnitCode != "KGM" || l.Price.Amount.Text != "25.00" ||
		l.Price.BaseQuantity.Text != "4" || len(l.AllowanceCharges) != 2 || l.AllowanceCharges[1].Amount.Text != "1.00" ||
		!l.AllowanceCharges[1].ChargeIndicator || l.Item.Name != "Coffee beans" || l.Item.TaxCategory.ID != "S" || l.Item.TaxCategory.Percent.Text != "21" {
		t.Fatalf("line 2 %+v", l)
	}
	c := inv.Customer
	if c.SupplierAssignedAccountID != "CUST-0042" || c.Name != "Klant BV" || c.RegistrationName != "Klant België BV" ||
		c.Language != "nl" || c.Address.CityName != "Brugge" || c.Address.Country != "BE" || c.Contact.ElectronicMail != "an@klant.example" ||
		len(c.Identifications) != 1 || c.Identifications[0] != "BE0123456749" {
		t.Fatalf("customer %+v", c)
	}
	if inv.Supplier.VATID != "BE0456789123" || inv.Supplier.RegistrationName != "Leverancier NV" {
		t.Fatalf("supplier %+v", inv.Supplier)
	}
	pm := inv.PaymentMeans[0]
	if pm.Code != "59" || pm.CodeName != "SEPA direct debit" || pm.InstructionID != "INV-2024-0042" || len(pm.PaymentIDs) != 1 ||
		pm.PaymentIDs[0].Value != "+++123/4567/89002+++" || pm.PaymentIDs[0].Line != 65 ||
		pm.Mandate == nil || pm.Mandate.ID != "MND-0001" || pm.Mandate.PayerAccount.ID != "BE68539007547034" {
		t.Fatalf("payment means %+v", pm)
	}
	if len(inv.TaxTotals) != 1 || len(inv.TaxTotals[0].Subtotals) != 2 || inv.TaxTotals[0].Subtotals[1].TaxAmount.Text != "6.00" {
		t.Fatalf("tax %+v", inv.TaxTotals)
	}
	if fl := inv.Check(); len(fl) != 0 {
		t.Fatalf("Check: %v", fl)
	}
	if fl := inv.Validate(); len(fl) != 0 {
		t.Fatalf("Validate: %v", fl)
	}
}

func TestTestdataSchemaValid(t *testing.T) {
	testutil.Xmllint(t, testutil.XSD(t, "ubl-2.1", "maindoc", "UBL-Invoice-2.1.xsd"), "testdata/invoice-sdd.xml")
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		err       string   // full error text, "" for none
		findings  []string // full finding texts
	}{
		{"not xml", "hello", "x.xml:1: error: not a UBL 2.1 Invoice or CreditNote: no root element", nil},
		{"other root", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"/>", "x.xml:1: error: /Document \"\": not a UBL 2.1 Invoice or CreditNote: root element is Document", nil},
		{"truncated", "<Invoice xmlns=\"" + NSInvoice + "\">\n<cbc:ID xmlns:cbc=\"x\">1</cbc:ID>\n<cac:LegalMonetaryTotal", "x.xml:3: error: not well-formed XML: unexpected EOF [XML]", nil},
		{"mismatched", "<Invoice xmlns=\"" + NSInvoice + "\">\n<a></b></Invoice>", "x.xml:2: error: not well-formed XML: element <a> closed by </b> [XML]", nil},
		{"two roots", "<Invoice xmlns=\"" + NSInvoice + "\"/>\n<Invoice/>", "x.xml:2: error: a second root element: one document per file [XML]", nil},
		{"bad values", `<Invoice xmlns="` + NSInvoice + `" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
<cbc:IssueDate>01/02/2024</cbc:IssueDate>
<cac:AllowanceCharge><cbc:ChargeIndicator>yes</cbc:ChargeIndicator><cbc:Amount currencyID="EUR">1,50</cbc:Amount></cac:AllowanceCharge>
<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">1e3</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>`, "", []string{
			`x.xml:2: error: /Invoice/cbc:IssueDate "01/02/2024": not a date (YYYY-MM-DD) [XSD]`,
			`x.xml:3: error: /Invoice/cac:AllowanceCharge/cbc:ChargeIndicator "yes": not a boolean (true or false) [XSD]`,
			`x.xml:3: error: /Invoice/cac:AllowanceCharge/cbc:Amount "1,50": not a decimal number [XSD]`,
			`x.xml:4: error: /Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount "1e3": not a decimal number [XSD]`,
		}},
		{"wrong namespace", `<Invoice xmlns="urn:example"/>`, "", []string{
			`x.xml:1: warning: /Invoice "urn:example": root element namespace should be urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 [XSD]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fl, err := Read(strings.NewReader(tt.doc), "x.xml")
			got := ""
			if err != nil {
				got = err.Error()
				if _, ok := err.(finding.Finding); !ok {
					t.Errorf("error is %T, want finding.Finding", err)
				}
			}
			if got != tt.err {
				t.Errorf("error\n got %q\nwant %q", got, tt.err)
			}
			var texts []string
			for _, f := range fl {
				texts = append(texts, f.String())
			}
			if strings.Join(texts, "\n") != strings.Join(tt.findings, "\n") {
				t.Errorf("findings\n got %q\nwant %q", texts, tt.findings)
			}
		})
	}
}

func TestReadLatin1AndCreditNote(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<CreditNote xmlns=\"" + NSCreditNote + "\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\" xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\">" +
		"<cbc:ID>CN-1</cbc:ID><cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" +
		"<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>INV-9</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>" +
		"<cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Caf\xe9 Ren\xe9</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>" +
		"<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentDueDate>2024-05-02</cbc:PaymentDueDate></cac:PaymentMeans>" +
		"<cac:CreditNoteLine><cbc:ID>1</cbc:ID><cbc:CreditedQuantity unitCode=\"EA\">2</cbc:CreditedQuantity></cac:CreditNoteLine></CreditNote>"
	inv, fl, err := Read(strings.NewReader(doc), "cn.xml")
	if err != nil || len(fl) != 0 {
		t.Fatalf("%v %v", err, fl)
	}
	if !inv.IsCreditNote || inv.Root() != "CreditNote" || inv.TypeCode != "381" || inv.Customer.Name != "Café René" ||
		inv.BillingReferences[0] != "INV-9" || inv.DueDate.Format(time.DateOnly) != "2024-05-02" || inv.Lines[0].Quantity.Text != "2" {
		t.Fatalf("%+v", inv)
	}
}

func TestReadSBDEnvelope(t *testing.T) {
	body, err := os.ReadFile("testdata/invoice-sdd.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(body), "<Invoice ", `<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
<StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion><Sender><Identifier>0208:0456789123</Identifier></Sender></StandardBusinessDocumentHeader>
<Invoice `, 1) + "</StandardBusinessDocument>\n"
	inv, fl, err := Read(strings.NewReader(doc), "sbd.xml")
	if err != nil || len(fl) != 0 {
		t.Fatal(err, fl)
	}
	if inv.Number != "INV/2024/0042" || inv.Totals.PayableAmount.Line != 109 || len(inv.Validate()) != 0 {
		t.Fatalf("%s payable at line %d: %v", inv.Number, inv.Totals.PayableAmount.Line, inv.Validate())
	}
	_, _, err = Read(strings.NewReader(`<StandardBusinessDocument><StandardBusinessDocumentHeader/></StandardBusinessDocument>`), "e.xml")
	if err == nil || err.Error() != `e.xml:1: error: /StandardBusinessDocument "": not a UBL 2.1 Invoice or CreditNote: the StandardBusinessDocument carries no document` {
		t.Fatalf("%v", err)
	}
}
