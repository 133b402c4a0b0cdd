package recommend

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// Options tune Run. The zero value recommends from the embedded plans at list
// price, over the last 3 complete months and the current month (projected), in UTC.
type Options struct {
	// Plans is the catalogue; nil means Default().
	Plans *Catalog
	// Providers are the pricing.Table providers the API is priced through, first
	// one first; nil means ["anthropic"] (list price). The first provider also
	// prices CI use in the subscription options.
	Providers []string
	// Since and Until bound the months, [Since, Until). Both zero: the last 3
	// complete months before Now's month plus Now's month, projected to its end;
	// if no request falls in those, the 3 months up to the month of the latest
	// request instead (said in Report.Notes). Only Until: the month of Until-1ns
	// and the 3 before it. Only Since: up to the end of Now's month.
	Since, Until time.Time
	// HasSince and HasUntil say that Since and Until are set even when zero:
	// --since 0001-01 is year 1 in UTC, the zero time, and still a date.
	HasSince, HasUntil bool
	// Now is the time the current month is projected from; zero means time.Now().
	Now time.Time
	// Location is the zone of months, days, and the hour a 5-hour window's start
	// is rounded to, and of reset times in limit messages that name no zone;
	// nil means UTC.
	Location *time.Location
	// NoExtraUsage prices plans without extra usage: a plan whose budgets run out
	// costs its price but does not fit (with the time the user would have
	// waited), and is not recommended.
	NoExtraUsage bool
	// CurrentPlan is the plan id or alias the users are on today. Their limit
	// hits are then evidence of its real budgets (Report.Calibration).
	CurrentPlan string
	// Calibrate replaces the default budgets of every plan by the observed ones,
	// scaled by the ratio of each plan's budget to the current plan's. It needs
	// CurrentPlan.
	Calibrate bool
	// Model is the model of the output-only break-even rule; "" means
	// claude-sonnet-4-6 ($15 per million output tokens).
	Model string
	// Billing is "monthly" (the default, "") or "yearly": yearly prices the
	// plans that have a yearly price (Pro, Team seats) with it.
	Billing string
	// Measured are budgets measured from status-line snapshots, by user (see
	// package measure and measured.go). They outrank the defaults and
	// Calibrate for that user; Measured.Plan is the plan they were measured on
	// ("": CurrentPlan, else the plan with the nearest defaults).
	Measured map[string]*Measured
}

// DefaultModel is the model of the output-only break-even rule of thumb.
const DefaultModel = "claude-sonnet-4-6"

// IsCI reports whether r is CI use, which runs on an API key and is priced on
// the API in every option: entrypoint claude-code-github-action, or source or
// user "ci" (as in --logs ci=PATH).
func IsCI(r *usage.Request) bool {
	return r.Entrypoint == "claude-code-github-action" ||
		strings.EqualFold(r.Source, "ci") || strings.EqualFold(r.User, "ci")
}

// IsSDK reports whether r came through an sdk-* entrypoint (claude -p, the Agent
// SDK): it counts toward a subscription today but is at risk of moving to
// separate credits.
func IsSDK(r *usage.Request) bool { return strings.HasPrefix(r.Entrypoint, "sdk-") }

// period is one month of the report, clipped to the range.
type period struct {
	label      string
	start, end time.Time
	projected  bool
	factor     float64 // 1, or the projection to the month's end
}

type engine struct {
	opt       Options
	cat       *Catalog
	prices    *pricing.Table
	loc       *time.Location
	now       time.Time
	providers []pricing.Provider
	current   *Plan
	api       *Plan
	subs      []*Plan // every plan that is not metered, in catalogue order
	from, to  time.Time
	months    []period
	rule      *pricing.Model
	notes     []string
	scale5    float64
	scaleWk   float64
	nUsers    int // users in the report: team seats are shared among them
	calib     *Calibration

	measuredPlans map[string]*Plan // user -> plan of Options.Measured, resolved
}

// Run prices each user's months under every plan and recommends the cheapest.
// reqs are deduplicated requests in any order; notices are the <synthetic> log
// messages, where limit hits are read. It returns an error only for bad options.
func Run(reqs []usage.Request, notices []usage.Notice, prices *pricing.Table, opt Options) (*Report, error) {
	return RunSeq(Slice(reqs), notices, prices, opt)
}

// Slice is a sequence of reqs' elements, for RunSeq.
func Slice(reqs []usage.Request) iter.Seq[*usage.Request] {
	return func(yield func(*usage.Request) bool) {
		for i := range reqs {
			if !yield(&reqs[i]) {
				return
			}
		}
	}
}

// RunSeq is Run over a sequence of requests that can be walked more than
// once (it is walked twice), so that the caller need not hold them as
// usage.Request values: engine.Input.RequestSeq keeps them compact. A yielded
// request may be reused by the sequence once the walk moves on.
func RunSeq(reqs iter.Seq[*usage.Request], notices []usage.Notice, prices *pricing.Table, opt Options) (*Report, error) {
	e, err := newEngine(prices, opt)
	if err != nil {
		return nil, err
	}
	if err := e.setRange(reqs); err != nil {
		return nil, err
	}
	hits := LimitHits(notices, e.loc)
	users, unpriced := e.collect(reqs, hits)

	rep := &Report{
		Schema:           Schema,
		Budgets:          "default",
		Timezone:         e.loc.String(),
		Since:            e.from.In(e.loc).Format(time.DateOnly),
		Until:            e.to.Add(-time.Nanosecond).In(e.loc).Format(time.DateOnly),
		AsOf:             e.now.In(e.loc).Format(time.RFC3339),
		NoExtraUsage:     opt.NoExtraUsage,
		Billing:          "monthly",
		UnpricedRequests: unpriced,
		Users:            []User{},
	}
	if opt.Billing == "yearly" {
		rep.Billing = "yearly"
	}
	for _, p := range e.providers {
		rep.Providers = append(rep.Providers, p.ID)
	}
	if e.current != nil {
		rep.Calibration = e.calibrate(users, hits)
		e.calib = rep.Calibration
		if rep.Calibration.Applied {
			rep.Budgets = "calibrated"
		}
	}
	e.nUsers = len(users)
	for _, u := range users {
		rep.Users = append(rep.Users, e.user(u, rep.Budgets == "calibrated"))
	}
	if len(users) > 1 {
		rep.Team = e.team(users)
	}
	rep.BreakEven = e.breakEven()
	rep.PlanBudgets = e.planBudgets()
	rep.Rules = e.cat.rules.describe()
	e.applyMeasuredReport(rep)
	if unpriced > 0 {
		e.notes = append(e.notes, fmt.Sprintf("%d requests of models without a price are left out of every cost", unpriced))
	}
	if len(users) == 0 {
		e.notes = append(e.notes, "no usage in the months")
	}
	rep.Notes = e.notes
	return rep, nil
}

func newEngine(prices *pricing.Table, opt Options) (*engine, error) {
	if prices == nil {
		prices = pricing.Default()
	}
	switch opt.Billing {
	case "", "monthly", "yearly":
	default:
		return nil, fmt.Errorf("unknown billing %q (want monthly or yearly)", opt.Billing)
	}
	e := &engine{opt: opt, cat: opt.Plans, prices: prices, loc: opt.Location, now: opt.Now, scale5: 1, scaleWk: 1}
	if e.cat == nil {
		e.cat = Default()
	}
	if e.loc == nil {
		e.loc = time.UTC
	}
	if e.now.IsZero() {
		e.now = time.Now()
	}
	names := opt.Providers
	if len(names) == 0 {
		names = []string{"anthropic"}
	}
	for _, n := range names {
		p, ok := prices.Provider(n)
		if !ok {
			var known []string
			for _, q := range prices.Providers() {
				known = append(known, q.ID)
			}
			return nil, fmt.Errorf("unknown provider %q (known: %s)", n, strings.Join(known, ", "))
		}
		if !slices.ContainsFunc(e.providers, func(q pricing.Provider) bool { return q.ID == p.ID }) {
			e.providers = append(e.providers, p)
		}
	}
	e.api = e.cat.metered()
	for _, p := range e.cat.plans {
		if !p.Metered {
			e.subs = append(e.subs, p)
		}
	}
	if opt.CurrentPlan != "" {
		p, ok := e.cat.Lookup(opt.CurrentPlan)
		if !ok {
			return nil, fmt.Errorf("unknown plan %q (known: %s)", opt.CurrentPlan, strings.Join(e.cat.ids(), ", "))
		}
		if p.Metered {
			if opt.Calibrate {
				return nil, fmt.Errorf("cannot calibrate from plan %q: the API has no limits", p.ID)
			}
		} else {
			e.current = p
		}
	} else if opt.Calibrate {
		return nil, errors.New("calibrating needs the current plan")
	}
	model := opt.Model
	if model == "" {
		model = DefaultModel
	}
	m, ok := prices.Lookup(model)
	if !ok {
		return nil, fmt.Errorf("unknown model %q for the break-even rule", model)
	}
	e.rule = m
	return e, nil
}

// ids lists the catalogue's plan ids.
func (c *Catalog) ids() []string {
	var ids []string
	for _, p := range c.plans {
		ids = append(ids, p.ID)
	}
	return ids
}

func (e *engine) monthStart(t time.Time) time.Time {
	l := t.In(e.loc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, e.loc)
}

// setRange decides the range and cuts it into months.
func (e *engine) setRange(reqs iter.Seq[*usage.Request]) error {
	from, to := e.opt.Since, e.opt.Until
	hasFrom, hasTo := e.opt.HasSince || !from.IsZero(), e.opt.HasUntil || !to.IsZero()
	switch {
	case !hasFrom && !hasTo:
		cur := e.monthStart(e.now)
		from, to = cur.AddDate(0, -3, 0), cur.AddDate(0, 1, 0)
		var last time.Time
		inRange := false
		for r := range reqs {
			t := r.Time
			if !t.Before(from) && t.Before(to) {
				inRange = true
				break
			}
			if t.After(last) {
				last = t
			}
		}
		if !inRange && !last.IsZero() && last.Before(from) {
			m := e.monthStart(last)
			from, to = m.AddDate(0, -3, 0), m.AddDate(0, 1, 0)
			e.notes = append(e.notes, fmt.Sprintf("no use in the last 3 months: showing the 3 months up to %s, the last month with use", m.Format("2006-01")))
		}
	case !hasFrom:
		from = e.monthStart(to.Add(-time.Nanosecond)).AddDate(0, -3, 0)
	case !hasTo:
		to = e.monthStart(e.now).AddDate(0, 1, 0)
		if !to.After(from) {
			to = e.monthStart(from).AddDate(0, 1, 0)
		}
	}
	if !to.After(from) {
		return fmt.Errorf("empty range: %s is not before %s", from.In(e.loc).Format(time.DateOnly), to.In(e.loc).Format(time.DateOnly))
	}
	e.from, e.to = from, to
	for m := e.monthStart(from); m.Before(to); m = m.AddDate(0, 1, 0) {
		p := period{label: m.Format("2006-01"), start: maxTime(m, from), end: minTime(m.AddDate(0, 1, 0), to), factor: 1}
		if !p.start.Before(e.now) {
			break // the future
		}
		if e.now.Before(p.end) {
			p.projected = true
			// From the daily rate: days in the period / days elapsed, days
			// on loc's calendar (a 23- or 25-hour day is one day), not hours.
			p.factor = e.dayPos(p.end) - e.dayPos(p.start)
			p.factor /= e.dayPos(e.now) - e.dayPos(p.start)
		}
		e.months = append(e.months, p)
	}
	return nil
}

// dayPos is t's position in days on loc's calendar: the days since 1970-01-01
// plus the elapsed share of t's day (whatever its length).
func (e *engine) dayPos(t time.Time) float64 {
	l := t.In(e.loc)
	y, m, d := l.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, e.loc)
	next := time.Date(y, m, d+1, 0, 0, 0, 0, e.loc)
	civil := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return float64(civil) + float64(t.Sub(day))/float64(next.Sub(day))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// monthOf returns the index of the month holding t, or -1.
func (e *engine) monthOf(t time.Time) int {
	for i := range e.months {
		if !t.Before(e.months[i].start) && t.Before(e.months[i].end) {
			return i
		}
	}
	return -1
}

// monthAgg is one user's totals in one month, at list price, unscaled.
type monthAgg struct {
	records  int
	requests int64
	list     float64
	ci, sdk  float64
	output   float64
	days     map[string]bool
	ciReqs   int64
	sdkReqs  int64
	unpriced int64
}

// userData is what Run gathers for one user.
type userData struct {
	name    string
	items   []item // subscription-eligible requests before the range end
	months  []monthAgg
	first   time.Time // first request in the range
	entries map[string]bool
	tl      *timeline
	hits    []Hit
	opts    []*option // filled by user()
	best    *option
	active  []int       // months with use
	firstIn []time.Time // first request in each month
	factor  []float64   // each month's projection factor (1 but for the current month)
}

// collect prices the requests and groups them by user, sorted by name.
func (e *engine) collect(reqs iter.Seq[*usage.Request], hits []Hit) ([]*userData, int64) {
	byUser := map[string]*userData{}
	var unpriced int64
	for r := range reqs {
		if !r.Time.Before(e.to) {
			continue
		}
		u := byUser[r.User]
		if u == nil {
			u = &userData{name: r.User, months: make([]monthAgg, len(e.months)), entries: map[string]bool{},
				firstIn: make([]time.Time, len(e.months))}
			byUser[r.User] = u
		}
		usd, ok := e.listCost(r)
		m := e.monthOf(r.Time)
		ci := IsCI(r)
		if !ci {
			u.items = append(u.items, item{t: r.Time, usd: usd, month: m, fam: familyOf(r.Model), long: e.isLong(r)})
		}
		if m < 0 {
			continue
		}
		if u.firstIn[m].IsZero() || r.Time.Before(u.firstIn[m]) {
			u.firstIn[m] = r.Time
		}
		a := &u.months[m]
		if a.days == nil {
			a.days = map[string]bool{}
		}
		a.records++
		a.requests += int64(r.Count)
		a.list += usd
		a.output += float64(r.Output)
		a.days[r.Time.In(e.loc).Format(time.DateOnly)] = true
		if !ok {
			a.unpriced++
			unpriced++
		}
		if ci {
			a.ci += usd
			a.ciReqs++
		}
		if IsSDK(r) {
			a.sdk += usd
			a.sdkReqs++
		}
		if ci || IsSDK(r) || strings.HasPrefix(r.Entrypoint, "mcp") {
			if r.Entrypoint != "" {
				u.entries[r.Entrypoint] = true
			}
		}
		if u.first.IsZero() || r.Time.Before(u.first) {
			u.first = r.Time
		}
	}
	var users []*userData
	for _, u := range byUser {
		for m := range u.months {
			if u.months[m].records > 0 {
				u.active = append(u.active, m)
			}
		}
		if len(u.active) == 0 {
			continue
		}
		slices.SortStableFunc(u.items, func(a, b item) int { return a.t.Compare(b.t) })
		u.hits = hitsOf(hits, u.name)
		u.tl = newTimeline(u.items, e.loc, e.cat.rules, u.hits)
		u.factor = make([]float64, len(e.months))
		for m := range e.months {
			u.factor[m] = e.userFactor(m, u.firstIn[m])
		}
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool { return users[i].name < users[j].name })
	return users, unpriced
}

// isLong reports whether r is a 1M-context request: its prompt input is above
// the long_context threshold in force at its time (or a billing export says it
// was billed above it).
func (e *engine) isLong(r *usage.Request) bool {
	th := e.cat.rules.LongContextAt(r.Time)
	if th <= 0 {
		return false
	}
	return r.Context == usage.ContextLong || (r.Context == usage.ContextAuto && r.Tokens.PromptInput() > th)
}

// userFactor is a user's projection factor for month m: 1 for a complete month;
// for the current month, the days from the user's first use in it (the start of
// that day, or the month's start if later) to the month's end over the days
// from there to now, at least one day elapsed, so that a first use an hour ago
// does not multiply by hundreds.
func (e *engine) userFactor(m int, first time.Time) float64 {
	per := e.months[m]
	if !per.projected {
		return 1
	}
	start := per.start
	if !first.IsZero() {
		l := first.In(e.loc)
		if d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, e.loc); d.After(start) {
			start = d
		}
	}
	elapsed := e.dayPos(e.now) - e.dayPos(start)
	if elapsed < 1 {
		elapsed = 1
	}
	return math.Max(1, (e.dayPos(per.end)-e.dayPos(start))/elapsed)
}

// listCost is r's API-equivalent cost at list price; a billing-export row
// without tokens counts what it says was billed. False for an unknown model.
func (e *engine) listCost(r *usage.Request) (float64, bool) {
	if r.Tokens.Total() == 0 {
		c, ok := e.prices.Price(r, "anthropic") // a billed total: what it says was billed
		return c.Total(), ok
	}
	c, ok := e.prices.Cost(r, "anthropic") // tokens: their API-equivalent at list price
	return c.Total(), ok
}

func hitsOf(hits []Hit, user string) []Hit {
	var out []Hit
	for _, h := range hits {
		if h.User == user {
			out = append(out, h)
		}
	}
	return out
}

// usd rounds to millionths of a dollar, for JSON.
func usd(x float64) float64 { return math.Round(x*1e6) / 1e6 }
