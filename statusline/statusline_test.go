package statusline

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/recommend"
)

// The reference document's example input.
const sample = `{"session_id": "uuid-1", "transcript_path": "/home/u/.claude/projects/-home-u-app/uuid.jsonl",
 "cwd": "/home/u/app", "version": "2.1.201",
 "model": {"id": "claude-opus-4-8", "display_name": "Opus 4.8"},
 "workspace": {"current_dir": "/home/u/app", "project_dir": "/home/u/app"},
 "cost": {"total_cost_usd": 0.38, "total_duration_ms": 5400000},
 "context_window": {"context_window_size": 1000000, "used_percentage": 26},
 "exceeds_200k_tokens": false,
 "rate_limits": {"five_hour": {"used_percentage": 42, "resets_at": 1781290000},
                 "seven_day": {"used_percentage": 36, "resets_at": 1781730000}}}`

func TestParse(t *testing.T) {
	sec := time.Unix(1781290000, 0).UTC()
	cases := []struct {
		name        string
		in          string
		five, week  *Limit
		other       int
		model       string
		sessionCost float64
		hasCost     bool
	}{
		{"reference example", sample, &Limit{42, sec}, &Limit{36, time.Unix(1781730000, 0).UTC()}, 0, "Opus 4.8", 0.38, true},
		{"no rate_limits (API user)", `{"model":{"id":"claude-sonnet-4-6"}}`, nil, nil, 0, "claude-sonnet-4-6", 0, false},
		{"ISO 8601 resets", `{"rate_limits":{"five_hour":{"used_percentage":42,"resets_at":"2026-06-12T18:46:40Z"},"seven_day":{"used_percentage":36.5,"resets_at":"2026-06-17T20:40:00.000+02:00"}}}`,
			&Limit{42, time.Date(2026, 6, 12, 18, 46, 40, 0, time.UTC)}, &Limit{36.5, time.Date(2026, 6, 17, 18, 40, 0, 0, time.UTC)}, 0, "", 0, false},
		{"ISO without zone is UTC", `{"rate_limits":{"five_hour":{"used_percentage":1,"resets_at":"2026-06-12T18:46:40"}}}`,
			&Limit{1, time.Date(2026, 6, 12, 18, 46, 40, 0, time.UTC)}, nil, 0, "", 0, false},
		{"milliseconds, numbers as text", `{"rate_limits":{"five_hour":{"used_percentage":"42.5","resets_at":"1781290000000"}}}`, &Limit{42.5, sec}, nil, 0, "", 0, false},
		{"fractional seconds", `{"rate_limits":{"five_hour":{"used_percentage":0,"resets_at":1781290000.5}}}`, &Limit{0, sec.Add(500 * time.Millisecond)}, nil, 0, "", 0, false},
		{"a bad reset is unknown", `{"rate_limits":{"five_hour":{"used_percentage":7,"resets_at":"soon"}}}`, &Limit{7, time.Time{}}, nil, 0, "", 0, false},
		{"no percentage: no reading", `{"rate_limits":{"five_hour":{"resets_at":1781290000},"seven_day":{"used_percentage":-3}}}`, nil, nil, 0, "", 0, false},
		{"extra windows kept aside", `{"rate_limits":{"seven_day_opus":{"used_percentage":12,"resets_at":1781730000},"five_hour":{"used_percentage":3}}}`, &Limit{3, time.Time{}}, nil, 1, "", 0, false},
		{"wrong types are missing", `{"session_id":5,"model":[1],"cost":{"total_cost_usd":"x"},"rate_limits":"none"}`, nil, nil, 0, "", 0, false},
		{"a bare model name", `{"model":"claude-haiku-4-5"}`, nil, nil, 0, "claude-haiku-4-5", 0, false},
	}
	for _, c := range cases {
		in, err := Parse([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		eq := func(what string, got, want *Limit) {
			switch {
			case (got == nil) != (want == nil):
				t.Errorf("%s: %s = %+v, want %+v", c.name, what, got, want)
			case got != nil && (got.UsedPct != want.UsedPct || !got.ResetsAt.Equal(want.ResetsAt)):
				t.Errorf("%s: %s = %+v, want %+v", c.name, what, *got, *want)
			}
		}
		eq("five_hour", in.FiveHour, c.five)
		eq("seven_day", in.Week, c.week)
		if len(in.Other) != c.other || in.Model() != c.model || in.SessionCostUSD != c.sessionCost || in.HasSessionCost != c.hasCost {
			t.Errorf("%s: other %v model %q cost %v %v, want %d %q %v %v", c.name, in.Other, in.Model(), in.SessionCostUSD, in.HasSessionCost, c.other, c.model, c.sessionCost, c.hasCost)
		}
	}
	in, _ := Parse([]byte(sample))
	if in.SessionID != "uuid-1" || in.TranscriptPath != "/home/u/.claude/projects/-home-u-app/uuid.jsonl" || in.Cwd != "/home/u/app" || in.Version != "2.1.201" || in.ModelID != "claude-opus-4-8" {
		t.Errorf("sample fields: %+v", *in)
	}
}

func TestParseGarbage(t *testing.T) {
	for _, s := range []string{"", "hello", "{", `[1,2]`, `"text"`, "null", `{"a":1}{"b":2}`, "\x00\xff"} {
		if in, err := Parse([]byte(s)); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", s, in)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`{"rate_limits":{"five_hour":{"used_percentage":"1e400","resets_at":"-1"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Parse(data)
		if err != nil {
			return
		}
		for _, l := range []*Limit{in.FiveHour, in.Week} {
			if l != nil && (l.UsedPct < 0 || math.IsNaN(l.UsedPct) || math.IsInf(l.UsedPct, 0)) {
				t.Fatalf("bad percentage %v", l.UsedPct)
			}
		}
		Render(Line{FiveHour: &Meter{Pct: 1, HasPct: true}}, Style{})
	})
}

func TestSnapshotAndDedupe(t *testing.T) {
	now := time.Date(2026, 6, 12, 15, 0, 0, 0, time.UTC)
	in, _ := Parse([]byte(sample))
	s, ok := in.Snapshot(now, "alice")
	if !ok || !s.HasFiveHour || !s.HasWeek || s.FiveHourPct != 42 || s.WeekPct != 36 || s.Session != "uuid-1" || s.Model != "claude-opus-4-8" || !s.Time.Equal(now) || s.User != "alice" {
		t.Fatalf("snapshot %+v", s)
	}
	noRL, _ := Parse([]byte(`{"model":{"id":"x"}}`))
	if _, ok := noRL.Snapshot(now, "alice"); ok {
		t.Error("a snapshot without rate_limits")
	}
	later := s
	later.Time, later.Session = now.Add(time.Minute), "other session"
	moved := later
	moved.FiveHourPct = 43
	bob := s
	bob.User = "bob"
	got := Dedupe([]Snapshot{later, s, moved, bob, s})
	if len(got) != 3 || !got[0].Time.Equal(now) || got[0].Session != "uuid-1" {
		t.Fatalf("Dedupe kept %d: %+v; want alice's first reading, bob's, and the 43%% one", len(got), got)
	}
	m := NewMemStore()
	for _, x := range []Snapshot{s, later, moved, s} {
		m.RecordSnapshot(x)
	}
	if st, _ := m.Snapshots("alice", time.Time{}); len(st) != 2 {
		t.Errorf("MemStore kept %d snapshots, want 2 (repeats once)", len(st))
	}
	five, week := Readings([]Snapshot{s, {Time: now, HasWeek: true, WeekPct: 5}})
	if len(five) != 1 || len(week) != 2 || five[0].Pct != 42 || week[1].Pct != 5 {
		t.Errorf("Readings: %v %v", five, week)
	}
}

func TestRender(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	now := time.Date(2026, 6, 12, 12, 0, 0, 0, time.UTC)
	reset := time.Date(2026, 6, 12, 14, 40, 0, 0, time.UTC) // 16:40 in Rome
	full := Line{
		Plan:     "Max",
		FiveHour: &Meter{Pct: 42, HasPct: true, BudgetUSD: 65, Reset: reset},
		Week:     &Meter{Pct: 36, HasPct: true, BudgetUSD: 550, Measured: true, Reset: time.Date(2026, 6, 18, 7, 0, 0, 0, time.UTC)},
		TodayUSD: 31.2, HasToday: true, SessionUSD: 0.38, HasSession: true,
		Model: "Sonnet 4.5", Now: now, Location: rome,
	}
	cases := []struct {
		name string
		line Line
		st   Style
		want string
	}{
		// The example: 42% of $65 = $27.30, 36% of $550 = $198.
		{"the example", full, Style{}, "Max · 5h 42% ~$27 of $65 (resets 16:40) · week 36% $198 of $550 · today $31 · Sonnet 4.5"},
		{"fields", full, Style{Fields: []Field{FieldModel, FieldSession, FieldResets}}, "Sonnet 4.5 · session $0.38 · week resets Thu 09:00"},
		{"colour", Line{FiveHour: &Meter{Pct: 91.5, HasPct: true}, Week: &Meter{Pct: 70, HasPct: true}}, Style{Color: true},
			"5h \x1b[31m91.5%\x1b[0m · week \x1b[33m70%\x1b[0m"},
		{"no meter: logged spend against the budget", Line{FiveHour: &Meter{SpendUSD: 6.5, BudgetUSD: 15}}, Style{}, "5h ~$6.50 of $15"},
		{"no meter, no budget: logged spend", Line{FiveHour: &Meter{SpendUSD: 12.345}, HasToday: true}, Style{}, "5h $12 · today $0.00"},
		{"nothing known", Line{}, Style{}, ""},
	}
	for _, c := range cases {
		if got := Render(c.line, c.st); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestParseFields(t *testing.T) {
	f, err := ParseFields(" plan, 5H ,week-resets,,model")
	if err != nil || len(f) != 4 || f[1] != FieldFiveHour || f[2] != FieldResets {
		t.Errorf("got %v %v", f, err)
	}
	if _, err := ParseFields("plan,cost"); err == nil || !strings.Contains(err.Error(), `"cost"`) || !strings.Contains(err.Error(), "today") {
		t.Errorf("want an error naming the field and the known ones, got %v", err)
	}
	if _, err := ParseFields(" , "); err == nil {
		t.Error("empty list accepted")
	}
}

func TestColorWanted(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	cases := []struct {
		mode     string
		terminal bool
		env      func(string) string
		want     bool
	}{
		{"auto", true, env(), true},
		{"", false, env(), false},
		{"auto", true, env("TERM", "dumb"), false},
		{"always", false, env(), true},
		{"always", false, env("NO_COLOR", "1"), false},
		{"auto", true, env("NO_COLOR", "1"), false},
		{"never", true, env(), false},
	}
	for _, c := range cases {
		if got, err := ColorWanted(c.mode, c.terminal, c.env); err != nil || got != c.want {
			t.Errorf("ColorWanted(%q, %v) = %v, %v; want %v", c.mode, c.terminal, got, err, c.want)
		}
	}
	if _, err := ColorWanted("rainbow", true, env()); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestAppendLog(t *testing.T) {
	dir := t.TempDir()
	path := LogPath(filepath.Join(dir, "sub", "usage.db"))
	if path != filepath.Join(dir, "sub", "statusline.log") {
		t.Fatalf("LogPath = %s", path)
	}
	now := time.Date(2026, 6, 12, 12, 0, 0, 0, time.UTC)
	if err := AppendLog(path, now, "bad\ninput"); err != nil {
		t.Fatal(err)
	}
	AppendLog(path, now, "second")
	data, _ := os.ReadFile(path)
	if string(data) != "2026-06-12T12:00:00Z bad input\n2026-06-12T12:00:00Z second\n" {
		t.Errorf("log = %q", data)
	}
	os.WriteFile(path, make([]byte, MaxLogBytes+1), 0o644)
	AppendLog(path, now, "after rotation")
	data, _ = os.ReadFile(path)
	if old, err := os.Stat(path + ".1"); err != nil || old.Size() != MaxLogBytes+1 || string(data) != "2026-06-12T12:00:00Z after rotation\n" {
		t.Errorf("rotation: %v, log %q", err, data)
	}
}

func TestFallback(t *testing.T) {
	if got := Fallback(""); got != "usagescan: no usage figures (see statusline.log)" {
		t.Error(got)
	}
	if got := Fallback("Opus 4.8"); !strings.HasPrefix(got, "Opus 4.8 · usagescan:") {
		t.Error(got)
	}
}

func TestBuild(t *testing.T) {
	pro, _ := recommend.Default().Lookup("pro")
	now := time.Date(2026, 6, 12, 12, 0, 0, 0, time.UTC)
	reset5 := now.Add(2 * time.Hour) // window 09:00-14:00
	resetWk := now.Add(3 * 24 * time.Hour)
	st := NewMemStore()
	st.AddSpend("alice",
		measure.Point{Time: now.Add(-30 * time.Hour), USD: 50},   // earlier in the week
		measure.Point{Time: now.Add(-150 * time.Minute), USD: 4}, // 09:30, in the window
		measure.Point{Time: now.Add(-20 * time.Minute), USD: 2},  // 11:40
		measure.Point{Time: now.Add(time.Hour), USD: 99},         // the future: ignored
	)
	st.AddSpend("bob", measure.Point{Time: now.Add(-time.Minute), USD: 7})
	in := &Input{ModelName: "Opus 4.8", FiveHour: &Limit{40, reset5}, Week: &Limit{20, resetWk}}
	res, err := Build(in, st, Options{Now: now, User: "alice", Plan: pro})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Line
	// One snapshot is not enough to measure: the defaults, Pro's $15 and (a
	// June 2026 week, x1.5) $195.
	if l.FiveHour.Measured || l.FiveHour.BudgetUSD != 15 || l.Week.BudgetUSD != 195 {
		t.Errorf("budgets %+v %+v, want Pro's defaults", *l.FiveHour, *l.Week)
	}
	if l.FiveHour.SpendUSD != 6 || l.Week.SpendUSD != 56 || l.TodayUSD != 6 || !l.HasToday {
		t.Errorf("spend 5h %v week %v today %v, want 6, 56, 6", l.FiveHour.SpendUSD, l.Week.SpendUSD, l.TodayUSD)
	}
	if got := Render(l, Style{}); got != "Pro · 5h 40% ~$6.00 of $15 (resets 14:00) · week 20% ~$39 of $195 · today $6.00 · Opus 4.8" {
		t.Errorf("line %q", got)
	}
	// A second reading that agrees: $6 at 40% and $6 + $1.50 at 50% both say
	// $15 per 5 hours; the week: $56 at 20% and $57.50 at ... 20% again (a
	// repeat of the week's reading does not count twice, the 5h one differs).
	st.AddSpend("alice", measure.Point{Time: now.Add(5 * time.Minute), USD: 1.5})
	in2 := &Input{FiveHour: &Limit{50, reset5}, Week: &Limit{20, resetWk}}
	res, err = Build(in2, st, Options{Now: now.Add(6 * time.Minute), User: "alice", Plan: pro})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Line.FiveHour; !m.Measured || math.Abs(m.BudgetUSD-15) > 1e-9 {
		t.Errorf("5h %+v, want measured $15", *m)
	}
	if res.Line.Week.Measured {
		t.Errorf("week measured from one reading: %+v", *res.Line.Week)
	}
	if snaps, _ := st.Snapshots("alice", time.Time{}); len(snaps) != 2 {
		t.Errorf("%d snapshots stored, want 2", len(snaps))
	}

	// No rate_limits (an API user): the window is cut from the logged requests.
	res, err = Build(&Input{}, st, Options{Now: now, User: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Line.FiveHour; m == nil || m.HasPct || m.SpendUSD != 7 || !m.Reset.Equal(time.Date(2026, 6, 12, 16, 59, 0, 0, time.UTC)) {
		t.Errorf("bob's window %+v, want $7 in the 11:59-16:59 window (2026: to the minute)", m)
	}
	if got := Render(res.Line, Style{}); got != "5h $7.00 (resets 16:59) · week $7.00 · today $7.00" {
		t.Errorf("bob's line %q", got)
	}
	// No store: the meter and the defaults only.
	res, _ = Build(in, nil, Options{Now: now, Plan: pro})
	if got := Render(res.Line, Style{}); got != "Pro · 5h 40% ~$6.00 of $15 (resets 14:00) · week 20% ~$39 of $195 · Opus 4.8" {
		t.Errorf("without a store: %q", got)
	}
	// A reading of a window that has ended counts as nothing used.
	res, _ = Build(&Input{FiveHour: &Limit{80, now.Add(-time.Minute)}}, nil, Options{Now: now})
	if m := res.Line.FiveHour; m.Pct != 0 || !m.Reset.IsZero() {
		t.Errorf("stale reading %+v", *m)
	}
}
