package reconcile

import "strings"

// returnReasons holds the ISO 20022 ExternalReturnReason1Code /
// ExternalStatusReason1Code values seen on SEPA Direct Debit R-transactions
// (EPC rulebook, chapter 4.6 "Rejects, returns, refunds") with short texts.
var returnReasons = map[string]string{
	"AC01": "Account identifier incorrect (invalid IBAN)",
	"AC03": "Creditor account identifier invalid",
	"AC04": "Account closed",
	"AC06": "Account blocked",
	"AC13": "Debtor account is a consumer account (B2B)",
	"AG01": "Transaction forbidden on this account",
	"AG02": "Invalid bank operation code",
	"AM01": "Zero amount",
	"AM02": "Amount not allowed",
	"AM04": "Insufficient funds",
	"AM05": "Duplicate collection",
	"AM09": "Wrong amount",
	"BE05": "Creditor identifier unknown to the debtor bank",
	"CNOR": "Creditor bank not registered",
	"CUST": "Requested by customer",
	"DNOR": "Debtor bank not registered",
	"DUPL": "Duplicate payment",
	"ED05": "Settlement failed",
	"FF01": "Invalid file format",
	"FOCR": "Following cancellation request",
	"MD01": "No mandate (unauthorised transaction)",
	"MD02": "Mandate data missing or incorrect",
	"MD06": "Refund requested by the debtor (authorised transaction)",
	"MD07": "Debtor deceased",
	"MS02": "Refused by the debtor, reason not specified",
	"MS03": "Reason not specified by the bank",
	"RC01": "Bank identifier (BIC) incorrect",
	"RR01": "Debtor account or identification missing (regulatory)",
	"RR02": "Debtor name or address missing (regulatory)",
	"RR03": "Creditor name or address missing (regulatory)",
	"RR04": "Regulatory reason",
	"SL01": "Specific service offered by the debtor bank",
	"TECH": "Technical problem",
}

// ReturnReasonText returns the short text of an ISO 20022 return reason
// code ("AM04" → "Insufficient funds") and whether the code is known.
func ReturnReasonText(code string) (string, bool) {
	t, ok := returnReasons[strings.ToUpper(strings.TrimSpace(code))]
	return t, ok
}

// ReturnReasonCodes returns the known codes, sorted.
func ReturnReasonCodes() []string {
	out := make([]string, 0, len(returnReasons))
	for c := range returnReasons {
		out = append(out, c)
	}
	sortStrings(out)
	return out
}
