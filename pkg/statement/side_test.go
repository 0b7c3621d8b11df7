package statement

import "testing"

func TestIsReturn(t *testing.T) {
	esdd := BankTxCode{Domain: "PMNT", Family: "IDDT", SubFamily: "ESDD"}
	for _, tc := range []struct {
		name     string
		reversal bool
		code     BankTxCode
		reason   string
		want     bool
	}{
		{"collection", false, esdd, "", false},
		{"RvslInd", true, esdd, "", true},
		{"return reason only", false, esdd, "MS03", true},
		{"unpaid direct debit code only", false, BankTxCode{Domain: "PMNT", Family: "IDDT", SubFamily: "UPDD"}, "", true},
		{"payment reversal code", false, BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "PRDD"}, "", true},
		{"returned transfer", false, BankTxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "RRTN"}, "", true},
		{"sub-family of another domain", false, BankTxCode{Domain: "XTND", Family: "NTAV", SubFamily: "UPDD"}, "", false},
		{"credit transfer", false, BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"}, "", false},
	} {
		if got := IsReturn(tc.reversal, tc.code, tc.reason); got != tc.want {
			t.Errorf("%s: IsReturn = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCounterparty(t *testing.T) {
	const own = "BE68539007547034"
	customer := Party{Name: "Jan Peeters", IBAN: "BE62510007547061"}
	us := Party{Name: "Fitness Club", IBAN: own}
	for _, tc := range []struct {
		name             string
		credit, isReturn bool
		debtor, creditor Party
		want             Party
	}{
		{"collection credited: the debtor", true, false, customer, us, customer},
		{"transfer paid: the creditor", false, false, us, customer, customer},
		{"collection returned (debit): the debtor who returned it", false, true, customer, us, customer},
		{"transfer returned (credit): the creditor who did not take it", true, true, us, customer, customer},
		{"return naming the parties of the return: not ourselves", false, true, us, customer, customer},
		{"only the creditor known", true, false, Party{}, customer, customer},
	} {
		if got := Counterparty(tc.credit, tc.isReturn, tc.debtor, tc.creditor, own); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
