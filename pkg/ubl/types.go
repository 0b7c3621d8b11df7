package ubl

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
)

// Number is a numeric UBL value (amount, quantity, percent) exactly as
// written, with its source line.
type Number struct {
	Value decimal.Decimal
	Text  string // as in the file, trimmed
	Line  int    // source line; 0 when the element is absent
	bad   bool   // present but not a number (reported when read)
}

// IsSet reports whether the element was present with a valid number.
func (n Number) IsSet() bool { return n.Line > 0 && !n.bad }

// MarshalJSON writes the number as the text of the file (null when absent).
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.IsSet() {
		return []byte("null"), nil
	}
	return json.Marshal(n.Text)
}

// Amount is a cbc:...Amount with its @currencyID.
type Amount struct {
	Number
	Currency string // @currencyID
}

// MarshalJSON writes an amount by batchtool's one JSON rule: the amount
// as a string with the currency's minor units, beside its currency
// ({"amount": "12.10", "currency": "EUR"}); null when absent.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !a.IsSet() {
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	}{sepa.FormatAmount(a.Value, a.Currency), a.Currency})
}

// Quantity is a cbc:InvoicedQuantity, cbc:CreditedQuantity or
// cbc:BaseQuantity with its @unitCode.
type Quantity struct {
	Number
	UnitCode string // @unitCode
}

// Invoice is one UBL 2.1 Invoice (urn:oasis:names:specification:ubl:schema:xsd:Invoice-2)
// or CreditNote (...:CreditNote-2) document.
type Invoice struct {
	File            string    `json:"file,omitempty"`
	Line            int       `json:"-"`                          // line of the root element
	IsCreditNote    bool      `json:"is_credit_note"`             // root is CreditNote
	CustomizationID string    `json:"customization_id,omitempty"` // cbc:CustomizationID (BT-24)
	ProfileID       string    `json:"profile_id,omitempty"`       // cbc:ProfileID (BT-23)
	Number          string    `json:"number"`                     // cbc:ID (BT-1)
	IssueDate       time.Time `json:"issue_date"`                 // cbc:IssueDate (BT-2)
	DueDate         time.Time `json:"due_date"`                   // cbc:DueDate, or cac:PaymentMeans/cbc:PaymentDueDate of a CreditNote (BT-9)
	TypeCode        string    `json:"type_code"`                  // cbc:InvoiceTypeCode / cbc:CreditNoteTypeCode (BT-3)
	Notes           []string  `json:"notes,omitempty"`            // cbc:Note (BT-22)
	Currency        string    `json:"currency"`                   // cbc:DocumentCurrencyCode (BT-5)
	TaxCurrency     string    `json:"tax_currency,omitempty"`     // cbc:TaxCurrencyCode (BT-6)
	BuyerReference  string    `json:"buyer_reference,omitempty"`  // cbc:BuyerReference (BT-10)
	OrderReference  string    `json:"order_reference,omitempty"`  // cac:OrderReference/cbc:ID (BT-13)
	// BillingReferences are cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID
	// (BT-25): the invoices a credit note corrects.
	BillingReferences []string          `json:"billing_references,omitempty"`
	Attachments       []Attachment      `json:"attachments,omitempty"` // cac:AdditionalDocumentReference/cac:Attachment
	Supplier          Party             `json:"supplier"`              // cac:AccountingSupplierParty/cac:Party (BG-4)
	Customer          Customer          `json:"customer"`              // cac:AccountingCustomerParty (BG-7)
	PaymentMeans      []PaymentMeans    `json:"payment_means,omitempty"`
	PaymentTerms      []string          `json:"payment_terms,omitempty"` // cac:PaymentTerms/cbc:Note (BT-20)
	AllowanceCharges  []AllowanceCharge `json:"allowance_charges,omitempty"`
	TaxTotals         []TaxTotal        `json:"tax_totals,omitempty"`
	Totals            MonetaryTotal     `json:"totals"` // cac:LegalMonetaryTotal (BG-22)
	Lines             []Line            `json:"lines,omitempty"`

	at map[string]int // source line of document-level scalar elements, by path
}

// Root returns the root element name: "Invoice" or "CreditNote".
func (inv *Invoice) Root() string {
	if inv.IsCreditNote {
		return "CreditNote"
	}
	return "Invoice"
}

// creditTypeCodes are the UNCL 1001 document type codes of credit notes:
// an Invoice document may carry one (EN 16931 allows 381 in either root).
var creditTypeCodes = map[string]bool{
	"81": true, "83": true, "261": true, "262": true, "296": true, "308": true,
	"381": true, "396": true, "420": true, "458": true, "532": true,
}

// IsCredit reports whether the document credits the customer: a CreditNote,
// or an Invoice whose type code is a credit note code (381, 261, ...).
func (inv *Invoice) IsCredit() bool {
	return inv.IsCreditNote || creditTypeCodes[inv.TypeCode]
}

// Attachment is an embedded document (cbc:EmbeddedDocumentBinaryObject). Its
// content is not kept; Size is the decoded size in bytes.
type Attachment struct {
	ID       string `json:"id,omitempty"` // cac:AdditionalDocumentReference/cbc:ID
	Filename string `json:"filename,omitempty"`
	MimeCode string `json:"mime_code,omitempty"`
	Size     int64  `json:"size"`
	Line     int    `json:"-"`
}

// Party is a cac:Party.
type Party struct {
	Line       int    `json:"-"`
	EndpointID string `json:"endpoint_id,omitempty"` // cbc:EndpointID
	// Identifications are cac:PartyIdentification/cbc:ID.
	Identifications []string `json:"identifications,omitempty"`
	// IdentificationCompanyIDs are cac:PartyIdentification/cbc:CompanyID: not
	// in the UBL schema, but the platform's mapping names it.
	IdentificationCompanyIDs []string `json:"identification_company_ids,omitempty"`
	Name                     string   `json:"name,omitempty"`              // cac:PartyName/cbc:Name
	RegistrationName         string   `json:"registration_name,omitempty"` // cac:PartyLegalEntity/cbc:RegistrationName (BT-27/BT-44)
	CompanyID                string   `json:"company_id,omitempty"`        // cac:PartyLegalEntity/cbc:CompanyID
	VATID                    string   `json:"vat_id,omitempty"`            // cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID
	Language                 string   `json:"language,omitempty"`          // cac:Language/cbc:ID (or cbc:LocaleCode, or the text of a cbc:Language)
	Address                  Address  `json:"address"`                     // cac:PostalAddress
	HasAddress               bool     `json:"-"`
	Contact                  Contact  `json:"contact"` // cac:Contact
}

// DisplayName is the legal registration name, or the trading name.
func (p Party) DisplayName() string {
	if p.RegistrationName != "" {
		return p.RegistrationName
	}
	return p.Name
}

// Customer is a cac:AccountingCustomerParty: the party and the account ids
// the supplier and customer give each other.
type Customer struct {
	Party
	CustomerAssignedAccountID string   `json:"customer_assigned_account_id,omitempty"` // cbc:CustomerAssignedAccountID
	SupplierAssignedAccountID string   `json:"supplier_assigned_account_id,omitempty"` // cbc:SupplierAssignedAccountID
	AdditionalAccountIDs      []string `json:"additional_account_ids,omitempty"`       // cbc:AdditionalAccountID
	// DirectIdentifications are cac:PartyIdentification/cbc:ID and
	// /cbc:CompanyID written directly under cac:AccountingCustomerParty (not
	// schema-valid, but the platform's "coc" mapping names this path).
	DirectIdentifications []string `json:"direct_identifications,omitempty"`
	DirectCompanyIDs      []string `json:"direct_company_ids,omitempty"`
	PartyLine             int      `json:"-"` // line of cac:AccountingCustomerParty
}

// Address is a cac:PostalAddress.
type Address struct {
	StreetName           string `json:"street_name,omitempty"`            // cbc:StreetName
	AdditionalStreetName string `json:"additional_street_name,omitempty"` // cbc:AdditionalStreetName
	CityName             string `json:"city_name,omitempty"`              // cbc:CityName
	PostalZone           string `json:"postal_zone,omitempty"`            // cbc:PostalZone
	CountrySubentity     string `json:"country_subentity,omitempty"`      // cbc:CountrySubentity
	Country              string `json:"country,omitempty"`                // cac:Country/cbc:IdentificationCode
}

// Contact is a cac:Contact.
type Contact struct {
	Name           string `json:"name,omitempty"`            // cbc:Name
	Telephone      string `json:"telephone,omitempty"`       // cbc:Telephone
	ElectronicMail string `json:"electronic_mail,omitempty"` // cbc:ElectronicMail (or cbc:Email)
}

// PaymentMeans is a cac:PaymentMeans (BG-16).
type PaymentMeans struct {
	Line            int              `json:"-"`
	Code            string           `json:"code"`                       // cbc:PaymentMeansCode (BT-81, UNCL 4461)
	CodeName        string           `json:"code_name,omitempty"`        // cbc:PaymentMeansCode/@name (BT-82)
	DueDate         time.Time        `json:"due_date,omitzero"`          // cbc:PaymentDueDate
	InstructionID   string           `json:"instruction_id,omitempty"`   // cbc:InstructionID
	InstructionNote string           `json:"instruction_note,omitempty"` // cbc:InstructionNote
	PaymentIDs      []Text           `json:"payment_ids,omitempty"`      // cbc:PaymentID (BT-83, remittance information)
	PayeeAccount    FinancialAccount `json:"payee_account,omitzero"`     // cac:PayeeFinancialAccount (BG-17)
	Mandate         *Mandate         `json:"mandate,omitempty"`          // cac:PaymentMandate (BG-19)
}

// Text is an element's text with its source line.
type Text struct {
	Value string `json:"value"`
	Line  int    `json:"-"`
}

// MarshalJSON writes the text alone.
func (t Text) MarshalJSON() ([]byte, error) { return json.Marshal(t.Value) }

// FinancialAccount is a cac:PayeeFinancialAccount or cac:PayerFinancialAccount.
type FinancialAccount struct {
	ID   string `json:"id,omitempty"`   // cbc:ID (IBAN)
	Name string `json:"name,omitempty"` // cbc:Name
	BIC  string `json:"bic,omitempty"`  // cac:FinancialInstitutionBranch/cbc:ID
	Line int    `json:"-"`
}

// Mandate is a cac:PaymentMandate (BG-19).
type Mandate struct {
	Line         int              `json:"-"`
	ID           string           `json:"id"`            // cbc:ID (BT-89)
	PayerAccount FinancialAccount `json:"payer_account"` // cac:PayerFinancialAccount (BT-91)
}

// TaxCategory is a cac:TaxCategory or cac:ClassifiedTaxCategory.
type TaxCategory struct {
	ID                  string `json:"id,omitempty"` // cbc:ID (UNCL 5305: S, Z, E, AE, K, G, O, L, M)
	Percent             Number `json:"percent"`      // cbc:Percent
	ExemptionReasonCode string `json:"exemption_code,omitempty"`
	ExemptionReason     string `json:"exemption_reason,omitempty"`
	TaxScheme           string `json:"tax_scheme,omitempty"` // cac:TaxScheme/cbc:ID
}

// AllowanceCharge is a cac:AllowanceCharge of the document (BG-20/BG-21),
// of a line (BG-27/BG-28) or of a price (BT-147).
type AllowanceCharge struct {
	Line             int         `json:"-"`
	ChargeIndicator  bool        `json:"charge"` // cbc:ChargeIndicator: true = charge, false = allowance
	ReasonCode       string      `json:"reason_code,omitempty"`
	Reason           string      `json:"reason,omitempty"`
	MultiplierFactor Number      `json:"multiplier_factor"` // cbc:MultiplierFactorNumeric
	Amount           Amount      `json:"amount"`            // cbc:Amount
	BaseAmount       Amount      `json:"base_amount"`       // cbc:BaseAmount
	TaxCategory      TaxCategory `json:"tax_category"`      // cac:TaxCategory
}

// TaxTotal is a cac:TaxTotal.
type TaxTotal struct {
	Line      int           `json:"-"`
	TaxAmount Amount        `json:"tax_amount"` // cbc:TaxAmount (BT-110 / BT-111)
	Subtotals []TaxSubtotal `json:"subtotals,omitempty"`
}

// TaxSubtotal is a cac:TaxSubtotal (BG-23, VAT breakdown).
type TaxSubtotal struct {
	Line          int         `json:"-"`
	TaxableAmount Amount      `json:"taxable_amount"` // cbc:TaxableAmount (BT-116)
	TaxAmount     Amount      `json:"tax_amount"`     // cbc:TaxAmount (BT-117)
	Category      TaxCategory `json:"category"`       // cac:TaxCategory (BT-118, BT-119)
}

// MonetaryTotal is cac:LegalMonetaryTotal (BG-22).
type MonetaryTotal struct {
	Line                  int    `json:"-"`
	LineExtensionAmount   Amount `json:"line_extension_amount"`   // BT-106
	TaxExclusiveAmount    Amount `json:"tax_exclusive_amount"`    // BT-109
	TaxInclusiveAmount    Amount `json:"tax_inclusive_amount"`    // BT-112
	AllowanceTotalAmount  Amount `json:"allowance_total_amount"`  // BT-107
	ChargeTotalAmount     Amount `json:"charge_total_amount"`     // BT-108
	PrepaidAmount         Amount `json:"prepaid_amount"`          // BT-113
	PayableRoundingAmount Amount `json:"payable_rounding_amount"` // BT-114
	PayableAmount         Amount `json:"payable_amount"`          // BT-115
}

// Line is a cac:InvoiceLine or cac:CreditNoteLine (BG-25).
type Line struct {
	Line                int               `json:"-"`  // source line
	ID                  string            `json:"id"` // cbc:ID (BT-126)
	Note                string            `json:"note,omitempty"`
	Quantity            Quantity          `json:"quantity"`              // cbc:InvoicedQuantity / cbc:CreditedQuantity (BT-129, BT-130)
	LineExtensionAmount Amount            `json:"line_extension_amount"` // BT-131
	AllowanceCharges    []AllowanceCharge `json:"allowance_charges,omitempty"`
	Item                Item              `json:"item"`
	Price               Price             `json:"price"`
}

// Item is a cac:Item.
type Item struct {
	Name          string      `json:"name"`                      // cbc:Name (BT-153)
	Description   string      `json:"description,omitempty"`     // cbc:Description
	SellersItemID string      `json:"sellers_item_id,omitempty"` // cac:SellersItemIdentification/cbc:ID
	TaxCategory   TaxCategory `json:"tax_category"`              // cac:ClassifiedTaxCategory (BT-151, BT-152)
}

// Price is a cac:Price.
type Price struct {
	Amount       Amount           `json:"amount"`        // cbc:PriceAmount (BT-146, net price)
	BaseQuantity Quantity         `json:"base_quantity"` // cbc:BaseQuantity (BT-149)
	Allowance    *AllowanceCharge `json:"allowance,omitempty"`
	Line         int              `json:"-"`
}
