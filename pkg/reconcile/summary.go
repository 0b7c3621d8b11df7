package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/statement"
)

// Tally is a count of lines and their sum in one currency. Amounts of
// different currencies are never added together.
type Tally struct {
	Count    int             `json:"count"`
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
}

func (t *Tally) add(d decimal.Decimal) { t.Count++; t.Amount = t.Amount.Add(d) }

// MarshalJSON writes the amount as a string with the currency's minor
// units ("80.00", JPY "80"), beside its currency.
func (t Tally) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Count    int    `json:"count"`
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	}{t.Count, statement.FormatAmount(t.Amount, t.Currency), t.Currency})
}

// String is "3 = 120.00 EUR".
func (t Tally) String() string {
	return fmt.Sprintf("%d = %s %s", t.Count, statement.FormatAmount(t.Amount, t.Currency), t.Currency)
}

// Totals is one Tally per currency, sorted by currency code: what a figure
// over lines of several currencies is.
type Totals []Tally

// Add counts one amount in its currency.
func (ts *Totals) Add(amount decimal.Decimal, currency string) {
	for i := range *ts {
		if (*ts)[i].Currency == currency {
			(*ts)[i].add(amount)
			return
		}
	}
	*ts = append(*ts, Tally{Count: 1, Amount: amount, Currency: currency})
	sort.SliceStable(*ts, func(i, j int) bool { return (*ts)[i].Currency < (*ts)[j].Currency })
}

// Merge adds every tally of o.
func (ts *Totals) Merge(o Totals) {
	for _, t := range o {
		ts.mergeOne(t)
	}
}

func (ts *Totals) mergeOne(t Tally) {
	for i := range *ts {
		if (*ts)[i].Currency == t.Currency {
			(*ts)[i].Count += t.Count
			(*ts)[i].Amount = (*ts)[i].Amount.Add(t.Amount)
			return
		}
	}
	*ts = append(*ts, t)
	sort.SliceStable(*ts, func(i, j int) bool { return (*ts)[i].Currency < (*ts)[j].Currency })
}

// Count is the number of lines over every currency.
func (ts Totals) Count() int {
	n := 0
	for _, t := range ts {
		n += t.Count
	}
	return n
}

// String is the amounts one per currency: "120.00 EUR, 4.50 CHF"; "none"
// when there are none (a bare 0.00 would be an amount without currency).
func (ts Totals) String() string {
	if len(ts) == 0 {
		return "none"
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = statement.FormatAmount(t.Amount, t.Currency) + " " + t.Currency
	}
	return strings.Join(parts, ", ")
}

// MarshalJSON writes an empty list as [], never null.
func (ts Totals) MarshalJSON() ([]byte, error) {
	if ts == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]Tally(ts))
}

// CurrencySummary adds up the lines of one currency: by outcome, by rule
// and returns by reason. Matched + Returned + Ambiguous + Unmatched always
// equals Total.
type CurrencySummary struct {
	Currency  string            `json:"currency"`
	Total     Tally             `json:"total"`
	Matched   Tally             `json:"matched"`
	Returned  Tally             `json:"returned"`
	Ambiguous Tally             `json:"ambiguous"`
	Unmatched Tally             `json:"unmatched"`
	ByRule    map[Rule]*Tally   `json:"by_rule"`
	ByReason  map[string]*Tally `json:"returns_by_reason"` // every return line, matched or not, by ISO code
}

func newCurrencySummary(ccy string) *CurrencySummary {
	t := Tally{Currency: ccy}
	return &CurrencySummary{Currency: ccy, Total: t, Matched: t, Returned: t, Ambiguous: t, Unmatched: t,
		ByRule: map[Rule]*Tally{}, ByReason: map[string]*Tally{}}
}

// Outcome returns the tally of one outcome.
func (c *CurrencySummary) Outcome(o Outcome) Tally {
	switch o {
	case Matched:
		return c.Matched
	case Returned:
		return c.Returned
	case Ambiguous:
		return c.Ambiguous
	}
	return c.Unmatched
}

// Balanced reports whether the outcomes add up to the total, in count and
// to the cent.
func (c *CurrencySummary) Balanced() bool {
	sum := c.Matched.Amount.Add(c.Returned.Amount).Add(c.Ambiguous.Amount).Add(c.Unmatched.Amount)
	n := c.Matched.Count + c.Returned.Count + c.Ambiguous.Count + c.Unmatched.Count
	return sum.Equal(c.Total.Amount) && n == c.Total.Count
}

func tallyIn(m map[string]*Tally, key, ccy string) *Tally {
	t := m[key]
	if t == nil {
		t = &Tally{Currency: ccy}
		m[key] = t
	}
	return t
}

// Summary adds up results, one CurrencySummary per currency: a run of
// EUR and CHF statements has two totals, never one.
type Summary struct {
	Entries    int                `json:"entries"`
	Lines      int                `json:"lines"`
	Currencies []*CurrencySummary `json:"currencies"` // sorted by currency code
}

// In returns the summary of one currency, adding it when new.
func (s *Summary) In(ccy string) *CurrencySummary {
	for _, c := range s.Currencies {
		if c.Currency == ccy {
			return c
		}
	}
	c := newCurrencySummary(ccy)
	s.Currencies = append(s.Currencies, c)
	sort.SliceStable(s.Currencies, func(i, j int) bool { return s.Currencies[i].Currency < s.Currencies[j].Currency })
	return c
}

// Add counts one result.
func (s *Summary) Add(r *Result) {
	s.Entries++
	for _, l := range r.Lines {
		s.Lines++
		c := s.In(l.Currency)
		c.Total.add(l.Amount)
		switch l.Outcome {
		case Matched:
			c.Matched.add(l.Amount)
		case Returned:
			c.Returned.add(l.Amount)
		case Ambiguous:
			c.Ambiguous.add(l.Amount)
		default:
			c.Unmatched.add(l.Amount)
		}
		if l.Rule != "" && (l.Outcome == Matched || l.Outcome == Returned) {
			t := c.ByRule[l.Rule]
			if t == nil {
				t = &Tally{Currency: c.Currency}
				c.ByRule[l.Rule] = t
			}
			t.add(l.Amount)
		}
		if l.Outcome == Returned || l.ReturnReason != "" {
			code := l.ReturnReason
			if code == "" {
				code = "(none)"
			}
			tallyIn(c.ByReason, code, c.Currency).add(l.Amount)
		}
	}
}

// Outcome returns the tallies of one outcome, one per currency.
func (s *Summary) Outcome(o Outcome) Totals {
	ts := Totals{}
	for _, c := range s.Currencies {
		ts = append(ts, c.Outcome(o))
	}
	return ts
}

// Total returns the totals of every line, one per currency.
func (s *Summary) Total() Totals {
	ts := Totals{}
	for _, c := range s.Currencies {
		ts = append(ts, c.Total)
	}
	return ts
}

// Balanced reports whether the outcomes add up to the total in every
// currency, in count and to the cent.
func (s *Summary) Balanced() bool {
	n := 0
	for _, c := range s.Currencies {
		if !c.Balanced() {
			return false
		}
		n += c.Total.Count
	}
	return n == s.Lines
}

// MarshalJSON writes an empty summary's currencies as [], never null.
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary
	if s.Currencies == nil {
		s.Currencies = []*CurrencySummary{}
	}
	return json.Marshal(plain(s))
}

// WriteText prints the summary in one screen: one block per currency,
// every amount followed by its currency.
func (s *Summary) WriteText(w io.Writer) {
	fmt.Fprintf(w, "entries: %d, lines: %d, total %s\n", s.Entries, s.Lines, s.Total())
	for _, c := range s.Currencies {
		ccy := c.Currency
		money := func(d decimal.Decimal) string { return statement.FormatAmount(d, ccy) + " " + ccy }
		row := func(name string, t Tally) {
			fmt.Fprintf(w, "  %-26s %7d %20s\n", name, t.Count, money(t.Amount))
		}
		if len(s.Currencies) > 1 {
			fmt.Fprintf(w, " in %s:\n", ccy)
		}
		row("matched", c.Matched)
		for _, r := range []Rule{RuleEndToEnd, RuleBatch, RulePaymentRequest, RuleReference, RuleInvoiceNumber, RuleIBANAmount, RuleSubsetSum} {
			if t := c.ByRule[r]; t != nil {
				row("  by "+string(r), *t)
			}
		}
		row("returned", c.Returned)
		codes := make([]string, 0, len(c.ByReason))
		for code := range c.ByReason {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			text, _ := ReturnReasonText(code)
			fmt.Fprintf(w, "    %-24s %7d %20s  %s\n", code, c.ByReason[code].Count, money(c.ByReason[code].Amount), text)
		}
		row("ambiguous", c.Ambiguous)
		row("unmatched", c.Unmatched)
		balanced := "balanced"
		if !c.Balanced() {
			balanced = "NOT BALANCED"
		}
		sum := c.Matched.Amount.Add(c.Returned.Amount).Add(c.Ambiguous.Amount).Add(c.Unmatched.Amount)
		fmt.Fprintf(w, "  %-26s %7d %20s  (%s)\n", "total", c.Total.Count, money(sum), balanced)
	}
}

// Merge adds the counts of o to s (several files of one run).
func (s *Summary) Merge(o Summary) {
	s.Entries += o.Entries
	s.Lines += o.Lines
	for _, oc := range o.Currencies {
		c := s.In(oc.Currency)
		for _, p := range []struct{ dst, src *Tally }{{&c.Total, &oc.Total}, {&c.Matched, &oc.Matched}, {&c.Returned, &oc.Returned}, {&c.Ambiguous, &oc.Ambiguous}, {&c.Unmatched, &oc.Unmatched}} {
			p.dst.Count += p.src.Count
			p.dst.Amount = p.dst.Amount.Add(p.src.Amount)
		}
		for r, t := range oc.ByRule {
			d := c.ByRule[r]
			if d == nil {
				d = &Tally{Currency: c.Currency}
				c.ByRule[r] = d
			}
			d.Count += t.Count
			d.Amount = d.Amount.Add(t.Amount)
		}
		for code, t := range oc.ByReason {
			d := tallyIn(c.ByReason, code, c.Currency)
			d.Count += t.Count
			d.Amount = d.Amount.Add(t.Amount)
		}
	}
}

// Rule returns the tallies of the lines matched or returned by one rule,
// one per currency.
func (s *Summary) Rule(r Rule) Totals {
	ts := Totals{}
	for _, c := range s.Currencies {
		if t := c.ByRule[r]; t != nil {
			ts = append(ts, *t)
		}
	}
	return ts
}

// Reason returns the tallies of the return lines of one ISO reason code,
// one per currency.
func (s *Summary) Reason(code string) Totals {
	ts := Totals{}
	for _, c := range s.Currencies {
		if t := c.ByReason[code]; t != nil {
			ts = append(ts, *t)
		}
	}
	return ts
}

// NeedsPerson says, one text per outcome, which lines need a person:
// "2 line(s) unmatched (99.99 EUR, 5.00 CHF)", then the ambiguous ones;
// empty when every line was matched or returned. Currencies without such
// lines are left out.
func (s *Summary) NeedsPerson() []string {
	var out []string
	for _, o := range []Outcome{Unmatched, Ambiguous} {
		ts := Totals{}
		for _, t := range s.Outcome(o) {
			if t.Count > 0 {
				ts = append(ts, t)
			}
		}
		if n := ts.Count(); n > 0 {
			out = append(out, fmt.Sprintf("%d line(s) %s (%s)", n, o, ts))
		}
	}
	return out
}
