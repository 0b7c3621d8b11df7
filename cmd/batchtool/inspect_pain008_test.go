package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectPain008(t *testing.T) {
	golden := filepath.Join("..", "..", "pkg", "pain008", "testdata", "golden-001.02.xml")
	code, out, _ := batchtool(t, "inspect", golden)
	want := golden + `: pain.008
message:      MSG-20261120-1 (pain.008.001.02)
scheme:       SEPA
created:      2026-11-20 09:30:00 +00:00 by Fitness Club Brussel
transactions: 6, total 1000001279.75 EUR (group header: 6, 1000001279.75), 2 with mandate amendments
collection:   2026-12-01 to 2026-12-03
payment information blocks: 4
  PmtInfId          date        seq   instr  creditor              creditor id           count  total
  MSG-20261120-1-1  2026-12-01  RCUR  CORE   Fitness Club Brussel  BE69ZZZ050D000000008  3      45.10 EUR
  MSG-20261120-1-2  2026-12-01  FRST  CORE   Fitness Club Brussel  BE69ZZZ050D000000008  1      0.10 EUR
  MSG-20261120-1-3  2026-12-03  RCUR  B2B    Fitness Club Brussel  BE69ZZZ050D000000008  1      1234.56 EUR
  MSG-20261120-1-4  2026-12-01  RCUR  CORE   Fitness Club Gent     BE69ZZZ050D000000008  1      999999999.99 EUR
by collection date and sequence type:
  2026-12-01  FRST  1  0.10 EUR
  2026-12-01  RCUR  4  1000000045.09 EUR
  2026-12-03  RCUR  1  1234.56 EUR
findings: none
`
	if code != 0 || out != want {
		t.Fatalf("exit %d\n%s\nwant\n%s", code, out, want)
	}

	// A truncated file: exit 1, the figures of what was read, the error with its line.
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	trunc := filepath.Join(t.TempDir(), "trunc.xml")
	os.WriteFile(trunc, data[:3000], 0o644)
	code, out, _ = batchtool(t, "inspect", "--json", trunc)
	var got []struct {
		Summary struct {
			Count  int64 `json:"count"`
			Totals []struct {
				Count            int
				Amount, Currency string
			} `json:"totals"`
			Complete bool `json:"complete"`
		} `json:"summary"`
		Findings []struct {
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != 1 || len(got) != 1 || got[0].Summary.Count != 1 || fmt.Sprint(got[0].Summary.Totals) != "[{1 25.00 EUR}]" || got[0].Summary.Complete ||
		len(got[0].Findings) != 1 || got[0].Findings[0].Line != 110 || !strings.Contains(got[0].Findings[0].Message, "truncated") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// TestInspectSwissDirectDebit: a Swiss CH-DD pain.008 in CHF is recognised
// as such, totalled in CHF (not "EUR"), and checked without the SEPA
// rules that do not apply to it.
func TestInspectSwissDirectDebit(t *testing.T) {
	chdd := filepath.Join("..", "..", "pkg", "pain008", "testdata", "chdd-pain008-001-02-ch-03.xml")
	code, out, _ := batchtool(t, "inspect", chdd)
	want := chdd + `: pain.008
message:      CHDD-2026-12-01 (pain.008.001.02.ch.03)
scheme:       Swiss CH-DD (not SEPA)
created:      2026-12-01 09:30:00 +00:00 by Muster AG
transactions: 1, total 4.50 CHF (group header: 1, 4.50)
collection:   2026-12-10 to 2026-12-10
payment information blocks: 1
  PmtInfId    date        seq  instr   creditor   creditor id  count  total
  CHDD-PMT-1  2026-12-10       DDCOR1  Muster AG  ABC1W        1      4.50 CHF
by collection date and sequence type:
  2026-12-10    1  4.50 CHF
findings: none
`
	if code != 0 || out != want {
		t.Fatalf("exit %d\n%s\nwant\n%s", code, out, want)
	}
	code, out, _ = batchtool(t, "inspect", "--json", chdd)
	var got []struct {
		Summary struct {
			Scheme string
			Totals []struct {
				Count            int
				Amount, Currency string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d %v\n%s", code, err, out)
	}
	if s := got[0].Summary; s.Scheme != "Swiss CH-DD (not SEPA)" || fmt.Sprint(s.Totals) != "[{1 4.50 CHF}]" {
		t.Errorf("JSON summary %+v", s)
	}
}
