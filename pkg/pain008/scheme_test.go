package pain008

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSwissScheme: Swiss CH-DD and LSV+ messages (their own namespaces)
// are recognised and checked only with the rules that apply to them: no
// SEPA sequence type, mandate, EPC creditor id or EUR-only currency, but
// still the control sums, the IBANs and the currencies they allow.
func TestSwissScheme(t *testing.T) {
	chdd, err := os.ReadFile(filepath.Join("testdata", "chdd-pain008-001-02-ch-03.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const tx = "/Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[1]"
	tests := []struct {
		name     string
		old, new string
		scheme   Scheme
		want     []string
	}{
		{"CH-DD clean", "", "", SchemeCHDD, nil},
		{"LSV+ by service level", "<Prtry>CHDD</Prtry></SvcLvl>", "<Prtry>CHTA</Prtry></SvcLvl>", SchemeLSV, nil},
		{"LSV+ by instrument", "<Prtry>DDCOR1</Prtry>", "<Prtry>LSV+</Prtry>", SchemeLSV, nil},
		{"EUR allowed", `Ccy="CHF"`, `Ccy="EUR"`, SchemeCHDD, nil},
		{"USD refused", `Ccy="CHF"`, `Ccy="USD"`, SchemeCHDD, []string{
			`ch.xml:36:29: error: ` + tx + `/InstdAmt "USD": currency must be CHF or EUR (Swiss CH-DD (not SEPA)) [XSD]`}},
		{"control sum still checked", "<CtrlSum>4.50</CtrlSum>", "<CtrlSum>4.60</CtrlSum>", SchemeCHDD, []string{
			`ch.xml:12:16: error: /Document/CstmrDrctDbtInitn/GrpHdr/CtrlSum "4.60": does not equal the sum of the 1 transactions in the message (4.50) [EPC CtrlSum]`}},
		{"debtor IBAN still checked", "<IBAN>CH9300762011623852957</IBAN>", "<IBAN>CH9300762011623852958</IBAN>", SchemeCHDD, []string{
			`ch.xml:39:29: error: ` + tx + `/DbtrAcct/Id/IBAN "CH9300762011623852958": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]`}},
		{"PostFinance account instead of an IBAN", "<IBAN>CH9300762011623852957</IBAN>", "<Othr><Id>250094239</Id></Othr>", SchemeCHDD, nil},
		{"SEPA namespace: SEPA rules", "http://www.six-interbank-clearing.com/de/pain.008.001.02.ch.03.xsd", "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02", SchemeSEPA, []string{
			`ch.xml:30:42: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/CdtrSchmeId/Id/PrvtId/Othr/Id "ABC1W": creditor identifier must be country code, 2 check digits, 3-character business code and a national identifier of up to 28 characters (EPC262-08) [EPC262-08]`,
			`ch.xml:30:68: warning: /Document/CstmrDrctDbtInitn/PmtInf[1]/CdtrSchmeId/Id/PrvtId/Othr/SchmeNm/Prtry "CHDD": creditor scheme name must be SEPA [EPC scheme]`,
			`ch.xml:18:13: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/PmtTpInf/SeqTp "": required by the SEPA rulebook [EPC scheme]`,
			`ch.xml:18:13: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/PmtTpInf/LclInstrm/Cd "": required by the SEPA rulebook [EPC scheme]`,
			`ch.xml:36:29: error: ` + tx + `/InstdAmt "CHF": currency must be EUR [EPC AT-06]`,
			`ch.xml:31:21: error: ` + tx + `/DrctDbtTx/MndtRltdInf/MndtId "": required by the SEPA rulebook [EPC AT-25]`,
			`ch.xml:31:21: error: ` + tx + `/DrctDbtTx/MndtRltdInf/DtOfSgntr "": required by the SEPA rulebook [EPC AT-25]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := string(chdd)
			if tc.old != "" {
				if !strings.Contains(data, tc.old) {
					t.Fatalf("%q not in the file", tc.old)
				}
				data = strings.Replace(data, tc.old, tc.new, 1)
			}
			r, txs, fs, err := readDoc(t, "ch.xml", []byte(data))
			if err != nil || len(txs) != 1 {
				t.Fatalf("%d transactions, %v", len(txs), err)
			}
			if r.Scheme() != tc.scheme {
				t.Errorf("scheme %q, want %q", r.Scheme(), tc.scheme)
			}
			if got, want := strings.Join(fs, "\n"), strings.Join(tc.want, "\n"); got != want {
				t.Errorf("findings\n%s\nwant\n%s", got, want)
			}
		})
	}
}
