package camt_test

import (
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/camt"
)

// TestReturnWithoutReversalIndicator: a returned direct debit booked as an
// ordinary debit with a return reason (MS03) and no RvslInd has the debtor
// who returned it as counterparty, not the creditor (the account holder);
// so has one told by its bank transaction code alone (PMNT/IDDT/UPDD).
// (The creditor account is not the statement's own here, so that only
// IsReturn decides, not the fallback of statement.Counterparty.)
func TestReturnWithoutReversalIndicator(t *testing.T) {
	tx := func(rtr string) string {
		return `<TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>Jan Peeters</Nm></Dbtr><DbtrAcct><Id><IBAN>BE62510007547061</IBAN></Id></DbtrAcct>
<Cdtr><Nm>Fitness Club</Nm></Cdtr><CdtrAcct><Id><IBAN>NL02ABNA0123456789</IBAN></Id></CdtrAcct></RltdPties>` + rtr + `</TxDtls>`
	}
	entry := func(code, rtr string) string {
		return `<Ntry><Amt Ccy="EUR">25.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>` + code + `</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls>` + tx(rtr) + `</NtryDtls></Ntry>`
	}
	for _, tc := range []struct {
		name, entry, want string
	}{
		{"return reason, no RvslInd", entry("ESDD", `<RtrInf><Rsn><Cd>MS03</Cd></Rsn></RtrInf>`), "Jan Peeters BE62510007547061"},
		{"unpaid direct debit code, no reason", entry("UPDD", ""), "Jan Peeters BE62510007547061"},
		{"ordinary debit: the creditor", entry("ESDD", ""), "Fitness Club NL02ABNA0123456789"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := camt.NewReader(strings.NewReader(stmt053(tc.entry)), "r.xml")
			entries, err := readAll(r)
			if err != nil || len(entries) != 1 {
				t.Fatalf("%d entries, %v", len(entries), err)
			}
			e := entries[0]
			if got := e.Details[0].Counterparty.Name + " " + e.Details[0].Counterparty.IBAN; got != tc.want || e.Reversal {
				t.Errorf("counterparty %q (reversal %v), want %q", got, e.Reversal, tc.want)
			}
		})
	}
}

// TestIntegritySeverity: one policy for the statement's own figures
// (statement.IntegritySeverity): a closing balance and TxsSummry that the
// entries contradict are errors in an end-of-day statement (camt.053) and
// warnings in an intraday report (camt.052). Entries in two currencies are
// never added up: then neither the balance nor the TxsSummry sums are
// checked (the currency finding says why), and no mixed figure is printed.
func TestIntegritySeverity(t *testing.T) {
	body := func(ccy2 string) string {
		return strings.Join([]string{
			`<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>`,
			`<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">120.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>`,
			`<TxsSummry><TtlCdtNtries><NbOfNtries>1</NbOfNtries><Sum>31.00</Sum></TtlCdtNtries></TxsSummry>`,
			`<Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BkTxCd/></Ntry>`,
			`<Ntry><Amt Ccy="` + ccy2 + `">4.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BkTxCd/></Ntry>`,
		}, "\n")
	}
	const stmt = "/Document/BkToCstmrStmt/Stmt[1]"
	want053 := `f.xml:6: error: ` + stmt + `/Bal[2]/Amt "120.00": closing balance 120 does not equal opening balance 100 plus 2 booked entries (26) = 126; difference -6 [camt balance]
f.xml:7: error: ` + stmt + `/TxsSummry/TtlCdtNtries/Sum "31.00": states credit entries summing to 31.00, they add up to 30 [camt TxsSummry]
`
	toReport := strings.NewReplacer("camt.053.001.02", "camt.052.001.02", "BkToCstmrStmt", "BkToCstmrAcctRpt", "<Stmt>", "<Rpt>", "</Stmt>", "</Rpt>")
	for _, tc := range []struct{ name, doc, want string }{
		{"camt.053: errors", stmt053(body("EUR")), want053},
		{"camt.052: warnings", toReport.Replace(stmt053(body("EUR"))),
			strings.NewReplacer("error:", "warning:", "BkToCstmrStmt/Stmt[1]", "BkToCstmrAcctRpt/Rpt[1]").Replace(want053)},
		{"two currencies: no sum", stmt053(body("USD")),
			`f.xml:9: warning: ` + stmt + `/Ntry[2]/Amt "USD": entry currency USD differs from the account currency EUR [camt currency]
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := camt.NewReader(strings.NewReader(tc.doc), "f.xml")
			if _, err := readAll(r); err != nil {
				t.Fatal(err)
			}
			if got := findingsText(r.Findings()); got != tc.want {
				t.Errorf("findings\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
