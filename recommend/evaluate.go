package recommend

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/usagescan/usagescan/pricing"
)

// option is one way for one user to pay, priced in every month of the report.
type option struct {
	id, name   string
	plan       *Plan            // nil for the API
	provider   pricing.Provider // the API's provider
	individual bool             // an option for one person (not a team seat)
	monthly    []PlanCost       // per report month, unrounded, projected
	run        planRun          // subscriptions only
	sum        float64          // total over the user's months
	fitsAll    bool
	eligible   bool
}

// apiID names the API option through provider p.
func (e *engine) apiID(p pricing.Provider) string {
	if strings.EqualFold(p.ID, "anthropic") {
		return e.api.ID
	}
	return e.api.ID + ":" + p.ID
}

// options prices every plan for user u with budgets scaled by s5 and sWk.
func (e *engine) options(u *userData, s5, sWk float64) []*option {
	var opts []*option
	first := e.providers[0].Multiplier
	for _, p := range e.subs {
		o := &option{id: p.ID, name: p.Name, plan: p, individual: !p.Team}
		p5, pWk := e.planScales(u.name, p, s5, sWk)
		o.run = u.tl.run(p, p5, pWk, len(e.months))
		for m, per := range e.months {
			f := per.factor
			a := &u.months[m]
			pc := PlanCost{
				Plan: p.ID, Name: p.Name, Team: p.Team, PriceUSD: p.PriceUSD,
				OverflowUSD: o.run.overflow[m] * f,
				APIOnlyUSD:  a.ci * first * f,
				CapHits5h:   scaleCount(o.run.hits5[m], f),
				CapHitsWeek: scaleCount(o.run.hitsWk[m], f),
				// A month whose use went past a budget does not fit, even when
				// the budget ran out before the month began (a window or week
				// spanning the month boundary, or starting before the range):
				// then the month has overflow but no cap hit of its own.
				Fits:      o.run.hits5[m]+o.run.hitsWk[m] == 0 && o.run.overflow[m] <= epsilon,
				WaitHours: o.run.wait[m].Hours() * f,
			}
			pc.TotalUSD = pc.PriceUSD + pc.APIOnlyUSD
			if !e.opt.NoExtraUsage {
				pc.TotalUSD += pc.OverflowUSD
			}
			o.monthly = append(o.monthly, pc)
		}
		opts = append(opts, o)
	}
	for _, pr := range e.providers {
		o := &option{id: e.apiID(pr), name: e.api.Name, provider: pr, individual: true}
		if !strings.EqualFold(pr.ID, "anthropic") {
			o.name = e.api.Name + " (" + pr.ID + ")"
		}
		for m, per := range e.months {
			total := u.months[m].list * pr.Multiplier * per.factor
			o.monthly = append(o.monthly, PlanCost{Plan: o.id, Name: o.name, Provider: pr.ID, TotalUSD: total, Fits: true})
		}
		opts = append(opts, o)
	}
	for _, o := range opts {
		o.fitsAll = true
		for _, m := range u.active {
			o.sum += o.monthly[m].TotalUSD
			o.fitsAll = o.fitsAll && o.monthly[m].Fits
		}
		o.eligible = o.individual && (o.fitsAll || !e.opt.NoExtraUsage)
	}
	return opts
}

// scaleCount projects a count, keeping at least 1 when there was one.
func scaleCount(n int, f float64) int {
	if n == 0 || f == 1 {
		return n
	}
	return max(1, int(math.Round(float64(n)*f)))
}

// ranked returns the individual options, the eligible ones first, cheapest first.
func ranked(opts []*option) []*option {
	var out []*option
	for _, o := range opts {
		if o.individual {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.eligible != b.eligible {
			return a.eligible
		}
		if d := a.sum - b.sum; math.Abs(d) > 1e-6 {
			return d < 0
		}
		return priceOf(a) < priceOf(b)
	})
	return out
}

func priceOf(o *option) float64 {
	if o.plan == nil {
		return 0
	}
	return o.plan.PriceUSD
}

// cheapestIn returns the cheapest option the user can choose in month m.
func (e *engine) cheapestIn(opts []*option, m int) *option {
	var best *option
	for _, o := range opts {
		pc := &o.monthly[m]
		if !o.individual || (e.opt.NoExtraUsage && !pc.Fits) {
			continue
		}
		if best == nil || pc.TotalUSD < best.monthly[m].TotalUSD-1e-6 {
			best = o
		}
	}
	return best
}

// user builds one user's recommendation.
func (e *engine) user(u *userData, calibrated bool) User {
	u.opts = e.options(u, e.scale5, e.scaleWk)
	rank := ranked(u.opts)
	best := rank[0]
	u.best = best
	n := float64(len(u.active))
	out := User{
		User: u.name, Recommended: best.id, RecommendedName: best.name,
		TotalUSDPerMonth: usd(best.sum / n),
		Alternatives:     []Alternative{},
	}
	if len(rank) > 1 && rank[1].eligible {
		next := rank[1]
		out.NextBest = next.id
		out.SavingsUSDPerMonth = usd((next.sum - best.sum) / n)
		out.SavingsUSDPerYear = usd((next.sum - best.sum) / n * 12)
	}
	for _, o := range rank[1:] {
		out.Alternatives = append(out.Alternatives, Alternative{
			Plan: o.id, Name: o.name,
			TotalUSDPerMonth: usd(o.sum / n),
			ExtraUSDPerMonth: usd((o.sum - best.sum) / n),
			ExtraUSDPerYear:  usd((o.sum - best.sum) / n * 12),
			Fits:             o.fitsAll, Eligible: o.eligible,
		})
	}

	// Months.
	var list, ci, sdk, output float64
	var ciReqs, sdkReqs int64
	days := 0
	records := 0
	for _, m := range u.active {
		a := &u.months[m]
		per := e.months[m]
		f := per.factor
		mo := Month{
			Period: per.label, Projected: per.projected,
			APICostUSD: usd(a.list * f), Requests: a.requests, ActiveDays: len(a.days),
			CIUSD: usd(a.ci * f), SDKUSD: usd(a.sdk * f),
		}
		if per.projected {
			mo.ProjectionFactor = math.Round(f*1e4) / 1e4
		}
		for _, h := range u.hits {
			if h.Kind.Stop() && e.monthOf(h.Time) == m {
				mo.LimitHits++
				if mo.LimitHitsByKind == nil {
					mo.LimitHitsByKind = map[string]int{}
				}
				mo.LimitHitsByKind[string(h.Kind)]++
			}
		}
		cheapest := e.cheapestIn(u.opts, m)
		for _, o := range u.opts {
			pc := roundCost(o.monthly[m])
			pc.Cheapest = o == cheapest
			mo.Plans = append(mo.Plans, pc)
		}
		out.Months = append(out.Months, mo)
		out.LimitHits += mo.LimitHits
		list += a.list * f
		ci += a.ci * f
		sdk += a.sdk * f
		output += a.output * f
		ciReqs += a.ciReqs
		sdkReqs += a.sdkReqs
		days += len(a.days)
		records += a.records
	}
	out.APICostUSDPerMonth = usd(list / n)
	win, wk := u.tl.busiest()
	out.BusiestWindowUSD, out.BusiestWeekUSD = usd(win), usd(wk)

	if ci > 0 || sdk > 0 {
		p := &Programmatic{CIUSD: usd(ci / n), CIRequests: ciReqs, SDKUSD: usd(sdk / n), SDKRequests: sdkReqs, SDKAtRisk: sdk > 0}
		for ep := range u.entries {
			p.Entrypoints = append(p.Entrypoints, ep)
		}
		slices.Sort(p.Entrypoints)
		out.Programmatic = p
	}
	if output > 0 {
		out.Mix = e.mix(list, output, n)
	}
	out.Confidence, out.ConfidenceNotes = e.confidence(u, rank, days, records, calibrated || e.measuredFor(u.name) != nil)
	out.Reason = e.reason(u, rank)
	out.Notes = e.userNotes(u, out, ci/n, sdk/n, list/n)
	e.applyMeasured(u, &out)
	return out
}

// roundCost rounds a plan cost's amounts for output.
func roundCost(pc PlanCost) PlanCost {
	pc.PriceUSD = usd(pc.PriceUSD)
	pc.OverflowUSD = usd(pc.OverflowUSD)
	pc.APIOnlyUSD = usd(pc.APIOnlyUSD)
	pc.TotalUSD = usd(pc.TotalUSD)
	pc.WaitHours = math.Round(pc.WaitHours*100) / 100
	return pc
}

// mix computes the user's own break-even from list cost and output tokens
// (both per the months, projected).
func (e *engine) mix(list, output, n float64) *Mix {
	mx := &Mix{OutputTokensPerMonth: math.Round(output / n), USDPerMOutput: usd(list / output * 1e6)}
	rule := e.rule.RatesAt(e.now).Output
	for _, pr := range e.providers {
		for _, p := range e.subs {
			if p.Team {
				continue
			}
			be := MixBreakEven{Plan: p.ID, Provider: pr.ID, PriceUSD: p.PriceUSD}
			if perM := list / output * 1e6 * pr.Multiplier; perM > 0 {
				be.OutputTokens = math.Round(p.PriceUSD / perM * 1e6)
			}
			be.RuleOutputTokens = math.Round(p.PriceUSD / (rule * pr.Multiplier) * 1e6)
			if be.OutputTokens > 0 {
				be.RuleOverMix = math.Round(be.RuleOutputTokens/be.OutputTokens*100) / 100
			}
			mx.BreakEven = append(mx.BreakEven, be)
		}
	}
	return mx
}

// confidence rates a recommendation: low when the months disagree, when the
// default budgets are near a boundary (25% lower or higher budgets change the
// answer), or when the data is thin; medium for one month of data or a margin
// under 10%; high otherwise.
func (e *engine) confidence(u *userData, rank []*option, days, records int, calibrated bool) (string, []string) {
	best := rank[0]
	var low, medium []string
	if days < 7 || records < 20 {
		low = append(low, fmt.Sprintf("thin data: %s, %s", pluralWord(days, "active day"), pluralWord(records, "request")))
	}
	var differ []string
	for _, m := range u.active {
		if c := e.cheapestIn(u.opts, m); c != nil && c.id != best.id {
			differ = append(differ, e.months[m].label+" "+c.id)
		}
	}
	if len(differ) > 0 {
		low = append(low, "the cheapest option differs by month: "+strings.Join(differ, ", "))
	}
	if !calibrated && len(e.subs) > 0 {
		for _, s := range []struct {
			f    float64
			word string
		}{{0.75, "lower"}, {1.25, "higher"}} {
			alt := ranked(e.options(u, e.scale5*s.f, e.scaleWk*s.f))[0]
			if alt.id != best.id {
				low = append(low, fmt.Sprintf("with budgets 25%% %s, %s would be cheapest: the budgets are estimates and this use is near a boundary", s.word, alt.id))
			}
		}
	}
	if len(low) > 0 {
		return "low", low
	}
	if len(u.active) == 1 {
		medium = append(medium, "one month of data")
	}
	if len(rank) > 1 && rank[1].eligible && rank[1].sum-best.sum < 0.1*best.sum {
		medium = append(medium, fmt.Sprintf("%s is within 10%%", rank[1].id))
	}
	if len(medium) > 0 {
		return "medium", medium
	}
	return "high", nil
}

// reason says in one sentence why the recommendation wins.
func (e *engine) reason(u *userData, rank []*option) string {
	best := rank[0]
	n := float64(len(u.active))
	win, wk := u.tl.busiest()
	var cheapestAPI, cheapestSub *option
	for _, o := range rank {
		if o.plan == nil && cheapestAPI == nil {
			cheapestAPI = o
		}
		if o.plan != nil && o.eligible && cheapestSub == nil {
			cheapestSub = o
		}
	}
	apiAvg := cheapestAPI.sum / n
	apiVia := ""
	if !strings.EqualFold(cheapestAPI.provider.ID, "anthropic") {
		apiVia = " through " + cheapestAPI.provider.ID
	}
	if best.plan == nil {
		var list, ci float64
		for _, m := range u.active {
			list += u.months[m].list * e.months[m].factor
			ci += u.months[m].ci * e.months[m].factor
		}
		via := ""
		if !strings.EqualFold(best.provider.ID, "anthropic") {
			via = " through " + best.provider.ID
		}
		if list > 0 && ci >= list-1e-9 {
			return fmt.Sprintf("all of this use is CI, which runs on an API key: the API%s costs %s a month", via, money(best.sum/n))
		}
		s := fmt.Sprintf("your API-equivalent use averages %s a month (busiest week %s); the API%s bills %s", money(list/n), money(wk), via, money(best.sum/n))
		if cheapestSub != nil {
			s += ", less than " + e.subCost(cheapestSub, n)
		}
		return s
	}
	// A subscription: cite the budget that rules out the next cheaper plan.
	busiest, what := wk, "weeks reach"
	var cheaper *option
	for _, o := range rank {
		if o.plan != nil && o.individual && o.plan.PriceUSD < best.plan.PriceUSD &&
			(cheaper == nil || o.plan.PriceUSD > cheaper.plan.PriceUSD) {
			cheaper = o
		}
	}
	if cheaper != nil {
		// The budget the use overshoots most is the story.
		b5, bWk := cheaper.plan.BudgetsAt(e.now)
		if win/(b5*e.scale5) > wk/(bWk*e.scaleWk) {
			busiest, what = win, "5-hour windows reach"
		}
	}
	over := 0.0
	for _, m := range u.active {
		over += best.monthly[m].OverflowUSD
	}
	head := fmt.Sprintf("your busiest %s %s of API-equivalent use; ", what, money(busiest))
	if over/n < 0.005 || e.opt.NoExtraUsage {
		return head + fmt.Sprintf("%s covers that for %s a month, the API%s would cost %s", best.name, money(best.plan.PriceUSD), apiVia, money(apiAvg))
	}
	return head + fmt.Sprintf("%s at %s plus about %s a month of extra usage (%s) still costs less than the API%s at %s",
		best.name, money(best.plan.PriceUSD), money(over/n), money(best.sum/n), apiVia, money(apiAvg))
}

// subCost describes a subscription's monthly cost.
func (e *engine) subCost(o *option, n float64) string {
	over := o.sum/n - o.plan.PriceUSD
	if over < 0.005 || e.opt.NoExtraUsage {
		return fmt.Sprintf("%s at %s", o.name, money(o.plan.PriceUSD))
	}
	return fmt.Sprintf("%s at %s (%s a month with extra usage)", o.name, money(o.plan.PriceUSD), money(o.sum/n))
}

// userNotes are the things a user should hear besides the answer.
func (e *engine) userNotes(u *userData, out User, ci, sdk, list float64) []string {
	var notes []string
	if out.LimitHits > 0 {
		var per []string
		for _, m := range out.Months {
			if m.LimitHits > 0 {
				per = append(per, fmt.Sprintf("%s: %d", m.Period, m.LimitHits))
			}
		}
		on := ""
		if e.current != nil {
			on = " on " + e.current.Name
		}
		times := fmt.Sprintf("%d times", out.LimitHits)
		if out.LimitHits == 1 {
			times = "once"
		}
		notes = append(notes, fmt.Sprintf("you hit a usage limit%s %s (%s)", on, times, strings.Join(per, ", ")))
	}
	if ci > 0 {
		notes = append(notes, fmt.Sprintf("CI use (%s a month) runs on an API key: it is priced on the API in every option", money(ci)))
	}
	if sdk > 0 {
		notes = append(notes, fmt.Sprintf("%s a month (%.0f%%) comes from sdk-* entrypoints (claude -p, Agent SDK): it counts toward a subscription today, but a move to separate credits was announced (paused in June 2026)", money(sdk), 100*sdk/math.Max(list, 1e-9)))
	}
	if m := u.active[0]; !e.months[m].projected && u.first.Sub(e.months[m].start) > 3*24*time.Hour {
		notes = append(notes, fmt.Sprintf("the logs start on %s: if you used Claude Code before that, %s is only partly covered (Claude Code deletes transcripts after 30 days unless cleanupPeriodDays is raised)",
			u.first.In(e.loc).Format("Jan 2"), e.months[m].label))
	}
	var unpriced int64
	for _, m := range u.active {
		unpriced += u.months[m].unpriced
	}
	if unpriced > 0 {
		notes = append(notes, fmt.Sprintf("%d requests of models without a price are left out", unpriced))
	}
	return notes
}

// team compares ways for all users to pay together.
func (e *engine) team(users []*userData) *Team {
	t := &Team{}
	var months []int
	for _, u := range users {
		t.Users = append(t.Users, u.name)
		for _, m := range u.active {
			if !slices.Contains(months, m) {
				months = append(months, m)
			}
		}
	}
	slices.Sort(months)
	type teamOpt struct {
		TeamOption
		monthly []float64 // per report month
		fits    bool
	}
	var opts []*teamOpt
	add := func(name string, pick func(u *userData) *option) {
		o := &teamOpt{TeamOption: TeamOption{Option: name, Assignments: map[string]string{}}, monthly: make([]float64, len(e.months)), fits: true}
		for _, u := range users {
			uo := pick(u)
			if uo == nil {
				return
			}
			o.Assignments[u.name] = uo.id
			for _, m := range months {
				o.monthly[m] += uo.monthly[m].TotalUSD
				o.fits = o.fits && uo.monthly[m].Fits
			}
		}
		opts = append(opts, o)
	}
	byID := func(id string) func(u *userData) *option {
		return func(u *userData) *option {
			for _, o := range u.opts {
				if o.id == id {
					return o
				}
			}
			return nil
		}
	}
	add("own-best", func(u *userData) *option { return u.best })
	var seats []string
	for _, p := range e.subs {
		if p.Team {
			seats = append(seats, p.ID)
			add(p.ID, byID(p.ID))
		}
	}
	if len(seats) > 1 {
		add("team-mixed", func(u *userData) *option {
			var best *option
			for _, id := range seats {
				o := byID(id)(u)
				sum := 0.0
				for _, m := range months {
					sum += o.monthly[m].TotalUSD
				}
				o2 := *o
				o2.sum = sum
				o2.fitsAll = true
				for _, m := range months {
					o2.fitsAll = o2.fitsAll && o.monthly[m].Fits
				}
				switch {
				case best == nil:
					best = &o2
				case e.opt.NoExtraUsage && o2.fitsAll != best.fitsAll:
					if o2.fitsAll {
						best = &o2
					}
				case sum < best.sum-1e-6:
					best = &o2
				}
			}
			return best
		})
	}
	for _, pr := range e.providers {
		add(e.apiID(pr), byID(e.apiID(pr)))
		opts[len(opts)-1].Assignments = nil // one pooled balance
	}
	if opts[0].Option == "own-best" {
		opts[0].fits = true // each user's own choice is one they can make
	}
	n := float64(len(months))
	for _, o := range opts {
		sum := 0.0
		for _, m := range months {
			sum += o.monthly[m]
		}
		o.TotalUSDPerMonth = sum / n
	}
	order := slices.Clone(opts)
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		ea, eb := a.fits || !e.opt.NoExtraUsage, b.fits || !e.opt.NoExtraUsage
		if ea != eb {
			return ea
		}
		return a.TotalUSDPerMonth < b.TotalUSDPerMonth-1e-6
	})
	t.Recommended = order[0].Option
	if len(order) > 1 && (order[1].fits || !e.opt.NoExtraUsage) {
		d := order[1].TotalUSDPerMonth - order[0].TotalUSDPerMonth
		t.SavingsUSDPerMonth, t.SavingsUSDPerYear = usd(d), usd(d*12)
	}
	for _, o := range opts {
		to := o.TeamOption
		to.TotalUSDPerMonth = usd(to.TotalUSDPerMonth)
		to.Fits = o.fits
		t.Options = append(t.Options, to)
	}
	for _, m := range months {
		tm := TeamMonth{Period: e.months[m].label, Projected: e.months[m].projected}
		var cheapest *teamOpt
		for _, o := range opts {
			if (o.fits || !e.opt.NoExtraUsage) && (cheapest == nil || o.monthly[m] < cheapest.monthly[m]-1e-6) {
				cheapest = o
			}
		}
		for _, o := range opts {
			tm.Options = append(tm.Options, TeamMonthTotal{Option: o.Option, TotalUSD: usd(o.monthly[m]), Cheapest: o == cheapest})
		}
		t.Months = append(t.Months, tm)
	}
	return t
}

// breakEven is the output-only rule for every plan and provider.
func (e *engine) breakEven() []BreakEven {
	rate := e.rule.RatesAt(e.now).Output
	var out []BreakEven
	for _, pr := range e.providers {
		for _, p := range e.subs {
			r := rate * pr.Multiplier
			out = append(out, BreakEven{
				Plan: p.ID, Provider: pr.ID, PriceUSD: p.PriceUSD, Model: e.rule.ID,
				OutputUSDPerM: usd(r), OutputTokens: math.Round(p.PriceUSD / r * 1e6),
			})
		}
	}
	return out
}

// planBudgets lists the budgets in use now (scaled when calibrated).
func (e *engine) planBudgets() []PlanBudget {
	var out []PlanBudget
	for _, p := range e.subs {
		era := p.EraAt(e.now)
		pb := PlanBudget{Plan: p.ID, Name: p.Name, PriceUSD: p.PriceUSD, Team: p.Team, From: era.From}
		var src []string
		if era.FiveHour != nil {
			pb.FiveHourUSD = usd(era.FiveHour.USD * e.scale5)
			if era.FiveHour.Source != "" {
				src = append(src, "5-hour: "+era.FiveHour.Source)
			}
		}
		if era.Week != nil {
			pb.WeekUSD = usd(era.Week.USD * e.scaleWk)
			if era.Week.Source != "" {
				src = append(src, "week: "+era.Week.Source)
			}
		}
		pb.Source = strings.Join(src, "; ")
		out = append(out, pb)
	}
	return out
}

// calibrate measures the use in the window or week of each limit hit of the
// users, taken to be on the current plan, and with Options.Calibrate sets the
// budget scales.
func (e *engine) calibrate(users []*userData, hits []Hit) *Calibration {
	c := &Calibration{Plan: e.current.ID, Observations: []Observation{}}
	byName := map[string]*userData{}
	for _, u := range users {
		byName[u.name] = u
	}
	var r5, rWk []float64
	for _, h := range hits {
		u := byName[h.User]
		if u == nil || !h.Kind.Stop() || e.monthOf(h.Time) < 0 {
			continue
		}
		kind := ""
		switch h.Kind {
		case KindSession:
			kind = "5h"
		case KindWeekly:
			kind = "week"
		case KindLimit:
			if h.Reset.IsZero() {
				continue
			}
			_, w, okW := u.tl.usageAt(u.tl.windows, h.Time)
			_, k, okK := u.tl.usageAt(u.tl.weeks, h.Time)
			switch {
			case okW && (!okK || absDur(h.Reset.Sub(w.End)) <= absDur(h.Reset.Sub(k.End))):
				kind = "5h"
			case okK:
				kind = "week"
			}
		}
		if kind == "" {
			continue
		}
		spans := u.tl.windows
		if kind == "week" {
			spans = u.tl.weeks
		}
		used, sp, ok := u.tl.usageAt(spans, h.Time)
		if !ok || used <= 0 {
			continue
		}
		d5, dWk := e.current.BudgetsAt(sp.Start)
		def := d5
		if kind == "week" {
			def = dWk
		}
		if math.IsInf(def, 0) || def <= 0 {
			continue
		}
		c.Observations = append(c.Observations, Observation{
			User: h.User, Time: h.Time.In(e.loc).Format(time.RFC3339), Budget: kind, USD: usd(used), DefaultUSD: def,
		})
		if kind == "5h" {
			r5 = append(r5, used/def)
		} else {
			rWk = append(rWk, used/def)
		}
	}
	latest := e.current.EraAt(e.now)
	observed := func(ratios []float64, b *Budget) *Observed {
		if len(ratios) == 0 || b == nil {
			return nil
		}
		f := median(ratios)
		return &Observed{DefaultUSD: b.USD, ObservedUSD: usd(f * b.USD), Factor: math.Round(f*1e4) / 1e4, Hits: len(ratios)}
	}
	c.FiveHour = observed(r5, latest.FiveHour)
	c.Week = observed(rWk, latest.Week)
	if e.opt.Calibrate {
		if c.FiveHour != nil {
			e.scale5, c.Applied = median(r5), true
		}
		if c.Week != nil {
			e.scaleWk, c.Applied = median(rWk), true
		}
		if !c.Applied {
			e.notes = append(e.notes, "no limit hits to calibrate from: the default budgets are used")
		}
	}
	return c
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
