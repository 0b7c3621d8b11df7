package ledger

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"testing"
)

// TestScanValues: a row read from the driver (SQLite imports, stmt.go)
// fills the destinations the ledger's queries use as database/sql would,
// and says which column it could not store.
func TestScanValues(t *testing.T) {
	var (
		i64   int64
		n     int
		s     string
		ns    sql.NullString
		b     bool
		bs    []byte
		money moneyCol
	)
	dest := []any{&i64, &n, &s, &ns, &b, &bs, &money}
	if err := scanValues([]driver.Value{int64(7), int64(3), []byte("EUR"), nil, int64(1), []byte{1, 2}, int64(1234)}, dest); err != nil {
		t.Fatal(err)
	}
	amt, _ := money.dec("EUR")
	got := fmt.Sprintf("%d %d %s %v %v %v %s", i64, n, s, ns, b, bs, amt)
	if want := "7 3 EUR { false} true [1 2] 12.34"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, c := range []struct {
		vals []driver.Value
		dest []any
		want string
	}{
		{[]driver.Value{nil}, []any{&s}, "ledger: column 1: <nil>, not text"},
		{[]driver.Value{"x"}, []any{&i64}, "ledger: column 1: string, not an integer"},
		{[]driver.Value{int64(1), "x"}, []any{&i64, &n}, "ledger: column 2: string, not an integer"},
		{[]driver.Value{int64(1)}, []any{&i64, &n}, "ledger: 1 columns, 2 destinations"},
		{[]driver.Value{1.5}, []any{new(float32)}, "ledger: column 1: destination *float32 not supported"},
	} {
		err := scanValues(c.vals, c.dest)
		if err == nil || err.Error() != c.want {
			t.Errorf("%v: %v, want %s", c.vals, err, c.want)
		}
	}
}
