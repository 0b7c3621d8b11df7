package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/moov-io/iso20022/pkg/camt_v08"
	"github.com/moov-io/iso20022/pkg/document"
	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/decsum"
	"github.com/batchtool/batchtool/pkg/camt"
)

// entryV8 is one camt.053.001.08 entry: a SEPA direct debit credit with
// full transaction details (Pty wrappers, BICFI, Sts/Cd, TxDtls/Amt).
const entryV8 = `<Ntry><NtryRef>%[1]s</NtryRef><Amt Ccy="EUR">%[2]s</Amt><CdtDbtInd>%[3]s</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2024-03-15</Dt></BookgDt><ValDt><Dt>2024-03-15</Dt></ValDt><AcctSvcrRef>BANK%[1]s</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-%[1]s</EndToEndId><MndtId>MNDT-%[1]s</MndtId></Refs>
<Amt Ccy="EUR">%[2]s</Amt><CdtDbtInd>%[3]s</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>Debtor Name %[1]s</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct>
<Cdtr><Pty><Nm>Acme NV</Nm><Id><PrvtId><Othr><Id>BE69ZZZ050D000000008</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></Pty></Cdtr></RltdPties>
<RltdAgts><DbtrAgt><FinInstnId><BICFI>ABNANL2A</BICFI></FinInstnId></DbtrAgt></RltdAgts>
<RmtInf><Ustrd>Invoice %[1]s monthly subscription</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
`

// generateV8 builds a camt.053.001.08 statement of n entries, credits of
// 12.34 and debits of 5.67 alternating, with matching balances.
func generateV8(n int) []byte {
	var b bytes.Buffer
	nc, nd := (n+1)/2, n/2
	closing := decimal.New(1234, -2).Mul(decimal.NewFromInt(int64(nc))).Sub(decimal.New(567, -2).Mul(decimal.NewFromInt(int64(nd))))
	ind := "CRDT"
	if closing.Sign() < 0 {
		ind = "DBIT"
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt><GrpHdr><MsgId>GEN-V8</MsgId><CreDtTm>2024-03-15T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>GEN-V8-1</Id><CreDtTm>2024-03-15T18:00:00</CreDtTm>
<Acct><Id><IBAN>BE68539007547034</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-14</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">%s</Amt><CdtDbtInd>%s</CdtDbtInd><Dt><Dt>2024-03-15</Dt></Dt></Bal>
`, closing.Abs().StringFixed(2), ind)
	for i := 1; i <= n; i++ {
		id := strconv.Itoa(1000000000 + i)[1:]
		if i%2 == 1 {
			fmt.Fprintf(&b, entryV8, id, "12.34", "CRDT")
		} else {
			fmt.Fprintf(&b, entryV8, id, "5.67", "DBIT")
		}
	}
	b.WriteString("</Stmt>\n</BkToCstmrStmt>\n</Document>\n")
	return b.Bytes()
}

// readBatchtool streams the entries with camt.Reader and returns their
// count and signed sum, added exactly in int64 units as inspect does (moov's
// side adds float64).
func readBatchtool(data []byte, opts ...camt.Option) (int, decimal.Decimal, error) {
	r := camt.NewReader(bytes.NewReader(data), "bench.xml", opts...)
	n := 0
	var sum decsum.Sum
	for {
		e, err := r.Next()
		if err == io.EOF {
			return n, sum.Decimal(), nil
		}
		if err != nil {
			return n, sum.Decimal(), err
		}
		n++
		sum.Add(e.Amount)
	}
}

// readMoovDocument decodes the whole document with moov's public API
// (document.ParseIso20022Document), as moov's own tests do. Amounts are
// float64 in moov's types.
func readMoovDocument(data []byte) (int, float64, error) {
	doc, err := document.ParseIso20022Document(data)
	if err != nil {
		return 0, 0, err
	}
	obj, ok := doc.(*document.Iso20022DocumentObject)
	if !ok {
		return 0, 0, fmt.Errorf("unexpected document type %T", doc)
	}
	msg, ok := obj.Message.(*camt_v08.BankToCustomerStatementV08)
	if !ok {
		return 0, 0, fmt.Errorf("unexpected message type %T", obj.Message)
	}
	n, sum := 0, 0.0
	for _, st := range msg.Stmt {
		for _, e := range st.Ntry {
			n++
			if e.CdtDbtInd == "DBIT" {
				sum -= e.Amt.Value
			} else {
				sum += e.Amt.Value
			}
		}
	}
	return n, sum, nil
}

// readMoovEntries streams with encoding/xml and decodes one Ntry at a time
// into moov's camt_v08.ReportEntry10: moov's types used where they fit,
// with memory as flat as ours.
func readMoovEntries(data []byte) (int, float64, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	n, sum := 0, 0.0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n, sum, nil
		}
		if err != nil {
			return n, sum, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Ntry" {
			continue
		}
		var e camt_v08.ReportEntry10
		if err := d.DecodeElement(&e, &se); err != nil {
			return n, sum, err
		}
		n++
		if e.CdtDbtInd == "DBIT" {
			sum -= e.Amt.Value
		} else {
			sum += e.Amt.Value
		}
	}
}

func inputs(b testing.TB) map[string][]byte {
	in := map[string][]byte{"generated-4MB": generateV8(4 << 20 / 1200)}
	for _, f := range []string{"genkgo-camt053-v8.xml", "viafintech-camt053-v8-example.xml"} {
		if data, err := os.ReadFile(filepath.Join("..", "..", "shared", "corpus", "camt053", f)); err == nil {
			in[f] = data
		}
	}
	return in
}

// TestSameResult checks that the three ways read the same entries.
func TestSameResult(t *testing.T) {
	for name, data := range inputs(t) {
		n1, s1, err := readBatchtool(data)
		if err != nil {
			t.Fatalf("%s: batchtool: %v", name, err)
		}
		if n, s, err := readBatchtool(data, camt.SummaryOnly()); err != nil || n != n1 || !s.Equal(s1) {
			t.Errorf("%s: batchtool SummaryOnly %d %s %v, whole %d %s", name, n, s, err, n1, s1)
		}
		n2, s2, err := readMoovDocument(data)
		if err != nil {
			t.Fatalf("%s: moov document: %v", name, err)
		}
		n3, s3, err := readMoovEntries(data)
		if err != nil {
			t.Fatalf("%s: moov entries: %v", name, err)
		}
		f1, _ := s1.Float64()
		if n1 != n2 || n1 != n3 || math.Abs(f1-s2) > 0.005 || math.Abs(f1-s3) > 0.005 {
			t.Errorf("%s: batchtool %d %s, moov document %d %v, moov entries %d %v", name, n1, s1, n2, s2, n3, s3)
		}
		t.Logf("%s: %d bytes, %d entries, sum %s (moov float64: %v)", name, len(data), n1, s1, s2)
	}
}

// BenchmarkCamt053V08 reads the same camt.053.001.08 input four ways, side
// by side: batchtool's streaming camt.Reader, whole and as inspect reads
// (SummaryOnly), moov's whole-document parse, and moov's entry type decoded
// one Ntry at a time with encoding/xml.
func BenchmarkCamt053V08(b *testing.B) {
	readers := []struct {
		name string
		read func([]byte) error
	}{
		{"batchtool", func(d []byte) error { _, _, err := readBatchtool(d); return err }},
		// as batchtool inspect reads: SummaryOnly, no references, parties
		// or remittance built
		{"batchtool-inspect", func(d []byte) error { _, _, err := readBatchtool(d, camt.SummaryOnly()); return err }},
		{"moov-document", func(d []byte) error { _, _, err := readMoovDocument(d); return err }},
		{"moov-entries", func(d []byte) error { _, _, err := readMoovEntries(d); return err }},
	}
	in := inputs(b)
	for _, input := range []string{"generated-4MB", "genkgo-camt053-v8.xml", "viafintech-camt053-v8-example.xml"} {
		data, ok := in[input]
		if !ok {
			continue
		}
		for _, r := range readers {
			b.Run(input+"/"+r.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				cpu0 := cpuTime()
				defer func() {
					if cpu := cpuTime() - cpu0; cpu > 0 {
						b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
					}
				}()
				for i := 0; i < b.N; i++ {
					if err := r.read(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
