package coda

import "github.com/batchtool/batchtool/pkg/statement"

// ProprietaryIssuer is the issuer named in statement.BankTxCode for
// Febelfin transaction codes.
const ProprietaryIssuer = "FEBELFIN"

// Febelfin transaction code families this package maps to ISO 20022 bank
// transaction codes (BkTxCd/Domn). Transaction codes 01-49 are movements the
// account holder initiated or that debit him, 50-99 movements in his favour.
const (
	FamilyCreditTransfer        = "01"
	FamilyInstantCreditTransfer = "02"
	FamilyCheques               = "03"
	FamilyCards                 = "04"
	FamilyDirectDebit           = "05"
	FamilyForeignTransfer       = "41"
)

// Type of R-transaction (record 22 position 113; type 127 communication).
const (
	RPaid         = '0'
	RReject       = '1'
	RReturn       = '2'
	RRefund       = '3'
	RReversal     = '4'
	RCancellation = '5'
)

// bankTxCode builds the code of a movement: the Febelfin code as
// "family/transaction/category" and, where the family is known, the ISO
// domain, family and sub-family. rtype is the R-transaction type when the
// movement carries one (0 when not).
func bankTxCode(fam, txn, cat string, credit bool, rtype byte) statement.BankTxCode {
	c := statement.BankTxCode{Proprietary: fam + "/" + txn + "/" + cat, ProprietaryIssuer: ProprietaryIssuer}
	inFavour := txn >= "50"
	switch fam {
	case FamilyDirectDebit:
		c.Domain = "PMNT"
		// A creditor's collections (in his favour, or their returns) are
		// issued direct debits; a debtor's are received ones.
		if inFavour {
			c.Family = "IDDT"
		} else {
			c.Family = "RDDT"
		}
		switch {
		case rtype == RReject || rtype == RReturn:
			c.SubFamily = "UPDD"
		case rtype == RRefund || rtype == RReversal || rtype == RCancellation:
			c.SubFamily = "PRDD"
		case txn == "03" || txn == "54": // unpaid debt
			c.SubFamily = "UPDD"
		case txn == "05" || txn == "56" || txn == "58": // reimbursement, reversal
			c.SubFamily = "PRDD"
		default:
			c.SubFamily = "ESDD"
		}
		if txn == "37" || txn == "87" { // costs
			c.SubFamily = "CHRG"
		}
	case FamilyCreditTransfer, FamilyInstantCreditTransfer:
		c.Domain = "PMNT"
		if credit {
			c.Family = "RCDT"
		} else {
			c.Family = "ICDT"
		}
		c.SubFamily = "ESCT"
		if fam == FamilyInstantCreditTransfer {
			c.SubFamily = "SEPA" // instant, no better ISO sub-family code
		}
	case FamilyForeignTransfer:
		c.Domain = "PMNT"
		if credit {
			c.Family = "RCDT"
		} else {
			c.Family = "ICDT"
		}
		c.SubFamily = "XBCT"
	case FamilyCards:
		c.Domain, c.Family, c.SubFamily = "PMNT", "CCRD", "POSD"
	case FamilyCheques:
		c.Domain, c.Family = "PMNT", "RCHQ"
		if !credit {
			c.Family = "ICHQ"
		}
		c.SubFamily = "OTHR"
	}
	return c
}

// ReasonText returns the meaning of an ISO 20022 external return reason
// code (the subset SEPA R-transactions use), or "" when unknown.
func ReasonText(code string) string { return reasonTexts[code] }

var reasonTexts = map[string]string{
	"AC01": "account identifier incorrect",
	"AC04": "account closed",
	"AC06": "account blocked",
	"AC13": "debtor account is a consumer account",
	"AG01": "transaction forbidden on this type of account",
	"AG02": "invalid bank operation code",
	"AM04": "insufficient funds",
	"AM05": "duplicate collection",
	"BE05": "creditor identifier incorrect",
	"CNOR": "creditor bank is not registered",
	"DNOR": "debtor bank is not registered",
	"FF01": "invalid file format",
	"MD01": "no valid mandate",
	"MD02": "mandate data missing or incorrect",
	"MD06": "refund request by end customer",
	"MD07": "end customer deceased",
	"MS02": "refused by the debtor",
	"MS03": "reason not specified",
	"RC01": "bank identifier incorrect",
	"RR01": "regulatory reason: debtor account or identification missing",
	"RR02": "regulatory reason: debtor name or address missing",
	"RR03": "regulatory reason: creditor name or address missing",
	"RR04": "regulatory reason",
	"SL01": "specific service offered by the debtor bank",
}

// refusalReason maps the one-digit "paid or reason for refused payment" of
// a type 127 communication to an ISO reason code where the code says
// enough, and to its meaning.
func refusalReason(d byte) (code, text string) {
	switch d {
	case '1':
		return "", "technical problem"
	case '2':
		return "MS03", "reason not specified"
	case '3':
		return "MS02", "debtor disagrees"
	case '4':
		return "", "debtor's account problem"
	}
	return "", ""
}

// rTypeText names an R-transaction type.
func rTypeText(t byte) string {
	switch t {
	case RReject:
		return "reject"
	case RReturn:
		return "return"
	case RRefund:
		return "refund"
	case RReversal:
		return "reversal"
	case RCancellation:
		return "cancellation"
	}
	return ""
}
