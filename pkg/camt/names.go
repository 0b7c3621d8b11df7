package camt

import "encoding/binary"

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

// allNames maps every name to itself: every element with a name is read.
var allNames = func() (k [numNames]name) {
	for i := range k {
		k[i] = name(i)
	}
	return k
}()

// summaryNames maps the elements of an entry that SummaryOnly leaves out,
// and with them everything inside them, to nmOther.
var summaryNames = func() (k [numNames]name) {
	k = allNames
	for _, n := range []name{nmRefs, nmRltdPties, nmRltdAgts, nmRmtInf, nmBkTxCd, nmNtryRef, nmAcctSvcrRef, nmAddtlNtryInf, nmAddtlInf} {
		k[n] = nmOther
	}
	return k
}()

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
	if len(local) <= 16 && cap(local) >= 16 {
		return words.lookup(local)
	}
	return t.lookupString(local)
}

func (t *nameTable) lookupString(local []byte) name {
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

// wordTable finds the names of at most 16 bytes by their bytes as two
// words: one multiply to hash, two compares to verify, no call. A name in
// the scanner's buffer is followed by at least its tag's '>', mostly by
// far more: when 16 bytes can be loaded from its start, the bytes past its
// end are masked off; else (and for longer names) nameTable's strings are
// compared.
type wordTable [256]struct {
	w0, w1 uint64 // the name's bytes, little endian, zero padded
	n      name
	len    uint8 // 0: an empty slot
}

var words = newWordTable()

func newWordTable() *wordTable {
	t := new(wordTable)
	for n := nmOther + 1; n < numNames; n++ {
		s := elementNames[n]
		if len(s) > 16 {
			continue
		}
		b := make([]byte, 16)
		copy(b, s)
		w0, w1 := nameWords(b[:len(s)])
		h := wordHash(w0, w1)
		for t[h].len != 0 {
			h = (h + 1) % uint32(len(t))
		}
		t[h].w0, t[h].w1, t[h].n, t[h].len = w0, w1, n, uint8(len(s))
	}
	return t
}

// nameWords returns the bytes of b, of at most 16 bytes with a capacity of
// at least 16, as two zero-padded little-endian words.
func nameWords(b []byte) (w0, w1 uint64) {
	n := len(b)
	b = b[:16]
	w0, w1 = binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	switch {
	case n < 8:
		w0 &= 1<<(8*n) - 1
		w1 = 0
	case n < 16:
		w1 &= 1<<(8*(n-8)) - 1
	}
	return w0, w1
}

func wordHash(w0, w1 uint64) uint32 {
	return uint32((w0^w1*0x2545F4914F6CDD1D)*0x9E3779B97F4A7C15>>56) % uint32(len(wordTable{}))
}

func (t *wordTable) lookup(local []byte) name {
	w0, w1 := nameWords(local)
	for h := wordHash(w0, w1); t[h].len != 0; h = (h + 1) % uint32(len(t)) {
		if e := &t[h]; e.w0 == w0 && e.w1 == w1 && int(e.len) == len(local) {
			return e.n
		}
	}
	return nmOther
}
