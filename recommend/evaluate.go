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
	// observed: the user was stopped on this plan (the current one) in an
	// active month; unknown says why such a plan, or a smaller one, is not
	// eligible: its cost is unknown, the blocked demand is not in the logs.
	observed bool
	unknown  string
}

// apiID names the API option through provider p.
func (e *engine) apiID(p pricing.Provider) string {
	if strings.EqualFold(p.ID, "anthropic") {
		return e.api.ID
	}
	return e.api.ID + ":" + p.ID
}

// seatShare is how many seats each user's share of a team of the report's
// users pays for: a team pays for at least the minimum seats (a solo user pays
// for 5 Team seats, a team of 3 too, 5/3 each).
func (e *engine) seatShare() float64 {
	n := max(e.nUsers, 1)
	return float64(max(n, e.cat.rules.MinSeatsAt(e.now))) / float64(n)
}

// price is plan p's monthly price for one user under the billing, team seats as
// the user's share of the minimum seats.
func (e *engine) price(p *Plan) float64 {
	x := p.PriceFor(e.opt.Billing)
	if p.Team {
		x *= e.seatShare()
	}
	return x
}

// options prices every plan for user u with budgets scaled by s5 and sWk.
func (e *engine) options(u *userData, s5, sWk float64) []*option {
	var opts []*option
	first := e.providers[0].Multiplier
	obs := e.observedHits(u)
	for _, p := range e.subs {
		o := &option{id: p.ID, name: p.NameAt(e.now), plan: p, individual: !p.Team}
		p5, pWk := e.planScales(u.name, p, s5, sWk)
		o.run = u.tl.run(p, e.cat, p5, pWk, len(e.months))
		for m := range e.months {
			f := u.factor[m]
			a := &u.months[m]
			pc := PlanCost{
				Plan: p.ID, Name: o.name, Team: p.Team, PriceUSD: e.price(p),
				OverflowUSD:    o.run.overflow[m] * f,
				LongContextUSD: o.run.byCause[causeLong][m] * f,
				APIOnlyUSD:     a.ci * first * f,
				CapHits5h:      scaleCount(o.run.hits5[m], f),
				CapHitsWeek:    scaleCount(o.run.hitsWk[m], f),
				CapHitsModel:   scaleCount(o.run.hitsModel[m], f),
				// A month whose use went past a budget does not fit, even when
				// the budget ran out before the month began (a window or week
				// spanning the month boundary, or starting before the range):
				// then the month has overflow but no cap hit of its own.
				// 1M-context requests are overflow too: extra usage by rule.
				Fits:      o.run.hits5[m]+o.run.hitsWk[m]+o.run.hitsModel[m] == 0 && o.run.overflow[m] <= epsilon,
				WaitHours: o.run.wait[m].Hours() * f,
			}
			// The user was stopped on the current plan this month: it is
			// observed not to fit, whatever the simulation of the logged use
			// (what was left after the blocking) says.
			if obs != nil && p == e.current && obs[m].total() > 0 {
				pc.ObservedHits = obs[m].total()
				pc.CapHits5h = max(pc.CapHits5h, obs[m].h5)
				pc.CapHitsWeek = max(pc.CapHitsWeek, obs[m].wk)
				pc.CapHitsModel = max(pc.CapHitsModel, obs[m].model)
				pc.Fits = false
			}
			if p.YearlyUSD > 0 && p.YearlyUSD != p.PriceUSD {
				pc.PriceMonthlyUSD, pc.PriceYearlyUSD = p.PriceUSD, p.YearlyUSD
			}
			if p.Team {
				pc.Seats = e.seatShare()
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
		for m := range e.months {
			total := u.months[m].list * pr.Multiplier * u.factor[m]
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
	e.blockObserved(u, opts)
	return opts
}

// blockObserved makes the current plan, when the user was stopped on it, not
// eligible (its cost is unknown: the blocked demand is not in the logs), and
// with it every smaller individual plan (a cheaper one, which would have
// stopped them too), provided another eligible option fits every month the
// user was stopped in. Otherwise nothing changes.
func (e *engine) blockObserved(u *userData, opts []*option) {
	var cur *option
	for _, o := range opts {
		if o.plan != nil && o.plan == e.current {
			cur = o
		}
	}
	if cur == nil {
		return
	}
	var months []int
	for _, m := range u.active {
		if cur.monthly[m].ObservedHits > 0 {
			months = append(months, m)
		}
	}
	if len(months) == 0 {
		return
	}
	cur.observed = true
	smaller := func(o *option) bool {
		return o != cur && o.plan != nil && o.individual && e.price(o.plan) < e.price(cur.plan)
	}
	room := false
	for _, o := range opts {
		if o == cur || smaller(o) || !o.eligible {
			continue
		}
		fits := true
		for _, m := range months {
			fits = fits && o.monthly[m].Fits
		}
		room = room || fits
	}
	if !room {
		return
	}
	n := 0
	for _, m := range months {
		n += cur.monthly[m].ObservedHits
	}
	for _, o := range opts {
		switch {
		case o == cur:
			o.unknown = fmt.Sprintf("you were stopped %s on %s: the logged use understates what you wanted, so its real cost is unknown", times(n), cur.name)
		case smaller(o):
			o.unknown = fmt.Sprintf("smaller than %s, on which you were stopped %s", cur.name, times(n))
		default:
			continue
		}
		o.eligible = false
	}
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
		if !o.individual || (e.opt.NoExtraUsage && !pc.Fits) || o.unknown != "" {
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
			Fits:             o.fitsAll, Eligible: o.eligible, Reason: o.unknown,
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
		f := u.factor[m]
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
	out.MonthsActive, out.MonthsInRange = len(u.active), len(e.months)
	out.Windows, out.Weeks = e.spans(u)
	out.BlockedHours = math.Round(e.blocked(u).Hours()*100) / 100
	out.Binding = e.binding(u, rank)
	out.Confidence, out.ConfidenceNotes = e.confidence(u, rank, days, records, calibrated || e.measuredFor(u.name) != nil, &out)
	out.Reason = e.reason(u, rank, &out)
	out.Notes = e.userNotes(u, out, ci/n, sdk/n, list/n)
	e.applyMeasured(u, &out)
	return out
}

// spans returns the user's windows and weeks that hold use in the range, with
// each subscription's budget for the span (the rule in force at its start,
// scaled when calibrated) and the limit messages inside it.
func (e *engine) spans(u *userData) (windows, weeks []SpanUse) {
	conv := func(sps []Span, week bool) []SpanUse {
		var out []SpanUse
		for _, sp := range sps {
			x, any := u.tl.inRange(sp)
			if !any {
				continue
			}
			su := SpanUse{Start: sp.Start.In(e.loc).Format(time.RFC3339), End: sp.End.In(e.loc).Format(time.RFC3339), USD: usd(x)}
			for _, p := range e.subs {
				var b float64
				s5, sWk := e.planScales(u.name, p, e.scale5, e.scaleWk)
				if week {
					b, _ = e.cat.WeekLimits(p, sp.Start)
					b *= sWk
				} else {
					b = e.cat.WindowBudget(p, sp.Start) * s5
				}
				if !math.IsInf(b, 0) {
					if su.Budgets == nil {
						su.Budgets = map[string]float64{}
					}
					su.Budgets[p.ID] = usd(b)
				}
			}
			for _, h := range u.hits {
				if h.Kind.Stop() && !h.Time.Before(sp.Start) && h.Time.Before(sp.End) {
					su.Hits++
				}
			}
			out = append(out, su)
		}
		return out
	}
	return conv(u.tl.windows, false), conv(u.tl.weeks, true)
}

// blocked is the time the user's own limit messages in the range stopped them:
// from each message to the reset it showed, or else to the end of the window
// (or week, for a weekly limit) that holds it; overlaps counted once.
func (e *engine) blocked(u *userData) time.Duration {
	type iv struct{ from, to time.Time }
	var ivs []iv
	for _, h := range u.hits {
		if !h.Kind.Stop() || e.monthOf(h.Time) < 0 {
			continue
		}
		to := h.Reset
		if to.IsZero() {
			spans := u.tl.windows
			if h.Kind == KindWeekly {
				spans = u.tl.weeks
			}
			if _, sp, ok := u.tl.usageAt(spans, h.Time); ok {
				to = sp.End
			}
		}
		if to.After(h.Time) {
			ivs = append(ivs, iv{h.Time, to})
		}
	}
	slices.SortFunc(ivs, func(a, b iv) int { return a.from.Compare(b.from) })
	var total time.Duration
	var end time.Time
	for _, x := range ivs {
		if x.from.Before(end) {
			x.from = end
		}
		if x.to.After(x.from) {
			total += x.to.Sub(x.from)
			end = x.to
		}
	}
	return total
}

// causeOf is the largest cause of o's in-range overflow, or -1 for none.
func (u *userData) causeOf(o *option) int {
	best, most := -1, 0.005
	for c := range nCauses {
		x := 0.0
		for _, m := range u.active {
			x += o.run.byCause[c][m]
		}
		if x > most {
			best, most = c, x
		}
	}
	return best
}

// bindingName names a cause for output: "5-hour", "week", "model cap (opus)",
// "1M context".
func bindingName(o *option, c int) string {
	switch c {
	case cause5h:
		return "5-hour"
	case causeWeek:
		return "week"
	case causeModel:
		f, most := -1, 0.0
		for i, x := range o.run.famOver {
			if x > most {
				f, most = i, x
			}
		}
		if f >= 0 {
			return "model cap (" + families[f] + ")"
		}
		return "model cap"
	case causeLong:
		return "1M context"
	}
	return ""
}

// cheaperSub is the dearest individual subscription cheaper than best: the one
// best won over by having room.
func (e *engine) cheaperSub(rank []*option, best *option) *option {
	if best.plan == nil {
		return nil
	}
	var cheaper *option
	for _, o := range rank {
		if o.plan != nil && o.individual && e.price(o.plan) < e.price(best.plan) &&
			(cheaper == nil || e.price(o.plan) > e.price(cheaper.plan)) {
			cheaper = o
		}
	}
	return cheaper
}

// binding names the budget that decides the answer: the recommended plan's own
// when it overflows, else the one that rules out the next cheaper plan, else
// (the API recommended) the one that makes the cheapest subscription overflow.
func (e *engine) binding(u *userData, rank []*option) string {
	best := rank[0]
	if best.plan != nil {
		if c := u.causeOf(best); c >= 0 {
			return bindingName(best, c)
		}
		if ch := e.cheaperSub(rank, best); ch != nil {
			if ch.unknown != "" {
				if b := e.observedBinding(u); b != "" {
					return b
				}
			}
			if c := u.causeOf(ch); c >= 0 {
				return bindingName(ch, c)
			}
		}
		return ""
	}
	for _, o := range rank {
		if o.plan != nil && o.individual {
			if c := u.causeOf(o); c >= 0 {
				return bindingName(o, c)
			}
			break
		}
	}
	return ""
}

// roundCost rounds a plan cost's amounts for output.
func roundCost(pc PlanCost) PlanCost {
	pc.PriceUSD = usd(pc.PriceUSD)
	pc.OverflowUSD = usd(pc.OverflowUSD)
	pc.APIOnlyUSD = usd(pc.APIOnlyUSD)
	pc.TotalUSD = usd(pc.TotalUSD)
	pc.WaitHours = math.Round(pc.WaitHours*100) / 100
	pc.Seats = math.Round(pc.Seats*1e4) / 1e4
	pc.LongContextUSD = usd(pc.LongContextUSD)
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
			price := p.PriceFor(e.opt.Billing)
			be := MixBreakEven{Plan: p.ID, Provider: pr.ID, PriceUSD: price}
			if perM := list / output * 1e6 * pr.Multiplier; perM > 0 {
				be.OutputTokens = math.Round(price / perM * 1e6)
			}
			be.RuleOutputTokens = math.Round(price / (rule * pr.Multiplier) * 1e6)
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
// answer), when the user's limit hits put a budget well below the default
// (under 75% of it), or when the data is thin; medium for one month of data, a
// margin under 10%, or limit hits (the logged use understates the demand); high
// otherwise. Each note says why.
func (e *engine) confidence(u *userData, rank []*option, days, records int, calibrated bool, out *User) (string, []string) {
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
	if c := e.calib; c != nil && !c.Applied {
		for _, x := range []struct {
			o    *Observed
			what string
		}{{c.FiveHour, "5-hour"}, {c.Week, "weekly"}} {
			if x.o != nil && x.o.Factor < 0.75 {
				low = append(low, fmt.Sprintf("%s put the %s budget of %s at %s (default %s): the real budgets are likely smaller than the defaults this answer uses (--calibrate uses the observed ones)",
					pluralWord(x.o.Hits, "limit hit"), x.what, c.Plan, money(x.o.ObservedUSD), money(x.o.DefaultUSD)))
			}
		}
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
	if out.LimitHits > 0 {
		medium = append(medium, fmt.Sprintf("%s stopped you (about %s blocked): the logged use understates what you wanted", pluralWord(out.LimitHits, "limit hit"), hours(out.BlockedHours)))
	}
	if len(medium) > 0 {
		return "medium", medium
	}
	return "high", nil
}

// reason says in one sentence why the recommendation wins: against the
// runner-up (which is not always the API), naming the budget that binds, and
// the demand the user's limit hits blocked.
func (e *engine) reason(u *userData, rank []*option, out *User) string {
	best := rank[0]
	n := float64(len(u.active))
	win, wk := u.tl.busiest()
	var runner *option
	if len(rank) > 1 && rank[1].eligible {
		runner = rank[1]
	}
	// stopped is the current plan when the user was stopped on it and it is
	// not eligible for that: the answer is the cheapest option with room.
	var stopped *option
	for _, o := range rank {
		if o.observed && o.unknown != "" {
			stopped = o
		}
	}
	blocked := ""
	if stopped != nil {
		blocked = fmt.Sprintf("; %s, so the logged use understates what you wanted and %s's real cost is unknown",
			e.stoppedText(u, stopped, out), stopped.name)
	} else if out.LimitHits > 0 {
		blocked = fmt.Sprintf("; you hit a limit %s and waited about %s for resets, so the logged use understates what you wanted",
			times(out.LimitHits), hours(out.BlockedHours))
	}
	if best.plan == nil {
		var list, ci float64
		for _, m := range u.active {
			list += u.months[m].list * u.factor[m]
			ci += u.months[m].ci * u.factor[m]
		}
		via := ""
		if !strings.EqualFold(best.provider.ID, "anthropic") {
			via = " through " + best.provider.ID
		}
		if list > 0 && ci >= list-1e-9 {
			return fmt.Sprintf("all of this use is CI, which runs on an API key: the API%s costs %s a month", via, money(best.sum/n))
		}
		s := fmt.Sprintf("your API-equivalent use averages %s a month (busiest week %s); the API%s bills %s", money(list/n), money(wk), via, money(best.sum/n))
		if runner != nil {
			if runner.sum-best.sum > 1e-6 {
				s += ", less than " + e.optCost(runner, n)
			} else {
				s += ", the same as " + e.optCost(runner, n)
			}
		}
		if out.Binding != "" && runner != nil && runner.plan != nil {
			s += fmt.Sprintf(" (%s binds on %s)", bindingPhrase(out.Binding), runner.name)
		}
		return s + blocked
	}
	s := e.optCost(best, n)
	if runner != nil {
		s += " against " + e.optCost(runner, n)
	}
	// The budgets named are those of the spans named (the rule at each span's
	// start, measured or calibrated as the simulation used them), not today's.
	fullest := func(p *Plan, week bool) (use, budget float64) {
		s5, sWk := e.planScales(u.name, p, e.scale5, e.scaleWk)
		if week {
			return u.tl.fullest(u.tl.weeks, func(sp Span) float64 {
				b, _ := e.cat.WeekLimits(p, sp.Start)
				return b * sWk
			})
		}
		return u.tl.fullest(u.tl.windows, func(sp Span) float64 { return e.cat.WindowBudget(p, sp.Start) * s5 })
	}
	busiestBudget := func(p *Plan, week bool) float64 {
		s5, sWk := e.planScales(u.name, p, e.scale5, e.scaleWk)
		spans := u.tl.windows
		if week {
			spans = u.tl.weeks
		}
		var b, top float64
		found := false
		for _, sp := range spans {
			x, any := u.tl.inRange(sp)
			if !any || found && x <= top {
				continue
			}
			top, found = x, true
			if week {
				b, _ = e.cat.WeekLimits(p, sp.Start)
				b *= sWk
			} else {
				b = e.cat.WindowBudget(p, sp.Start) * s5
			}
		}
		return b
	}
	if stopped != nil {
		// Never that the use fits the plan the user was stopped on: say it
		// of the plan recommended instead, the next one with room.
		s += blocked + "; " + best.name + " is the next plan with room"
		if c := u.causeOf(best); c >= 0 && !e.opt.NoExtraUsage {
			over := 0.0
			for _, m := range u.active {
				over += best.monthly[m].OverflowUSD
			}
			return s + fmt.Sprintf(", though %s binds on it: about %s a month of extra usage", bindingPhrase(bindingName(best, c)), money(over/n))
		}
		return s + fmt.Sprintf(": your busiest 5-hour window (%s) and week (%s) of logged use are within its budgets (%s, %s)",
			money(win), money(wk), budgetText(busiestBudget(best.plan, false)), budgetText(busiestBudget(best.plan, true)))
	}
	if c := u.causeOf(best); c >= 0 && !e.opt.NoExtraUsage {
		over := 0.0
		for _, m := range u.active {
			over += best.monthly[m].OverflowUSD
		}
		s += fmt.Sprintf("; %s binds on %s: about %s a month of extra usage", bindingPhrase(bindingName(best, c)), best.name, money(over/n))
	} else if ch := e.cheaperSub(rank, best); ch != nil && u.causeOf(ch) >= 0 {
		c := u.causeOf(ch)
		switch c {
		case cause5h:
			win, c5 := fullest(ch.plan, false)
			s += fmt.Sprintf("; your busiest 5-hour window reaches %s of API-equivalent use, past %s's 5-hour budget of %s", money(win), ch.name, money(c5))
		case causeWeek:
			wk, cWk := fullest(ch.plan, true)
			s += fmt.Sprintf("; your busiest week reaches %s of API-equivalent use, past %s's weekly budget of %s", money(wk), ch.name, money(cWk))
		default:
			s += fmt.Sprintf("; %s binds on %s", bindingPhrase(bindingName(ch, c)), ch.name)
		}
	} else {
		s += fmt.Sprintf("; your busiest 5-hour window (%s) and week (%s) of API-equivalent use fit its budgets (%s, %s)",
			money(win), money(wk), budgetText(busiestBudget(best.plan, false)), budgetText(busiestBudget(best.plan, true)))
		if out.LimitHits > 0 {
			// The logged use is what was left after the blocking: it fits,
			// but that does not say the plan covers what the user wanted.
			s = strings.Replace(s, "of API-equivalent use fit", "of logged use fit", 1)
			return s + fmt.Sprintf(", but you hit a limit %s and waited about %s for resets: the logged use understates what you wanted",
				times(out.LimitHits), hours(out.BlockedHours))
		}
	}
	return s + blocked
}

// bindingPhrase turns a Binding value into words.
func bindingPhrase(b string) string {
	switch {
	case b == "5-hour":
		return "the 5-hour budget"
	case b == "week":
		return "the weekly budget"
	case b == "1M context":
		return "1M-context use (extra usage on any plan)"
	case strings.HasPrefix(b, "model cap ("):
		return "the " + strings.TrimSuffix(strings.TrimPrefix(b, "model cap ("), ")") + " weekly cap"
	case b == "model cap":
		return "a model cap"
	}
	return b
}

func budgetText(b float64) string {
	if math.IsInf(b, 0) {
		return "no cap"
	}
	return money(b)
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// optCost describes an option's monthly cost.
func (e *engine) optCost(o *option, n float64) string {
	if o.plan == nil {
		via := ""
		if !strings.EqualFold(o.provider.ID, "anthropic") {
			via = " through " + o.provider.ID
		}
		return fmt.Sprintf("the API%s at %s", via, money(o.sum/n))
	}
	return e.subCost(o, n)
}

// subCost describes a subscription's monthly cost.
func (e *engine) subCost(o *option, n float64) string {
	price := e.price(o.plan)
	over := o.sum/n - price
	if over < 0.005 || e.opt.NoExtraUsage {
		return fmt.Sprintf("%s at %s", o.name, money(price))
	}
	return fmt.Sprintf("%s at %s (%s a month with extra usage)", o.name, money(price), money(o.sum/n))
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
		notes = append(notes, fmt.Sprintf("you hit a usage limit%s %s (%s): about %s blocked in all, so the logged use understates what you wanted",
			on, times(out.LimitHits), strings.Join(per, ", "), hours(out.BlockedHours)))
	}
	if out.MonthsActive < out.MonthsInRange {
		notes = append(notes, fmt.Sprintf("%d of %d months active: the per-month figures average the active months only (an idle month would cost a subscription its price and the API nothing), and a yearly figure assumes every month is like them",
			out.MonthsActive, out.MonthsInRange))
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

// team compares ways for all users to pay together. Seat options pay for at
// least the minimum seats (a team of 3 pays for 5), whole months each; with
// monthly billing, each seat plan with a cheaper yearly price is priced both ways.
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
	paid := max(len(users), e.cat.rules.MinSeatsAt(e.now))
	var opts []*teamOpt
	// add adds an option: pick is each user's option and the seat price it pays
	// in the team (0 for no seat); pad is the price of each empty seat paid for.
	add := func(name string, pick func(u *userData) (*option, float64), pad float64) *teamOpt {
		o := &teamOpt{TeamOption: TeamOption{Option: name, Assignments: map[string]string{}}, monthly: make([]float64, len(e.months)), fits: true}
		seats := 0
		for _, u := range users {
			uo, seat := pick(u)
			if uo == nil {
				return nil
			}
			o.Assignments[u.name] = uo.id
			if uo.plan != nil && uo.plan.Team {
				seats++
			}
			for _, m := range months {
				pc := uo.monthly[m]
				cost := pc.TotalUSD
				if uo.plan != nil && uo.plan.Team {
					cost += seat - pc.PriceUSD // the seat itself, not the user's share of 5
				}
				o.monthly[m] += cost
				o.fits = o.fits && pc.Fits
			}
		}
		if pad > 0 && seats > 0 {
			o.Seats = max(seats, paid)
			for _, m := range months {
				o.monthly[m] += float64(o.Seats-seats) * pad
			}
		}
		opts = append(opts, o)
		return o
	}
	byID := func(u *userData, id string) *option {
		for _, o := range u.opts {
			if o.id == id {
				return o
			}
		}
		return nil
	}
	add("own-best", func(u *userData) (*option, float64) {
		return u.best, 0
	}, 0)
	var seats []*Plan
	for _, p := range e.subs {
		if p.Team {
			seats = append(seats, p)
		}
	}
	for _, p := range seats {
		price := p.PriceFor(e.opt.Billing)
		o := add(p.ID, func(u *userData) (*option, float64) { return byID(u, p.ID), price }, price)
		if o != nil && e.opt.Billing == "yearly" && p.YearlyUSD > 0 {
			o.Billing = "yearly"
		}
		if e.opt.Billing != "yearly" && p.YearlyUSD > 0 && p.YearlyUSD < p.PriceUSD {
			if o := add(p.ID+":yearly", func(u *userData) (*option, float64) { return byID(u, p.ID), p.YearlyUSD }, p.YearlyUSD); o != nil {
				o.Billing = "yearly"
			}
		}
	}
	if len(seats) > 1 {
		cheapestSeat := math.Inf(1)
		for _, p := range seats {
			cheapestSeat = math.Min(cheapestSeat, p.PriceFor(e.opt.Billing))
		}
		add("team-mixed", func(u *userData) (*option, float64) {
			var best *option
			var bestSeat, bestSum float64
			bestFits := false
			for _, p := range seats {
				o := byID(u, p.ID)
				seat := p.PriceFor(e.opt.Billing)
				sum, fits := 0.0, true
				for _, m := range months {
					sum += o.monthly[m].TotalUSD - o.monthly[m].PriceUSD + seat
					fits = fits && o.monthly[m].Fits
				}
				switch {
				case best == nil:
				case e.opt.NoExtraUsage && fits != bestFits:
					if !fits {
						continue
					}
				case sum >= bestSum-1e-6:
					continue
				}
				best, bestSeat, bestSum, bestFits = o, seat, sum, fits
			}
			return best, bestSeat
		}, cheapestSeat)
	}
	for _, pr := range e.providers {
		id := e.apiID(pr)
		if o := add(id, func(u *userData) (*option, float64) { return byID(u, id), 0 }, 0); o != nil {
			o.Assignments = nil // one pooled balance
		}
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
			price := p.PriceFor(e.opt.Billing)
			out = append(out, BreakEven{
				Plan: p.ID, Provider: pr.ID, PriceUSD: price, Model: e.rule.ID,
				OutputUSDPerM: usd(r), OutputTokens: math.Round(price / r * 1e6),
			})
		}
	}
	return out
}

// planBudgets lists the budgets in use now (scaled when calibrated), the weekly
// ones with the week factor in force now.
func (e *engine) planBudgets() []PlanBudget {
	var out []PlanBudget
	for _, p := range e.subs {
		era := p.EraAt(e.now)
		pb := PlanBudget{Plan: p.ID, Name: p.NameAt(e.now), PriceUSD: p.PriceFor(e.opt.Billing), Team: p.Team, From: era.From}
		if p.YearlyUSD > 0 && p.YearlyUSD != p.PriceUSD {
			pb.PriceYearlyUSD = p.YearlyUSD
		}
		var src []string
		if era.FiveHour != nil {
			pb.FiveHourUSD = usd(era.FiveHour.USD * e.scale5)
			if era.FiveHour.Source != "" {
				src = append(src, "5-hour: "+era.FiveHour.Source)
			}
		}
		if era.Week != nil {
			wk, caps := e.cat.WeekLimits(p, e.now)
			pb.WeekUSD = usd(wk * e.scaleWk)
			if f := e.cat.rules.WeekFactorAt(e.now); f != 1 {
				pb.WeekFactor = f
			}
			for k, v := range caps {
				if pb.ModelCapsUSD == nil {
					pb.ModelCapsUSD = map[string]float64{}
				}
				pb.ModelCapsUSD[k] = usd(v * e.scaleWk)
			}
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
		d5 := e.cat.WindowBudget(e.current, sp.Start)
		dWk, _ := e.cat.WeekLimits(e.current, sp.Start)
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
	observed := func(ratios []float64, def float64) *Observed {
		if len(ratios) == 0 || math.IsInf(def, 0) {
			return nil
		}
		f := median(ratios)
		return &Observed{DefaultUSD: usd(def), ObservedUSD: usd(f * def), Factor: math.Round(f*1e4) / 1e4, Hits: len(ratios)}
	}
	wk, _ := e.cat.WeekLimits(e.current, e.now)
	c.FiveHour = observed(r5, e.cat.WindowBudget(e.current, e.now))
	c.Week = observed(rWk, wk)
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
