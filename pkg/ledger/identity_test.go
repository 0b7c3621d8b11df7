package ledger

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// The camt and the CODA of one movement carry its free text differently;
// the bank reference and the end-to-end id make them one line.
func TestLineIdentityAcrossFormats(t *testing.T) {
	st := &statement.Statement{Account: statement.Account{IBAN: "BE68539007547034"}}
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	entry := func(ref, rem string, r statement.Reference, e2e string) *statement.Entry {
		return &statement.Entry{Statement: st, Amount: decimal.RequireFromString("60.00"), Currency: "EUR", BookingDate: day, AccountSvcrRef: ref,
			Details: []statement.Transaction{{Amount: decimal.RequireFromString("60.00"), EndToEndID: e2e, MandateID: "MNDT-00026",
				Counterparty: statement.Party{IBAN: "BE22737011223347"}, Remittance: rem, Reference: r}}}
	}
	ogm := statement.Reference{Scheme: sepa.SchemeOGM, Value: "123456789002"}
	camt := entry("TWKSBX1002", "SEPA direct debit collection BT1-1", ogm, "ACME-0011")
	coda := entry("TWKSBX1002", "+++123/4567/89002+++", statement.Reference{}, "ACME-0011")
	coda.Amount = decimal.RequireFromString("60.000") // CODA's three decimals
	if LineIdentity(camt, 1) != LineIdentity(coda, 1) {
		t.Fatal("the same movement in camt and CODA has two identities")
	}
	if LineIdentity(camt, 1) == LineIdentity(camt, 2) {
		t.Fatal("occurrence does not count")
	}
	// Without a bank reference or end-to-end id, the text is what tells
	// two transfers of the same amount on the same day apart.
	a := entry("", "Invoice 17", statement.Reference{}, "")
	b := entry("", "Invoice 18", statement.Reference{}, "")
	if LineIdentity(a, 1) == LineIdentity(b, 1) {
		t.Fatal("two different transfers share an identity")
	}
	if LineIdentity(a, 1) != LineIdentity(entry("", "Invoice  17", statement.Reference{}, ""), 1) {
		t.Fatal("white space in the text changes the identity")
	}
}
