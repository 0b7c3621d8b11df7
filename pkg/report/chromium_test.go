package report

import (
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// chromium returns the headless browser the HTML tests render in; the
// tests skip without it (CI installs it: .ci/run).
func chromium(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is required in CI (.ci/run installs it)")
		}
		t.Skip("skipping: chromium not installed (apt-get install chromium)")
	}
	return bin
}

// render runs headless Chromium on a page at a window 1280 px wide (a
// laptop's), with args such as --dump-dom or --screenshot=F.
func render(t testing.TB, bin, page, height string, args ...string) []byte {
	t.Helper()
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--window-size=1280," + height}
	out, err := exec.Command(bin, append(append(flags, args...), "file://"+page)...).Output()
	if err != nil {
		t.Fatalf("chromium %s: %v", strings.Join(args, " "), err)
	}
	return out
}

var bodyAttrs = regexp.MustCompile(`<body data-rows="(\d*)" data-overflow="([^"]*)">`)

// checkFits renders the page and fails when a table is wider than its box
// or the page wider than the window; it returns the rows the lines table
// shows.
func checkFits(t *testing.T, bin, page, hash string) (rows int, dom string) {
	t.Helper()
	dom = string(render(t, bin, page+hash, "1000", "--dump-dom"))
	m := bodyAttrs.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the page's script did not run: no data-rows on <body>")
	}
	if m[2] != "" {
		t.Errorf("wider than the window at 1280 px: %s", m[2])
	}
	rows, _ = strconv.Atoi(m[1])
	return rows, dom
}

// TestHTMLInChromium renders the fixture's page: its script runs (it
// counts the rows and sorts on #sort=N), no table overflows at 1280 px,
// and the screenshot shows something.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	es, run := fixture()
	page := filepath.Join(t.TempDir(), "reconcile.html")
	if err := os.WriteFile(page, write(t, HTML, es, run), 0o644); err != nil {
		t.Fatal(err)
	}
	// #sort=2 sorts the lines by amount, ascending: the return comes first.
	rows, dom := checkFits(t, bin, page, "#sort=2")
	if rows != 9 {
		t.Errorf("the lines table shows %d rows, want 9", rows)
	}
	first := regexp.MustCompile(`(?s)<table class="sortable" id="lines">.*?<tbody>\s*<tr class="(\w+)"><td>([^<]*)</td><td>([^<]*)</td><td class="n">([^<]*)</td>`).FindStringSubmatch(dom)
	if first == nil || strings.Join(first[1:], "|") != "returned|2026-11-22|STMT-1 3.1|-10.00 EUR" {
		t.Fatalf("first line after sorting by amount: %q", first)
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	render(t, bin, page, "1600", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 1600 {
		t.Fatalf("screenshot %v", b)
	}
	colours := map[uint32]bool{}
	for y := 0; y < 1600; y += 7 {
		for x := 0; x < 1280; x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colours) < 20 {
		t.Fatalf("screenshot has %d colours: nothing rendered", len(colours))
	}
	if keep := os.Getenv("BATCHTOOL_KEEP_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(keep, b, 0o644)
	}
}

// TestHTMLLargeFitsWindow: a run of 20,000 lines over 45 days, with
// 400-character words in the texts and amounts of a billion, makes a page
// that lists what needs a person up to the cap, the first lines, says how
// many it left out and points to the exports, draws per month, and still
// fits a window 1280 px wide.
func TestHTMLLargeFitsWindow(t *testing.T) {
	bin := chromium(t)
	page := filepath.Join(t.TempDir(), "reconcile.html")
	size := writeLarge(t, page, 20000, []string{"reconcile.csv", "reconcile.xlsx"})
	rows, dom := checkFits(t, bin, page, "")
	if rows != HTMLLineRows {
		t.Errorf("the lines table shows %d rows, want %d", rows, HTMLLineRows)
	}
	for _, want := range []string{
		`<h2>Lines: the first 1000 of 20020</h2>`,
		`<p class="more">19020 more line(s) not listed here: every line is in <a href="reconcile.csv">reconcile.csv</a>, <a href="reconcile.xlsx">reconcile.xlsx</a>.</p>`,
		`<p class="more">400 more unmatched or ambiguous line(s) not listed here: every line is in <a href="reconcile.csv">`,
		`<h3>EUR, per month</h3>`,
		`aria-label="amounts per month in CHF"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(dom, `<tr class="unmatched">`) + strings.Count(dom, `<tr class="ambiguous">`); n < HTMLPersonRows {
		t.Errorf("%d unmatched or ambiguous rows on the page, want at least %d", n, HTMLPersonRows)
	}
	t.Logf("%d bytes", size)
	if size > 3<<20 {
		t.Errorf("page of %d bytes", size)
	}
}

// large writes n synthetic results to w: every 10th line unmatched, every
// 50th ambiguous, every 40th returned, every 1000th a duplicate, one in 20
// in CHF, booking days over 45 days, every 97th with words of 400
// characters in its texts. It returns the run to close the report with.
func large(t testing.TB, n int, w Writer) Run {
	t.Helper()
	run := Run{Kind: Reconciliation, Generated: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)}
	st := &statement.Statement{ID: "STMT-LARGE", Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR"}}
	long := strings.Repeat("W", 400)
	day0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		ccy := "EUR"
		if i%20 == 7 {
			ccy = "CHF"
		}
		amount := d(fmt.Sprintf("%d.%02d", i%100000+1, i%100))
		if i%997 == 0 {
			amount = d("999999999.99")
		}
		e := &statement.Entry{Statement: st, Seq: i, Ref: fmt.Sprintf("BANK-%d", i), Amount: amount, Currency: ccy,
			BookingDate: day0.AddDate(0, 0, (i/20)%45), Status: "BOOK"}
		text := "membership November"
		if i%97 == 0 {
			text = long
		}
		l := reconcile.Line{Amount: amount, Currency: ccy, EndToEndID: fmt.Sprintf("E2E-%07d", i), CounterpartyName: "Customer " + strconv.Itoa(i),
			CounterpartyIBAN: "BE71096123456769", Remittance: "Invoice " + strconv.Itoa(i) + " " + text, Evidence: "end-to-end id " + text,
			Outcome: reconcile.Matched, Rule: reconcile.RuleEndToEnd,
			Items: []reconcile.Item{{Kind: reconcile.ChangeCollection, Key: fmt.Sprintf("E2E-%07d", i), Applied: amount, Remaining: d("0")}}}
		switch {
		case i%10 == 0:
			l.Outcome, l.Rule, l.Items = reconcile.Unmatched, "", nil
			l.Candidates = []reconcile.Item{{Kind: reconcile.ChangeInvoice, Key: "INV-" + text}}
		case i%50 == 1:
			l.Outcome, l.Rule, l.Items = reconcile.Ambiguous, "", nil
		case i%40 == 3:
			l.Amount, e.Amount = l.Amount.Neg(), e.Amount.Neg()
			l.Outcome, l.Rule, l.ReturnReason, l.ReturnText = reconcile.Returned, reconcile.RuleReturn, "AM04", "Insufficient funds"
			l.Items[0].Applied = l.Amount
		}
		r := &reconcile.Result{Entry: e, Lines: []reconcile.Line{l}}
		if err := w.Write("large.xml", r, false); err != nil {
			t.Fatal(err)
		}
		run.Summary.Add(r)
		if i%1000 == 0 { // the same line again, from another file
			if err := w.Write("large.cod", r, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return run
}

// writeLarge writes the HTML page of n synthetic lines to path and returns
// its size.
func writeLarge(t testing.TB, path string, n int, exports []string) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := New(f, HTML)
	if err != nil {
		t.Fatal(err)
	}
	run := large(t, n, w)
	run.Exports = exports
	if err := w.Close(run); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// BenchmarkHTMLRender times headless Chromium loading, laying out and
// painting (a screenshot at 1280×1600) the page of a large run:
// BATCHTOOL_REPORT_LINES lines (default 100,000; the README's figure is at
// 1,000,000). "empty" is Chromium on a blank page, its own start-up cost.
func BenchmarkHTMLRender(b *testing.B) {
	bin := chromium(b)
	n := 100000
	if s := os.Getenv("BATCHTOOL_REPORT_LINES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	page := filepath.Join(dir, "reconcile.html")
	size := writeLarge(b, page, n, []string{"reconcile.csv"})
	empty := filepath.Join(dir, "empty.html")
	if err := os.WriteFile(empty, []byte("<!DOCTYPE html><html><body></body></html>"), 0o644); err != nil {
		b.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
		for b.Loop() {
			render(b, bin, page, "1600", "--screenshot="+shot)
		}
		b.ReportMetric(float64(size)/1e6, "page-MB")
	})
	b.Run("empty", func(b *testing.B) {
		for b.Loop() {
			render(b, bin, empty, "1600", "--screenshot="+shot)
		}
	})
}
