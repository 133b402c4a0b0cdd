package engine

import (
	"slices"
	"time"

	"github.com/usagescan/usagescan/aggregate"
)

// Periods say how a query cuts time: into the periods of a report (By, in
// Loc) and at the days rates change (Changes), so that each piece is inside
// one period and priced at one set of rates.
type Periods struct {
	By      aggregate.Grouping
	Loc     *time.Location
	Changes []time.Time
}

// start is the beginning of the period holding t.
func (p Periods) start(t time.Time) time.Time {
	l := t.In(p.Loc)
	y, m, d := l.Date()
	switch p.By {
	case aggregate.Day:
		return time.Date(y, m, d, 0, 0, 0, 0, p.Loc)
	case aggregate.Week:
		back := (int(l.Weekday()) + 6) % 7 // ISO weeks start on Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, p.Loc)
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, p.Loc)
}

// next is the beginning of the period after the one starting at s.
func (p Periods) next(s time.Time) time.Time {
	y, m, d := s.Date()
	switch p.By {
	case aggregate.Day:
		return time.Date(y, m, d+1, 0, 0, 0, 0, p.Loc)
	case aggregate.Week:
		return time.Date(y, m, d+7, 0, 0, 0, 0, p.Loc)
	}
	return time.Date(y, m+1, 1, 0, 0, 0, 0, p.Loc)
}

// Bounds are the slot boundaries cutting slots [lo, hi) into pieces that each
// lie in one period and one rate era, clamped to rng.
func (p Periods) Bounds(lo, hi int64, rng aggregate.Range) []int64 {
	if !rng.From.IsZero() {
		lo = max(lo, aggregate.SlotOf(rng.From))
	}
	if !rng.To.IsZero() {
		hi = min(hi, aggregate.SlotOf(rng.To))
	}
	if lo >= hi {
		return nil
	}
	out := []int64{lo, hi}
	end := time.Unix(hi*aggregate.SlotSeconds, 0)
	for t := p.next(p.start(time.Unix(lo*aggregate.SlotSeconds, 0))); t.Before(end); t = p.next(t) {
		out = append(out, aggregate.SlotOf(t))
	}
	for _, c := range p.Changes {
		if s := aggregate.SlotOf(c); s > lo && s < hi {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PieceStart is the first slot of the piece (as Bounds cuts them) that holds
// slot s: the latest of its period's start, a rate change and rng's start.
func (p Periods) PieceStart(s int64, rng aggregate.Range) int64 {
	start := aggregate.SlotOf(p.start(time.Unix(s*aggregate.SlotSeconds, 0)))
	for _, c := range p.Changes {
		if cs := aggregate.SlotOf(c); cs > start && cs <= s {
			start = cs
		}
	}
	if !rng.From.IsZero() {
		if fs := aggregate.SlotOf(rng.From); fs > start && fs <= s {
			start = fs
		}
	}
	return start
}
