package inspect

import (
	"cmp"
	"encoding/json"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/decsum"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

func inspectCamt(name string, r io.Reader) (*Inspection, error) {
	return inspectStatements(name, FormatCamt, r)
}

func inspectCODA(name string, r io.Reader) (*Inspection, error) {
	// the summary reads no text of the entries: the reader skips it
	return summarizeReader(name, FormatCODA, coda.NewReader(r, name, coda.SummaryOnly()))
}

// StatementSummary is what inspect tells of one statement.
type StatementSummary struct {
	Format       string             `json:"format"`
	Kind         statement.Kind     `json:"kind"`
	ID           string             `json:"id"`
	Account      statement.Account  `json:"account"`
	From         string             `json:"from,omitempty"`
	To           string             `json:"to,omitempty"`
	Opening      *Balance           `json:"opening,omitempty"`
	Closing      *Balance           `json:"closing,omitempty"`
	Entries      int                `json:"entries"`
	Credits      reconcile.Totals   `json:"credits"`   // one per currency
	Debits       reconcile.Totals   `json:"debits"`    // one per currency
	Reversals    reconcile.Totals   `json:"reversals"` // one per currency
	Batches      int                `json:"batch_bookings"`
	WithDetails  int                `json:"entries_with_details"`
	Details      int                `json:"details"` // transaction details of those entries
	Returns      []StatementReturns `json:"returns_by_reason"`
	FirstBooking string             `json:"first_booking,omitempty"` // YYYY-MM-DD
	LastBooking  string             `json:"last_booking,omitempty"`

	// the sums while entries are read; finish sets the Totals above
	credits, debits, reversals minorTotals
}

// StatementReturns is the return details of one ISO reason code.
type StatementReturns struct {
	Reason string           `json:"reason"`
	Totals reconcile.Totals `json:"totals"`
	sums   minorTotals
}

// minorTotals adds up amounts per currency as reconcile.Totals does, but
// with decsum's int64 units while they fit: an addition costs nothing where
// decimal.Add allocates, and the summary was a tenth of inspect's time.
type minorTotals []minorSum

type minorSum struct {
	currency string
	count    int
	sum      decsum.Sum
}

// add counts one amount in its currency.
func (m *minorTotals) add(d decimal.Decimal, currency string) {
	i := 0
	for i < len(*m) && (*m)[i].currency != currency {
		i++
	}
	if i == len(*m) {
		*m = append(*m, minorSum{currency: currency})
	}
	(*m)[i].count++
	(*m)[i].sum.Add(d)
}

// totals returns the sums as reconcile.Totals, one per currency.
func (m minorTotals) totals() reconcile.Totals {
	ts := reconcile.Totals{}
	for _, s := range m {
		ts.Merge(reconcile.Totals{{Count: s.count, Amount: s.sum.Decimal(), Currency: s.currency}})
	}
	return ts
}

// StatementsSummary is the Summary of a camt or CODA file: one entry per
// statement (report, notification) in it, in file order.
type StatementsSummary struct {
	Statements []*StatementSummary `json:"statements"`
}

func inspectStatements(name string, format Format, r io.Reader) (*Inspection, error) {
	sr, err := OpenStatements(name, format, r)
	if err != nil {
		return nil, err
	}
	return summarizeReader(name, format, sr)
}

// summarizeReader summarizes the statements of sr.
func summarizeReader(name string, format Format, sr statement.Reader) (*Inspection, error) {
	sum, readErr := summarizeStatements(sr)
	in := &Inspection{File: name, Format: string(format), Summary: sum, Findings: sr.Findings()}
	if len(sum.Statements) > 0 {
		in.Format = sum.Statements[0].Format
	}
	return in, readErr
}

// inspectCODAFile inspects a CODA file of size bytes read in parts on all
// cores (coda.ReadParallel): each part is summarized where it is read, and
// as statements never cross parts, the summary of the file is the parts'
// summaries in file order.
func inspectCODAFile(name string, f io.ReaderAt, size int64, reading func(io.Reader) io.Reader) *Inspection {
	opts := []coda.Option{coda.SummaryOnly()} // the summary reads no text of the entries
	if reading != nil {
		opts = append(opts, coda.WithReading(reading))
	}
	sum := &StatementsSummary{}
	file := coda.ReadParallel(f, size, name, coda.Parts{Workers: runtime.GOMAXPROCS(0)},
		func(r *coda.Reader) *StatementsSummary {
			s, _ := summarizeStatements(r) // a read error is the File's Err
			return s
		},
		func(s *StatementsSummary) { sum.Statements = append(sum.Statements, s.Statements...) }, opts...)
	in := &Inspection{File: name, Format: string(FormatCODA), Summary: sum, Findings: file.Findings}
	if len(sum.Statements) > 0 {
		in.Format = sum.Statements[0].Format
	}
	if file.Err != nil {
		in.Findings = append(in.Findings, ErrorFinding(name, file.Err))
	}
	return in
}

// summarizeStatements reads every entry of sr and totals them per statement.
func summarizeStatements(sr statement.Reader) (*StatementsSummary, error) {
	by := map[*statement.Statement]*StatementSummary{}
	get := func(st *statement.Statement) *StatementSummary {
		s := by[st]
		if s == nil {
			s = &StatementSummary{Credits: reconcile.Totals{}, Debits: reconcile.Totals{}, Reversals: reconcile.Totals{}, Returns: []StatementReturns{}}
			by[st] = s
		}
		return s
	}
	var readErr error
	first, last := map[*StatementSummary]time.Time{}, map[*StatementSummary]time.Time{}
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
			s.reversals.add(e.Amount, e.Currency)
		}
		if e.Amount.Sign() >= 0 {
			s.credits.add(e.Amount, e.Currency)
		} else {
			s.debits.add(e.Amount, e.Currency)
		}
		if len(e.Details) > 1 || e.BatchCount > 1 {
			s.Batches++
		}
		if len(e.Details) > 0 {
			s.WithDetails++
			s.Details += len(e.Details)
		}
		for _, t := range e.Details {
			if t.ReturnReason == "" {
				continue
			}
			i := slices.IndexFunc(s.Returns, func(r StatementReturns) bool { return r.Reason == t.ReturnReason })
			if i < 0 {
				i = len(s.Returns)
				s.Returns = append(s.Returns, StatementReturns{Reason: t.ReturnReason})
			}
			s.Returns[i].sums.add(t.Amount, cmp.Or(t.Currency, e.Currency))
		}
		if d := e.BookingDate; !d.IsZero() {
			if f := first[s]; f.IsZero() || d.Before(f) {
				first[s] = d
			}
			if d.After(last[s]) {
				last[s] = d
			}
		}
	}
	out := &StatementsSummary{}
	for _, st := range sr.Statements() {
		s := get(st)
		s.Format, s.Kind, s.ID, s.Account = st.Format, st.Kind, st.ID, st.Account
		s.Opening, s.Closing = newBalanceJSON(st.Opening), newBalanceJSON(st.Closing)
		s.From, s.To = dateText(st.From), dateText(st.To)
		s.FirstBooking, s.LastBooking = dateText(first[s]), dateText(last[s])
		s.Credits, s.Debits, s.Reversals = s.credits.totals(), s.debits.totals(), s.reversals.totals()
		for i := range s.Returns {
			s.Returns[i].Totals = s.Returns[i].sums.totals()
		}
		slices.SortFunc(s.Returns, func(a, b StatementReturns) int { return strings.Compare(a.Reason, b.Reason) })
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

// Balance is a balance by batchtool's one JSON rule: the amount as a
// string with its currency's minor units beside its currency, the date as
// YYYY-MM-DD.
type Balance struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	Date     string `json:"date,omitempty"`
	Type     string `json:"type,omitempty"`
}

func newBalanceJSON(b *statement.Balance) *Balance {
	if b == nil {
		return nil
	}
	return &Balance{statement.FormatAmount(b.Amount, b.Currency), b.Currency, dateText(b.Date), b.Type}
}

// MarshalJSON keeps the statements list as the summary's JSON form.
func (s *StatementsSummary) MarshalJSON() ([]byte, error) {
	type plain StatementsSummary
	return json.Marshal((*plain)(s))
}

func (*StatementsSummary) summary() {}
