package ubl

import (
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/finding"
)

const peppolID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"

// amt builds an amount as read from a file at the given line.
func amt(s string, line int) Amount {
	if s == "" {
		return Amount{}
	}
	d, err := parseDecimal(s)
	if err != nil {
		panic(s)
	}
	return Amount{Number: Number{Value: d, Text: s, Line: line}, Currency: "EUR"}
}

func qty(s string, line int) Quantity {
	if s == "" {
		return Quantity{}
	}
	return Quantity{Number: amt(s, line).Number, UnitCode: "EA"}
}

func ac(charge bool, amount string) AllowanceCharge {
	return AllowanceCharge{Line: 1, ChargeIndicator: charge, Amount: amt(amount, 1)}
}

func texts(fl finding.List) string {
	var s []string
	for _, f := range fl {
		s = append(s, f.String())
	}
	return strings.Join(s, "\n")
}

func TestLineNetAmount(t *testing.T) {
	tests := []struct {
		name                         string
		peppol                       bool
		quantity, price, base, value string
		acs                          []AllowanceCharge
		want                         string
	}{
		{"exact", true, "3", "12.3456", "", "37.04", nil, ""},
		{"price with 4 decimals, off by a cent", true, "3", "12.3456", "", "37.03", nil,
			`t.xml:12: warning: /Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount "37.03": line net amount: stated 37.03, computed 37.04 (3 × 12.3456 = 37.0368); within the 0.02 validators tolerate [PEPPOL-EN16931-R120]`},
		{"half rounds up", true, "1", "0.125", "", "0.13", nil, ""},
		{"half rounded down is a warning", true, "1", "0.125", "", "0.12", nil,
			`t.xml:12: warning: /Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount "0.12": line net amount: stated 0.12, computed 0.13 (1 × 0.125 = 0.125); within the 0.02 validators tolerate [PEPPOL-EN16931-R120]`},
		{"base quantity, allowance and charge", true, "10", "25.00", "4", "61.00", []AllowanceCharge{ac(false, "2.50"), ac(true, "1.00")}, ""},
		{"line allowances summed then rounded", true, "1", "10.00", "", "9.99", []AllowanceCharge{ac(false, "0.005"), ac(false, "0.005")},
			"t.xml:1: error: /Invoice/cac:InvoiceLine[1]/cac:AllowanceCharge[1]/cbc:Amount \"0.005\": more than 2 decimals [BR-DEC-24]\n" +
				"t.xml:1: error: /Invoice/cac:InvoiceLine[1]/cac:AllowanceCharge[2]/cbc:Amount \"0.005\": more than 2 decimals [BR-DEC-24]"},
		{"wrong by more than 0.02 (Peppol)", true, "2", "800.00", "", "800.00", nil,
			`t.xml:12: error: /Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount "800.00": line net amount: stated 800.00, computed 1600.00 (2 × 800.00 = 1600) [PEPPOL-EN16931-R120]`},
		{"wrong by more than 0.02 (EN 16931 only)", false, "2", "800.00", "", "800.00", nil,
			`t.xml:12: warning: /Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount "800.00": line net amount: stated 800.00, computed 1600.00 (2 × 800.00 = 1600); EN 16931 itself has no rule for it, Peppol BIS 3 rejects it [PEPPOL-EN16931-R120]`},
		{"price per 3 units", true, "10", "10.00", "3", "33.33", nil, ""},
		{"zero base quantity", true, "1", "10.00", "0", "10.00", nil,
			`t.xml:13: error: /Invoice/cac:InvoiceLine[1]/cac:Price/cbc:BaseQuantity "0": base quantity must be a positive number above zero [PEPPOL-EN16931-R121]`},
		{"line amount with 3 decimals", true, "1", "1.005", "", "1.005", nil,
			"t.xml:12: error: /Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount \"1.005\": more than 2 decimals [BR-DEC-23]\n" +
				`t.xml:12: warning: /Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount "1.005": line net amount: stated 1.005, computed 1.01 (1 × 1.005 = 1.005); within the 0.02 validators tolerate [PEPPOL-EN16931-R120]`},
		{"negative price", true, "1", "-5", "", "-5.00", nil,
			`t.xml:13: error: /Invoice/cac:InvoiceLine[1]/cac:Price/cbc:PriceAmount "-5": item net price (BT-146) is negative [BR-27]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &Invoice{File: "t.xml", Line: 1}
			if tt.peppol {
				inv.CustomizationID = peppolID
			}
			inv.Lines = []Line{{Line: 10, ID: "1", Quantity: qty(tt.quantity, 11), LineExtensionAmount: amt(tt.value, 12),
				AllowanceCharges: tt.acs, Item: Item{Name: "x", TaxCategory: TaxCategory{ID: "S"}},
				Price: Price{Amount: amt(tt.price, 13), BaseQuantity: qty(tt.base, 13)}}}
			c := &checker{inv: inv, root: "/Invoice"}
			c.lines()
			if got := texts(c.fl.List()); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// totalsInvoice is a consistent invoice: lines 100.00 + 36.50, allowance
// 10.00, charge 5.00, VAT 21% on 131.50 = 27.62 (27.615 rounded half up),
// prepaid 50.00, rounding 0.12.
func totalsInvoice() *Invoice {
	s21 := Item{TaxCategory: TaxCategory{ID: "S", Percent: amt("21", 1).Number}}
	acS21 := func(charge bool, amount string) AllowanceCharge {
		a := ac(charge, amount)
		a.TaxCategory = s21.TaxCategory
		return a
	}
	return &Invoice{
		File: "t.xml", Line: 1, Currency: "EUR",
		Lines:            []Line{{LineExtensionAmount: amt("100.00", 30), Item: s21}, {LineExtensionAmount: amt("36.50", 40), Item: s21}},
		AllowanceCharges: []AllowanceCharge{acS21(false, "10.00"), acS21(true, "5.00")},
		TaxTotals: []TaxTotal{{Line: 10, TaxAmount: amt("27.62", 10), Subtotals: []TaxSubtotal{
			{Line: 11, TaxableAmount: amt("131.50", 11), TaxAmount: amt("27.62", 12), Category: TaxCategory{ID: "S", Percent: amt("21", 13).Number}},
		}}},
		Totals: MonetaryTotal{Line: 20,
			LineExtensionAmount:   amt("136.50", 21),
			AllowanceTotalAmount:  amt("10.00", 22),
			ChargeTotalAmount:     amt("5.00", 23),
			TaxExclusiveAmount:    amt("131.50", 24),
			TaxInclusiveAmount:    amt("159.12", 25),
			PrepaidAmount:         amt("50.00", 26),
			PayableRoundingAmount: amt("0.12", 27),
			PayableAmount:         amt("109.24", 28),
		},
	}
}

func TestTotals(t *testing.T) {
	lmt := "/Invoice/cac:LegalMonetaryTotal/cbc:"
	tests := []struct {
		name   string
		change func(inv *Invoice)
		want   string
	}{
		{"consistent", func(*Invoice) {}, ""},
		{"BR-CO-10 sum of lines", func(inv *Invoice) { inv.Totals.LineExtensionAmount = amt("136.49", 21) },
			`t.xml:21: error: ` + lmt + `LineExtensionAmount "136.49": sum of invoice line net amount (BT-106) must equal the sum of the 2 line net amounts: stated 136.49, computed 136.50 [BR-CO-10]` + "\n" +
				"t.xml:24: error: " + lmt + `TaxExclusiveAmount "131.50": invoice total without VAT (BT-109) must equal line net amounts − allowances + charges: stated 131.50, computed 131.49 [BR-CO-13]`},
		{"BR-CO-10 lines with 3 decimals are summed, then rounded", func(inv *Invoice) {
			inv.Lines[0].LineExtensionAmount, inv.Lines[1].LineExtensionAmount = amt("100.005", 30), amt("36.494", 40)
		}, `t.xml:11: warning: /Invoice/cac:TaxTotal[1]/cac:TaxSubtotal[1]/cbc:TaxableAmount "131.50": VAT category taxable amount must equal the line net amounts + charges − allowances of category S at 21% (4): stated 131.50, computed 131.499; within the one unit validators tolerate [BR-S-08]`},
		{"BR-CO-11 allowance total missing", func(inv *Invoice) {
			inv.Totals.AllowanceTotalAmount = Amount{}
			inv.Totals.TaxExclusiveAmount = amt("141.50", 24)
		},
			"t.xml:20: error: " + lmt + `AllowanceTotalAmount "": AllowanceTotalAmount is missing: 1 document level allowances sum to 10.00 [BR-CO-11]` + "\n" +
				"t.xml:25: error: " + lmt + `TaxInclusiveAmount "159.12": invoice total with VAT (BT-112) must equal the total without VAT + the total VAT amount: stated 159.12, computed 169.12 [BR-CO-15]`},
		{"BR-CO-12 charge total", func(inv *Invoice) { inv.Totals.ChargeTotalAmount = amt("5.01", 23) },
			"t.xml:23: error: " + lmt + `ChargeTotalAmount "5.01": must equal the sum of the 1 document level charges: stated 5.01, computed 5.00 [BR-CO-12]` + "\n" +
				"t.xml:24: error: " + lmt + `TaxExclusiveAmount "131.50": invoice total without VAT (BT-109) must equal line net amounts − allowances + charges: stated 131.50, computed 131.51 [BR-CO-13]`},
		{"BR-CO-12 charge total without charges", func(inv *Invoice) { inv.AllowanceCharges = inv.AllowanceCharges[:1] },
			"t.xml:23: error: " + lmt + `ChargeTotalAmount "5.00": must equal the sum of the 0 document level charges: stated 5.00, computed 0.00 [BR-CO-12]` + "\n" +
				`t.xml:11: error: /Invoice/cac:TaxTotal[1]/cac:TaxSubtotal[1]/cbc:TaxableAmount "131.50": VAT category taxable amount must equal the line net amounts + charges − allowances of category S at 21% (3): stated 131.50, computed 126.50 [BR-S-08]`},
		{"BR-CO-13 tax exclusive", func(inv *Invoice) {
			inv.Totals.TaxExclusiveAmount = amt("126.50", 24)
			inv.Totals.TaxInclusiveAmount = amt("154.12", 25)
		},
			"t.xml:24: error: " + lmt + `TaxExclusiveAmount "126.50": invoice total without VAT (BT-109) must equal line net amounts − allowances + charges: stated 126.50, computed 131.50 [BR-CO-13]` + "\n" +
				"t.xml:28: error: " + lmt + `PayableAmount "109.24": amount due for payment (BT-115) must equal the total with VAT − paid amount + rounding amount: stated 109.24, computed 104.24 [BR-CO-16]`},
		{"BR-CO-15 tax inclusive", func(inv *Invoice) {
			inv.Totals.TaxInclusiveAmount = amt("159.11", 25)
			inv.Totals.PayableAmount = amt("109.23", 28)
		},
			"t.xml:25: error: " + lmt + `TaxInclusiveAmount "159.11": invoice total with VAT (BT-112) must equal the total without VAT + the total VAT amount: stated 159.11, computed 159.12 [BR-CO-15]`},
		{"BR-CO-15 tax total only in another currency", func(inv *Invoice) { inv.TaxTotals[0].TaxAmount.Currency = "DKK" },
			`t.xml:25: error: /Invoice/cac:TaxTotal/cbc:TaxAmount "EUR": exactly one TaxTotal/TaxAmount in the invoice currency is needed to verify the total with VAT, found 0 [BR-CO-15]`},
		{"BR-CO-16 rounding amount forgotten", func(inv *Invoice) { inv.Totals.PayableRoundingAmount = Amount{} },
			"t.xml:28: error: " + lmt + `PayableAmount "109.24": amount due for payment (BT-115) must equal the total with VAT − paid amount + rounding amount: stated 109.24, computed 109.12 [BR-CO-16]`},
		{"BR-CO-16 without prepaid and rounding", func(inv *Invoice) {
			inv.Totals.PrepaidAmount, inv.Totals.PayableRoundingAmount, inv.Totals.PayableAmount = Amount{}, Amount{}, amt("159.12", 28)
		}, ""},
		{"BR-DEC-18 payable with 3 decimals", func(inv *Invoice) { inv.Totals.PayableAmount = amt("109.240", 28) },
			"t.xml:28: error: " + lmt + `PayableAmount "109.240": more than 2 decimals [BR-DEC-18]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := totalsInvoice()
			tt.change(inv)
			c := &checker{inv: inv, root: "/Invoice"}
			c.totals()
			c.tax()
			if strings.Contains(tt.name, "BR-DEC") {
				c.fl = finding.Capped{}
				c.mandatoryDecimals()
			}
			if got := texts(c.fl.List()); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestTaxSubtotal(t *testing.T) {
	sub := "/Invoice/cac:TaxTotal[1]/cac:TaxSubtotal[1]/cbc:TaxAmount"
	tests := []struct {
		name, category, percent, taxable, tax, total string
		want                                         string
		lines                                        string // line net amounts of the category; default: the taxable amount
	}{
		{"21% of 131.50 is 27.615, rounded half up", "S", "21", "131.50", "27.62", "27.62", "", ""},
		{"rounded half down is a warning", "S", "21", "131.50", "27.61", "27.61",
			`t.xml:12: warning: ` + sub + ` "27.61": VAT category tax amount must equal taxable amount × rate, rounded at 2 decimals: stated 27.61, computed 27.62 (131.50 × 21%); within the one unit validators tolerate [BR-S-09, BR-CO-17]`, ""},
		{"one unit off is an error", "S", "21", "131.50", "28.62", "28.62",
			`t.xml:12: error: ` + sub + ` "28.62": VAT category tax amount must equal taxable amount × rate, rounded at 2 decimals: stated 28.62, computed 27.62 (131.50 × 21%) [BR-S-09, BR-CO-17]`, ""},
		{"25% of 1436.50", "S", "25", "1436.50", "359.13", "359.13", "", ""},
		{"reduced rate, negative taxable (credit)", "AA", "6", "-100.05", "-6.00", "-6.00", "", ""},
		{"zero rated", "Z", "0", "1200.00", "0.00", "0.00", "", ""},
		{"outside scope with tax", "O", "", "3200.00", "5.00", "5.00",
			`t.xml:12: error: ` + sub + ` "5.00": VAT category tax amount must be 0 when the category has no rate or a zero rate: stated 5.00, computed 0.00 [BR-CO-17]`, ""},
		{"BR-CO-14 total differs from subtotals", "S", "21", "100.00", "21.00", "21.01",
			`t.xml:10: error: /Invoice/cac:TaxTotal[1]/cbc:TaxAmount "21.01": invoice total VAT amount (BT-110) must equal the sum of the 1 VAT category tax amounts: stated 21.01, computed 21.00 [BR-CO-14]`, ""},
		{"BR-S-08 taxable differs from the lines", "S", "21", "100.00", "21.00", "21.00",
			`t.xml:11: error: /Invoice/cac:TaxTotal[1]/cac:TaxSubtotal[1]/cbc:TaxableAmount "100.00": VAT category taxable amount must equal the line net amounts + charges − allowances of category S at 21% (2): stated 100.00, computed 101.00 [BR-S-08]`,
			"60.00 41.00"},
		{"BR-S-08 within one unit", "S", "21", "100.00", "21.00", "21.00",
			`t.xml:11: warning: /Invoice/cac:TaxTotal[1]/cac:TaxSubtotal[1]/cbc:TaxableAmount "100.00": VAT category taxable amount must equal the line net amounts + charges − allowances of category S at 21% (2): stated 100.00, computed 100.01; within the one unit validators tolerate [BR-S-08]`,
			"60.00 40.01"},
		{"BR-Z-08 exact", "Z", "0", "100.00", "0.00", "0.00",
			`t.xml:11: error: /Invoice/cac:TaxTotal[1]/cac:TaxSubtotal[1]/cbc:TaxableAmount "100.00": VAT category taxable amount must equal the line net amounts + charges − allowances of category Z (1): stated 100.00, computed 100.01 [BR-Z-08]`,
			"100.01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := TaxCategory{ID: tt.category, Percent: amt(tt.percent, 13).Number}
			lines := tt.lines
			if lines == "" {
				lines = tt.taxable
			}
			inv := &Invoice{File: "t.xml", Line: 1, Currency: "EUR", TaxTotals: []TaxTotal{{Line: 10, TaxAmount: amt(tt.total, 10), Subtotals: []TaxSubtotal{
				{Line: 11, TaxableAmount: amt(tt.taxable, 11), TaxAmount: amt(tt.tax, 12), Category: cat},
			}}}}
			for _, l := range strings.Fields(lines) {
				inv.Lines = append(inv.Lines, Line{LineExtensionAmount: amt(l, 20), Item: Item{TaxCategory: cat}})
			}
			// A line of another rate does not count.
			inv.Lines = append(inv.Lines, Line{LineExtensionAmount: amt("1000.00", 30), Item: Item{TaxCategory: TaxCategory{ID: "S", Percent: amt("12", 31).Number}}})
			c := &checker{inv: inv, root: "/Invoice"}
			c.tax()
			if got := texts(c.fl.List()); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestPaymentChecks(t *testing.T) {
	pm := "/Invoice/cac:PaymentMeans[1]"
	tests := []struct {
		name string
		pm   PaymentMeans
		want string
	}{
		{"valid OGM", PaymentMeans{Line: 5, Code: "30", PayeeAccount: FinancialAccount{ID: "BE68539007547034"}, PaymentIDs: []Text{{"+++123/4567/89002+++", 6}}}, ""},
		{"OGM check digits", PaymentMeans{Line: 5, Code: "30", PayeeAccount: FinancialAccount{ID: "BE68539007547034"}, PaymentIDs: []Text{{"+++123/4567/89003+++", 6}}},
			`t.xml:6: error: ` + pm + `/cbc:PaymentID "+++123/4567/89003+++": Belgian structured communication check digits do not verify (mod 97, 0 read as 97): expected 02 [OGM/VCS]`},
		{"OGM without wrapper", PaymentMeans{Line: 5, Code: "30", PayeeAccount: FinancialAccount{ID: "X"}, PaymentIDs: []Text{{"123/4567/89012", 6}}},
			`t.xml:6: error: ` + pm + `/cbc:PaymentID "123/4567/89012": Belgian structured communication check digits do not verify (mod 97, 0 read as 97): expected 02 [OGM/VCS]`},
		{"OGM too short", PaymentMeans{Line: 5, Code: "30", PayeeAccount: FinancialAccount{ID: "X"}, PaymentIDs: []Text{{"+++123/4567/8900+++", 6}}},
			`t.xml:6: error: ` + pm + `/cbc:PaymentID "+++123/4567/8900+++": Belgian structured communication must hold 12 digits, as +++123/4567/89012+++ [OGM/VCS]`},
		{"valid RF", PaymentMeans{Line: 5, Code: "30", PayeeAccount: FinancialAccount{ID: "X"}, PaymentIDs: []Text{{"RF18 5390 0754 7034", 6}}}, ""},
		{"RF check digits", PaymentMeans{Line: 5, Code: "30", PayeeAccount: FinancialAccount{ID: "X"}, PaymentIDs: []Text{{"RF19539007547034", 6}}},
			`t.xml:6: error: ` + pm + `/cbc:PaymentID "RF19539007547034": RF creditor reference check digits do not verify (ISO 11649 mod 97) [ISO 11649]`},
		{"free text is not checked", PaymentMeans{Line: 5, Code: "30", PayeeAccount: FinancialAccount{ID: "X"}, PaymentIDs: []Text{{"Deb. 10202 / Fact. 12115118", 6}}}, ""},
		{"credit transfer without account", PaymentMeans{Line: 5, Code: "58"},
			`t.xml:5: error: ` + pm + `/cac:PayeeFinancialAccount/cbc:ID "": payment account identifier (BT-84) is required for credit transfer (payment means 58) [BR-61]`},
		{"direct debit without mandate", PaymentMeans{Line: 5, Code: "59"},
			`t.xml:5: error: ` + pm + `/cac:PaymentMandate/cbc:ID "": mandate reference (BT-89) must be provided for direct debit (payment means 59) [PEPPOL-EN16931-R061]`},
		{"no code", PaymentMeans{Line: 5},
			`t.xml:5: error: ` + pm + `/cbc:PaymentMeansCode "": payment means type code (BT-81) is missing [BR-49]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &Invoice{File: "t.xml", Line: 1, PaymentMeans: []PaymentMeans{tt.pm}}
			c := &checker{inv: inv, root: "/Invoice"}
			c.payment()
			if got := texts(c.fl.List()); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestMandatoryElements(t *testing.T) {
	inv, _, err := Read(strings.NewReader(`<Invoice xmlns="`+NSInvoice+`"/>`), "e.xml")
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, f := range inv.Check() {
		rules = append(rules, f.Rule)
	}
	want := "BR-01 BR-02 BR-03 BR-04 BR-05 BR-06 BR-08 BR-07 BR-10 BR-12 BR-13 BR-14 BR-15 BR-16 BR-CO-18"
	if got := strings.Join(rules, " "); got != want {
		t.Errorf("rules %s\nwant  %s", got, want)
	}
}
