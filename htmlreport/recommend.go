package htmlreport

import (
	"fmt"
	"io"
	"strings"

	"github.com/usagescan/usagescan/recommend"
)

// Recommend writes a recommendation as one self-contained HTML page: the
// answer for each user first, in words, then per user the monthly cost of each
// option, the weeks and the 5-hour windows against the plans' budgets, then the
// team, and the budgets the figures rest on. Every figure is a value of r (what
// the JSON has), or a sum of them.
func Recommend(w io.Writer, r *recommend.Report) error {
	p := newPage("Claude plan recommendation")
	p.heading(1, "", "Claude plan recommendation")
	p.para("meta", fmt.Sprintf("%s to %s (%s) · API priced at %s · budgets: %s",
		esc(r.Since), esc(r.Until), esc(r.Timezone), esc(strings.Join(r.Providers, ", ")), esc(r.Budgets)))

	// The answer, first.
	var lead []string
	for i := range r.Users {
		u := &r.Users[i]
		s := fmt.Sprintf("<strong>%s</strong>: <span class=\"rec-name\">%s</span>, %s a month on average",
			esc(u.User), esc(u.RecommendedName), amount(u.TotalUSDPerMonth))
		if u.NextBest != "" {
			s += fmt.Sprintf(", saving %s a month against %s", amount(u.SavingsUSDPerMonth), esc(altName(u, u.NextBest)))
		}
		lead = append(lead, s+".")
	}
	if t := r.Team; t != nil {
		lead = append(lead, fmt.Sprintf("<strong>The team of %d</strong>: %s, %s a month.",
			len(t.Users), esc(teamName(r, t.Recommended)), amount(teamTotal(t, t.Recommended))))
	}
	p.raw("<section class=\"lead\">\n")
	if len(r.Users) == 0 {
		p.para("", "No usage in these months.")
	} else {
		p.para("", "<strong>Recommended</strong>")
		p.bullets(lead)
	}
	p.raw("</section>\n")

	for i := range r.Users {
		writeUser(p, r, &r.Users[i], i)
	}
	if r.Team != nil {
		writeTeam(p, r)
	}
	writeBudgets(p, r)
	if len(r.Notes) > 0 {
		p.heading(2, "notes", "Notes")
		var items []string
		for _, n := range r.Notes {
			items = append(items, esc(capitalize(n)))
		}
		p.bullets(items)
	}
	return p.finish(w, fmt.Sprintf("usagescan · %s · as of %s · amounts in USD, API-equivalent use at list price",
		esc(r.Schema), esc(r.AsOf)))
}

func writeUser(p *page, r *recommend.Report, u *recommend.User, idx int) {
	id := fmt.Sprintf("u%d", idx+1)
	p.raw("<section class=\"user\">\n")
	p.heading(2, id, esc(u.User)+": "+esc(u.RecommendedName))
	answer := fmt.Sprintf("<strong>Recommended: %s</strong> for %s a month on average", esc(u.RecommendedName), amount(u.TotalUSDPerMonth))
	if u.NextBest != "" {
		answer += fmt.Sprintf(", saving %s a month (%s a year) against %s", amount(u.SavingsUSDPerMonth), amount(u.SavingsUSDPerYear), esc(altName(u, u.NextBest)))
	}
	conf := "confidence " + esc(u.Confidence)
	if len(u.ConfidenceNotes) > 0 {
		conf += " (" + esc(strings.Join(u.ConfidenceNotes, "; ")) + ")"
	}
	p.para("answer", answer+"; "+conf+".")
	p.para("reason", "Why: "+esc(u.Reason)+".")
	var notes []string
	for _, n := range u.Notes {
		notes = append(notes, esc(capitalize(n)))
	}
	p.bullets(notes)

	// Options x months.
	if len(u.Months) > 0 {
		c := &chart{
			id:     id + "-months",
			title:  u.User + ": what each option costs per month",
			xLabel: "Month", yLabel: "USD per month",
		}
		plans := u.Months[0].Plans
		for _, pc := range plans {
			c.series = append(c.series, optionLabel(pc))
		}
		for _, m := range u.Months {
			c.groups = append(c.groups, monthLabel(m.Period, m.Projected))
			row := make([]float64, len(plans))
			for k := range plans {
				if k < len(m.Plans) {
					row[k] = m.Plans[k].TotalUSD
				}
			}
			c.values = append(c.values, row)
		}
		c.mark = func(g, s int) bool { return plans[s].Plan == u.Recommended }
		c.desc = fmt.Sprintf("Grouped bars, one group per month, one bar per option. The recommended option, %s, is outlined and starred. The table below has the figures.", u.RecommendedName)
		t := &table{head: []string{"Option"}, num: []bool{false}}
		for _, m := range u.Months {
			t.head = append(t.head, monthLabel(m.Period, m.Projected))
			t.num = append(t.num, true)
		}
		t.head = append(t.head, "Per month")
		t.num = append(t.num, true)
		for k, pc := range plans {
			cells := []string{esc(optionLabel(pc))}
			for _, m := range u.Months {
				if k >= len(m.Plans) {
					cells = append(cells, "-")
					continue
				}
				mc := m.Plans[k]
				cell := amount(mc.TotalUSD)
				if mc.Cheapest {
					cell = "★ " + cell
				}
				if mc.OverflowUSD > 0 {
					cell += fmt.Sprintf("<br><small class=\"over\">incl. %s extra usage</small>", amount(mc.OverflowUSD))
				}
				if mc.CapHits5h+mc.CapHitsWeek > 0 {
					cell += fmt.Sprintf("<br><small>cap hits %s 5h / %s week</small>", count(int64(mc.CapHits5h)), count(int64(mc.CapHitsWeek)))
				}
				if !mc.Fits && r.NoExtraUsage {
					cell += "<br><small class=\"over\">does not fit</small>"
				}
				cells = append(cells, cell)
			}
			cells = append(cells, perMonth(u, pc.Plan))
			class := ""
			if pc.Plan == u.Recommended {
				class = "rec"
				cells[0] += " (recommended)"
			}
			t.add(class, cells...)
		}
		p.figure(c, t)
		p.para("", "<small>★ in the table: the cheapest option that month. Per month: the average over the months, as the recommendation compares them. Team seats are listed for comparison (see the team).</small>")
	}

	// Weeks against the weekly budgets.
	if len(u.Weeks) > 0 {
		c, t := spanChart(r, u.Weeks, id+"-weeks", u.User+": API-equivalent use per week against each plan's weekly budget", "Week starting", "USD per week", func(s recommend.SpanUse) string { return day(s.Start) }, false)
		p.figure(c, t)
	}
	// 5-hour windows against the 5-hour budgets.
	if len(u.Windows) > 0 {
		c, t := spanChart(r, u.Windows, id+"-windows", u.User+": API-equivalent use per 5-hour window against each plan's 5-hour budget", "Window start", "USD per 5-hour window", func(s recommend.SpanUse) string { return windowLabel(s.Start) }, true)
		p.figure(c, t)
	}

	var facts []string
	use := fmt.Sprintf("API-equivalent use %s a month at list price", amount(u.APICostUSDPerMonth))
	if u.BusiestWeekUSD > 0 {
		use += fmt.Sprintf("; busiest 5-hour window %s, busiest week %s", amount(u.BusiestWindowUSD), amount(u.BusiestWeekUSD))
	}
	facts = append(facts, use)
	if u.LimitHits > 0 {
		facts = append(facts, fmt.Sprintf("<span class=\"warn\">%s limit messages</span> in the logs in these months", count(int64(u.LimitHits))))
	}
	if pg := u.Programmatic; pg != nil {
		s := fmt.Sprintf("Programmatic use: CI %s (%s requests, priced on the API), SDK %s (%s requests)",
			amount(pg.CIUSD), count(pg.CIRequests), amount(pg.SDKUSD), count(pg.SDKRequests))
		if pg.SDKAtRisk {
			s += "; SDK use counts toward the plan today but may move to separate credits"
		}
		facts = append(facts, s)
	}
	if mx := u.Mix; mx != nil {
		facts = append(facts, fmt.Sprintf("Your token mix costs %s per million output tokens; you use %s output tokens a month",
			amount(mx.USDPerMOutput), countF(mx.OutputTokensPerMonth)))
	}
	if m := u.Measured; m != nil {
		facts = append(facts, fmt.Sprintf("Measured on %s from %s status-line snapshots: %s per 5-hour window, %s per week",
			esc(planName(r, m.Plan)), count(int64(m.Snapshots)), amount(m.FiveHourUSD), amount(m.WeekUSD)))
	}
	p.bullets(facts)
	p.raw("</section>\n")
}

// spanChart draws weeks or windows as bars with each capped plan's budget as a
// step line, limit hits marked. Long lists (windows) fold their table away.
func spanChart(r *recommend.Report, spans []recommend.SpanUse, id, title, xLabel, yLabel string, label func(recommend.SpanUse) string, fold bool) (*chart, *table) {
	c := &chart{id: id, title: title, xLabel: xLabel, yLabel: yLabel, series: []string{"API-equivalent use"}}
	// Plans with a budget in some span, in the catalogue's order.
	var plans []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			plans = append(plans, id)
		}
	}
	for _, pb := range r.PlanBudgets {
		for _, s := range spans {
			if s.Budgets[pb.Plan] > 0 {
				add(pb.Plan)
				break
			}
		}
	}
	for _, s := range spans { // budgets of plans the catalogue list lacks
		for k, v := range s.Budgets {
			if v > 0 && !seen[k] {
				add(k)
			}
		}
	}
	sortRest(plans, len(r.PlanBudgets))
	lines := make([]refLine, len(plans))
	for i, pl := range plans {
		lines[i].name = planName(r, pl) + " budget"
	}
	anyHits, busiest := false, 0.0
	over := make([]int, len(plans))
	for _, s := range spans {
		c.groups = append(c.groups, label(s))
		c.values = append(c.values, []float64{s.USD})
		c.hits = append(c.hits, s.Hits)
		anyHits = anyHits || s.Hits > 0
		busiest = max(busiest, s.USD)
		for i, pl := range plans {
			b := s.Budgets[pl]
			lines[i].values = append(lines[i].values, b)
			if b > 0 && s.USD > b {
				over[i]++
			}
		}
	}
	c.lines = lines
	if !anyHits {
		c.hits = nil
	}
	var parts []string
	for i, pl := range plans {
		parts = append(parts, fmt.Sprintf("%d over %s", over[i], planName(r, pl)))
	}
	c.desc = fmt.Sprintf("%d bars in time order; the busiest is %s.", len(spans), money(busiest))
	if len(parts) > 0 {
		c.desc += " Dashed step lines are the budgets: " + strings.Join(parts, ", ") + "."
	}
	if anyHits {
		c.desc += " Triangles mark spans with limit messages."
	}
	c.desc += " The table below has the figures."

	t := &table{head: []string{"Start", "End", "Use"}, num: []bool{false, false, true}}
	for _, pl := range plans {
		t.head = append(t.head, planName(r, pl)+" budget")
		t.num = append(t.num, true)
	}
	t.head = append(t.head, "Limit hits")
	t.num = append(t.num, true)
	for _, s := range spans {
		cells := []string{esc(s.Start), esc(s.End), amount(s.USD)}
		for _, pl := range plans {
			if b := s.Budgets[pl]; b > 0 {
				cell := amount(b)
				if s.USD > b {
					cell = "<span class=\"over\">" + cell + " (over)</span>"
				}
				cells = append(cells, cell)
			} else {
				cells = append(cells, "no cap")
			}
		}
		hits := "-"
		if s.Hits > 0 {
			hits = "<span class=\"warn\">" + count(int64(s.Hits)) + "</span>"
		}
		cells = append(cells, hits)
		t.add("", cells...)
	}
	if fold {
		t.details = fmt.Sprintf("All %d windows as a table", len(spans))
	}
	return c, t
}

// sortRest keeps the first n ids (catalogue order) and sorts the rest.
func sortRest(ids []string, n int) {
	rest := ids[min(n, len(ids)):]
	for i := 1; i < len(rest); i++ {
		for j := i; j > 0 && rest[j] < rest[j-1]; j-- {
			rest[j], rest[j-1] = rest[j-1], rest[j]
		}
	}
}

func writeTeam(p *page, r *recommend.Report) {
	t := r.Team
	p.raw("<section class=\"team\">\n")
	p.heading(2, "team", fmt.Sprintf("Team of %d: %s", len(t.Users), esc(teamName(r, t.Recommended))))
	s := fmt.Sprintf("<strong>Cheapest for the team: %s</strong> for %s a month", esc(teamName(r, t.Recommended)), amount(teamTotal(t, t.Recommended)))
	if t.SavingsUSDPerMonth > 0 {
		s += fmt.Sprintf(", saving %s a month (%s a year) against the next best", amount(t.SavingsUSDPerMonth), amount(t.SavingsUSDPerYear))
	}
	p.para("answer", s+".")
	c := &chart{id: "team-months", title: "The team: what each way to pay costs per month", xLabel: "Month", yLabel: "USD per month"}
	for _, o := range t.Options {
		c.series = append(c.series, teamName(r, o.Option))
	}
	for _, m := range t.Months {
		c.groups = append(c.groups, monthLabel(m.Period, m.Projected))
		row := make([]float64, len(t.Options))
		for k := range t.Options {
			if k < len(m.Options) {
				row[k] = m.Options[k].TotalUSD
			}
		}
		c.values = append(c.values, row)
	}
	c.mark = func(g, s int) bool { return t.Options[s].Option == t.Recommended }
	c.desc = fmt.Sprintf("Grouped bars, one group per month, one bar per way to pay. The cheapest, %s, is outlined and starred. The table below has the figures.", teamName(r, t.Recommended))
	tb := &table{head: []string{"Option"}, num: []bool{false}}
	for _, m := range t.Months {
		tb.head = append(tb.head, monthLabel(m.Period, m.Projected))
		tb.num = append(tb.num, true)
	}
	tb.head = append(tb.head, "Per month")
	tb.num = append(tb.num, true)
	for k, o := range t.Options {
		cells := []string{esc(teamName(r, o.Option))}
		for _, m := range t.Months {
			if k >= len(m.Options) {
				cells = append(cells, "-")
				continue
			}
			cell := amount(m.Options[k].TotalUSD)
			if m.Options[k].Cheapest {
				cell = "★ " + cell
			}
			cells = append(cells, cell)
		}
		per := amount(o.TotalUSDPerMonth)
		if !o.Fits {
			per += "<br><small class=\"over\">budgets ran out</small>"
		}
		cells = append(cells, per)
		class := ""
		if o.Option == t.Recommended {
			class = "rec"
			cells[0] += " (recommended)"
		}
		tb.add(class, cells...)
	}
	p.figure(c, tb)
	var who []string
	for _, o := range t.Options {
		if len(o.Assignments) == 0 {
			continue
		}
		var parts []string
		for _, u := range t.Users {
			if a, ok := o.Assignments[u]; ok {
				parts = append(parts, esc(u)+" "+esc(planName(r, a)))
			}
		}
		who = append(who, esc(teamName(r, o.Option))+": "+strings.Join(parts, ", "))
	}
	p.bullets(who)
	p.raw("</section>\n")
}

func writeBudgets(p *page, r *recommend.Report) {
	p.raw("<section class=\"budgets\">\n")
	p.heading(2, "budgets", "The budgets behind the figures")
	what := "Budgets are estimates, in API-equivalent USD at list price, from measurements people published (Anthropic publishes none); edit them with --plans FILE, or measure them with --current-plan and --calibrate."
	if r.Budgets == "calibrated" {
		what = "Budgets are calibrated from your own limit hits: the defaults scaled by the use at your limit hits."
	}
	p.para("", esc(what))
	t := &table{head: []string{"Plan", "Price a month", "Per 5-hour window", "Per week", "Since", "Source"}, num: []bool{false, true, true, true, false, false}}
	for _, b := range r.PlanBudgets {
		capped := func(x float64) string {
			if x > 0 {
				return amount(x)
			}
			return "no cap"
		}
		name := b.Name
		if b.Team {
			name += " (seat)"
		}
		t.add("", esc(name), amount(b.PriceUSD), capped(b.FiveHourUSD), capped(b.WeekUSD), esc(b.From), esc(b.Source))
	}
	p.raw(t.html())
	if c := r.Calibration; c != nil {
		var items []string
		for _, o := range []struct {
			name string
			v    *recommend.Observed
		}{{"5-hour window", c.FiveHour}, {"week", c.Week}} {
			if o.v != nil {
				items = append(items, fmt.Sprintf("On %s, your limit hits put the %s at %s (default %s, from %s).",
					esc(planName(r, c.Plan)), o.name, amount(o.v.ObservedUSD), amount(o.v.DefaultUSD), esc(pluralWord(o.v.Hits, "hit"))))
			}
		}
		p.bullets(items)
	}
	if len(r.BreakEven) > 0 {
		t := &table{caption: "Break-even, the pricing pages' way: output tokens a month that cost as much as the plan",
			head: []string{"Plan", "Provider", "Price", "Model", "Output per 1M", "Output tokens"}, num: []bool{false, false, true, false, true, true}}
		for _, be := range r.BreakEven {
			t.add("", esc(planName(r, be.Plan)), esc(be.Provider), amount(be.PriceUSD), esc(be.Model), amount(be.OutputUSDPerM), countF(be.OutputTokens))
		}
		p.raw(t.html())
	}
	if r.UnpricedRequests > 0 {
		p.para("unknown", fmt.Sprintf("%s requests of models without a price are left out of every cost.", count(r.UnpricedRequests)))
	}
	p.raw("</section>\n")
}

// perMonth is an option's average per month, as the report states it.
func perMonth(u *recommend.User, plan string) string {
	if plan == u.Recommended {
		return amount(u.TotalUSDPerMonth)
	}
	for _, a := range u.Alternatives {
		if a.Plan == plan {
			return amount(a.TotalUSDPerMonth)
		}
	}
	// Team seats are not alternatives: average the months.
	sum, n := 0.0, 0
	for _, m := range u.Months {
		for _, pc := range m.Plans {
			if pc.Plan == plan {
				sum += pc.TotalUSD
				n++
			}
		}
	}
	if n == 0 {
		return "-"
	}
	return dataTag("sum", sum/float64(n), money(sum/float64(n)))
}

func optionLabel(pc recommend.PlanCost) string {
	if pc.Team {
		return pc.Name + " (seat)"
	}
	return pc.Name
}

func monthLabel(period string, projected bool) string {
	if projected {
		return period + " (projected)"
	}
	return period
}

// day is the date of an RFC 3339 time: 2026-09-07.
func day(ts string) string {
	if len(ts) >= 10 {
		return ts[:10]
	}
	return ts
}

// windowLabel is a window's start, short: 09-07 14:00.
func windowLabel(ts string) string {
	if len(ts) >= 16 {
		return ts[5:10] + " " + ts[11:16]
	}
	return ts
}

func altName(u *recommend.User, id string) string {
	for _, a := range u.Alternatives {
		if a.Plan == id {
			return a.Name
		}
	}
	return id
}

func planName(r *recommend.Report, id string) string { return r.PlanName(id) }

func teamName(r *recommend.Report, id string) string { return r.TeamOptionName(id) }

func teamTotal(t *recommend.Team, id string) float64 {
	for _, o := range t.Options {
		if o.Option == id {
			return o.TotalUSDPerMonth
		}
	}
	return 0
}
