package ubl

import (
	"strings"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the reader and every check: they must
// never panic, and an error must be a positioned finding.
//
// Why the seeds are small: every input that reaches new code is minimised
// before fuzzing goes on, for up to -fuzzminimizetime (60 s by default),
// and Go's minimiser tries removing every span of bytes — quadratic in the
// input's length, and an XML document rarely survives losing a span, so it
// runs to the limit. With -parallel 1 the only worker does that, and the
// target ran 36 times in 3 minutes. Seeded with the 20 KB corpus invoices
// every run also cost 5 times more than with these compact seeds, which
// still reach every element the reader handles (TestFuzzSeedsRead; the
// corpus files themselves are read by TestCorpus). Fuzz with minimisation
// capped, as make fuzz does:
//
//	go test ./pkg/ubl -run '^$' -fuzz '^FuzzRead$' -fuzzminimizetime 100x -parallel 1
//
// (about 3,000 runs a second on a busy 2-core machine, 5 times the corpus
// seeds' rate; without the cap any XML reader's target stalls the same way).
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, fl, err := Read(strings.NewReader(string(data)), "fuzz.xml")
		if inv == nil {
			t.Fatal("nil invoice")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.xml") {
			t.Fatalf("error without file name: %v", err)
		}
		for _, x := range fl {
			if x.File != "fuzz.xml" {
				t.Fatalf("finding without file: %v", x)
			}
		}
		if err == nil {
			inv.Validate()
			inv.DirectDebit()
		}
	})
}

const fuzzNS = `xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:a="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:b="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"`

// fuzzSeeds reach every element the reader handles, in a few hundred bytes
// each.
var fuzzSeeds = []string{
	// header, parties, payment by direct debit, totals
	`<Invoice ` + fuzzNS + `><b:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</b:CustomizationID><b:ProfileID>P</b:ProfileID><b:ID>F-1</b:ID><b:IssueDate>2024-03-01</b:IssueDate><b:DueDate>2024-03-31</b:DueDate><b:InvoiceTypeCode>380</b:InvoiceTypeCode><b:Note>n</b:Note><b:DocumentCurrencyCode>EUR</b:DocumentCurrencyCode><b:TaxCurrencyCode>EUR</b:TaxCurrencyCode><b:BuyerReference>B</b:BuyerReference><a:OrderReference><b:ID>O</b:ID></a:OrderReference><a:BillingReference><a:InvoiceDocumentReference><b:ID>R</b:ID></a:InvoiceDocumentReference></a:BillingReference>` +
		`<a:AccountingSupplierParty><a:Party><b:EndpointID schemeID="0208">1</b:EndpointID><a:PartyName><b:Name>S</b:Name></a:PartyName><a:PostalAddress><b:StreetName>s</b:StreetName><b:CityName>c</b:CityName><b:PostalZone>1</b:PostalZone><a:Country><b:IdentificationCode>BE</b:IdentificationCode></a:Country></a:PostalAddress><a:PartyTaxScheme><b:CompanyID>BE0456789123</b:CompanyID><a:TaxScheme><b:ID>VAT</b:ID></a:TaxScheme></a:PartyTaxScheme><a:PartyLegalEntity><b:RegistrationName>S</b:RegistrationName><b:CompanyID>1</b:CompanyID></a:PartyLegalEntity></a:Party></a:AccountingSupplierParty>` +
		`<a:AccountingCustomerParty><b:SupplierAssignedAccountID>C-1</b:SupplierAssignedAccountID><a:Party><a:PartyIdentification><b:ID>X</b:ID></a:PartyIdentification><a:Language><b:ID>nl</b:ID></a:Language><a:PartyLegalEntity><b:RegistrationName>B</b:RegistrationName></a:PartyLegalEntity><a:Contact><b:ElectronicMail>a@b</b:ElectronicMail></a:Contact></a:Party></a:AccountingCustomerParty>` +
		`<a:PaymentMeans><b:PaymentMeansCode>59</b:PaymentMeansCode><b:PaymentID>+++090/9337/55493+++</b:PaymentID><a:PaymentMandate><b:ID>M-1</b:ID><a:PayerFinancialAccount><b:ID>BE68539007547034</b:ID></a:PayerFinancialAccount></a:PaymentMandate></a:PaymentMeans><a:PaymentTerms><b:Note>t</b:Note></a:PaymentTerms>` +
		`<a:TaxTotal><b:TaxAmount currencyID="EUR">0.53</b:TaxAmount><a:TaxSubtotal><b:TaxableAmount currencyID="EUR">2.50</b:TaxableAmount><b:TaxAmount currencyID="EUR">0.53</b:TaxAmount><a:TaxCategory><b:ID>S</b:ID><b:Percent>21</b:Percent><a:TaxScheme><b:ID>VAT</b:ID></a:TaxScheme></a:TaxCategory></a:TaxSubtotal></a:TaxTotal>` +
		`<a:LegalMonetaryTotal><b:LineExtensionAmount currencyID="EUR">2.50</b:LineExtensionAmount><b:TaxExclusiveAmount currencyID="EUR">2.50</b:TaxExclusiveAmount><b:TaxInclusiveAmount currencyID="EUR">3.03</b:TaxInclusiveAmount><b:PayableAmount currencyID="EUR">3.03</b:PayableAmount></a:LegalMonetaryTotal>` +
		`<a:InvoiceLine><b:ID>1</b:ID><b:InvoicedQuantity unitCode="EA">2</b:InvoicedQuantity><b:LineExtensionAmount currencyID="EUR">2.50</b:LineExtensionAmount><a:Item><b:Name>I</b:Name><a:ClassifiedTaxCategory><b:ID>S</b:ID><b:Percent>21</b:Percent><a:TaxScheme><b:ID>VAT</b:ID></a:TaxScheme></a:ClassifiedTaxCategory></a:Item><a:Price><b:PriceAmount currencyID="EUR">1.25</b:PriceAmount></a:Price></a:InvoiceLine></Invoice>`,
	// allowances and charges, an attachment, a credit transfer account
	`<Invoice ` + fuzzNS + `><b:ID>F-2</b:ID><a:AdditionalDocumentReference><b:ID>A</b:ID><a:Attachment><b:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="a.pdf">QUJD
RA==</b:EmbeddedDocumentBinaryObject></a:Attachment></a:AdditionalDocumentReference><a:PaymentMeans><b:PaymentMeansCode name="SEPA">58</b:PaymentMeansCode><a:PayeeFinancialAccount><b:ID>BE68539007547034</b:ID><b:Name>S</b:Name><a:FinancialInstitutionBranch><b:ID>GKCCBEBB</b:ID></a:FinancialInstitutionBranch></a:PayeeFinancialAccount></a:PaymentMeans><a:AllowanceCharge><b:ChargeIndicator>false</b:ChargeIndicator><b:AllowanceChargeReasonCode>95</b:AllowanceChargeReasonCode><b:MultiplierFactorNumeric>10</b:MultiplierFactorNumeric><b:Amount currencyID="EUR">1.00</b:Amount><b:BaseAmount currencyID="EUR">10.00</b:BaseAmount><a:TaxCategory><b:ID>E</b:ID><b:Percent>0</b:Percent><b:TaxExemptionReason>r</b:TaxExemptionReason></a:TaxCategory></a:AllowanceCharge><a:InvoiceLine><b:ID>1</b:ID><b:Note>n</b:Note><a:AllowanceCharge><b:ChargeIndicator>true</b:ChargeIndicator><b:Amount currencyID="EUR">1</b:Amount></a:AllowanceCharge><a:Price><b:PriceAmount currencyID="EUR">1</b:PriceAmount><b:BaseQuantity>2</b:BaseQuantity><a:AllowanceCharge><b:ChargeIndicator>false</b:ChargeIndicator><b:Amount currencyID="EUR">0.1</b:Amount></a:AllowanceCharge></a:Price></a:InvoiceLine></Invoice>`,
	// a credit note in a Peppol envelope, Latin-1
	`<?xml version="1.0" encoding="ISO-8859-1"?><StandardBusinessDocument><StandardBusinessDocumentHeader><x/></StandardBusinessDocumentHeader><CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" xmlns:b="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:a="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"><b:ID>C-1</b:ID><b:CreditNoteTypeCode>381</b:CreditNoteTypeCode><b:Note>caf` + "\xe9" + `</b:Note><a:CreditNoteLine><b:ID>1</b:ID><b:CreditedQuantity>1</b:CreditedQuantity></a:CreditNoteLine></CreditNote></StandardBusinessDocument>`,
	// markup the attachment filter must pass through untouched
	`<Invoice ` + fuzzNS + `><!-- <b:EmbeddedDocumentBinaryObject> --><![CDATA[<x>]]><?pi <b:EmbeddedDocumentBinaryObject>?><b:Note>a<i/>b</b:Note></Invoice>`,
}

// TestFuzzSeedsRead: the seeds are documents the reader reads to their end
// (so that the fuzzer starts from the deep paths, not from errors).
func TestFuzzSeedsRead(t *testing.T) {
	for i, s := range fuzzSeeds {
		inv, _, err := Read(strings.NewReader(s), "seed.xml")
		if err != nil {
			t.Errorf("seed %d: %v", i, err)
			continue
		}
		t.Logf("seed %d: %d bytes, %d lines, %d findings", i, len(s), len(inv.Lines), len(inv.Validate()))
	}
}
