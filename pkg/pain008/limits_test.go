package pain008

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/finding"
)

// goldenHead returns the first n lines of the 001.02 golden file.
func goldenHead(t *testing.T, n int) string {
	t.Helper()
	b, err := os.ReadFile("testdata/golden-001.02.xml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	return strings.Join(lines[:n], "")
}

// readAll reads every transaction and returns the error that stopped it.
func readToEnd(r *Reader) (int, error) {
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// TestHostileText: a debtor name of 300 MB (1.1 GB RSS before: encoding/xml
// holds a whole token) and the same split by comments or hidden in one
// comment are refused at 64 KiB with a located finding; the heap stays
// small while 300 MB stream past.
func TestHostileText(t *testing.T) {
	head := goldenHead(t, 71) + "          <Nm>"
	tests := []struct {
		name string
		in   io.Reader
		want string
	}{
		{"a name of 300 MB", testutil.Concat(head, testutil.Repeat("Jan Peeters ", 300_000_000), "</Nm>"),
			`golden.xml:72: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[1]/Dbtr/Nm "Jan Peeters Jan Peeters Jan Peeters Jan …": text longer than 64 KiB: refused (no real file has one) [limit]`},
		{"a name split by comments", testutil.Concat(head, testutil.Repeat("Jan<!-- -->", 300_000_000), "</Nm>"),
			`golden.xml:72: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[1]/Dbtr/Nm "Jan<!-- -->Jan<!-- -->Jan<!-- -->Jan<!--…": text longer than 64 KiB: refused (no real file has one) [limit]`},
		{"a comment of 300 MB", testutil.Concat(goldenHead(t, 70), "<!--", testutil.Repeat("-x", 300_000_000), "-->"),
			`golden.xml:70: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[1] "\n<!---x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-…": text longer than 64 KiB: refused (no real file has one) [limit]`},
		{"an attribute of 300 MB", testutil.Concat(goldenHead(t, 57), `        <InstdAmt Ccy="`, testutil.Repeat("E", 300_000_000), `">1.00</InstdAmt>`),
			`golden.xml:58: error: /Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[1] "<InstdAmt Ccy=\"EEEEEEEEEEEEEEEEEEEEEEEEE…": start tag longer than 64 KiB: refused (no real file has one) [limit]`},
		{"10 million nested elements", testutil.Concat(head, testutil.Repeat("<x>", 30_000_000)),
			`golden.xml:72: error: /Document/CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/Dbtr/Nm/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x "<x>": elements nested deeper than 64 [limit]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stop := testutil.SampleHeap()
			n, err := readToEnd(NewReader(tc.in, "golden.xml"))
			peak := stop()
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
			if n != 0 {
				t.Errorf("%d transactions before the error", n)
			}
			t.Logf("peak HeapInuse %.1f MB", float64(peak)/(1<<20))
			if peak > 16<<20 {
				t.Errorf("peak heap %.1f MB", float64(peak)/(1<<20))
			}
		})
	}
}

// TestFindingsCapped: a file of 20,000 transactions with a bad IBAN and a
// reused end-to-end id keeps 100 findings of each rule and counts the
// others, so the findings of a hostile file cost kilobytes, not gigabytes.
func TestFindingsCapped(t *testing.T) {
	g := goldenHead(t, 82)
	i := strings.LastIndex(g, "      <DrctDbtTxInf>")
	tx := strings.Replace(g[i:], "BE62510007547061", "BE62510007547062", 1)
	n := int64(20000)
	in := testutil.Concat(g[:i], testutil.Repeat(tx, n*int64(len(tx))), "    </PmtInf>\n  </CstmrDrctDbtInitn>\n</Document>\n")
	stop := testutil.SampleHeap()
	r := NewReader(in, "many.xml")
	got, err := readToEnd(r)
	peak := stop()
	if err != nil || got != int(n) {
		t.Fatalf("%d transactions, %v", got, err)
	}
	fl := finding.List(r.Findings())
	rules := map[string]int{}
	for _, f := range fl {
		rules[f.Rule]++
	}
	last := fl[len(fl)-1].String()
	t.Logf("%d findings %v; peak HeapInuse %.1f MB; last: %s", len(fl), rules, float64(peak)/(1<<20), last)
	if rules[RuleIBAN] != 101 || rules[RuleUnique] != 101 {
		t.Errorf("findings by rule %v", rules)
	}
	if want := `many.xml:2985:23: error: 19899 more finding(s) of this rule not listed (the first 100 are) [EPC unique]`; last != want {
		t.Errorf("last finding\n%s\nwant\n%s", last, want)
	}
	if peak > 32<<20 {
		t.Errorf("peak heap %.1f MB", float64(peak)/(1<<20))
	}
}
