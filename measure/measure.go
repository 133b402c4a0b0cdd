// Package measure estimates a subscription's real budgets from the plan's own
// meter: the rate_limits percentages Claude Code passes to its status line,
// set against the API-equivalent spend logged in the same 5-hour window or
// week.
//
// # The estimator
//
// A snapshot taken at time t says the meter stood at p% of the window (or
// week) that resets at R; the window started at R-5h (the week at R-7d). The
// logged spend S in [start, t] is a lower bound of the real spend: use from
// claude.ai, the desktop app or another machine sharing the limits counts
// toward the meter but is not in the logs. So every snapshot gives a ratio
// S/p that is at most the budget (USD per 100%), and lower when unlogged use
// exists. The percentages are also whole numbers, so a low p is imprecise
// (10% may be anything from 9 to 11%).
//
// Each usable snapshot (p at least Options.Floor, below 100, some logged
// spend) therefore gives an interval of budgets it is consistent with:
// [100·S/(p+h), 100·S/(p−h)], h the rounding slack (1 point for a whole
// percentage, allowing for rounding down, up or to the nearest). Snapshots
// without unlogged use all contain the true budget; snapshots with unlogged
// use lie below it. So the evidence is one-sided: an interval wholly above a
// candidate budget contradicts it (the lower end of every interval is a lower
// bound of the budget, unlogged use or not), one wholly below does not. The
// estimator scores each candidate by the intervals that hold it less four
// times those above it (Options.Penalty), takes the best (ties to the highest: the upper envelope), keeps
// the snapshots that agree with it, and fits spend = budget × p/100 through
// the origin by least squares over those (high percentages, whose rounding
// matters least, weigh most).
//
// Why not the maximum or an upper quantile of the raw ratios S/p: at 10-20%
// the rounding alone moves a ratio by 5-10%, and the maximum picks exactly
// that error; a quantile needs a guess of how many snapshots are clean. Why
// not the most-agreed budget alone: a user whose claude.ai use is a steady
// share of most weeks forms a larger, consistent cluster below the truth;
// the penalty for intervals above rejects it. The estimate is only as good as
// the cleanest spans: with unlogged use in every window and week, it is low
// by the smallest unlogged share.
//
// With enough agreeing snapshots, FitWeights also fits one weight per token
// class (input, output, cache writes, cache reads): the meter may count cache
// reads at less than their list price. It reports the weights and how much
// they lower the error of the fit.
package measure

import (
	"math"
	"slices"
	"sort"
	"time"
)

const (
	// WindowLength is the length of a 5-hour session window.
	WindowLength = 5 * time.Hour
	// WeekLength is the length of a weekly-limit week.
	WeekLength = 7 * 24 * time.Hour
)

// Class is a token class of the API-equivalent spend.
type Class int

// The token classes, in Point.Class order.
const (
	Input Class = iota
	Output
	CacheWrite
	CacheRead
	NumClasses
)

var classNames = [NumClasses]string{"input", "output", "cache_write", "cache_read"}

func (c Class) String() string { return classNames[c] }

// Point is logged spend at one time: one request, or several at the same time.
type Point struct {
	Time time.Time
	// USD is the API-equivalent cost at list price.
	USD float64
	// Class splits USD by token class, when known (all zero otherwise; other
	// costs such as web search are in USD only).
	Class [NumClasses]float64
}

// Reading is one snapshot of one meter: Pct percent used at Time of the window
// or week that resets at Reset.
type Reading struct {
	Time  time.Time
	Pct   float64
	Reset time.Time
}

// Options tune Estimate. The zero value is the defaults.
type Options struct {
	// Floor is the lowest percentage used (default 10): below it, rounding and
	// the first requests' timing dominate.
	Floor float64
	// Slack is the rounding half-width of a whole-number percentage in points
	// (default 1: the meter may round down, up or to the nearest). A fractional
	// percentage gets a tenth of it.
	Slack float64
	// MinSnapshots is how many agreeing snapshots a budget needs (default 2).
	MinSnapshots int
	// Penalty is what one interval wholly above a candidate budget costs it,
	// against 1 for each interval holding it (default 4). With 4 the truth
	// wins as long as the clean snapshots are more than a fifth of the
	// snapshots with unlogged use (plus four times the few that read too
	// high); a larger penalty trusts the lower bounds more and upward errors
	// (a meter that lags a response, logged use that is not on the plan) less.
	Penalty float64
	// Since drops readings before it (zero: none), for a plan change or a
	// change of the limits.
	Since time.Time
}

func (o *Options) defaults() {
	if o.Floor <= 0 {
		o.Floor = 10
	}
	if o.Slack <= 0 {
		o.Slack = 1
	}
	if o.Penalty <= 0 {
		o.Penalty = 4
	}
	if o.MinSnapshots <= 0 {
		o.MinSnapshots = 2
	}
}

// Budget is a measured budget: USD of API-equivalent use per 100% of a window
// or a week.
type Budget struct {
	USD float64
	// Low and High bound the budgets that the agreeing snapshots all allow.
	Low, High float64
	// Snapshots is the number of usable readings; Agree of them agree with USD
	// (their interval holds it). Spans is the number of distinct windows or
	// weeks among the agreeing ones.
	Snapshots, Agree, Spans int
	// From and To are the times of the first and last agreeing readings.
	From, To time.Time
	// RMSE is the root mean square error of the fit, in percentage points,
	// over the agreeing readings.
	RMSE float64
	// Weights is the per-class fit, when there were enough readings (see
	// FitWeights); nil otherwise.
	Weights *Weights
}

// Quality is the share of usable snapshots that agree with the estimate, 0-1.
// Much below 1 means unlogged use (or a change of budget) in many of them.
func (b *Budget) Quality() float64 {
	if b == nil || b.Snapshots == 0 {
		return 0
	}
	return float64(b.Agree) / float64(b.Snapshots)
}

// Result is a user's measured budgets; a nil Budget was not measurable.
type Result struct {
	FiveHour, Week *Budget
}

// Spend answers spend questions over sorted points.
type Spend struct {
	times []time.Time
	cum   [][NumClasses + 1]float64 // cum[i]: sum of points[:i]; last slot USD
}

// NewSpend indexes points (any order).
func NewSpend(points []Point) *Spend {
	ps := points
	if !slices.IsSortedFunc(ps, func(a, b Point) int { return a.Time.Compare(b.Time) }) {
		ps = slices.Clone(points)
		slices.SortStableFunc(ps, func(a, b Point) int { return a.Time.Compare(b.Time) })
	}
	s := &Spend{times: make([]time.Time, len(ps)), cum: make([][NumClasses + 1]float64, len(ps)+1)}
	for i, p := range ps {
		s.times[i] = p.Time
		s.cum[i+1] = s.cum[i]
		for c := range NumClasses {
			s.cum[i+1][c] += p.Class[c]
		}
		s.cum[i+1][NumClasses] += p.USD
	}
	return s
}

// Between returns the spend of the points at from <= time <= to, in total and
// by class.
func (s *Spend) Between(from, to time.Time) (usd float64, class [NumClasses]float64) {
	i := sort.Search(len(s.times), func(k int) bool { return !s.times[k].Before(from) })
	j := sort.Search(len(s.times), func(k int) bool { return s.times[k].After(to) })
	if j <= i {
		return 0, class
	}
	for c := range NumClasses {
		class[c] = s.cum[j][c] - s.cum[i][c]
	}
	return s.cum[j][NumClasses] - s.cum[i][NumClasses], class
}

// Estimate measures the 5-hour and weekly budgets from the readings of each
// meter and the user's logged spend.
func Estimate(fiveHour, week []Reading, spend []Point, opt Options) Result {
	s := NewSpend(spend)
	return Result{
		FiveHour: EstimateSpan(fiveHour, WindowLength, s, opt),
		Week:     EstimateSpan(week, WeekLength, s, opt),
	}
}

// obs is one usable reading.
type obs struct {
	r      Reading
	s      float64
	class  [NumClasses]float64
	lo, hi float64
}

// Dedupe returns the readings in time order with repeats dropped: a reading
// with the same percentage and reset time (to the second) as an earlier one
// adds nothing, and is kept once (the first).
func Dedupe(rs []Reading) []Reading {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b Reading) int { return a.Time.Compare(b.Time) })
	type key struct {
		pct   float64
		reset int64
	}
	seen := map[key]bool{}
	k := 0
	for _, r := range out {
		kk := key{r.Pct, r.Reset.Unix()}
		if seen[kk] {
			continue
		}
		seen[kk] = true
		out[k] = r
		k++
	}
	return out[:k]
}

// EstimateSpan measures one budget from readings of a meter whose spans last
// length (WindowLength or WeekLength); nil when fewer than
// Options.MinSnapshots readings agree.
func EstimateSpan(readings []Reading, length time.Duration, s *Spend, opt Options) *Budget {
	opt.defaults()
	var obsv []obs
	for _, r := range Dedupe(readings) {
		if r.Reset.IsZero() || !r.Time.Before(r.Reset) || r.Time.Before(r.Reset.Add(-length)) ||
			r.Time.Before(opt.Since) || r.Pct < opt.Floor || r.Pct >= 99.5 || math.IsNaN(r.Pct) {
			continue // outside its span, too low to be precise, or at the limit (extra usage goes on past 100%)
		}
		usd, class := s.Between(r.Reset.Add(-length), r.Time)
		if usd <= 0 {
			continue // all of it unlogged: no evidence
		}
		h := opt.Slack
		if r.Pct != math.Trunc(r.Pct) {
			h /= 10
		}
		obsv = append(obsv, obs{r: r, s: usd, class: class, lo: 100 * usd / (r.Pct + h), hi: 100 * usd / (r.Pct - h)})
	}
	if len(obsv) < opt.MinSnapshots {
		return nil
	}
	lo, hi := stab(obsv, opt.Penalty)
	mid := (lo + hi) / 2
	var agree []obs
	for _, o := range obsv {
		if o.lo <= mid && mid <= o.hi {
			agree = append(agree, o)
		}
	}
	if len(agree) < opt.MinSnapshots {
		return nil
	}
	// Least squares through the origin: S = (B/100)·p.
	var sp, pp float64
	for _, o := range agree {
		sp += o.s * o.r.Pct
		pp += o.r.Pct * o.r.Pct
	}
	b := &Budget{USD: 100 * sp / pp, Low: lo, High: hi, Snapshots: len(obsv), Agree: len(agree)}
	// The fit may leave [lo, hi] by a hair when rounding errors are lopsided;
	// the region is what the agreeing snapshots allow.
	b.USD = math.Min(math.Max(b.USD, lo), hi)
	spans := map[int64]bool{}
	var se float64
	for i, o := range agree {
		if i == 0 || o.r.Time.Before(b.From) {
			b.From = o.r.Time
		}
		if o.r.Time.After(b.To) {
			b.To = o.r.Time
		}
		spans[o.r.Reset.Unix()/60] = true
		d := o.r.Pct - 100*o.s/b.USD
		se += d * d
	}
	b.Spans = len(spans)
	b.RMSE = math.Sqrt(se / float64(len(agree)))
	b.Weights = fitWeights(obsv, agree, b, opt.Slack)
	return b
}

// stab returns the region of budgets with the best score: the number of
// intervals that hold it, less penalty times the number that lie wholly above
// it. An
// interval below a budget is no evidence against it (unlogged use puts a
// snapshot there), one above it is: real spend is at least the logged spend,
// so every snapshot's lower end is a lower bound of the budget. A tie goes to
// the highest region.
func stab(obsv []obs, penalty float64) (lo, hi float64) {
	type ev struct {
		x    float64
		open bool
	}
	evs := make([]ev, 0, 2*len(obsv))
	for _, o := range obsv {
		evs = append(evs, ev{o.lo, true}, ev{o.hi, false})
	}
	// Opens before closes at the same x: touching intervals overlap.
	slices.SortFunc(evs, func(a, b ev) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		case a.open == b.open:
			return 0
		case a.open:
			return -1
		}
		return 1
	})
	opened, closed, best := 0, 0, math.Inf(-1)
	for i, e := range evs {
		if !e.open {
			closed++
			continue
		}
		opened++
		// The last open at this x: the region up to the next event (a close, or
		// an open further right, whose region scores one more).
		next := evs[i+1]
		if next.open && next.x == e.x {
			continue
		}
		held, above := opened-closed, len(obsv)-opened
		if score := float64(held) - penalty*float64(above); score >= best { // >=: the highest region wins a tie
			best, lo, hi = score, e.x, next.x
		}
	}
	return lo, hi
}
