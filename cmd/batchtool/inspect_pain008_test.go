package main

import (
	"encoding/json"
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
created:      2026-11-20 09:30:00 +00:00 by Fitness Club Brussel
transactions: 6, total 1000001279.75 EUR (group header: 6, 1000001279.75), 2 with mandate amendments
collection:   2026-12-01 to 2026-12-03
payment information blocks: 4
  PmtInfId          date        seq   instr  creditor              creditor id           count  total
  MSG-20261120-1-1  2026-12-01  RCUR  CORE   Fitness Club Brussel  BE69ZZZ050D000000008  3      45.10
  MSG-20261120-1-2  2026-12-01  FRST  CORE   Fitness Club Brussel  BE69ZZZ050D000000008  1      0.10
  MSG-20261120-1-3  2026-12-03  RCUR  B2B    Fitness Club Brussel  BE69ZZZ050D000000008  1      1234.56
  MSG-20261120-1-4  2026-12-01  RCUR  CORE   Fitness Club Gent     BE69ZZZ050D000000008  1      999999999.99
by collection date and sequence type:
  2026-12-01  FRST  1  0.10
  2026-12-01  RCUR  4  1000000045.09
  2026-12-03  RCUR  1  1234.56
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
			Count    int64  `json:"count"`
			Total    string `json:"total"`
			Complete bool   `json:"complete"`
		} `json:"summary"`
		Findings []struct {
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != 1 || len(got) != 1 || got[0].Summary.Count != 1 || got[0].Summary.Total != "25.00" || got[0].Summary.Complete ||
		len(got[0].Findings) != 1 || got[0].Findings[0].Line != 110 || !strings.Contains(got[0].Findings[0].Message, "truncated") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}
