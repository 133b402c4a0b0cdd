package recommend_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// hitsUser is the reviewer's Pro user of October 2026: 22 days (Oct 1-22),
// two windows a day, at 08:10 and 14:20, each $8 in 8 requests of $1 ten
// minutes apart ($1 is 66,667 output tokens, $1.000005, so $8 shows as $8.00),
// and a session-limit message 90 minutes into each window that
// resets 5 hours after its start: 44 hits, each 3.5 h blocked (154 h, 6.4 days).
// API-equivalent: 44 x $8 = $352; busiest window $8; busiest week 7 x $16 =
// $112. Pro's October budgets: $15 a window, $130 x 1.25 = $162.50 a week:
// the logged use fits them; it is what was left after the blocking.
func hitsUser(withHits bool) ([]usage.Request, []usage.Notice) {
	var rs []usage.Request
	var ns []usage.Notice
	for day := range 22 {
		d := at("2026-10-01 00:00").AddDate(0, 0, day)
		for _, st := range []time.Time{d.Add(8*time.Hour + 10*time.Minute), d.Add(14*time.Hour + 20*time.Minute)} {
			for k := range 8 {
				rs = append(rs, req("hh", st.Add(time.Duration(10*k)*time.Minute), 1))
			}
			if withHits {
				reset := st.Add(5 * time.Hour)
				text := fmt.Sprintf("You've hit your session limit · resets %d:%02d%s (UTC)", (reset.Hour()+11)%12+1, reset.Minute(), map[bool]string{false: "am", true: "pm"}[reset.Hour() >= 12])
				ns = append(ns, usage.Notice{Time: st.Add(90 * time.Minute), User: "hh", Text: text})
			}
		}
	}
	return rs, ns
}

func altOf(t *testing.T, u *recommend.User, id string) recommend.Alternative {
	t.Helper()
	for _, a := range u.Alternatives {
		if a.Plan == id {
			return a
		}
	}
	t.Fatalf("no alternative %s in %+v", id, u.Alternatives)
	return recommend.Alternative{}
}

// The 44-hit Pro user: Pro is observed not to fit (44 observed 5-hour hits),
// is not eligible, and Max 5x ($100, $65 a window) is the answer.
func TestStoppedOnCurrentPlan(t *testing.T) {
	rs, ns := hitsUser(true)
	opt := monthOpt("2026-10-01")
	opt.CurrentPlan = "pro"
	rep := run(t, rs, ns, opt)
	u := userOf(t, rep, "hh")
	m := onlyMonth(t, rep, "hh")
	if u.Recommended != "max-5x" || u.LimitHits != 44 || u.BlockedHours != 154 || u.Binding != "5-hour" {
		t.Errorf("recommended %s, %d hits, blocked %v, binding %q; want max-5x, 44, 154, 5-hour", u.Recommended, u.LimitHits, u.BlockedHours, u.Binding)
	}
	checkPlans(t, m, []want{
		{"pro", 20, 0, 44, 0, false},
		{"max-5x", 100, 0, 0, 0, true},
		{"max-20x", 200, 0, 0, 0, true},
	})
	// $1 is 66,667 output tokens at $15 a million: $1.000005.
	if p := planOf(t, m, "api"); math.Abs(p.TotalUSD-352) > 0.01 || !p.Fits {
		t.Errorf("api %+v, want $352", p)
	}
	for _, p := range m.Plans {
		if want := map[bool]int{true: 44}[p.Plan == "pro"]; p.ObservedHits != want {
			t.Errorf("%s observed hits %d, want %d", p.Plan, p.ObservedHits, want)
		}
		if p.Cheapest != (p.Plan == "max-5x") {
			t.Errorf("%s cheapest %v", p.Plan, p.Cheapest)
		}
	}
	if a := altOf(t, u, "pro"); a.Eligible || a.Fits || !strings.Contains(a.Reason, "stopped 44 times on Pro") {
		t.Errorf("pro alternative %+v, want not eligible, not fitting, with the reason", a)
	}
	if u.NextBest != "max-20x" || !near(u.SavingsUSDPerMonth, 100) {
		t.Errorf("next best %s saving %v, want max-20x saving $100", u.NextBest, u.SavingsUSDPerMonth)
	}
	for _, s := range []string{"Max at $100 against Ultra at $200", "you were stopped 44 times on Pro (2026-10: 44) and waited about 6.4 days for resets",
		"the logged use understates what you wanted", "Max is the next plan with room"} {
		if !strings.Contains(u.Reason, s) {
			t.Errorf("reason %q lacks %q", u.Reason, s)
		}
	}
	if strings.Contains(u.Reason, "fit its budgets") || strings.Contains(u.Reason, "covers") {
		t.Errorf("reason says the use fits the plan the user was stopped on: %q", u.Reason)
	}
	// Each hit comes after $8 of logged use in its window: $8 against Pro's
	// $15 is under 75% of it, so confidence is low, and says why.
	if u.Confidence != "low" || !strings.Contains(strings.Join(u.ConfidenceNotes, "; "), "44 limit hits put the 5-hour budget of pro at $8") {
		t.Errorf("confidence %s %q", u.Confidence, u.ConfidenceNotes)
	}
}

// Without --current-plan the hits are evidence for the notes and confidence
// only: Pro is still the answer, it fits, no hit is observed on a plan; but the
// reason does not stop at "fits".
func TestHitsWithoutCurrentPlan(t *testing.T) {
	rs, ns := hitsUser(true)
	rep := run(t, rs, ns, monthOpt("2026-10-01"))
	u := userOf(t, rep, "hh")
	m := onlyMonth(t, rep, "hh")
	if u.Recommended != "pro" || u.LimitHits != 44 {
		t.Errorf("recommended %s, %d hits; want pro, 44", u.Recommended, u.LimitHits)
	}
	checkPlans(t, m, []want{{"pro", 20, 0, 0, 0, true}, {"max-5x", 100, 0, 0, 0, true}})
	for _, p := range m.Plans {
		if p.ObservedHits != 0 {
			t.Errorf("%s observed hits %d without a current plan", p.Plan, p.ObservedHits)
		}
	}
	want := "Pro at $20 against Max at $100; your busiest 5-hour window ($8.00) and week ($112) of logged use fit its budgets ($15, $163), but you hit a limit 44 times and waited about 6.4 days for resets: the logged use understates what you wanted"
	if u.Reason != want {
		t.Errorf("reason\n %q\nwant\n %q", u.Reason, want)
	}
}

// The same use on Pro without a hit: unchanged, Pro fits and wins; so it does
// with messages that did not stop use on the plan (a fallback, server
// throttling, a spend limit).
func TestNoHitsOnCurrentPlan(t *testing.T) {
	rs, _ := hitsUser(false)
	others := []usage.Notice{
		{Time: at("2026-10-02 09:00"), User: "hh", Text: "Claude Opus limit reached, now using Sonnet 4"},
		{Time: at("2026-10-03 09:00"), User: "hh", Text: "Server is temporarily limiting requests (not your usage limit)"},
		{Time: at("2026-10-04 09:00"), User: "hh", Text: "You've hit your monthly spend limit."},
	}
	for _, ns := range [][]usage.Notice{nil, others} {
		opt := monthOpt("2026-10-01")
		opt.CurrentPlan = "pro"
		rep := run(t, rs, ns, opt)
		u := userOf(t, rep, "hh")
		m := onlyMonth(t, rep, "hh")
		if u.Recommended != "pro" || u.Binding != "" {
			t.Errorf("%d notices: recommended %s binding %q, want pro", len(ns), u.Recommended, u.Binding)
		}
		checkPlans(t, m, []want{{"pro", 20, 0, 0, 0, true}, {"max-5x", 100, 0, 0, 0, true}})
		if p := planOf(t, m, "pro"); p.ObservedHits != 0 || !p.Cheapest {
			t.Errorf("%d notices: pro %+v", len(ns), p)
		}
		for _, a := range u.Alternatives {
			if !a.Eligible || a.Reason != "" {
				t.Errorf("%d notices: alternative %+v", len(ns), a)
			}
		}
		if strings.Contains(u.Reason, "stopped") {
			t.Errorf("%d notices: reason %q", len(ns), u.Reason)
		}
	}
	opt := monthOpt("2026-10-01")
	opt.CurrentPlan = "pro"
	u := userOf(t, run(t, rs, nil, opt), "hh")
	if want := "Pro at $20 against Max at $100; your busiest 5-hour window ($8.00) and week ($112) of API-equivalent use fit its budgets ($15, $163)"; u.Reason != want {
		t.Errorf("reason %q, want %q", u.Reason, want)
	}
}

// A Max 5x user stopped twice by the weekly limit in October 2026: two weeks
// (from Oct 1 09:00 and Oct 8 09:00) of 12 windows of $50 (09:00 and 15:00,
// six days each): $600 a week, under Max 5x's $550 x 1.25 = $687.50, and $50
// a window under its $65, so the simulation finds no cap hit. Each week ends in
// a weekly-limit message at 20:00 on its sixth day, resetting at the week's
// end: 2 x 37 h = 74 h blocked. Max 5x is observed not to fit (2 weekly
// hits); Pro, smaller, would have stopped them too; Max 20x ($250 a window,
// $1,500 a week) fits: $200, against the API's 24 x $50 = $1,200.
func TestWeeklyHitsOnMax(t *testing.T) {
	var rs []usage.Request
	var ns []usage.Notice
	for _, first := range []string{"2026-10-01", "2026-10-08"} {
		d0 := at(first + " 00:00")
		for day := range 6 {
			d := d0.AddDate(0, 0, day)
			rs = append(rs, req("w", d.Add(9*time.Hour), 50), req("w", d.Add(15*time.Hour), 50))
		}
		reset := d0.AddDate(0, 0, 7).Add(9 * time.Hour)
		ns = append(ns, usage.Notice{Time: d0.AddDate(0, 0, 5).Add(20 * time.Hour), User: "w",
			Text: "You've hit your weekly limit · resets " + reset.Format("Jan 2") + ", 9am (UTC)"})
	}
	opt := monthOpt("2026-10-01")
	opt.CurrentPlan = "max"
	rep := run(t, rs, ns, opt)
	u := userOf(t, rep, "w")
	m := onlyMonth(t, rep, "w")
	if u.Recommended != "max-20x" || u.LimitHits != 2 || u.BlockedHours != 74 || u.Binding != "week" {
		t.Errorf("recommended %s, %d hits, blocked %v, binding %q; want max-20x, 2, 74, week", u.Recommended, u.LimitHits, u.BlockedHours, u.Binding)
	}
	checkPlans(t, m, []want{{"max-5x", 100, 0, 0, 2, false}, {"max-20x", 200, 0, 0, 0, true}})
	if p := planOf(t, m, "api"); math.Abs(p.TotalUSD-1200) > 0.01 || !p.Fits {
		t.Errorf("api %+v, want $1,200", p)
	}
	if p := planOf(t, m, "max-5x"); p.ObservedHits != 2 {
		t.Errorf("max-5x observed hits %d, want 2", p.ObservedHits)
	}
	if a := altOf(t, u, "max-5x"); a.Eligible || !strings.Contains(a.Reason, "stopped 2 times on Max") {
		t.Errorf("max-5x alternative %+v", a)
	}
	if a := altOf(t, u, "pro"); a.Eligible || a.Reason != "smaller than Max, on which you were stopped 2 times" {
		t.Errorf("pro alternative %+v", a)
	}
	if !strings.Contains(u.Reason, "you were stopped 2 times on Max (2026-10: 2) and waited about 3.1 days") ||
		!strings.Contains(u.Reason, "Ultra is the next plan with room") || strings.Contains(u.Reason, "fit its") {
		t.Errorf("reason %q", u.Reason)
	}
}
