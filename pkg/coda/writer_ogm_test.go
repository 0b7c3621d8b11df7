package coda

import (
	"bytes"
	"io"
	"testing"

	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

// A direct debit whose creditor gave a structured reference (an OGM in the
// pain.008's remittance) has no 101 communication of its own: the reference
// travels in the 127's communication field, printed, before the text.
func TestWriterDirectDebitWithOGM(t *testing.T) {
	st, _ := sandboxStatement()
	st.Closing = &statement.Balance{Amount: d("1060.00"), Date: day(2026, 11, 21)}
	tx := statement.Transaction{Amount: d("60.00"), Currency: "EUR", EndToEndID: "ACME-2026-11-0011", MandateID: "MNDT-00026",
		CreditorID: "BE69ZZZ050D000000008", Counterparty: statement.Party{Name: "Arthur Lambert", IBAN: "BE22737011223347"},
		Reference: statement.Reference{Scheme: sepa.SchemeOGM, Value: "123456789002"}, Remittance: "November"}
	e := &statement.Entry{Amount: d("60.00"), Currency: "EUR", BookingDate: day(2026, 11, 21), ValueDate: day(2026, 11, 21),
		BankTxCode: statement.BankTxCode{Proprietary: "05/50/000"}, Details: []statement.Transaction{tx}}
	out := writeStatement(t, st, []*statement.Entry{e}, sandboxOpts)
	r := NewReader(bytes.NewReader(out), "ogm.cod")
	got, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("second entry: %v", err)
	}
	g := got.Details[0]
	if g.MandateID != "MNDT-00026" || g.Remittance != "+++123/4567/89002+++ November" || !g.Amount.Equal(d("60.00")) {
		t.Fatalf("read back %+v", g)
	}
	for _, f := range r.Findings() {
		t.Errorf("finding: %s", f)
	}
	if ddCommunication(&statement.Transaction{Remittance: "see +++123/4567/89002+++", Reference: tx.Reference}) != "see +++123/4567/89002+++" {
		t.Fatal("reference repeated when the text already holds it")
	}
}
