package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// htmlReport writes one self-contained page a finance user opens in a
// browser: totals, a chart of matched / returned / unmatched amounts per
// booking day and per return reason, and the tables, sortable by a click
// on a column. Rows are rendered as they come into a temporary file; only
// the per-day and per-reason totals and the first unmatched rows stay in
// memory. The page is assembled at Close.
type htmlReport struct {
	out       io.Writer
	tmp       *os.File
	bw        *bufio.Writer
	rows      int
	days      map[string]map[string]*dayTotals // by currency, then booking day
	unmatched []Row
	more      int
	sources   []string // the file column's values, in order: providers for payreq sync
}

type dayTotals struct{ matched, returned, unmatched decimal.Decimal }

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

var htmlRow = template.Must(template.New("row").Funcs(template.FuncMap{"g": Grouped}).Parse(`<tr class="{{.Status}}"><td>{{.BookingDate}}</td><td>{{.Statement}}</td><td class="n">{{.Entry}}.{{.Detail}}</td><td class="n">{{g .Amount}}</td><td>{{.Currency}}</td><td><span class="tag {{.Status}}">{{.Status}}</span></td><td class="r">{{.Rule}}</td><td class="r">{{.InvoiceNo}}{{.EndToEndID}}{{.PmtInfID}}</td><td class="n">{{g .Applied}}</td><td class="n">{{g .Remaining}}</td><td>{{.ReturnReason}}</td><td>{{.Counterparty}}</td><td class="t">{{.Remittance}}</td><td class="t">{{.Evidence}}</td></tr>
`))

func newHTML(out io.Writer) (*htmlReport, error) {
	tmp, err := os.CreateTemp("", "batchtool-report-*.html")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // the open file stays usable; nothing is left behind
	return &htmlReport{out: out, tmp: tmp, bw: bufio.NewWriter(tmp), days: map[string]map[string]*dayTotals{}}, nil
}

func (h *htmlReport) Write(source string, r *reconcile.Result, dup bool) error {
	if len(h.sources) == 0 || h.sources[len(h.sources)-1] != source {
		h.sources = append(h.sources, source)
	}
	rows := Rows(source, r, dup)
	for _, row := range rows {
		if err := htmlRow.Execute(h.bw, row); err != nil {
			return err
		}
		h.rows++
		if row.needsPerson() && len(h.unmatched) < maxUnmatchedRows {
			h.unmatched = append(h.unmatched, row)
		} else if row.needsPerson() {
			h.more++
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

// bar is one bar of the SVG chart.
type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type chart struct {
	Currency      string
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

// dayCharts draws one chart per currency: matched, returned and unmatched
// amounts per booking day as grouped bars scaled to the largest absolute
// amount of that currency. Amounts of two currencies never share a scale.
func (h *htmlReport) dayCharts() []chart {
	var out []chart
	for _, ccy := range sortedKeys(h.days) {
		out = append(out, dayChart(ccy, h.days[ccy]))
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
	const plotH, groupW, barW, left, top = 160.0, 90.0, 22.0, 10.0, 70.0
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
			c.Bars = append(c.Bars, bar{X: bx, Y: by, W: barW, H: bh, Class: s.class,
				Title: fmt.Sprintf("%s %s: %s %s", d, s.class, statement.FormatAmount(s.v, ccy), ccy)})
			if !s.v.IsZero() {
				c.Labels = append(c.Labels, label{X: bx + barW/2 + 4, Y: by - 4, Text: Grouped(statement.FormatAmount(s.v, ccy)), Anchor: "start", Rotate: true})
			}
		}
		c.Labels = append(c.Labels, label{X: x + (3*barW+8)/2, Y: top + plotH + 18, Text: d, Anchor: "middle"})
	}
	return c
}

type reasonRow struct {
	Code, Text, Amount, Currency string
	Count                        int
	Width                        float64
}

func (h *htmlReport) Close(run Run) error {
	files, total := run.Files, run.Summary
	if err := h.bw.Flush(); err != nil {
		return err
	}
	defer h.tmp.Close()
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
			reasons = append(reasons, reasonRow{Code: code, Text: text, Count: t.Count, Amount: Grouped(statement.FormatAmount(t.Amount, c.Currency)),
				Currency: c.Currency, Width: w})
		}
	}
	title, what := "Reconciliation report", "file(s)"
	var names []string
	for _, f := range files {
		names = append(names, f.File.Name)
	}
	if run.Kind == Payments { // payreq sync: bookings of payment requests, by provider
		title, what = "Payment request bookings", "provider(s)"
		names = slices.Compact(slices.Sorted(slices.Values(h.sources)))
	}
	data := map[string]any{
		"Title":     title,
		"What":      what,
		"Generated": run.generated().Format("2006-01-02 15:04"),
		"Files":     names,
		"Total":     total,
		"Balanced":  total.Balanced(),
		"Charts":    h.dayCharts(),
		"Reasons":   reasons,
		"Unmatched": h.unmatched,
		"More":      h.more,
		"Rows":      h.rows,
	}
	bw := bufio.NewWriter(h.out)
	if err := htmlPage.ExecuteTemplate(bw, "head", data); err != nil {
		return err
	}
	if _, err := h.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(bw, h.tmp); err != nil {
		return err
	}
	if err := htmlPage.ExecuteTemplate(bw, "tail", data); err != nil {
		return err
	}
	return bw.Flush()
}

var htmlPage = template.Must(template.New("page").Funcs(template.FuncMap{
	"money": func(t reconcile.Tally) string {
		return Grouped(statement.FormatAmount(t.Amount, t.Currency)) + " " + t.Currency
	},
	"g":     Grouped,
	"rules": func(m map[reconcile.Rule]*reconcile.Tally) []string { return sortedKeys(m) },
	"rule":  func(m map[reconcile.Rule]*reconcile.Tally, k string) reconcile.Tally { return *m[reconcile.Rule(k)] },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
}).Parse(`{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} {{.Generated}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f5f7fa;margin:0}
header{background:#243b53;color:#fff;padding:18px 32px}header h1{margin:0;font-size:20px;font-weight:600}
header p{margin:4px 0 0;color:#bcccdc;font-size:13px}main{padding:24px 32px;max-width:1400px}
.cards{display:flex;gap:16px;flex-wrap:wrap;margin-bottom:24px}.card{background:#fff;border-radius:8px;padding:14px 18px;min-width:180px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card .k{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#627d98}.card .v{font-size:22px;font-variant-numeric:tabular-nums;margin-top:4px}
.card .c{font-size:12px;color:#829ab1}.card.matched{border-top:4px solid #3ebd93}.card.returned{border-top:4px solid #f0b429}
.card.ambiguous{border-top:4px solid #9446ed}.card.unmatched{border-top:4px solid #ef4e4e}.card.total{border-top:4px solid #243b53}
.ok{color:#0c6b58}.bad{color:#ab091e;font-weight:600}section{background:#fff;border-radius:8px;padding:16px 20px;margin-bottom:24px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:16px;margin:0 0 12px}table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:6px 8px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{background:#f0f4f8;cursor:pointer;user-select:none;white-space:nowrap;position:sticky;top:0}th:after{content:" \2195";color:#9fb3c8}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.t{min-width:200px;max-width:360px;overflow-wrap:anywhere;color:#52606d}.scroll{overflow-x:auto}td.r{white-space:nowrap}
.tag{padding:1px 7px;border-radius:10px;font-size:12px}.tag.matched{background:#c6f7e2;color:#014d40}.tag.returned{background:#fff3c4;color:#8d2b0b}
.tag.ambiguous{background:#eae2f8;color:#44056e}.tag.unmatched{background:#ffe3e3;color:#610404}.tag.duplicate{background:#e4e7eb;color:#3e4c59}
svg .matched{fill:#3ebd93}svg .returned{fill:#f0b429}svg .unmatched{fill:#ef4e4e}svg text{font-size:11px;fill:#52606d}
.legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.rbar{background:#f0b429;height:10px;border-radius:2px}.grid{display:grid;grid-template-columns:2fr 1fr;gap:24px}@media(max-width:900px){.grid{grid-template-columns:1fr}}
</style></head><body>
<header><h1>{{.Title}}</h1><p>{{len .Files}} {{.What}}: {{join .Files}} · generated {{.Generated}} by batchtool</p></header>
<main>
<p>{{.Total.Lines}} line(s), {{.Total.Entries}} entries · {{if .Balanced}}<span class="ok">balanced to the cent</span>{{else}}<span class="bad">NOT balanced</span>{{end}}</p>
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
{{range .Charts}}<h3>{{.Currency}}</h3>
<svg width="{{.Width}}" height="{{.Height}}" role="img" aria-label="amounts per day in {{.Currency}}">{{range .Bars}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{end}}{{range .Labels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}"{{if .Rotate}} transform="rotate(-90 {{.X}} {{.Y}})"{{end}}>{{.Text}}</text>{{end}}</svg>
{{end}}
</section>
<section><h2>Returns by reason code</h2>
{{if .Reasons}}<table class="sortable" id="reasons"><thead><tr><th>code</th><th>meaning</th><th class="n">lines</th><th class="n">amount</th><th>ccy</th><th></th></tr></thead><tbody>
{{range .Reasons}}<tr><td>{{.Code}}</td><td>{{.Text}}</td><td class="n">{{.Count}}</td><td class="n">{{.Amount}}</td><td>{{.Currency}}</td><td style="width:120px"><div class="rbar" style="width:{{printf "%.0f" .Width}}%"></div></td></tr>
{{end}}</tbody></table>{{else}}<p>No returns.</p>{{end}}
<h2 style="margin-top:18px">Matched by rule</h2><table><tbody>{{range .Total.Currencies}}{{$m := .ByRule}}{{range rules $m}}{{$r := rule $m .}}<tr><td>{{.}}</td><td class="n">{{$r.Count}}</td><td class="n">{{money $r}}</td></tr>{{end}}{{end}}</tbody></table>
</section>
</div>
<section><h2>Unmatched and ambiguous lines, with the closest candidates</h2>
{{if .Unmatched}}<table class="sortable"><thead><tr><th>booking date</th><th class="n">amount</th><th>status</th><th>counterparty</th><th>remittance</th><th>candidates</th></tr></thead><tbody>
{{range .Unmatched}}<tr><td>{{.BookingDate}}</td><td class="n">{{g .Amount}} {{.Currency}}</td><td><span class="tag {{.Status}}">{{.Status}}</span></td><td>{{.Counterparty}}</td><td class="t">{{.Remittance}}</td><td class="t">{{.Candidates}}</td></tr>
{{end}}</tbody></table>{{if .More}}<p>{{.More}} more: see the lines below.</p>{{end}}{{else}}<p class="ok">Every line was matched or returned.</p>{{end}}
</section>
<section><h2>All lines ({{.Rows}})</h2><div class="scroll">
<table class="sortable" id="lines"><thead><tr><th>booking date</th><th>statement</th><th class="n">entry</th><th class="n">amount</th><th>ccy</th><th>status</th><th>rule</th><th>item</th><th class="n">applied</th><th class="n">remaining</th><th>reason</th><th>counterparty</th><th>remittance</th><th>evidence</th></tr></thead><tbody>
{{end}}{{define "tail"}}</tbody></table></div></section>
</main>
<script>
(function(){
  function key(td){var s=td.textContent.trim();var n=s.replace(/,/g,'');return /^-?\d+(\.\d+)?$/.test(n)?parseFloat(n):s.toLowerCase();}
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
  if(lines){document.body.setAttribute('data-rows',lines.tBodies[0].rows.length);}
  var h=(location.hash||'').match(/^#sort=(\d+)$/);
  if(h&&lines){lines.querySelectorAll('th')[+h[1]].click();}
})();
</script>
</body></html>
{{end}}`))
