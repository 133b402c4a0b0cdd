package recommend_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// monthOpt is a one-month report on the month starting at first (UTC), seen
// from well after it, with the default catalogue and its dated rules.
func monthOpt(first string) recommend.Options {
	s := at(first + " 00:00")
	return recommend.Options{Since: s, Until: s.AddDate(0, 1, 0), Now: s.AddDate(0, 2, 0), Location: time.UTC}
}

// windowsOf returns n requests of usd each, 6 hours apart from start: each in a
// window of its own.
func windowsOf(user string, start time.Time, n int, usd float64) []usage.Request {
	var rs []usage.Request
	for i := range n {
		rs = append(rs, req(user, start.Add(time.Duration(i)*6*time.Hour), usd))
	}
	return rs
}

// close compares amounts made of token counts rounded to whole tokens ($15 per
// million output tokens: at most $0.0000075 off per request).
func close(a, b float64) bool { return math.Abs(a-b) < 1e-3 }

func onlyMonth(t *testing.T, rep *recommend.Report, user string) *recommend.Month {
	t.Helper()
	u := userOf(t, rep, user)
	if len(u.Months) != 1 {
		t.Fatalf("%d months", len(u.Months))
	}
	return &u.Months[0]
}

// TestWeeklyFactorByDate: weekly budgets are x1.5 from 2026-05-13 to
// 2026-09-13 and x1.25 from 2026-09-14; a week keeps the rule of its start.
// Fifteen windows of $14 (each within Pro's $15) in one week: $210.
func TestWeeklyFactorByDate(t *testing.T) {
	for _, tt := range []struct {
		name, month, start string
		overflow           float64 // 210 - the week's Pro budget
	}{
		{"June: 130 x 1.5 = 195", "2026-06-01", "2026-06-02 01:00", 15},
		{"October: 130 x 1.25 = 162.50", "2026-10-01", "2026-10-06 01:00", 47.5},
		// The week starts 2026-05-12 01:00, before the promotion: $130 for all of
		// it, though six of its days are in the promotion.
		{"a week spanning 05-13 keeps its start's rule: 130", "2026-05-01", "2026-05-12 01:00", 80},
		// Starts 2026-09-13 01:00, the promotion's last day: $195 for the week.
		{"a week spanning 09-14 keeps the promotion: 195", "2026-09-01", "2026-09-13 01:00", 15},
	} {
		rep := run(t, windowsOf("u", at(tt.start), 15, 14), nil, monthOpt(tt.month))
		p := planOf(t, onlyMonth(t, rep, "u"), "pro")
		if !close(p.OverflowUSD, tt.overflow) || p.CapHitsWeek != 1 || p.CapHits5h != 0 || p.Fits {
			t.Errorf("%s: overflow %v, hits %d/%d, fits %v; want %v, 0/1, false", tt.name, p.OverflowUSD, p.CapHits5h, p.CapHitsWeek, p.Fits, tt.overflow)
		}
	}
	// The 5-hour budgets do not change with the weekly rules: one window of $20
	// in June is $5 over Pro's $15.
	rep := run(t, []usage.Request{req("u", at("2026-06-10 10:00"), 20)}, nil, monthOpt("2026-06-01"))
	if p := planOf(t, onlyMonth(t, rep, "u"), "pro"); !close(p.OverflowUSD, 5) || p.CapHits5h != 1 {
		t.Errorf("June window: %+v, want $5 over, 1 hit", p)
	}
}

// TestMinuteWindows: in 2026 a window starts at its first request to the
// minute; in 2025 it was rounded down to the hour. Requests at 11:55 and 16:05.
func TestMinuteWindows(t *testing.T) {
	// 2025-07 (Pro $7.50 a window): 11:00-16:00, then 16:05 opens a new
	// window: $5 + $5 fit.
	rep := run(t, []usage.Request{req("u", at("2025-07-10 11:55"), 5), req("u", at("2025-07-10 16:05"), 5)}, nil, monthOpt("2025-07-01"))
	if p := planOf(t, onlyMonth(t, rep, "u"), "pro"); p.CapHits5h != 0 || !p.Fits {
		t.Errorf("2025: %+v, want two windows that fit", p)
	}
	// 2026-03 (still $7.50): one window 11:55-16:55 holds both: $10, $2.50 over.
	rep = run(t, []usage.Request{req("u", at("2026-03-10 11:55"), 5), req("u", at("2026-03-10 16:05"), 5)}, nil, monthOpt("2026-03-01"))
	p := planOf(t, onlyMonth(t, rep, "u"), "pro")
	if p.CapHits5h != 1 || !close(p.OverflowUSD, 2.5) || p.Fits {
		t.Errorf("2026: %+v, want one window, 1 hit, $2.50 over", p)
	}
	u := userOf(t, rep, "u")
	if len(u.Windows) != 1 || u.Windows[0].Start != "2026-03-10T11:55:00Z" || u.Windows[0].End != "2026-03-10T16:55:00Z" {
		t.Errorf("windows %+v, want one 11:55-16:55", u.Windows)
	}
}

// TestResetTimesFromMessages: a reset time in the user's own limit message tells
// where that window ends. $10 at 10:00 and $10 at 14:50 in June 2026: to the
// minute one window 10:00-15:00 ($20, $5 over Pro's $15); the message at 12:00
// says it resets at 2:30pm, so the window is 09:30-14:30 and 14:50 opens the next.
func TestResetTimesFromMessages(t *testing.T) {
	rs := []usage.Request{req("u", at("2026-06-10 10:00"), 10), req("u", at("2026-06-10 14:50"), 10)}
	rep := run(t, rs, nil, monthOpt("2026-06-01"))
	if p := planOf(t, onlyMonth(t, rep, "u"), "pro"); p.CapHits5h != 1 {
		t.Errorf("without the message: %d hits, want 1", p.CapHits5h)
	}
	notices := []usage.Notice{{Time: at("2026-06-10 12:00"), User: "u", Text: "You've hit your session limit · resets 2:30pm (UTC)"}}
	rep = run(t, rs, notices, monthOpt("2026-06-01"))
	if p := planOf(t, onlyMonth(t, rep, "u"), "pro"); p.CapHits5h != 0 || !p.Fits {
		t.Errorf("with the message: %+v, want two windows that fit", p)
	}
	u := userOf(t, rep, "u")
	if len(u.Windows) != 2 || u.Windows[0].Start != "2026-06-10T09:30:00Z" || u.Windows[0].End != "2026-06-10T14:30:00Z" || u.Windows[0].Hits != 1 {
		t.Errorf("windows %+v, want 09:30-14:30 with its hit, then one more", u.Windows)
	}
	// Blocked from 12:00 to the 14:30 reset.
	if u.BlockedHours != 2.5 {
		t.Errorf("blocked %v h, want 2.5", u.BlockedHours)
	}
}

// long returns a request on model with prompt input tokens of plain input and
// out output tokens.
func long(user string, t time.Time, model string, input, out int64) usage.Request {
	return usage.Request{Key: user + t.String(), Time: t, User: user, Source: "claude-code", Model: model,
		Tokens: usage.Tokens{Input: input, Output: out}, Count: 1}
}

// TestLongContextIsExtraUsage: a request whose prompt input is above 200k is
// extra usage on a subscription, drawn from no budget.
func TestLongContextIsExtraUsage(t *testing.T) {
	// Opus 4.6 at $5 in / $25 out: 250,000 in + 10,000 out = $1.25 + $0.25 = $1.50.
	rs := []usage.Request{long("u", at("2026-06-10 10:00"), "claude-opus-4-6", 250_000, 10_000)}
	rep := run(t, rs, nil, monthOpt("2026-06-01"))
	p := planOf(t, onlyMonth(t, rep, "u"), "pro")
	if !close(p.OverflowUSD, 1.5) || !close(p.LongContextUSD, 1.5) || p.CapHits5h != 0 || p.Fits || !close(p.TotalUSD, 21.5) {
		t.Errorf("pro %+v; want $1.50 of 1M-context overflow, no cap hit, not fitting, $21.50", p)
	}
	// Exactly 200,000 is not above the threshold: $1 + $0.25 within the budget.
	rs = []usage.Request{long("u", at("2026-06-10 10:00"), "claude-opus-4-6", 200_000, 10_000)}
	rep = run(t, rs, nil, monthOpt("2026-06-01"))
	if p := planOf(t, onlyMonth(t, rep, "u"), "pro"); p.OverflowUSD != 0 || !p.Fits {
		t.Errorf("200k: %+v, want it to fit", p)
	}
	// Without extra usage the plan does not fit, and is not recommended.
	opt := monthOpt("2026-06-01")
	opt.NoExtraUsage = true
	rs = append(rs, long("u", at("2026-06-11 10:00"), "claude-opus-4-6", 300_000, 0)) // $1.50
	rep = run(t, rs, nil, opt)
	u := userOf(t, rep, "u")
	for _, a := range u.Alternatives {
		if a.Plan != "api" && !strings.HasPrefix(a.Plan, "team") && (a.Fits || a.Eligible) {
			t.Errorf("%s: fits %v eligible %v; want neither", a.Plan, a.Fits, a.Eligible)
		}
	}
	if u.Recommended != "api" {
		t.Errorf("recommended %s, want api", u.Recommended)
	}
}

// TestModelCaps: use past a model cap is overflow, and the plan does not fit.
func TestModelCaps(t *testing.T) {
	// Fable on Pro is extra usage only: 100,000 Fable 5 output tokens at $50/M =
	// $5, all overflow. On Max 5x the Fable cap is half the June week,
	// 0.5 x 550 x 1.5 = $412.50: it fits.
	rs := []usage.Request{long("u", at("2026-06-10 10:00"), "claude-fable-5", 0, 100_000)}
	rep := run(t, rs, nil, monthOpt("2026-06-01"))
	m := onlyMonth(t, rep, "u")
	if p := planOf(t, m, "pro"); !close(p.OverflowUSD, 5) || p.CapHitsModel != 1 || p.CapHits5h != 0 || p.Fits {
		t.Errorf("pro %+v; want $5 over a model cap", p)
	}
	if p := planOf(t, m, "max-5x"); p.OverflowUSD != 0 || !p.Fits {
		t.Errorf("max-5x %+v; want it to fit", p)
	}
	if u := userOf(t, rep, "u"); u.Binding != "" && u.Recommended == "pro" {
		t.Errorf("pro recommended despite its Fable cap: %+v", u)
	}
	// The Opus cap of 2025-08-28 to 2025-11-24: half of Max 5x's $550 week,
	// $275. Ten windows of $30 of Opus 4.1 in a week ($300; each within the
	// $32.50 window): $25 over the cap.
	var opus []usage.Request
	for i := range 10 {
		// Opus 4.1 output $75/M: 400,000 tokens = $30.
		opus = append(opus, long("u", at("2025-10-07 01:00").Add(time.Duration(i)*6*time.Hour), "claude-opus-4-1-20250805", 0, 400_000))
	}
	rep = run(t, opus, nil, monthOpt("2025-10-01"))
	if p := planOf(t, onlyMonth(t, rep, "u"), "max-5x"); !close(p.OverflowUSD, 25) || p.CapHitsModel != 1 || p.CapHitsWeek != 0 || p.CapHits5h != 0 || p.Fits {
		t.Errorf("max-5x %+v; want $25 over the Opus cap", p)
	}
	if u := userOf(t, rep, "u"); u.Recommended == "max-5x" && u.Binding != "model cap (opus)" {
		t.Errorf("binding %q", u.Binding)
	}
	// The same in December 2025, after the Opus cap ended: it fits.
	for i := range opus {
		opus[i].Time = opus[i].Time.AddDate(0, 2, 0)
	}
	rep = run(t, opus, nil, monthOpt("2025-12-01"))
	if p := planOf(t, onlyMonth(t, rep, "u"), "max-5x"); !p.Fits {
		t.Errorf("December: %+v, want it to fit", p)
	}
}

// TestTeamOfThree: a team pays for at least 5 seats; the team view prices the
// minimum and the yearly option; a solo user is never told a seat is cheapest.
func TestTeamOfThree(t *testing.T) {
	var rs []usage.Request
	for _, u := range []string{"a", "b", "c"} {
		rs = append(rs, windowsOf(u, at("2026-06-02 01:00"), 2, 5)...) // $10 each
	}
	rep := run(t, rs, nil, monthOpt("2026-06-01"))
	want := map[string]struct {
		total float64
		seats int
	}{
		"team-standard":        {5 * 30, 5},  // 5 seats x $30, though 3 people
		"team-standard:yearly": {5 * 25, 5},  // billed yearly
		"team-premium":         {5 * 150, 5}, // $150 either way: no yearly option
		"api":                  {30, 0},
		"own-best":             {30, 0}, // each on the API at $10
	}
	seen := 0
	for _, o := range rep.Team.Options {
		if w, ok := want[o.Option]; ok {
			seen++
			if !close(o.TotalUSDPerMonth, w.total) || o.Seats != w.seats {
				t.Errorf("%s: $%v, %d seats; want $%v, %d", o.Option, o.TotalUSDPerMonth, o.Seats, w.total, w.seats)
			}
		}
		if o.Option == "team-premium:yearly" {
			t.Error("team-premium has no cheaper yearly price")
		}
	}
	if seen != len(want) {
		t.Errorf("options %+v", rep.Team.Options)
	}
	// Each user's row shows their share: 5/3 seats, $50 of Team Standard.
	if p := planOf(t, onlyMonth(t, rep, "a"), "team-standard"); !close(p.PriceUSD, 50) || p.Seats != 1.6667 {
		t.Errorf("a's seat %+v, want $50 for 5/3 seats", p)
	}
	// Yearly billing prices the team with $25 seats.
	opt := monthOpt("2026-06-01")
	opt.Billing = "yearly"
	rep = run(t, rs, nil, opt)
	for _, o := range rep.Team.Options {
		if o.Option == "team-standard" && (!close(o.TotalUSDPerMonth, 125) || o.Billing != "yearly") {
			t.Errorf("yearly team-standard %+v, want $125", o)
		}
	}
}

// TestSoloNeverTeam: a heavy solo user whose cheapest seat price per seat would
// beat Max is priced at 5 seats, and never recommended a seat.
func TestSoloNeverTeam(t *testing.T) {
	// $80 windows, four a day for a week: Team Premium ($90 a window) fits one
	// window; Max 5x ($65) does not.
	rep := run(t, windowsOf("s", at("2026-06-02 01:00"), 28, 80), nil, monthOpt("2026-06-01"))
	u := userOf(t, rep, "s")
	if strings.HasPrefix(u.Recommended, "team") {
		t.Errorf("solo user told %s", u.Recommended)
	}
	if p := planOf(t, &u.Months[0], "team-premium"); !close(p.PriceUSD, 750) {
		t.Errorf("solo team-premium price %v, want 5 x 150", p.PriceUSD)
	}
}

// TestYearlyBilling: --billing yearly prices Pro at $17; Max has no yearly price.
func TestYearlyBilling(t *testing.T) {
	opt := monthOpt("2026-06-01")
	opt.Billing = "yearly"
	rep := run(t, windowsOf("u", at("2026-06-02 01:00"), 10, 5), nil, opt) // $50 of use
	m := onlyMonth(t, rep, "u")
	if p := planOf(t, m, "pro"); !close(p.TotalUSD, 17) || p.PriceMonthlyUSD != 20 || p.PriceYearlyUSD != 17 {
		t.Errorf("pro %+v, want $17 (monthly $20 beside it)", p)
	}
	if p := planOf(t, m, "max-5x"); !close(p.TotalUSD, 100) {
		t.Errorf("max-5x %v, want 100", p.TotalUSD)
	}
	if u := userOf(t, rep, "u"); u.Recommended != "pro" || !close(u.SavingsUSDPerMonth, 33) {
		t.Errorf("%s saves %v; want pro, $33 against the $50 API", u.Recommended, u.SavingsUSDPerMonth)
	}
	opt.Billing = "weekly"
	if _, err := recommend.Run(nil, nil, nil, opt); err == nil {
		t.Error("billing weekly accepted")
	}
}

// TestNamesByDate: the renames of 2026-10-30 keep ids and old names as aliases;
// Ultra has no 5-hour limit from then [3P].
func TestNamesByDate(t *testing.T) {
	c := recommend.Default()
	for _, tt := range []struct{ id, day, name string }{
		{"max-5x", "2026-10-29", "Max 5x"}, {"max-5x", "2026-10-30", "Max"},
		{"max-20x", "2026-10-29", "Max 20x"}, {"max-20x", "2026-10-30", "Ultra"},
		{"pro", "2026-10-30", "Pro"},
	} {
		p, _ := c.Lookup(tt.id)
		d, _ := time.Parse(time.DateOnly, tt.day)
		if got := p.NameAt(d); got != tt.name {
			t.Errorf("%s on %s: %q, want %q", tt.id, tt.day, got, tt.name)
		}
	}
	for alias, id := range map[string]string{"Max 5x": "max-5x", "max 20x": "max-20x", "Ultra": "max-20x", "Max": "max-5x"} {
		if p, ok := c.Lookup(alias); !ok || p.ID != id {
			t.Errorf("Lookup(%q) = %v", alias, p)
		}
	}
	p, _ := c.Lookup("ultra")
	if b := c.WindowBudget(p, at("2026-10-30 00:00")); !math.IsInf(b, 1) {
		t.Errorf("Ultra 5-hour budget %v, want none", b)
	}
	if b := c.WindowBudget(p, at("2026-10-29 23:00")); b != 250 {
		t.Errorf("Max 20x 5-hour budget %v, want 250", b)
	}
}

// TestConfidenceListensToEvidence: a Pro user whose 4 limit hits put the 5-hour
// budget at $8 (default $15) gets low confidence, and the reason names the
// blocked demand instead of "Pro covers that".
func TestConfidenceListensToEvidence(t *testing.T) {
	var rs []usage.Request
	var notices []usage.Notice
	// Four days in June 2026, each one window with $8 (two requests of $4 at
	// 10:00 and 11:00) and a session-limit message at 11:30.
	for _, d := range []string{"2026-06-02", "2026-06-09", "2026-06-16", "2026-06-23"} {
		day := at(d + " 00:00")
		rs = append(rs, req("p", day.Add(10*time.Hour), 4), req("p", day.Add(11*time.Hour), 4))
		notices = append(notices, usage.Notice{Time: day.Add(11*time.Hour + 30*time.Minute), User: "p", Text: "You've hit your session limit · resets 3pm (UTC)"})
	}
	// Many more days of light use, so the data is not thin.
	for i := range 20 {
		rs = append(rs, req("p", at("2026-06-03 20:00").AddDate(0, 0, i), 0.5))
	}
	opt := monthOpt("2026-06-01")
	opt.CurrentPlan = "pro"
	rep := run(t, rs, notices, opt)
	u := userOf(t, rep, "p")
	if c := rep.Calibration; c == nil || c.FiveHour == nil || !close(c.FiveHour.ObservedUSD, 8) || c.FiveHour.Hits != 4 {
		t.Fatalf("calibration %+v", rep.Calibration)
	}
	if u.Confidence != "low" || !strings.Contains(strings.Join(u.ConfidenceNotes, "; "), "4 limit hits put the 5-hour budget of pro at $8.00 (default $15)") {
		t.Errorf("confidence %s %q", u.Confidence, u.ConfidenceNotes)
	}
	// Blocked: 11:30 to 15:00 four times = 14 h. Stopped on Pro, Pro is not
	// eligible: the cheapest option with room is the API ($8 x 4 + $0.50 x 20
	// = $42, against Max 5x's $100); before that rule, pro.
	if u.BlockedHours != 14 || u.Recommended != "api" ||
		!strings.Contains(u.Reason, "you were stopped 4 times on Pro (2026-06: 4) and waited about 14h") ||
		strings.Contains(u.Reason, "covers that") || strings.Contains(u.Reason, "fit") {
		t.Errorf("blocked %v, recommended %s, reason %q", u.BlockedHours, u.Recommended, u.Reason)
	}
}

// TestProjectionFromFirstUse: the current month is projected from the days
// since the user's first use in it. First use Oct 11, now Oct 21 00:00: 10 days
// elapsed, 21 days from Oct 11 to Nov 1: x2.1 (not 31/20 = 1.55).
func TestProjectionFromFirstUse(t *testing.T) {
	var rs []usage.Request
	for d := 11; d <= 20; d++ {
		rs = append(rs, req("u", time.Date(2026, 10, d, 10, 0, 0, 0, time.UTC), 3))
	}
	rep := run(t, rs, nil, recommend.Options{Since: at("2026-10-01 00:00"), Now: at("2026-10-21 00:00"), Location: time.UTC})
	m := onlyMonth(t, rep, "u")
	if !m.Projected || m.ProjectionFactor != 2.1 || !close(m.APICostUSD, 63) {
		t.Errorf("factor %v, api %v; want 2.1, $30 x 2.1 = $63", m.ProjectionFactor, m.APICostUSD)
	}
}

// TestIdleMonthsSaid: one active month of four is said plainly.
func TestIdleMonthsSaid(t *testing.T) {
	rs := windowsOf("u", at("2026-06-02 01:00"), 4, 5)
	rep := run(t, rs, nil, recommend.Options{Since: at("2026-04-01 00:00"), Until: at("2026-08-01 00:00"), Now: at("2026-09-01 00:00"), Location: time.UTC})
	u := userOf(t, rep, "u")
	if u.MonthsActive != 1 || u.MonthsInRange != 4 || !strings.Contains(strings.Join(u.Notes, "\n"), "1 of 4 months active") {
		t.Errorf("active %d of %d, notes %q", u.MonthsActive, u.MonthsInRange, u.Notes)
	}
}

// TestSpanUse: Weeks and Windows carry each plan's budget under the rule at
// the span's start, and the limit messages inside.
func TestSpanUse(t *testing.T) {
	rs := []usage.Request{req("u", at("2026-09-13 10:00"), 5), req("u", at("2026-09-21 10:00"), 5)}
	notices := []usage.Notice{{Time: at("2026-09-13 11:00"), User: "u", Text: "You've hit your limit"}}
	rep := run(t, rs, notices, monthOpt("2026-09-01"))
	u := userOf(t, rep, "u")
	if len(u.Weeks) != 2 || len(u.Windows) != 2 {
		t.Fatalf("weeks %+v windows %+v", u.Weeks, u.Windows)
	}
	// The week of 09-13 is the promotion's (130 x 1.5), that of 09-21 the new
	// standard (130 x 1.25); windows stay $15.
	if w := u.Weeks[0]; w.Budgets["pro"] != 195 || w.Budgets["max-5x"] != 825 || w.Hits != 1 || !close(w.USD, 5) || w.Start != "2026-09-13T10:00:00Z" {
		t.Errorf("week 1 %+v", w)
	}
	if w := u.Weeks[1]; w.Budgets["pro"] != 162.5 || w.Hits != 0 {
		t.Errorf("week 2 %+v", w)
	}
	if w := u.Windows[0]; w.Budgets["pro"] != 15 || w.End != "2026-09-13T15:00:00Z" || w.Hits != 1 {
		t.Errorf("window 1 %+v", w)
	}
}

// TestRulesOverride: --plans can replace a rule list; the embedded rules carry
// a date-ordered source and mark each.
func TestRulesOverride(t *testing.T) {
	c, err := recommend.Default().OverrideData("r.json", []byte(`{"rules": {"week_factor": [{"from": "2026-06-01", "factor": 2, "mark": "3P"}]}, "plans": []}`))
	if err != nil {
		t.Fatal(err)
	}
	opt := monthOpt("2026-06-01")
	opt.Plans = c
	// 15 windows of $14 = $210 against 130 x 2 = 260: fits.
	rep := run(t, windowsOf("u", at("2026-06-02 01:00"), 15, 14), nil, opt)
	if p := planOf(t, onlyMonth(t, rep, "u"), "pro"); !p.Fits {
		t.Errorf("pro %+v, want it to fit a $260 week", p)
	}
	r := recommend.Default().Rules()
	for _, list := range [][]recommend.Rule{r.WeekFactor, r.WindowStart, r.LongContext, r.TeamMinSeats} {
		if len(list) == 0 {
			t.Error("an empty rule list")
		}
		for _, x := range list {
			if x.Mark == "" || x.Source == "" {
				t.Errorf("rule %+v without mark or source", x)
			}
		}
	}
	for _, p := range recommend.Default().Plans() {
		for _, mc := range p.ModelCaps {
			if mc.Mark == "" || mc.Source == "" {
				t.Errorf("%s cap %+v without mark or source", p.ID, mc)
			}
		}
	}
	for _, bad := range []struct{ text, want string }{
		{`{"rules": {"week_factor": [{"factor": 0}]}, "plans": []}`, "want a number > 0"},
		{`{"rules": {"window_start": [{"round": "second"}]}, "plans": []}`, `want "hour" or "minute"`},
		{`{"rules": {"team_min_seats": [{"seats": 2.5}]}, "plans": []}`, "want a whole number >= 1"},
		{`{"rules": {"week_factor": [{"factor": 1, "mark": "maybe"}]}, "plans": []}`, "want V, 3P or V/3P"},
		{`{"rules": {"week_factor": [{"factor": 1}, {"factor": 2}]}, "plans": []}`, "only the first rule may leave it out"},
		{`{"plans": [{"id": "x", "price_usd": 1, "budgets": [{}], "model_caps": [{"model": "gpt", "share": 1}]}]}`, "want a model family"},
		{`{"plans": [{"id": "x", "price_usd": 1, "budgets": [{}], "model_caps": [{"model": "opus", "share": 2}]}]}`, "want a share"},
	} {
		if _, err := recommend.Default().OverrideData("bad.json", []byte(bad.text)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want %q", bad.text, err, bad.want)
		}
	}
}
