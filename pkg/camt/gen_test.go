package camt_test

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// genStatement is an io.Reader that produces a camt.053.001.02 statement of
// about size bytes on the fly: SEPA direct debit credits of 12.34 and
// returned collections of 5.67 alternating, with full transaction details,
// so that nothing large exists on disk or in memory.
type genStatement struct {
	n, i    int    // entries to write, entries written
	bad     bool   // every entry has findings (see genBad)
	buf     []byte // pending output
	off     int
	tail    bool
	closing decimal.Decimal
}

const genEntryCredit = `<Ntry><NtryRef>%s</NtryRef><Amt Ccy="EUR">12.34</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2024-03-15</Dt></BookgDt><ValDt><Dt>2024-03-15</Dt></ValDt><AcctSvcrRef>BANK%s</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn><Prtry><Cd>01-05</Cd><Issr>BE</Issr></Prtry></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-%s</EndToEndId><MndtId>MNDT-%s</MndtId></Refs>
<AmtDtls><TxAmt><Amt Ccy="EUR">12.34</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Nm>Debtor Name %s</Nm></Dbtr><DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct>
<Cdtr><Nm>Acme NV</Nm><Id><PrvtId><Othr><Id>BE69ZZZ050D000000008</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></Cdtr></RltdPties>
<RltdAgts><DbtrAgt><FinInstnId><BIC>ABNANL2A</BIC></FinInstnId></DbtrAgt></RltdAgts>
<RmtInf><Ustrd>Invoice %s monthly subscription</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
`

const genEntryReturn = `<Ntry><Amt Ccy="EUR">5.67</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>
<BookgDt><Dt>2024-03-15</Dt></BookgDt><ValDt><Dt>2024-03-15</Dt></ValDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-%s</EndToEndId><MndtId>MNDT-%s</MndtId></Refs>
<AmtDtls><TxAmt><Amt Ccy="EUR">5.67</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Nm>Debtor Name %s</Nm></Dbtr><DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>
<RtrInf><Rsn><Cd>AM04</Cd></Rsn><AddtlInf>Insufficient funds</AddtlInf></RtrInf></TxDtls></NtryDtls></Ntry>
`

// genBad turns an entry into one with two findings: a value date that does
// not exist and, in a credit, a detail amount that differs from the entry's.
func genBad(entry string) string {
	entry = strings.Replace(entry, "<ValDt><Dt>2024-03-15", "<ValDt><Dt>2024-02-30", 1)
	return strings.Replace(entry, `<TxAmt><Amt Ccy="EUR">12.34`, `<TxAmt><Amt Ccy="EUR">12.35`, 1)
}

var genEntryCreditBad, genEntryReturnBad = genBad(genEntryCredit), genBad(genEntryReturn)

// genEntrySize is the average size of a generated entry.
var genEntrySize = (len(fmt.Sprintf(genEntryCredit, "000000001", "000000001", "000000001", "000000001", "000000001", "000000001")) +
	len(fmt.Sprintf(genEntryReturn, "000000002", "000000002", "000000002"))) / 2

// newGenStatement returns a generator of about size bytes and the
// figures a reader must find: entries, credit and debit sums, closing.
func newGenStatement(size int64) (g *genStatement, entries int, credits, debits decimal.Decimal) {
	n := int(size / int64(genEntrySize))
	if n < 2 {
		n = 2
	}
	nc := (n + 1) / 2
	nd := n / 2
	credits = decimal.New(1234, -2).Mul(decimal.NewFromInt(int64(nc)))
	debits = decimal.New(567, -2).Mul(decimal.NewFromInt(int64(nd)))
	g = &genStatement{n: n, closing: credits.Sub(debits)}
	g.buf = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><GrpHdr><MsgId>GEN-1</MsgId><CreDtTm>2024-03-15T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>GEN-STMT-1</Id><CreDtTm>2024-03-15T18:00:00</CreDtTm>
<Acct><Id><IBAN>BE68539007547034</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-14</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">` + g.closing.Abs().StringFixed(2) + `</Amt><CdtDbtInd>` + ind(g.closing) + `</CdtDbtInd><Dt><Dt>2024-03-15</Dt></Dt></Bal>
`)
	return g, n, credits, debits
}

func ind(d decimal.Decimal) string {
	if d.Sign() < 0 {
		return "DBIT"
	}
	return "CRDT"
}

func (g *genStatement) Read(p []byte) (int, error) {
	for g.off >= len(g.buf) {
		g.buf, g.off = g.buf[:0], 0
		switch {
		case g.i < g.n:
			// Fill about 64 KiB of entries at a time.
			for len(g.buf) < 64<<10 && g.i < g.n {
				g.i++
				id := strconv.Itoa(1000000000 + g.i)[1:]
				credit, ret := genEntryCredit, genEntryReturn
				if g.bad {
					credit, ret = genEntryCreditBad, genEntryReturnBad
				}
				if g.i%2 == 1 {
					g.buf = fmt.Appendf(g.buf, credit, id, id, id, id, id, id)
				} else {
					g.buf = fmt.Appendf(g.buf, ret, id, id, id)
				}
			}
		case !g.tail:
			g.tail = true
			g.buf = append(g.buf, "</Stmt>\n</BkToCstmrStmt>\n</Document>\n"...)
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	return n, nil
}
