package htmlreport

import (
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"
)

// page builds one self-contained HTML document: inline CSS, inline SVG, no
// script, nothing fetched.
type page struct {
	b      strings.Builder
	charts int
}

func newPage(title string) *page {
	p := &page{}
	p.b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p.b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p.b.WriteString("<meta name=\"generator\" content=\"usagescan\">\n")
	fmt.Fprintf(&p.b, "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", esc(title), css)
	return p
}

func (p *page) raw(s string)               { p.b.WriteString(s) }
func (p *page) rawf(f string, args ...any) { fmt.Fprintf(&p.b, f, args...) }

// para writes a paragraph of HTML (the caller escapes text).
func (p *page) para(class, body string) {
	if class != "" {
		p.rawf("<p class=\"%s\">%s</p>\n", class, body)
		return
	}
	p.rawf("<p>%s</p>\n", body)
}

func (p *page) heading(level int, id, text string) {
	if id != "" {
		p.rawf("<h%d id=\"%s\">%s</h%d>\n", level, esc(id), text, level)
		return
	}
	p.rawf("<h%d>%s</h%d>\n", level, text, level)
}

func (p *page) bullets(items []string) {
	if len(items) == 0 {
		return
	}
	p.raw("<ul>\n")
	for _, it := range items {
		p.rawf("<li>%s</li>\n", it)
	}
	p.raw("</ul>\n")
}

// figure writes a chart, its legend and its table: the table is the chart's
// text alternative, and carries every figure the chart draws.
func (p *page) figure(c *chart, t *table) {
	p.charts++
	if c.id == "" {
		c.id = fmt.Sprintf("chart%d", p.charts)
	}
	if c.format == nil {
		c.format = axisMoney
	}
	p.rawf("<figure id=\"%s\">\n<figcaption>%s</figcaption>\n", c.id+"-fig", esc(c.title))
	p.raw(c.svg())
	p.raw("\n")
	p.raw(c.legend())
	p.raw("\n")
	if t != nil {
		p.raw(t.html())
	}
	p.raw("</figure>\n")
}

func (p *page) finish(w io.Writer, footer string) error {
	p.rawf("</main>\n<footer>%s</footer>\n</body>\n</html>\n", footer)
	_, err := io.WriteString(w, p.b.String())
	return err
}

// table is an HTML table; cells are HTML (escape text with esc).
type table struct {
	caption string
	head    []string
	num     []bool // right-aligned numeric columns
	rows    []row
	// details folds the table away (long lists); it is left out when printed.
	details string
}

type row struct {
	class string
	cells []string
}

func (t *table) add(class string, cells ...string) { t.rows = append(t.rows, row{class, cells}) }

func (t *table) html() string {
	var b strings.Builder
	if t.details != "" {
		fmt.Fprintf(&b, "<details><summary>%s</summary>\n", esc(t.details))
	}
	b.WriteString("<div class=\"table-wrap\"><table>\n")
	if t.caption != "" {
		fmt.Fprintf(&b, "<caption>%s</caption>\n", esc(t.caption))
	}
	b.WriteString("<thead><tr>")
	for i, h := range t.head {
		fmt.Fprintf(&b, "<th scope=\"col\"%s>%s</th>", t.align(i), esc(h))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.rows {
		if r.class != "" {
			fmt.Fprintf(&b, "<tr class=\"%s\">", r.class)
		} else {
			b.WriteString("<tr>")
		}
		for i, c := range r.cells {
			if i == 0 {
				fmt.Fprintf(&b, "<th scope=\"row\">%s</th>", c)
				continue
			}
			fmt.Fprintf(&b, "<td%s>%s</td>", t.align(i), c)
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table></div>\n")
	if t.details != "" {
		b.WriteString("</details>\n")
	}
	return b.String()
}

func (t *table) align(i int) string {
	if i < len(t.num) && t.num[i] {
		return ` class="n"`
	}
	return ""
}

func esc(s string) string { return html.EscapeString(s) }

// The figures on a page are <data> elements whose value is the number as the
// JSON has it; class "sum" marks the few that are sums of JSON values (period
// totals), and the page's test checks them both ways.

// amount writes a dollar figure from the JSON.
func amount(x float64) string { return dataTag("", x, money(x)) }

// sumAmount writes a dollar figure summed from JSON values.
func sumAmount(x float64) string { return dataTag("sum", x, money(x)) }

// count writes a count from the JSON.
func count(n int64) string { return dataTag("", float64(n), humanize.Comma(n)) }

// countF writes a count the JSON holds as a float (an average), rounded.
func countF(x float64) string { return dataTag("", x, humanize.Comma(int64(math.Round(x)))) }

// sumCount writes a count summed from JSON values.
func sumCount(n int64) string { return dataTag("sum", float64(n), humanize.Comma(n)) }

func dataTag(class string, x float64, text string) string {
	v := strconv.FormatFloat(x, 'f', -1, 64)
	if class != "" {
		return fmt.Sprintf(`<data class="%s" value="%s">%s</data>`, class, v, esc(text))
	}
	return fmt.Sprintf(`<data value="%s">%s</data>`, v, esc(text))
}

// money formats dollars: $1,234.56, $0.0042 for less than a cent.
func money(x float64) string {
	switch a := math.Abs(x); {
	case x == 0:
		return "$0"
	case a < 0.01:
		return "$" + strconv.FormatFloat(x, 'f', 4, 64)
	case a >= 1000 || x == math.Trunc(x):
		return "$" + humanize.Comma(int64(math.Round(x)))
	}
	return "$" + humanize.FormatFloat("#,###.##", x)
}

// axisMoney formats an axis tick: $0, $250, $1.5K.
func axisMoney(x float64) string {
	if x >= 1000 {
		return "$" + strings.TrimSuffix(strings.TrimSuffix(strconv.FormatFloat(x/1000, 'f', 2, 64), "0"), ".0") + "K"
	}
	return "$" + strings.TrimSuffix(strings.TrimSuffix(strconv.FormatFloat(x, 'f', 2, 64), "0"), ".0")
}

// axisCount formats a token axis tick: 0, 250K, 1.5M.
func axisCount(x float64) string {
	v, unit := humanize.ComputeSI(x)
	return strings.TrimSuffix(strings.TrimSuffix(strconv.FormatFloat(v, 'f', 2, 64), "0"), ".0") + unit
}

func pct(d *float64) string {
	if d == nil {
		return "-"
	}
	return dataTag("", *d, fmt.Sprintf("%+.1f%%", *d))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

const css = `:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1b1b1b;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 20px; }
h1 { font-size: 1.7em; margin: 0.2em 0; }
h2 { font-size: 1.35em; margin-top: 1.6em; border-bottom: 2px solid #0072B2; padding-bottom: 2px; }
h3 { font-size: 1.1em; }
.meta { color: #555; margin-top: 0; }
.lead { font-size: 1.15em; background: #eef4fa; border-left: 5px solid #0072B2; padding: 10px 14px; }
.lead ul { margin: 0.3em 0; padding-left: 1.2em; }
.answer strong, .rec-name { color: #004a75; }
.warn, .over { color: #9a3a00; }
.unknown { color: #9a3a00; font-weight: 600; }
figure { margin: 1.2em 0; padding: 10px; border: 1px solid #ddd; border-radius: 4px; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { display: block; width: 100%; height: auto; max-height: 420px; }
svg.chart text { font-size: 13px; fill: #333; }
svg.chart .label { font-size: 13px; font-weight: 600; }
svg.chart .star { font-size: 14px; fill: #000; }
svg.chart .grid { stroke: #e3e3e3; }
svg.chart .base { stroke: #333; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 2px 18px; padding: 0; margin: 6px 0; font-size: 0.9em; }
.legend li { display: flex; align-items: center; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border: 1px solid #0003; }
svg.key { width: 28px; height: 10px; margin-right: 6px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.9em; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 3px 9px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #999; }
tbody th { white-space: nowrap; }
th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.rec { background: #e6f2e9; font-weight: 600; }
tr.total { font-weight: 600; border-top: 2px solid #999; }
small { color: #555; }
footer { max-width: 1180px; margin: 0 auto; padding: 12px 20px 24px; color: #666; font-size: 0.85em; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  main { padding: 8px 10px; }
  h1 { font-size: 1.35em; }
  figure { padding: 6px; margin: 1em 0; }
}
@media print {
  @page { size: A4; margin: 14mm; }
  body { font-size: 10pt; }
  main, footer { max-width: none; padding: 0; }
  details { display: none; }
  h2 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`
