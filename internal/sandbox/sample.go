package sandbox

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/pain008"
)

// Sample creditor and debtors used by SampleBatch and SampleInvoice, for the
// demo and the tests. The IBANs and the creditor identifier are valid.
const (
	SampleCreditorName = "Fitness Club BV"
	SampleCreditorIBAN = "BE68539007547034"
	SampleCreditorBIC  = "GKCCBEBB"
	SampleCreditorID   = "BE69ZZZ050D000000008"
)

var sampleDebtors = []struct{ name, iban string }{
	{"Jan Peeters", "BE71096123456769"},
	{"Marie Dubois", "NL91ABNA0417164300"},
	{"Hans Muller", "DE89370400440532013000"},
	{"Sofie Janssens", "BE62510007547061"},
}

// SampleBatch writes a valid pain.008.001.02 batch with one transaction per
// amount ("10.00", "20.01", ...), collected on collDate, with message id
// msgID (PmtInfId msgID+"-1", EndToEndIds msgID+"-E<n>").
func SampleBatch(w io.Writer, msgID string, collDate time.Time, amounts ...string) error {
	pw, err := pain008.NewWriter(w, pain008.WriterOptions{MessageID: msgID, CreatedAt: collDate.AddDate(0, 0, -3)})
	if err != nil {
		return err
	}
	for i, a := range amounts {
		amt, err := decimal.NewFromString(a)
		if err != nil {
			pw.Abort()
			return err
		}
		d := sampleDebtors[i%len(sampleDebtors)]
		err = pw.Write(pain008.Transaction{
			EndToEndID: fmt.Sprintf("%s-E%d", msgID, i+1), Amount: amt, Currency: "EUR",
			MandateID: fmt.Sprintf("MNDT%04d", i+1), MandateSignedOn: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC),
			SequenceType: pain008.SeqRecurrent, LocalInstrument: pain008.InstrumentCore, CollectionDate: collDate,
			Creditor:   pain008.Creditor{Name: SampleCreditorName, IBAN: SampleCreditorIBAN, BIC: SampleCreditorBIC, ID: SampleCreditorID},
			DebtorName: d.name, DebtorIBAN: d.iban, Remittance: fmt.Sprintf("Membership %s line %d", msgID, i+1),
		})
		if err != nil {
			pw.Abort()
			return err
		}
	}
	return pw.Close()
}

// SampleInvoice returns a small UBL 2.1 invoice with the given number,
// payable amount and payment reference (an OGM such as
// "+++090/9337/55493+++" or an RF reference); customer "C-<number>". It
// passes the EN 16931 checks of pkg/ubl (zero-rated VAT).
func SampleInvoice(number, amount, paymentRef string, issue time.Time) []byte {
	r := strings.NewReplacer("{N}", number, "{A}", amount, "{R}", paymentRef,
		"{I}", issue.Format(time.DateOnly), "{D}", issue.AddDate(0, 0, 30).Format(time.DateOnly),
		"{PAYEE}", SampleCreditorIBAN, "{SUP}", SampleCreditorName)
	return []byte(r.Replace(`<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>{N}</cbc:ID>
  <cbc:IssueDate>{I}</cbc:IssueDate>
  <cbc:DueDate>{D}</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>{SUP}</cbc:Name></cac:PartyName><cac:PostalAddress><cbc:StreetName>Kerkstraat 1</cbc:StreetName><cbc:CityName>Gent</cbc:CityName><cbc:PostalZone>9000</cbc:PostalZone><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyTaxScheme><cbc:CompanyID>BE0123456749</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyLegalEntity><cbc:RegistrationName>{SUP}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyIdentification><cbc:ID>C-{N}</cbc:ID></cac:PartyIdentification><cac:PartyName><cbc:Name>Customer {N}</cbc:Name></cac:PartyName><cac:PostalAddress><cbc:StreetName>Stationsplein 2</cbc:StreetName><cbc:CityName>Brugge</cbc:CityName><cbc:PostalZone>8000</cbc:PostalZone><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyLegalEntity><cbc:RegistrationName>Customer {N}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentID>{R}</cbc:PaymentID><cac:PayeeFinancialAccount><cbc:ID>{PAYEE}</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">{A}</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount><cac:TaxCategory><cbc:ID>Z</cbc:ID><cbc:Percent>0</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>
  <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">{A}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">{A}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">{A}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">{A}</cbc:PayableAmount></cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">{A}</cbc:LineExtensionAmount><cac:Item><cbc:Name>Service</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>Z</cbc:ID><cbc:Percent>0</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">{A}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>
`))
}
