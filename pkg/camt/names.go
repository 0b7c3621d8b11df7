package camt

// name identifies an element the Reader reads fields from, by its local
// name. The node tree keeps only elements with a name in elementNames (and
// the element it decodes): an element no field reads, and everything inside
// it, is checked by the scanner and dropped, so it costs neither memory nor
// lookups. Queries compare small integers instead of strings.
type name uint16

// nmOther is every element no field reads.
const (
	nmOther name = iota
	nmAcctSvcrRef
	nmAddtlInf
	nmAddtlNtryInf
	nmAddtlRmtInf
	nmAgt
	nmAmt
	nmAmtDtls
	nmBBAN
	nmBIC
	nmBICFI
	nmBkTxCd
	nmBookgDt
	nmBtch
	nmCcy
	nmCd
	nmCdOrPrtry
	nmCdtDbtInd
	nmCdtr
	nmCdtrAcct
	nmCdtrAgt
	nmCdtrRefInf
	nmChrgs
	nmCreDtTm
	nmDbtr
	nmDbtrAcct
	nmDbtrAgt
	nmDomn
	nmDt
	nmDtTm
	nmEndToEndId
	nmFinInstnId
	nmFmly
	nmFrDtTm
	nmIBAN
	nmId
	nmInstdAmt
	nmInstrId
	nmIssr
	nmMndtId
	nmMsgId
	nmNbOfNtries
	nmNbOfTxs
	nmNm
	nmNtryDtls
	nmNtryRef
	nmOrgId
	nmOthr
	nmOwnr
	nmPmtInfId
	nmPrtry
	nmPrtryAcct
	nmPrvtId
	nmPty
	nmRcrd
	nmRef
	nmRefs
	nmRltdAgts
	nmRltdPties
	nmRmtInf
	nmRsn
	nmRtrInf
	nmRvslInd
	nmSchmeNm
	nmStrd
	nmSts
	nmSubFmlyCd
	nmSum
	nmSvcr
	nmToDtTm
	nmTp
	nmTtlCdtNtries
	nmTtlChrgsAndTaxAmt
	nmTtlDbtNtries
	nmTtlNtries
	nmTxAmt
	nmTxDtls
	nmTxId
	nmUltmtCdtr
	nmUltmtDbtr
	nmUstrd
	nmValDt
	numNames
)

// elementNames holds the local name of each name.
var elementNames = [numNames]string{
	nmAcctSvcrRef:       "AcctSvcrRef",
	nmAddtlInf:          "AddtlInf",
	nmAddtlNtryInf:      "AddtlNtryInf",
	nmAddtlRmtInf:       "AddtlRmtInf",
	nmAgt:               "Agt",
	nmAmt:               "Amt",
	nmAmtDtls:           "AmtDtls",
	nmBBAN:              "BBAN",
	nmBIC:               "BIC",
	nmBICFI:             "BICFI",
	nmBkTxCd:            "BkTxCd",
	nmBookgDt:           "BookgDt",
	nmBtch:              "Btch",
	nmCcy:               "Ccy",
	nmCd:                "Cd",
	nmCdOrPrtry:         "CdOrPrtry",
	nmCdtDbtInd:         "CdtDbtInd",
	nmCdtr:              "Cdtr",
	nmCdtrAcct:          "CdtrAcct",
	nmCdtrAgt:           "CdtrAgt",
	nmCdtrRefInf:        "CdtrRefInf",
	nmChrgs:             "Chrgs",
	nmCreDtTm:           "CreDtTm",
	nmDbtr:              "Dbtr",
	nmDbtrAcct:          "DbtrAcct",
	nmDbtrAgt:           "DbtrAgt",
	nmDomn:              "Domn",
	nmDt:                "Dt",
	nmDtTm:              "DtTm",
	nmEndToEndId:        "EndToEndId",
	nmFinInstnId:        "FinInstnId",
	nmFmly:              "Fmly",
	nmFrDtTm:            "FrDtTm",
	nmIBAN:              "IBAN",
	nmId:                "Id",
	nmInstdAmt:          "InstdAmt",
	nmInstrId:           "InstrId",
	nmIssr:              "Issr",
	nmMndtId:            "MndtId",
	nmMsgId:             "MsgId",
	nmNbOfNtries:        "NbOfNtries",
	nmNbOfTxs:           "NbOfTxs",
	nmNm:                "Nm",
	nmNtryDtls:          "NtryDtls",
	nmNtryRef:           "NtryRef",
	nmOrgId:             "OrgId",
	nmOthr:              "Othr",
	nmOwnr:              "Ownr",
	nmPmtInfId:          "PmtInfId",
	nmPrtry:             "Prtry",
	nmPrtryAcct:         "PrtryAcct",
	nmPrvtId:            "PrvtId",
	nmPty:               "Pty",
	nmRcrd:              "Rcrd",
	nmRef:               "Ref",
	nmRefs:              "Refs",
	nmRltdAgts:          "RltdAgts",
	nmRltdPties:         "RltdPties",
	nmRmtInf:            "RmtInf",
	nmRsn:               "Rsn",
	nmRtrInf:            "RtrInf",
	nmRvslInd:           "RvslInd",
	nmSchmeNm:           "SchmeNm",
	nmStrd:              "Strd",
	nmSts:               "Sts",
	nmSubFmlyCd:         "SubFmlyCd",
	nmSum:               "Sum",
	nmSvcr:              "Svcr",
	nmToDtTm:            "ToDtTm",
	nmTp:                "Tp",
	nmTtlCdtNtries:      "TtlCdtNtries",
	nmTtlChrgsAndTaxAmt: "TtlChrgsAndTaxAmt",
	nmTtlDbtNtries:      "TtlDbtNtries",
	nmTtlNtries:         "TtlNtries",
	nmTxAmt:             "TxAmt",
	nmTxDtls:            "TxDtls",
	nmTxId:              "TxId",
	nmUltmtCdtr:         "UltmtCdtr",
	nmUltmtDbtr:         "UltmtDbtr",
	nmUstrd:             "Ustrd",
	nmValDt:             "ValDt",
}

// nameTable finds the name of a local element name: open addressing in a
// power-of-two table, hashed on the length and three bytes, verified by
// comparing the whole name. It is built once and only read.
type nameTable [256]struct {
	s string
	n name
}

var names = newNameTable()

func newNameTable() *nameTable {
	t := new(nameTable)
	for n := nmOther + 1; n < numNames; n++ {
		s := elementNames[n]
		h := nameHash([]byte(s))
		for t[h].s != "" {
			h = (h + 1) % uint32(len(t))
		}
		t[h].s, t[h].n = s, n
	}
	return t
}

func nameHash(b []byte) uint32 {
	h := uint32(len(b))*0x9E3779B1 ^ uint32(b[0])*0x85EBCA77 ^ uint32(b[len(b)-1])*0xC2B2AE3D ^ uint32(b[len(b)/2])*0x27D4EB2F
	return (h >> 16) % uint32(len(nameTable{}))
}

// lookup returns the name of local, nmOther when no field reads it.
func (t *nameTable) lookup(local []byte) name {
	if len(local) == 0 || len(local) > 20 {
		return nmOther
	}
	for h := nameHash(local); t[h].s != ""; h = (h + 1) % uint32(len(t)) {
		if t[h].s == string(local) {
			return t[h].n
		}
	}
	return nmOther
}
