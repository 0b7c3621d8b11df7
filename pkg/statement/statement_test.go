package statement

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/sepa"
)

func TestMoney(t *testing.T) {
	for in, want := range map[string]string{
		"12": "12.00", "80.000": "80.00", "1.23456": "1.23456", "-0.100": "-0.10", "0": "0.00", "-1234.5": "-1234.50", "0.001": "0.001",
	} {
		if got := Money(decimal.RequireFromString(in)); got != want {
			t.Errorf("Money(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestFlatRows(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	st := &Statement{ID: "STMT-1", Kind: KindStatement, Account: Account{IBAN: "BE68539007547034", Currency: "EUR"}}
	batch := &Entry{
		Statement: st, Seq: 3, Amount: decimal.RequireFromString("30.50"), Currency: "EUR", BookingDate: day, ValueDate: day,
		BankTxCode: BankTxCode{Domain: "PMNT", Family: "IDDT", SubFamily: "ESDD"}, BatchID: "PMT-1", Status: "BOOK",
		Details: []Transaction{
			{Amount: decimal.RequireFromString("10.25"), EndToEndID: "E2E-1", MandateID: "M-1"},
			{Amount: decimal.RequireFromString("20.25"), EndToEndID: "E2E-2", MandateID: "M-2",
				Reference: Reference{Scheme: sepa.SchemeOGM, Value: "123456789002"}},
		},
	}
	rows := FlatRows(batch)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	get := func(row []string, col string) string {
		for i, c := range FlatColumns {
			if c.Name == col {
				return row[i]
			}
		}
		t.Fatalf("no column %s", col)
		return ""
	}
	checks := []struct {
		row       int
		col, want string
	}{
		{0, "amount", "10.25"}, {0, "entry_amount", "30.50"}, {0, "detail_seq", "1"}, {1, "detail_seq", "2"},
		{1, "structured_reference", "123456789002"}, {1, "reference_scheme", "BE"}, {0, "payment_info_id", "PMT-1"},
		{0, "bank_tx_code", "PMNT/IDDT/ESDD"}, {0, "credit_debit", "C"}, {0, "booking_date", "2026-11-20"},
		{0, "account", "BE68539007547034"}, {0, "entry_seq", "3"}, {0, "currency", "EUR"},
	}
	for _, c := range checks {
		if got := get(rows[c.row], c.col); got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.col, got, c.want)
		}
	}
	single := &Entry{Statement: st, Seq: 1, Amount: decimal.RequireFromString("-5"), Currency: "EUR", Info: "card payment"}
	rows = FlatRows(single)
	if len(rows) != 1 || get(rows[0], "amount") != "-5.00" || get(rows[0], "credit_debit") != "D" ||
		get(rows[0], "detail_seq") != "" || get(rows[0], "remittance") != "card payment" {
		t.Fatalf("single row %v", rows)
	}
	for _, r := range rows {
		if len(r) != len(FlatColumns) {
			t.Fatalf("row has %d values for %d columns", len(r), len(FlatColumns))
		}
	}
}
