package reconcile

import (
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"
)

// Tally is a count of lines and their sum.
type Tally struct {
	Count  int             `json:"count"`
	Amount decimal.Decimal `json:"amount"`
}

func (t *Tally) add(d decimal.Decimal) { t.Count++; t.Amount = t.Amount.Add(d) }

// Summary adds up results: lines by outcome, by rule and returns by reason.
// Matched + Returned + Ambiguous + Unmatched always equals Total.
type Summary struct {
	Entries   int               `json:"entries"`
	Lines     int               `json:"lines"`
	Total     Tally             `json:"total"`
	Matched   Tally             `json:"matched"`
	Returned  Tally             `json:"returned"`
	Ambiguous Tally             `json:"ambiguous"`
	Unmatched Tally             `json:"unmatched"`
	ByRule    map[Rule]*Tally   `json:"by_rule"`
	ByReason  map[string]*Tally `json:"returns_by_reason"` // every return line, matched or not, by ISO code
}

// Add counts one result.
func (s *Summary) Add(r *Result) {
	if s.ByRule == nil {
		s.ByRule = map[Rule]*Tally{}
		s.ByReason = map[string]*Tally{}
	}
	s.Entries++
	for _, l := range r.Lines {
		s.Lines++
		s.Total.add(l.Amount)
		switch l.Outcome {
		case Matched:
			s.Matched.add(l.Amount)
		case Returned:
			s.Returned.add(l.Amount)
		case Ambiguous:
			s.Ambiguous.add(l.Amount)
		default:
			s.Unmatched.add(l.Amount)
		}
		if l.Rule != "" && (l.Outcome == Matched || l.Outcome == Returned) {
			t := s.ByRule[l.Rule]
			if t == nil {
				t = &Tally{}
				s.ByRule[l.Rule] = t
			}
			t.add(l.Amount)
		}
		if l.Outcome == Returned || l.ReturnReason != "" {
			code := l.ReturnReason
			if code == "" {
				code = "(none)"
			}
			t := s.ByReason[code]
			if t == nil {
				t = &Tally{}
				s.ByReason[code] = t
			}
			t.add(l.Amount)
		}
	}
}

// Balanced reports whether the outcomes add up to the total, in count and to
// the cent.
func (s *Summary) Balanced() bool {
	sum := s.Matched.Amount.Add(s.Returned.Amount).Add(s.Ambiguous.Amount).Add(s.Unmatched.Amount)
	n := s.Matched.Count + s.Returned.Count + s.Ambiguous.Count + s.Unmatched.Count
	return sum.Equal(s.Total.Amount) && n == s.Total.Count
}

// WriteText prints the summary in one screen.
func (s *Summary) WriteText(w io.Writer) {
	fmt.Fprintf(w, "entries: %d, lines: %d, total %s\n", s.Entries, s.Lines, s.Total.Amount.StringFixed(2))
	row := func(name string, t Tally) {
		fmt.Fprintf(w, "  %-26s %7d %16s\n", name, t.Count, t.Amount.StringFixed(2))
	}
	row("matched", s.Matched)
	for _, r := range []Rule{RuleEndToEnd, RuleBatch, RulePaymentRequest, RuleReference, RuleInvoiceNumber, RuleIBANAmount, RuleSubsetSum} {
		if t := s.ByRule[r]; t != nil {
			row("  by "+string(r), *t)
		}
	}
	row("returned", s.Returned)
	var codes []string
	for c := range s.ByReason {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		text, _ := ReturnReasonText(c)
		fmt.Fprintf(w, "    %-24s %7d %16s  %s\n", c, s.ByReason[c].Count, s.ByReason[c].Amount.StringFixed(2), text)
	}
	row("ambiguous", s.Ambiguous)
	row("unmatched", s.Unmatched)
	balanced := "balanced"
	if !s.Balanced() {
		balanced = "NOT BALANCED"
	}
	sum := s.Matched.Amount.Add(s.Returned.Amount).Add(s.Ambiguous.Amount).Add(s.Unmatched.Amount)
	fmt.Fprintf(w, "  %-26s %7d %16s  (%s)\n", "total", s.Total.Count, sum.StringFixed(2), balanced)
}

// Merge adds the counts of o to s (several files of one run).
func (s *Summary) Merge(o Summary) {
	if s.ByRule == nil {
		s.ByRule = map[Rule]*Tally{}
		s.ByReason = map[string]*Tally{}
	}
	s.Entries += o.Entries
	s.Lines += o.Lines
	for _, p := range []struct{ dst, src *Tally }{{&s.Total, &o.Total}, {&s.Matched, &o.Matched}, {&s.Returned, &o.Returned}, {&s.Ambiguous, &o.Ambiguous}, {&s.Unmatched, &o.Unmatched}} {
		p.dst.Count += p.src.Count
		p.dst.Amount = p.dst.Amount.Add(p.src.Amount)
	}
	for r, t := range o.ByRule {
		if s.ByRule[r] == nil {
			s.ByRule[r] = &Tally{}
		}
		s.ByRule[r].Count += t.Count
		s.ByRule[r].Amount = s.ByRule[r].Amount.Add(t.Amount)
	}
	for c, t := range o.ByReason {
		if s.ByReason[c] == nil {
			s.ByReason[c] = &Tally{}
		}
		s.ByReason[c].Count += t.Count
		s.ByReason[c].Amount = s.ByReason[c].Amount.Add(t.Amount)
	}
}
