package recommend

import (
	"math"
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

// Weeks cuts sorted request times into weekly-limit weeks: a week starts at the
// first request at or after the previous week's end (not rounded) and lasts
// WeekLength.
func Weeks(times []time.Time) []Span {
	return cut(times, func(t time.Time) time.Time { return t }, WeekLength)
}

func cut(times []time.Time, start func(time.Time) time.Time, length time.Duration) []Span {
	var spans []Span
	for i, t := range times {
		if n := len(spans); n > 0 && t.Before(spans[n-1].End) {
			spans[n-1].Last = i + 1
			continue
		}
		s := start(t)
		if n := len(spans); n > 0 && s.Before(spans[n-1].End) {
			s = spans[n-1].End
		}
		spans = append(spans, Span{Start: s, End: s.Add(length), First: i, Last: i + 1})
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
}

// timeline is a user's subscription-eligible requests, in time order, cut into
// windows and weeks. The cutting does not depend on the plan.
type timeline struct {
	items         []item
	windows       []Span
	weeks         []Span
	winOf, weekOf []int32 // item -> window, week
}

func newTimeline(items []item, loc *time.Location) *timeline {
	tl := &timeline{items: items}
	times := make([]time.Time, len(items))
	for i := range items {
		times[i] = items[i].t
	}
	tl.windows = Windows(times, loc)
	tl.weeks = Weeks(times)
	tl.winOf = spanIndex(tl.windows, len(items))
	tl.weekOf = spanIndex(tl.weeks, len(items))
	return tl
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

// usageAt returns the API-equivalent use of the span of kind spans that holds t,
// counting the requests up to and including t, with the span; false if no span
// holds t.
func (tl *timeline) usageAt(spans []Span, t time.Time) (float64, Span, bool) {
	for _, sp := range spans {
		if t.Before(sp.Start) {
			break
		}
		if t.Before(sp.End) {
			sum := 0.0
			for i := sp.First; i < sp.Last && !tl.items[i].t.After(t); i++ {
				sum += tl.items[i].usd
			}
			return sum, sp, true
		}
	}
	return 0, Span{}, false
}

// busiest returns the largest in-range use of one window and of one week.
func (tl *timeline) busiest() (window, week float64) {
	sum := func(sp Span) float64 {
		s := 0.0
		for i := sp.First; i < sp.Last; i++ {
			if tl.items[i].month >= 0 {
				s += tl.items[i].usd
			}
		}
		return s
	}
	for _, sp := range tl.windows {
		window = math.Max(window, sum(sp))
	}
	for _, sp := range tl.weeks {
		week = math.Max(week, sum(sp))
	}
	return window, week
}

// planRun is what one plan would have meant for a user, per month.
type planRun struct {
	overflow      []float64       // USD past the budgets, counted once
	hits5, hitsWk []int           // windows and weeks whose budget ran out, by the month it ran out in
	wait          []time.Duration // time blocked until a reset, by the month it began in
}

// epsilon keeps float noise from turning a use equal to the budget into a cap hit.
const epsilon = 1e-9

// run simulates plan p with its budgets scaled by scale5 and scaleWk over the
// timeline, for months months.
//
// Each request's cost is covered by the plan up to the room left in both its
// window and its week, whichever is smaller; the rest is overflow (extra usage,
// billed at API list rates). Overflow does not use up budget, so a dollar is
// never counted twice when both budgets bind. A window counts as a cap hit when
// its own budget was the one (or one of the ones) that ran out, a week likewise;
// the user would wait from that request until the window's or week's end
// (overlapping waits counted once).
func (tl *timeline) run(p *Plan, scale5, scaleWk float64, months int) planRun {
	r := planRun{
		overflow: make([]float64, months),
		hits5:    make([]int, months),
		hitsWk:   make([]int, months),
		wait:     make([]time.Duration, months),
	}
	var (
		curWin, curWeek int32 = -1, -1
		b5, bWk         float64
		used5, usedWk   float64
		hit5, hitWk     bool
		blockedUntil    time.Time
	)
	for i, it := range tl.items {
		if w := tl.winOf[i]; w != curWin {
			curWin, used5, hit5 = w, 0, false
			b5, _ = p.BudgetsAt(tl.windows[w].Start)
			b5 *= scale5
		}
		if k := tl.weekOf[i]; k != curWeek {
			curWeek, usedWk, hitWk = k, 0, false
			_, bWk = p.BudgetsAt(tl.weeks[k].Start)
			bWk *= scaleWk
		}
		room5, roomWk := math.Max(0, b5-used5), math.Max(0, bWk-usedWk)
		take := math.Min(it.usd, math.Min(room5, roomWk))
		used5 += take
		usedWk += take
		over := it.usd - take
		if over <= epsilon {
			continue
		}
		m := it.month
		if m >= 0 {
			r.overflow[m] += over
		}
		var until time.Time
		if room5 <= roomWk && !hit5 {
			hit5 = true
			until = tl.windows[curWin].End
			if m >= 0 {
				r.hits5[m]++
			}
		}
		if roomWk <= room5 && !hitWk {
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
