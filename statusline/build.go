package statusline

import (
	"fmt"
	"math"
	"time"

	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/recommend"
)

// DefaultHistory is how far back Build reads snapshots to measure budgets.
const DefaultHistory = 28 * 24 * time.Hour

// Options tune Build.
type Options struct {
	Now      time.Time      // zero: time.Now()
	Location *time.Location // of "today" and reset times; nil: UTC
	User     string         // whose snapshots and spend
	// Plan is the user's plan, for its name and default budgets; nil when
	// unknown (then only measured budgets are shown in dollars).
	Plan *recommend.Plan
	// Catalog holds the dated rules (week factors, window starts) the default
	// budgets and the windows cut from requests follow; nil: recommend.Default().
	Catalog *recommend.Catalog
	// History is how far back snapshots are read (0: DefaultHistory).
	History time.Duration
	// Measure tunes the estimator (MinSnapshots: how many agreeing snapshots
	// make a budget "measured").
	Measure measure.Options
}

// Result is what Build worked out: the line, the snapshot it recorded (if
// any), and the measured budgets.
type Result struct {
	Line     Line
	Snapshot *Snapshot
	Measured measure.Result
}

// Build records the input's meter reading in st, reads the user's snapshots
// and spend back, measures the budgets, and fills the line. st may be nil
// (no store): then the line has the meter's percentages and the default
// budgets only.
func Build(in *Input, st Store, opt Options) (*Result, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	hist := opt.History
	if hist <= 0 {
		hist = DefaultHistory
	}
	res := &Result{Line: Line{Now: now, Location: loc, Model: in.Model()}}
	l := &res.Line
	if opt.Plan != nil {
		l.Plan = opt.Plan.Name
	}
	if in.HasSessionCost {
		l.SessionUSD, l.HasSession = in.SessionCostUSD, true
	}
	snap, hasSnap := in.Snapshot(now, opt.User)
	if hasSnap {
		res.Snapshot = &snap
	}

	var spend *measure.Spend
	var points []measure.Point
	var fast *spendTotals
	if st != nil {
		if hasSnap {
			if err := st.RecordSnapshot(snap); err != nil {
				return nil, fmt.Errorf("recording the snapshot: %w", err)
			}
		}
		snaps, err := st.Snapshots(opt.User, now.Add(-hist))
		if err != nil {
			return nil, fmt.Errorf("reading snapshots: %w", err)
		}
		// Spend back to the start of the oldest snapshot's week, so every
		// snapshot's week is whole. Read only when needed: a store with
		// totals and a cache of budgets answers a repeat reading without it.
		loaded := false
		load := func() error {
			if loaded {
				return nil
			}
			loaded = true
			var err error
			if points, err = st.Spend(opt.User, now.Add(-hist-measure.WeekLength)); err != nil {
				return fmt.Errorf("reading spend: %w", err)
			}
			spend = measure.NewSpend(points)
			return nil
		}
		deduped := Dedupe(snaps)
		cache, _ := st.(BudgetCache)
		key := budgetKey(deduped, opt.Measure)
		cached := false
		if cache != nil {
			res.Measured, cached = cache.CachedBudgets(opt.User, key)
		}
		if !cached {
			if err := load(); err != nil {
				return nil, err
			}
			five, week := Readings(deduped)
			res.Measured = measure.Result{
				FiveHour: measure.EstimateSpan(five, measure.WindowLength, spend, opt.Measure),
				Week:     measure.EstimateSpan(week, measure.WeekLength, spend, opt.Measure),
			}
			if cache != nil {
				cache.CacheBudgets(opt.User, key, res.Measured)
			}
		}
		// A meter without a reset time is cut from the requests (as recommend
		// cuts them), which needs them all.
		y, m, d := now.In(loc).Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, loc)
		if t, ok := st.(Totals); ok && !loaded && current(in.FiveHour, now) && current(in.Week, now) {
			fast = &spendTotals{t: t, user: opt.User, got: map[time.Time]float64{}}
			err = fast.fetch(now, today, in.FiveHour.ResetsAt.Add(-measure.WindowLength), in.Week.ResetsAt.Add(-measure.WeekLength))
		} else {
			err = load()
		}
		if err != nil {
			return nil, err
		}
		if l.TodayUSD, err = between(spend, fast, today, now); err != nil {
			return nil, err
		}
		l.HasToday = true
	}

	cat := opt.Catalog
	if cat == nil {
		cat = recommend.Default()
	}
	// The default budgets of the span starting at t: the week under the rule
	// in force at its start, as recommend prices it.
	def5 := func(time.Time) float64 { return math.Inf(1) }
	defWk := def5
	if opt.Plan != nil {
		def5 = func(t time.Time) float64 { return cat.WindowBudget(opt.Plan, t) }
		defWk = func(t time.Time) float64 { wk, _ := cat.WeekLimits(opt.Plan, t); return wk }
	}
	var err error
	if l.FiveHour, err = meter(in.FiveHour, res.Measured.FiveHour, def5, measure.WindowLength, spend, fast, points, now, loc, cat); err != nil {
		return nil, err
	}
	if l.Week, err = meter(in.Week, res.Measured.Week, defWk, measure.WeekLength, spend, fast, points, now, loc, cat); err != nil {
		return nil, err
	}
	return res, nil
}

// Totals is a Store that sums a user's logged spend from a time to now
// without handing over every request (the history store's rollup).
type Totals interface {
	// SpendSince returns the user's logged spend in [from, now] for each from,
	// with Spend's rules (list price; CI and billing totals left out).
	SpendSince(user string, now time.Time, froms ...time.Time) ([]float64, error)
}

// BudgetCache is a Store that keeps the last measured budgets of each user,
// so that a repeat reading is not measured again. key names what they were
// measured from (the snapshots and the estimator's options).
type BudgetCache interface {
	CachedBudgets(user, key string) (measure.Result, bool)
	CacheBudgets(user, key string, r measure.Result)
}

// budgetVersion changes when the estimator does, so cached budgets are redone.
const budgetVersion = "1"

// budgetKey names the snapshots a measurement rests on: their number, the
// first and the last (snapshots are only added, and old ones leave the
// history as time passes).
func budgetKey(snaps []Snapshot, opt measure.Options) string {
	k := fmt.Sprintf("v%s n%d %+v", budgetVersion, len(snaps), opt)
	if n := len(snaps); n > 0 {
		f, l := snaps[0], snaps[n-1]
		k += fmt.Sprintf(" %d %d %v", f.Time.UnixNano(), l.Time.UnixNano(), l.key())
	}
	return k
}

// current reports whether a meter's reading has a reset time to come: its
// span is known without cutting the requests into spans.
func current(l *Limit, now time.Time) bool {
	return l != nil && !l.ResetsAt.IsZero() && !l.ResetsAt.Before(now)
}

// spendTotals is the spend from each of a few times to now, asked of a
// Totals at once.
type spendTotals struct {
	t    Totals
	user string
	got  map[time.Time]float64
}

func (s *spendTotals) fetch(now time.Time, froms ...time.Time) error {
	v, err := s.t.SpendSince(s.user, now, froms...)
	if err != nil {
		return fmt.Errorf("reading spend: %w", err)
	}
	for i, f := range froms {
		s.got[f] = v[i]
	}
	return nil
}

// between is the spend in [from, to]: from the points, or (to being now)
// from the store's totals.
func between(spend *measure.Spend, fast *spendTotals, from, to time.Time) (float64, error) {
	if fast == nil {
		usd, _ := spend.Between(from, to)
		return usd, nil
	}
	if v, ok := fast.got[from]; ok {
		return v, nil
	}
	if err := fast.fetch(to, from); err != nil {
		return 0, err
	}
	return fast.got[from], nil
}

// meter fills one meter: the reading, the budget (measured, else the
// default), and the logged spend in the span. Without a reading the span is
// the one the logged requests fall in (as recommend cuts them).
func meter(lim *Limit, measured *measure.Budget, def func(start time.Time) float64, length time.Duration, spend *measure.Spend, fast *spendTotals, points []measure.Point, now time.Time, loc *time.Location, cat *recommend.Catalog) (*Meter, error) {
	m := &Meter{}
	if lim != nil {
		m.Pct, m.HasPct, m.Reset = lim.UsedPct, true, lim.ResetsAt
		if m.Reset.Before(now) && !m.Reset.IsZero() {
			// The reading is of a span that has ended: nothing used since.
			m.Pct, m.Reset = 0, time.Time{}
		}
	}
	var start time.Time
	if !m.Reset.IsZero() {
		start = m.Reset.Add(-length)
	} else if spend != nil || fast != nil {
		if sp, ok := currentSpan(points, length, now, loc, cat); ok {
			start = sp.Start
			if !m.HasPct {
				m.Reset = sp.End
			}
		}
	}
	if measured != nil {
		m.BudgetUSD, m.Measured = measured.USD, true
	} else {
		at := start
		if at.IsZero() {
			at = now
		}
		if b := def(at); !math.IsInf(b, 1) {
			m.BudgetUSD = b
		}
	}
	if spend == nil && fast == nil {
		if !m.HasPct && m.BudgetUSD == 0 {
			return nil, nil
		}
		return m, nil
	}
	if !start.IsZero() {
		var err error
		if m.SpendUSD, err = between(spend, fast, start, now); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// currentSpan cuts the points into windows or weeks as recommend does and
// returns the one holding now.
func currentSpan(points []measure.Point, length time.Duration, now time.Time, loc *time.Location, cat *recommend.Catalog) (recommend.Span, bool) {
	var times []time.Time
	for _, p := range points {
		if !p.Time.After(now) {
			times = append(times, p.Time)
		}
	}
	if len(times) == 0 {
		return recommend.Span{}, false
	}
	sortTimes(times)
	var spans []recommend.Span
	if length == measure.WindowLength {
		spans = cat.Windows(times, loc)
	} else {
		spans = recommend.Weeks(times)
	}
	last := spans[len(spans)-1]
	if now.Before(last.End) {
		return last, true
	}
	return recommend.Span{}, false
}
