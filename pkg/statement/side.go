package statement

// returnSubFamilies are the ISO 20022 bank transaction sub-family codes
// (BkTxCd/Domn/Fmly/SubFmlyCd) that give back an earlier payment: returns,
// rejects, refunds and reversals of direct debits and credit transfers.
var returnSubFamilies = map[string]bool{
	"UPDD": true, // reversal due to return/unpaid direct debit (reject, return)
	"PRDD": true, // reversal due to payment reversal (refund, reversal)
	"RCDD": true, // reversal due to payment cancellation request (direct debit)
	"RRTN": true, // reversal due to payment return (credit transfer)
	"RPCR": true, // reversal due to payment cancellation request (credit transfer)
}

// IsReturn reports whether a transaction gives back an earlier one — a
// return, reject, refund or reversal — by any of the three things a bank
// may state: the reversal indicator (camt RvslInd, a CODA R-transaction
// type), a bank transaction code of a return or reversal, or a return
// reason. Many banks book a returned direct debit as an ordinary debit
// with a return reason and no RvslInd.
func IsReturn(reversal bool, code BankTxCode, returnReason string) bool {
	return reversal || returnReason != "" || (code.Domain == "" || code.Domain == "PMNT") && returnSubFamilies[code.SubFamily]
}

// Counterparty decides which party of a transaction is the account
// holder's counterparty, from the side of the booking and whether it is a
// return (IsReturn). The debtor pays a credit and the creditor is paid by
// a debit; a return keeps the parties of the payment it gives back, so it
// turns this round: a returned collection is a debit on the creditor's
// account whose counterparty is the debtor who returned it, and a returned
// transfer a credit whose counterparty is the creditor who did not take
// it. When the chosen party is empty or is the account itself (ownIBAN;
// a bank that names the parties of the return instead), the other party
// is taken. Every statement reader decides the counterparty here.
func Counterparty(credit, isReturn bool, debtor, creditor Party, ownIBAN string) Party {
	first, other := creditor, debtor
	if credit != isReturn {
		first, other = debtor, creditor
	}
	if first == (Party{}) || ownIBAN != "" && first.IBAN == ownIBAN && other != (Party{}) {
		return other
	}
	return first
}
