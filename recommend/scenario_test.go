package recommend_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// The scenarios price requests of claude-sonnet-4-6 made of output tokens only,
// at $15 per million: $1.50 = 100,000 tokens, $30 = 2,000,000 tokens. Every
// amount below is a multiple of $0.015 (1,000 tokens), so the costs are exact.

const model = "claude-sonnet-4-6"

// req is a request of user at t costing usd at list price.
func req(user string, t time.Time, usd float64) usage.Request {
	return usage.Request{
		Key: user + t.Format(time.RFC3339Nano), Time: t, User: user, Source: "claude-code",
		Model: model, Tokens: usage.Tokens{Output: int64(math.Round(usd / 15 * 1e6))}, Count: 1,
	}
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// days calls f for each day of September 2026 (UTC) that keep accepts.
func days(keep func(time.Weekday) bool, f func(day time.Time)) {
	for d := at("2026-09-01 00:00"); d.Month() == time.September; d = d.AddDate(0, 0, 1) {
		if keep(d.Weekday()) {
			f(d)
		}
	}
}

func weekday(w time.Weekday) bool { return w != time.Saturday && w != time.Sunday }
func everyDay(time.Weekday) bool  { return true }

// light: four requests of $1.50 in September: $6 of API use.
func light(user string) []usage.Request {
	return []usage.Request{
		req(user, at("2026-09-03 10:00"), 1.5),
		req(user, at("2026-09-10 10:00"), 1.5),
		req(user, at("2026-09-17 10:00"), 1.5),
		req(user, at("2026-09-24 10:00"), 1.5),
	}
}

// steady: every weekday two windows of $30 (requests of $7.50, $7.50 and $15),
// 22 weekdays in September 2026: $1,320.
func steady(user string) []usage.Request {
	var rs []usage.Request
	days(weekday, func(d time.Time) {
		for i, hm := range []string{"9h10m", "10h30m", "12h", "14h30m", "16h", "18h"} {
			off, _ := time.ParseDuration(hm)
			rs = append(rs, req(user, d.Add(off), []float64{7.5, 7.5, 15}[i%3]))
		}
	})
	return rs
}

// heavy: every day two windows of $75: $150 a day, $4,500 in September.
func heavy(user string) []usage.Request {
	var rs []usage.Request
	days(everyDay, func(d time.Time) {
		for _, hm := range []string{"9h10m", "11h", "15h", "17h"} {
			off, _ := time.ParseDuration(hm)
			rs = append(rs, req(user, d.Add(off), 37.5))
		}
	})
	return rs
}

// bursty: ten ordinary windows of $21 and three bursts of $81 (three requests
// of $27 at 10:10, 11:10 and 12:10) on Wednesdays: $453.
func bursty(user string) []usage.Request {
	var rs []usage.Request
	for _, d := range []string{"2026-09-01", "2026-09-03", "2026-09-07", "2026-09-08", "2026-09-11",
		"2026-09-14", "2026-09-18", "2026-09-21", "2026-09-25", "2026-09-28"} {
		day, _ := time.Parse(time.DateOnly, d)
		rs = append(rs, req(user, day.Add(9*time.Hour), 10.5), req(user, day.Add(11*time.Hour), 10.5))
	}
	for _, d := range []string{"2026-09-02", "2026-09-09", "2026-09-16"} {
		day, _ := time.Parse(time.DateOnly, d)
		for _, h := range []time.Duration{10*time.Hour + 10*time.Minute, 11*time.Hour + 10*time.Minute, 12*time.Hour + 10*time.Minute} {
			rs = append(rs, req(user, day.Add(h), 27))
		}
	}
	return rs
}

// fixed is the default catalogue under fixedRules (see edges_test.go).
func fixed() *recommend.Catalog {
	c, err := recommend.Default().OverrideData("fixed.json", []byte(`{`+fixedRules+`, "plans": []}`))
	if err != nil {
		panic(err)
	}
	return c
}

// september is the options of a one-month report on September 2026, under
// fixedRules: these scenarios test the simulation with the budgets as written
// (September 2026 straddles the weekly rule change of 09-14, tested apart).
func september() recommend.Options {
	return recommend.Options{
		Since: at("2026-09-01 00:00"), Until: at("2026-10-01 00:00"),
		Now: at("2026-10-15 12:00"), Location: time.UTC, Plans: fixed(),
	}
}

func run(t *testing.T, reqs []usage.Request, notices []usage.Notice, opt recommend.Options) *recommend.Report {
	t.Helper()
	rep, err := recommend.Run(reqs, notices, pricing.Default(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func userOf(t *testing.T, rep *recommend.Report, name string) *recommend.User {
	t.Helper()
	for i := range rep.Users {
		if rep.Users[i].User == name {
			return &rep.Users[i]
		}
	}
	t.Fatalf("no user %q", name)
	return nil
}

func planOf(t *testing.T, m *recommend.Month, id string) *recommend.PlanCost {
	t.Helper()
	for i := range m.Plans {
		if m.Plans[i].Plan == id {
			return &m.Plans[i]
		}
	}
	t.Fatalf("%s: no plan %q", m.Period, id)
	return nil
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// want is a plan's expected figures in one month.
type want struct {
	plan            string
	total, overflow float64
	hits5, hitsWk   int
	fits            bool
}

func checkPlans(t *testing.T, m *recommend.Month, wants []want) {
	t.Helper()
	for _, w := range wants {
		p := planOf(t, m, w.plan)
		if !near(p.TotalUSD, w.total) || !near(p.OverflowUSD, w.overflow) || p.CapHits5h != w.hits5 || p.CapHitsWeek != w.hitsWk || p.Fits != w.fits {
			t.Errorf("%s %s: total %v overflow %v hits %d/%d fits %v; want %v %v %d/%d %v",
				m.Period, w.plan, p.TotalUSD, p.OverflowUSD, p.CapHits5h, p.CapHitsWeek, p.Fits,
				w.total, w.overflow, w.hits5, w.hitsWk, w.fits)
		}
	}
}

func TestLightUserAPIWins(t *testing.T) {
	rep := run(t, light("lee"), nil, september())
	u := userOf(t, rep, "lee")
	if u.Recommended != "api" || u.NextBest != "pro" || !near(u.SavingsUSDPerMonth, 14) || !near(u.SavingsUSDPerYear, 168) {
		t.Errorf("got %s (next %s, saves %v/%v), want api, next pro, saves 14/168", u.Recommended, u.NextBest, u.SavingsUSDPerMonth, u.SavingsUSDPerYear)
	}
	if len(u.Months) != 1 || u.Months[0].Period != "2026-09" || !near(u.Months[0].APICostUSD, 6) {
		t.Fatalf("months %+v", u.Months)
	}
	checkPlans(t, &u.Months[0], []want{
		{"api", 6, 0, 0, 0, true},
		{"pro", 20, 0, 0, 0, true},
		{"max-5x", 100, 0, 0, 0, true},
	})
	if u.Confidence != "low" { // 4 requests on 4 days is thin
		t.Errorf("confidence %s, want low", u.Confidence)
	}
	if !strings.Contains(u.Reason, "$6 a month") || !strings.Contains(u.Reason, "less than Pro at $20") {
		t.Errorf("reason %q", u.Reason)
	}
}

func TestSteadyWeekdayUserMax5x(t *testing.T) {
	rep := run(t, steady("sam"), nil, september())
	u := userOf(t, rep, "sam")
	if u.Recommended != "max-5x" || u.NextBest != "max-20x" || !near(u.SavingsUSDPerMonth, 100) || !near(u.SavingsUSDPerYear, 1200) {
		t.Errorf("got %s (next %s, saves %v/%v)", u.Recommended, u.NextBest, u.SavingsUSDPerMonth, u.SavingsUSDPerYear)
	}
	m := &u.Months[0]
	if !near(m.APICostUSD, 1320) || m.Requests != 132 || m.ActiveDays != 22 {
		t.Errorf("api %v, %d requests, %d days; want 1320, 132, 22", m.APICostUSD, m.Requests, m.ActiveDays)
	}
	// Weeks run from Tuesday 09:10 to Tuesday 09:10: four of 10 windows ($300) and
	// one of 4 windows ($120). Pro covers $15 a window and $130 a week: 8 windows
	// and $10 of the 9th in each full week, 4 x $15 in the last: $580 covered,
	// $740 over; 8 window hits and 1 week hit a full week, 4 window hits after.
	// Team Standard ($18/$160): $712 covered, $608 over. A solo user pays for
	// the minimum 5 seats: Team Standard 5 x $30 = $150 (+ $608), Team
	// Premium 5 x $150 = $750.
	checkPlans(t, m, []want{
		{"api", 1320, 0, 0, 0, true},
		{"pro", 760, 740, 36, 4, false},
		{"max-5x", 100, 0, 0, 0, true},
		{"max-20x", 200, 0, 0, 0, true},
		{"team-standard", 758, 608, 32 + 4, 4, false},
		{"team-premium", 750, 0, 0, 0, true},
	})
	if !planOf(t, m, "max-5x").Cheapest || planOf(t, m, "team-premium").Cheapest {
		t.Error("max-5x should be marked cheapest, and team seats never")
	}
	// The contest is with the runner-up, Max 20x; Pro, the next cheaper plan,
	// runs out of its 5-hour budget first ($30 windows against $15).
	want := "Max 5x at $100 against Max 20x at $200; your busiest 5-hour window reaches $30 of API-equivalent use, past Pro's 5-hour budget of $15"
	if u.Reason != want {
		t.Errorf("reason\n got %q\nwant %q", u.Reason, want)
	}
	if u.Confidence != "medium" { // one month
		t.Errorf("confidence %s %v, want medium", u.Confidence, u.ConfidenceNotes)
	}
}

func TestHeavyUserMax20x(t *testing.T) {
	rep := run(t, heavy("hana"), nil, september())
	u := userOf(t, rep, "hana")
	m := &u.Months[0]
	// Max 5x: $550 a week covered in four full weeks, 4 x $65 in the last two
	// days: $2,460 of $4,500; Pro: 4 x $130 + 4 x $15 = $580.
	checkPlans(t, m, []want{
		{"api", 4500, 0, 0, 0, true},
		{"pro", 20 + 3920, 3920, 36, 4, false},
		{"max-5x", 100 + 2040, 2040, 36, 4, false},
		{"max-20x", 200, 0, 0, 0, true},
	})
	if u.Recommended != "max-20x" || u.NextBest != "max-5x" || !near(u.SavingsUSDPerMonth, 1940) {
		t.Errorf("got %s (next %s, saves %v)", u.Recommended, u.NextBest, u.SavingsUSDPerMonth)
	}
	if !near(u.BusiestWeekUSD, 1050) || !near(u.BusiestWindowUSD, 75) {
		t.Errorf("busiest window %v, week %v; want 75, 1050", u.BusiestWindowUSD, u.BusiestWeekUSD)
	}
	want := "Max 20x at $200 against Max 5x at $100 ($2,140 a month with extra usage); your busiest week reaches $1,050 of API-equivalent use, past Max 5x's weekly budget of $550"
	if u.Reason != want {
		t.Errorf("reason\n got %q\nwant %q", u.Reason, want)
	}
}

func TestBurstyUserOverflows(t *testing.T) {
	rep := run(t, bursty("bo"), nil, september())
	u := userOf(t, rep, "bo")
	m := &u.Months[0]
	// Three windows of $81 against Max 5x's $65: $16 over each.
	checkPlans(t, m, []want{
		{"api", 453, 0, 0, 0, true},
		{"max-5x", 148, 48, 3, 0, false},
		{"max-20x", 200, 0, 0, 0, true},
	})
	if u.Recommended != "max-5x" || u.NextBest != "max-20x" || !near(u.SavingsUSDPerMonth, 52) {
		t.Errorf("got %s (next %s, saves %v)", u.Recommended, u.NextBest, u.SavingsUSDPerMonth)
	}
	want := "Max 5x at $100 ($148 a month with extra usage) against Max 20x at $200; the 5-hour budget binds on Max 5x: about $48 a month of extra usage"
	if u.Reason != want {
		t.Errorf("reason\n got %q\nwant %q", u.Reason, want)
	}
}

func TestNoExtraUsage(t *testing.T) {
	opt := september()
	opt.NoExtraUsage = true
	rep := run(t, bursty("bo"), nil, opt)
	u := userOf(t, rep, "bo")
	m := &u.Months[0]
	p := planOf(t, m, "max-5x")
	// Each burst passes $65 at its 12:10 request and waits until the window
	// ends at 15:00: 3 x 2h50m.
	if p.Fits || !near(p.TotalUSD, 100) || !near(p.OverflowUSD, 48) || !near(p.WaitHours, 8.5) {
		t.Errorf("max-5x %+v; want no fit, total 100, overflow 48, wait 8.5h", p)
	}
	if u.Recommended != "max-20x" {
		t.Errorf("recommended %s, want max-20x (max-5x does not fit)", u.Recommended)
	}
	for _, a := range u.Alternatives {
		if a.Plan == "max-5x" && (a.Eligible || a.Fits) {
			t.Errorf("max-5x alternative %+v, want not eligible", a)
		}
	}
}

func TestProjectedMonth(t *testing.T) {
	// $12 a day on the first 10 days of October; now is Oct 11 00:00, so the
	// month is projected by 31/10.
	var rs []usage.Request
	for d := 1; d <= 10; d++ {
		rs = append(rs, req("pia", time.Date(2026, 10, d, 10, 0, 0, 0, time.UTC), 12))
	}
	rep := run(t, rs, nil, recommend.Options{Now: at("2026-10-11 00:00"), Location: time.UTC})
	if rep.Since != "2026-07-01" || rep.Until != "2026-10-31" {
		t.Errorf("range %s to %s, want 2026-07-01 to 2026-10-31", rep.Since, rep.Until)
	}
	u := userOf(t, rep, "pia")
	if len(u.Months) != 1 {
		t.Fatalf("months %+v, want only 2026-10 (the others have no use)", u.Months)
	}
	m := &u.Months[0]
	if m.Period != "2026-10" || !m.Projected || !near(m.ProjectionFactor, 3.1) || !near(m.APICostUSD, 372) {
		t.Errorf("month %s projected %v factor %v api %v; want 2026-10 true 3.1 372", m.Period, m.Projected, m.ProjectionFactor, m.APICostUSD)
	}
	checkPlans(t, m, []want{{"api", 372, 0, 0, 0, true}, {"pro", 20, 0, 0, 0, true}})
	if u.Recommended != "pro" {
		t.Errorf("recommended %s, want pro", u.Recommended)
	}
}

func TestDefaultRangeFallsBackToLatestUse(t *testing.T) {
	rep := run(t, steady("sam"), nil, recommend.Options{Now: at("2027-03-02 00:00")})
	if rep.Since != "2026-06-01" || rep.Until != "2026-09-30" || len(rep.Notes) == 0 {
		t.Errorf("range %s to %s, notes %q", rep.Since, rep.Until, rep.Notes)
	}
	u := userOf(t, rep, "sam")
	if len(u.Months) != 1 || u.Months[0].Projected || u.Recommended != "max-5x" {
		t.Errorf("months %+v, recommended %s", u.Months, u.Recommended)
	}
}

func TestTeamOfFive(t *testing.T) {
	var rs []usage.Request
	rs = append(rs, light("ann")...)
	rs = append(rs, steady("ben")...)
	rs = append(rs, heavy("cat")...)
	rs = append(rs, bursty("dan")...)
	rs = append(rs, light("eve")...)
	rep := run(t, rs, nil, september())
	if len(rep.Users) != 5 || rep.Team == nil {
		t.Fatalf("%d users, team %v", len(rep.Users), rep.Team)
	}
	best := map[string]string{"ann": "api", "ben": "max-5x", "cat": "max-20x", "dan": "max-5x", "eve": "api"}
	for _, u := range rep.Users {
		if u.Recommended != best[u.User] {
			t.Errorf("%s: %s, want %s", u.User, u.Recommended, best[u.User])
		}
	}
	tm := rep.Team
	got := map[string]float64{}
	for _, o := range tm.Options {
		got[o.Option] = o.TotalUSDPerMonth
	}
	// own best: 6 + 100 + 200 + 148 + 6; pooled API: 6 + 1320 + 4500 + 453 + 6.
	sumSeat := func(id string) float64 {
		s := 0.0
		for _, u := range rep.Users {
			s += planOf(t, &u.Months[0], id).TotalUSD
		}
		return s
	}
	wantTotals := map[string]float64{
		"own-best": 460, "api": 6285,
		"team-standard": sumSeat("team-standard"), "team-premium": sumSeat("team-premium"),
	}
	for k, v := range wantTotals {
		if !near(got[k], v) {
			t.Errorf("team %s: %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["team-mixed"]; !ok {
		t.Error("no team-mixed option")
	}
	if got["team-mixed"] > got["team-standard"] || got["team-mixed"] > got["team-premium"] {
		t.Errorf("team-mixed %v is dearer than a single seat type", got["team-mixed"])
	}
	if tm.Recommended != "own-best" {
		t.Errorf("team recommends %s, want own-best (%v)", tm.Recommended, got)
	}
	if len(tm.Months) != 1 || tm.Months[0].Period != "2026-09" {
		t.Errorf("team months %+v", tm.Months)
	}
}

func TestCIUsage(t *testing.T) {
	rs := light("ci") // --logs ci=PATH labels the user "ci"
	alice := steady("alice")
	for i := range 4 {
		r := req("alice", at("2026-09-05 03:00").Add(time.Duration(i)*time.Minute), 99)
		r.Entrypoint = "claude-code-github-action"
		alice = append(alice, r)
	}
	sdk := req("alice", at("2026-09-06 03:00"), 30)
	sdk.Entrypoint = "sdk-cli"
	alice = append(alice, sdk)
	rs = append(rs, alice...)
	rep := run(t, rs, nil, september())

	ci := userOf(t, rep, "ci")
	if ci.Recommended != "api" || !strings.HasPrefix(ci.Reason, "all of this use is CI") {
		t.Errorf("ci: %s, %q", ci.Recommended, ci.Reason)
	}
	checkPlans(t, &ci.Months[0], []want{{"api", 6, 0, 0, 0, true}, {"pro", 26, 0, 0, 0, true}})

	a := userOf(t, rep, "alice")
	m := &a.Months[0]
	// $396 of CI on the API in every option; the $30 sdk-cli window counts
	// toward the plan (a Sunday: its own window and no weekly trouble on Max 5x).
	p := planOf(t, m, "max-5x")
	if !near(p.APIOnlyUSD, 396) || !near(p.TotalUSD, 496) || !p.Fits {
		t.Errorf("max-5x %+v; want 396 API-only, total 496", p)
	}
	if !near(m.APICostUSD, 1746) || !near(m.CIUSD, 396) || !near(m.SDKUSD, 30) {
		t.Errorf("api %v ci %v sdk %v", m.APICostUSD, m.CIUSD, m.SDKUSD)
	}
	if a.Programmatic == nil || !a.Programmatic.SDKAtRisk || a.Programmatic.CIRequests != 4 ||
		strings.Join(a.Programmatic.Entrypoints, ",") != "claude-code-github-action,sdk-cli" {
		t.Errorf("programmatic %+v", a.Programmatic)
	}
	if a.Recommended != "max-5x" {
		t.Errorf("alice: %s", a.Recommended)
	}
}

func TestBreakEven(t *testing.T) {
	rep := run(t, steady("sam"), nil, september())
	var got *recommend.BreakEven
	for i, be := range rep.BreakEven {
		if be.Plan == "max-5x" && be.Provider == "anthropic" {
			got = &rep.BreakEven[i]
		}
	}
	if got == nil || got.OutputTokens != 6_666_667 || got.OutputUSDPerM != 15 || got.Model != "claude-sonnet-4-6" {
		t.Fatalf("break-even %+v, want 6,666,667 output tokens at $15/M", got)
	}
	var buf bytes.Buffer
	recommend.WriteTable(&buf, rep)
	if !strings.Contains(buf.String(), "Max 5x $100 = 6.67M") {
		t.Errorf("table lacks the 6.67M line:\n%s", buf.String())
	}

	// A mix with cache reads: 1M cache read ($0.30) per 100k output ($1.50),
	// $18 per million output tokens: $100 at 5.56M, 1.2x sooner than the rule.
	var rs []usage.Request
	for _, r := range steady("cara") {
		r.Tokens = usage.Tokens{Output: 100_000, CacheRead: 1_000_000}
		rs = append(rs, r)
	}
	rep = run(t, rs, nil, september())
	mx := userOf(t, rep, "cara").Mix
	if mx == nil || !near(mx.USDPerMOutput, 18) {
		t.Fatalf("mix %+v", mx)
	}
	for _, be := range mx.BreakEven {
		if be.Plan == "max-5x" && (be.OutputTokens != 5_555_556 || be.RuleOutputTokens != 6_666_667 || be.RuleOverMix != 1.2) {
			t.Errorf("max-5x mix break-even %+v", be)
		}
	}
}

func TestProviders(t *testing.T) {
	opt := september()
	opt.Providers = []string{"anthropic", "runapi"}
	rep := run(t, steady("sam"), nil, opt)
	u := userOf(t, rep, "sam")
	checkPlans(t, &u.Months[0], []want{{"api", 1320, 0, 0, 0, true}, {"api:runapi", 660, 0, 0, 0, true}})
	if strings.Join(rep.Providers, ",") != "anthropic,runapi" {
		t.Errorf("providers %v", rep.Providers)
	}
	opt.Providers = []string{"nope"}
	if _, err := recommend.Run(nil, nil, pricing.Default(), opt); err == nil || !strings.Contains(err.Error(), `unknown provider "nope"`) {
		t.Errorf("err %v", err)
	}
}

// TestJSONContract checks the field names of the usagescan.recommend/v1 contract.
func TestJSONContract(t *testing.T) {
	rep := run(t, append(steady("sam"), light("lee")...), nil, september())
	var buf bytes.Buffer
	if err := recommend.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	has := func(m map[string]any, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("no %q in %v", k, m)
			}
		}
	}
	has(doc, "schema", "providers", "budgets", "users", "team")
	if doc["schema"] != "usagescan.recommend/v1" || doc["budgets"] != "default" {
		t.Errorf("schema %v budgets %v", doc["schema"], doc["budgets"])
	}
	u := doc["users"].([]any)[1].(map[string]any)
	has(u, "user", "recommended", "confidence", "reason", "savings_usd_per_month", "months")
	m := u["months"].([]any)[0].(map[string]any)
	has(m, "period", "projected", "api_cost_usd", "limit_hits", "plans")
	if m["api_cost_usd"] != 1320.0 {
		t.Errorf("api_cost_usd %v, want exactly 1320", m["api_cost_usd"])
	}
	p := m["plans"].([]any)[0].(map[string]any)
	has(p, "plan", "price_usd", "overflow_usd", "total_usd", "cap_hits_5h", "cap_hits_week", "fits")
}

func TestRender(t *testing.T) {
	rep := run(t, append(steady("sam"), light("lee")...), nil, september())
	for _, f := range recommend.Formats {
		var buf bytes.Buffer
		if err := recommend.Render(&buf, rep, f); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		want := []string{"Max 5x", "$1,320", "6.67M", "estimates"}
		if f == "json" {
			want = []string{`"recommended": "max-5x"`, `"api_cost_usd": 1320,`}
		}
		for _, s := range want {
			if !strings.Contains(out, s) {
				t.Errorf("%s output lacks %q:\n%s", f, s, out)
			}
		}
		if f != "json" {
			// The answer comes first.
			if i, j := strings.Index(out, "Recommended"), strings.Index(out, "Per month"); i < 0 || j < i {
				t.Errorf("%s: the answer does not lead:\n%s", f, out)
			}
		}
	}
	if err := recommend.Render(new(bytes.Buffer), rep, "csv"); err == nil {
		t.Error("csv: no error")
	}
}
