package reconcile

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSummaryPerCurrency: a run of an EUR and a CHF statement has one
// total per currency in text and JSON; no figure adds the two.
func TestSummaryPerCurrency(t *testing.T) {
	var a, b Summary
	a.Add(&Result{Lines: []Line{
		{Amount: d("1000.00"), Currency: "EUR", Outcome: Matched, Rule: RuleEndToEnd},
		{Amount: d("-35.01"), Currency: "EUR", Outcome: Returned, Rule: RuleEndToEnd, ReturnReason: "AM04"},
	}})
	b.Add(&Result{Lines: []Line{{Amount: d("500.00"), Currency: "CHF", Outcome: Unmatched}}})
	b.Add(&Result{Lines: []Line{{Amount: d("80"), Currency: "JPY", Outcome: Unmatched}}})
	var s Summary
	s.Merge(a)
	s.Merge(b)
	var text strings.Builder
	s.WriteText(&text)
	want := `entries: 3, lines: 4, total 500.00 CHF, 964.99 EUR, 80 JPY
 in CHF:
  matched                          0             0.00 CHF
  returned                         0             0.00 CHF
  ambiguous                        0             0.00 CHF
  unmatched                        1           500.00 CHF
  total                            1           500.00 CHF  (balanced)
 in EUR:
  matched                          1          1000.00 EUR
    by end-to-end-id               2           964.99 EUR
  returned                         1           -35.01 EUR
    AM04                           1           -35.01 EUR  Insufficient funds
  ambiguous                        0             0.00 EUR
  unmatched                        0             0.00 EUR
  total                            2           964.99 EUR  (balanced)
 in JPY:
  matched                          0                0 JPY
  returned                         0                0 JPY
  ambiguous                        0                0 JPY
  unmatched                        1               80 JPY
  total                            1               80 JPY  (balanced)
`
	if text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	if !s.Balanced() {
		t.Error("not balanced")
	}
	if got := s.Outcome(Unmatched).String(); got != "500.00 CHF, 0.00 EUR, 80 JPY" {
		t.Errorf("unmatched: %s", got)
	}
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{
		`"currencies":[{"currency":"CHF","total":{"count":1,"amount":"500.00","currency":"CHF"}`,
		`"returns_by_reason":{"AM04":{"count":1,"amount":"-35.01","currency":"EUR"}}`,
		`"unmatched":{"count":1,"amount":"80","currency":"JPY"}`,
	} {
		if !strings.Contains(string(js), frag) {
			t.Errorf("JSON lacks %s:\n%s", frag, js)
		}
	}
	// The JSON reads back to the same figures (nightly reads it).
	var back Summary
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Total().String(); got != "500.00 CHF, 964.99 EUR, 80 JPY" || !back.Balanced() {
		t.Errorf("read back: %s", got)
	}
	if js, _ := json.Marshal(Summary{}); string(js) != `{"entries":0,"lines":0,"currencies":[]}` {
		t.Errorf("empty: %s", js)
	}
}
