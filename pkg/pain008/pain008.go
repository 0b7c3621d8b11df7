// Package pain008 reads and writes SEPA Direct Debit initiation messages,
// ISO 20022 pain.008 (CstmrDrctDbtInitn): what a creditor sends its bank or
// the Twikey platform to collect money from debtors.
//
// The Writer writes pain.008.001.02 (what the Twikey import accepts) and
// pain.008.001.08. It takes transactions one at a time in any order, groups
// them into PmtInf blocks by collection date, sequence type, local
// instrument and creditor, and spools each group to a temporary file so that
// memory stays flat however many transactions a batch holds. The XML is
// written by hand into byte buffers (no reflection marshalling) because a
// nightly batch can hold millions of transactions and encoding/xml's
// Marshal is an order of magnitude slower.
//
// The Reader streams any pain.008 (.001.02 to .001.11, the German .002.02
// and .003.02 variants, and national variants with an unknown namespace but
// the same structure) one DrctDbtTxInf at a time with encoding/xml's raw
// token stream (RawToken, 2-3 times cheaper than Token; the Reader matches
// end tags itself), and checks schema rules (lengths, patterns, codes) and EPC
// rulebook rules (control sums, unique identifiers, IBAN/BIC/creditor
// identifier check digits, character set, sequence types, dates). Every
// problem is a finding.Finding with file, line:column and element path.
//
// Duplicate EndToEndIds (and PmtInfIds, and mandates collected FRST and
// RCUR in one file) are found with a set of 64-bit hashes, 8 bytes per
// transaction, instead of a set of strings that would not fit the 64 MiB a
// million-transaction batch may use. Two different ids collide with a
// probability of about 3e-8 per million; such a collision is reported as a
// duplicate (a false alarm the user can see), never missed.
//
// Hostile input costs bounded memory: the Reader refuses a file, with a
// finding of rule "limit" naming file, line, element path and the start of
// the value, beyond 64 KiB between two element tags (text, CDATA and
// comments together; the longest pain.008 text is 140 characters), 64 KiB in
// one tag or 64 levels of nesting, so encoding/xml never holds more; it
// keeps 100 findings per rule and counts the rest. What still grows with
// the file is the hash sets of identifiers below (end-to-end ids and
// mandates: at most 64 bytes per transaction). A 300 MB Dbtr/Nm is refused after 64 KiB at a
// heap of about 1 MB (it took 1.1 GB RSS before).
//
// The message types below are named like the message's elements (GrpHdr,
// PmtInf, ...); the public Transaction is flat so callers need not know the
// nesting.
package pain008

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Versions the Writer can write.
const (
	Version02 = "001.02" // pain.008.001.02, the EPC 2009-2019 version; what Twikey imports
	Version08 = "001.08" // pain.008.001.08, the EPC 2019 rulebook version (BICFI)
)

// NamespacePrefix is the start of every pain.008 namespace; the version
// ("001.02") follows it.
const NamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:pain.008."

// knownVersions are the namespaces the Reader knows (schemas in
// shared/xsd/pain.008).
var knownVersions = map[string]bool{
	"001.01": true, "001.02": true, "001.03": true, "001.04": true, "001.05": true, "001.06": true,
	"001.07": true, "001.08": true, "001.09": true, "001.10": true, "001.11": true,
	"002.02": true, "003.02": true,
}

// Scheme is the direct debit scheme a message is for: it decides which
// rules apply. The Swiss schemes have their own namespaces (Swiss Payment
// Standards, SIX: http://www.six-interbank-clearing.com/de/pain.008.001.02.ch.03.xsd
// and the earlier .ch.01/.ch.02); they are not SEPA: CHF or EUR, no
// sequence type, no SEPA mandate, creditor ids of PostFinance (CH-DD) or
// of the LSV+ scheme instead of EPC262 identifiers, proprietary service
// levels (CHDD, CHTA) and local instruments (DDCOR1, DDB2B, LSV+, BDD).
type Scheme string

// Schemes the Reader recognises.
const (
	SchemeSEPA Scheme = "SEPA"
	SchemeCHDD Scheme = "CH-DD" // PostFinance CH-DD (service level CHDD)
	SchemeLSV  Scheme = "LSV+"  // the banks' LSV+ / BDD (service level CHTA)
)

// Describe names the scheme for a person: "SEPA", "Swiss CH-DD (not SEPA)".
func (s Scheme) Describe() string {
	if s == SchemeSEPA || s == "" {
		return "SEPA"
	}
	return "Swiss " + string(s) + " (not SEPA)"
}

// swissScheme recognises a Swiss Payment Standards namespace. The
// "chsdd" variant is the Swiss form of SEPA itself and stays SEPA.
func swissScheme(ns string) bool {
	return strings.Contains(ns, "six-interbank-clearing.com") && strings.Contains(ns, "pain.008") && !strings.Contains(ns, "chsdd")
}

// Sequence types (PmtTpInf/SeqTp, SequenceType1Code).
const (
	SeqFirst     = "FRST" // first collection of a recurrent mandate
	SeqRecurrent = "RCUR" // a following collection
	SeqFinal     = "FNAL" // the last collection
	SeqOneOff    = "OOFF" // a one-off mandate
)

// Local instruments (PmtTpInf/LclInstrm/Cd): the scheme.
const (
	InstrumentCore = "CORE" // SEPA Core Direct Debit (consumers)
	InstrumentB2B  = "B2B"  // SEPA Business to Business Direct Debit
)

// Transaction is one direct debit, flattened: the DrctDbtTxInf with the
// PmtInf context it sits in.
type Transaction struct {
	PmtInfID        string          // PmtInf/PmtInfId: set by the Reader; the Writer assigns its own
	EndToEndID      string          // DrctDbtTxInf/PmtId/EndToEndId (AT-10)
	InstructionID   string          // DrctDbtTxInf/PmtId/InstrId (optional)
	Amount          decimal.Decimal // DrctDbtTxInf/InstdAmt (AT-06)
	Currency        string          // DrctDbtTxInf/InstdAmt/@Ccy; the Writer takes "" as EUR
	MandateID       string          // DrctDbtTx/MndtRltdInf/MndtId (AT-01)
	MandateSignedOn time.Time       // DrctDbtTx/MndtRltdInf/DtOfSgntr (AT-25)
	Amendment       *Amendment      // AmdmntInd true + AmdmntInfDtls; nil means AmdmntInd false
	SequenceType    string          // PmtInf/PmtTpInf/SeqTp: FRST, RCUR, OOFF or FNAL (AT-21)
	LocalInstrument string          // PmtInf/PmtTpInf/LclInstrm/Cd: CORE or B2B; the Writer takes "" as CORE
	CollectionDate  time.Time       // PmtInf/ReqdColltnDt (AT-11), 00:00 UTC
	Creditor        Creditor        // PmtInf/Cdtr, CdtrAcct, CdtrAgt, CdtrSchmeId
	DebtorName      string          // DrctDbtTxInf/Dbtr/Nm (AT-14)
	DebtorIBAN      string          // DrctDbtTxInf/DbtrAcct/Id/IBAN (AT-07)
	DebtorBIC       string          // DrctDbtTxInf/DbtrAgt/FinInstnId/BIC (BICFI from .001.04); "" when not provided
	Remittance      string          // DrctDbtTxInf/RmtInf/Ustrd (AT-22)
	// CreditorReference is the structured remittance
	// RmtInf/Strd/CdtrRefInf/Ref (type SCOR), e.g. an RF reference.
	CreditorReference string
}

// Creditor is the party collecting: PmtInf/Cdtr/Nm, CdtrAcct/Id/IBAN,
// CdtrAgt/FinInstnId/BIC and CdtrSchmeId/Id/PrvtId/Othr/Id.
type Creditor struct {
	Name string // Cdtr/Nm (AT-03)
	IBAN string // CdtrAcct/Id/IBAN (AT-04)
	BIC  string // CdtrAgt/FinInstnId/BIC or BICFI (AT-12); "" when not provided
	ID   string // CdtrSchmeId/Id/PrvtId/Othr/Id: SEPA creditor identifier (AT-02)
}

// Amendment is MndtRltdInf/AmdmntInfDtls (AmendmentInformationDetails6/13):
// what changed in the mandate since the last collection (AT-24). At least
// one field must be set.
type Amendment struct {
	OriginalMandateID    string // OrgnlMndtId: the mandate id before it changed
	OriginalCreditorName string // OrgnlCdtrSchmeId/Nm: creditor name before it changed
	OriginalCreditorID   string // OrgnlCdtrSchmeId/Id/PrvtId/Othr/Id: creditor identifier before it changed
	OriginalDebtorIBAN   string // OrgnlDbtrAcct/Id/IBAN: debtor account before it changed (same bank)
	// DebtorAgentChanged is OrgnlDbtrAgt/FinInstnId/Othr/Id "SMNDA" (same
	// mandate, new debtor agent): the debtor moved to another bank. The
	// Reader also sets it for the German OrgnlDbtrAcct/Id/Othr/Id "SMNDA".
	DebtorAgentChanged bool
}

// GrpHdr is the message's group header (GroupHeader39 and successors).
type GrpHdr struct {
	MsgId    string          // MsgId: unique message identification
	CreDtTm  time.Time       // CreDtTm: creation date and time
	NbOfTxs  int64           // NbOfTxs: number of DrctDbtTxInf in the message
	CtrlSum  decimal.Decimal // CtrlSum: sum of all InstdAmt; zero when absent
	HasCtrl  bool            // whether CtrlSum was present
	InitgPty string          // InitgPty/Nm: initiating party
}

// PmtInf is the context of one payment information block as the Reader
// saw it before its first transaction (PaymentInstructionInformation4 and
// successors).
type PmtInf struct {
	Index        int             // 1-based position of the PmtInf in the message
	PmtInfId     string          // PmtInfId
	PmtMtd       string          // PmtMtd: DD
	NbOfTxs      int64           // NbOfTxs as stated (0 when absent)
	CtrlSum      decimal.Decimal // CtrlSum as stated (zero when absent)
	SeqTp        string          // PmtTpInf/SeqTp
	LclInstrm    string          // PmtTpInf/LclInstrm/Cd
	SvcLvl       string          // PmtTpInf/SvcLvl/Cd
	ReqdColltnDt time.Time       // ReqdColltnDt
	Cdtr         Creditor        // Cdtr, CdtrAcct, CdtrAgt, CdtrSchmeId
}
