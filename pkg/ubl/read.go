package ubl

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"

	"github.com/batchtool/batchtool/internal/xmlguard"
	"github.com/batchtool/batchtool/pkg/finding"
)

// Namespaces of the UBL 2.1 documents this package reads.
const (
	NSInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	NSCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
)

// ErrNotUBL is returned when the root element is not a UBL Invoice or CreditNote.
var ErrNotUBL = errors.New("not a UBL 2.1 Invoice or CreditNote")

// Bounds of one document, far beyond any real invoice, so that memory
// stays bounded whatever the input (see the package doc). Beyond them the
// document is refused with a finding of rule RuleLimit.
const (
	maxDepth       = 64       // element nesting, skipped elements included
	maxText        = 1 << 20  // bytes of text in one element (attachments are dropped before)
	maxKept        = 64 << 20 // bytes of text kept from one document
	maxParts       = 100_000  // repeated parts: lines, notes, allowances, tax subtotals, identifiers ...
	maxAttachments = 1000     // embedded attachments (cbc:EmbeddedDocumentBinaryObject)
)

// RuleLimit is the rule of the finding that refuses a document beyond one
// of the bounds above.
const RuleLimit = "limit"

// excerpt returns the first 40 bytes of s, cut at a character boundary, for
// a finding's value.
func excerpt(s string) string {
	if len(s) <= 40 {
		return s
	}
	s = s[:40]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// ReadFile reads the UBL document in the file at path.
func ReadFile(path string) (*Invoice, finding.List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return Read(f, path)
}

// Read reads one UBL 2.1 Invoice or CreditNote from r; name is the file name
// used in findings. The findings are problems of reading (values that are
// not numbers, dates or booleans, a wrong namespace); the EN 16931 rules are
// checked by (*Invoice).Check. The error is set when the document could not
// be read to its end (not XML, not UBL, truncated); findings up to there are
// still returned, and the error is a finding.Finding naming file and line.
func Read(r io.Reader, name string) (*Invoice, finding.List, error) {
	f := newAttachFilter(r)
	p := &parser{
		f:    f,
		d:    xml.NewDecoder(xmlguard.NewReader(f, xmlguard.Limits{Text: maxText, Depth: maxDepth})),
		name: name,
		inv:  &Invoice{File: name, at: map[string]int{}},
	}
	p.d.CharsetReader = charsetReader
	err := p.document()
	if p.inv.DueDate.IsZero() {
		for _, pm := range p.inv.PaymentMeans {
			if !pm.DueDate.IsZero() {
				p.inv.DueDate = pm.DueDate
				break
			}
		}
	}
	if err != nil {
		var fe finding.Finding
		if !errors.As(err, &fe) {
			fe = finding.Finding{Severity: finding.Error, File: name, Line: p.line(), Message: err.Error()}
		}
		return p.inv, p.fl.List(), fe
	}
	return p.inv, p.fl.List(), nil
}

// charsetReader decodes the 8-bit encodings invoices are still written in.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		return charmap.ISO8859_1.NewDecoder().Reader(input), nil
	case "iso-8859-15", "latin9":
		return charmap.ISO8859_15.NewDecoder().Reader(input), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(input), nil
	case "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

type parser struct {
	f     *attachFilter
	d     *xml.Decoder
	name  string
	inv   *Invoice
	fl    finding.Capped
	depth int
	parts int    // repeated parts kept (maxParts)
	kept  int    // bytes of text kept (maxKept)
	cur   string // path of the element last opened by children
	sbd   bool   // the document came inside a StandardBusinessDocument
}

// line is the source line of the decoder's position.
func (p *parser) line() int {
	l, _ := p.d.InputPos()
	return l + p.f.newlinesBefore(p.d.InputOffset())
}

func (p *parser) warn(line int, path, value, rule, msg string) {
	p.fl.Add(finding.Finding{Severity: finding.Warning, File: p.name, Line: line, Path: path, Value: value, Rule: rule, Message: msg})
}

func (p *parser) errorf(line int, path, value, rule, msg string) {
	p.fl.Add(finding.Finding{Severity: finding.Error, File: p.name, Line: line, Path: path, Value: value, Rule: rule, Message: msg})
}

// fatal makes an error that stops reading.
func (p *parser) fatal(err error) error {
	var ge *xmlguard.Error
	if errors.As(err, &ge) {
		value := ge.Excerpt
		if ge.What != "nesting" {
			value += "…"
		}
		return p.limit(ge.Line+p.f.newlinesBefore(ge.Offset), ge.Path, value, ge.Error())
	}
	if errors.Is(err, errTooManyAttachments) {
		return p.limit(p.line(), p.cur, "", err.Error())
	}
	var fe finding.Finding
	if errors.As(err, &fe) { // the source refused (a zip member beyond its bounds)
		return fe
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return finding.Finding{Severity: finding.Error, File: p.name, Line: se.Line + p.f.newlinesBefore(p.d.InputOffset()), Rule: "XML", Message: "not well-formed XML: " + se.Msg}
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return finding.Finding{Severity: finding.Error, File: p.name, Line: p.line(), Rule: "XML", Message: "unexpected end of file: the document is truncated"}
	}
	return finding.Finding{Severity: finding.Error, File: p.name, Line: p.line(), Message: err.Error()}
}

func (p *parser) document() error {
	for {
		tok, err := p.d.Token()
		if err != nil {
			if err == io.EOF {
				return finding.Finding{Severity: finding.Error, File: p.name, Line: p.line(), Message: ErrNotUBL.Error() + ": no root element"}
			}
			return p.fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local == "StandardBusinessDocument" {
			// A Peppol envelope (SBDH): the document is its child after the header.
			if se, err = p.sbdPayload(); err != nil {
				return err
			}
		}
		inv := p.inv
		inv.Line = p.line()
		switch se.Name.Local {
		case "Invoice":
		case "CreditNote":
			inv.IsCreditNote = true
		default:
			return finding.Finding{Severity: finding.Error, File: p.name, Line: inv.Line, Path: "/" + se.Name.Local,
				Message: fmt.Sprintf("%v: root element is %s", ErrNotUBL, se.Name.Local)}
		}
		want := NSInvoice
		if inv.IsCreditNote {
			want = NSCreditNote
		}
		root := "/" + se.Name.Local
		if se.Name.Space != want {
			p.warn(inv.Line, root, se.Name.Space, "XSD", "root element namespace should be "+want)
		}
		if err := p.children(root, p.rootChild); err != nil {
			return err
		}
		// Anything after the root must be comments or whitespace (or, in an
		// SBD envelope, the envelope's end).
		for {
			tok, err := p.d.Token()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return p.fatal(err)
			}
			if _, ok := tok.(xml.StartElement); ok {
				if p.sbd {
					return finding.Finding{Severity: finding.Error, File: p.name, Line: p.line(), Rule: "XML", Message: "a second document in the StandardBusinessDocument: one document per file"}
				}
				return finding.Finding{Severity: finding.Error, File: p.name, Line: p.line(), Rule: "XML", Message: "a second root element: one document per file"}
			}
		}
	}
}

// sbdPayload skips the StandardBusinessDocumentHeader of a Standard
// Business Document and returns the start of the document it carries.
func (p *parser) sbdPayload() (xml.StartElement, error) {
	for {
		tok, err := p.d.Token()
		if err != nil {
			return xml.StartElement{}, p.fatal(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "StandardBusinessDocumentHeader" {
				p.sbd = true
				return t, nil
			}
			if err := p.d.Skip(); err != nil {
				return xml.StartElement{}, p.fatal(err)
			}
		case xml.EndElement:
			return xml.StartElement{}, finding.Finding{Severity: finding.Error, File: p.name, Line: p.line(), Path: "/StandardBusinessDocument",
				Message: ErrNotUBL.Error() + ": the StandardBusinessDocument carries no document"}
		}
	}
}

// children calls fn for every child element of the element just opened,
// until its end tag. fn either consumes the child (text, children) or
// returns false to have it skipped.
func (p *parser) children(path string, fn func(se xml.StartElement, path string, line int) (bool, error)) error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return finding.Finding{Severity: finding.Error, File: p.name, Line: p.line(), Path: path, Rule: "XML", Message: fmt.Sprintf("elements nested deeper than %d", maxDepth)}
	}
	for {
		tok, err := p.d.Token()
		if err != nil {
			return p.fatal(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			cp := path + "/" + qname(t.Name)
			p.cur = cp
			handled, err := fn(t, cp, p.line())
			if err != nil {
				return err
			}
			if !handled {
				if err := p.d.Skip(); err != nil {
					return p.fatal(err)
				}
			}
		case xml.EndElement:
			return nil
		}
	}
}

// qname writes an element name with the prefix UBL documents use for its
// namespace, so paths read the same whatever prefixes a file chose.
func qname(n xml.Name) string {
	switch {
	case strings.HasSuffix(n.Space, ":CommonBasicComponents-2"):
		return "cbc:" + n.Local
	case strings.HasSuffix(n.Space, ":CommonAggregateComponents-2"):
		return "cac:" + n.Local
	}
	return n.Local
}

// text reads the character content of the element just opened, skipping
// any child elements, and returns it trimmed.
func (p *parser) text() (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := p.d.Token()
		if err != nil {
			return "", p.fatal(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 {
				if b.Len()+len(t) > maxText {
					return "", p.limit(p.line(), p.cur, excerpt(b.String()), fmt.Sprintf("text longer than %s in one element: refused (no real file has one)", xmlguard.Size(maxText)))
				}
				b.Write(t)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				s := strings.TrimSpace(b.String())
				if p.kept += len(s); p.kept > maxKept {
					return "", p.limit(p.line(), p.cur, excerpt(s), fmt.Sprintf("more than %s of text in one document: refused (no real invoice has that much)", xmlguard.Size(maxKept)))
				}
				return s, nil
			}
			depth--
		}
	}
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// number reads a decimal element.
func (p *parser) number(path string, line int) (Number, error) {
	s, err := p.text()
	if err != nil {
		return Number{}, err
	}
	n := Number{Text: s, Line: line}
	d, perr := parseDecimal(s)
	if perr != nil {
		n.bad = true
		p.errorf(line, path, s, "XSD", "not a decimal number")
		return n, nil
	}
	n.Value = d
	return n, nil
}

// parseDecimal reads an xs:decimal: optional sign, digits, optional
// fraction; no exponent, no thousands separators.
func parseDecimal(s string) (decimal.Decimal, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	digits, dot := 0, false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return decimal.Decimal{}, fmt.Errorf("not a decimal")
		}
	}
	if digits == 0 || len(t) > 40 {
		return decimal.Decimal{}, fmt.Errorf("not a decimal")
	}
	return decimal.NewFromString(s)
}

func (p *parser) amount(se xml.StartElement, path string, line int) (Amount, error) {
	n, err := p.number(path, line)
	return Amount{Number: n, Currency: attr(se, "currencyID")}, err
}

func (p *parser) quantity(se xml.StartElement, path string, line int) (Quantity, error) {
	n, err := p.number(path, line)
	return Quantity{Number: n, UnitCode: attr(se, "unitCode")}, err
}

func (p *parser) date(path string, line int) (time.Time, error) {
	s, err := p.text()
	if err != nil {
		return time.Time{}, err
	}
	t, perr := time.Parse("2006-01-02", s)
	if perr != nil {
		p.errorf(line, path, s, "XSD", "not a date (YYYY-MM-DD)")
		return time.Time{}, nil
	}
	return t, nil
}

// flag reads an xs:boolean.
func (p *parser) flag(path string, line int) (bool, error) {
	s, err := p.text()
	if err != nil {
		return false, err
	}
	switch s {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	p.errorf(line, path, s, "XSD", "not a boolean (true or false)")
	return false, nil
}

// str stores the text of the element into *dst.
func (p *parser) str(dst *string) (bool, error) {
	s, err := p.text()
	*dst = s
	return true, err
}

// strs reads the element's text and appends it to dst.
func (p *parser) strs(dst *[]string, path string, line int) (bool, error) {
	if err := p.part(path, line); err != nil {
		return true, err
	}
	s, err := p.text()
	*dst = append(*dst, s)
	return true, err
}

// part counts one more repeated part (a line, a note, an allowance, a tax
// subtotal, an identifier ...) kept from the document; beyond maxParts the
// document is refused.
func (p *parser) part(path string, line int) error {
	p.parts++
	if p.parts > maxParts {
		return p.limit(line, path, "", fmt.Sprintf("more than %d repeated parts (lines, notes, allowances, tax subtotals, identifiers ...) in one document: refused (no real invoice has that many)", maxParts))
	}
	return nil
}

// limit makes the error that refuses a document beyond a bound.
func (p *parser) limit(line int, path, value, msg string) error {
	return finding.Finding{Severity: finding.Error, File: p.name, Line: line, Path: path, Value: value, Rule: RuleLimit, Message: msg}
}

func (p *parser) rootChild(se xml.StartElement, path string, line int) (bool, error) {
	inv := p.inv
	var err error
	switch se.Name.Local {
	case "CustomizationID":
		inv.at[path] = line
		return p.str(&inv.CustomizationID)
	case "ProfileID":
		return p.str(&inv.ProfileID)
	case "ID":
		inv.at[path] = line
		return p.str(&inv.Number)
	case "IssueDate":
		inv.at[path] = line
		inv.IssueDate, err = p.date(path, line)
	case "DueDate":
		inv.at[path] = line
		inv.DueDate, err = p.date(path, line)
	case "InvoiceTypeCode", "CreditNoteTypeCode":
		inv.at[path] = line
		return p.str(&inv.TypeCode)
	case "Note":
		if err := p.part(path, line); err != nil {
			return true, err
		}
		var s string
		s, err = p.text()
		inv.Notes = append(inv.Notes, s)
	case "DocumentCurrencyCode":
		inv.at[path] = line
		return p.str(&inv.Currency)
	case "TaxCurrencyCode":
		return p.str(&inv.TaxCurrency)
	case "BuyerReference":
		return p.str(&inv.BuyerReference)
	case "OrderReference":
		err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
			if se.Name.Local == "ID" {
				return p.str(&inv.OrderReference)
			}
			return false, nil
		})
	case "BillingReference":
		err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
			if se.Name.Local != "InvoiceDocumentReference" {
				return false, nil
			}
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				if se.Name.Local == "ID" {
					return p.strs(&inv.BillingReferences, path, line)
				}
				return false, nil
			})
		})
	case "AdditionalDocumentReference":
		err = p.additionalDocument(path)
	case "AccountingSupplierParty":
		inv.Supplier.Line = line
		err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
			if se.Name.Local == "Party" {
				inv.Supplier.Line = line
				return true, p.party(&inv.Supplier, path)
			}
			return false, nil
		})
	case "AccountingCustomerParty":
		err = p.customer(path, line)
	case "PaymentMeans":
		err = p.paymentMeans(path, line)
	case "PaymentTerms":
		err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
			if se.Name.Local == "Note" {
				return p.strs(&inv.PaymentTerms, path, line)
			}
			return false, nil
		})
	case "AllowanceCharge":
		if err := p.part(path, line); err != nil {
			return true, err
		}
		var ac AllowanceCharge
		ac, err = p.allowanceCharge(path, line)
		inv.AllowanceCharges = append(inv.AllowanceCharges, ac)
	case "TaxTotal":
		err = p.taxTotal(path, line)
	case "LegalMonetaryTotal":
		err = p.monetaryTotal(path, line)
	case "InvoiceLine", "CreditNoteLine":
		err = p.invoiceLine(path, line)
	default:
		return false, nil
	}
	return true, err
}

func (p *parser) additionalDocument(path string) error {
	var id string
	return p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		switch se.Name.Local {
		case "ID":
			return p.str(&id)
		case "Attachment":
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				if se.Name.Local != attachTag {
					return false, nil
				}
				if err := p.part(path, line); err != nil {
					return true, err
				}
				if len(p.inv.Attachments) == maxAttachments {
					return true, p.limit(line, path, attr(se, "filename"), fmt.Sprintf("more than %d embedded attachments: refused (no real invoice has that many)", maxAttachments))
				}
				a := Attachment{ID: id, Filename: attr(se, "filename"), MimeCode: attr(se, "mimeCode"), Line: line}
				start := p.d.InputOffset()
				if _, err := p.text(); err != nil {
					return true, err
				}
				if d, ok := p.f.dropAt(start); ok {
					a.Size = d.size()
				}
				p.inv.Attachments = append(p.inv.Attachments, a)
				return true, nil
			})
		}
		return false, nil
	})
}

func (p *parser) customer(path string, line int) error {
	c := &p.inv.Customer
	c.PartyLine = line
	if c.Line == 0 {
		c.Line = line
	}
	return p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		switch se.Name.Local {
		case "CustomerAssignedAccountID":
			return p.str(&c.CustomerAssignedAccountID)
		case "SupplierAssignedAccountID":
			return p.str(&c.SupplierAssignedAccountID)
		case "AdditionalAccountID":
			return p.strs(&c.AdditionalAccountIDs, path, line)
		case "Party":
			c.Line = line
			return true, p.party(&c.Party, path)
		case "PartyIdentification":
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				switch se.Name.Local {
				case "ID":
					return p.strs(&c.DirectIdentifications, path, line)
				case "CompanyID":
					return p.strs(&c.DirectCompanyIDs, path, line)
				}
				return false, nil
			})
		}
		return false, nil
	})
}

func (p *parser) party(pt *Party, path string) error {
	return p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		switch se.Name.Local {
		case "EndpointID":
			return p.str(&pt.EndpointID)
		case "PartyIdentification":
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				switch se.Name.Local {
				case "ID":
					return p.strs(&pt.Identifications, path, line)
				case "CompanyID":
					return p.strs(&pt.IdentificationCompanyIDs, path, line)
				}
				return false, nil
			})
		case "PartyName":
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				if se.Name.Local == "Name" && pt.Name == "" {
					return p.str(&pt.Name)
				}
				return false, nil
			})
		case "Language":
			lang, err := p.language()
			pt.Language = lang
			return true, err
		case "PostalAddress":
			pt.HasAddress = true
			return true, p.address(&pt.Address, path)
		case "PartyTaxScheme":
			var company, scheme string
			err := p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				switch se.Name.Local {
				case "CompanyID":
					return p.str(&company)
				case "TaxScheme":
					return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
						if se.Name.Local == "ID" {
							return p.str(&scheme)
						}
						return false, nil
					})
				}
				return false, nil
			})
			if strings.EqualFold(scheme, "VAT") && pt.VATID == "" {
				pt.VATID = company
			}
			return true, err
		case "PartyLegalEntity":
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				switch se.Name.Local {
				case "RegistrationName":
					return p.str(&pt.RegistrationName)
				case "CompanyID":
					return p.str(&pt.CompanyID)
				}
				return false, nil
			})
		case "Contact":
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				switch se.Name.Local {
				case "Name":
					return p.str(&pt.Contact.Name)
				case "Telephone":
					return p.str(&pt.Contact.Telephone)
				case "ElectronicMail":
					return p.str(&pt.Contact.ElectronicMail)
				case "Email":
					if pt.Contact.ElectronicMail == "" {
						return p.str(&pt.Contact.ElectronicMail)
					}
				}
				return false, nil
			})
		}
		return false, nil
	})
}

func (p *parser) address(a *Address, path string) error {
	return p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		switch se.Name.Local {
		case "StreetName":
			return p.str(&a.StreetName)
		case "AdditionalStreetName":
			return p.str(&a.AdditionalStreetName)
		case "CityName":
			return p.str(&a.CityName)
		case "PostalZone":
			return p.str(&a.PostalZone)
		case "CountrySubentity":
			return p.str(&a.CountrySubentity)
		case "Country":
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				if se.Name.Local == "IdentificationCode" {
					return p.str(&a.Country)
				}
				return false, nil
			})
		}
		return false, nil
	})
}

func (p *parser) financialAccount(fa *FinancialAccount, path string, line int) error {
	fa.Line = line
	return p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		switch se.Name.Local {
		case "ID":
			return p.str(&fa.ID)
		case "Name":
			return p.str(&fa.Name)
		case "FinancialInstitutionBranch":
			return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				if se.Name.Local == "ID" {
					return p.str(&fa.BIC)
				}
				return false, nil
			})
		}
		return false, nil
	})
}

func (p *parser) paymentMeans(path string, line int) error {
	if err := p.part(path, line); err != nil {
		return err
	}
	pm := PaymentMeans{Line: line}
	err := p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		var err error
		switch se.Name.Local {
		case "PaymentMeansCode":
			pm.CodeName = attr(se, "name")
			return p.str(&pm.Code)
		case "PaymentDueDate":
			pm.DueDate, err = p.date(path, line)
		case "InstructionID":
			return p.str(&pm.InstructionID)
		case "InstructionNote":
			return p.str(&pm.InstructionNote)
		case "PaymentID":
			if err := p.part(path, line); err != nil {
				return true, err
			}
			var s string
			s, err = p.text()
			pm.PaymentIDs = append(pm.PaymentIDs, Text{Value: s, Line: line})
		case "PayeeFinancialAccount":
			err = p.financialAccount(&pm.PayeeAccount, path, line)
		case "PaymentMandate":
			m := &Mandate{Line: line}
			pm.Mandate = m
			err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				switch se.Name.Local {
				case "ID":
					return p.str(&m.ID)
				case "PayerFinancialAccount":
					return true, p.financialAccount(&m.PayerAccount, path, line)
				}
				return false, nil
			})
		default:
			return false, nil
		}
		return true, err
	})
	p.inv.PaymentMeans = append(p.inv.PaymentMeans, pm)
	return err
}

func (p *parser) taxCategory(tc *TaxCategory, path string) error {
	return p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		var err error
		switch se.Name.Local {
		case "ID":
			return p.str(&tc.ID)
		case "Percent":
			tc.Percent, err = p.number(path, line)
		case "TaxExemptionReasonCode":
			return p.str(&tc.ExemptionReasonCode)
		case "TaxExemptionReason":
			return p.str(&tc.ExemptionReason)
		case "TaxScheme":
			err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				if se.Name.Local == "ID" {
					return p.str(&tc.TaxScheme)
				}
				return false, nil
			})
		default:
			return false, nil
		}
		return true, err
	})
}

func (p *parser) allowanceCharge(path string, line int) (AllowanceCharge, error) {
	ac := AllowanceCharge{Line: line}
	err := p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		var err error
		switch se.Name.Local {
		case "ChargeIndicator":
			ac.ChargeIndicator, err = p.flag(path, line)
		case "AllowanceChargeReasonCode":
			return p.str(&ac.ReasonCode)
		case "AllowanceChargeReason":
			return p.str(&ac.Reason)
		case "MultiplierFactorNumeric":
			ac.MultiplierFactor, err = p.number(path, line)
		case "Amount":
			ac.Amount, err = p.amount(se, path, line)
		case "BaseAmount":
			ac.BaseAmount, err = p.amount(se, path, line)
		case "TaxCategory":
			err = p.taxCategory(&ac.TaxCategory, path)
		default:
			return false, nil
		}
		return true, err
	})
	return ac, err
}

func (p *parser) taxTotal(path string, line int) error {
	if err := p.part(path, line); err != nil {
		return err
	}
	tt := TaxTotal{Line: line}
	err := p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		var err error
		switch se.Name.Local {
		case "TaxAmount":
			tt.TaxAmount, err = p.amount(se, path, line)
		case "TaxSubtotal":
			if err := p.part(path, line); err != nil {
				return true, err
			}
			st := TaxSubtotal{Line: line}
			err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				var err error
				switch se.Name.Local {
				case "TaxableAmount":
					st.TaxableAmount, err = p.amount(se, path, line)
				case "TaxAmount":
					st.TaxAmount, err = p.amount(se, path, line)
				case "TaxCategory":
					err = p.taxCategory(&st.Category, path)
				default:
					return false, nil
				}
				return true, err
			})
			tt.Subtotals = append(tt.Subtotals, st)
		default:
			return false, nil
		}
		return true, err
	})
	p.inv.TaxTotals = append(p.inv.TaxTotals, tt)
	return err
}

func (p *parser) monetaryTotal(path string, line int) error {
	t := &p.inv.Totals
	t.Line = line
	return p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		var dst *Amount
		switch se.Name.Local {
		case "LineExtensionAmount":
			dst = &t.LineExtensionAmount
		case "TaxExclusiveAmount":
			dst = &t.TaxExclusiveAmount
		case "TaxInclusiveAmount":
			dst = &t.TaxInclusiveAmount
		case "AllowanceTotalAmount":
			dst = &t.AllowanceTotalAmount
		case "ChargeTotalAmount":
			dst = &t.ChargeTotalAmount
		case "PrepaidAmount":
			dst = &t.PrepaidAmount
		case "PayableRoundingAmount":
			dst = &t.PayableRoundingAmount
		case "PayableAmount":
			dst = &t.PayableAmount
		default:
			return false, nil
		}
		a, err := p.amount(se, path, line)
		*dst = a
		return true, err
	})
}

func (p *parser) invoiceLine(path string, line int) error {
	if err := p.part(path, line); err != nil {
		return err
	}
	l := Line{Line: line}
	err := p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
		var err error
		switch se.Name.Local {
		case "ID":
			return p.str(&l.ID)
		case "Note":
			return p.str(&l.Note)
		case "InvoicedQuantity", "CreditedQuantity":
			l.Quantity, err = p.quantity(se, path, line)
		case "LineExtensionAmount":
			l.LineExtensionAmount, err = p.amount(se, path, line)
		case "AllowanceCharge":
			if err := p.part(path, line); err != nil {
				return true, err
			}
			var ac AllowanceCharge
			ac, err = p.allowanceCharge(path, line)
			l.AllowanceCharges = append(l.AllowanceCharges, ac)
		case "Item":
			err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				switch se.Name.Local {
				case "Name":
					return p.str(&l.Item.Name)
				case "Description":
					return p.str(&l.Item.Description)
				case "SellersItemIdentification":
					return true, p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
						if se.Name.Local == "ID" {
							return p.str(&l.Item.SellersItemID)
						}
						return false, nil
					})
				case "ClassifiedTaxCategory":
					return true, p.taxCategory(&l.Item.TaxCategory, path)
				}
				return false, nil
			})
		case "Price":
			l.Price.Line = line
			err = p.children(path, func(se xml.StartElement, path string, line int) (bool, error) {
				var err error
				switch se.Name.Local {
				case "PriceAmount":
					l.Price.Amount, err = p.amount(se, path, line)
				case "BaseQuantity":
					l.Price.BaseQuantity, err = p.quantity(se, path, line)
				case "AllowanceCharge":
					var ac AllowanceCharge
					ac, err = p.allowanceCharge(path, line)
					l.Price.Allowance = &ac
				default:
					return false, nil
				}
				return true, err
			})
		default:
			return false, nil
		}
		return true, err
	})
	p.inv.Lines = append(p.inv.Lines, l)
	return err
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// language reads a cac:Language (its cbc:ID, else cbc:LocaleCode) or a
// cbc:Language holding the code as text, the element the platform names.
func (p *parser) language() (string, error) {
	var text strings.Builder
	var id, locale string
	for {
		tok, err := p.d.Token()
		if err != nil {
			return "", p.fatal(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if text.Len()+len(t) > maxText {
				return "", p.limit(p.line(), p.cur, excerpt(text.String()), fmt.Sprintf("text longer than %s in one element: refused (no real file has one)", xmlguard.Size(maxText)))
			}
			text.Write(t)
		case xml.StartElement:
			switch t.Name.Local {
			case "ID":
				if id, err = p.text(); err != nil {
					return "", err
				}
			case "LocaleCode":
				if locale, err = p.text(); err != nil {
					return "", err
				}
			default:
				if err := p.d.Skip(); err != nil {
					return "", p.fatal(err)
				}
			}
		case xml.EndElement:
			return firstNonEmpty(strings.TrimSpace(text.String()), id, locale), nil
		}
	}
}
