package recommend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// calibrationUser has one window a weekday in September 2026 (20 weekdays):
// 17 of $51 and 3 that stop at a limit after $39, the first three Mondays.
func calibrationUser() ([]usage.Request, []usage.Notice) {
	var rs []usage.Request
	var ns []usage.Notice
	texts := []string{
		"You've hit your session limit · resets 2pm (UTC)",
		"You've hit your limit · resets 2pm (UTC)", // kind unstated: the reset matches the window's end
		"", // 2025 form, filled in below
	}
	n := 0
	days(weekday, func(d time.Time) {
		if d.Day() > 28 {
			return
		}
		if d.Weekday() == time.Monday && n < 3 {
			rs = append(rs, req("cal", d.Add(9*time.Hour+10*time.Minute), 19.5), req("cal", d.Add(10*time.Hour), 19.5))
			text := texts[n]
			if text == "" {
				text = "Claude AI usage limit reached|" + itoa(int(d.Add(14*time.Hour).Unix()))
			}
			ns = append(ns, usage.Notice{Time: d.Add(10*time.Hour + 5*time.Minute), User: "cal", Text: text})
			n++
			return
		}
		rs = append(rs, req("cal", d.Add(9*time.Hour+10*time.Minute), 25.5), req("cal", d.Add(11*time.Hour), 25.5))
	})
	return rs, ns
}

func TestCalibration(t *testing.T) {
	rs, ns := calibrationUser()
	opt := september()
	opt.CurrentPlan = "max" // an alias of max-5x

	rep := run(t, rs, ns, opt)
	c := rep.Calibration
	if c == nil || c.Plan != "max-5x" || c.Applied || rep.Budgets != "default" {
		t.Fatalf("calibration %+v, budgets %s", c, rep.Budgets)
	}
	if f := c.FiveHour; f == nil || f.DefaultUSD != 65 || f.ObservedUSD != 39 || f.Factor != 0.6 || f.Hits != 3 {
		t.Errorf("5-hour %+v, want default 65, observed 39, factor 0.6, 3 hits", f)
	}
	if c.Week != nil || len(c.Observations) != 3 {
		t.Errorf("week %+v, observations %+v", c.Week, c.Observations)
	}
	u := userOf(t, rep, "cal")
	// The default budgets fit the logged use on Max 5x ($51 windows against
	// $65), but the user was stopped on it 3 times in September: Max 5x is
	// observed not to fit (3 observed 5-hour hits; the unstated and 2025 forms
	// are placed by their reset at the window's end), so the answer is the
	// next plan with room, Max 20x (it was max-5x before the rule).
	if u.Recommended != "max-20x" || u.LimitHits != 3 || !strings.Contains(u.Notes[0], "on Max 5x 3 times") {
		t.Errorf("default budgets: %s, %d hits, notes %q", u.Recommended, u.LimitHits, u.Notes)
	}
	dm := u.Months[0]
	checkPlans(t, &dm, []want{{"max-5x", 100, 0, 3, 0, false}, {"max-20x", 200, 0, 0, 0, true}})
	if p := planOf(t, &dm, "max-5x"); p.ObservedHits != 3 {
		t.Errorf("max-5x observed hits %d, want 3", p.ObservedHits)
	}

	opt.Calibrate = true
	rep = run(t, rs, ns, opt)
	if !rep.Calibration.Applied || rep.Budgets != "calibrated" {
		t.Fatalf("calibrate: applied %v, budgets %s", rep.Calibration.Applied, rep.Budgets)
	}
	budgets := map[string][2]float64{}
	for _, b := range rep.PlanBudgets {
		budgets[b.Plan] = [2]float64{b.FiveHourUSD, b.WeekUSD}
	}
	// Every 5-hour budget x 0.6; no weekly hits, so weekly budgets stay.
	for plan, want := range map[string][2]float64{"pro": {9, 130}, "max-5x": {39, 550}, "max-20x": {150, 1200}} {
		if budgets[plan] != want {
			t.Errorf("%s budgets %v, want %v", plan, budgets[plan], want)
		}
	}
	u = userOf(t, rep, "cal")
	m := u.Months[0]
	// 17 windows of $51 against $39: $12 over each (17 simulated hits, more
	// than the 3 observed).
	checkPlans(t, &m, []want{{"max-5x", 100 + 204, 204, 17, 0, false}, {"max-20x", 200, 0, 0, 0, true}})
	if u.Recommended != "max-20x" {
		t.Errorf("calibrated: %s, want max-20x", u.Recommended)
	}
}

func TestCalibrationOptions(t *testing.T) {
	for _, tt := range []struct {
		opt  recommend.Options
		want string
	}{
		{recommend.Options{Calibrate: true}, "calibrating needs the current plan"},
		{recommend.Options{CurrentPlan: "gold"}, `unknown plan "gold"`},
		{recommend.Options{CurrentPlan: "api", Calibrate: true}, "the API has no limits"},
		{recommend.Options{Since: at("2026-09-01 00:00"), Until: at("2026-09-01 00:00")}, "empty range"},
		{recommend.Options{Model: "claude-nope"}, `unknown model "claude-nope"`},
	} {
		_, err := recommend.Run(nil, nil, pricing.Default(), tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.opt, err, tt.want)
		}
	}
	// Calibrating without any hit keeps the defaults and says so.
	opt := september()
	opt.CurrentPlan, opt.Calibrate = "pro", true
	rep := run(t, steady("sam"), nil, opt)
	if rep.Budgets != "default" || rep.Calibration.Applied || len(rep.Notes) == 0 {
		t.Errorf("budgets %s, applied %v, notes %q", rep.Budgets, rep.Calibration.Applied, rep.Notes)
	}
}
