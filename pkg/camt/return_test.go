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
