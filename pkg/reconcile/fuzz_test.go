package reconcile

import (
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/statement"
)

// FuzzMatchLine runs the engine over arbitrary remittance texts, references
// and amounts: it must never panic, and its totals must balance.
func FuzzMatchLine(f *testing.F) {
	for _, s := range []string{"Invoice nr. 2024 / 777, thanks", "+++202/4000/04279+++", "RF36 INV1 00", "G-107 and G-108", "", "0000", "+++", "RF", "\x00\xff"} {
		f.Add(s, "121.00", "")
		f.Add(s, "-10.00", "E2E-1")
	}
	f.Fuzz(func(t *testing.T, remittance, amount, e2e string) {
		a, err := parseAmountLoose(amount)
		if err != nil {
			return
		}
		for _, k := range RemittanceKeys(remittance) {
			if len(k) < 3 || strings.Contains(k, "..") {
				t.Fatalf("bad key %q from %q", k, remittance)
			}
		}
		ReferencesInText(remittance)
		NumberKey(remittance)
		m := fixture()
		eng := NewEngine(m, Options{})
		e := entry(amount, tx(amount, func(x *statement.Transaction) {
			x.Remittance, x.EndToEndID = remittance, e2e
			x.Counterparty.IBAN = ibanE
		}))
		e.Amount = a
		res, err := eng.Reconcile(&e)
		if err != nil {
			t.Fatal(err)
		}
		var s Summary
		s.Add(res)
		if tot := s.Total(); !s.Balanced() || len(tot) != 1 || !tot[0].Amount.Equal(a) {
			t.Fatalf("not balanced: %+v", s)
		}
	})
}
