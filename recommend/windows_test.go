package recommend_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// spans renders spans as "start-end[first:last]" in loc, for comparison.
func spans(ss []recommend.Span, loc *time.Location) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Start.In(loc).Format("01-02 15:04 MST")+" - "+s.End.In(loc).Format("01-02 15:04 MST")+
			" ["+itoa(s.First)+":"+itoa(s.Last)+"]")
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestWindows(t *testing.T) {
	ny := zone(t, "America/New_York")
	kolkata := zone(t, "Asia/Kolkata")
	utc := func(s string) time.Time { return at(s) }
	local := func(loc *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		name  string
		loc   *time.Location
		times []time.Time
		want  []string
	}{
		{
			name:  "a first message at 11:55 resets at 16:00",
			loc:   time.UTC,
			times: []time.Time{utc("2026-09-01 11:55"), utc("2026-09-01 15:59")},
			want:  []string{"09-01 11:00 UTC - 09-01 16:00 UTC [0:2]"},
		},
		{
			name:  "a request exactly 5 hours after the window opened starts a new one",
			loc:   time.UTC,
			times: []time.Time{utc("2026-09-01 11:00"), utc("2026-09-01 15:59"), utc("2026-09-01 16:00")},
			want:  []string{"09-01 11:00 UTC - 09-01 16:00 UTC [0:2]", "09-01 16:00 UTC - 09-01 21:00 UTC [2:3]"},
		},
		{
			name:  "a gap leaves no empty windows",
			loc:   time.UTC,
			times: []time.Time{utc("2026-09-01 09:30"), utc("2026-09-02 18:45")},
			want:  []string{"09-01 09:00 UTC - 09-01 14:00 UTC [0:1]", "09-02 18:00 UTC - 09-02 23:00 UTC [1:2]"},
		},
		{
			name:  "rounded to the hour of a half-hour zone",
			loc:   kolkata,
			times: []time.Time{local(kolkata, "2026-09-01 10:50:00")},
			want:  []string{"09-01 10:00 IST - 09-01 15:00 IST [0:1]"},
		},
		{
			// 2026-03-08 02:00 EST becomes 03:00 EDT: a window opened at 00:00 EST
			// lasts 5 elapsed hours and ends at 06:00 EDT on the wall clock, so a
			// request at 05:30 EDT is still in it.
			name:  "spring forward",
			loc:   ny,
			times: []time.Time{local(ny, "2026-03-08 00:30:00"), local(ny, "2026-03-08 05:30:00"), local(ny, "2026-03-08 06:00:00")},
			want:  []string{"03-08 00:00 EST - 03-08 06:00 EDT [0:2]", "03-08 06:00 EDT - 03-08 11:00 EDT [2:3]"},
		},
		{
			// 2026-11-01 02:00 EDT becomes 01:00 EST: 01:10 EST is the second
			// 01:10 of the day and rounds down to 01:00 EST, not 01:00 EDT.
			name:  "fall back",
			loc:   ny,
			times: []time.Time{time.Date(2026, 11, 1, 6, 10, 0, 0, time.UTC)}, // 01:10 EST
			want:  []string{"11-01 01:00 EST - 11-01 06:00 EST [0:1]"},
		},
	} {
		got := spans(recommend.Windows(tt.times, tt.loc), tt.loc)
		if len(got) != len(tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: window %d\n got %q\nwant %q", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

func TestWeeks(t *testing.T) {
	ny := zone(t, "America/New_York")
	for _, tt := range []struct {
		name  string
		loc   *time.Location
		times []time.Time
		want  []string
	}{
		{
			name:  "7 days from the first request, not rounded",
			loc:   time.UTC,
			times: []time.Time{at("2026-09-07 09:10"), at("2026-09-14 09:09"), at("2026-09-14 09:10")},
			want:  []string{"09-07 09:10 UTC - 09-14 09:10 UTC [0:2]", "09-14 09:10 UTC - 09-21 09:10 UTC [2:3]"},
		},
		{
			name:  "the next week starts at the first request after the end",
			loc:   time.UTC,
			times: []time.Time{at("2026-09-01 08:00"), at("2026-09-20 17:30")},
			want:  []string{"09-01 08:00 UTC - 09-08 08:00 UTC [0:1]", "09-20 17:30 UTC - 09-27 17:30 UTC [1:2]"},
		},
		{
			// 168 elapsed hours: across the change to summer time the week ends at
			// 13:00 on the wall clock.
			name:  "across daylight saving",
			loc:   ny,
			times: []time.Time{time.Date(2026, 3, 5, 17, 0, 0, 0, time.UTC)}, // 12:00 EST
			want:  []string{"03-05 12:00 EST - 03-12 13:00 EDT [0:1]"},
		},
	} {
		got := spans(recommend.Weeks(tt.times), tt.loc)
		if len(got) != len(tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: week %d\n got %q\nwant %q", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

// TestWindowsInTimeZone runs a whole recommendation in a zone with a DST change
// inside a window. On 2026-11-01 New York falls back from 02:00 EDT to 01:00
// EST: a window opened at 00:30 EDT (start 00:00 EDT) ends 5 elapsed hours later,
// at 04:00 EST, so a request at 04:30 EST opens a new window although the wall
// clock shows only four hours since the first.
func TestWindowsInTimeZone(t *testing.T) {
	ny := zone(t, "America/New_York")
	first := time.Date(2026, 11, 1, 4, 30, 0, 0, time.UTC) // 00:30 EDT
	rs := []usage.Request{
		req("sam", first, 45),
		req("sam", first.Add(5*time.Hour), 45), // 04:30 EST
	}
	opt := recommend.Options{
		Since: time.Date(2026, 11, 1, 0, 0, 0, 0, ny), Until: time.Date(2026, 12, 1, 0, 0, 0, 0, ny),
		Now: at("2026-12-15 00:00"), Location: ny,
	}
	rep := run(t, rs, nil, opt)
	u := userOf(t, rep, "sam")
	m := u.Months[0]
	// Two windows of $45, each within Max 5x's $65 (one window of $90 would not be).
	checkPlans(t, &m, []want{{"max-5x", 100, 0, 0, 0, true}, {"pro", 20 + 60, 60, 2, 0, false}})
	if u.BusiestWindowUSD != 45 {
		t.Errorf("busiest window %v, want 45", u.BusiestWindowUSD)
	}
}
