package statement

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestFlattenerAmounts: the amounts a Flattener formats from int64 are
// FormatAmount's, for every scale a reader gives and currencies of 0, 2
// and 3 decimals, and past int64.
func TestFlattenerAmounts(t *testing.T) {
	var f Flattener
	n := 0
	for _, ccy := range []string{"EUR", "JPY", "BHD", ""} {
		for exp := int32(-6); exp <= 2; exp++ {
			for _, c := range []int64{0, 1, -1, 5, 10, -120, 123456, 1000, -99999999, 123456789012345678, -100000000000000000} {
				d := decimal.New(c, exp)
				if got, want := f.amount(d, ccy), FormatAmount(d, ccy); got != want {
					t.Errorf("%s %s: %q, want %q", d, ccy, got, want)
				}
				n++
			}
		}
		big, _ := decimal.NewFromString("123456789012345678901.5")
		if got, want := f.amount(big, ccy), FormatAmount(big, ccy); got != want {
			t.Errorf("%s: %q, want %q", ccy, got, want)
		}
	}
	if n != 396 {
		t.Fatalf("%d amounts", n)
	}
}

// TestFlattenerReuse: rows a Flattener returns for one entry after another
// are FlatRows' rows of each (a fresh Flattener's): nothing a call caches
// or reuses leaks into the next.
func TestFlattenerReuse(t *testing.T) {
	st := &Statement{ID: "S1", Kind: KindStatement, Account: Account{IBAN: "BE68539007547034", Currency: "EUR"}}
	brussels, _ := time.LoadLocation("Europe/Brussels")
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var entries []*Entry
	for i := range 300 {
		e := &Entry{Statement: st, Seq: i + 1, Amount: decimal.New(int64(i*37-500), -3), Currency: "EUR", Status: "BOOK",
			BookingDate: day.AddDate(0, 0, i%4), ValueDate: day.AddDate(0, 0, i%3),
			BankTxCode: BankTxCode{Domain: "PMNT", Family: []string{"RDDT", "RCDT"}[i%2], SubFamily: "ESDD"}}
		if i%7 == 0 {
			e.BookingDate = e.BookingDate.In(brussels) // the same instant elsewhere: another date text
		}
		if i%3 == 0 {
			for j := range i%4 + 1 {
				e.Details = append(e.Details, Transaction{Amount: decimal.New(int64(j*1000+i), -2), Currency: "EUR",
					Charges: decimal.New(int64(j), -1), OrigAmount: decimal.New(int64(i), 0), OrigCurrency: "USD",
					BankTxCode: BankTxCode{Domain: "PMNT", Family: "ICDT", SubFamily: fmt.Sprint(j)}})
			}
		}
		entries = append(entries, e)
	}
	var f Flattener
	for _, e := range entries {
		rows := f.Rows(e)
		want := FlatRows(e)
		if len(rows) != len(want) {
			t.Fatalf("entry %d: %d rows, want %d", e.Seq, len(rows), len(want))
		}
		for i := range rows {
			if !slices.Equal(rows[i], want[i]) {
				t.Fatalf("entry %d row %d:\n%q\nwant\n%q", e.Seq, i, rows[i], want[i])
			}
		}
	}
	if r := FlatRows(entries[7])[0]; r[6] != "2026-03-04" || r[8] != "-0.241" || r[15] != "PMNT/RCDT/ESDD" {
		t.Fatalf("entry 8: %q", r)
	}
}

// TestAppendDate: appendDate writes what time.Format(time.DateOnly) does,
// in the time's location, for years of four digits and beyond.
func TestAppendDate(t *testing.T) {
	brussels, _ := time.LoadLocation("Europe/Brussels")
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2026-03-01"},
		{time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), "1999-12-31"},
		{time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), "0001-01-01"},
		{time.Date(987, 10, 9, 0, 0, 0, 0, time.UTC), "0987-10-09"},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), "9999-12-31"},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "10000-01-01"},
		{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), "-0001-01-01"},
		{time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC).In(brussels), "2026-04-01"},
	}
	var f Flattener
	for _, tt := range tests {
		if got := string(appendDate([]byte("x"), tt.t)); got != "x"+tt.want || tt.want != tt.t.Format(time.DateOnly) {
			t.Errorf("%v: %q, want x%q", tt.t, got, tt.want)
		}
		for i := 0; i < 2; i++ { // formatted, then from the cache
			if got := f.date(tt.t); got != tt.want {
				t.Errorf("%v: Flattener (%d) %q, want %q", tt.t, i, got, tt.want)
			}
		}
	}
	for d := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2101; d = d.AddDate(0, 0, 1) {
		if got, want := string(appendDate(nil, d)), d.Format(time.DateOnly); got != want {
			t.Fatalf("%q, want %q", got, want)
		}
	}
	if got := f.date(time.Time{}); got != "" {
		t.Errorf("zero time: %q", got)
	}
}

// TestFlatColumnsRows: Rows sets the values of 36 columns by their index;
// a column added to FlatColumns needs its value set there too.
func TestFlatColumnsRows(t *testing.T) {
	if len(FlatColumns) != 36 {
		t.Fatalf("%d FlatColumns: Rows sets 36", len(FlatColumns))
	}
}

// TestFlattenerInt: numbers are strconv's, from one digit to an int's
// limits.
func TestFlattenerInt(t *testing.T) {
	var f Flattener
	for _, v := range []int{0, 7, 99, 100, 101, 999, 1000, 12345, 9999999, -1, -100, math.MaxInt, math.MinInt} {
		if got, want := f.int(v), strconv.Itoa(v); got != want {
			t.Errorf("%d: %q, want %q", v, got, want)
		}
	}
}
