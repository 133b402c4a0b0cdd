package recommend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// octoberWeeks: four weeks of October 2026 (Mondays 5, 12, 19 and 26, from
// 08:00 UTC), each of ten $20 windows (two $10 requests an hour apart at
// 08:00 and 14:00 on each weekday): $200 a week, $800 in October.
func octoberWeeks(user string) []usage.Request {
	var rs []usage.Request
	for _, mon := range []string{"2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"} {
		d0 := at(mon + " 00:00")
		for d := range 5 {
			day := d0.AddDate(0, 0, d)
			for _, h := range []time.Duration{8, 14} {
				rs = append(rs, req(user, day.Add(h*time.Hour), 10), req(user, day.Add((h+1)*time.Hour), 10))
			}
		}
	}
	return rs
}

// TestMeasuredWeekIsTheMeterOfItsWeek: a week budget measured in October 2026
// is the meter's own figure for October's weeks, the x1.25 rule already in
// it. Measured on Pro: $25 a window, $170 a week. Each $200 week goes $30 past
// $170: $120 of extra usage in October, Pro $140 > Max 5x $100. Applying
// x1.25 again would make the week $212.50 and Pro fit at $20.
func TestMeasuredWeekIsTheMeterOfItsWeek(t *testing.T) {
	opt := monthOpt("2026-10-01")
	opt.CurrentPlan = "pro"
	opt.Measured = map[string]*recommend.Measured{"u": {FiveHourUSD: 25, WeekUSD: 170, Snapshots: 200,
		From: "2026-10-05T08:30:00Z", To: "2026-10-30T18:00:00Z"}}
	rep := run(t, octoberWeeks("u"), nil, opt)
	m := onlyMonth(t, rep, "u")
	if !close(m.APICostUSD, 800) {
		t.Fatalf("API cost %v, want 800", m.APICostUSD)
	}
	p := planOf(t, m, "pro")
	if !close(p.OverflowUSD, 120) || p.CapHitsWeek != 4 || p.CapHits5h != 0 || p.Fits {
		t.Errorf("pro: overflow %v, hits %d/%d, fits %v; want 120, 0/4, false", p.OverflowUSD, p.CapHits5h, p.CapHitsWeek, p.Fits)
	}
	u := userOf(t, rep, "u")
	if u.Recommended != "max-5x" {
		t.Errorf("recommended %s, want max-5x", u.Recommended)
	}
	for _, w := range u.Weeks {
		if b := w.Budgets["pro"]; !close(b, 170) {
			t.Errorf("week %s: pro budget %v, want the measured 170", w.Start, b)
		}
	}
	for _, w := range u.Windows {
		if b := w.Budgets["pro"]; !close(b, 25) {
			t.Errorf("window %s: pro budget %v, want the measured 25", w.Start, b)
		}
	}
	for _, pb := range rep.PlanBudgets {
		if pb.Plan == "pro" && (!close(pb.WeekUSD, 170) || !close(pb.FiveHourUSD, 25)) {
			t.Errorf("plan_budgets pro: %v / %v, want 25 / 170", pb.FiveHourUSD, pb.WeekUSD)
		}
	}
}

// TestReasonNamesTheBudgetsOfItsWeeks: the reason's "fits its budgets" states
// the budgets the use was held to. A June 2026 week of $190 (19 windows of $10)
// fits Pro's $195 (x1.5 promotion), seen from November (x1.25: $162.50): the
// reason must say $195, not claim $190 fits $163.
func TestReasonNamesTheBudgetsOfItsWeeks(t *testing.T) {
	rep := run(t, windowsOf("u", at("2026-06-01 04:00"), 19, 10), nil, recommend.Options{
		Since: at("2026-06-01 00:00"), Until: at("2026-07-01 00:00"), Now: at("2026-11-15 12:00"), Location: time.UTC})
	u := userOf(t, rep, "u")
	if u.Recommended != "pro" {
		t.Fatalf("recommended %s, want pro", u.Recommended)
	}
	if !strings.Contains(u.Reason, "$195") || strings.Contains(u.Reason, "$163") {
		t.Errorf("reason %q: want the June week's budget $195", u.Reason)
	}

	// Measured budgets: the reason states them, not the defaults.
	opt := monthOpt("2026-10-01")
	opt.CurrentPlan = "pro"
	opt.Measured = map[string]*recommend.Measured{"u": {FiveHourUSD: 25, WeekUSD: 300, Snapshots: 200,
		From: "2026-10-05T08:30:00Z", To: "2026-10-30T18:00:00Z"}}
	rep = run(t, octoberWeeks("u"), nil, opt)
	u = userOf(t, rep, "u")
	if u.Recommended != "pro" {
		t.Fatalf("measured: recommended %s, want pro", u.Recommended)
	}
	if !strings.Contains(u.Reason, "($25, $300)") {
		t.Errorf("measured reason %q: want the measured budgets ($25, $300)", u.Reason)
	}
}

// TestReasonOnATie: $20 of API use in a month ties with Pro's $20; the API
// wins the tie (no commitment), and the reason must not call $20 less than $20.
func TestReasonOnATie(t *testing.T) {
	// Haiku 4.5 output at $5 per million: 2,000,000 tokens are exactly $10.
	var rs []usage.Request
	for _, s := range []string{"2026-10-05 09:00", "2026-10-06 09:00"} {
		rs = append(rs, usage.Request{Key: s, Time: at(s), User: "u", Source: "claude-code",
			Model: "claude-haiku-4-5-20251001", Tokens: usage.Tokens{Output: 2_000_000}, Count: 1})
	}
	rep := run(t, rs, nil, monthOpt("2026-10-01"))
	u := userOf(t, rep, "u")
	if u.Recommended != "api" || !close(u.TotalUSDPerMonth, 20) {
		t.Fatalf("recommended %s at %v, want api at 20", u.Recommended, u.TotalUSDPerMonth)
	}
	if strings.Contains(u.Reason, "less than Pro") || !strings.Contains(u.Reason, "the same as Pro at $20") {
		t.Errorf("reason %q: want the tie said as such", u.Reason)
	}
}
