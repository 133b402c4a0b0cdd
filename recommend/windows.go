package recommend

import (
	"math"
	"slices"
	"time"
)

const (
	// WindowLength is the length of a session window.
	WindowLength = 5 * time.Hour
	// WeekLength is the length of a weekly-limit week: 168 elapsed hours, so a
	// week that spans a daylight-saving change ends an hour earlier or later on
	// the wall clock than it started.
	WeekLength = 7 * 24 * time.Hour
)

// Span is one 5-hour window or one week: the interval [Start, End) and the
// requests First to Last-1 (indexes into the times it was cut from).
type Span struct {
	Start, End  time.Time
	First, Last int
}

// Windows cuts sorted request times into 5-hour session windows: a window opens
// at the first request at or after the previous window's end, its start rounded
// down to the hour in loc (nil: UTC; it matters only in zones whose offset is not
// a whole number of hours), and lasts 5 elapsed hours. A request exactly at a
// window's end opens the next window.
func Windows(times []time.Time, loc *time.Location) []Span {
	return cut(times, func(t time.Time) time.Time { return floorHour(t, loc) }, WindowLength)
}

// Windows cuts sorted request times into 5-hour session windows as the
// recommendation does: each window's start set by c's window_start rule in
// force at its first request (to the hour in loc, or to the minute).
func (c *Catalog) Windows(times []time.Time, loc *time.Location) []Span {
	return cut(times, func(t time.Time) time.Time { return windowStart(t, loc, c.rules) }, WindowLength)
}

// Weeks cuts sorted request times into weekly-limit weeks: a week starts at the
// first request at or after the previous week's end (not rounded) and lasts
// WeekLength.
func Weeks(times []time.Time) []Span {
	return cut(times, func(t time.Time) time.Time { return t }, WeekLength)
}

func cut(times []time.Time, start func(time.Time) time.Time, length time.Duration) []Span {
	return cutWith(times, start, length, nil)
}

// reset is a limit message's time and the reset time it showed.
type reset struct{ at, reset time.Time }

// resetSlack is how far before a window's first request the start a reset time
// implies may lie and still be taken: reset times are shown to the minute.
const resetSlack = time.Minute

// cutWith is cut, preferring the user's own limit messages: a message logged in
// [R-length, R) that showed a reset time R describes the span [R-length, R).
// When a span opens at a request t inside such a span (up to resetSlack before
// its start), the span is that one, its start no earlier than the previous
// span's end. resets are sorted by reset time.
func cutWith(times []time.Time, start func(time.Time) time.Time, length time.Duration, resets []reset) []Span {
	var spans []Span
	for i, t := range times {
		if n := len(spans); n > 0 && t.Before(spans[n-1].End) {
			spans[n-1].Last = i + 1
			continue
		}
		s, e := start(t), time.Time{}
		for _, r := range resets {
			if !r.reset.After(t) {
				continue
			}
			if r.reset.Sub(t) > length+resetSlack {
				break
			}
			if b := r.reset.Add(-length); !r.at.Before(b) && r.at.Before(r.reset) && !b.After(t.Add(resetSlack)) {
				s, e = b, r.reset
				break
			}
		}
		if n := len(spans); n > 0 && s.Before(spans[n-1].End) {
			s = spans[n-1].End
		}
		if e.IsZero() || !e.After(t) {
			e = s.Add(length)
		}
		spans = append(spans, Span{Start: s, End: e, First: i, Last: i + 1})
	}
	return spans
}

// floorHour rounds t down to the start of its hour on loc's clock, in elapsed
// time (so it is exact across daylight-saving changes).
func floorHour(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	return t.Add(-(time.Duration(l.Minute())*time.Minute + time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond())))
}

// item is one request of a user as the simulation sees it.
type item struct {
	t     time.Time
	usd   float64 // API-equivalent cost at list price
	month int     // index into the report's months, or -1 outside the range
	fam   int8    // model family (index into families), -1 unknown
	// long is a 1M-context request (prompt input above the long_context
	// threshold): extra usage on a subscription, not drawn from its budgets.
	long bool
}

// timeline is a user's subscription-eligible requests, in time order, cut into
// windows and weeks. The cutting does not depend on the plan.
type timeline struct {
	items         []item
	windows       []Span
	weeks         []Span
	winOf, weekOf []int32 // item -> window, week
}

// newTimeline cuts items into windows, their starts rounded by the window_start
// rule in force at each window's first request (to the hour in loc, or to the
// minute), and weeks; the reset times of the user's limit messages (hits) win
// over both.
func newTimeline(items []item, loc *time.Location, rules Rules, hits []Hit) *timeline {
	tl := &timeline{items: items}
	times := make([]time.Time, len(items))
	for i := range items {
		times[i] = items[i].t
	}
	var r5, rWk []reset
	for _, h := range hits {
		if h.Reset.IsZero() || !h.Reset.After(h.Time) {
			continue
		}
		d := h.Reset.Sub(h.Time)
		switch {
		case h.Kind == KindSession && d <= WindowLength+resetSlack,
			h.Kind == KindLimit && d <= WindowLength+resetSlack:
			r5 = append(r5, reset{h.Time, h.Reset})
		case h.Kind == KindWeekly && d <= WeekLength+resetSlack,
			h.Kind == KindLimit && d <= WeekLength+resetSlack:
			rWk = append(rWk, reset{h.Time, h.Reset})
		}
	}
	byReset := func(a, b reset) int { return a.reset.Compare(b.reset) }
	slices.SortFunc(r5, byReset)
	slices.SortFunc(rWk, byReset)
	tl.windows = cutWith(times, func(t time.Time) time.Time { return windowStart(t, loc, rules) }, WindowLength, r5)
	tl.weeks = cutWith(times, func(t time.Time) time.Time { return t }, WeekLength, rWk)
	tl.winOf = spanIndex(tl.windows, len(items))
	tl.weekOf = spanIndex(tl.weeks, len(items))
	return tl
}

// windowStart is the start of a window whose first request is at t, by the
// window_start rule in force at t.
func windowStart(t time.Time, loc *time.Location, rules Rules) time.Time {
	if rules.RoundAt(t) == "minute" {
		return t.Truncate(time.Minute)
	}
	return floorHour(t, loc)
}

func spanIndex(spans []Span, n int) []int32 {
	idx := make([]int32, n)
	for s, sp := range spans {
		for i := sp.First; i < sp.Last; i++ {
			idx[i] = int32(s)
		}
	}
	return idx
}

// usageAt returns the use drawn from the plan's budgets (1M-context requests
// left out) in the span of kind spans that holds t, counting the requests up to
// and including t, with the span; false if no span holds t.
func (tl *timeline) usageAt(spans []Span, t time.Time) (float64, Span, bool) {
	for _, sp := range spans {
		if t.Before(sp.Start) {
			break
		}
		if t.Before(sp.End) {
			sum := 0.0
			for i := sp.First; i < sp.Last && !tl.items[i].t.After(t); i++ {
				if !tl.items[i].long {
					sum += tl.items[i].usd
				}
			}
			return sum, sp, true
		}
	}
	return 0, Span{}, false
}

// inRange is the in-range use of a span.
func (tl *timeline) inRange(sp Span) (usd float64, any bool) {
	for i := sp.First; i < sp.Last; i++ {
		if tl.items[i].month >= 0 {
			usd += tl.items[i].usd
			any = true
		}
	}
	return usd, any
}

// busiest returns the largest in-range use of one window and of one week.
func (tl *timeline) busiest() (window, week float64) {
	window, _ = tl.fullest(tl.windows, nil)
	week, _ = tl.fullest(tl.weeks, nil)
	return window, week
}

// fullest returns the in-range use of the span of spans whose use is furthest
// above (or least below) its budget, with that budget; budget nil: the
// busiest span, budget 0.
func (tl *timeline) fullest(spans []Span, budget func(Span) float64) (use, b float64) {
	best := math.Inf(-1)
	for _, sp := range spans {
		s, any := tl.inRange(sp)
		if !any {
			continue
		}
		x := 0.0
		if budget != nil {
			x = budget(sp)
		}
		if s-x > best {
			best, use, b = s-x, s, x
		}
	}
	return use, b
}

// Causes of overflow.
const (
	cause5h    = iota // the 5-hour budget ran out
	causeWeek         // the weekly budget ran out
	causeModel        // a model cap ran out
	causeLong         // a 1M-context request: extra usage by rule
	nCauses
)

// causeNames name the causes in advice.
var causeNames = [nCauses]string{"the 5-hour budget", "the weekly budget", "a model cap", "1M-context requests"}

// planRun is what one plan would have meant for a user, per month.
type planRun struct {
	overflow      []float64 // USD past the budgets, counted once
	byCause       [nCauses][]float64
	hits5, hitsWk []int           // windows and weeks whose budget ran out, by the month it ran out in
	hitsModel     []int           // weeks in which a model cap ran out (per family)
	famOver       [8]float64      // in-range overflow past each family's model cap
	wait          []time.Duration // time blocked until a reset, by the month it began in
}

// epsilon keeps float noise from turning a use equal to the budget into a cap hit.
const epsilon = 1e-9

// run simulates plan p of catalogue cat, with its budgets scaled by scale5 and
// scaleWk, over the timeline, for months months.
//
// Each request's cost is covered by the plan up to the room left in its window,
// its week and its model family's weekly cap, whichever is smallest; the rest is
// overflow (extra usage, billed at API list rates). A 1M-context request is
// overflow as a whole and draws on no budget. Overflow does not use up budget,
// so a dollar is never counted twice when several budgets bind. A window counts
// as a cap hit when its own budget was the one (or one of the ones) that ran
// out, a week and a model cap likewise; the user would wait from that request
// until the window's or week's end (overlapping waits counted once). A model cap
// hit adds no wait: other models still work.
func (tl *timeline) run(p *Plan, cat *Catalog, scale5, scaleWk float64, months int) planRun {
	r := planRun{
		overflow:  make([]float64, months),
		hits5:     make([]int, months),
		hitsWk:    make([]int, months),
		hitsModel: make([]int, months),
		wait:      make([]time.Duration, months),
	}
	for c := range r.byCause {
		r.byCause[c] = make([]float64, months)
	}
	inf := math.Inf(1)
	var (
		curWin, curWeek int32 = -1, -1
		b5, bWk         float64
		used5, usedWk   float64
		hit5, hitWk     bool
		capB, usedFam   [8]float64
		hitFam          [8]bool
		blockedUntil    time.Time
	)
	for i, it := range tl.items {
		if w := tl.winOf[i]; w != curWin {
			curWin, used5, hit5 = w, 0, false
			b5 = cat.WindowBudget(p, tl.windows[w].Start) * scale5
		}
		if k := tl.weekOf[i]; k != curWeek {
			curWeek, usedWk, hitWk = k, 0, false
			var caps map[string]float64
			bWk, caps = cat.WeekLimits(p, tl.weeks[k].Start)
			bWk *= scaleWk
			for f, name := range families {
				capB[f], usedFam[f], hitFam[f] = inf, 0, false
				// A cap as large as the week never binds before the week does.
				if c, ok := caps[name]; ok && c*scaleWk < bWk {
					capB[f] = c * scaleWk
				}
			}
		}
		m := it.month
		if it.long {
			if m >= 0 {
				r.overflow[m] += it.usd
				r.byCause[causeLong][m] += it.usd
			}
			continue
		}
		room5, roomWk, roomCap := math.Max(0, b5-used5), math.Max(0, bWk-usedWk), inf
		if it.fam >= 0 {
			roomCap = math.Max(0, capB[it.fam]-usedFam[it.fam])
		}
		take := math.Min(it.usd, math.Min(room5, math.Min(roomWk, roomCap)))
		used5 += take
		usedWk += take
		if it.fam >= 0 {
			usedFam[it.fam] += take
		}
		over := it.usd - take
		if over <= epsilon {
			continue
		}
		is5 := room5 <= roomWk && room5 <= roomCap
		isWk := roomWk <= room5 && roomWk <= roomCap
		isCap := roomCap <= room5 && roomCap <= roomWk
		if m >= 0 {
			r.overflow[m] += over
			switch {
			case is5:
				r.byCause[cause5h][m] += over
			case isWk:
				r.byCause[causeWeek][m] += over
			default:
				r.byCause[causeModel][m] += over
				r.famOver[it.fam] += over
			}
		}
		if isCap && !hitFam[it.fam] {
			hitFam[it.fam] = true
			if m >= 0 {
				r.hitsModel[m]++
			}
		}
		var until time.Time
		if is5 && !hit5 {
			hit5 = true
			until = tl.windows[curWin].End
			if m >= 0 {
				r.hits5[m]++
			}
		}
		if isWk && !hitWk {
			hitWk = true
			if end := tl.weeks[curWeek].End; end.After(until) {
				until = end
			}
			if m >= 0 {
				r.hitsWk[m]++
			}
		}
		if !until.IsZero() && until.After(blockedUntil) {
			from := it.t
			if from.Before(blockedUntil) {
				from = blockedUntil
			}
			if m >= 0 {
				r.wait[m] += until.Sub(from)
			}
			blockedUntil = until
		}
	}
	return r
}
