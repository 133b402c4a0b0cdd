package htmlreport

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// palette is Okabe and Ito's colour-blind-safe set, darkest-contrast first
// (yellow last: it is faint on white).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"}

func colour(i int) string { return palette[i%len(palette)] }

// lineDash tells reference lines apart without colour alone.
var lineDash = []string{"6 3", "2 3", "10 3 2 3", "1 2", "12 4"}

// chart is a bar chart over categories (months, periods, weeks, windows): one
// bar per series side by side (grouped), or stacked, with optional step lines
// (budgets) and markers (limit hits). It is drawn as inline SVG that scales to
// its container.
type chart struct {
	id, title, desc string
	xLabel, yLabel  string
	groups          []string    // category labels, in order
	series          []string    // one per bar in a group (or per layer when stacked)
	values          [][]float64 // [group][series]
	stacked         bool
	// mark outlines a bar and puts a star over it (the recommended option).
	mark func(g, s int) bool
	// lines are step lines across the groups; a value of 0 draws nothing there.
	lines []refLine
	// hits puts a triangle over group g when hits[g] > 0.
	hits []int
	// format formats a value for ticks and titles.
	format func(float64) string
}

// refLine is a named value per group, drawn as a stepped dashed line.
type refLine struct {
	name   string
	values []float64
}

const (
	chartW, chartH                 = 960, 340
	padL, padR, padT, padB float64 = 78, 16, 22, 58
)

// yMax is the top of the value axis: the largest bar, and the reference lines
// up to the first one above every bar (the others would squash the bars; they
// are named off-scale instead).
func (c *chart) yMax() (top float64, offScale []string) {
	for _, row := range c.values {
		sum, m := 0.0, 0.0
		for _, v := range row {
			sum += v
			m = math.Max(m, v)
		}
		if c.stacked {
			m = sum
		}
		top = math.Max(top, m)
	}
	barTop := top
	// The smallest line peak above every bar stays in view.
	keep := math.Inf(1)
	for _, l := range c.lines {
		if p := peak(l.values); p > barTop {
			keep = math.Min(keep, p)
		}
	}
	for _, l := range c.lines {
		p := peak(l.values)
		switch {
		case p <= barTop || p <= keep:
			top = math.Max(top, p)
		default:
			offScale = append(offScale, l.name)
		}
	}
	return top, offScale
}

// ticks chooses the axis top and tick step for values up to top: a step of
// 1, 2, 2.5 or 5 times a power of ten, three to six ticks.
func ticks(top float64) (axisTop, step float64) {
	if top <= 0 {
		return 1, 0.25
	}
	step = niceCeil(top * 1.02 / 5)
	n := math.Ceil(top*1.02/step - 1e-9)
	return n * step, step
}

func peak(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

// niceCeil rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func niceCeil(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if x <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// svg draws the chart. Every mark has a <title> naming its value; the <svg>
// has a <title> and <desc> for screen readers.
func (c *chart) svg() string {
	var b strings.Builder
	top, off := c.yMax()
	top, step := ticks(top)
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	y := func(v float64) float64 { return padT + plotH - v/top*plotH }
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`+"\n", chartW, chartH, c.id, c.id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`+"\n", c.id, esc(c.title))
	desc := c.desc
	if len(off) > 0 {
		desc += " Off the scale, above every bar: " + strings.Join(off, ", ") + "."
	}
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc>`+"\n", c.id, esc(desc))
	// Grid and value axis.
	b.WriteString(`<g class="axis">` + "\n")
	for i := 0; float64(i)*step <= top*(1+1e-9); i++ {
		v := float64(i) * step
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`+"\n", padL, padL+plotW, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", padL-6, y(v)+4, esc(c.format(v)))
	}
	fmt.Fprintf(&b, `<text class="label" transform="translate(14 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", padT+plotH/2, esc(c.yLabel))
	fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", padL+plotW/2, chartH-6, esc(c.xLabel))
	b.WriteString("</g>\n")

	n := len(c.groups)
	if n == 0 {
		b.WriteString("</svg>")
		return b.String()
	}
	slot := plotW / float64(n)
	gap := math.Min(slot*0.2, 12)
	if slot < 4 {
		gap = 0
	}
	// Category labels: at most about 16, evenly spaced.
	every := max(1, (n+15)/16)
	b.WriteString(`<g class="axis">` + "\n")
	for g := 0; g < n; g += every {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", padL+slot*(float64(g)+0.5), padT+plotH+18, esc(c.groups[g]))
	}
	b.WriteString("</g>\n")

	b.WriteString(`<g class="bars">` + "\n")
	var stars []string
	for g := range n {
		x0 := padL + slot*float64(g) + gap/2
		w := slot - gap
		if !c.stacked {
			w = math.Min(w, 56*float64(len(c.series)))
		} else {
			w = math.Min(w, 72)
		}
		x0 = padL + slot*(float64(g)+0.5) - w/2
		base := 0.0
		for s := range c.series {
			v := c.values[g][s]
			if v <= 0 {
				continue
			}
			bx, bw := x0, w
			if !c.stacked {
				bw = w / float64(len(c.series))
				bx = x0 + bw*float64(s)
			}
			y1, y0 := y(base+v), y(base)
			h := math.Max(y0-y1, 0.5)
			attr := ""
			if c.mark != nil && c.mark(g, s) {
				attr = ` stroke="#000" stroke-width="2" class="marked"`
				stars = append(stars, fmt.Sprintf(`<text class="star" x="%.1f" y="%.1f" text-anchor="middle">★</text>`, bx+bw/2, y1-4))
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"%s><title>%s, %s: %s</title></rect>`+"\n",
				bx, y0-h, math.Max(bw-0.5, 0.5), h, colour(s), attr, esc(c.groups[g]), esc(c.series[s]), esc(c.format(v)))
			if c.stacked {
				base += v
			}
		}
	}
	b.WriteString(strings.Join(stars, "\n"))
	b.WriteString("</g>\n")

	// Step lines: one path per line, broken where a group has no value.
	for i, l := range c.lines {
		if p := peak(l.values); p == 0 || p > top {
			continue
		}
		var d strings.Builder
		pen := false
		for g := range n {
			v := 0.0
			if g < len(l.values) {
				v = l.values[g]
			}
			if v <= 0 {
				pen = false
				continue
			}
			x0, x1 := padL+slot*float64(g), padL+slot*float64(g+1)
			if pen {
				fmt.Fprintf(&d, "L%.1f %.1fH%.1f", x0, y(v), x1)
			} else {
				fmt.Fprintf(&d, "M%.1f %.1fH%.1f", x0, y(v), x1)
			}
			pen = true
		}
		fmt.Fprintf(&b, `<path class="budget" d="%s" fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s"><title>%s</title></path>`+"\n",
			d.String(), lineColour(i), lineDash[i%len(lineDash)], esc(l.name))
	}
	// Limit hits.
	for g, h := range c.hits {
		if h <= 0 || g >= n {
			continue
		}
		cx := padL + slot*(float64(g)+0.5)
		fmt.Fprintf(&b, `<path class="hit" d="M%.1f %.1fl-6 -10h12z" fill="#D55E00" stroke="#000" stroke-width="0.5"><title>%s: %s</title></path>`+"\n",
			cx, padT+8, esc(c.groups[g]), esc(pluralWord(h, "limit hit")))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="base"/>`+"\n", padL, padL+plotW, padT+plotH, padT+plotH)
	b.WriteString("</svg>")
	return b.String()
}

// lineColour draws budget lines in dark tones, apart from the bars' colours.
func lineColour(i int) string {
	return []string{"#000000", "#7F3C00", "#003F63", "#555555", "#6B2E57"}[i%5]
}

// legend is the chart's key in HTML (it wraps on a phone).
func (c *chart) legend() string {
	var b strings.Builder
	b.WriteString(`<ul class="legend">`)
	for i, s := range c.series {
		fmt.Fprintf(&b, `<li><span class="swatch" style="background:%s"></span>%s</li>`, colour(i), html.EscapeString(s))
	}
	for i, l := range c.lines {
		fmt.Fprintf(&b, `<li><svg class="key" viewBox="0 0 28 10" aria-hidden="true"><path d="M0 5H28" stroke="%s" stroke-width="2" stroke-dasharray="%s"/></svg>%s</li>`,
			lineColour(i), lineDash[i%len(lineDash)], html.EscapeString(l.name))
	}
	if c.mark != nil {
		b.WriteString(`<li><span class="star">★</span> outlined: recommended</li>`)
	}
	for _, h := range c.hits {
		if h > 0 {
			b.WriteString(`<li><svg class="key" viewBox="0 0 12 10" aria-hidden="true"><path d="M6 10l-6 -10h12z" fill="#D55E00"/></svg>limit hit</li>`)
			break
		}
	}
	b.WriteString("</ul>")
	return b.String()
}

func pluralWord(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
