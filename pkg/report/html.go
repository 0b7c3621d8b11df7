package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// What the HTML page lists, at most: a page a browser renders in a few
// seconds whatever the size of the run. The CSV, JSON and XLSX reports hold
// every line; the page says how many it left out and where they are.
const (
	// HTMLPersonRows caps each table of what needs a person: the unmatched
	// and ambiguous lines, and the returns.
	HTMLPersonRows = 2000
	// HTMLLineRows caps the table of all lines: the first ones booked.
	HTMLLineRows = 1000
)

// htmlReport writes one self-contained page a finance user opens in a
// browser: per currency the totals by outcome, a chart of matched,
// returned and unmatched amounts per booking day (per month over a longer
// span) and per return reason; then what needs a person — the unmatched
// and ambiguous lines with their closest candidates, and the returns with
// their reason — and the first lines of the run. Tables sort by a click on
// a column and fit the window (no table is wider than the page). Only the
// rows the page shows and the per-day totals stay in memory; the page is
// written at Close.
type htmlReport struct {
	out                  io.Writer
	rows                 int
	days                 map[string]map[string]*dayTotals // by currency, then booking day
	person, returns      []Row
	morePerson           int
	moreReturns          int
	lines                []Row
	sources              []string // the file column's values, in order: providers for payreq sync
	personCap, returnCap int
	lineCap              int
}

type dayTotals struct{ matched, returned, unmatched decimal.Decimal }

func newHTML(out io.Writer) (*htmlReport, error) {
	return &htmlReport{out: out, days: map[string]map[string]*dayTotals{},
		personCap: HTMLPersonRows, returnCap: HTMLPersonRows, lineCap: HTMLLineRows}, nil
}

func (h *htmlReport) Write(source string, r *reconcile.Result, dup bool) error {
	if len(h.sources) == 0 || h.sources[len(h.sources)-1] != source {
		h.sources = append(h.sources, source)
	}
	for _, row := range Rows(source, r, dup) {
		h.rows++
		if len(h.lines) < h.lineCap {
			h.lines = append(h.lines, row)
		}
		switch {
		case row.needsPerson() && len(h.person) < h.personCap:
			h.person = append(h.person, row)
		case row.needsPerson():
			h.morePerson++
		case row.Status == string(reconcile.Returned) && len(h.returns) < h.returnCap:
			h.returns = append(h.returns, row)
		case row.Status == string(reconcile.Returned):
			h.moreReturns++
		}
	}
	if dup {
		return nil
	}
	day := "undated"
	if d := r.Entry.BookingDate; !d.IsZero() {
		day = d.Format(time.DateOnly)
	}
	for _, l := range r.Lines {
		byDay := h.days[l.Currency]
		if byDay == nil {
			byDay = map[string]*dayTotals{}
			h.days[l.Currency] = byDay
		}
		t := byDay[day]
		if t == nil {
			t = &dayTotals{}
			byDay[day] = t
		}
		switch l.Outcome {
		case reconcile.Matched:
			t.matched = t.matched.Add(l.Amount)
		case reconcile.Returned:
			t.returned = t.returned.Add(l.Amount)
		default:
			t.unmatched = t.unmatched.Add(l.Amount)
		}
	}
	return nil
}

// Grouped writes an exact amount for reading: thousands separated by
// commas ("-1,234,567.89"). Only pages and screens do this; exports keep the
// plain form an ERP parses.
func Grouped(amount string) string {
	sign, digits := "", amount
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}
	whole, frac, hasFrac := strings.Cut(digits, ".")
	if len(whole) <= 3 || strings.Trim(whole, "0123456789") != "" {
		return amount
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// bar is one bar of the SVG chart.
type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type chart struct {
	Currency      string
	Per           string // day or month
	Width, Height float64
	Bars          []bar
	Labels        []label
}

type label struct {
	X, Y   float64
	Text   string
	Anchor string
	Rotate bool // upright along a bar
}

// chartDays is the most bars groups a chart draws per day; a longer span
// is drawn per month.
const chartDays = 31

// dayCharts draws one chart per currency: matched, returned and unmatched
// amounts per booking day (per month when the run spans more than
// chartDays days) as grouped bars scaled to the largest absolute amount of
// that currency. Amounts of two currencies never share a scale.
func (h *htmlReport) dayCharts() []chart {
	var out []chart
	for _, ccy := range sortedKeys(h.days) {
		byDay, per := h.days[ccy], "day"
		if len(byDay) > chartDays {
			byDay, per = byMonth(byDay), "month"
		}
		c := dayChart(ccy, byDay)
		c.Per = per
		out = append(out, c)
	}
	return out
}

// byMonth adds the days up per month ("2026-11"; "undated" stays).
func byMonth(byDay map[string]*dayTotals) map[string]*dayTotals {
	out := map[string]*dayTotals{}
	for d, t := range byDay {
		m := d
		if len(d) == len(time.DateOnly) {
			m = d[:7]
		}
		s := out[m]
		if s == nil {
			s = &dayTotals{}
			out[m] = s
		}
		s.matched, s.returned, s.unmatched = s.matched.Add(t.matched), s.returned.Add(t.returned), s.unmatched.Add(t.unmatched)
	}
	return out
}

func dayChart(ccy string, byDay map[string]*dayTotals) chart {
	days := sortedKeys(byDay)
	maxAbs := decimal.NewFromInt(1)
	for _, d := range days {
		for _, v := range []decimal.Decimal{byDay[d].matched, byDay[d].returned, byDay[d].unmatched} {
			if v.Abs().GreaterThan(maxAbs) {
				maxAbs = v.Abs()
			}
		}
	}
	const plotH, groupW, barW, left, top = 160.0, 90.0, 22.0, 10.0, 90.0
	c := chart{Currency: ccy, Width: left + groupW*float64(max(len(days), 1)) + 10, Height: top + plotH + 40}
	scale, _ := decimal.NewFromFloat(plotH).Div(maxAbs).Float64()
	for i, d := range days {
		x := left + groupW*float64(i)
		for j, s := range []struct {
			v     decimal.Decimal
			class string
		}{{byDay[d].matched, "matched"}, {byDay[d].returned, "returned"}, {byDay[d].unmatched, "unmatched"}} {
			v, _ := s.v.Abs().Float64()
			bh := v * scale
			bx, by := x+float64(j)*(barW+4), top+plotH-bh
			money := statement.FormatAmount(s.v, ccy)
			c.Bars = append(c.Bars, bar{X: bx, Y: by, W: barW, H: bh, Class: s.class,
				Title: fmt.Sprintf("%s %s: %s %s", d, s.class, money, ccy)})
			if !s.v.IsZero() {
				c.Labels = append(c.Labels, label{X: bx + barW/2 + 4, Y: by - 4, Text: Grouped(money) + " " + ccy, Anchor: "start", Rotate: true})
			}
		}
		c.Labels = append(c.Labels, label{X: x + (3*barW+8)/2, Y: top + plotH + 18, Text: d, Anchor: "middle"})
	}
	return c
}

type reasonRow struct {
	Code, Text, Amount string
	Count              int
	Width              float64
}

// export is a report of the same run the page points to.
type export struct{ Name, Href string }

func (h *htmlReport) Close(run Run) error {
	total := run.Summary
	// Bars of returns are scaled within their currency.
	var reasons []reasonRow
	for _, c := range total.Currencies {
		maxR := decimal.NewFromInt(1)
		for _, t := range c.ByReason {
			if t.Amount.Abs().GreaterThan(maxR) {
				maxR = t.Amount.Abs()
			}
		}
		for _, code := range sortedKeys(c.ByReason) {
			t := c.ByReason[code]
			text, _ := reconcile.ReturnReasonText(code)
			w, _ := t.Amount.Abs().Div(maxR).Mul(decimal.NewFromInt(100)).Float64()
			reasons = append(reasons, reasonRow{Code: code, Text: text, Count: t.Count,
				Amount: Grouped(statement.FormatAmount(t.Amount, c.Currency)) + " " + c.Currency, Width: w})
		}
	}
	title, what := "Reconciliation report", "file(s)"
	var names []string
	var dups reconcile.Totals
	for _, f := range run.Files {
		names = append(names, f.File.Name)
		dups.Merge(f.DuplicateTotal)
	}
	if run.Kind == Payments { // payreq sync: bookings of payment requests, by provider
		title, what = "Payment request bookings", "provider(s)"
		names = slices.Compact(slices.Sorted(slices.Values(h.sources)))
	}
	var exports []export
	for _, e := range run.Exports {
		exports = append(exports, export{Name: e, Href: hrefOf(e)})
	}
	data := map[string]any{
		"Title":       title,
		"What":        what,
		"Generated":   run.generated().Format("2006-01-02 15:04"),
		"Files":       names,
		"Duplicates":  dups,
		"Total":       total,
		"Balanced":    total.Balanced(),
		"Charts":      h.dayCharts(),
		"Reasons":     reasons,
		"Person":      h.person,
		"MorePerson":  h.morePerson,
		"Returns":     h.returns,
		"MoreReturns": h.moreReturns,
		"Lines":       h.lines,
		"Rows":        h.rows,
		"Exports":     exports,
	}
	bw := bufio.NewWriter(h.out)
	if err := htmlPage.Execute(bw, data); err != nil {
		return err
	}
	return bw.Flush()
}

// hrefOf turns a file name into a relative link: every segment escaped,
// so that a name with '#', '?' or a space links to that file.
func hrefOf(name string) string {
	return (&url.URL{Path: filepath.ToSlash(name)}).String()
}

var htmlPage = template.Must(template.New("page").Funcs(template.FuncMap{
	"money": func(t reconcile.Tally) string {
		return Grouped(statement.FormatAmount(t.Amount, t.Currency)) + " " + t.Currency
	},
	"g":     Grouped,
	"rules": func(m map[reconcile.Rule]*reconcile.Tally) []string { return sortedKeys(m) },
	"rule":  func(m map[reconcile.Rule]*reconcile.Tally, k string) reconcile.Tally { return *m[reconcile.Rule(k)] },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
	"sub":   func(a, b int) int { return a - b },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} {{.Generated}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f5f7fa;margin:0}
header{background:#243b53;color:#fff;padding:18px 32px}header h1{margin:0;font-size:20px;font-weight:600}
header p{margin:4px 0 0;color:#bcccdc;font-size:13px;overflow-wrap:anywhere}main{padding:24px 32px;max-width:1400px}
.cards{display:flex;gap:16px;flex-wrap:wrap;margin-bottom:24px}.card{background:#fff;border-radius:8px;padding:14px 18px;min-width:180px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card .k{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#627d98}.card .v{font-size:22px;font-variant-numeric:tabular-nums;margin-top:4px}
.card .c{font-size:12px;color:#829ab1}.card.matched{border-top:4px solid #3ebd93}.card.returned{border-top:4px solid #f0b429}
.card.ambiguous{border-top:4px solid #9446ed}.card.unmatched{border-top:4px solid #ef4e4e}.card.total{border-top:4px solid #243b53}
.ok{color:#0c6b58}.bad{color:#ab091e;font-weight:600}section{background:#fff;border-radius:8px;padding:16px 20px;margin-bottom:24px;box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:0}
h2{font-size:16px;margin:0 0 12px}h3{font-size:14px;margin:8px 0}
table{border-collapse:collapse;width:100%;table-layout:fixed;font-size:13px}th,td{padding:6px 8px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f0f4f8;cursor:pointer;user-select:none}th:after{content:" \2195";color:#9fb3c8}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.t{color:#52606d}
.tag{padding:1px 7px;border-radius:10px;font-size:12px;white-space:nowrap}.tag.matched{background:#c6f7e2;color:#014d40}.tag.returned{background:#fff3c4;color:#8d2b0b}
.tag.ambiguous{background:#eae2f8;color:#44056e}.tag.unmatched{background:#ffe3e3;color:#610404}.tag.duplicate{background:#e4e7eb;color:#3e4c59}
svg{max-width:100%;height:auto}svg .matched{fill:#3ebd93}svg .returned{fill:#f0b429}svg .unmatched{fill:#ef4e4e}svg text{font-size:11px;fill:#52606d}
.legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.rbar{background:#f0b429;height:10px;border-radius:2px}.grid{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:24px}@media(max-width:900px){.grid{grid-template-columns:minmax(0,1fr)}}
.more{background:#fff8e6;border-left:4px solid #f0b429;padding:8px 12px}
</style></head><body>
<header><h1>{{.Title}}</h1><p>{{len .Files}} {{.What}}: {{join .Files}} · generated {{.Generated}} by batchtool</p></header>
<main>
<p>{{.Total.Lines}} line(s), {{.Total.Entries}} entries{{with .Duplicates}} · {{.Count}} duplicate(s) of lines already booked skipped ({{.}}){{end}} · {{if .Balanced}}<span class="ok">balanced to the cent</span>{{else}}<span class="bad">NOT balanced</span>{{end}}</p>
{{range .Total.Currencies}}<div class="cards" data-currency="{{.Currency}}">
<div class="card matched"><div class="k">Matched</div><div class="v">{{money .Matched}}</div><div class="c">{{.Matched.Count}} line(s)</div></div>
<div class="card returned"><div class="k">Returned</div><div class="v">{{money .Returned}}</div><div class="c">{{.Returned.Count}} line(s)</div></div>
<div class="card ambiguous"><div class="k">Ambiguous</div><div class="v">{{money .Ambiguous}}</div><div class="c">{{.Ambiguous.Count}} line(s)</div></div>
<div class="card unmatched"><div class="k">Unmatched</div><div class="v">{{money .Unmatched}}</div><div class="c">{{.Unmatched.Count}} line(s)</div></div>
<div class="card total"><div class="k">Statement total {{.Currency}}</div><div class="v">{{money .Total}}</div><div class="c">{{.Total.Count}} line(s) ·
{{if .Balanced}}<span class="ok">balanced to the cent</span>{{else}}<span class="bad">NOT balanced</span>{{end}}</div></div>
</div>
{{end}}
<div class="grid">
<section><h2>Amounts per booking day</h2>
<div class="legend"><span><i style="background:#3ebd93"></i>matched</span><span><i style="background:#f0b429"></i>returned</span><span><i style="background:#ef4e4e"></i>ambiguous / unmatched</span></div>
{{range .Charts}}<h3>{{.Currency}}{{if eq .Per "month"}}, per month{{end}}</h3>
<svg width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="amounts per {{.Per}} in {{.Currency}}">{{range .Bars}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{end}}{{range .Labels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}"{{if .Rotate}} transform="rotate(-90 {{.X}} {{.Y}})"{{end}}>{{.Text}}</text>{{end}}</svg>
{{end}}
</section>
<section><h2>Returns by reason code</h2>
{{if .Reasons}}<table class="sortable" id="reasons"><colgroup><col style="width:20%"><col><col style="width:17%"><col style="width:30%"><col style="width:12%"></colgroup>
<thead><tr><th>code</th><th>meaning</th><th class="n">lines</th><th class="n">amount</th><th></th></tr></thead><tbody>
{{range .Reasons}}<tr><td>{{.Code}}</td><td>{{.Text}}</td><td class="n">{{.Count}}</td><td class="n">{{.Amount}}</td><td><div class="rbar" style="width:{{printf "%.0f" .Width}}%"></div></td></tr>
{{end}}</tbody></table>{{else}}<p>No returns.</p>{{end}}
<h2 style="margin-top:18px">Matched by rule</h2><table id="rules"><colgroup><col><col style="width:18%"><col style="width:40%"></colgroup><tbody>{{range .Total.Currencies}}{{$m := .ByRule}}{{range rules $m}}{{$r := rule $m .}}<tr><td>{{.}}</td><td class="n">{{$r.Count}}</td><td class="n">{{money $r}}</td></tr>{{end}}{{end}}</tbody></table>
</section>
</div>
<section><h2>Needs a person: unmatched and ambiguous lines, with the closest candidates</h2>
{{if .Person}}<table class="sortable" id="person"><colgroup><col style="width:9%"><col style="width:13%"><col style="width:9%"><col style="width:16%"><col><col style="width:22%"></colgroup>
<thead><tr><th>booking date</th><th class="n">amount</th><th>status</th><th>counterparty</th><th>remittance</th><th>candidates</th></tr></thead><tbody>
{{range .Person}}<tr class="{{.Status}}"><td>{{.BookingDate}}</td><td class="n">{{g .Amount}} {{.Currency}}</td><td><span class="tag {{.Status}}">{{.Status}}</span></td><td>{{.Counterparty}}{{with .IBAN}}<br><span class="t">{{.}}</span>{{end}}</td><td class="t">{{.Remittance}}</td><td class="t">{{.Candidates}}</td></tr>
{{end}}</tbody></table>{{if .MorePerson}}<p class="more">{{.MorePerson}} more unmatched or ambiguous line(s) not listed here: {{template "exports" $}}</p>{{end}}{{else}}<p class="ok">Every line was matched or returned.</p>{{end}}
</section>
<section><h2>Needs a person: returned collections, with their reason</h2>
{{if .Returns}}<table class="sortable" id="returns"><colgroup><col style="width:9%"><col style="width:13%"><col style="width:18%"><col style="width:9%"><col style="width:22%"><col></colgroup>
<thead><tr><th>booking date</th><th class="n">amount</th><th>collection</th><th>reason</th><th>meaning</th><th>counterparty</th></tr></thead><tbody>
{{range .Returns}}<tr class="returned"><td>{{.BookingDate}}</td><td class="n">{{g .Amount}} {{.Currency}}</td><td>{{.EndToEndID}}{{.InvoiceNo}}{{.PmtInfID}}</td><td>{{.ReturnReason}}</td><td class="t">{{.ReturnText}}</td><td>{{.Counterparty}}</td></tr>
{{end}}</tbody></table>{{if .MoreReturns}}<p class="more">{{.MoreReturns}} more return(s) not listed here: {{template "exports" $}}</p>{{end}}{{else}}<p class="ok">No returns.</p>{{end}}
</section>
<section><h2>Lines{{if lt (len .Lines) .Rows}}: the first {{len .Lines}} of {{.Rows}}{{else}} ({{.Rows}}){{end}}</h2>
{{if lt (len .Lines) .Rows}}<p class="more">{{sub .Rows (len .Lines)}} more line(s) not listed here: {{template "exports" $}}</p>{{end}}
<table class="sortable" id="lines"><colgroup><col style="width:9%"><col style="width:13%"><col style="width:12%"><col style="width:9%"><col style="width:11%"><col style="width:14%"><col style="width:11%"><col></colgroup>
<thead><tr><th>booking date</th><th>statement · entry</th><th class="n">amount</th><th>status</th><th>rule</th><th>item</th><th class="n">applied</th><th>counterparty · remittance · evidence</th></tr></thead><tbody>
{{range .Lines}}<tr class="{{.Status}}"><td>{{.BookingDate}}</td><td>{{.Statement}} {{.Entry}}.{{.Detail}}</td><td class="n">{{g .Amount}} {{.Currency}}</td><td><span class="tag {{.Status}}">{{.Status}}</span></td><td>{{.Rule}}</td><td>{{.InvoiceNo}}{{.EndToEndID}}{{.PmtInfID}}</td><td class="n">{{if .Applied}}{{g .Applied}} {{.Currency}}{{end}}</td><td class="t">{{.Counterparty}}{{with .Remittance}} · {{.}}{{end}} · {{.Evidence}}</td></tr>
{{end}}</tbody></table>
</section>
</main>
<script>
(function(){
  function key(td){var s=td.textContent.trim().replace(/,/g,'');var m=s.match(/^(-?\d+(\.\d+)?)( [A-Z]{3})?$/);return m?parseFloat(m[1]):s.toLowerCase();}
  document.querySelectorAll('table.sortable').forEach(function(t){
    t.querySelectorAll('th').forEach(function(th,i){
      th.addEventListener('click',function(){
        var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows),asc=th.dataset.dir!=='asc';
        rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);return (x<y?-1:x>y?1:0)*(asc?1:-1);});
        rows.forEach(function(r){tb.appendChild(r);});th.dataset.dir=asc?'asc':'desc';
      });
    });
  });
  var lines=document.getElementById('lines');
  var h=(location.hash||'').match(/^#sort=(\d+)$/);
  if(h&&lines){lines.querySelectorAll('th')[+h[1]].click();}
  // What a test of the page reads: the rows listed, and any table wider
  // than the box it sits in (or a page wider than the window).
  var wide=[];
  document.querySelectorAll('table').forEach(function(t){if(t.scrollWidth>t.parentElement.clientWidth)wide.push(t.id||'table');});
  if(document.documentElement.scrollWidth>document.documentElement.clientWidth)wide.push('page');
  document.body.setAttribute('data-rows',lines?lines.tBodies[0].rows.length:0);
  document.body.setAttribute('data-overflow',wide.join(' '));
})();
</script>
</body></html>
{{define "exports"}}{{if .Exports}}every line is in {{range $i, $e := .Exports}}{{if $i}}, {{end}}<a href="{{$e.Href}}">{{$e.Name}}</a>{{end}}{{else}}every line is in the CSV, JSON or XLSX report of this run{{end}}.{{end}}
`))
