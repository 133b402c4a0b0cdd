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
		// snapshot's week is whole.
		since := now.Add(-hist - measure.WeekLength)
		if points, err = st.Spend(opt.User, since); err != nil {
			return nil, fmt.Errorf("reading spend: %w", err)
		}
		spend = measure.NewSpend(points)
		five, week := Readings(Dedupe(snaps))
		res.Measured = measure.Result{
			FiveHour: measure.EstimateSpan(five, measure.WindowLength, spend, opt.Measure),
			Week:     measure.EstimateSpan(week, measure.WeekLength, spend, opt.Measure),
		}
		y, m, d := now.In(loc).Date()
		l.TodayUSD, _ = spend.Between(time.Date(y, m, d, 0, 0, 0, 0, loc), now)
		l.HasToday = true
	}

	def5, defWk := math.Inf(1), math.Inf(1)
	if opt.Plan != nil {
		def5, defWk = opt.Plan.BudgetsAt(now)
	}
	l.FiveHour = meter(in.FiveHour, res.Measured.FiveHour, def5, measure.WindowLength, spend, points, now, loc)
	l.Week = meter(in.Week, res.Measured.Week, defWk, measure.WeekLength, spend, points, now, loc)
	return res, nil
}

// meter fills one meter: the reading, the budget (measured, else the
// default), and the logged spend in the span. Without a reading the span is
// the one the logged requests fall in (as recommend cuts them).
func meter(lim *Limit, measured *measure.Budget, def float64, length time.Duration, spend *measure.Spend, points []measure.Point, now time.Time, loc *time.Location) *Meter {
	m := &Meter{}
	if measured != nil {
		m.BudgetUSD, m.Measured = measured.USD, true
	} else if !math.IsInf(def, 1) {
		m.BudgetUSD = def
	}
	if lim != nil {
		m.Pct, m.HasPct, m.Reset = lim.UsedPct, true, lim.ResetsAt
		if m.Reset.Before(now) && !m.Reset.IsZero() {
			// The reading is of a span that has ended: nothing used since.
			m.Pct, m.Reset = 0, time.Time{}
		}
	}
	if spend == nil {
		if !m.HasPct && m.BudgetUSD == 0 {
			return nil
		}
		return m
	}
	var start time.Time
	if !m.Reset.IsZero() {
		start = m.Reset.Add(-length)
	} else if sp, ok := currentSpan(points, length, now, loc); ok {
		start = sp.Start
		if !m.HasPct {
			m.Reset = sp.End
		}
	}
	if !start.IsZero() {
		m.SpendUSD, _ = spend.Between(start, now)
	}
	return m
}

// currentSpan cuts the points into windows or weeks as recommend does and
// returns the one holding now.
func currentSpan(points []measure.Point, length time.Duration, now time.Time, loc *time.Location) (recommend.Span, bool) {
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
		spans = recommend.Windows(times, loc)
	} else {
		spans = recommend.Weeks(times)
	}
	last := spans[len(spans)-1]
	if now.Before(last.End) {
		return last, true
	}
	return recommend.Span{}, false
}
