package htmlreport

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden pages in testdata/")

// pages renders the three fixture pages.
func pages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	var b bytes.Buffer
	if err := Recommend(&b, fixtureReport()); err != nil {
		t.Fatal(err)
	}
	out["recommend"] = b.String()
	b.Reset()
	if err := Report(&b, fixtureUsage()); err != nil {
		t.Fatal(err)
	}
	out["report"] = b.String()
	b.Reset()
	if err := Reconcile(&b, fixtureReconciled()); err != nil {
		t.Fatal(err)
	}
	out["reconcile"] = b.String()
	return out
}

// TestGolden pins each page's HTML (refresh with -update and review the diff).
func TestGolden(t *testing.T) {
	for name, got := range pages(t) {
		path := filepath.Join("testdata", name+".html")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./htmlreport -update)", err)
		}
		if got != string(want) {
			os.WriteFile(path+".got", []byte(got), 0o644)
			t.Errorf("%s differs from %s (got in %s.got)", name, path, path)
		}
	}
}

var (
	externalRef = regexp.MustCompile(`(?i)(src|href|action|poster|srcset)\s*=\s*["']?\s*(https?:|//)`)
	dataValue   = regexp.MustCompile(`<data (?:class="(\w+)" )?value="([^"]*)">`)
)

// TestSelfContained: nothing is fetched, nothing runs.
func TestSelfContained(t *testing.T) {
	for name, page := range pages(t) {
		if m := externalRef.FindString(page); m != "" {
			t.Errorf("%s: refers to the network: %s", name, m)
		}
		for _, bad := range []string{"<script", "<link", "@import", "url(", "<img", "<iframe"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: contains %q", name, bad)
			}
		}
		if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.HasSuffix(page, "</html>\n") {
			t.Errorf("%s: not a whole document", name)
		}
		if !strings.Contains(page, `name="viewport"`) || !strings.Contains(page, "@page { size: A4") {
			t.Errorf("%s: no viewport or A4 print rule", name)
		}
	}
}

// section returns the markup of the figure with the given id.
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `<figure id="`+id+`-fig">`)
	if i < 0 {
		t.Fatalf("no figure %s", id)
	}
	j := strings.Index(page[i:], "</figure>")
	return page[i : i+j]
}

func TestRecommendPage(t *testing.T) {
	page := pages(t)["recommend"]
	for _, want := range []string{
		// The answer, in words, for each user and the team, before any chart.
		`<strong>alice</strong>: <span class="rec-name">Max 5x</span>, <data value="100">$100</data> a month on average, saving <data value="87.5">$87.50</data> a month against Pro.`,
		`<strong>bob &lt;ci&gt;</strong>: <span class="rec-name">API</span>, <data value="4.5">$4.50</data> a month on average`,
		`<strong>The team of 2</strong>: Each on their own best, <data value="104.5">$104.50</data> a month.`,
		`<strong>Recommended: Max 5x</strong>`, `<strong>Recommended: API</strong>`,
		"Why: your busiest weeks reach $412.5 of API-equivalent use; Max 5x covers that for $100 a month.",
		// Accessible charts.
		`role="img" aria-labelledby="u1-weeks-t u1-weeks-d"`,
		`<title id="u1-windows-t">alice: API-equivalent use per 5-hour window against each plan&#39;s 5-hour budget</title>`,
		// Max 20x's 5-hour budget ($200) is far above every window ($26.50 at most): named, not drawn.
		"Off the scale, above every bar: Max 20x budget.",
		// Overflow stands out.
		`<small class="over">incl. <data value="195">$195</data> extra usage</small>`,
		`<tr class="rec"><th scope="row">Max 5x (recommended)</th>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Index(page, "<svg") < strings.Index(page, `class="rec-name"`) {
		t.Error("a chart comes before the answer")
	}
	for _, c := range []struct {
		id                 string
		bars, hits, budget int
		stars              int
	}{
		{"u1-months", 8, 0, 0, 2},   // 4 options x 2 months, the recommended starred each month
		{"u1-weeks", 4, 1, 3, 0},    // Pro, Max 5x in view; Max 20x the first above every week
		{"u1-windows", 12, 1, 2, 0}, // Max 20x off the scale
		{"u2-months", 4, 0, 0, 2},
		{"team-months", 4, 0, 0, 2},
	} {
		s := section(t, page, c.id)
		svg := s[:strings.Index(s, "</svg>")]
		if n := strings.Count(svg, "<rect "); n != c.bars {
			t.Errorf("%s: %d bars, want %d", c.id, n, c.bars)
		}
		if n := strings.Count(svg, `class="hit"`); n != c.hits {
			t.Errorf("%s: %d hit markers, want %d", c.id, n, c.hits)
		}
		if n := strings.Count(svg, `class="budget"`); n != c.budget {
			t.Errorf("%s: %d budget lines, want %d", c.id, n, c.budget)
		}
		if n := strings.Count(svg, `class="star"`); n != c.stars {
			t.Errorf("%s: %d stars, want %d", c.id, n, c.stars)
		}
	}
	// The windows table folds away (12 rows), the weeks table does not.
	if !strings.Contains(section(t, page, "u1-windows"), "<details><summary>All 12 windows as a table</summary>") ||
		strings.Contains(section(t, page, "u1-weeks"), "<details>") {
		t.Error("windows table not folded, or weeks table folded")
	}
	// Bob has no weeks or windows: no such charts.
	if strings.Contains(page, "u2-weeks") || strings.Contains(page, "u2-windows") {
		t.Error("charts drawn for bob, who has no weeks or windows")
	}
}

// jsonNumbers collects every number in v's JSON.
func jsonNumbers(t *testing.T, v any) map[float64]bool {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		t.Fatal(err)
	}
	set := map[float64]bool{}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for _, v := range x {
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		case json.Number:
			f, _ := x.Float64()
			set[f] = true
		}
	}
	walk(tree)
	return set
}

// TestFiguresFromJSON: every figure on a page is a number of the JSON, except
// those marked as sums, which must be the sums computed here by hand.
func TestFiguresFromJSON(t *testing.T) {
	p := pages(t)
	for _, c := range []struct {
		name string
		data any
		sums []float64 // every sum the page states, in order
	}{
		{"recommend", fixtureReport(), nil},
		{"reconcile", fixtureReconciled(), nil},
		{"report", fixtureUsage(), []float64{
			7.5, 24, 5, // total cost, requests, sonnet's cost (1.25 + 0.75 + 3)
			// cost per month: sonnet, opus, total (nova has no price)
			1.25, 2.5, 3.75,
			3.75, 3.75,
			// tokens per month: input, output, cache write 5m, 1h, cache read
			1600, 2800, 300, 100, 59000,
			4000, 1000, 0, 0, 20000,
		}},
	} {
		nums := jsonNumbers(t, c.data)
		var sums []float64
		n := 0
		for _, m := range dataValue.FindAllStringSubmatch(p[c.name], -1) {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				t.Errorf("%s: data value %q: %v", c.name, m[2], err)
				continue
			}
			n++
			if m[1] == "sum" {
				sums = append(sums, v)
				continue
			}
			if !nums[v] {
				t.Errorf("%s: figure %v is not in the JSON", c.name, v)
			}
		}
		if n < 10 {
			t.Errorf("%s: only %d figures", c.name, n)
		}
		if len(sums) != len(c.sums) {
			t.Errorf("%s: sums %v, want %v", c.name, sums, c.sums)
			continue
		}
		for i := range sums {
			if diff := sums[i] - c.sums[i]; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("%s: sum %d is %v, want %v", c.name, i, sums[i], c.sums[i])
			}
		}
	}
}

func TestReportPage(t *testing.T) {
	page := pages(t)["report"]
	for _, want := range []string{
		`<strong><data class="sum" value="7.5">$7.50</data></strong> at list price over 2 months, 2026-09 to 2026-10, 2 users, <data class="sum" value="24">24</data> requests.`,
		"Most of it on claude-sonnet-4-6: <data class=\"sum\" value=\"5\">$5</data> (67%).",
		`<p class="unknown">No price for claude-nova-9: their cost is left out of every total.</p>`,
		`<span class="unknown">no price</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	cost := section(t, page, "cost")
	// 2026-09: sonnet and opus; 2026-10: sonnet (the log row and the export row stack as one layer).
	if n := strings.Count(cost[:strings.Index(cost, "</svg>")], "<rect "); n != 3 {
		t.Errorf("cost chart: %d bars, want 3", n)
	}
	tokens := section(t, page, "tokens")
	// 2026-09: 5 classes; 2026-10: input, output, cache read.
	if n := strings.Count(tokens[:strings.Index(tokens, "</svg>")], "<rect "); n != 8 {
		t.Errorf("token chart: %d bars, want 8", n)
	}
}

func TestReconcilePage(t *testing.T) {
	page := pages(t)["reconcile"]
	for _, want := range []string{
		"<strong>1 of 2 user-months</strong> agree on cost within 2%.",
		"2026-06 bob: the bill is 25% more than the logs: usage outside Claude Code",
		`<data value="-25">-25.0%</data>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	cost := section(t, page, "cost")
	if n := strings.Count(cost[:strings.Index(cost, "</svg>")], "<rect "); n != 4 {
		t.Errorf("cost chart: %d bars, want 4", n)
	}
}

func TestTicks(t *testing.T) {
	for _, c := range []struct{ max, top, step float64 }{
		{412.5, 500, 100}, // step 412.5*1.02/5 = 84.2 -> 100
		{26.5, 30, 10},    // 5.4 -> 10
		{1200, 1250, 250}, // 244.8 -> 250
		{0.73, 0.8, 0.2},  // 0.149 -> 0.2
		{0, 1, 0.25},
	} {
		top, step := ticks(c.max)
		if abs(top-c.top) > 1e-9 || abs(step-c.step) > 1e-9 {
			t.Errorf("ticks(%v) = %v, %v; want %v, %v", c.max, top, step, c.top, c.step)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
