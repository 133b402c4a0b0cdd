package recommend_test

import (
	"testing"
	"time"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	return loc
}

func TestParseLimit(t *testing.T) {
	rome := zone(t, "Europe/Rome")
	in := func(name, s string) time.Time {
		l := zone(t, name)
		v, err := time.ParseInLocation("2006-01-02 15:04", s, l)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Notices are written at 2026-02-01 04:04 UTC (a Sunday) unless a case says
	// otherwise; a reset without a zone is read in Europe/Rome (UTC+1 then).
	when := time.Date(2026, 2, 1, 4, 4, 22, 0, time.UTC)
	for _, tt := range []struct {
		text  string
		at    time.Time
		kind  recommend.Kind
		model string
		org   bool
		reset time.Time
		zone  string
	}{
		// 2025, 1.0.x: unix seconds after "|".
		{text: "Claude AI usage limit reached|1753405200", kind: recommend.KindLimit, reset: time.Unix(1753405200, 0)},
		{text: "Claude AI usage limit reached.", kind: recommend.KindLimit},
		// Aug-Nov 2025, U+2219; the clock is the next 12pm in Rome.
		{text: "5-hour limit reached ∙ resets 12pm", kind: recommend.KindSession, reset: in("Europe/Rome", "2026-02-01 12:00")},
		{text: "5-hour limit reached ∙ resets 3am", kind: recommend.KindSession, reset: in("Europe/Rome", "2026-02-02 03:00")},
		{text: "Weekly limit reached ∙ resets Oct 9, 5pm", at: time.Date(2025, 10, 5, 9, 0, 0, 0, time.UTC),
			kind: recommend.KindWeekly, reset: in("Europe/Rome", "2025-10-09 17:00")},
		{text: "Opus weekly limit reached ∙ resets Oct 9, 5pm", at: time.Date(2025, 10, 5, 9, 0, 0, 0, time.UTC),
			kind: recommend.KindModel, model: "Opus", reset: in("Europe/Rome", "2025-10-09 17:00")},
		{text: "Claude Opus limit reached, now using Sonnet 4", kind: recommend.KindFallback, model: "Opus"},
		// From 2.0.51, U+00B7, with the zone named.
		{text: "You've hit your limit · resets Feb 4, 9pm (Africa/Johannesburg)", kind: recommend.KindLimit,
			reset: in("Africa/Johannesburg", "2026-02-04 21:00"), zone: "Africa/Johannesburg"},
		{text: "You’ve hit your limit · resets Feb 4, 9pm (Africa/Johannesburg)", kind: recommend.KindLimit,
			reset: in("Africa/Johannesburg", "2026-02-04 21:00"), zone: "Africa/Johannesburg"},
		// From ~2.1.101.
		{text: "You've hit your session limit · resets 4:20pm (America/Mexico_City)", kind: recommend.KindSession,
			reset: in("America/Mexico_City", "2026-02-01 16:20"), zone: "America/Mexico_City"},
		{text: "You've hit your weekly limit · resets Jun 7, 4pm (Europe/Rome)", at: time.Date(2026, 6, 3, 8, 0, 0, 0, time.UTC),
			kind: recommend.KindWeekly, reset: in("Europe/Rome", "2026-06-07 16:00"), zone: "Europe/Rome"},
		{text: "You've hit your weekly limit · resets Sep 6 at 1pm (Asia/Seoul)", at: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC),
			kind: recommend.KindWeekly, reset: in("Asia/Seoul", "2026-09-06 13:00"), zone: "Asia/Seoul"},
		{text: "You've hit your Opus limit · resets 9am (America/New_York)", kind: recommend.KindModel, model: "Opus",
			reset: in("America/New_York", "2026-02-01 09:00"), zone: "America/New_York"},
		{text: "You've hit your Sonnet limit · resets 9am (America/New_York)", kind: recommend.KindModel, model: "Sonnet",
			reset: in("America/New_York", "2026-02-01 09:00"), zone: "America/New_York"},
		{text: "You've reached your Fable limit. Your Fable limit resets at 9am (America/Chicago).", kind: recommend.KindModel, model: "Fable",
			reset: in("America/Chicago", "2026-02-01 09:00"), zone: "America/Chicago"},
		// 2.1.289: " · progress saved".
		{text: "You've hit your session limit · resets 4:20pm (America/Mexico_City) · progress saved", kind: recommend.KindSession,
			reset: in("America/Mexico_City", "2026-02-01 16:20"), zone: "America/Mexico_City"},
		{text: "You've hit your weekly limit · resets Jun 7, 4pm (Europe/Rome) · progress saved", at: time.Date(2026, 6, 3, 8, 0, 0, 0, time.UTC),
			kind: recommend.KindWeekly, reset: in("Europe/Rome", "2026-06-07 16:00"), zone: "Europe/Rome"},
		// Spend and extra usage.
		{text: "You've hit your monthly spend limit.", kind: recommend.KindSpend},
		{text: "You've hit your org's monthly spend limit · resets Mar 1, 12am (UTC)", kind: recommend.KindSpend, org: true,
			reset: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), zone: "UTC"},
		{text: "You're out of extra usage · resets 4pm", kind: recommend.KindExtraUsage, reset: in("Europe/Rome", "2026-02-01 16:00")},
		// The real one in the samples.
		{text: "You're out of extra usage · resets Feb 4 at 11am (America/New_York)", kind: recommend.KindExtraUsage,
			reset: in("America/New_York", "2026-02-04 11:00"), zone: "America/New_York"},
		// A date in the next year.
		{text: "You've hit your weekly limit · resets Jan 2, 10am (UTC)", at: time.Date(2026, 12, 30, 8, 0, 0, 0, time.UTC),
			kind: recommend.KindWeekly, reset: time.Date(2027, 1, 2, 10, 0, 0, 0, time.UTC), zone: "UTC"},
		// Not a plan limit, but known.
		{text: "Server is temporarily limiting requests (not your usage limit)", kind: recommend.KindServer},
	} {
		at := tt.at
		if at.IsZero() {
			at = when
		}
		h, ok := recommend.ParseLimit(tt.text, at, rome)
		if !ok {
			t.Errorf("%q: not a limit", tt.text)
			continue
		}
		if h.Kind != tt.kind || h.Model != tt.model || h.Org != tt.org || !h.Reset.Equal(tt.reset) || h.Zone != tt.zone {
			t.Errorf("%q:\n got %s %q org=%v reset %v zone %q\nwant %s %q org=%v reset %v zone %q",
				tt.text, h.Kind, h.Model, h.Org, h.Reset, h.Zone, tt.kind, tt.model, tt.org, tt.reset, tt.zone)
		}
		if stop := tt.kind != recommend.KindFallback && tt.kind != recommend.KindServer; h.Kind.Stop() != stop {
			t.Errorf("%q: Stop() = %v", tt.text, h.Kind.Stop())
		}
	}
	for _, text := range []string{"No response requested.", "API Error: 500 Internal server error", "Prompt is too long", ""} {
		if h, ok := recommend.ParseLimit(text, when, rome); ok {
			t.Errorf("%q: parsed as %+v", text, h)
		}
	}
}

func TestLimitHitsCountsEachLimitOnce(t *testing.T) {
	t0 := time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)
	n := func(user string, d time.Duration, text string) usage.Notice {
		return usage.Notice{Time: t0.Add(d), User: user, Text: text}
	}
	hits := recommend.LimitHits([]usage.Notice{
		n("a", 0, "You've hit your session limit · resets 2pm (UTC)"),
		n("a", 10*time.Minute, "You've hit your session limit · resets 2pm (UTC)"), // a retry: same limit
		n("b", 5*time.Minute, "You've hit your session limit · resets 2pm (UTC)"),  // another user
		n("a", 5*time.Hour, "You've hit your session limit · resets 7pm (UTC)"),    // the next window
		n("a", time.Hour, "You've hit your monthly spend limit."),
		n("a", time.Hour+20*time.Minute, "You've hit your monthly spend limit."), // within the hour
		n("a", 3*time.Hour, "You've hit your monthly spend limit."),
		n("a", 2*time.Hour, "Server is temporarily limiting requests (not your usage limit)"),
		n("a", 2*time.Hour, "No response requested."),
	}, time.UTC)
	var got []string
	for _, h := range hits {
		got = append(got, h.User+" "+string(h.Kind)+" "+h.Time.Format("15:04"))
	}
	want := []string{"a session 10:00", "b session 10:05", "a spend 11:00", "a server 12:00", "a spend 13:00", "a session 15:00"}
	if len(got) != len(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("hit %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestLimitHitsPerMonth(t *testing.T) {
	notices := []usage.Notice{
		{Time: at("2026-09-02 12:05"), User: "sam", Text: "You've hit your session limit · resets 2pm (UTC)"},
		{Time: at("2026-09-09 12:05"), User: "sam", Text: "5-hour limit reached ∙ resets 2pm"},
		{Time: at("2026-09-10 12:05"), User: "sam", Text: "You've hit your weekly limit · resets Sep 15, 9am (UTC)"},
		{Time: at("2026-09-11 12:05"), User: "sam", Text: "Claude Opus limit reached, now using Sonnet 4"},
		{Time: at("2026-09-12 12:05"), User: "sam", Text: "Server is temporarily limiting requests (not your usage limit)"},
		{Time: at("2026-10-02 12:05"), User: "sam", Text: "You've hit your limit · resets 2pm (UTC)"}, // outside the month
	}
	rep := run(t, steady("sam"), notices, september())
	u := userOf(t, rep, "sam")
	m := u.Months[0]
	if m.LimitHits != 3 || u.LimitHits != 3 || m.LimitHitsByKind["session"] != 2 || m.LimitHitsByKind["weekly"] != 1 {
		t.Errorf("limit hits %d (%v), user %d; want 3: 2 session, 1 weekly", m.LimitHits, m.LimitHitsByKind, u.LimitHits)
	}
	// Blocked: 12:05 to the 2pm resets twice (1h55m each) and Sep 10 12:05 to
	// Sep 15 9am (4 days 20h55m): 120h45m = 120.75 h, about 5.0 days.
	if len(u.Notes) == 0 || u.Notes[0] != "you hit a usage limit 3 times (2026-09: 3): about 5.0 days blocked in all, so the logged use understates what you wanted" {
		t.Errorf("notes %q", u.Notes)
	}
	if u.BlockedHours != 120.75 {
		t.Errorf("blocked %v h, want 120.75", u.BlockedHours)
	}
}
