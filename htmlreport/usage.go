package htmlreport

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Usage is what `usagescan report` prints: the rows of its JSON
// (usagescan.report/v1), with the same field names, so a page can be rendered
// from the JSON as well as from the command.
type Usage struct {
	Schema        string     `json:"schema"`
	Timezone      string     `json:"timezone"`
	GroupBy       string     `json:"group_by"`
	Provider      string     `json:"provider"`
	PricesChecked string     `json:"prices_checked"`
	Rows          []UsageRow `json:"rows"`
}

// UsageRow is one period x user x model x source row. Counts are nil where the
// source does not have them (cost exports, totals); CostUSD is nil when a model
// of the row has no price.
type UsageRow struct {
	Period            string   `json:"period"`
	User              string   `json:"user"`
	Model             string   `json:"model"`
	Source            string   `json:"source"`
	InputTokens       *int64   `json:"input_tokens"`
	OutputTokens      *int64   `json:"output_tokens"`
	CacheWrite5m      *int64   `json:"cache_write_5m_tokens"`
	CacheWrite1h      *int64   `json:"cache_write_1h_tokens"`
	CacheRead         *int64   `json:"cache_read_tokens"`
	WebSearchRequests *int64   `json:"web_search_requests"`
	Requests          *int64   `json:"requests"`
	CostUSD           *float64 `json:"cost_usd"`
}

// maxModels is how many models get their own colour; the rest are summed.
const maxModels = 7

// Report writes a usage report as one self-contained HTML page: the totals in
// words, the cost per period stacked by model, the tokens per period by class,
// and every row as the JSON has it.
func Report(w io.Writer, u *Usage) error {
	title := "Claude usage by " + u.GroupBy
	p := newPage(title)
	p.heading(1, "", esc(title))
	p.para("meta", fmt.Sprintf("Time zone %s · API priced at %s · prices checked %s", esc(u.Timezone), esc(u.Provider), esc(u.PricesChecked)))

	// Periods in order of first appearance (the rows are sorted by period).
	var periods []string
	pi := map[string]int{}
	modelCost := map[string]float64{}
	users := map[string]bool{}
	var total float64
	var requests int64
	var unknown []string
	seenUnknown := map[string]bool{}
	for _, r := range u.Rows {
		if _, ok := pi[r.Period]; !ok {
			pi[r.Period] = len(periods)
			periods = append(periods, r.Period)
		}
		users[r.User] = true
		if r.CostUSD != nil {
			modelCost[r.Model] += *r.CostUSD
			total += *r.CostUSD
		} else if !seenUnknown[r.Model] {
			seenUnknown[r.Model] = true
			unknown = append(unknown, r.Model)
		}
		if r.Requests != nil {
			requests += *r.Requests
		}
	}
	models := make([]string, 0, len(modelCost))
	for m := range modelCost {
		models = append(models, m)
	}
	sort.Slice(models, func(i, j int) bool {
		if modelCost[models[i]] != modelCost[models[j]] {
			return modelCost[models[i]] > modelCost[models[j]]
		}
		return models[i] < models[j]
	})

	// The answer first.
	p.raw("<section class=\"lead\">\n")
	if len(u.Rows) == 0 {
		p.para("", "No usage in this range.")
	} else {
		s := fmt.Sprintf("<strong>%s</strong> at list price over %s, %s to %s", sumAmount(total),
			esc(pluralWord(len(periods), periodWord(u.GroupBy))), esc(periods[0]), esc(periods[len(periods)-1]))
		if len(users) > 1 {
			s += fmt.Sprintf(", %d users", len(users))
		}
		if requests > 0 {
			s += fmt.Sprintf(", %s requests", sumCount(requests))
		}
		s += "."
		if len(models) > 0 && total > 0 {
			s += fmt.Sprintf(" Most of it on %s: %s (%.0f%%).", esc(models[0]), sumAmount(modelCost[models[0]]), 100*modelCost[models[0]]/total)
		}
		p.para("", s)
		if len(unknown) > 0 {
			p.para("unknown", fmt.Sprintf("No price for %s: their cost is left out of every total.", esc(strings.Join(unknown, ", "))))
		}
	}
	p.raw("</section>\n")

	if len(u.Rows) > 0 {
		costChart(p, u, periods, pi, models)
		tokenChart(p, u, periods, pi)
	}

	// Every row, as the JSON has it.
	p.heading(2, "rows", "Every row")
	t := &table{head: []string{"Period", "User", "Model", "Source", "Input", "Output", "Cache write 5m", "Cache write 1h", "Cache read", "Web searches", "Requests", "Cost"},
		num: []bool{false, false, false, false, true, true, true, true, true, true, true, true}}
	opt := func(n *int64) string {
		if n == nil {
			return "-"
		}
		return count(*n)
	}
	for _, r := range u.Rows {
		cost := "<span class=\"unknown\">no price</span>"
		if r.CostUSD != nil {
			cost = amount(*r.CostUSD)
		}
		t.add("", esc(r.Period), esc(r.User), esc(r.Model), esc(r.Source), opt(r.InputTokens), opt(r.OutputTokens),
			opt(r.CacheWrite5m), opt(r.CacheWrite1h), opt(r.CacheRead), opt(r.WebSearchRequests), opt(r.Requests), cost)
	}
	p.raw(t.html())
	return p.finish(w, fmt.Sprintf("usagescan · %s · amounts in USD at list price", esc(u.Schema)))
}

func periodWord(by string) string {
	switch by {
	case "day", "week", "month":
		return by
	}
	return "period"
}

// costChart stacks each period's cost by model (the costliest models; the rest
// as "other models").
func costChart(p *page, u *Usage, periods []string, pi map[string]int, models []string) {
	shown := models
	other := len(models) > maxModels
	if other {
		shown = models[:maxModels-1]
	}
	si := map[string]int{}
	for i, m := range shown {
		si[m] = i
	}
	series := append([]string{}, shown...)
	if other {
		series = append(series, "other models")
	}
	vals := make([][]float64, len(periods))
	for i := range vals {
		vals[i] = make([]float64, len(series))
	}
	totals := make([]float64, len(periods))
	for _, r := range u.Rows {
		if r.CostUSD == nil {
			continue
		}
		s, ok := si[r.Model]
		if !ok {
			s = len(series) - 1
		}
		vals[pi[r.Period]][s] += *r.CostUSD
		totals[pi[r.Period]] += *r.CostUSD
	}
	c := &chart{id: "cost", title: "Cost per " + periodWord(u.GroupBy) + ", stacked by model", xLabel: capitalize(periodWord(u.GroupBy)),
		yLabel: "USD at list price", groups: periods, series: series, values: vals, stacked: true,
		desc: "Stacked bars, one per period, one layer per model. The table below has the figures."}
	t := &table{head: append(append([]string{"Period"}, series...), "Total")}
	t.num = make([]bool, len(t.head))
	for i := 1; i < len(t.num); i++ {
		t.num[i] = true
	}
	for g, per := range periods {
		cells := []string{esc(per)}
		for s := range series {
			if vals[g][s] == 0 {
				cells = append(cells, "-")
			} else {
				cells = append(cells, sumAmount(vals[g][s]))
			}
		}
		cells = append(cells, sumAmount(totals[g]))
		t.add("", cells...)
	}
	p.heading(2, "cost", "Cost")
	p.figure(c, t)
}

// tokenChart stacks each period's tokens by class.
func tokenChart(p *page, u *Usage, periods []string, pi map[string]int) {
	classes := []string{"Input", "Output", "Cache write 5m", "Cache write 1h", "Cache read"}
	vals := make([][]float64, len(periods))
	sums := make([][]int64, len(periods))
	for i := range vals {
		vals[i] = make([]float64, len(classes))
		sums[i] = make([]int64, len(classes))
	}
	any := false
	for _, r := range u.Rows {
		g := pi[r.Period]
		for k, n := range []*int64{r.InputTokens, r.OutputTokens, r.CacheWrite5m, r.CacheWrite1h, r.CacheRead} {
			if n != nil {
				sums[g][k] += *n
				vals[g][k] += float64(*n)
				any = true
			}
		}
	}
	if !any {
		return
	}
	c := &chart{id: "tokens", title: "Tokens per " + periodWord(u.GroupBy) + ", by class", xLabel: capitalize(periodWord(u.GroupBy)),
		yLabel: "Tokens", groups: periods, series: classes, values: vals, stacked: true, format: axisCount,
		desc: "Stacked bars, one per period, one layer per token class. Cache reads are billed at a tenth of input. The table below has the figures."}
	t := &table{head: append([]string{"Period"}, classes...)}
	t.num = make([]bool, len(t.head))
	for i := 1; i < len(t.num); i++ {
		t.num[i] = true
	}
	for g, per := range periods {
		cells := []string{esc(per)}
		for k := range classes {
			cells = append(cells, sumCount(sums[g][k]))
		}
		t.add("", cells...)
	}
	p.heading(2, "tokens", "Tokens")
	p.figure(c, t)
}
