package camt

import (
	"encoding/xml"
	"strings"
)

// The structs below are decoding targets named after the ISO 20022 elements.
// Each one is the union of the element names of every supported version, so
// one set of types reads 001.01 to 001.14. Unknown elements are skipped by
// encoding/xml.

// amt is an amount with its currency: <Amt Ccy="EUR">12.30</Amt>
// (ActiveOrHistoricCurrencyAndAmount). Line is where it stands in the file.
type amt struct {
	Value string
	Ccy   string
	Line  int
	Set   bool
}

// UnmarshalXML reads the amount by hand: it is the hottest element of a
// statement and knowing its own line makes findings exact.
func (a *amt) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	a.Set = true
	a.Line, _ = d.InputPos()
	for _, at := range start.Attr {
		if at.Name.Local == "Ccy" {
			a.Ccy = strings.TrimSpace(at.Value)
		}
	}
	var sb []byte
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			sb = append(sb, t...)
		case xml.StartElement:
			if err := d.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			a.Value = strings.TrimSpace(string(sb))
			return nil
		}
	}
}

// amtWrap is an element that wraps an amount: InstdAmt, TxAmt (each holding Amt).
type amtWrap struct {
	Amt amt `xml:"Amt"`
}

// dateChoice is DateAndDateTimeChoice: <Dt> or <DtTm>.
type dateChoice struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

// codeOrProprietary is a choice of an ISO code and a proprietary code; CdOrPrtry
// is the 001.02+ wrapper of the same choice.
type codeOrProprietary struct {
	Cd        string `xml:"Cd"`
	Prtry     string `xml:"Prtry"`
	CdOrPrtry struct {
		Cd    string `xml:"Cd"`
		Prtry string `xml:"Prtry"`
	} `xml:"CdOrPrtry"`
}

func (c codeOrProprietary) code() string {
	for _, s := range []string{c.CdOrPrtry.Cd, c.Cd, c.CdOrPrtry.Prtry, c.Prtry} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// grpHdr is GrpHdr.
type grpHdr struct {
	MsgId   string `xml:"MsgId"`
	CreDtTm string `xml:"CreDtTm"`
}

// finInstnID is FinInstnId (BIC up to 001.04, BICFI from 001.05).
type finInstnID struct {
	BIC   string `xml:"BIC"`
	BICFI string `xml:"BICFI"`
	Nm    string `xml:"Nm"`
}

func (f finInstnID) bic() string {
	if f.BICFI != "" {
		return strings.TrimSpace(f.BICFI)
	}
	return strings.TrimSpace(f.BIC)
}

// agent is BranchAndFinancialInstitutionIdentification.
type agent struct {
	FinInstnId finInstnID `xml:"FinInstnId"`
}

// acctID is the Id of a CashAccount: IBAN or Othr/Id.
type acctID struct {
	IBAN string `xml:"IBAN"`
	// BBAN and UPIC are the 001.01 alternatives; ProprietaryAccount the same.
	BBAN string `xml:"BBAN"`
	Othr struct {
		Id string `xml:"Id"`
	} `xml:"Othr"`
	PrtryAcct struct {
		Id string `xml:"Id"`
	} `xml:"PrtryAcct"`
}

func (a acctID) other() string {
	for _, s := range []string{a.Othr.Id, a.BBAN, a.PrtryAcct.Id} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// partyID is the Id of a PartyIdentification (OrgId or PrvtId, each with Othr).
type partyID struct {
	OrgId struct {
		BICOrBEI string   `xml:"BICOrBEI"`
		AnyBIC   string   `xml:"AnyBIC"`
		Othr     []othrID `xml:"Othr"`
	} `xml:"OrgId"`
	PrvtId struct {
		Othr []othrID `xml:"Othr"`
	} `xml:"PrvtId"`
}

// othrID is a GenericIdentification: Id with its scheme name.
type othrID struct {
	Id      string            `xml:"Id"`
	SchmeNm codeOrProprietary `xml:"SchmeNm"`
}

// party is a PartyIdentification; from 001.08 the party sits in a Pty wrapper
// (Party40Choice: Pty or Agt).
type party struct {
	Nm  string  `xml:"Nm"`
	Id  partyID `xml:"Id"`
	Pty *party  `xml:"Pty"`
	Agt *agent  `xml:"Agt"`
}

func (p *party) inner() *party {
	if p != nil && p.Pty != nil {
		return p.Pty
	}
	return p
}

// cashAccount is a CashAccount (Acct, DbtrAcct, CdtrAcct).
type cashAccount struct {
	Id   acctID `xml:"Id"`
	Ccy  string `xml:"Ccy"`
	Nm   string `xml:"Nm"`
	Ownr party  `xml:"Ownr"`
	Svcr agent  `xml:"Svcr"`
}

// bal is Bal (CashBalance).
type bal struct {
	Tp        codeOrProprietary `xml:"Tp"`
	Amt       amt               `xml:"Amt"`
	CdtDbtInd string            `xml:"CdtDbtInd"`
	Dt        dateChoice        `xml:"Dt"`
}

// numberAndSum is NumberAndSumOfTransactions (TtlCdtNtries, TtlDbtNtries).
type numberAndSum struct {
	NbOfNtries string `xml:"NbOfNtries"`
	Sum        string `xml:"Sum"`
}

// txsSummry is TxsSummry.
type txsSummry struct {
	TtlNtries struct {
		NbOfNtries string `xml:"NbOfNtries"`
		Sum        string `xml:"Sum"`
	} `xml:"TtlNtries"`
	TtlCdtNtries *numberAndSum `xml:"TtlCdtNtries"`
	TtlDbtNtries *numberAndSum `xml:"TtlDbtNtries"`
}

// frToDt is FrToDt.
type frToDt struct {
	FrDtTm string `xml:"FrDtTm"`
	ToDtTm string `xml:"ToDtTm"`
}

// bkTxCd is BkTxCd (BankTransactionCodeStructure).
type bkTxCd struct {
	Domn struct {
		Cd   string `xml:"Cd"`
		Fmly struct {
			Cd        string `xml:"Cd"`
			SubFmlyCd string `xml:"SubFmlyCd"`
		} `xml:"Fmly"`
	} `xml:"Domn"`
	Prtry struct {
		Cd   string `xml:"Cd"`
		Issr string `xml:"Issr"`
	} `xml:"Prtry"`
}

// sts is the entry status: text in 001.01 to 001.06 (Sts>BOOK), a choice
// Sts/Cd or Sts/Prtry from 001.07.
type sts struct {
	Text  string `xml:",chardata"`
	Cd    string `xml:"Cd"`
	Prtry string `xml:"Prtry"`
}

func (s sts) code() string {
	for _, v := range []string{s.Cd, s.Prtry, s.Text} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// btch is Btch (BatchInformation).
type btch struct {
	MsgId     string `xml:"MsgId"`
	PmtInfId  string `xml:"PmtInfId"`
	NbOfTxs   string `xml:"NbOfTxs"`
	TtlAmt    amt    `xml:"TtlAmt"`
	CdtDbtInd string `xml:"CdtDbtInd"`
}

// refs is Refs (TransactionReferences).
type refs struct {
	MsgId       string `xml:"MsgId"`
	AcctSvcrRef string `xml:"AcctSvcrRef"`
	PmtInfId    string `xml:"PmtInfId"`
	InstrId     string `xml:"InstrId"`
	EndToEndId  string `xml:"EndToEndId"`
	TxId        string `xml:"TxId"`
	MndtId      string `xml:"MndtId"`
}

// chrgs is Chrgs: repeated ChargesInformation (Amt) up to 001.02, one
// Charges element with TtlChrgsAndTaxAmt and Rcrd from 001.03.
type chrgs struct {
	TtlChrgsAndTaxAmt amt `xml:"TtlChrgsAndTaxAmt"`
	Amt               amt `xml:"Amt"`
	Rcrd              []struct {
		Amt amt `xml:"Amt"`
	} `xml:"Rcrd"`
}

// rltdPties is RltdPties (TransactionParties).
type rltdPties struct {
	Dbtr      party       `xml:"Dbtr"`
	DbtrAcct  cashAccount `xml:"DbtrAcct"`
	UltmtDbtr party       `xml:"UltmtDbtr"`
	Cdtr      party       `xml:"Cdtr"`
	CdtrAcct  cashAccount `xml:"CdtrAcct"`
	UltmtCdtr party       `xml:"UltmtCdtr"`
}

// rltdAgts is RltdAgts (TransactionAgents).
type rltdAgts struct {
	DbtrAgt agent `xml:"DbtrAgt"`
	CdtrAgt agent `xml:"CdtrAgt"`
}

// rmtInf is RmtInf: Ustrd lines and Strd/CdtrRefInf.
type rmtInf struct {
	Ustrd []string `xml:"Ustrd"`
	Strd  []struct {
		CdtrRefInf struct {
			Tp struct {
				CdOrPrtry struct {
					Cd    string `xml:"Cd"`
					Prtry string `xml:"Prtry"`
				} `xml:"CdOrPrtry"`
				Issr string `xml:"Issr"`
			} `xml:"Tp"`
			Ref string `xml:"Ref"`
		} `xml:"CdtrRefInf"`
		AddtlRmtInf []string `xml:"AddtlRmtInf"`
	} `xml:"Strd"`
}

// rtrInf is RtrInf (ReturnReasonInformation).
type rtrInf struct {
	Rsn      codeOrProprietary `xml:"Rsn"`
	AddtlInf []string          `xml:"AddtlInf"`
}

// txDtls is TxDtls (EntryTransaction).
type txDtls struct {
	Refs      refs   `xml:"Refs"`
	Amt       amt    `xml:"Amt"`       // 001.04 and up
	CdtDbtInd string `xml:"CdtDbtInd"` // 001.04 and up
	AmtDtls   struct {
		InstdAmt amtWrap `xml:"InstdAmt"`
		TxAmt    amtWrap `xml:"TxAmt"`
	} `xml:"AmtDtls"`
	BkTxCd     bkTxCd    `xml:"BkTxCd"`
	Chrgs      []chrgs   `xml:"Chrgs"`
	RltdPties  rltdPties `xml:"RltdPties"`
	RltdAgts   rltdAgts  `xml:"RltdAgts"`
	RmtInf     rmtInf    `xml:"RmtInf"`
	RtrInf     rtrInf    `xml:"RtrInf"`
	AddtlTxInf string    `xml:"AddtlTxInf"`
}

// ntryDtls is NtryDtls (EntryDetails).
type ntryDtls struct {
	Btch   *btch    `xml:"Btch"`
	TxDtls []txDtls `xml:"TxDtls"`
}

// ntry is Ntry (ReportEntry). 001.01 holds Btch and TxDtls directly.
type ntry struct {
	NtryRef      string     `xml:"NtryRef"`
	Amt          amt        `xml:"Amt"`
	CdtDbtInd    string     `xml:"CdtDbtInd"`
	RvslInd      string     `xml:"RvslInd"`
	Sts          sts        `xml:"Sts"`
	BookgDt      dateChoice `xml:"BookgDt"`
	ValDt        dateChoice `xml:"ValDt"`
	AcctSvcrRef  string     `xml:"AcctSvcrRef"`
	BkTxCd       bkTxCd     `xml:"BkTxCd"`
	Btch         []btch     `xml:"Btch"`   // 001.01
	TxDtls       []txDtls   `xml:"TxDtls"` // 001.01
	NtryDtls     []ntryDtls `xml:"NtryDtls"`
	AddtlNtryInf string     `xml:"AddtlNtryInf"`
}
