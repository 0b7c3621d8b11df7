package ledger

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Money columns are numbers, each beside its currency, so that a finance
// user's own SELECT currency, SUM(amount) ... adds exactly what the reports
// add: NUMERIC on PostgreSQL (exact decimals, any scale, in the currency's
// major unit: 12.34 is EUR 12.34), and INTEGER minor units on SQLite (1234
// is EUR 12.34, JPY 1234 is 1234 yen, BHD 1234 is 1.234 dinar: see
// minorDigits). The Go side is decimal.Decimal throughout.

// minorDigits is the number of decimals of a currency's minor unit (ISO
// 4217): 0 for the currencies without one, 3 for the dinars and rials that
// count thousandths, 2 for all others (EUR, USD, GBP, CHF, ...).
func minorDigits(ccy string) int32 {
	switch strings.ToUpper(ccy) {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

// ErrMinorUnit is returned (wrapped) for an amount SQLite cannot store
// exactly: finer than its currency's minor unit, or beyond 64 bits of them.
var ErrMinorUnit = errors.New("amount finer than its currency's minor unit, or too large")

// money is an amount as the dialect stores it: decimal text for a
// PostgreSQL NUMERIC, an integer of minor units on SQLite. An amount
// SQLite cannot store exactly is refused: ErrMinorUnit.
func (d dialect) money(a decimal.Decimal, ccy string) (any, error) {
	if d.postgres {
		return a.String(), nil
	}
	return minorUnits(a, ccy)
}

func minorUnits(a decimal.Decimal, ccy string) (int64, error) {
	digits := minorDigits(ccy)
	// The common case without big.Int arithmetic (an import converts every
	// line's and match's amount): a coefficient of at most 15 digits with
	// no more decimals than the minor unit, times at most 10^3.
	if e := a.Exponent(); e <= 0 && -e <= digits && a.NumDigits() <= 15 {
		c := a.CoefficientInt64()
		for range digits + e {
			c *= 10
		}
		return c, nil
	}
	m := a.Shift(digits)
	if !m.IsInteger() || !m.BigInt().IsInt64() {
		return 0, fmt.Errorf("ledger: %s %s: %w (%d decimals)", a.String(), ccy, ErrMinorUnit, minorDigits(ccy))
	}
	return m.IntPart(), nil
}

// moneyCol scans a money column of either dialect; its value is known once
// the row's currency is (dec).
type moneyCol struct {
	minor int64  // SQLite: minor units
	text  string // PostgreSQL: NUMERIC as text
	kind  byte   // 0 NULL, 'i' minor units, 't' text
}

// Scan implements sql.Scanner.
func (m *moneyCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		m.kind = 0
	case int64:
		m.minor, m.kind = v, 'i'
	case string:
		m.text, m.kind = v, 't'
	case []byte:
		m.text, m.kind = string(v), 't'
	default:
		return fmt.Errorf("ledger: amount of type %T in the database", src)
	}
	return nil
}

// valid tells whether the column was not NULL.
func (m moneyCol) valid() bool { return m.kind != 0 }

// dec is the amount in ccy (zero when NULL).
func (m moneyCol) dec(ccy string) (decimal.Decimal, error) {
	switch m.kind {
	case 'i':
		return decimal.New(m.minor, -minorDigits(ccy)), nil
	case 't':
		return parseMoney(m.text)
	}
	return decimal.Zero, nil
}

// minorSQL is a SQLite expression turning the decimal text in column col
// into integer minor units of the currency in column ccy, exactly (string
// arithmetic, no floating point), or NULL when the text has digits below
// the minor unit: the migration's NOT NULL then stops it rather than round.
func minorSQL(col, ccy string) string {
	whole := `(CASE WHEN instr(` + col + `, '.') > 0 THEN substr(` + col + `, 1, instr(` + col + `, '.') - 1) ELSE ` + col + ` END)`
	frac := `(CASE WHEN instr(` + col + `, '.') > 0 THEN substr(` + col + `, instr(` + col + `, '.') + 1) ELSE '' END)`
	digits := func(n int) string {
		pad := strings.Repeat("0", n)
		return `(CASE WHEN rtrim(substr(` + frac + `, ` + fmt.Sprint(n+1) + `), '0') <> '' THEN NULL ELSE CAST(` + whole +
			` || substr(` + frac + ` || '` + pad + `', 1, ` + fmt.Sprint(n) + `) AS INTEGER) END)`
	}
	var zero, three []string
	for _, c := range []string{"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"} {
		zero = append(zero, "'"+c+"'")
	}
	for _, c := range []string{"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"} {
		three = append(three, "'"+c+"'")
	}
	return `(CASE WHEN ` + col + ` IS NULL THEN NULL WHEN upper(` + ccy + `) IN (` + strings.Join(zero, ", ") + `) THEN ` + digits(0) +
		` WHEN upper(` + ccy + `) IN (` + strings.Join(three, ", ") + `) THEN ` + digits(3) + ` ELSE ` + digits(2) + ` END)`
}

// moneyColumn is one money column the money migration converts: its
// table, name, the currency beside it, and whether it may be NULL.
type moneyColumn struct {
	table, col, ccy string
	null            bool
}

var moneyColumns = []moneyColumn{
	{"batches", "total", "currency", false},
	{"collections", "amount", "currency", false},
	{"invoices", "amount", "currency", false},
	{"invoices", "open_amount", "currency", false},
	{"statement_lines", "amount", "currency", false},
	{"matches", "amount", "currency", false},
	{"matches", "applied", "currency", true},
	{"payment_requests", "amount", "currency", false},
	{"payment_requests", "paid_amount", "currency", true},
}

// moneyMigration converts the money columns from text: on SQLite each into
// a new INTEGER column of minor units, which takes the old one's name; on
// PostgreSQL in place into NUMERIC. matches gets the currency of its line
// first (it had none beside its amounts).
func moneyMigration() string {
	var lite, pg strings.Builder
	lite.WriteString("ALTER TABLE matches ADD COLUMN currency TEXT NOT NULL DEFAULT '';\n")
	lite.WriteString("UPDATE matches SET currency = (SELECT l.currency FROM statement_lines l WHERE l.id = matches.line_id);\n")
	pg.WriteString("ALTER TABLE matches ADD COLUMN currency TEXT NOT NULL DEFAULT '';\n")
	pg.WriteString("UPDATE matches SET currency = l.currency FROM statement_lines l WHERE l.id = matches.line_id;\n")
	for _, c := range moneyColumns {
		notNull := " NOT NULL DEFAULT 0"
		if c.null {
			notNull = ""
		}
		tmp := c.col + "_minor"
		fmt.Fprintf(&lite, "ALTER TABLE %s ADD COLUMN %s INTEGER%s;\n", c.table, tmp, notNull)
		fmt.Fprintf(&lite, "UPDATE %s SET %s = %s;\n", c.table, tmp, minorSQL(c.col, c.ccy))
		fmt.Fprintf(&lite, "ALTER TABLE %s DROP COLUMN %s;\n", c.table, c.col)
		fmt.Fprintf(&lite, "ALTER TABLE %s RENAME COLUMN %s TO %s;\n", c.table, tmp, c.col)
		fmt.Fprintf(&pg, "ALTER TABLE %s ALTER COLUMN %s TYPE NUMERIC USING %s::numeric;\n", c.table, c.col, c.col)
	}
	return lite.String() + postgresPart + "\n" + pg.String()
}
