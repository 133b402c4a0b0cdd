package recommend_test

// Edge cases of the window simulation, month attribution, projection, savings
// and limit messages. Every expected figure is worked out by hand from the
// rules (plans.md and issue 5), in the comments next to it; none comes from the
// code under test.
//
// Amounts are multiples of $1.50 of claude-sonnet-4-6 output ($15 per million
// tokens, see req), so every sum is exact in binary floating point.

import (
	"math"
	"testing"
	"time"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// fixedRules turns the dated rules into the 2025 ones for good: no weekly
// multiplier, window starts rounded down to the hour. Tests of the simulation's
// mechanics use it so that their hand computations need no dates; the dated
// rules have their own tests (rules_test.go).
const fixedRules = `"rules": {"week_factor": [{"factor": 1}], "window_start": [{"round": "hour"}]}`

// tPlans is the default catalogue plus plan "t": $10 a month, $12 per 5-hour
// window and $30 per week, in every era, under fixedRules. Small round budgets
// make the simulation easy to follow by hand.
func tPlans(t *testing.T) *recommend.Catalog {
	t.Helper()
	c, err := recommend.Default().OverrideData("t.json", []byte(`{`+fixedRules+`, "plans": [
		{"id": "t", "name": "Test", "price_usd": 10,
		 "budgets": [{"five_hour": {"usd": 12}, "week": {"usd": 30}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fig is one plan's figures in one month.
type fig struct {
	total, overflow float64
	hits5, hitsWk   int
	wait            float64 // hours
	fits            bool
}

func figOf(p *recommend.PlanCost) fig {
	return fig{p.TotalUSD, p.OverflowUSD, p.CapHits5h, p.CapHitsWeek, p.WaitHours, p.Fits}
}

func (f fig) near(g fig) bool {
	return near(f.total, g.total) && near(f.overflow, g.overflow) && f.hits5 == g.hits5 && f.hitsWk == g.hitsWk &&
		math.Abs(f.wait-g.wait) < 0.005 && f.fits == g.fits
}

// monthOf returns user's month period, failing the test if there is none.
func monthOf(t *testing.T, u *recommend.User, period string) *recommend.Month {
	t.Helper()
	for i := range u.Months {
		if u.Months[i].Period == period {
			return &u.Months[i]
		}
	}
	t.Fatalf("%s: no month %s in %+v", u.User, period, u.Months)
	return nil
}

func reqs(user string, pairs ...any) []usage.Request {
	var rs []usage.Request
	for i := 0; i < len(pairs); i += 2 {
		rs = append(rs, req(user, pairs[i].(time.Time), pairs[i+1].(float64)))
	}
	return rs
}

// TestOverflowCountedOnce prices plan t ($12 a window, $30 a week) over
// September 2026 (2026-09-01 is a Tuesday) for one user per case.
func TestOverflowCountedOnce(t *testing.T) {
	for _, tt := range []struct {
		name string
		rs   []any // time, usd pairs
		want fig
	}{
		{
			// Window 10:00-15:00: $9 covered; the $6 request straddles the budget,
			// $3 covered and $3 over (the window's cap hit: wait 11:00-15:00); the
			// $3 after it is all over.
			name: "a request straddles the window budget",
			rs:   []any{at("2026-09-01 10:00"), 9.0, at("2026-09-01 11:00"), 6.0, at("2026-09-01 12:00"), 3.0},
			want: fig{total: 16, overflow: 6, hits5: 1, wait: 4},
		},
		{
			name: "use equal to the budget is no cap hit",
			rs:   []any{at("2026-09-01 10:00"), 6.0, at("2026-09-01 11:00"), 6.0},
			want: fig{total: 10, fits: true},
		},
		{
			// Two full windows use $24 of the week; the third window has $12 of
			// room but the week only $6: $6 covered, $3 over, the week's cap hit
			// (not the window's): wait from Sep 2 10:00 to the week's end, Sep 8
			// 10:00, 144 h. The $3 after it is over too, and no new hit.
			name: "the week binds inside a fresh window",
			rs: []any{at("2026-09-01 10:00"), 12.0, at("2026-09-01 16:00"), 12.0,
				at("2026-09-02 10:00"), 9.0, at("2026-09-02 11:00"), 3.0},
			want: fig{total: 16, overflow: 6, hitsWk: 1, wait: 144},
		},
		{
			// $18 of the week used; the third window and the week both have $12 of
			// room: the $15 request takes $12 and $3 is over, once (not $3 past
			// the window plus $3 past the week). Both budgets ran out: one hit
			// each; the wait runs to the later reset, the week's (144 h).
			name: "both budgets run out at one request",
			rs: []any{at("2026-09-01 10:00"), 12.0, at("2026-09-01 16:00"), 6.0,
				at("2026-09-02 10:00"), 15.0, at("2026-09-02 11:00"), 3.0},
			want: fig{total: 16, overflow: 6, hits5: 1, hitsWk: 1, wait: 144},
		},
		{
			// Windows 10-15 and 16-21 each take $12 of $15 ($3 over, a hit, 5 h
			// wait each); the week has $6 left for the 22:00 window: $9 over, the
			// week's hit, wait from Sep 1 22:00 to Sep 8 10:00 (156 h). Overflow
			// past the window did not use up the week.
			name: "windows run out, then the week",
			rs: []any{at("2026-09-01 10:00"), 15.0, at("2026-09-01 16:00"), 15.0,
				at("2026-09-01 22:00"), 15.0},
			want: fig{total: 25, overflow: 15, hits5: 2, hitsWk: 1, wait: 166},
		},
		{
			// The week (Sep 1 10:00 - Sep 8 10:00) is full after $30; a request
			// exactly 7 days after the first opens a new week.
			name: "a request exactly 7 days on opens a new week",
			rs: []any{at("2026-09-01 10:00"), 12.0, at("2026-09-02 10:00"), 12.0,
				at("2026-09-03 10:00"), 6.0, at("2026-09-08 10:00"), 12.0},
			want: fig{total: 10, fits: true},
		},
		{
			// One minute earlier it is still in the full week: all $12 over, the
			// week's hit, one minute's wait.
			name: "a minute before 7 days is the old week",
			rs: []any{at("2026-09-01 10:00"), 12.0, at("2026-09-02 10:00"), 12.0,
				at("2026-09-03 10:00"), 6.0, at("2026-09-08 09:59"), 12.0},
			want: fig{total: 22, overflow: 12, hitsWk: 1, wait: 1.0 / 60},
		},
		{
			// 11:55 opens the window 11:00-16:00: 16:00 is a new window.
			name: "a request 5 h after the rounded start opens a new window",
			rs:   []any{at("2026-09-01 11:55"), 9.0, at("2026-09-01 16:00"), 9.0},
			want: fig{total: 10, fits: true},
		},
		{
			// ... and 15:59 is in it: $18 in a $12 window, the hit at 15:59 waits
			// until 16:00 (not 16:55).
			name: "a request before the rounded end shares the window",
			rs:   []any{at("2026-09-01 11:55"), 9.0, at("2026-09-01 15:59"), 9.0},
			want: fig{total: 16, overflow: 6, hits5: 1, wait: 1.0 / 60},
		},
	} {
		opt := september()
		opt.Plans = tPlans(t)
		rep := run(t, reqs("u", tt.rs...), nil, opt)
		u := userOf(t, rep, "u")
		got := figOf(planOf(t, monthOf(t, u, "2026-09"), "t"))
		if !got.near(tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// TestWindowsAcrossDST cuts windows and weeks on the days clocks change in
// Europe/Rome (2026-03-29 02:00 CET -> 03:00 CEST, 2026-10-25 03:00 CEST ->
// 02:00 CET, both at 01:00 UTC) and America/New_York (2026-03-08 02:00 EST ->
// 03:00 EDT at 07:00 UTC; 2026-11-01 02:00 EDT -> 01:00 EST at 06:00 UTC).
// Windows last 5 elapsed hours and weeks 168, so the wall-clock end moves.
func TestWindowsAcrossDST(t *testing.T) {
	rome := zone(t, "Europe/Rome")
	ny := zone(t, "America/New_York")
	u := func(s string) time.Time { return at(s) } // UTC
	for _, tt := range []struct {
		name  string
		loc   *time.Location
		weeks bool
		times []time.Time
		want  []string
	}{
		{
			// 00:20 CET = 23:20 UTC: the window opens 00:00 CET (23:00 UTC) and
			// ends 04:00 UTC, 06:00 CEST; 05:59 CEST is in it, 06:00 CEST is not.
			name:  "Rome spring forward",
			loc:   rome,
			times: []time.Time{u("2026-03-28 23:20"), u("2026-03-29 03:59"), u("2026-03-29 04:00")},
			want:  []string{"03-29 00:00 CET - 03-29 06:00 CEST [0:2]", "03-29 06:00 CEST - 03-29 11:00 CEST [2:3]"},
		},
		{
			// 00:10 CEST = 22:10 UTC: 00:00 CEST (22:00 UTC) to 03:00 UTC, 04:00 CET.
			name:  "Rome fall back",
			loc:   rome,
			times: []time.Time{u("2026-10-24 22:10"), u("2026-10-25 02:59"), u("2026-10-25 03:00")},
			want:  []string{"10-25 00:00 CEST - 10-25 04:00 CET [0:2]", "10-25 04:00 CET - 10-25 09:00 CET [2:3]"},
		},
		{
			// The first 02:30 (CEST, 00:30 UTC) rounds to 02:00 CEST (00:00 UTC):
			// the window ends 05:00 UTC, 06:00 CET; the second 02:30 (CET, 01:30
			// UTC) is in it.
			name:  "Rome, the repeated hour",
			loc:   rome,
			times: []time.Time{u("2026-10-25 00:30"), u("2026-10-25 01:30")},
			want:  []string{"10-25 02:00 CEST - 10-25 06:00 CET [0:2]"},
		},
		{
			// 01:55 EST (06:55 UTC) rounds to 01:00 EST (06:00 UTC); the window
			// ends 11:00 UTC, 07:00 EDT.
			name:  "New York spring forward, rounded start",
			loc:   ny,
			times: []time.Time{u("2026-03-08 06:55"), u("2026-03-08 10:59"), u("2026-03-08 11:00")},
			want:  []string{"03-08 01:00 EST - 03-08 07:00 EDT [0:2]", "03-08 07:00 EDT - 03-08 12:00 EDT [2:3]"},
		},
		{
			// Week from 12:00 CET (11:00 UTC) Mar 25 to 11:00 UTC Apr 1, 13:00 CEST.
			name:  "Rome week across spring forward",
			loc:   rome,
			weeks: true,
			times: []time.Time{u("2026-03-25 11:00"), u("2026-04-01 10:59"), u("2026-04-01 11:00")},
			want:  []string{"03-25 12:00 CET - 04-01 13:00 CEST [0:2]", "04-01 13:00 CEST - 04-08 13:00 CEST [2:3]"},
		},
		{
			// Week from 12:00 EDT (16:00 UTC) Oct 29 to 16:00 UTC Nov 5, 11:00 EST.
			name:  "New York week across fall back",
			loc:   ny,
			weeks: true,
			times: []time.Time{u("2026-10-29 16:00"), u("2026-11-05 15:59"), u("2026-11-05 16:00")},
			want:  []string{"10-29 12:00 EDT - 11-05 11:00 EST [0:2]", "11-05 11:00 EST - 11-12 11:00 EST [2:3]"},
		},
		{
			// A week is not rounded: 7 days less a nanosecond is still in it.
			name:  "week, 7 days less 1 ns",
			loc:   time.UTC,
			weeks: true,
			times: []time.Time{u("2026-09-01 10:17"), u("2026-09-08 10:17").Add(-time.Nanosecond), u("2026-09-08 10:17")},
			want:  []string{"09-01 10:17 UTC - 09-08 10:17 UTC [0:2]", "09-08 10:17 UTC - 09-15 10:17 UTC [2:3]"},
		},
	} {
		var ss []recommend.Span
		if tt.weeks {
			ss = recommend.Weeks(tt.times)
		} else {
			ss = recommend.Windows(tt.times, tt.loc)
		}
		got := spans(ss, tt.loc)
		if len(got) != len(tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: span %d\n got %q\nwant %q", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

// TestBudgetDoubling: Pro's 5-hour budget is $7.50 for a window that opened
// before 2026-05-06 (UTC) and $15 from then on; the week stays $130.
func TestBudgetDoubling(t *testing.T) {
	for _, tt := range []struct {
		name string
		rs   []any
		want fig // pro in May 2026
	}{
		{
			// The window opens 23:10 May 5 (in 2026 a window starts at its first
			// request, to the minute): $12 against $7.50, $4.50 over, even
			// though the second request is on May 6.
			name: "window opened before the change",
			rs:   []any{at("2026-05-05 23:10"), 6.0, at("2026-05-06 00:30"), 6.0},
			want: fig{total: 24.5, overflow: 4.5, hits5: 1, wait: 3.67}, // 00:30-04:10 = 3h40m
		},
		{
			// The window opens 00:10 May 6: $12 within $15.
			name: "window opened on the day of the change",
			rs:   []any{at("2026-05-06 00:10"), 6.0, at("2026-05-06 00:30"), 6.0},
			want: fig{total: 20, fits: true},
		},
		{
			// May 4 window: $9 against $7.50, $1.50 over; May 7 window: $9 within $15.
			name: "before and after",
			rs:   []any{at("2026-05-04 10:00"), 9.0, at("2026-05-07 10:00"), 9.0},
			want: fig{total: 21.5, overflow: 1.5, hits5: 1, wait: 5},
		},
	} {
		opt := recommend.Options{Since: at("2026-05-01 00:00"), Until: at("2026-06-01 00:00"), Now: at("2026-06-15 00:00"), Location: time.UTC}
		rep := run(t, reqs("u", tt.rs...), nil, opt)
		got := figOf(planOf(t, monthOf(t, userOf(t, rep, "u"), "2026-05"), "pro"))
		if !got.near(tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// TestMonthAttribution: a window or week that spans two months shares one
// budget; overflow, cap hits and waits go to the month of the request that
// went past it. A month whose use went past a budget does not fit, even when
// the budget ran out in the month before.
func TestMonthAttribution(t *testing.T) {
	rome := zone(t, "Europe/Rome")
	sepOct := recommend.Options{Since: at("2026-09-01 00:00"), Until: at("2026-11-01 00:00"), Now: at("2026-11-15 00:00"), Location: time.UTC}
	octOnly := sepOct
	octOnly.Since = at("2026-10-01 00:00")
	romeSepOct := recommend.Options{
		Since: time.Date(2026, 9, 1, 0, 0, 0, 0, rome), Until: time.Date(2026, 11, 1, 0, 0, 0, 0, rome),
		Now: at("2026-11-15 00:00"), Location: rome,
	}
	for _, tt := range []struct {
		name          string
		opt           recommend.Options
		rs            []any
		apiSep, apiOc float64
		sep, oct      *fig // plan t; nil: no such month
	}{
		{
			// Window Sep 30 22:00 - Oct 1 03:00: the September $9 is covered, the
			// October $9 takes the last $3: $6 over in October, its hit, wait
			// 01:00-03:00.
			name:   "the window's budget runs out in the second month",
			opt:    sepOct,
			rs:     []any{at("2026-09-30 22:30"), 9.0, at("2026-10-01 01:00"), 9.0},
			apiSep: 9, apiOc: 9,
			sep: &fig{total: 10, fits: true},
			oct: &fig{total: 16, overflow: 6, hits5: 1, wait: 2},
		},
		{
			// $15 on Sep 30: $3 over, the hit, wait 22:30-03:00. The $3 on Oct 1
			// is in the same spent window: over, in October, which does not fit.
			name:   "the window ran out in the first month",
			opt:    sepOct,
			rs:     []any{at("2026-09-30 22:30"), 15.0, at("2026-10-01 01:00"), 3.0},
			apiSep: 15, apiOc: 3,
			sep: &fig{total: 13, overflow: 3, hits5: 1, wait: 4.5},
			oct: &fig{total: 13, overflow: 3},
		},
		{
			// Week Sep 28 10:00 - Oct 5 10:00: $24 in two windows, then $6 of room
			// for Sep 30's $9 ($3 over, the week's hit, wait to Oct 5 10:00: 120 h);
			// Oct 1's $6 is over; Oct 5 10:00 opens a new week.
			name: "a week across the month boundary",
			opt:  sepOct,
			rs: []any{at("2026-09-28 10:00"), 12.0, at("2026-09-29 10:00"), 12.0, at("2026-09-30 10:00"), 9.0,
				at("2026-10-01 10:00"), 6.0, at("2026-10-05 10:00"), 6.0},
			apiSep: 33, apiOc: 12,
			sep: &fig{total: 13, overflow: 3, hitsWk: 1, wait: 120},
			oct: &fig{total: 16, overflow: 6},
		},
		{
			// Use before the range still fills the window: Sep 30's $15 is out of
			// range, Oct 1's $3 is over; the hit was in September, out of range.
			name:  "use before the range counts toward the window",
			opt:   octOnly,
			rs:    []any{at("2026-09-30 22:30"), 15.0, at("2026-10-01 01:00"), 3.0},
			apiOc: 3,
			oct:   &fig{total: 13, overflow: 3},
		},
		{
			// Months in the zone: 21:30 UTC Sep 30 is 23:30 CEST (September), 22:30
			// UTC is 00:30 CEST Oct 1 (October). Window 23:00-04:00 CEST.
			name:   "months in the time zone",
			opt:    romeSepOct,
			rs:     []any{at("2026-09-30 21:30"), 9.0, at("2026-09-30 22:30"), 9.0},
			apiSep: 9, apiOc: 9,
			sep: &fig{total: 10, fits: true},
			oct: &fig{total: 16, overflow: 6, hits5: 1, wait: 3.5}, // 00:30-04:00 CEST
		},
	} {
		tt.opt.Plans = tPlans(t)
		rep := run(t, reqs("u", tt.rs...), nil, tt.opt)
		u := userOf(t, rep, "u")
		for _, c := range []struct {
			period string
			api    float64
			want   *fig
		}{{"2026-09", tt.apiSep, tt.sep}, {"2026-10", tt.apiOc, tt.oct}} {
			if c.want == nil {
				continue
			}
			m := monthOf(t, u, c.period)
			if !near(m.APICostUSD, c.api) {
				t.Errorf("%s: %s API %v, want %v", tt.name, c.period, m.APICostUSD, c.api)
			}
			if got := figOf(planOf(t, m, "t")); !got.near(*c.want) {
				t.Errorf("%s: %s\n got %+v\nwant %+v", tt.name, c.period, got, *c.want)
			}
		}
	}
}

// TestProjectionDays projects the current month from its daily rate: use so
// far / days elapsed x days in the month, days on the calendar of the zone (a
// day of 23 or 25 hours is one day).
func TestProjectionDays(t *testing.T) {
	rome := zone(t, "Europe/Rome")
	ny := zone(t, "America/New_York")
	daily := func(loc *time.Location, y int, mo time.Month, from, to int, usd float64) []usage.Request {
		var rs []usage.Request
		for d := from; d <= to; d++ {
			rs = append(rs, req("p", time.Date(y, mo, d, 10, 0, 0, 0, loc), usd))
		}
		return rs
	}
	for _, tt := range []struct {
		name   string
		rs     []usage.Request
		opt    recommend.Options
		factor float64 // as reported: 4 decimals
		api    float64
		pro    *fig
	}{
		{
			// Oct 1-11 at 10:00, now Oct 11 12:00 UTC: 10.5 days elapsed of 31;
			// $115.50 so far, $11 a day: $341.
			name:   "half a day",
			rs:     daily(time.UTC, 2026, 10, 1, 11, 10.5),
			opt:    recommend.Options{Now: at("2026-10-11 12:00"), Location: time.UTC},
			factor: 2.9524, api: 341,
		},
		{
			// October in Rome has 31 days (745 hours: summer time ends Oct 25).
			// Now Oct 11 00:00 CEST: 10 days; $12 a day: $372, factor 3.1.
			name:   "Rome, a month with a 25-hour day",
			rs:     daily(rome, 2026, 10, 1, 10, 12),
			opt:    recommend.Options{Now: time.Date(2026, 10, 11, 0, 0, 0, 0, rome), Location: rome},
			factor: 3.1, api: 372,
		},
		{
			// March in New York has 31 days (743 hours). Now Mar 16 00:00 EDT: 15
			// days; $15 a day: $465.
			name:   "New York, a month with a 23-hour day",
			rs:     daily(ny, 2026, 3, 1, 15, 15),
			opt:    recommend.Options{Now: time.Date(2026, 3, 16, 0, 0, 0, 0, ny), Location: ny},
			factor: 2.0667, api: 465,
		},
		{
			// Since Oct 6: the period is Oct 6 - Nov 1, 26 days; now Oct 11 00:00
			// UTC, 5 days; $12 a day: $312.
			name:   "a range that starts mid-month",
			rs:     daily(time.UTC, 2026, 10, 6, 10, 12),
			opt:    recommend.Options{Since: at("2026-10-06 00:00"), Now: at("2026-10-11 00:00"), Location: time.UTC},
			factor: 5.2, api: 312,
		},
		{
			// $18 a day in one window against Pro's $15: $3 over a day, $30 in 10
			// days, projected x3.1 to $93; 10 window hits projected to 31; the
			// price is not projected. ($15 covered a day: $105 a week < $130.)
			name:   "Rome, overflow projected, price not",
			rs:     daily(rome, 2026, 10, 1, 10, 18),
			opt:    recommend.Options{Now: time.Date(2026, 10, 11, 0, 0, 0, 0, rome), Location: rome},
			factor: 3.1, api: 558,
			pro: &fig{total: 113, overflow: 93, hits5: 31, wait: 50 * 3.1},
		},
	} {
		rep := run(t, tt.rs, nil, tt.opt)
		u := userOf(t, rep, "p")
		if len(u.Months) != 1 {
			t.Errorf("%s: months %+v", tt.name, u.Months)
			continue
		}
		m := &u.Months[0]
		if !m.Projected || m.ProjectionFactor != tt.factor || !near(m.APICostUSD, tt.api) {
			t.Errorf("%s: projected %v factor %v API %v; want true, %v, %v", tt.name, m.Projected, m.ProjectionFactor, m.APICostUSD, tt.factor, tt.api)
		}
		if tt.pro != nil {
			if got := figOf(planOf(t, m, "pro")); !got.near(*tt.pro) {
				t.Errorf("%s: pro\n got %+v\nwant %+v", tt.name, got, *tt.pro)
			}
		}
	}
}

// TestSavingsOverMonthsAndProviders: $30 of API use in August and $60 in
// September (requests of $7.50, one a day, well within every budget), priced
// through anthropic and runapi (x0.5).
//
//	          Aug   Sep   sum   per month
//	pro        20    20    40   20
//	api:runapi 15    30    45   22.50
//	api        30    60    90   45
//	max-5x    100   100   200   100
//	max-20x   200   200   400   200
func TestSavingsOverMonthsAndProviders(t *testing.T) {
	var rs []usage.Request
	for _, d := range []string{"2026-08-03", "2026-08-04", "2026-08-05", "2026-08-06",
		"2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04", "2026-09-07", "2026-09-08", "2026-09-09", "2026-09-10"} {
		rs = append(rs, req("val", at(d+" 10:00"), 7.5))
	}
	opt := recommend.Options{Since: at("2026-08-01 00:00"), Until: at("2026-10-01 00:00"), Now: at("2026-10-15 00:00"),
		Location: time.UTC, Providers: []string{"anthropic", "runapi"}}
	rep := run(t, rs, nil, opt)
	u := userOf(t, rep, "val")
	if u.Recommended != "pro" || u.NextBest != "api:runapi" || !near(u.TotalUSDPerMonth, 20) ||
		!near(u.SavingsUSDPerMonth, 2.5) || !near(u.SavingsUSDPerYear, 30) || !near(u.APICostUSDPerMonth, 45) {
		t.Errorf("got %s at %v (next %s, saves %v/%v a month/year, API %v); want pro at 20, next api:runapi, saves 2.5/30, API 45",
			u.Recommended, u.TotalUSDPerMonth, u.NextBest, u.SavingsUSDPerMonth, u.SavingsUSDPerYear, u.APICostUSDPerMonth)
	}
	wantAlt := []recommend.Alternative{
		{Plan: "api:runapi", TotalUSDPerMonth: 22.5, ExtraUSDPerMonth: 2.5, ExtraUSDPerYear: 30},
		{Plan: "api", TotalUSDPerMonth: 45, ExtraUSDPerMonth: 25, ExtraUSDPerYear: 300},
		{Plan: "max-5x", TotalUSDPerMonth: 100, ExtraUSDPerMonth: 80, ExtraUSDPerYear: 960},
		{Plan: "max-20x", TotalUSDPerMonth: 200, ExtraUSDPerMonth: 180, ExtraUSDPerYear: 2160},
	}
	if len(u.Alternatives) != len(wantAlt) {
		t.Fatalf("alternatives %+v", u.Alternatives)
	}
	for i, w := range wantAlt {
		a := u.Alternatives[i]
		if a.Plan != w.Plan || !near(a.TotalUSDPerMonth, w.TotalUSDPerMonth) || !near(a.ExtraUSDPerMonth, w.ExtraUSDPerMonth) ||
			!near(a.ExtraUSDPerYear, w.ExtraUSDPerYear) || !a.Fits || !a.Eligible {
			t.Errorf("alternative %d: %+v, want %+v (fits, eligible)", i, a, w)
		}
	}
	// The cheapest each month: the API through runapi in August ($15 < $20),
	// Pro in September ($20 < $30); so the months disagree.
	for _, c := range []struct{ period, cheapest string }{{"2026-08", "api:runapi"}, {"2026-09", "pro"}} {
		m := monthOf(t, u, c.period)
		for _, p := range m.Plans {
			if p.Cheapest != (p.Plan == c.cheapest) {
				t.Errorf("%s: %s cheapest=%v", c.period, p.Plan, p.Cheapest)
			}
		}
	}
	if u.Confidence != "low" {
		t.Errorf("confidence %s, want low (the months disagree)", u.Confidence)
	}
}

// TestProviderPricesCI: with runapi alone, the API option is api:runapi at half
// the list price, and CI use in a subscription is priced through runapi too.
func TestProviderPricesCI(t *testing.T) {
	ci := req("kim", at("2026-09-02 03:00"), 12)
	ci.Entrypoint = "claude-code-github-action"
	rs := []usage.Request{req("kim", at("2026-09-01 10:00"), 7.5), ci}
	opt := september()
	opt.Providers = []string{"runapi"}
	rep := run(t, rs, nil, opt)
	m := &userOf(t, rep, "kim").Months[0]
	// API: ($7.50 + $12) x 0.5 = $9.75; Pro: $20 + $12 x 0.5 of CI.
	checkPlans(t, m, []want{{"api:runapi", 9.75, 0, 0, 0, true}, {"pro", 26, 0, 0, 0, true}})
	if p := planOf(t, m, "pro"); !near(p.APIOnlyUSD, 6) {
		t.Errorf("pro API-only %v, want 6", p.APIOnlyUSD)
	}
	for _, p := range m.Plans {
		if p.Plan == "api" {
			t.Error("an api option at list price although only runapi was asked for")
		}
	}
}

// TestParseLimitResets resolves reset times across midnight, across a year end
// and in named zones; loc (for messages without a zone) is Europe/Rome, UTC+1 in
// winter and UTC+2 in summer.
func TestParseLimitResets(t *testing.T) {
	rome := zone(t, "Europe/Rome")
	in := func(name, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, zone(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		text  string
		at    time.Time
		kind  recommend.Kind
		model string
		reset time.Time
		zone  string
		stop  bool
	}{
		// 23:30 in Rome: 2am is tomorrow's.
		{"5-hour limit reached ∙ resets 2am", at("2026-02-01 22:30"), recommend.KindSession, "", in("Europe/Rome", "2026-02-02 02:00"), "", true},
		// 13:00 in Rome: 12am is the coming midnight.
		{"5-hour limit reached ∙ resets 12am", at("2026-02-01 12:00"), recommend.KindSession, "", in("Europe/Rome", "2026-02-02 00:00"), "", true},
		// 12:30 in Rome: today's 12pm has passed.
		{"5-hour limit reached ∙ resets 12pm", at("2026-02-01 11:30"), recommend.KindSession, "", in("Europe/Rome", "2026-02-02 12:00"), "", true},
		// Feb 1 04:04 UTC is Jan 31 20:04 in Los Angeles: 11pm is Jan 31's.
		{"You've hit your session limit · resets 11pm (America/Los_Angeles)", at("2026-02-01 04:04"), recommend.KindSession, "",
			in("America/Los_Angeles", "2026-01-31 23:00"), "America/Los_Angeles", true},
		// Feb 1 15:30 UTC is Feb 2 00:30 in Tokyo: 1am is Feb 2's.
		{"You've hit your session limit · resets 1am (Asia/Tokyo)", at("2026-02-01 15:30"), recommend.KindSession, "",
			in("Asia/Tokyo", "2026-02-02 01:00"), "Asia/Tokyo", true},
		// Dec 31 23:30 UTC is already Jan 1 2027 in Tokyo.
		{"You've hit your weekly limit · resets Jan 1, 9am (Asia/Tokyo)", at("2026-12-31 23:30"), recommend.KindWeekly, "",
			in("Asia/Tokyo", "2027-01-01 09:00"), "Asia/Tokyo", true},
		// Dec 31 15:00 in New York: Jan 1 is next year's.
		{"You've hit your weekly limit · resets Jan 1, 10am (America/New_York)", at("2026-12-31 20:00"), recommend.KindWeekly, "",
			in("America/New_York", "2027-01-01 10:00"), "America/New_York", true},
		// Later the same day, summer time in Rome.
		{"Weekly limit reached ∙ resets Oct 9, 5pm", at("2025-10-09 14:00"), recommend.KindWeekly, "", in("Europe/Rome", "2025-10-09 17:00"), "", true},
		{"You've hit your Opus limit · resets 9am (America/New_York) · progress saved", at("2026-02-01 04:04"), recommend.KindModel, "Opus",
			in("America/New_York", "2026-02-01 09:00"), "America/New_York", true},
		{"You've hit your Sonnet limit · resets Sep 6 at 1pm (Asia/Seoul) · progress saved", at("2026-09-01 08:00"), recommend.KindModel, "Sonnet",
			in("Asia/Seoul", "2026-09-06 13:00"), "Asia/Seoul", true},
		{"You've hit your limit · resets Feb 4, 9pm (Africa/Johannesburg) · progress saved", at("2026-02-01 04:04"), recommend.KindLimit, "",
			in("Africa/Johannesburg", "2026-02-04 21:00"), "Africa/Johannesburg", true},
		{"You've reached your Fable limit. Your Fable limit resets at 9am (America/Chicago). · progress saved", at("2026-02-01 16:00"), recommend.KindModel, "Fable",
			in("America/Chicago", "2026-02-02 09:00"), "America/Chicago", true},
		// 16:30 in Rome: 4pm is tomorrow's.
		{"You're out of extra usage · resets 4pm", at("2026-02-01 15:30"), recommend.KindExtraUsage, "", in("Europe/Rome", "2026-02-02 16:00"), "", true},
		{"You've hit your org's monthly spend limit", at("2026-02-01 15:30"), recommend.KindSpend, "", time.Time{}, "", true},
		// 1753405200 is 2025-07-25 01:00 UTC.
		{"Claude AI usage limit reached|1753405200", at("2025-07-24 21:00"), recommend.KindLimit, "", at("2025-07-25 01:00"), "", true},
		// Not stops.
		{"Claude Opus 4 limit reached, now using Sonnet 4", at("2025-07-24 21:00"), recommend.KindFallback, "Opus", time.Time{}, "", false},
		{"Claude Opus limit reached, now using Sonnet 4", at("2025-07-24 21:00"), recommend.KindFallback, "Opus", time.Time{}, "", false},
		{"Server is temporarily limiting requests (not your usage limit) · Rate limited", at("2026-02-01 15:30"), recommend.KindServer, "", time.Time{}, "", false},
		{"Server is temporarily limiting requests (not your usage limit)", at("2026-02-01 15:30"), recommend.KindServer, "", time.Time{}, "", false},
		// No-break spaces (U+00A0, U+202F, as date formatting writes them) are spaces.
		{"You've hit your session limit ·\u00a0resets 4:20\u202fpm (America/Mexico_City)", at("2026-02-01 04:04"), recommend.KindSession, "",
			in("America/Mexico_City", "2026-02-01 16:20"), "America/Mexico_City", true},
		{"5-hour limit reached\u00a0∙ resets 12\u00a0pm", at("2026-02-01 04:04"), recommend.KindSession, "", in("Europe/Rome", "2026-02-01 12:00"), "", true},
	} {
		h, ok := recommend.ParseLimit(tt.text, tt.at, rome)
		if !ok {
			t.Errorf("%q: not a limit", tt.text)
			continue
		}
		if h.Kind != tt.kind || h.Model != tt.model || !h.Reset.Equal(tt.reset) || h.Zone != tt.zone || h.Kind.Stop() != tt.stop {
			t.Errorf("%q at %s:\n got %s %q reset %v zone %q stop %v\nwant %s %q reset %v zone %q stop %v",
				tt.text, tt.at.Format(time.RFC3339), h.Kind, h.Model, h.Reset, h.Zone, h.Kind.Stop(), tt.kind, tt.model, tt.reset, tt.zone, tt.stop)
		}
	}
}

// TestFallbackAndServerAreNotHits: neither the Opus->Sonnet fallback nor server
// throttling counts as a limit hit, nor as evidence for calibration.
func TestFallbackAndServerAreNotHits(t *testing.T) {
	rs := reqs("f", at("2026-09-01 10:00"), 30.0, at("2026-09-01 11:00"), 30.0)
	ns := []usage.Notice{
		{Time: at("2026-09-01 11:05"), User: "f", Text: "Claude Opus limit reached, now using Sonnet 4"},
		{Time: at("2026-09-01 11:06"), User: "f", Text: "Server is temporarily limiting requests (not your usage limit)"},
	}
	opt := september()
	opt.CurrentPlan = "pro"
	rep := run(t, rs, ns, opt)
	u := userOf(t, rep, "f")
	if u.LimitHits != 0 || u.Months[0].LimitHits != 0 || len(rep.Calibration.Observations) != 0 {
		t.Errorf("limit hits %d / %d, observations %+v; want none", u.LimitHits, u.Months[0].LimitHits, rep.Calibration.Observations)
	}
}

// TestCalibrationAcrossBudgetDoubling: a session limit hit in April 2026 after
// $39 in the window, on Max 5x, whose 5-hour budget was $32.50 then: the real
// budget is 1.2x the estimate, $78 of today's $65.
func TestCalibrationAcrossBudgetDoubling(t *testing.T) {
	rs := reqs("cal", at("2026-04-06 09:10"), 19.5, at("2026-04-06 10:00"), 19.5)
	ns := []usage.Notice{{Time: at("2026-04-06 10:05"), User: "cal", Text: "You've hit your session limit · resets 2pm (UTC)"}}
	opt := recommend.Options{Since: at("2026-04-01 00:00"), Until: at("2026-05-01 00:00"), Now: at("2026-05-15 00:00"),
		Location: time.UTC, CurrentPlan: "max-5x"}
	c := run(t, rs, ns, opt).Calibration
	if len(c.Observations) != 1 || c.Observations[0].Budget != "5h" || !near(c.Observations[0].USD, 39) || c.Observations[0].DefaultUSD != 32.5 {
		t.Fatalf("observations %+v; want one 5h of $39 against $32.50", c.Observations)
	}
	if f := c.FiveHour; f == nil || f.DefaultUSD != 65 || !near(f.ObservedUSD, 78) || f.Factor != 1.2 || f.Hits != 1 {
		t.Errorf("5-hour %+v; want default 65, observed 78, factor 1.2", f)
	}
}
