package camt_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
)

func compact(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReaderV8 reads a camt.053.001.08 statement with Pty wrappers, Sts/Cd,
// DtTm dates, BICFI, a Belgian structured reference, charges records and a
// returned direct debit (reversal, MD06, creditor scheme id).
func TestReaderV8(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "v8-returns.camt053.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := camt.NewReader(f, "v8-returns.camt053.xml")
	entries, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"seq":1,"ref":"N1","amount":"125.5","currency":"EUR","status":"BOOK","booking_date":"2024-05-01T00:00:00Z","value_date":"2024-05-02T00:00:00Z","bank_tx_code":{"domain":"PMNT","family":"RCDT","sub_family":"ESCT"},"account_servicer_ref":"ASR-1","details":[{"amount":"125.5","currency":"EUR","end_to_end_id":"E2E-1","transaction_id":"TX-1","counterparty":{"name":"Klant BVBA","iban":"BE71096123456769","bic":"GEBABEBB"},"reference":{"scheme":"BE","value":"090933755493"},"charges":"0.25","line":53}],"line":39}`,
		`{"seq":2,"amount":"-25.5","currency":"EUR","reversal":true,"status":"BOOK","booking_date":"2024-05-01T00:00:00Z","bank_tx_code":{"domain":"PMNT","family":"RDDT","sub_family":"UPDD","proprietary":"005","proprietary_issuer":"BE"},"batch_count":1,"batch_id":"PMT-7","details":[{"amount":"-25.5","currency":"EUR","end_to_end_id":"E2E-9","mandate_id":"MD-9","instruction_id":"I-9","payment_info_id":"PMT-7","creditor_id":"BE69ZZZ050D000000008","counterparty":{"name":"Jan Janssens","iban":"BE71096123456769"},"remittance":"Invoice 77 May","return_reason":"MD06","return_text":"Refund request by debtor","orig_amount":"25.5","orig_currency":"EUR","line":88}],"line":72}`,
	}
	if len(entries) != len(want) {
		t.Fatalf("entries = %d, want %d", len(entries), len(want))
	}
	for i, e := range entries {
		if got := compact(t, e); got != want[i] {
			t.Errorf("entry %d\n got %s\nwant %s", i+1, got, want[i])
		}
		if e.Statement != r.Statements()[0] {
			t.Errorf("entry %d: Statement pointer is not the statement read", i+1)
		}
	}
	wantSt := `[{"format":"camt.053.001.08","kind":"statement","message_id":"MSG-V8-1","id":"V8-STMT-1","electronic_sequence":"12","created_at":"2024-05-02T07:15:00+02:00","from":"2024-05-01T00:00:00Z","to":"2024-05-01T00:00:00Z","account":{"other":"0123456789","currency":"EUR","owner":"Acme NV","bic":"KREDBEBB"},"opening":{"amount":"-10","currency":"EUR","date":"2024-04-30T00:00:00Z","type":"PRCD"},"closing":{"amount":"90","currency":"EUR","date":"2024-05-01T00:00:00Z","type":"CLBD"},"stated_credits":{"count":1,"sum":"125.5"},"stated_debits":{"count":1,"sum":"25.5"},"line":8}]`
	if got := compact(t, r.Statements()); got != wantSt {
		t.Errorf("statements\n got %s\nwant %s", got, wantSt)
	}
	if len(r.Findings()) != 0 {
		t.Errorf("findings:\n%s", findingsText(r.Findings()))
	}
}

const head053 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId><CreDtTm>2024-01-01T00:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S</Id><CreDtTm>2024-01-01T00:00:00</CreDtTm><Acct><Id><IBAN>BE68539007547034</IBAN></Id><Ccy>EUR</Ccy></Acct>
`

func stmt053(body string) string {
	return head053 + body + "\n</Stmt></BkToCstmrStmt></Document>\n"
}

const bal = `<Bal><Tp><CdOrPrtry><Cd>%s</Cd></CdOrPrtry></Tp><Amt Ccy="%s">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>
`

func ntry(amount, ind string) string {
	return `<Ntry><Amt Ccy="EUR">` + amount + `</Amt><CdtDbtInd>` + ind + `</CdtDbtInd><Sts>BOOK</Sts><BkTxCd/></Ntry>
`
}

// TestReaderErrors checks the exact error of malformed, truncated and
// foreign input.
func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		entries int // entries returned before the error
		want    string
	}{
		{"empty", "", 0, `t.xml:1: error: no XML document element: the file is empty or not XML [XML]`},
		{"text", "hello", 0, `t.xml:1: error: "hello": text outside the document element [XML]`},
		{"zip", "PK\x03\x04rest", 0, `t.xml: error: a ZIP archive, not an XML document: extract it and read each member [XML]`},
		{"gzip", "\x1f\x8b\x08\x00", 0, `t.xml: error: a gzip file, not an XML document: decompress it first [XML]`},
		{"unknown version", strings.Replace(stmt053(""), "camt.053.001.02", "camt.053.001.99", 1), 0,
			`t.xml:2: error: /Document "urn:iso:std:iso:20022:tech:xsd:camt.053.001.99": unsupported version camt.053.001.99 (supported: camt.053.001.01 to camt.053.001.14) [camt namespace]`},
		{"pain namespace", strings.Replace(stmt053(""), "camt.053.001.02", "pain.008.001.02", 1), 0,
			`t.xml:2: error: /Document "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02": not a camt namespace (expected camt.052, camt.053 or camt.054) [camt namespace]`},
		{"camt.056", strings.Replace(stmt053(""), "camt.053.001.02", "camt.056.001.01", 1), 0,
			`t.xml:2: error: /Document "urn:iso:std:iso:20022:tech:xsd:camt.056.001.01": unsupported message camt.056 (this reader reads camt.052, camt.053 and camt.054) [camt namespace]`},
		{"not Document", `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`, 0,
			`t.xml:1: error: /Invoice "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2": not a camt document: the document element is Invoice, expected Document [camt namespace]`},
		{"wrong message", strings.Replace(stmt053(""), "camt.053.001.02", "camt.054.001.02", 1), 0,
			`t.xml:3: error: /Document/BkToCstmrStmt "": unexpected element in a camt.054.001.02 document (expected one BkToCstmrDbtCdtNtfctn) [ISO 20022]`},
		{"bad amount", stmt053(ntry("1.00", "CRDT") + ntry("12,50", "DBIT")), 1,
			`t.xml:6: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt "12,50": amount is not a decimal number (digits with an optional '.', no sign) [ISO 20022]`},
		{"negative amount", stmt053(ntry("-1.00", "CRDT")), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt "-1.00": amount is not a decimal number (digits with an optional '.', no sign) [ISO 20022]`},
		{"amount of 19 decimals (17.10)", stmt053(ntry("1.00", "CRDT") + ntry("148.8765432109876543211", "DBIT")), 1,
			`t.xml:6: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt "148.8765432109876543211": amount out of range: 22 digits, 19 of them decimals; at most 18, 5 of them decimals (ActiveOrHistoricCurrencyAndAmount) [ISO 20022]`},
		{"amount of 19 digits", stmt053(ntry("1234567890123456789", "CRDT")), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt "1234567890123456789": amount out of range: 19 digits, 0 of them decimals; at most 18, 5 of them decimals (ActiveOrHistoricCurrencyAndAmount) [ISO 20022]`},
		{"amount of 6 decimals", stmt053(ntry("0.123456", "CRDT")), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt "0.123456": amount out of range: 6 digits, 6 of them decimals; at most 18, 5 of them decimals (ActiveOrHistoricCurrencyAndAmount) [ISO 20022]`},
		{"detail amount out of range", stmt053(`<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><NtryDtls><TxDtls>` +
			`<AmtDtls><TxAmt><Amt Ccy="EUR">100000000000000000000.00</Amt></TxAmt></AmtDtls></TxDtls></NtryDtls></Ntry>`), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1]/AmtDtls/TxAmt/Amt "100000000000000000000.00": amount out of range: 21 digits, 0 of them decimals; at most 18, 5 of them decimals (ActiveOrHistoricCurrencyAndAmount) [ISO 20022]`},
		{"balance out of range", stmt053(fmt.Sprintf(bal, "CLBD", "EUR", "12.345678")), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Bal[1]/Amt "12.345678": amount out of range: 8 digits, 6 of them decimals; at most 18, 5 of them decimals (ActiveOrHistoricCurrencyAndAmount) [ISO 20022]`},
		{"amount split by comments around a space", stmt053(ntry("1<!-- a --> <!-- b -->2", "CRDT")), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt "1 2": amount is not a decimal number (digits with an optional '.', no sign) [ISO 20022]`},
		{"bad indicator", stmt053(ntry("1.00", "CREDIT")), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/CdtDbtInd "CREDIT": credit/debit indicator must be CRDT or DBIT [ISO 20022]`},
		{"missing amount", stmt053(`<Ntry><CdtDbtInd>CRDT</CdtDbtInd></Ntry>`), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt "": amount is missing [ISO 20022]`},
		{"mismatched tag", stmt053(`<Ntry><Amt Ccy="EUR">1</Amt></Ntr>`), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1] "": element <Ntry> closed by </Ntr> [XML]`},
		{"truncated in entry", (head053 + ntry("1.00", "CRDT") + ntry("2.00", "CRDT"))[:len(head053)+len(ntry("1.00", "CRDT"))+30], 1,
			`t.xml:6: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[2] "": unexpected end of file: the document is truncated [XML]`},
		{"truncated after statement", head053 + ntry("1.00", "CRDT") + "</Stmt>", 1,
			`t.xml:6: error: /Document/BkToCstmrStmt "": unexpected end of file: the document is truncated [XML]`},
		{"self-closed document, then a line", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>` + "\n  <x/>", 0,
			`t.xml:1: error: /Document "": the document holds no BkToCstmrStmt message [ISO 20022]`},
		{"second root", stmt053("") + "<Document/>", 0,
			`t.xml:7: error: /Document "": a second document element after </Document> [XML]`},
		{"no statement", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr></BkToCstmrStmt></Document>`, 0,
			`t.xml:1: error: /Document/BkToCstmrStmt "": the message holds no Stmt [ISO 20022]`},
		{"double dash in comment", stmt053("<!-- a -- b -->"), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1] "": invalid sequence "--" not allowed in comments [XML]`},
		{"U+FFFE", stmt053("<Ntry><Amt Ccy=\"EUR\">1\uFFFE</Amt></Ntry>"), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1] "": illegal character code U+FFFE [XML]`},
		{"]]> in text", stmt053("<Ntry><Amt Ccy=\"EUR\">1]]></Amt></Ntry>"), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1] "": unescaped ]]> not in CDATA section [XML]`},
		{"xml version", strings.Replace(stmt053(""), `version="1.0"`, `version="1.1"`, 1), 0,
			`t.xml:1: error: unsupported XML version "1.1" (only 1.0) [XML]`},
		{"DOCTYPE", strings.Replace(stmt053(""), "\n<Document", "\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n<Document", 1), 0,
			`t.xml:2: error: DOCTYPE and other declarations are not accepted in a camt document [XML]`},
		{"bad entity", stmt053(`<Ntry><Amt Ccy="EUR">1&x;</Amt></Ntry>`), 0,
			`t.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1] "": invalid character entity &x; [XML]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := camt.NewReader(strings.NewReader(tt.in), "t.xml")
			entries, err := readAll(r)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant    %s", err, tt.want)
			}
			if len(entries) != tt.entries {
				t.Errorf("entries before the error = %d, want %d", len(entries), tt.entries)
			}
			var f finding.Finding
			if !errors.As(err, &f) || f.Severity != finding.Error {
				t.Errorf("error is not an error finding: %#v", err)
			}
			// The error sticks.
			if _, err2 := r.Next(); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("second Next = %v", err2)
			}
		})
	}
}

// TestReaderFindings checks the statement checks: balance, TxsSummry,
// entry against details, currencies.
func TestReaderFindings(t *testing.T) {
	body := strings.Join([]string{
		`<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>`,
		`<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">120.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>`,
		`<TxsSummry><TtlNtries><NbOfNtries>3</NbOfNtries></TtlNtries><TtlCdtNtries><NbOfNtries>2</NbOfNtries><Sum>30.00</Sum></TtlCdtNtries><TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>5.00</Sum></TtlDbtNtries></TxsSummry>`,
		`<Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BkTxCd/><NtryDtls>`,
		`<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">10.00</Amt></TxAmt></AmtDtls></TxDtls>`,
		`<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">15.00</Amt></TxAmt></AmtDtls></TxDtls>`,
		`</NtryDtls></Ntry>`,
		`<Ntry><Amt Ccy="USD">4.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BkTxCd/></Ntry>`,
		`<Ntry><Amt Ccy="EUR">99.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts><BkTxCd/></Ntry>`,
	}, "\n")
	r := camt.NewReader(strings.NewReader(stmt053(body)), "f.xml")
	entries, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("entries = %d", len(entries))
	}
	want := `f.xml:8: warning: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt "30.00": entry amount 30 does not equal the sum of its 2 transaction details (25) [camt TxDtls]
f.xml:12: warning: /Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt "USD": entry currency USD differs from the account currency EUR [camt currency]
`
	if got := findingsText(r.Findings()); got != want {
		t.Errorf("findings\n%s\nwant\n%s", got, want)
	}
	// The detail amounts of a batch carry the entry's sign.
	if got := entries[0].Details[1].Amount.String(); got != "15" {
		t.Errorf("detail amount = %s", got)
	}
}

// TestReaderNeverShort cuts a valid file at every byte: each cut must end
// in an error, never in io.EOF with fewer entries.
func TestReaderNeverShort(t *testing.T) {
	full, err := os.ReadFile(filepath.Join("testdata", "v8-returns.camt053.xml"))
	if err != nil {
		t.Fatal(err)
	}
	end := bytes.LastIndex(full, []byte("</Document>")) + len("</Document>")
	for cut := 0; cut < end; cut++ {
		r := camt.NewReader(bytes.NewReader(full[:cut]), "cut.xml")
		if _, err := readAll(r); err == nil {
			t.Fatalf("cut at byte %d of %d: no error", cut, end)
		}
	}
}

// FuzzReader feeds arbitrary bytes to the Reader: it must never panic, must
// end with io.EOF or an error finding, and must keep returning it.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, dir := range []string{"camt052", "camt053", "camt054"} {
		files, _ := filepath.Glob(filepath.Join(sharedCorpus(), dir, "*.xml"))
		seeds = append(seeds, files...)
	}
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte(stmt053(ntry("1.00", "CRDT"))))
	// The shapes the fast path of tree.read handles itself: names of 16
	// and 17 bytes (looked up as words or as a string), prefixed and
	// unknown names, self-closing unknown elements, white space in an
	// element after a child, a text starting with DEL, attributes, and a
	// Ntry cut by the buffer's end at every length (seeds of about 4 KiB).
	f.Add([]byte(stmt053(`<Ntry><Amt Ccy="EUR" x='1'>2.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>` + "\x7f" + `true</RvslInd>
<NtryDtls><TxDtls><Chrgs><TtlChrgsAndTaxAmt Ccy="EUR">0.10</TtlChrgsAndTaxAmt></Chrgs><AbcdefghijklmnoP/><AbcdefghijklmnopQ>x</AbcdefghijklmnopQ>
<Refs> <EndToEndId>E2E</EndToEndId> <x:MndtId>M</x:MndtId>  </Refs><RmtInf><Ustrd>a</Ustrd>  b<Ustrd/></RmtInf></TxDtls></NtryDtls></Ntry>`)))
	pad := stmt053(strings.Repeat(ntry("1.00", "CRDT"), 40))
	for _, cut := range []int{4000, 4090, 4096, 4100} {
		if cut < len(pad) {
			f.Add([]byte(pad[:cut]))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := camt.NewReader(bytes.NewReader(data), "fuzz.xml")
		// The same input read with every token through the scanner's full
		// checks must give the same entries, statements, findings and error.
		if fast, careful := readResult(t, r), readResult(t, camt.NewCarefulReader(bytes.NewReader(data), "fuzz.xml")); fast != careful {
			t.Fatalf("fast and careful readers differ:\nfast    %s\ncareful %s", fast, careful)
		}
		// Read in parts on two goroutines (cut at the first <Ntry> after
		// every third or seventh of the input), and as inspect reads
		// (SummaryOnly), the same input must give what one full Reader
		// gives.
		want := readOne(data)
		for _, size := range []int64{max(int64(len(data))/7, 64), max(int64(len(data))/3, 64)} {
			if got, _, _, _ := readParts(t, data, size, 2); !reflect.DeepEqual(got, want) {
				t.Fatalf("in parts of %d bytes:\n%+v\none Reader:\n%+v", size, got, want)
			}
		}
		if got, want := summaryOf(camt.NewReader(bytes.NewReader(data), "fuzz.xml", camt.SummaryOnly())),
			summaryOf(camt.NewReader(bytes.NewReader(data), "fuzz.xml")); got != want {
			t.Fatalf("SummaryOnly:\n%s\nfull:\n%s", got, want)
		}
		r = camt.NewReader(bytes.NewReader(data), "fuzz.xml")
		var amounts []string
		for i := 0; ; i++ {
			e, err := r.Next()
			if err == io.EOF {
				// What the scanner accepts, encoding/xml must accept too,
				// and read the same entries with the same amounts.
				if xerr := wellFormed(data); xerr != nil {
					t.Fatalf("read to EOF, but encoding/xml says: %v", xerr)
				}
				if want := xmlAmounts(t, data); strings.Join(amounts, " ") != strings.Join(want, " ") {
					t.Fatalf("entry amounts %v, encoding/xml reads %v", amounts, want)
				}
				break
			}
			if err == nil {
				amounts = append(amounts, e.Amount.String())
			}
			if err != nil {
				var fd finding.Finding
				if !errors.As(err, &fd) {
					t.Fatalf("error is not a finding: %v", err)
				}
				break
			}
			if e == nil || e.Statement == nil {
				t.Fatal("nil entry or statement without error")
			}
			if i > 1<<20 {
				t.Fatal("runaway")
			}
		}
		r.Next()
		r.Findings()
	})
}

// summaryOf reads r to its end and returns as text what SummaryOnly keeps
// of the entries, the statements, the findings and the error.
func summaryOf(r *camt.Reader) string {
	var b strings.Builder
	for i := 0; i < 1<<20; i++ {
		e, err := r.Next()
		if err != nil {
			b.WriteString("end: " + err.Error() + "\n")
			break
		}
		b.WriteString(summaryText(e) + "\n")
	}
	res := resultOf(nil, r.Statements(), r.Findings(), nil)
	return b.String() + res.statements + "\n" + res.findings
}

// readResult reads r to its end and returns all it gave as text.
func readResult(t *testing.T, r *camt.Reader) string {
	var b strings.Builder
	for i := 0; i < 1<<20; i++ {
		e, err := r.Next()
		if err != nil {
			b.WriteString("end: " + err.Error() + "\n")
			break
		}
		b.WriteString(compact(t, e) + "\n")
	}
	b.WriteString(compact(t, r.Statements()) + "\n" + findingsText(r.Findings()))
	return b.String()
}

// xmlAmounts reads the signed amount of every entry with encoding/xml: the
// first Amt and CdtDbtInd of each Ntry four levels down (Document, message,
// statement, Ntry), their text taken as the Reader takes it (from the first
// piece that is not white space, up to the first child element). The Reader
// read data to its end, so every amount must be a decimal.
func xmlAmounts(t *testing.T, data []byte) []string {
	d := newXMLDecoder(data)
	var out []string
	var path []string
	var amt, ind *elementText
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if len(path) == 5 && path[3] == "Ntry" {
				// A child inside Amt or CdtDbtInd ends their text.
				switch {
				case path[4] == "Amt" && amt != nil && !amt.done:
					amt.closed = true
				case path[4] == "CdtDbtInd" && ind != nil && !ind.done:
					ind.closed = true
				}
			}
			path = append(path, tk.Name.Local)
			if len(path) == 4 && tk.Name.Local == "Ntry" {
				amt, ind = nil, nil
			}
			if len(path) == 5 && path[3] == "Ntry" {
				switch {
				case tk.Name.Local == "Amt" && amt == nil:
					amt = new(elementText)
				case tk.Name.Local == "CdtDbtInd" && ind == nil:
					ind = new(elementText)
				}
			}
		case xml.CharData:
			if len(path) == 5 && path[3] == "Ntry" {
				switch {
				case path[4] == "Amt" && amt != nil && !amt.done:
					amt.add(string(tk))
				case path[4] == "CdtDbtInd" && ind != nil && !ind.done:
					ind.add(string(tk))
				}
			}
		case xml.EndElement:
			if len(path) == 5 && path[3] == "Ntry" {
				switch {
				case path[4] == "Amt" && amt != nil:
					amt.done = true
				case path[4] == "CdtDbtInd" && ind != nil:
					ind.done = true
				}
			}
			if len(path) == 4 && tk.Name.Local == "Ntry" && amt != nil && ind != nil {
				v, err := decimal.NewFromString(strings.TrimSpace(amt.text))
				if err != nil {
					t.Fatalf("encoding/xml reads entry amount %q: %v", amt.text, err)
				}
				if strings.TrimSpace(ind.text) == "DBIT" {
					v = v.Neg()
				}
				out = append(out, v.String())
			}
			path = path[:len(path)-1]
		}
	}
	return out
}

// elementText gathers an element's text by the Reader's rule.
type elementText struct {
	text         string
	closed, done bool
}

func (e *elementText) add(piece string) {
	switch {
	case e.text == "" || e.closed:
		if e.text == "" && strings.TrimSpace(piece) != "" {
			e.text, e.closed = piece, false
		}
	default:
		e.text += piece
	}
}

// wellFormed checks data with encoding/xml.
func wellFormed(data []byte) error {
	d := newXMLDecoder(data)
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// newXMLDecoder returns an encoding/xml decoder of data that decodes the
// encodings the Reader accepts the way it does.
func newXMLDecoder(data []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return in, nil
		}
		// The Reader reads other accepted labels as ISO 8859-1.
		b, err := io.ReadAll(in)
		var out []byte
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), err
	}
	return d
}

// sharedCorpus returns the corpus folder the way testutil finds it, without
// skipping: fuzz seeds from the corpus are optional.
func sharedCorpus() string {
	if d := os.Getenv("BATCHTOOL_SHARED"); d != "" {
		return filepath.Join(d, "corpus")
	}
	return filepath.Join("..", "..", "..", "shared", "corpus")
}

// TestReaderSyntax reads the XML forms banks produce: a namespace prefix, a
// BOM, ISO 8859-1, CDATA, comments, entities, self-closing elements and
// attributes in single quotes.
func TestReaderSyntax(t *testing.T) {
	prefixed := `<?xml version="1.0"?>
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.054.001.04" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<c:BkToCstmrDbtCdtNtfctn><c:GrpHdr><c:MsgId>M</c:MsgId></c:GrpHdr>
<c:Ntfctn><c:Id>N1</c:Id><c:Acct><c:Id><c:IBAN>BE68539007547034</c:IBAN></c:Id></c:Acct>
<c:Ntry><c:Amt Ccy='EUR'>1.50</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Sts>BOOK</c:Sts><c:BkTxCd/>
<c:NtryDtls><c:TxDtls><c:RltdPties><c:Dbtr><c:Nm>Dupont &amp; Fils</c:Nm></c:Dbtr></c:RltdPties>
<c:RmtInf><c:Ustrd><![CDATA[a <b> & c]]></c:Ustrd><!-- comment --><c:Ustrd>d &#233;&#x20AC;</c:Ustrd></c:RmtInf></c:TxDtls></c:NtryDtls></c:Ntry>
</c:Ntfctn></c:BkToCstmrDbtCdtNtfctn></c:Document>`
	latin1 := strings.Replace(stmt053(`<Ntry><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BkTxCd/>`+
		"<AddtlNtryInf>Caf\xe9 cr\xe8me</AddtlNtryInf></Ntry>"), `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1)
	bom := "\xEF\xBB\xBF" + stmt053(ntry("3.00", "CRDT"))
	tests := []struct {
		name, in, want string
	}{
		{"prefix", prefixed, `camt.054.001.04 1.5 EUR counterparty="Dupont & Fils" remittance="a <b> & c d é€" info=""`},
		{"latin1", latin1, `camt.053.001.02 -2 EUR counterparty="" remittance="" info="Café crème"`},
		{"bom", bom, `camt.053.001.02 3 EUR counterparty="" remittance="" info=""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := camt.NewReader(strings.NewReader(tt.in), "s.xml")
			entries, err := readAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Fatalf("entries = %d", len(entries))
			}
			e := entries[0]
			cp, rmt := "", ""
			if len(e.Details) > 0 {
				cp, rmt = e.Details[0].Counterparty.Name, e.Details[0].Remittance
			}
			got := r.Format() + " " + e.Amount.String() + " " + e.Currency + " counterparty=" + strconvQuote(cp) +
				" remittance=" + strconvQuote(rmt) + " info=" + strconvQuote(e.Info)
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func strconvQuote(s string) string { return `"` + s + `"` }

// TestReaderAmountDigits reads the largest amounts ActiveOrHistoricCurrencyAndAmount
// allows — 18 digits, 5 of them decimals, leading and trailing zeros not
// counted, as XSD counts them — and refuses one digit more (issue 17 item 10);
// charges, instructed amounts and TxsSummry sums out of range are error
// findings.
func TestReaderAmountDigits(t *testing.T) {
	ok := []struct{ in, want string }{
		{"999999999999999999", "999999999999999999"},
		{"9999999999999.99999", "9999999999999.99999"},
		{"0000000000000000000001.5", "1.5"},
		{"1.50000000000000000000", "1.5"},
		{"0.00001", "0.00001"},
		{"0", "0"},
		{"000.000", "0"},
	}
	for _, tt := range ok {
		r := camt.NewReader(strings.NewReader(stmt053(ntry(tt.in, "CRDT"))), "a.xml")
		entries, err := readAll(r)
		if err != nil || len(entries) != 1 || entries[0].Amount.String() != tt.want {
			t.Errorf("%s: %v %v, want %s", tt.in, entries, err, tt.want)
		}
	}
	body := `<TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries><Sum>1.00000000000000000</Sum></TtlNtries>` +
		`<TtlCdtNtries><NbOfNtries>1</NbOfNtries><Sum>1.0000000000000000001</Sum></TtlCdtNtries></TxsSummry>` + "\n" +
		`<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><NtryDtls><TxDtls><AmtDtls>` +
		`<InstdAmt><Amt Ccy="USD">1.123456</Amt></InstdAmt><TxAmt><Amt Ccy="EUR">1.00</Amt></TxAmt></AmtDtls>` +
		`<Chrgs><Amt Ccy="EUR">0.0000001</Amt></Chrgs></TxDtls></NtryDtls></Ntry>`
	r := camt.NewReader(strings.NewReader(stmt053(body)), "s.xml")
	entries, err := readAll(r)
	if err != nil || len(entries) != 1 {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	want := `s.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/TxsSummry/TtlCdtNtries/Sum "1.0000000000000000001": sum out of range: 20 digits, 19 of them decimals; at most 18, 17 of them decimals (DecimalNumber) [ISO 20022]
s.xml:6: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1]/AmtDtls/InstdAmt/Amt "1.123456": amount out of range: 7 digits, 6 of them decimals; at most 18, 5 of them decimals (ActiveOrHistoricCurrencyAndAmount) [ISO 20022]
s.xml:6: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1]/Chrgs/Amt "0.0000001": amount out of range: 7 digits, 7 of them decimals; at most 18, 5 of them decimals (ActiveOrHistoricCurrencyAndAmount) [ISO 20022]
s.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]/TxsSummry/TtlCdtNtries/Sum "1.0000000000000000001": states credit entries summing to 1.0000000000000000001, they add up to 1 [camt TxsSummry]
`
	if got := findingsText(r.Findings()); got != want {
		t.Errorf("findings\n%s\nwant\n%s", got, want)
	}
	if d := entries[0].Details[0]; !d.OrigAmount.IsZero() || d.OrigCurrency != "" || !d.Charges.IsZero() {
		t.Errorf("out-of-range amounts were kept: orig %s %s, charges %s", d.OrigAmount, d.OrigCurrency, d.Charges)
	}
}

// TestReaderSpareBuffers reads every file of testdata and the corpus,
// keeping what each Reader handed out, then reads them all again: a Reader
// that reached the end of its input hands its buffers to the next one, so
// what it gave must not point into them. The first results, printed again
// after the second pass, must be what they were.
func TestReaderSpareBuffers(t *testing.T) {
	type input struct {
		name string
		data []byte
	}
	// Documents of our own, so the test means something in a clone
	// without ../shared, then every camt file there is.
	var inputs []input
	for i, body := range []string{ntry("1.00", "CRDT"), ntry("2.50", "DBIT") + ntry("12.00", "CRDT"), ntry("12,50", "DBIT"), ""} {
		inputs = append(inputs, input{fmt.Sprintf("gen%d.xml", i), []byte(stmt053(body))})
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	corpus := 0
	for _, dir := range []string{"camt052", "camt053", "camt054"} {
		more, _ := filepath.Glob(filepath.Join(sharedCorpus(), dir, "*.xml"))
		files, corpus = append(files, more...), corpus+len(more)
	}
	if corpus == 0 {
		t.Logf("%s absent: reading our own documents only", sharedCorpus())
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{filepath.Base(f), data})
	}
	type kept struct {
		r       *camt.Reader
		entries []*statement.Entry
		text    string
	}
	print := func(k kept) string {
		return compact(t, k.entries) + compact(t, k.r.Statements()) + findingsText(k.r.Findings())
	}
	var first []kept
	for pass := 0; pass < 2; pass++ {
		for _, in := range inputs {
			for _, opts := range [][]camt.Option{nil, {camt.SummaryOnly()}} {
				r := camt.NewReader(bytes.NewReader(in.data), in.name, opts...)
				entries, _ := readAll(r)
				if len(opts) > 0 {
					entries = nil // one reused entry
				}
				if pass == 0 {
					k := kept{r: r, entries: entries}
					k.text = print(k)
					first = append(first, k)
				}
			}
		}
	}
	if corpus > 0 && len(first) < 40 {
		t.Fatalf("only %d files read", len(first)/2)
	}
	for i, k := range first {
		if got := print(k); got != k.text {
			t.Errorf("%s: what the Reader gave changed when later Readers read:\nwas %s\nnow %s", inputs[i/2].name, k.text, got)
		}
	}
}
