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
	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

func inspectCamt(name string, r io.Reader) (*Inspection, error) {
	// the summary reads no references, parties or remittance: the reader
	// skips them
	return summarizeReader(name, FormatCamt, camt.NewReader(r, name, camt.SummaryOnly()))
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
	first, last                time.Time // booking dates
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

// merge adds the sums of o, currency by currency, in o's order after
// those of m.
func (m *minorTotals) merge(o minorTotals) {
	for _, s := range o {
		i := 0
		for i < len(*m) && (*m)[i].currency != s.currency {
			i++
		}
		if i == len(*m) {
			*m = append(*m, minorSum{currency: s.currency})
		}
		(*m)[i].count += s.count
		(*m)[i].sum.Add(s.sum.Decimal())
	}
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

// inspectCamtFile inspects a camt file of size bytes read in parts on all
// cores (camt.ReadParallel): each part is summed up where it is read; a
// part that begins inside a statement adds to the summary of the part
// before it.
func inspectCamtFile(name string, f io.ReaderAt, size int64, reading func(io.Reader) io.Reader) *Inspection {
	return inspectCamtParts(name, f, size, reading, camt.Parts{Workers: runtime.GOMAXPROCS(0)})
}

// inspectCamtParts is inspectCamtFile with parts as p says.
func inspectCamtParts(name string, f io.ReaderAt, size int64, reading func(io.Reader) io.Reader, p camt.Parts) *Inspection {
	opts := []camt.Option{camt.SummaryOnly()} // the summary reads no references, parties or remittance
	if reading != nil {
		opts = append(opts, camt.WithReading(reading))
	}
	type part struct {
		sum       *StatementsSummary
		continues bool
	}
	sum := &StatementsSummary{}
	file := camt.ReadParallel(f, size, name, p,
		func(r *camt.Reader) part {
			s, _ := collectStatements(r) // a read error is the File's Err
			return part{s, r.Continues()}
		},
		func(p part) {
			ss := p.sum.Statements
			if p.continues && len(ss) > 0 && len(sum.Statements) > 0 {
				sum.Statements[len(sum.Statements)-1].merge(ss[0])
				ss = ss[1:]
			}
			sum.Statements = append(sum.Statements, ss...)
		}, opts...)
	for _, s := range sum.Statements {
		s.finish()
	}
	in := &Inspection{File: name, Format: string(FormatCamt), Summary: sum, Findings: file.Findings}
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
	sum, err := collectStatements(sr)
	for _, s := range sum.Statements {
		s.finish()
	}
	return sum, err
}

// collectStatements reads every entry of sr and adds them up per
// statement, without the totals finish sets.
func collectStatements(sr statement.Reader) (*StatementsSummary, error) {
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
			s.returns(t.ReturnReason).sums.add(t.Amount, cmp.Or(t.Currency, e.Currency))
		}
		s.booked(e.BookingDate)
	}
	out := &StatementsSummary{}
	for _, st := range sr.Statements() {
		s := get(st)
		s.Format, s.Kind, s.ID, s.Account = st.Format, st.Kind, st.ID, st.Account
		s.Opening, s.Closing = newBalanceJSON(st.Opening), newBalanceJSON(st.Closing)
		s.From, s.To = dateText(st.From), dateText(st.To)
		out.Statements = append(out.Statements, s)
	}
	return out, readErr
}

// returns returns the returns of reason, added if new.
func (s *StatementSummary) returns(reason string) *StatementReturns {
	i := slices.IndexFunc(s.Returns, func(r StatementReturns) bool { return r.Reason == reason })
	if i < 0 {
		i = len(s.Returns)
		s.Returns = append(s.Returns, StatementReturns{Reason: reason})
	}
	return &s.Returns[i]
}

// booked takes in the booking date of an entry.
func (s *StatementSummary) booked(d time.Time) {
	if d.IsZero() {
		return
	}
	if s.first.IsZero() || d.Before(s.first) {
		s.first = d
	}
	if d.After(s.last) {
		s.last = d
	}
}

// finish sets the totals from the sums.
func (s *StatementSummary) finish() {
	s.FirstBooking, s.LastBooking = dateText(s.first), dateText(s.last)
	s.Credits, s.Debits, s.Reversals = s.credits.totals(), s.debits.totals(), s.reversals.totals()
	for i := range s.Returns {
		s.Returns[i].Totals = s.Returns[i].sums.totals()
	}
	slices.SortFunc(s.Returns, func(a, b StatementReturns) int { return strings.Compare(a.Reason, b.Reason) })
}

// merge adds the entries of b, read after those of s, of the same
// statement (not finished); the statement's fields are b's, as read last.
func (s *StatementSummary) merge(b *StatementSummary) {
	s.Format, s.Kind, s.ID, s.Account = b.Format, b.Kind, b.ID, b.Account
	s.Opening, s.Closing, s.From, s.To = b.Opening, b.Closing, b.From, b.To
	s.Entries += b.Entries
	s.Batches += b.Batches
	s.WithDetails += b.WithDetails
	s.Details += b.Details
	s.credits.merge(b.credits)
	s.debits.merge(b.debits)
	s.reversals.merge(b.reversals)
	for _, r := range b.Returns {
		s.returns(r.Reason).sums.merge(r.sums)
	}
	s.booked(b.first)
	s.booked(b.last)
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
