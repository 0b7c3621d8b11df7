package ubl

import (
	"bytes"
	"fmt"
	"io"

	"github.com/shopspring/decimal"
)

// genInvoice writes a consistent Peppol invoice with n lines of 2 × 1.25 at
// 21% VAT, paid by SEPA direct debit; attachment > 0 adds an embedded
// attachment of that many base64 characters (76 a line), generated as it is
// read, so that a test can stream gigabytes without holding them.
func genInvoice(number string, n int, attachment int64) io.Reader {
	lines := decimal.New(250, -2).Mul(decimal.NewFromInt(int64(n)))
	tax := lines.Mul(decimal.New(21, -2)).Round(2)
	incl := lines.Add(tax)
	var head, tail bytes.Buffer
	fmt.Fprintf(&head, `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>%s</cbc:CustomizationID>
<cbc:ID>%s</cbc:ID>
<cbc:IssueDate>2024-03-01</cbc:IssueDate>
<cbc:DueDate>2024-03-31</cbc:DueDate>
<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
`, peppolID, number)
	if attachment > 0 {
		head.WriteString(`<cac:AdditionalDocumentReference><cbc:ID>A</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="big.pdf">`)
		tail.WriteString("</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>\n")
	}
	fmt.Fprintf(&tail, `<cac:AccountingSupplierParty><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyLegalEntity><cbc:RegistrationName>Seller</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cbc:SupplierAssignedAccountID>C-%s</cbc:SupplierAssignedAccountID><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyLegalEntity><cbc:RegistrationName>Buyer</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
<cac:PaymentMeans><cbc:PaymentMeansCode>59</cbc:PaymentMeansCode><cbc:PaymentID>RF18539007547034</cbc:PaymentID><cac:PaymentMandate><cbc:ID>M-1</cbc:ID><cac:PayerFinancialAccount><cbc:ID>BE68539007547034</cbc:ID></cac:PayerFinancialAccount></cac:PaymentMandate></cac:PaymentMeans>
<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">%s</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">%s</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">%s</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">%s</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">%s</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">%s</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">%s</cbc:PayableAmount></cac:LegalMonetaryTotal>
`, number, tax.StringFixed(2), lines.StringFixed(2), tax.StringFixed(2), lines.StringFixed(2), lines.StringFixed(2), incl.StringFixed(2), incl.StringFixed(2))
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&tail, `<cac:InvoiceLine><cbc:ID>%d</cbc:ID><cbc:InvoicedQuantity unitCode="EA">2</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">2.50</cbc:LineExtensionAmount>
<cac:Item><cbc:Name>Item %d</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
<cac:Price><cbc:PriceAmount currencyID="EUR">1.25</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
`, i, i)
	}
	tail.WriteString("</Invoice>\n")
	if attachment == 0 {
		return io.MultiReader(&head, &tail)
	}
	return io.MultiReader(&head, io.LimitReader(&base64Stream{}, attachment), &tail)
}

// base64Stream is an endless base64 text, 76 characters and a line feed a line.
type base64Stream struct{ col int }

func (s *base64Stream) Read(p []byte) (int, error) {
	for i := range p {
		if s.col == 76 {
			p[i], s.col = '\n', 0
			continue
		}
		p[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[s.col%64]
		s.col++
	}
	return len(p), nil
}
