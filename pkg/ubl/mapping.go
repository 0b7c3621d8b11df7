package ubl

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// RuleMapping is the rule id of findings about the platform's UBL mapping.
const RuleMapping = "Twikey UBL"

// Mapping is what the Twikey platform takes from an uploaded UBL file
// (POST /creditor/invoice/ubl, section "Upload UBL" of its API reference),
// field by field, so it can be shown and checked before the upload.
type Mapping struct {
	Number   string          `json:"number"`             // cbc:ID
	Amount   decimal.Decimal `json:"amount"`             // PayableAmount; negative for a credit note (IsCredit)
	Currency string          `json:"currency,omitempty"` // cbc:DocumentCurrencyCode
	Date     time.Time       `json:"date"`               // cbc:IssueDate
	DueDate  time.Time       `json:"duedate"`            // cbc:DueDate
	// Remittance is cac:PaymentMeans/cbc:InstructionID (empty: the platform
	// uses the title).
	Remittance string `json:"remittance,omitempty"`
	// RelatedInvoiceNumber is the invoice a credit note corrects
	// (cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID).
	RelatedInvoiceNumber string `json:"relatedInvoiceNumber,omitempty"`

	CustomerNumber string `json:"customerNumber"`
	// CustomerNumberStep is the precedence step (1..5) that gave the
	// customer number, 0 when none did; CustomerNumberSource its path.
	CustomerNumberStep   int    `json:"customerNumberStep"`
	CustomerNumberSource string `json:"customerNumberSource,omitempty"`
	Email                string `json:"email,omitempty"`       // cac:Party/cac:Contact/cbc:ElectronicMail (the reference writes cbc:Email)
	Mobile               string `json:"mobile,omitempty"`      // cac:Party/cac:Contact/cbc:Telephone
	CompanyName          string `json:"companyName,omitempty"` // cac:Party/cac:PartyName/cbc:Name
	Coc                  string `json:"coc,omitempty"`
	Language             string `json:"lang,omitempty"`    // cac:Party/cbc:Language
	Address              string `json:"address,omitempty"` // cac:Party/cac:PostalAddress/cbc:StreetName
	City                 string `json:"city,omitempty"`    // .../cbc:CityName
	Zip                  string `json:"zip,omitempty"`     // .../cbc:PostalZone
	Country              string `json:"country,omitempty"` // .../cac:Country/cbc:IdentificationCode
}

// CustomerNumberSteps are the places the platform looks for the customer
// number, in this order; the first that is not empty wins.
var CustomerNumberSteps = []string{
	"cac:AccountingCustomerParty/cbc:SupplierAssignedAccountID",
	"cac:AccountingCustomerParty/cbc:AdditionalAccountID",
	"cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID",
	"cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:CompanyID",
	"cac:AccountingCustomerParty/cbc:CustomerAssignedAccountID",
}

// customerNumber applies the precedence: it returns the value, its step
// (1-based) and path, or 0 when the invoice has no customer reference.
func (c *Customer) customerNumber() (string, int) {
	candidates := [][]string{
		{c.SupplierAssignedAccountID},
		c.AdditionalAccountIDs,
		c.Identifications,
		c.IdentificationCompanyIDs,
		{c.CustomerAssignedAccountID},
	}
	for i, vs := range candidates {
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				return v, i + 1
			}
		}
	}
	return "", 0
}

// Mapping returns the platform fields of the invoice. The findings say why
// the platform would refuse the file (errors: no customer reference, a
// value longer than the field) or change it (warnings). A file whose
// mapping has errors must not be uploaded.
func (inv *Invoice) Mapping() (*Mapping, finding.List) {
	c := &inv.Customer
	m := &Mapping{
		Number:      inv.Number,
		Amount:      inv.Totals.PayableAmount.Value,
		Currency:    inv.Currency,
		Date:        inv.IssueDate,
		DueDate:     inv.DueDate,
		Email:       c.Contact.ElectronicMail,
		Mobile:      c.Contact.Telephone,
		CompanyName: c.Name,
		Language:    c.Language,
		Address:     c.Address.StreetName,
		City:        c.Address.CityName,
		Zip:         c.Address.PostalZone,
		Country:     c.Address.Country,
	}
	if inv.IsCredit() {
		m.Amount = m.Amount.Abs().Neg()
		if len(inv.BillingReferences) > 0 {
			m.RelatedInvoiceNumber = inv.BillingReferences[0]
		}
	}
	for _, pm := range inv.PaymentMeans {
		if pm.InstructionID != "" {
			m.Remittance = pm.InstructionID
			break
		}
	}
	m.CustomerNumber, m.CustomerNumberStep = c.customerNumber()
	if m.CustomerNumberStep > 0 {
		m.CustomerNumberSource = CustomerNumberSteps[m.CustomerNumberStep-1]
	}
	// coc: cac:AccountingCustomerParty > cac:PartyIdentification > cbc:Id,
	// then > cbc:CompanyId, as the reference writes it; files put the
	// PartyIdentification inside cac:Party, so that is read next.
	m.Coc = firstNonEmpty(first(c.DirectIdentifications), first(c.DirectCompanyIDs), first(c.Identifications), first(c.IdentificationCompanyIDs))

	var fl finding.List
	root := "/" + inv.Root()
	line := c.PartyLine
	if line == 0 {
		line = inv.Line
	}
	add := func(sev finding.Severity, path, value, msg string) {
		fl.Add(finding.Finding{Severity: sev, File: inv.File, Line: line, Path: path, Value: value, Rule: RuleMapping, Message: msg})
	}
	if m.CustomerNumberStep == 0 {
		add(finding.Error, root+"/cac:AccountingCustomerParty", "",
			"no customer reference: the platform cannot import the invoice without one of "+strings.Join(shortSteps(), ", "))
	}
	limits := []struct {
		name, value, path string
		max               int
		sev               finding.Severity
	}{
		{"number", m.Number, root + "/cbc:ID", 50, finding.Error},
		{"customerNumber", m.CustomerNumber, root + "/" + m.CustomerNumberSource, 50, finding.Error},
		{"remittance", m.Remittance, root + "/cac:PaymentMeans/cbc:InstructionID", 140, finding.Error},
		{"email", m.Email, root + "/cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:ElectronicMail", 70, finding.Warning},
		{"mobile", m.Mobile, root + "/cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:Telephone", 50, finding.Warning},
		{"companyName", m.CompanyName, root + "/cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name", 140, finding.Warning},
		{"coc", m.Coc, root + "/cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID", 50, finding.Warning},
		{"address", m.Address, root + "/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:StreetName", 70, finding.Warning},
		{"city", m.City, root + "/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:CityName", 50, finding.Warning},
		{"zip", m.Zip, root + "/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:PostalZone", 50, finding.Warning},
	}
	for _, l := range limits {
		if n := utf8.RuneCountInString(l.value); n > l.max {
			add(l.sev, l.path, l.value, fmt.Sprintf("%s is %d characters, the platform takes at most %d", l.name, n, l.max))
		}
	}
	if m.Country != "" && len(m.Country) != 2 {
		add(finding.Warning, root+"/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode", m.Country, "country must be an ISO 3166 two-letter code")
	}
	if m.Remittance != "" {
		if err := sepa.ValidateText(m.Remittance); err != nil {
			add(finding.Warning, root+"/cac:PaymentMeans/cbc:InstructionID", m.Remittance, "remittance: "+err.Error()+" (the platform answers err_invalid_sepachars)")
		}
	}
	if inv.Number == "" {
		add(finding.Error, root+"/cbc:ID", "", "number is required by the platform")
	}
	if !inv.Totals.PayableAmount.IsSet() {
		add(finding.Error, root+"/cac:LegalMonetaryTotal/cbc:PayableAmount", "", "amount is required by the platform")
	}
	return m, fl
}

func shortSteps() []string {
	out := make([]string, len(CustomerNumberSteps))
	for i, s := range CustomerNumberSteps {
		out[i] = strings.TrimPrefix(s, "cac:AccountingCustomerParty/")
	}
	return out
}

func first(ss []string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// RuleDirectDebit is the rule id of findings about collecting an invoice.
const RuleDirectDebit = "SEPA SDD"

// Validate returns every finding about an invoice already read: the
// EN 16931 rules (Check), the platform mapping (Mapping) and, when the
// invoice asks for a direct debit that cannot be made, why (a warning; a
// missing mandate is already PEPPOL-EN16931-R061).
func (inv *Invoice) Validate() finding.List {
	fl := inv.Check()
	_, mf := inv.Mapping()
	fl = append(fl, mf...)
	if dd, ok := inv.DirectDebit(); !ok && dd.Means != "" && !strings.Contains(dd.Reason, "without a mandate") {
		line := inv.Line
		for _, pm := range inv.PaymentMeans {
			if strings.TrimSpace(pm.Code) == dd.Means {
				line = pm.Line
				break
			}
		}
		fl.Add(finding.Finding{Severity: finding.Warning, File: inv.File, Line: line, Path: "/" + inv.Root() + "/cac:PaymentMeans",
			Value: dd.Means, Rule: RuleDirectDebit, Message: "cannot be collected by direct debit: " + dd.Reason})
	}
	return fl
}

// MarshalJSON writes the amount with its currency's minor units ("214.90")
// and the dates as YYYY-MM-DD (the due date left out when there is none),
// batchtool's one JSON rule.
func (m Mapping) MarshalJSON() ([]byte, error) {
	type plain Mapping
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	return json.Marshal(struct {
		plain
		Amount  string `json:"amount"`
		Date    string `json:"date,omitempty"`
		DueDate string `json:"duedate,omitempty"`
	}{plain(m), sepa.FormatAmount(m.Amount, m.Currency), day(m.Date), day(m.DueDate)})
}
