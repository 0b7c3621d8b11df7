package camt_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/statement"
)

func ExampleNewReader() {
	f, err := os.Open("testdata/v8-returns.camt053.xml")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r := camt.NewReader(f, "v8-returns.camt053.xml")
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err) // a finding.Finding: file:line: error: /path "value": message [rule]
		}
		for _, tx := range e.Details {
			fmt.Printf("%s %s %s %q return=%q ref=%s:%q\n", e.Statement.Account.ID(), e.Amount, tx.EndToEndID,
				tx.Counterparty.Name, tx.ReturnReason, tx.Reference.Scheme, tx.Reference.Value)
		}
	}
	st := r.Statements()[0]
	fmt.Println(st.Format, st.Opening.Amount, st.Closing.Amount, len(r.Findings()), "findings")
	// Output:
	// 0123456789 125.5 E2E-1 "Klant BVBA" return="" ref=BE:"090933755493"
	// 0123456789 -25.5 E2E-9 "Jan Janssens" return="MD06" ref=:""
	// camt.053.001.08 -10 90 0 findings
}

func ExampleNewWriter() {
	w := camt.NewWriter(os.Stdout, camt.WriterOptions{MessageID: "MSG-1", CreatedAt: time.Date(2024, 3, 15, 18, 0, 0, 0, time.UTC)})
	st := &statement.Statement{
		ID:      "STMT-1",
		Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"},
		Opening: &statement.Balance{Amount: decimal.RequireFromString("100"), Date: time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)},
	}
	if err := w.BeginStatement(st); err != nil {
		log.Fatal(err)
	}
	err := w.WriteEntry(&statement.Entry{
		Amount: decimal.RequireFromString("-25.50"), Currency: "EUR", Reversal: true,
		BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "UPDD"},
		Details: []statement.Transaction{{
			Amount: decimal.RequireFromString("-25.50"), EndToEndID: "E2E-9", MandateID: "MD-9",
			Counterparty: statement.Party{Name: "Jan Janssens", IBAN: "BE71096123456769"}, ReturnReason: "MD06",
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
	// <BkToCstmrStmt>
	// <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2024-03-15T18:00:00Z</CreDtTm></GrpHdr>
	// <Stmt><Id>STMT-1</Id><CreDtTm>2024-03-15T18:00:00Z</CreDtTm>
	// <Acct><Id><IBAN>BE68539007547034</IBAN></Id><Ccy>EUR</Ccy></Acct>
	// <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-14</Dt></Dt></Bal>
	// <Ntry><Amt Ccy="EUR">25.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls>
	//  <TxDtls><Refs><EndToEndId>E2E-9</EndToEndId><MndtId>MD-9</MndtId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">25.50</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Nm>Jan Janssens</Nm></Dbtr><DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct></RltdPties><RtrInf><Rsn><Cd>MD06</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>
	// </Stmt>
	// </BkToCstmrStmt>
	// </Document>
}
