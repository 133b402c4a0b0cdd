package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/statusline"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// statusInput is the status-line JSON of a session whose transcript is path,
// with the plan's meter at p5% of the window resetting at r5 and pw% of the
// week resetting at rw (a negative percentage leaves the meter out).
func statusInput(path string, p5 float64, r5 time.Time, pw float64, rw time.Time) string {
	var meters []string
	if p5 >= 0 {
		meters = append(meters, fmt.Sprintf(`"five_hour":{"used_percentage":%g,"resets_at":%d}`, p5, r5.Unix()))
	}
	if pw >= 0 {
		meters = append(meters, fmt.Sprintf(`"seven_day":{"used_percentage":%g,"resets_at":"%s"}`, pw, rw.UTC().Format(time.RFC3339)))
	}
	return fmt.Sprintf(`{"session_id":"s","transcript_path":%q,"model":{"id":"claude-sonnet-4-6","display_name":"Sonnet 4.6"},"rate_limits":{%s}}`,
		path, strings.Join(meters, ","))
}

func storedSnaps(t *testing.T, db string) []store.Snapshot {
	t.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snaps, err := st.Snapshots("", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return snaps
}

func storedRequests(t *testing.T, db string) []usage.Request {
	t.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []usage.Request
	if err := st.Requests(time.Time{}, time.Time{}, func(_ usage.KeyHash, r *usage.Request) error {
		out = append(out, *r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// The status line through the real store: each distinct reading is recorded
// once, the transcript's new lines are ingested (as the default ingest would
// label them), and the line's dollars come from the store.
func TestStatuslineStore(t *testing.T) {
	home := t.TempDir()
	db := filepath.Join(t.TempDir(), "u.db")
	proj := filepath.Join(home, ".claude", "projects", "p")
	os.MkdirAll(proj, 0o755)
	transcript := filepath.Join(proj, "s.jsonl")
	t0 := time.Date(2026, 6, 12, 10, 0, 0, 0, time.UTC)
	r5, rw := t0.Add(4*time.Hour), t0.Add(3*24*time.Hour)
	// $6 of Sonnet 4.6 output at 10:00 and $3 at 10:30.
	os.WriteFile(transcript, []byte(msgLine(1, t0, 6)+"\n"), 0o644)
	sl := func(at time.Time, in string) string {
		t.Helper()
		code, out, errOut := runIn(t, home, []string{"statusline", "--db", db, "--plan", "pro"}, in, map[string]string{"USAGESCAN_NOW": at.Format(time.RFC3339)})
		if code != 0 || strings.Contains(out, "usagescan:") || errOut != "" {
			t.Fatalf("statusline at %s: exit %d, %q, %q", at, code, out, errOut)
		}
		return out
	}
	first := statusInput(transcript, 20, r5, 5, rw)
	out := sl(t0.Add(time.Minute), first)
	// Pro's defaults: 20% of $15 = $3; a June 2026 week is $130 x1.5 = $195,
	// 5% of it $9.75; today $6 logged.
	if want := "Pro · 5h 20% ~$3.00 of $15 (resets 14:00) · week 5% ~$9.75 of $195 · today $6.00 · Sonnet 4.6\n"; out != want {
		t.Errorf("line %q, want %q", out, want)
	}
	sl(t0.Add(2*time.Minute), first) // the same reading again
	sl(t0.Add(3*time.Minute), first)
	f, _ := os.OpenFile(transcript, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(msgLine(2, t0.Add(30*time.Minute), 3) + "\n")
	f.Close()
	second := statusInput(transcript, 30, r5, 7, rw)
	out = sl(t0.Add(31*time.Minute), second)
	if !strings.Contains(out, "today $9.00") {
		t.Errorf("after the transcript grew: %q, want today $9.00", out)
	}
	sl(t0.Add(32*time.Minute), statusInput(transcript, 30, r5, -1, rw)) // the week left out: another reading

	snaps := storedSnaps(t, db)
	if len(snaps) != 3 {
		t.Fatalf("%d snapshots stored, want 3: %+v", len(snaps), snaps)
	}
	s := snaps[0]
	if !s.Time.Equal(t0.Add(time.Minute)) || s.User != "tester" || s.FiveHourPct != 20 || !s.FiveHourReset.Equal(r5) ||
		s.WeekPct != 5 || !s.WeekReset.Equal(rw) || s.Session != "s" || s.Model != "claude-sonnet-4-6" {
		t.Errorf("first snapshot %+v", s)
	}
	if s := snaps[2]; !s.HasFiveHour || s.HasWeek || s.FiveHourPct != 30 {
		t.Errorf("third snapshot %+v, want 30%% of the window and no week", s)
	}
	reqs := storedRequests(t, db)
	if len(reqs) != 2 || reqs[0].User != "tester" || reqs[1].Output != 200_000 {
		t.Fatalf("stored requests %+v, want 2 of tester", reqs)
	}
	// report reads them from the store, under the same user (the logs it
	// finds itself are the same file: nothing is counted twice).
	code, out, errOut := runIn(t, home, []string{"report", "--db", db, "--format", "json"}, "", map[string]string{"USAGESCAN_NOW": "2026-06-13T00:00:00Z"})
	if code != 0 {
		t.Fatalf("report: exit %d %s", code, errOut)
	}
	if !strings.Contains(out, `"user": "tester"`) || !strings.Contains(out, `"requests": 2,`) || !strings.Contains(out, `"cost_usd": 9,`) {
		t.Errorf("report after the status line:\n%s", out)
	}
}

// Another run holding the store: the line still prints, from the store as it
// is, and records nothing; garbage on stdin prints the fallback. Exit 0 always.
func TestStatuslineLockedStore(t *testing.T) {
	home := t.TempDir()
	db := filepath.Join(t.TempDir(), "u.db")
	t0 := time.Date(2026, 6, 12, 10, 0, 0, 0, time.UTC)
	env := map[string]string{"USAGESCAN_NOW": t0.Format(time.RFC3339)}
	in := statusInput(filepath.Join(home, "none.jsonl"), 20, t0.Add(time.Hour), 5, t0.Add(48*time.Hour))
	if code, _, _ := runIn(t, home, []string{"statusline", "--db", db}, in, env); code != 0 {
		t.Fatal("first run failed")
	}
	holder, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out, _ := runIn(t, home, []string{"statusline", "--db", db, "--plan", "max"}, statusInput("", 25, t0.Add(time.Hour), 6, t0.Add(48*time.Hour)), env)
	took := time.Since(start)
	holder.Close()
	if code != 0 || !strings.HasPrefix(out, "Max 5x · 5h 25% ") || !strings.Contains(out, "today $0.00") {
		t.Errorf("locked store: exit %d, %q", code, out)
	}
	if took > 3*time.Second {
		t.Errorf("locked store: the line took %s", took)
	}
	if snaps := storedSnaps(t, db); len(snaps) != 1 || snaps[0].FiveHourPct != 20 {
		t.Errorf("snapshots %+v, want the first run's only", snaps)
	}
	code, out, _ = runIn(t, home, []string{"statusline", "--db", db}, "\x00garbage{", env)
	if code != 0 || out != statusline.Fallback("")+"\n" {
		t.Errorf("garbage: exit %d, %q", code, out)
	}
	// A file that is not a store: the fallback, the store untouched.
	bad := filepath.Join(t.TempDir(), "notes.db")
	os.WriteFile(bad, []byte("not a database, but someone's notes: keep them\n"), 0o644)
	code, out, _ = runIn(t, home, []string{"statusline", "--db", bad}, in, env)
	if data, _ := os.ReadFile(bad); code != 0 || !strings.Contains(out, "see statusline.log") || !strings.HasPrefix(string(data), "not a database") {
		t.Errorf("foreign store: exit %d, %q", code, out)
	}
}

// A user whose real budgets are not the defaults: Pro, but $30 a window (the
// default is $15) and $160 a week (default $130). They use $24 a weekday in
// September 2026, four $6 requests from 10:00. After each request Claude Code
// runs the status line, which ingests the transcript's new line and records
// the plan's meter in the store; recommend then measures the budgets from the
// stored snapshots and requests.
func TestMeasuredBudgetsThroughTheStore(t *testing.T) {
	home := t.TempDir()
	proj := filepath.Join(home, ".claude", "projects", "p")
	os.MkdirAll(proj, 0o755)
	transcript := filepath.Join(proj, "s.jsonl")
	const budget5, budgetWk = 30.0, 160.0
	var weekStart time.Time
	var weekUSD float64
	var last string
	n := 0
	for d := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC); d.Month() == time.September; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		winStart := d.Add(10 * time.Hour)
		winUSD := 0.0
		for k := 0; k < 4; k++ {
			t0 := winStart.Add(time.Duration(k) * 30 * time.Minute)
			if weekStart.IsZero() || !t0.Before(weekStart.AddDate(0, 0, 7)) {
				weekStart, weekUSD = t0, 0
			}
			f, _ := os.OpenFile(transcript, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			f.WriteString(msgLine(n, t0, 6) + "\n")
			f.Close()
			n++
			winUSD += 6
			weekUSD += 6
			in := statusInput(transcript, math.Round(100*winUSD/budget5), winStart.Add(5*time.Hour), math.Round(100*weekUSD/budgetWk), weekStart.AddDate(0, 0, 7))
			env := map[string]string{"USAGESCAN_NOW": t0.Add(time.Minute).Format(time.RFC3339)}
			code, out, errOut := runIn(t, home, []string{"statusline", "--plan", "pro"}, in, env)
			if code != 0 || strings.Contains(out, "usagescan:") {
				t.Fatalf("statusline at %s: exit %d, %q %q", t0, code, out, errOut)
			}
			last = out
		}
	}
	// The last line: measured, so no "~", and this window's $24 logged.
	if want := "Pro · 5h 80% $24 of $30 "; strings.Contains(last, "~") || !strings.HasPrefix(last, want) {
		t.Errorf("last status line %q: want it to start %q (measured budgets)", last, want)
	}
	if snaps := storedSnaps(t, filepath.Join(home, ".local/share/usagescan/usage.db")); len(snaps) != n {
		t.Errorf("%d snapshots stored, want %d (every reading differs)", len(snaps), n)
	}

	type report struct {
		Budgets string `json:"budgets"`
		Users   []struct {
			User        string `json:"user"`
			Recommended string `json:"recommended"`
			Measured    *struct {
				Plan        string  `json:"plan"`
				FiveHourUSD float64 `json:"five_hour_usd"`
				WeekUSD     float64 `json:"week_usd"`
				Snapshots   int     `json:"snapshots"`
			} `json:"measured"`
		} `json:"users"`
	}
	args := []string{"recommend", "--current-plan", "pro", "--format", "json", "--since", "2026-09", "--until", "2026-09"}
	code, out, errOut := runIn(t, home, args, "", now)
	if code != 0 {
		t.Fatalf("recommend: exit %d: %s", code, errOut)
	}
	var rep report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Users) != 1 || rep.Users[0].Measured == nil {
		t.Fatalf("no users[].measured: %s", out)
	}
	u := rep.Users[0]
	if math.Abs(u.Measured.FiveHourUSD/budget5-1) > 0.05 || math.Abs(u.Measured.WeekUSD/budgetWk-1) > 0.05 || u.Measured.Plan != "pro" || u.User != "tester" {
		t.Errorf("measured %+v for %s, want pro, $30 and $160 within 5%%", *u.Measured, u.User)
	}
	// With the defaults Pro overflows by $9 a day: $20 + 22 x $9 = $218, so
	// Max 5x at $100 would win; with the measured $30 windows Pro fits.
	if u.Recommended != "pro" || rep.Budgets != "measured" {
		t.Errorf("recommended %s (budgets %s), want pro (measured)", u.Recommended, rep.Budgets)
	}
	// Without the store (so without snapshots): the defaults, and Max 5x.
	code, out, _ = runIn(t, home, append(args, "--no-store"), "", now)
	rep = report{}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Users) != 1 || rep.Users[0].Measured != nil || rep.Users[0].Recommended != "max-5x" {
		t.Errorf("without snapshots: exit %d, %+v, want max-5x on default budgets", code, rep)
	}
}
