package ubl

import (
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/finding"
)

func TestCustomerNumberPrecedence(t *testing.T) {
	full := Customer{
		SupplierAssignedAccountID: "S-1",
		AdditionalAccountIDs:      []string{"", "A-2"},
		Party: Party{
			Identifications:          []string{"P-3"},
			IdentificationCompanyIDs: []string{"C-4"},
		},
		CustomerAssignedAccountID: "CA-5",
	}
	tests := []struct {
		name   string
		change func(c *Customer)
		number string
		step   int
		source string
	}{
		{"1 SupplierAssignedAccountID wins", func(c *Customer) {}, "S-1", 1, "cac:AccountingCustomerParty/cbc:SupplierAssignedAccountID"},
		{"2 AdditionalAccountID (first non-empty)", func(c *Customer) { c.SupplierAssignedAccountID = "  " }, "A-2", 2, "cac:AccountingCustomerParty/cbc:AdditionalAccountID"},
		{"3 PartyIdentification/ID", func(c *Customer) { c.SupplierAssignedAccountID, c.AdditionalAccountIDs = "", nil }, "P-3", 3,
			"cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID"},
		{"4 PartyIdentification/CompanyID", func(c *Customer) {
			c.SupplierAssignedAccountID, c.AdditionalAccountIDs, c.Identifications = "", nil, nil
		}, "C-4", 4,
			"cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:CompanyID"},
		{"5 CustomerAssignedAccountID", func(c *Customer) {
			c.SupplierAssignedAccountID, c.AdditionalAccountIDs, c.Identifications, c.IdentificationCompanyIDs = "", nil, nil, nil
		}, "CA-5", 5, "cac:AccountingCustomerParty/cbc:CustomerAssignedAccountID"},
		{"none: PartyLegalEntity/CompanyID and VAT id do not count", func(c *Customer) {
			*c = Customer{Party: Party{CompanyID: "BE0123456749", VATID: "BE0123456749", Name: "X"}}
		}, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &Invoice{File: "m.xml", Line: 2, Number: "INV-1", Totals: MonetaryTotal{PayableAmount: amt("10.00", 9)}}
			inv.Customer = full
			inv.Customer.Party.Identifications = append([]string(nil), full.Identifications...)
			inv.Customer.PartyLine = 7
			tt.change(&inv.Customer)
			m, fl := inv.Mapping()
			if m.CustomerNumber != tt.number || m.CustomerNumberStep != tt.step || m.CustomerNumberSource != tt.source {
				t.Errorf("got %q step %d %q", m.CustomerNumber, m.CustomerNumberStep, m.CustomerNumberSource)
			}
			want := ""
			if tt.step == 0 {
				want = `m.xml:2: error: /Invoice/cac:AccountingCustomerParty "": no customer reference: the platform cannot import the invoice without one of ` +
					`cbc:SupplierAssignedAccountID, cbc:AdditionalAccountID, cac:Party/cac:PartyIdentification/cbc:ID, cac:Party/cac:PartyIdentification/cbc:CompanyID, cbc:CustomerAssignedAccountID [Twikey UBL]`
			}
			if got := texts(fl); got != want {
				t.Errorf("findings\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestMappingFromFile(t *testing.T) {
	inv := mustReadFile(t, "testdata/invoice-sdd.xml")
	m, fl := inv.Mapping()
	if len(fl) != 0 {
		t.Fatal(fl)
	}
	got := strings.Join([]string{m.Number, m.Amount.StringFixed(2), m.Currency, m.Date.Format("2006-01-02"), m.DueDate.Format("2006-01-02"),
		m.Remittance, m.CustomerNumber, m.CustomerNumberSource, m.Email, m.Mobile, m.CompanyName, m.Coc, m.Language, m.Address, m.City, m.Zip, m.Country}, "|")
	want := "INV/2024/0042|214.90|EUR|2024-03-01|2024-03-31|INV-2024-0042|CUST-0042|cac:AccountingCustomerParty/cbc:SupplierAssignedAccountID|" +
		"an@klant.example|+32470123456|Klant BV|BE0123456749|nl|Marktplein 7|Brugge|8000|BE"
	if got != want {
		t.Errorf("mapping\n got %s\nwant %s", got, want)
	}
}

func TestMappingCreditNoteAndLimits(t *testing.T) {
	inv := &Invoice{File: "c.xml", Line: 1, IsCreditNote: true, Number: strings.Repeat("N", 51), BillingReferences: []string{"INV-9"},
		Totals: MonetaryTotal{PayableAmount: amt("25.00", 3)},
		Customer: Customer{PartyLine: 4, CustomerAssignedAccountID: "K1", DirectIdentifications: []string{"COC-1"},
			Party: Party{Identifications: []string{"P-1"}, Contact: Contact{ElectronicMail: "a@b.example"}}},
		PaymentMeans: []PaymentMeans{{Code: "30"}, {Code: "30", InstructionID: "Factuur 2024/42 – €"}},
	}
	m, fl := inv.Mapping()
	if m.Amount.String() != "-25" || m.RelatedInvoiceNumber != "INV-9" || m.CustomerNumber != "P-1" || m.Coc != "COC-1" || m.Remittance != "Factuur 2024/42 – €" {
		t.Errorf("%+v", m)
	}
	want := `c.xml:4: error: /CreditNote/cbc:ID "` + strings.Repeat("N", 51) + `": number is 51 characters, the platform takes at most 50 [Twikey UBL]` + "\n" +
		`c.xml:4: warning: /CreditNote/cac:PaymentMeans/cbc:InstructionID "Factuur 2024/42 – €": remittance: character outside the EPC basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space): '–' at position 17 (the platform answers err_invalid_sepachars) [Twikey UBL]`
	if got := texts(fl); got != want {
		t.Errorf("findings\n%s\nwant\n%s", got, want)
	}
	if fl.HasErrors() != true {
		t.Error("too long a number must stop the upload")
	}
	_ = finding.Error
}
