package finding

import "fmt"

// DefaultPerRule is how many findings of one rule a Capped keeps unless told
// otherwise: enough to show any real file's problems, few enough that a
// hostile file of millions of bad values costs kilobytes.
const DefaultPerRule = 100

// Capped collects findings like a List but keeps at most PerRule findings of
// each rule; the others are counted, so that memory stays bounded however
// many bad values a file holds. The zero value keeps DefaultPerRule.
type Capped struct {
	PerRule int
	list    List
	kept    map[string]int
	left    map[string]*leftOut
	order   []string // rules with findings left out, in order of the first one
}

type leftOut struct {
	n     int
	first Finding // the first finding left out: its file, severity and rule
}

// Add keeps f, or counts it when its rule already has PerRule findings.
func (c *Capped) Add(f Finding) {
	max := c.PerRule
	if max <= 0 {
		max = DefaultPerRule
	}
	if c.kept == nil {
		c.kept = map[string]int{}
	}
	if c.kept[f.Rule] < max {
		c.kept[f.Rule]++
		c.list = append(c.list, f)
		return
	}
	if c.left == nil {
		c.left = map[string]*leftOut{}
	}
	lo := c.left[f.Rule]
	if lo == nil {
		lo = &leftOut{first: f}
		c.left[f.Rule] = lo
		c.order = append(c.order, f.Rule)
	}
	lo.n++
	if f.Severity > lo.first.Severity {
		lo.first.Severity = f.Severity
	}
}

// Len returns the number of findings kept.
func (c *Capped) Len() int { return len(c.list) }

// List returns the findings kept, then for each rule with findings left
// out one finding saying how many, with the highest severity among them
// and the position of the first.
func (c *Capped) List() List {
	if len(c.order) == 0 {
		return c.list
	}
	out := append(List(nil), c.list...)
	for _, rule := range c.order {
		lo := c.left[rule]
		f := lo.first
		out = append(out, Finding{Severity: f.Severity, File: f.File, Line: f.Line, Column: f.Column, Record: f.Record, Rule: rule,
			Message: fmt.Sprintf("%d more finding(s) of this rule not listed (the first %d are)", lo.n, c.kept[rule])})
	}
	return out
}
