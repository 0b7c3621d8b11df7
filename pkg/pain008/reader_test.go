package pain008

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/finding"
)

// readFile reads every transaction and returns them, the findings as
// strings, and Next's error other than io.EOF.
func readDoc(t testing.TB, name string, data []byte) (*Reader, []*Transaction, []string, error) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), name)
	var txs []*Transaction
	var err error
	for {
		var tx *Transaction
		tx, err = r.Next()
		if err != nil {
			break
		}
		txs = append(txs, tx)
	}
	if err == io.EOF {
		err = nil
	}
	var fs []string
	for _, f := range r.Findings() {
		fs = append(fs, f.String())
	}
	return r, txs, fs, err
}

// TestCorpus reads every pain.008 of the shared corpus and checks the
// figures MANIFEST.md states for it. The findings are the files' genuine
// faults: check digits that do not verify (the libraries' fixtures use
// made-up account numbers), nothing else.
func TestCorpus(t *testing.T) {
	php := func(name string) []string {
		return []string{
			name + `:33:17: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/CdtrAcct/Id/IBAN "BG87200500001234567890": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]`,
			name + `:46:19: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/CdtrSchmeId/Id/PrvtId/Othr/Id "BG40ZZZ507778": creditor identifier check digits do not verify (EPC262-08 mod 97): expected 22 [EPC262-08]`,
		}
	}
	sepaking := func(name string) []string {
		return []string{
			name + `:45:19: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/CdtrSchmeId/Id/PrvtId/Othr/Id "DE00ZZZ00099999999": creditor identifier check digits do not verify (EPC262-08 mod 97): expected 10 [EPC262-08]`,
			name + `:69:27: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[1]/DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlCdtrSchmeId/Id/PrvtId/Othr/Id "AA00ZZZOriginalCreditorID": creditor identifier check digits do not verify (EPC262-08 mod 97): expected 26 [EPC262-08]`,
		}
	}
	type want struct {
		version    string
		msgID      string
		nbOfTxs    int64
		ctrlSum    string // "" when absent
		n          int
		sum        string
		pmtInfIDs  string
		amendments int
		findings   []string
	}
	phpWant := func(v, name string) want {
		return want{v, "OurMessageIdentification", 1, "12.34", 1, "12.34", "OurPaymentInfo", 0, php(name)}
	}
	wants := map[string]want{
		"phpsepaxml-pain008-001-02.xml": phpWant("001.02", "phpsepaxml-pain008-001-02.xml"),
		"phpsepaxml-pain008-001-03.xml": phpWant("001.03", "phpsepaxml-pain008-001-03.xml"),
		"phpsepaxml-pain008-001-04.xml": phpWant("001.04", "phpsepaxml-pain008-001-04.xml"),
		"phpsepaxml-pain008-001-05.xml": phpWant("001.05", "phpsepaxml-pain008-001-05.xml"),
		"phpsepaxml-pain008-001-06.xml": phpWant("001.06", "phpsepaxml-pain008-001-06.xml"),
		"phpsepaxml-pain008-001-07.xml": phpWant("001.07", "phpsepaxml-pain008-001-07.xml"),
		"phpsepaxml-pain008-001-08.xml": phpWant("001.08", "phpsepaxml-pain008-001-08.xml"),
		"phpsepaxml-pain008-001-10.xml": phpWant("001.10", "phpsepaxml-pain008-001-10.xml"),
		"phpsepaxml-pain008-001-11.xml": phpWant("001.11", "phpsepaxml-pain008-001-11.xml"),
		"phpsepaxml-pain008-003-02.xml": phpWant("003.02", "phpsepaxml-pain008-003-02.xml"),
		"project60-pain008-001-02-example.xml": {"001.02", "NGO-SDD-S754724-MINIMAL", 2, "20.3", 2, "20.3", "NGO-FRST-7553,NGO-SDD-S754726-MAXIMAL", 0, []string{
			`project60-pain008-001-02-example.xml:34:17: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/CdtrAcct/Id/IBAN "NL90ABNA0111111111": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]`,
			`project60-pain008-001-02-example.xml:109:17: error: /Document/CstmrDrctDbtInitn/PmtInf[2]/CdtrAcct/Id/IBAN "NL90ABNA0111111111": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]`,
		}},
		"sepaking-pain008-001-02.xml": {"001.02", "Message-ID", 2, "", 2, "6655.86", "Payment-ID", 1, sepaking("sepaking-pain008-001-02.xml")},
		"sepaking-pain008-002-02.xml": {"002.02", "Message-ID", 2, "", 2, "6655.86", "Payment-ID", 1, sepaking("sepaking-pain008-002-02.xml")},
	}
	for _, path := range testutil.Corpus(t, "pain008") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			w, ok := wants[name]
			if !ok {
				t.Fatalf("no expectations for corpus file %s: add them from MANIFEST.md", name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r, txs, fs, err := readDoc(t, name, data)
			if err != nil {
				t.Fatal(err)
			}
			h := r.Header()
			ctrl := ""
			if h.HasCtrl {
				ctrl = h.CtrlSum.String()
			}
			n, sum := r.Totals()
			var ids []string
			amend := 0
			for _, tx := range txs {
				if len(ids) == 0 || ids[len(ids)-1] != tx.PmtInfID {
					ids = append(ids, tx.PmtInfID)
				}
				if tx.Amendment != nil {
					amend++
				}
			}
			got := want{r.Version(), h.MsgId, h.NbOfTxs, ctrl, int(n), sum.String(), strings.Join(ids, ","), amend, fs}
			if strings.Join(got.findings, "\n") != strings.Join(w.findings, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got.findings, "\n"), strings.Join(w.findings, "\n"))
			}
			got.findings, w.findings = nil, nil
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
		})
	}
}

// TestCorpusFieldsSepaKing checks one corpus transaction field by field.
func TestCorpusFieldsSepaKing(t *testing.T) {
	path := filepath.Join(testutil.SharedDir(t), "corpus", "pain008", "sepaking-pain008-001-02.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skip(err)
	}
	_, txs, _, err := readDoc(t, "sk.xml", data)
	if err != nil || len(txs) != 2 {
		t.Fatal(err, len(txs))
	}
	tx := txs[0]
	got := []string{tx.PmtInfID, tx.EndToEndID, tx.Amount.String(), tx.Currency, tx.MandateID, tx.MandateSignedOn.Format(isoDate),
		tx.SequenceType, tx.LocalInstrument, tx.CollectionDate.Format(isoDate), tx.Creditor.Name, tx.Creditor.IBAN, tx.Creditor.BIC, tx.Creditor.ID,
		tx.DebtorName, tx.DebtorIBAN, tx.DebtorBIC, tx.Remittance, tx.Amendment.OriginalCreditorName, tx.Amendment.OriginalCreditorID}
	want := []string{"Payment-ID", "OriginatorID1234", "6543.14", "EUR", "Mandate-Id", "2010-11-20",
		"FRST", "CORE", "2010-12-03", "Creditor Name", "DE87200500001234567890", "BANKDEFFXXX", "DE00ZZZ00099999999",
		"Debtor Name", "DE21500500009876543210", "SPUEDE2UXXX", "Unstructured Remittance Information", "Original Creditor Name", "AA00ZZZOriginalCreditorID"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if txs[1].Amendment != nil {
		t.Errorf("AmdmntInd false read as amendment %+v", txs[1].Amendment)
	}
}

func golden(t testing.TB) string {
	b, err := os.ReadFile(filepath.Join("testdata", "golden-001.02.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReaderRules changes the golden message in one place and expects
// exactly the findings that change causes.
func TestReaderRules(t *testing.T) {
	const p1 = "/Document/CstmrDrctDbtInitn/PmtInf[1]"
	tests := []struct {
		name     string
		old, new string
		all      bool
		want     []string
	}{
		{"clean", "", "", false, nil},
		{"PmtInf CtrlSum", "<CtrlSum>45.10</CtrlSum>", "<CtrlSum>45.01</CtrlSum>", false, []string{
			`g.xml:17:16: error: ` + p1 + `/CtrlSum "45.01": does not equal the sum of its 3 transactions (45.10) [EPC CtrlSum]`}},
		{"GrpHdr NbOfTxs", "<NbOfTxs>6</NbOfTxs>", "<NbOfTxs>7</NbOfTxs>", false, []string{
			`g.xml:7:16: error: /Document/CstmrDrctDbtInitn/GrpHdr/NbOfTxs "7": does not equal the number of transactions in the message (6) [EPC NbOfTxs]`}},
		{"GrpHdr CtrlSum", "<CtrlSum>1000001279.75</CtrlSum>", "<CtrlSum>1000001279.70</CtrlSum>", false, []string{
			`g.xml:8:16: error: /Document/CstmrDrctDbtInitn/GrpHdr/CtrlSum "1000001279.70": does not equal the sum of the 6 transactions in the message (1000001279.75) [EPC CtrlSum]`}},
		{"duplicate EndToEndId", "<EndToEndId>E2E-0003</EndToEndId>", "<EndToEndId>E2E-0001</EndToEndId>", false, []string{
			`g.xml:85:23: error: ` + p1 + `/DrctDbtTxInf[2]/PmtId/EndToEndId "E2E-0001": EndToEndId is used by an earlier transaction in this message [EPC unique]`}},
		{"duplicate PmtInfId", "<PmtInfId>MSG-20261120-1-2</PmtInfId>", "<PmtInfId>MSG-20261120-1-1</PmtInfId>", false, []string{
			`g.xml:161:17: error: /Document/CstmrDrctDbtInitn/PmtInf[2]/PmtInfId "MSG-20261120-1-1": PmtInfId is used by an earlier PmtInf in this message [EPC unique]`}},
		{"debtor IBAN", "<IBAN>BE62510007547061</IBAN>", "<IBAN>BE62510007547062</IBAN>", false, []string{
			`g.xml:76:19: error: ` + p1 + `/DrctDbtTxInf[1]/DbtrAcct/Id/IBAN "BE62510007547062": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]`}},
		{"creditor BIC", "<BIC>GKCCBEBB</BIC>", "<BIC>GKCCBE1B</BIC>", false, []string{
			`g.xml:38:16: error: ` + p1 + `/CdtrAgt/FinInstnId/BIC "GKCCBE1B": BIC must be 8 or 11 characters: 4 letters (institution), 2 letters (country), 2 letters or digits (location), optionally 3 letters or digits (branch) (ISO 9362): location code "1B" is not allowed [ISO 9362]`}},
		{"debtor name charset", "<Nm>Jan Peeters</Nm>", "<Nm>Jan Peeters &amp; Zn</Nm>", false, []string{
			`g.xml:72:15: warning: ` + p1 + `/DrctDbtTxInf[1]/Dbtr/Nm "Jan Peeters & Zn": character outside the EPC basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space): '&' at position 13 [EPC217-08]`}},
		{"amount 3 decimals", `<InstdAmt Ccy="EUR">25.00</InstdAmt>`, `<InstdAmt Ccy="EUR">25.001</InstdAmt>`, false, []string{
			`g.xml:58:29: error: ` + p1 + `/DrctDbtTxInf[1]/InstdAmt "25.001": amount has more than 2 decimals [EPC AT-06]`,
			`g.xml:17:16: error: ` + p1 + `/CtrlSum "45.10": does not equal the sum of its 3 transactions (45.10) [EPC CtrlSum]`,
			`g.xml:8:16: error: /Document/CstmrDrctDbtInitn/GrpHdr/CtrlSum "1000001279.75": does not equal the sum of the 6 transactions in the message (1000001279.75) [EPC CtrlSum]`}},
		{"currency", `<InstdAmt Ccy="EUR">25.00</InstdAmt>`, `<InstdAmt Ccy="USD">25.00</InstdAmt>`, false, []string{
			`g.xml:58:29: error: ` + p1 + `/DrctDbtTxInf[1]/InstdAmt "USD": currency must be EUR [EPC AT-06]`}},
		{"sequence type", "<SeqTp>RCUR</SeqTp>", "<SeqTp>RCRU</SeqTp>", false, []string{
			`g.xml:25:16: error: ` + p1 + `/PmtTpInf/SeqTp "RCRU": sequence type must be FRST, RCUR, OOFF or FNAL [EPC AT-21]`}},
		{"collection before creation", "<CreDtTm>2026-11-20T09:30:00Z</CreDtTm>", "<CreDtTm>2026-12-02T09:30:00+01:00</CreDtTm>", false, []string{
			`g.xml:27:21: error: ` + p1 + `/ReqdColltnDt "2026-12-01": collection date is before the creation date 2026-12-02 [EPC AT-11]`,
			`g.xml:174:21: error: /Document/CstmrDrctDbtInitn/PmtInf[2]/ReqdColltnDt "2026-12-01": collection date is before the creation date 2026-12-02 [EPC AT-11]`,
			`g.xml:341:21: error: /Document/CstmrDrctDbtInitn/PmtInf[4]/ReqdColltnDt "2026-12-01": collection date is before the creation date 2026-12-02 [EPC AT-11]`}},
		{"mandate after collection", "<DtOfSgntr>2026-01-15</DtOfSgntr>\n            <AmdmntInd>false</AmdmntInd>\n          </MndtRltdInf>\n        </DrctDbtTx>\n        <DbtrAgt>\n          <FinInstnId>\n            <BIC>JVBABE22", "<DtOfSgntr>2026-12-15</DtOfSgntr>\n            <AmdmntInd>false</AmdmntInd>\n          </MndtRltdInf>\n        </DrctDbtTx>\n        <DbtrAgt>\n          <FinInstnId>\n            <BIC>JVBABE22", false, []string{
			`g.xml:62:24: error: ` + p1 + `/DrctDbtTxInf[1]/DrctDbtTx/MndtRltdInf/DtOfSgntr "2026-12-15": mandate signature date is after the collection date 2026-12-01 [EPC AT-25]`}},
		{"missing mandate id", "<MndtId>MD-1001</MndtId>", "", false, []string{
			`g.xml:54:21: error: ` + p1 + `/DrctDbtTxInf[1]/DrctDbtTx/MndtRltdInf/MndtId "": required by the SEPA rulebook [EPC AT-25]`}},
		{"FRST and RCUR for one mandate", "<MndtId>MD-1002</MndtId>", "<MndtId>MD-1001</MndtId>", false, []string{
			`g.xml:209:21: warning: /Document/CstmrDrctDbtInitn/PmtInf[2]/DrctDbtTxInf[1]/DrctDbtTx/MndtRltdInf/MndtId "MD-1001": mandate is collected with both FRST and RCUR/FNAL in this message [EPC AT-21]`}},
		{"amendment without details", "<AmdmntInd>false</AmdmntInd>", "<AmdmntInd>true</AmdmntInd>", false, []string{
			`g.xml:54:21: error: ` + p1 + `/DrctDbtTxInf[1]/DrctDbtTx/MndtRltdInf/AmdmntInfDtls "": AmdmntInd is true but no amendment details are given [EPC AT-24]`}},
		{"end-to-end id too long", "<EndToEndId>E2E-0001</EndToEndId>", "<EndToEndId>" + strings.Repeat("E", 36) + "</EndToEndId>", false, []string{
			`g.xml:56:23: error: ` + p1 + `/DrctDbtTxInf[1]/PmtId/EndToEndId "` + strings.Repeat("E", 36) + `": must be 1 to 35 characters (Max35Text), has 36 [XSD]`}},
		{"NbOfTxs pattern", "<NbOfTxs>3</NbOfTxs>", "<NbOfTxs>3a</NbOfTxs>", false, []string{
			`g.xml:16:16: error: ` + p1 + `/NbOfTxs "3a": must be 1 to 15 digits (Max15NumericText) [XSD]`,
			`g.xml:16:16: error: ` + p1 + `/NbOfTxs "-1": does not equal the number of its transactions (3) [EPC NbOfTxs]`}},
		{"unknown namespace", "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02", "urn:example:bank:pain.008.xx", false, []string{
			`g.xml:2:102: warning: /Document "urn:example:bank:pain.008.xx": namespace is not a known pain.008 version; read as pain.008.001.02 structure [namespace]`}},
		{"local instrument", "<Cd>CORE</Cd>", "<Cd>COR1</Cd>", false, []string{
			`g.xml:23:15: warning: ` + p1 + `/PmtTpInf/LclInstrm/Cd "COR1": COR1 (D-1 core) was merged into CORE in November 2017 [EPC scheme]`}},
	}
	base := golden(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := base
			if tc.old != "" {
				if !strings.Contains(doc, tc.old) {
					t.Fatalf("golden holds no %q", tc.old)
				}
				n := 1
				if tc.all {
					n = -1
				}
				doc = strings.Replace(doc, tc.old, tc.new, n)
			}
			_, txs, fs, err := readDoc(t, "g.xml", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(txs) != 6 {
				t.Errorf("read %d transactions, want 6", len(txs))
			}
			if strings.Join(fs, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(fs, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestReaderBroken: malformed, truncated or foreign XML is an error with
// its position, never a panic nor a silently short result.
func TestReaderBroken(t *testing.T) {
	base := golden(t)
	tests := []struct {
		name, doc, want string
		n               int // transactions returned before the error
	}{
		{"empty", "", `b.xml:1:1: error: empty file: no XML document [XML]`, 0},
		{"truncated", base[:strings.Index(base, "<DrctDbtTxInf>")+2000], `b.xml:126:3: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[2]/RmtInf "": file ends inside the document (truncated?) [XML]`, 1},
		{"mismatched tag", strings.Replace(base, "</MsgId>", "</MsgID>", 1), `b.xml:5:36: error: /Document/CstmrDrctDbtInitn/GrpHdr/MsgId "": malformed XML: element <MsgId> closed by </MsgID> [XML]`, 0},
		{"not pain.008", `<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`, `b.xml:1:95: error: /Invoice "": root element is <Invoice>, not <Document>: not a pain.008 message [XSD]`, 0},
		{"camt", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>`, `b.xml:1:82: error: /Document/BkToCstmrStmt "": <Document> holds <BkToCstmrStmt>, not <CstmrDrctDbtInitn>: not a pain.008 message [XSD]`, 0},
		{"garbage after", base + "<Document/>", `b.xml:401:12: error: element <Document> after the end of the document [XML]`, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, txs, _, err := readDoc(t, "b.xml", []byte(tc.doc))
			var f finding.Finding
			if !errors.As(err, &f) {
				t.Fatalf("error %v (%T), want a finding", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
			if len(txs) != tc.n {
				t.Errorf("%d transactions before the error, want %d", len(txs), tc.n)
			}
		})
	}
}

func TestReaderLatin1(t *testing.T) {
	doc := strings.Replace(golden(t), `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1)
	doc = strings.Replace(doc, "Jan Peeters", "Jan P\xe9eters", 1)
	_, txs, fs, err := readDoc(t, "l.xml", []byte(doc))
	if err != nil || len(txs) != 6 {
		t.Fatal(err, len(txs))
	}
	if txs[0].DebtorName != "Jan Péeters" {
		t.Errorf("DebtorName %q", txs[0].DebtorName)
	}
	want := `l.xml:72:15: warning: /Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[1]/Dbtr/Nm "Jan Péeters": character outside the EPC basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space): 'é' at position 6 [EPC217-08]`
	if strings.Join(fs, "\n") != want {
		t.Errorf("findings %q", fs)
	}
}

func FuzzReader(f *testing.F) {
	for _, name := range []string{"golden-001.02.xml", "golden-001.08.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	{
		files, _ := filepath.Glob(filepath.Join(sharedDirOrEmpty(), "corpus", "pain008", "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.xml")
		for i := 0; ; i++ {
			tx, err := r.Next()
			if err != nil {
				if err != io.EOF {
					var fd finding.Finding
					if !errors.As(err, &fd) {
						t.Fatalf("error is not a finding: %v", err)
					}
				}
				break
			}
			if tx == nil {
				t.Fatal("nil transaction without error")
			}
			if i > len(data) {
				t.Fatal("more transactions than bytes")
			}
		}
		_ = r.Header()
		for _, fd := range r.Findings() {
			if fd.File != "fuzz.xml" || fd.Line < 1 || fd.Message == "" {
				t.Fatalf("finding without position or message: %+v", fd)
			}
		}
	})
}

// sharedDirOrEmpty finds the shared folder without skipping (fuzz seeds
// are optional).
func sharedDirOrEmpty() string {
	if d := os.Getenv("BATCHTOOL_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared")
}

// TestReaderPrefixed reads a message whose elements carry a namespace
// prefix, as some Java generators write them.
func TestReaderPrefixed(t *testing.T) {
	doc := golden(t)
	doc = strings.ReplaceAll(doc, "</", "\x00")
	doc = strings.ReplaceAll(doc, "<", "<p:")
	doc = strings.ReplaceAll(doc, "\x00", "</p:")
	doc = strings.Replace(doc, "<p:?xml", "<?xml", 1)
	doc = strings.Replace(doc, `xmlns="`, `xmlns:p="`, 1)
	r, txs, fs, err := readDoc(t, "p.xml", []byte(doc))
	if err != nil || len(txs) != 6 || len(fs) != 0 || r.Version() != Version02 || txs[5].Amount.String() != "999999999.99" {
		t.Fatalf("err %v, %d transactions, findings %v, version %q", err, len(txs), fs, r.Version())
	}
	bad := strings.Replace(doc, "</p:MsgId>", "</q:MsgId>", 1)
	_, _, _, err = readDoc(t, "p.xml", []byte(bad))
	want := `p.xml:5:40: error: /Document/CstmrDrctDbtInitn/GrpHdr/MsgId "": malformed XML: element <p:MsgId> closed by </q:MsgId> [XML]`
	if err == nil || err.Error() != want {
		t.Fatalf("error\n got %v\nwant %s", err, want)
	}
}
