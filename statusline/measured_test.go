package statusline

import (
	"math"
	"testing"
	"time"

	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/usage"
)

func TestSpendPoints(t *testing.T) {
	t0 := time.Date(2026, 6, 12, 10, 0, 0, 0, time.UTC)
	mk := func(user string, at time.Time, out int64) usage.Request {
		return usage.Request{Time: at, User: user, Model: "claude-sonnet-4-6", Tokens: usage.Tokens{Output: out, Input: 1_000_000}, Count: 1}
	}
	ci := mk("alice", t0, 1_000_000)
	ci.Entrypoint = "claude-code-github-action"
	total := mk("alice", t0, 1_000_000)
	total.Count = 0 // a billing-export row
	unknown := mk("alice", t0, 1_000_000)
	unknown.Model = "claude-nova-9"
	pts := SpendPoints([]usage.Request{mk("alice", t0.Add(time.Hour), 2_000_000), ci, total, unknown, mk("alice", t0, 1_000_000), mk("bob", t0, 1)}, nil)
	a := pts["alice"]
	// Sonnet 4.6: $3 per million input, $15 per million output.
	if len(a) != 2 || !a[0].Time.Equal(t0) || math.Abs(a[0].USD-18) > 1e-9 || math.Abs(a[1].USD-33) > 1e-9 {
		t.Fatalf("alice's points %+v, want $18 at 10:00 and $33 at 11:00", a)
	}
	if math.Abs(a[0].Class[0]-3) > 1e-9 || math.Abs(a[0].Class[1]-15) > 1e-9 {
		t.Errorf("classes %v, want input $3 and output $15", a[0].Class)
	}
	if len(pts["bob"]) != 1 {
		t.Errorf("bob: %v", pts["bob"])
	}
}

func TestMeasuredBudgets(t *testing.T) {
	t0 := time.Date(2026, 6, 12, 10, 0, 0, 0, time.UTC)
	reset := t0.Add(5 * time.Hour)
	week := t0.Add(6 * 24 * time.Hour)
	snaps := []Snapshot{
		{Time: t0.Add(time.Hour), User: "alice", HasFiveHour: true, FiveHourPct: 20, FiveHourReset: reset, HasWeek: true, WeekPct: 5, WeekReset: week},
		{Time: t0.Add(2 * time.Hour), User: "alice", HasFiveHour: true, FiveHourPct: 40, FiveHourReset: reset, HasWeek: true, WeekPct: 10, WeekReset: week},
		{Time: t0.Add(2 * time.Hour), User: "bob", HasFiveHour: true, FiveHourPct: 40, FiveHourReset: reset},
	}
	// alice: $10 by 11:00 (20%) and $20 by 12:00 (40%): $50 a window; the
	// week's $20 at 10% is one usable reading (5% is under the floor): none.
	pts := map[string][]measure.Point{"alice": {{Time: t0, USD: 10}, {Time: t0.Add(90 * time.Minute), USD: 10}}}
	got := MeasuredBudgets(snaps, pts, "pro", measure.Options{})
	m := got["alice"]
	if m == nil || math.Abs(m.FiveHourUSD-50) > 1e-9 || m.WeekUSD != 0 || m.Plan != "pro" || m.Snapshots != 2 ||
		m.From != "2026-06-12T11:00:00Z" || m.To != "2026-06-12T12:00:00Z" {
		t.Errorf("alice: %+v", m)
	}
	if got["bob"] != nil {
		t.Errorf("bob measured from one snapshot: %+v", got["bob"])
	}
}
