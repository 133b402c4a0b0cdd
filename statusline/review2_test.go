package statusline

import (
	"testing"
	"time"

	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/recommend"
)

// TestDefaultWeekFollowsTheDatedRules: the default weekly budget on the line
// is the plan's week under the rule in force at the week's start (Pro $130
// x1.5 = $195 from 2026-05-13 to 2026-09-13, x1.25 = $162.50 from 2026-09-14),
// as recommend prices it; 5-hour budgets are not changed by these rules.
func TestDefaultWeekFollowsTheDatedRules(t *testing.T) {
	pro, _ := recommend.Default().Lookup("pro")
	for _, c := range []struct {
		name       string
		now, reset time.Time // the week's meter resets at reset
		week       float64
	}{
		{"June 2026: promotion", time.Date(2026, 6, 12, 12, 0, 0, 0, time.UTC), time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC), 195},
		{"October 2026: new standard", time.Date(2026, 10, 7, 12, 0, 0, 0, time.UTC), time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC), 162.5},
		// The week started 2026-09-13 10:00, the promotion's last day: x1.5 to its end.
		{"a week spanning 09-14 keeps its start's rule", time.Date(2026, 9, 16, 12, 0, 0, 0, time.UTC), time.Date(2026, 9, 20, 10, 0, 0, 0, time.UTC), 195},
		{"April 2026: before the promotion", time.Date(2026, 4, 8, 12, 0, 0, 0, time.UTC), time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC), 130},
	} {
		in := &Input{FiveHour: &Limit{10, c.now.Add(time.Hour)}, Week: &Limit{10, c.reset}}
		res, err := Build(in, nil, Options{Now: c.now, Plan: pro})
		if err != nil {
			t.Fatal(err)
		}
		if w := res.Line.Week; w == nil || w.BudgetUSD != c.week {
			t.Errorf("%s: week %+v, want budget %v", c.name, w, c.week)
		}
	}
}

// TestWindowFromRequestsFollowsTheDatedRule: without a meter the window is cut
// from the logged requests as recommend cuts it: in 2026 from the first
// request to the minute (11:59 -> resets 16:59), in 2025 from its hour
// (11:59 -> 16:00).
func TestWindowFromRequestsFollowsTheDatedRule(t *testing.T) {
	for _, c := range []struct {
		first, reset time.Time
	}{
		{time.Date(2026, 6, 12, 11, 59, 0, 0, time.UTC), time.Date(2026, 6, 12, 16, 59, 0, 0, time.UTC)},
		{time.Date(2025, 6, 12, 11, 59, 0, 0, time.UTC), time.Date(2025, 6, 12, 16, 0, 0, 0, time.UTC)},
	} {
		st := NewMemStore()
		st.AddSpend("bob", measure.Point{Time: c.first, USD: 7})
		res, err := Build(&Input{}, st, Options{Now: c.first.Add(time.Hour), User: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		if m := res.Line.FiveHour; m == nil || m.SpendUSD != 7 || !m.Reset.Equal(c.reset) {
			t.Errorf("first request %s: window %+v, want $7 resetting at %s", c.first, m, c.reset)
		}
	}
}
