package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/statement"
)

// openStatements returns the statement reader for a camt or CODA stream.
func openStatements(name string, format fileFormat, r io.Reader) (statement.Reader, error) {
	switch format {
	case formatCamt:
		return camt.NewReader(r, name), nil
	case formatCODA:
		return coda.NewReader(r, name), nil
	}
	return nil, fmt.Errorf("%s: not a camt.052/.053/.054 or CODA file", name)
}

func inspectCamt(name string, r io.Reader) (*inspection, error) {
	return inspectStatements(name, formatCamt, r)
}

func inspectCODA(name string, r io.Reader) (*inspection, error) {
	return inspectStatements(name, formatCODA, r)
}

// countSum is a number of entries and their signed total. While amounts
// are added the total is kept exact in int64 units of 10^-5 (camt's most
// decimals), which costs nothing per entry where decimal.Add allocates;
// an amount that does not fit goes to a decimal remainder. finish sets Sum.
type countSum struct {
	Count int             `json:"count"`
	Sum   decimal.Decimal `json:"sum"`
	units int64           // 10^-5
	rest  decimal.Decimal // amounts that do not fit units
}

// unitScale is the power of ten of countSum.units.
const unitScale = 5

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000}

func (c *countSum) add(d decimal.Decimal) {
	c.Count++
	if e := d.Exponent(); e <= 0 && e >= -unitScale && d.NumDigits() <= 12 {
		// 12 digits times at most 10^5 fit; a total that would overflow
		// goes to the remainder.
		u := d.CoefficientInt64() * pow10[unitScale+e]
		if s := c.units + u; (u >= 0) == (s >= c.units) {
			c.units = s
			return
		}
	}
	c.rest = c.rest.Add(d)
}

// finish sets Sum from the units and the remainder.
func (c *countSum) finish() {
	c.Sum = decimal.New(c.units, -unitScale).Add(c.rest)
}

func (c countSum) String() string { return fmt.Sprintf("%d = %s", c.Count, statement.Money(c.Sum)) }

// statementSummary is what inspect tells of one statement.
type statementSummary struct {
	Format       string               `json:"format"`
	Kind         statement.Kind       `json:"kind"`
	ID           string               `json:"id"`
	Account      statement.Account    `json:"account"`
	From         string               `json:"from,omitempty"`
	To           string               `json:"to,omitempty"`
	Opening      *statement.Balance   `json:"opening,omitempty"`
	Closing      *statement.Balance   `json:"closing,omitempty"`
	Entries      int                  `json:"entries"`
	Credits      countSum             `json:"credits"`
	Debits       countSum             `json:"debits"`
	Reversals    countSum             `json:"reversals"`
	Batches      int                  `json:"batch_bookings"`
	Transactions int                  `json:"transactions"`
	Returns      map[string]*countSum `json:"returns_by_reason,omitempty"`
	FirstBooking time.Time            `json:"first_booking,omitzero"`
	LastBooking  time.Time            `json:"last_booking,omitzero"`
}

type statementsSummary struct {
	Statements []*statementSummary `json:"statements"`
}

func inspectStatements(name string, format fileFormat, r io.Reader) (*inspection, error) {
	sr, err := openStatements(name, format, r)
	if err != nil {
		return nil, err
	}
	sum, readErr := summarizeStatements(sr)
	in := &inspection{File: name, Format: string(format), Summary: sum, Findings: sr.Findings()}
	if len(sum.Statements) > 0 {
		in.Format = sum.Statements[0].Format
	}
	return in, readErr
}

// summarizeStatements reads every entry of sr and totals them per statement.
func summarizeStatements(sr statement.Reader) (*statementsSummary, error) {
	by := map[*statement.Statement]*statementSummary{}
	get := func(st *statement.Statement) *statementSummary {
		s := by[st]
		if s == nil {
			s = &statementSummary{}
			by[st] = s
		}
		return s
	}
	var readErr error
	for {
		e, err := sr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		s := get(e.Statement)
		s.Entries++
		if e.Reversal {
			s.Reversals.add(e.Amount)
		}
		if e.Amount.Sign() >= 0 {
			s.Credits.add(e.Amount)
		} else {
			s.Debits.add(e.Amount)
		}
		if len(e.Details) > 1 || e.BatchCount > 1 {
			s.Batches++
		}
		s.Transactions += max(len(e.Details), 1)
		for _, t := range e.Details {
			if t.ReturnReason == "" {
				continue
			}
			if s.Returns == nil {
				s.Returns = map[string]*countSum{}
			}
			c := s.Returns[t.ReturnReason]
			if c == nil {
				c = &countSum{}
				s.Returns[t.ReturnReason] = c
			}
			c.add(t.Amount)
		}
		if d := e.BookingDate; !d.IsZero() {
			if s.FirstBooking.IsZero() || d.Before(s.FirstBooking) {
				s.FirstBooking = d
			}
			if d.After(s.LastBooking) {
				s.LastBooking = d
			}
		}
	}
	out := &statementsSummary{}
	for _, st := range sr.Statements() {
		s := get(st)
		s.Format, s.Kind, s.ID, s.Account = st.Format, st.Kind, st.ID, st.Account
		s.Opening, s.Closing = st.Opening, st.Closing
		s.From, s.To = dateText(st.From), dateText(st.To)
		s.Credits.finish()
		s.Debits.finish()
		s.Reversals.finish()
		for _, c := range s.Returns {
			c.finish()
		}
		out.Statements = append(out.Statements, s)
	}
	return out, readErr
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func balanceText(b *statement.Balance) string {
	if b == nil {
		return "-"
	}
	s := statement.Money(b.Amount)
	if b.Currency != "" {
		s += " " + b.Currency
	}
	if !b.Date.IsZero() {
		s += " on " + dateText(b.Date)
	}
	return s
}

// WriteText prints one block per statement.
func (s *statementsSummary) WriteText(w io.Writer) {
	if len(s.Statements) == 0 {
		fmt.Fprintln(w, "no statements")
	}
	for _, st := range s.Statements {
		acct := st.Account.ID()
		if st.Account.Currency != "" {
			acct += " " + st.Account.Currency
		}
		if st.Account.Owner != "" {
			acct += " (" + st.Account.Owner + ")"
		}
		fmt.Fprintf(w, "%s %s, account %s\n", st.Kind, st.ID, acct)
		period := st.From + " .. " + st.To
		if st.From == "" && st.To == "" {
			period = "-"
			if !st.FirstBooking.IsZero() {
				period = "bookings " + dateText(st.FirstBooking) + " .. " + dateText(st.LastBooking)
			}
		}
		fmt.Fprintf(w, "  period    %s\n", period)
		fmt.Fprintf(w, "  opening   %s\n  closing   %s\n", balanceText(st.Opening), balanceText(st.Closing))
		fmt.Fprintf(w, "  entries   %d: credits %s, debits %s", st.Entries, st.Credits, st.Debits)
		if st.Reversals.Count > 0 {
			fmt.Fprintf(w, ", reversals %s", st.Reversals)
		}
		fmt.Fprintln(w)
		if st.Batches > 0 {
			fmt.Fprintf(w, "  batches   %d batch booking(s), %d transactions in all\n", st.Batches, st.Transactions)
		}
		if len(st.Returns) > 0 {
			codes := make([]string, 0, len(st.Returns))
			for c := range st.Returns {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			parts := make([]string, len(codes))
			for i, c := range codes {
				parts[i] = c + " " + st.Returns[c].String()
			}
			fmt.Fprintf(w, "  returns   %s\n", strings.Join(parts, "; "))
		}
	}
}

// MarshalJSON keeps the statements list as the summary's JSON form.
func (s *statementsSummary) MarshalJSON() ([]byte, error) {
	type plain statementsSummary
	return json.Marshal((*plain)(s))
}
