package recommend_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// weekdayWindows is one user's September 2026: every weekday two $12 requests
// at 10:00 and 11:00, so one $24 window a day and five windows ($120) a week.
func weekdayWindows(user string) []usage.Request {
	var rs []usage.Request
	for d := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC); d.Month() == time.September; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		rs = append(rs, req(user, d.Add(10*time.Hour), 12), req(user, d.Add(11*time.Hour), 12))
	}
	return rs
}

func septemberOptions() recommend.Options {
	return recommend.Options{
		Since: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Now: time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC),
	}
}

func TestMeasuredBudgetsChangeTheRecommendation(t *testing.T) {
	rs := weekdayWindows("alice")
	// Defaults: Pro's $15 window overflows by $9 on each of September's 22
	// weekdays, $198 + $20 = $218; Max 5x's $65 holds $24, so $100 wins.
	opt := septemberOptions()
	opt.CurrentPlan = "pro"
	rep, err := recommend.Run(rs, nil, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if u := rep.Users[0]; u.Recommended != "max-5x" || u.Measured != nil || rep.Budgets != "default" {
		t.Fatalf("defaults: recommended %s, measured %v, budgets %s; want max-5x, nil, default", u.Recommended, u.Measured, rep.Budgets)
	}

	// Measured on Pro: $30 a window, $160 a week. $24 windows and $120 weeks
	// fit, so Pro at $20 wins.
	opt.Measured = map[string]*recommend.Measured{"alice": {FiveHourUSD: 30, WeekUSD: 160, Snapshots: 12, From: "2026-09-20T10:00:00Z", To: "2026-09-30T10:00:00Z"}}
	rep, err = recommend.Run(rs, nil, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	u := rep.Users[0]
	if u.Recommended != "pro" || rep.Budgets != "measured" {
		t.Fatalf("measured: recommended %s, budgets %s; want pro, measured", u.Recommended, rep.Budgets)
	}
	if m := u.Measured; m == nil || m.Plan != "pro" || m.FiveHourUSD != 30 || m.WeekUSD != 160 || m.Snapshots != 12 {
		t.Errorf("users[].measured = %+v", m)
	}
	pro := monthOf(t, &u, "2026-09")
	for _, p := range pro.Plans {
		if p.Plan == "pro" && (!p.Fits || p.OverflowUSD != 0 || p.TotalUSD != 20) {
			t.Errorf("pro in September: %+v, want $20 and fits", p)
		}
	}
	// Other plans: 5-hour by Anthropic's ratios to Pro's measured $30 (Max 5x
	// 5x = $150, Max 20x 20x = $600, Team Standard 1.25x = $37.50, Team
	// Premium 6.25x = $187.50); weeks by the catalogue's, all x 160/130.
	want := map[string][2]float64{
		"pro": {30, 160}, "max-5x": {150, 550 * 160.0 / 130}, "max-20x": {600, 1200 * 160.0 / 130},
		"team-standard": {37.5, 160 * 160.0 / 130}, "team-premium": {187.5, 550 * 160.0 / 130},
	}
	for _, pb := range rep.PlanBudgets {
		w, ok := want[pb.Plan]
		if !ok {
			continue
		}
		if math.Abs(pb.FiveHourUSD-w[0]) > 1e-6 || math.Abs(pb.WeekUSD-w[1]) > 1e-6 {
			t.Errorf("%s budgets %v / %v, want %v / %v", pb.Plan, pb.FiveHourUSD, pb.WeekUSD, w[0], w[1])
		}
		if !strings.Contains(pb.Source, "measured") {
			t.Errorf("%s source %q does not say measured", pb.Plan, pb.Source)
		}
	}
	found := false
	for _, n := range u.Notes {
		found = found || strings.Contains(n, "budgets measured from 12 snapshots of Pro's meter")
	}
	if !found {
		t.Errorf("no note on the measured budgets: %q", u.Notes)
	}
	var b strings.Builder
	if err := recommend.Render(&b, rep, "table"); err != nil || !strings.Contains(b.String(), "measured") {
		t.Errorf("the table does not say measured: %v", err)
	}
}

// Snapshots outrank a limit-hit calibration; without a plan, the plan is the
// one whose defaults are nearest.
func TestMeasuredOutranksCalibrationAndInfersThePlan(t *testing.T) {
	rs := weekdayWindows("bob")
	opt := septemberOptions()
	// A limit hit $12 into a window would calibrate Pro's window to $12.
	hit := usage.Notice{Time: time.Date(2026, 9, 1, 10, 30, 0, 0, time.UTC), User: "bob", Text: "You've hit your session limit · resets 3pm (UTC)"}
	opt.CurrentPlan, opt.Calibrate = "pro", true
	opt.Measured = map[string]*recommend.Measured{"bob": {FiveHourUSD: 30, WeekUSD: 160, Snapshots: 5}}
	rep, err := recommend.Run(rs, []usage.Notice{hit}, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	// Measured outranks: Pro's window is the measured $30, not the $12 the
	// hit calibrates it to.
	for _, pb := range rep.PlanBudgets {
		if pb.Plan == "pro" && math.Abs(pb.FiveHourUSD-30) > 1e-6 {
			t.Errorf("with calibration and measured budgets: pro's window %v, want the measured 30", pb.FiveHourUSD)
		}
	}
	// $30 holds bob's $24 windows, but he was stopped on Pro once in
	// September: Pro is observed not to fit, and Max 5x ($150 windows), the
	// next plan with room, is the answer (it was pro before that rule).
	if rep.Users[0].Recommended != "max-5x" {
		t.Errorf("with calibration and measured budgets: %s, want max-5x (stopped on pro)", rep.Users[0].Recommended)
	}
	// No current plan: $70 a window is nearest Max 5x's $65 (Pro $15, Max 20x
	// $250), so the budgets are Max 5x's: $70 covers $24 windows, and Pro,
	// at 70/5 = $14 a window, does not.
	opt = septemberOptions()
	opt.Measured = map[string]*recommend.Measured{"bob": {FiveHourUSD: 70, WeekUSD: 600, Snapshots: 5}}
	rep, err = recommend.Run(rs, nil, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Users[0].Measured; m == nil || m.Plan != "max-5x" {
		t.Errorf("inferred plan: %+v, want max-5x", m)
	}
	for _, pb := range rep.PlanBudgets {
		if pb.Plan == "pro" && math.Abs(pb.FiveHourUSD-14) > 1e-6 {
			t.Errorf("pro's window %v, want 70/5 = 14", pb.FiveHourUSD)
		}
	}
	if rep.Users[0].Recommended != "max-5x" {
		t.Errorf("recommended %s, want max-5x", rep.Users[0].Recommended)
	}
}

// With measured budgets the ±25% sensitivity note of default budgets is
// replaced by a ±10% one.
func TestMeasuredConfidence(t *testing.T) {
	rs := weekdayWindows("carol")
	opt := septemberOptions()
	opt.CurrentPlan = "pro"
	// $21.50 a window: Pro costs $20 + 22 x $2.50 overflow = $75, less than
	// Max 5x's $100; 10% less ($19.35) makes it $20 + 22 x $4.65 = $122.30,
	// and 10% more $20 + 22 x $0.35 = $27.70.
	opt.Measured = map[string]*recommend.Measured{"carol": {FiveHourUSD: 21.5, WeekUSD: 160, Snapshots: 5}}
	rep, err := recommend.Run(rs, nil, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	u := rep.Users[0]
	joined := strings.Join(u.ConfidenceNotes, "; ")
	if u.Recommended != "pro" || !strings.Contains(joined, "with measured budgets 10% lower, max-5x would be cheapest") ||
		strings.Contains(joined, "10% higher") || strings.Contains(joined, "25%") || u.Confidence == "high" {
		t.Errorf("recommended %s, confidence %s (%s)", u.Recommended, u.Confidence, joined)
	}
}
