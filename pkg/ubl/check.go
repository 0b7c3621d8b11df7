package ubl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/sepa"
)

var (
	hundred = decimal.NewFromInt(100)
	// slackLine is the tolerance of PEPPOL-EN16931-R120.
	slackLine = decimal.New(2, -2)
	// slackVAT is the tolerance of BR-CO-17/BR-S-09 in the EN 16931
	// Schematron: the difference must be less than one currency unit.
	slackVAT = decimal.NewFromInt(1)
)

// round2 rounds half away from zero at 2 decimals ("half up" on the
// magnitude, as the EN 16931 rules say).
func round2(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

// fmt2 writes an amount with at least 2 decimals.
func fmt2(d decimal.Decimal) string {
	if d.Exponent() < -2 {
		return d.String()
	}
	return d.StringFixed(2)
}

type checker struct {
	inv  *Invoice
	fl   finding.Capped // at most finding.DefaultPerRule a rule: a hostile invoice of 100,000 empty lines costs no more
	root string
}

func (c *checker) add(sev finding.Severity, line int, path, value, rule, msg string) {
	if line == 0 {
		line = c.inv.Line
	}
	c.fl.Add(finding.Finding{Severity: sev, File: c.inv.File, Line: line, Path: path, Value: value, Rule: rule, Message: msg})
}

func (c *checker) errorf(line int, path, value, rule, format string, args ...any) {
	c.add(finding.Error, line, path, value, rule, fmt.Sprintf(format, args...))
}

// Check applies the EN 16931 business rules that concern the fields this
// package reads: mandatory elements (BR-01..BR-16, BR-21..BR-27, BR-49,
// BR-CO-04, BR-CO-18, BR-CO-25), the arithmetic of lines and totals
// (PEPPOL-EN16931-R120/R121, BR-CO-10..BR-CO-17, BR-S-09, the VAT
// breakdown taxable amounts BR-S-08, BR-Z-08, BR-E-08, BR-AE-08, BR-IC-08,
// BR-G-08, BR-O-08, BR-AF-08, BR-AG-08), decimals
// (BR-DEC-xx), payment means (BR-61, PEPPOL-EN16931-R061) and structured
// references in cbc:PaymentID (ISO 11649 RF, Belgian OGM/VCS).
func (inv *Invoice) Check() finding.List {
	c := &checker{inv: inv, root: "/" + inv.Root()}
	c.mandatory()
	c.lines()
	c.totals()
	c.tax()
	c.payment()
	return c.fl.List()
}

// at returns the source line of a document-level element, or 0.
func (c *checker) at(path string) int { return c.inv.at[path] }

func (c *checker) mandatory() {
	inv, r := c.inv, c.root
	need := func(ok bool, rule, path, what string, line int) {
		if !ok {
			c.errorf(line, path, "", rule, "%s is missing", what)
		}
	}
	need(strings.TrimSpace(inv.CustomizationID) != "", "BR-01", r+"/cbc:CustomizationID", "specification identifier (BT-24)", c.at(r+"/cbc:CustomizationID"))
	need(strings.TrimSpace(inv.Number) != "", "BR-02", r+"/cbc:ID", "invoice number (BT-1)", c.at(r+"/cbc:ID"))
	if _, read := c.inv.at[r+"/cbc:IssueDate"]; !read {
		need(false, "BR-03", r+"/cbc:IssueDate", "invoice issue date (BT-2)", 0)
	}
	tc := r + "/cbc:InvoiceTypeCode"
	if inv.IsCreditNote {
		tc = r + "/cbc:CreditNoteTypeCode"
	}
	need(inv.TypeCode != "", "BR-04", tc, "invoice type code (BT-3)", c.at(tc))
	need(inv.Currency != "", "BR-05", r+"/cbc:DocumentCurrencyCode", "invoice currency code (BT-5)", c.at(r+"/cbc:DocumentCurrencyCode"))

	sp := r + "/cac:AccountingSupplierParty/cac:Party"
	need(inv.Supplier.RegistrationName != "", "BR-06", sp+"/cac:PartyLegalEntity/cbc:RegistrationName", "seller name (BT-27)", inv.Supplier.Line)
	need(inv.Supplier.HasAddress, "BR-08", sp+"/cac:PostalAddress", "seller postal address (BG-5)", inv.Supplier.Line)
	if inv.Supplier.HasAddress {
		need(inv.Supplier.Address.Country != "", "BR-09", sp+"/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "seller country code (BT-40)", inv.Supplier.Line)
	}
	cp := r + "/cac:AccountingCustomerParty/cac:Party"
	need(inv.Customer.RegistrationName != "", "BR-07", cp+"/cac:PartyLegalEntity/cbc:RegistrationName", "buyer name (BT-44)", inv.Customer.Line)
	need(inv.Customer.HasAddress, "BR-10", cp+"/cac:PostalAddress", "buyer postal address (BG-8)", inv.Customer.Line)
	if inv.Customer.HasAddress {
		need(inv.Customer.Address.Country != "", "BR-11", cp+"/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "buyer country code (BT-55)", inv.Customer.Line)
	}

	t, lmt := inv.Totals, r+"/cac:LegalMonetaryTotal"
	tl := t.Line
	need(t.LineExtensionAmount.Line > 0, "BR-12", lmt+"/cbc:LineExtensionAmount", "sum of invoice line net amount (BT-106)", tl)
	need(t.TaxExclusiveAmount.Line > 0, "BR-13", lmt+"/cbc:TaxExclusiveAmount", "invoice total amount without VAT (BT-109)", tl)
	need(t.TaxInclusiveAmount.Line > 0, "BR-14", lmt+"/cbc:TaxInclusiveAmount", "invoice total amount with VAT (BT-112)", tl)
	need(t.PayableAmount.Line > 0, "BR-15", lmt+"/cbc:PayableAmount", "amount due for payment (BT-115)", tl)
	need(len(inv.Lines) > 0, "BR-16", r+"/cac:"+c.lineName(), "invoice line (BG-25)", 0)
	hasBreakdown := false
	for _, tt := range inv.TaxTotals {
		if len(tt.Subtotals) > 0 {
			hasBreakdown = true
		}
	}
	need(hasBreakdown, "BR-CO-18", r+"/cac:TaxTotal/cac:TaxSubtotal", "VAT breakdown (BG-23)", 0)
	// BR-CO-25 binds to /Invoice only (the UBL binding's Amount_due).
	if !inv.IsCreditNote && t.PayableAmount.IsSet() && t.PayableAmount.Value.IsPositive() && inv.DueDate.IsZero() && len(inv.PaymentTerms) == 0 {
		c.errorf(t.PayableAmount.Line, lmt+"/cbc:PayableAmount", t.PayableAmount.Text, "BR-CO-25",
			"amount due is positive but neither a payment due date (BT-9) nor payment terms (BT-20) are given")
	}

	c.mandatoryDecimals()
}

// mandatoryDecimals checks BR-DEC rules of document-level amounts.
func (c *checker) mandatoryDecimals() {
	inv, r := c.inv, c.root
	t, lmt := inv.Totals, r+"/cac:LegalMonetaryTotal"
	dec := func(a Amount, rule, path string) {
		if a.IsSet() && decimals(a.Text) > 2 {
			c.errorf(a.Line, path, a.Text, rule, "more than 2 decimals")
		}
	}
	dec(t.LineExtensionAmount, "BR-DEC-09", lmt+"/cbc:LineExtensionAmount")
	dec(t.AllowanceTotalAmount, "BR-DEC-10", lmt+"/cbc:AllowanceTotalAmount")
	dec(t.ChargeTotalAmount, "BR-DEC-11", lmt+"/cbc:ChargeTotalAmount")
	dec(t.TaxExclusiveAmount, "BR-DEC-12", lmt+"/cbc:TaxExclusiveAmount")
	dec(t.TaxInclusiveAmount, "BR-DEC-14", lmt+"/cbc:TaxInclusiveAmount")
	dec(t.PrepaidAmount, "BR-DEC-16", lmt+"/cbc:PrepaidAmount")
	dec(t.PayableRoundingAmount, "BR-DEC-17", lmt+"/cbc:PayableRoundingAmount")
	dec(t.PayableAmount, "BR-DEC-18", lmt+"/cbc:PayableAmount")
	for i, ac := range inv.AllowanceCharges {
		p := fmt.Sprintf("%s/cac:AllowanceCharge[%d]", r, i+1)
		if ac.ChargeIndicator {
			dec(ac.Amount, "BR-DEC-05", p+"/cbc:Amount")
			dec(ac.BaseAmount, "BR-DEC-06", p+"/cbc:BaseAmount")
		} else {
			dec(ac.Amount, "BR-DEC-01", p+"/cbc:Amount")
			dec(ac.BaseAmount, "BR-DEC-02", p+"/cbc:BaseAmount")
		}
	}
	for i, tt := range inv.TaxTotals {
		p := fmt.Sprintf("%s/cac:TaxTotal[%d]", r, i+1)
		rule := "BR-DEC-13"
		if tt.TaxAmount.Currency != "" && tt.TaxAmount.Currency != inv.Currency && tt.TaxAmount.Currency == inv.TaxCurrency {
			rule = "BR-DEC-15"
		}
		dec(tt.TaxAmount, rule, p+"/cbc:TaxAmount")
		for j, st := range tt.Subtotals {
			sp := fmt.Sprintf("%s/cac:TaxSubtotal[%d]", p, j+1)
			dec(st.TaxableAmount, "BR-DEC-19", sp+"/cbc:TaxableAmount")
			dec(st.TaxAmount, "BR-DEC-20", sp+"/cbc:TaxAmount")
		}
	}
}

func (c *checker) lineName() string {
	if c.inv.IsCreditNote {
		return "CreditNoteLine"
	}
	return "InvoiceLine"
}

// decimals counts the digits after the decimal point of a number's text.
func decimals(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// sumAC returns the sums of the allowances and of the charges.
func sumAC(acs []AllowanceCharge) (allowances, charges decimal.Decimal, nA, nC int) {
	for _, ac := range acs {
		if !ac.Amount.IsSet() {
			continue
		}
		if ac.ChargeIndicator {
			charges = charges.Add(ac.Amount.Value)
			nC++
		} else {
			allowances = allowances.Add(ac.Amount.Value)
			nA++
		}
	}
	return
}

func (c *checker) lines() {
	qtyName := "cbc:InvoicedQuantity"
	if c.inv.IsCreditNote {
		qtyName = "cbc:CreditedQuantity"
	}
	for i, l := range c.inv.Lines {
		p := fmt.Sprintf("%s/cac:%s[%d]", c.root, c.lineName(), i+1)
		if strings.TrimSpace(l.ID) == "" {
			c.errorf(l.Line, p+"/cbc:ID", "", "BR-21", "invoice line identifier (BT-126) is missing")
		}
		if l.Quantity.Line == 0 {
			c.errorf(l.Line, p+"/"+qtyName, "", "BR-22", "invoiced quantity (BT-129) is missing")
		} else if l.Quantity.UnitCode == "" {
			c.errorf(l.Quantity.Line, p+"/"+qtyName+"/@unitCode", "", "BR-23", "unit of measure (BT-130) is missing")
		}
		if l.LineExtensionAmount.Line == 0 {
			c.errorf(l.Line, p+"/cbc:LineExtensionAmount", "", "BR-24", "invoice line net amount (BT-131) is missing")
		} else if l.LineExtensionAmount.IsSet() && decimals(l.LineExtensionAmount.Text) > 2 {
			c.errorf(l.LineExtensionAmount.Line, p+"/cbc:LineExtensionAmount", l.LineExtensionAmount.Text, "BR-DEC-23", "more than 2 decimals")
		}
		if strings.TrimSpace(l.Item.Name) == "" {
			c.errorf(l.Line, p+"/cac:Item/cbc:Name", "", "BR-25", "item name (BT-153) is missing")
		}
		if l.Item.TaxCategory.ID == "" {
			c.errorf(l.Line, p+"/cac:Item/cac:ClassifiedTaxCategory/cbc:ID", "", "BR-CO-04", "invoiced item VAT category code (BT-151) is missing")
		}
		if l.Price.Amount.Line == 0 {
			c.errorf(l.Line, p+"/cac:Price/cbc:PriceAmount", "", "BR-26", "item net price (BT-146) is missing")
		} else if l.Price.Amount.IsSet() && l.Price.Amount.Value.IsNegative() {
			c.errorf(l.Price.Amount.Line, p+"/cac:Price/cbc:PriceAmount", l.Price.Amount.Text, "BR-27", "item net price (BT-146) is negative")
		}
		for j, ac := range l.AllowanceCharges {
			ap := fmt.Sprintf("%s/cac:AllowanceCharge[%d]", p, j+1)
			amt, base := "BR-DEC-24", "BR-DEC-25"
			if ac.ChargeIndicator {
				amt, base = "BR-DEC-27", "BR-DEC-28"
			}
			if ac.Amount.IsSet() && decimals(ac.Amount.Text) > 2 {
				c.errorf(ac.Amount.Line, ap+"/cbc:Amount", ac.Amount.Text, amt, "more than 2 decimals")
			}
			if ac.BaseAmount.IsSet() && decimals(ac.BaseAmount.Text) > 2 {
				c.errorf(ac.BaseAmount.Line, ap+"/cbc:BaseAmount", ac.BaseAmount.Text, base, "more than 2 decimals")
			}
		}

		// Line net amount (BT-131) = quantity × (net price / base quantity)
		// + line charges − line allowances.
		base := decimal.NewFromInt(1)
		if bq := l.Price.BaseQuantity; bq.IsSet() {
			if !bq.Value.IsPositive() {
				c.errorf(bq.Line, p+"/cac:Price/cbc:BaseQuantity", bq.Text, "PEPPOL-EN16931-R121", "base quantity must be a positive number above zero")
				continue
			}
			base = bq.Value
		}
		if !l.Quantity.IsSet() || !l.Price.Amount.IsSet() || !l.LineExtensionAmount.IsSet() {
			continue
		}
		allow, charge, _, _ := sumAC(l.AllowanceCharges)
		computed := l.Quantity.Value.Mul(l.Price.Amount.Value).DivRound(base, 16).Add(round2(charge)).Sub(round2(allow))
		stated := l.LineExtensionAmount
		if stated.Value.Equal(round2(computed)) {
			continue
		}
		how := fmt.Sprintf("%s × %s", l.Quantity.Text, l.Price.Amount.Text)
		if l.Price.BaseQuantity.IsSet() {
			how += " / " + l.Price.BaseQuantity.Text
		}
		if !charge.IsZero() {
			how += " + " + fmt2(round2(charge))
		}
		if !allow.IsZero() {
			how += " − " + fmt2(round2(allow))
		}
		sev := finding.Error
		note := ""
		switch {
		case stated.Value.Sub(computed).Abs().LessThanOrEqual(slackLine):
			sev, note = finding.Warning, "; within the 0.02 validators tolerate"
		case !c.inv.IsPeppol():
			sev, note = finding.Warning, "; EN 16931 itself has no rule for it, Peppol BIS 3 rejects it"
		}
		c.add(sev, stated.Line, p+"/cbc:LineExtensionAmount", stated.Text, "PEPPOL-EN16931-R120",
			fmt.Sprintf("line net amount: stated %s, computed %s (%s = %s)%s", stated.Text, fmt2(round2(computed)), how, computed.String(), note))
	}
}

// cmpTotal reports a total that does not equal its computed value.
func (c *checker) cmpTotal(a Amount, computed decimal.Decimal, rule, path, what string) {
	if !a.IsSet() || a.Value.Equal(computed) {
		return
	}
	c.errorf(a.Line, path, a.Text, rule, "%s: stated %s, computed %s", what, a.Text, fmt2(computed))
}

func (c *checker) totals() {
	inv, t := c.inv, c.inv.Totals
	lmt := c.root + "/cac:LegalMonetaryTotal"

	// BR-CO-10: Σ line net amounts.
	var sum decimal.Decimal
	ok := true
	for _, l := range inv.Lines {
		if !l.LineExtensionAmount.IsSet() {
			ok = false
			break
		}
		sum = sum.Add(l.LineExtensionAmount.Value)
	}
	if ok && len(inv.Lines) > 0 {
		c.cmpTotal(t.LineExtensionAmount, round2(sum), "BR-CO-10", lmt+"/cbc:LineExtensionAmount",
			fmt.Sprintf("sum of invoice line net amount (BT-106) must equal the sum of the %d line net amounts", len(inv.Lines)))
	}

	// BR-CO-11, BR-CO-12: document allowances and charges.
	allow, charge, nA, nC := sumAC(inv.AllowanceCharges)
	checkSum := func(a Amount, n int, s decimal.Decimal, rule, elem, what string) {
		path := lmt + "/cbc:" + elem
		switch {
		case !a.IsSet() && n > 0:
			line := t.Line
			c.errorf(line, path, "", rule, "%s is missing: %d document level %s sum to %s", elem, n, what, fmt2(round2(s)))
		case a.IsSet():
			c.cmpTotal(a, round2(s), rule, path, fmt.Sprintf("must equal the sum of the %d document level %s", n, what))
		}
	}
	checkSum(t.AllowanceTotalAmount, nA, allow, "BR-CO-11", "AllowanceTotalAmount", "allowances")
	checkSum(t.ChargeTotalAmount, nC, charge, "BR-CO-12", "ChargeTotalAmount", "charges")

	// BR-CO-13: tax exclusive = lines − allowances + charges.
	if t.LineExtensionAmount.IsSet() {
		ex := t.LineExtensionAmount.Value.Sub(t.AllowanceTotalAmount.Value).Add(t.ChargeTotalAmount.Value)
		c.cmpTotal(t.TaxExclusiveAmount, round2(ex), "BR-CO-13", lmt+"/cbc:TaxExclusiveAmount",
			"invoice total without VAT (BT-109) must equal line net amounts − allowances + charges")
	}

	// BR-CO-15: tax inclusive = tax exclusive + VAT total in the document currency.
	if t.TaxExclusiveAmount.IsSet() && t.TaxInclusiveAmount.IsSet() {
		var taxes []Amount
		for _, tt := range inv.TaxTotals {
			if tt.TaxAmount.IsSet() && (tt.TaxAmount.Currency == inv.Currency || tt.TaxAmount.Currency == "") {
				taxes = append(taxes, tt.TaxAmount)
			}
		}
		switch len(taxes) {
		case 1:
			c.cmpTotal(t.TaxInclusiveAmount, round2(t.TaxExclusiveAmount.Value.Add(taxes[0].Value)), "BR-CO-15", lmt+"/cbc:TaxInclusiveAmount",
				"invoice total with VAT (BT-112) must equal the total without VAT + the total VAT amount")
		default:
			c.errorf(t.TaxInclusiveAmount.Line, c.root+"/cac:TaxTotal/cbc:TaxAmount", inv.Currency, "BR-CO-15",
				"exactly one TaxTotal/TaxAmount in the invoice currency is needed to verify the total with VAT, found %d", len(taxes))
		}
	}

	// BR-CO-16: payable = inclusive − prepaid + rounding.
	if t.TaxInclusiveAmount.IsSet() {
		due := t.TaxInclusiveAmount.Value.Sub(t.PrepaidAmount.Value).Add(t.PayableRoundingAmount.Value)
		c.cmpTotal(t.PayableAmount, round2(due), "BR-CO-16", lmt+"/cbc:PayableAmount",
			"amount due for payment (BT-115) must equal the total with VAT − paid amount + rounding amount")
	}
}

func (c *checker) tax() {
	for i, tt := range c.inv.TaxTotals {
		p := fmt.Sprintf("%s/cac:TaxTotal[%d]", c.root, i+1)
		if len(tt.Subtotals) == 0 {
			continue
		}
		// BR-CO-14: VAT total = Σ VAT category tax amounts.
		var sum decimal.Decimal
		ok := true
		for _, st := range tt.Subtotals {
			ok = ok && st.TaxAmount.IsSet()
			sum = sum.Add(st.TaxAmount.Value)
		}
		if ok {
			c.cmpTotal(tt.TaxAmount, round2(sum), "BR-CO-14", p+"/cbc:TaxAmount",
				fmt.Sprintf("invoice total VAT amount (BT-110) must equal the sum of the %d VAT category tax amounts", len(tt.Subtotals)))
		}
		for j, st := range tt.Subtotals {
			sp := fmt.Sprintf("%s/cac:TaxSubtotal[%d]", p, j+1)
			c.subtotal(st, sp)
			if tt.TaxAmount.Currency == "" || tt.TaxAmount.Currency == c.inv.Currency {
				c.taxable(st, sp)
			}
		}
	}
}

// subtotal checks BR-CO-17 (and BR-S-09 for standard rate): VAT category
// tax amount = taxable amount × rate / 100, rounded at 2 decimals.
func (c *checker) subtotal(st TaxSubtotal, path string) {
	if !st.TaxAmount.IsSet() || !st.TaxableAmount.IsSet() {
		return
	}
	rule := "BR-CO-17"
	if strings.TrimSpace(st.Category.ID) == "S" {
		rule = "BR-S-09, BR-CO-17"
	}
	stated := st.TaxAmount
	pct := st.Category.Percent
	if !pct.IsSet() || pct.Value.Round(0).IsZero() {
		if !stated.Value.Round(0).IsZero() {
			c.errorf(stated.Line, path+"/cbc:TaxAmount", stated.Text, rule,
				"VAT category tax amount must be 0 when the category has no rate or a zero rate: stated %s, computed 0.00", stated.Text)
		} else if !stated.Value.IsZero() {
			c.add(finding.Warning, stated.Line, path+"/cbc:TaxAmount", stated.Text, rule,
				fmt.Sprintf("VAT category tax amount should be 0 when the category has a zero rate: stated %s, computed 0.00; within the tolerance of validators", stated.Text))
		}
		return
	}
	computed := round2(st.TaxableAmount.Value.Mul(pct.Value).Div(hundred))
	if stated.Value.Equal(computed) {
		return
	}
	msg := fmt.Sprintf("VAT category tax amount must equal taxable amount × rate, rounded at 2 decimals: stated %s, computed %s (%s × %s%%)",
		stated.Text, fmt2(computed), st.TaxableAmount.Text, pct.Text)
	if stated.Value.Abs().Sub(computed.Abs()).Abs().LessThan(slackVAT) {
		c.add(finding.Warning, stated.Line, path+"/cbc:TaxAmount", stated.Text, rule, msg+"; within the one unit validators tolerate")
		return
	}
	c.add(finding.Error, stated.Line, path+"/cbc:TaxAmount", stated.Text, rule, msg)
}

// ogmShape matches what is meant as a Belgian structured communication.
var ogmShape = regexp.MustCompile(`^(\+\+\+|\*\*\*).*(\+\+\+|\*\*\*)$|^\d{3}/\d{4}/\d{5}$`)

// rfShape matches what is meant as an ISO 11649 creditor reference.
var rfShape = regexp.MustCompile(`^RF\d\d[0-9A-Za-z ]+$`)

func (c *checker) payment() {
	for i, pm := range c.inv.PaymentMeans {
		p := fmt.Sprintf("%s/cac:PaymentMeans[%d]", c.root, i+1)
		code := strings.TrimSpace(pm.Code)
		if code == "" {
			c.errorf(pm.Line, p+"/cbc:PaymentMeansCode", "", "BR-49", "payment means type code (BT-81) is missing")
		}
		if (code == "30" || code == "58") && pm.PayeeAccount.ID == "" {
			c.errorf(pm.Line, p+"/cac:PayeeFinancialAccount/cbc:ID", "", "BR-61",
				"payment account identifier (BT-84) is required for credit transfer (payment means %s)", code)
		}
		if (code == "49" || code == "59") && (pm.Mandate == nil || strings.TrimSpace(pm.Mandate.ID) == "") {
			c.errorf(pm.Line, p+"/cac:PaymentMandate/cbc:ID", "", "PEPPOL-EN16931-R061",
				"mandate reference (BT-89) must be provided for direct debit (payment means %s)", code)
		}
		for j, id := range pm.PaymentIDs {
			ip := fmt.Sprintf("%s/cbc:PaymentID", p)
			if len(pm.PaymentIDs) > 1 {
				ip = fmt.Sprintf("%s[%d]", ip, j+1)
			}
			checkStructuredRef(&c.fl, c.inv.File, id, ip)
		}
	}
}

// checkStructuredRef reports a PaymentID written as an RF creditor reference
// or a Belgian structured communication whose check digits do not verify.
// Free-text references are not findings.
func checkStructuredRef(fl *finding.Capped, file string, id Text, path string) {
	v := strings.TrimSpace(id.Value)
	switch {
	case ogmShape.MatchString(v):
		if _, err := sepa.ParseOGM(v); err != nil {
			fl.Add(finding.Finding{Severity: finding.Error, File: file, Line: id.Line, Path: path, Value: id.Value, Rule: "OGM/VCS", Message: err.Error()})
		}
	case rfShape.MatchString(strings.ToUpper(v)):
		if _, err := sepa.ParseRF(strings.ToUpper(v)); err != nil {
			fl.Add(finding.Finding{Severity: finding.Error, File: file, Line: id.Line, Path: path, Value: id.Value, Rule: "ISO 11649", Message: err.Error()})
		}
	}
}

// StructuredReference returns the first cbc:PaymentID that is a valid RF
// creditor reference or Belgian structured communication, normalised (RF
// without spaces; OGM as its 12 digits), with its scheme.
func (inv *Invoice) StructuredReference() (sepa.ReferenceScheme, string) {
	for _, pm := range inv.PaymentMeans {
		for _, id := range pm.PaymentIDs {
			v := strings.TrimSpace(id.Value)
			if rfShape.MatchString(strings.ToUpper(v)) {
				if rf, err := sepa.ParseRF(strings.ToUpper(v)); err == nil {
					return sepa.SchemeRF, string(rf)
				}
			}
			if ogmShape.MatchString(v) {
				if o, err := sepa.ParseOGM(v); err == nil {
					return sepa.SchemeOGM, string(o)
				}
			}
		}
	}
	return sepa.SchemeNone, ""
}

// IsPeppol reports whether the document claims Peppol BIS Billing 3.0
// (its CustomizationID names urn:fdc:peppol.eu:2017:poacc:billing:3.0).
func (inv *Invoice) IsPeppol() bool {
	return strings.Contains(inv.CustomizationID, "urn:fdc:peppol.eu:2017:poacc:billing:3.0")
}

// taxableRules are the BR-x-08 rules per VAT category code (UNCL 5305):
// the rule id, whether lines and allowances/charges are matched on the rate
// too, and whether validators tolerate a difference under one unit.
var taxableRules = map[string]struct {
	rule             string
	byRate, tolerant bool
}{
	"S":  {"BR-S-08", true, true},
	"Z":  {"BR-Z-08", false, false},
	"E":  {"BR-E-08", false, false},
	"AE": {"BR-AE-08", false, false},
	"K":  {"BR-IC-08", false, false},
	"G":  {"BR-G-08", false, false},
	"O":  {"BR-O-08", false, false},
	"L":  {"BR-AF-08", true, true},
	"M":  {"BR-AG-08", true, true},
}

// taxable checks BR-x-08: the taxable amount of a VAT breakdown equals the
// line net amounts plus document charges minus document allowances of its
// category (and rate, for the rated categories).
func (c *checker) taxable(st TaxSubtotal, path string) {
	cat := strings.TrimSpace(st.Category.ID)
	r, ok := taxableRules[cat]
	if !ok || !st.TaxableAmount.IsSet() {
		return
	}
	match := func(tc TaxCategory) bool {
		if strings.TrimSpace(tc.ID) != cat {
			return false
		}
		if !r.byRate {
			return true
		}
		return tc.Percent.IsSet() && st.Category.Percent.IsSet() && tc.Percent.Value.Equal(st.Category.Percent.Value)
	}
	var sum decimal.Decimal
	n := 0
	for _, l := range c.inv.Lines {
		if !l.LineExtensionAmount.IsSet() {
			return
		}
		if match(l.Item.TaxCategory) {
			sum = sum.Add(l.LineExtensionAmount.Value)
			n++
		}
	}
	for _, ac := range c.inv.AllowanceCharges {
		if !ac.Amount.IsSet() || !match(ac.TaxCategory) {
			continue
		}
		n++
		if ac.ChargeIndicator {
			sum = sum.Add(ac.Amount.Value)
		} else {
			sum = sum.Sub(ac.Amount.Value)
		}
	}
	stated := st.TaxableAmount
	if stated.Value.Equal(sum) {
		return
	}
	what := "category " + cat
	if r.byRate {
		what += " at " + st.Category.Percent.Text + "%"
	}
	msg := fmt.Sprintf("VAT category taxable amount must equal the line net amounts + charges − allowances of %s (%d): stated %s, computed %s",
		what, n, stated.Text, fmt2(sum))
	if r.tolerant && stated.Value.Sub(sum).Abs().LessThan(slackVAT) {
		c.add(finding.Warning, stated.Line, path+"/cbc:TaxableAmount", stated.Text, r.rule, msg+"; within the one unit validators tolerate")
		return
	}
	c.add(finding.Error, stated.Line, path+"/cbc:TaxableAmount", stated.Text, r.rule, msg)
}
