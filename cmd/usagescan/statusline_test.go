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

	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/statusline"
)

const sl = "testdata/statusline/"

// The reference example: 42% of the window resetting at 1781290000 (2026-06-12
// 18:46:40 UTC) and 36% of the week; now is 2026-06-12 16:00 UTC.
var slNow = map[string]string{"USAGESCAN_NOW": "2026-06-12T16:00:00Z"}

func withEnv(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var statuslineCases = []cliCase{
	{name: "statusline_setup", args: []string{"statusline", "--setup"}},
	// Max 5x's defaults: 42% of $65 = $27.30, 36% of $550 = $198.
	{name: "statusline_rate_limits", args: []string{"statusline", "--plan", "max"}, stdin: sl + "rate_limits.json", env: slNow},
	{name: "statusline_rate_limits_rome_fields", args: []string{"statusline", "--plan", "pro", "--tz", "Europe/Rome", "--fields", "model,5h,session,resets"}, stdin: sl + "rate_limits.json", env: slNow},
	{name: "statusline_colour", args: []string{"statusline", "--color", "always", "--fields", "5h,week"}, stdin: sl + "iso.json", env: slNow},
	{name: "statusline_no_colour_env", args: []string{"statusline", "--color", "always", "--fields", "5h,week"}, stdin: sl + "iso.json", env: withEnv(slNow, "NO_COLOR", "1")},
	{name: "statusline_iso", args: []string{"statusline", "--plan", "max-20x"}, stdin: sl + "iso.json", env: slNow},
	{name: "statusline_no_rate_limits", args: []string{"statusline", "--plan", "api", "--fields", "plan,5h,session,model"}, stdin: sl + "no_rate_limits.json", env: slNow},
	{name: "statusline_garbage", args: []string{"statusline"}, stdin: sl + "garbage.txt", env: slNow},
	{name: "statusline_empty", args: []string{"statusline"}, env: slNow},
	{name: "statusline_bad_fields", args: []string{"statusline", "--fields", "plan,cost"}, stdin: sl + "rate_limits.json", env: slNow},
	{name: "statusline_config_plan", args: []string{"statusline", "--config", sl + "config_pro.json"}, stdin: sl + "rate_limits.json", env: slNow},
	{name: "statusline_bad_config", args: []string{"statusline", "--config", sl + "config_bad.json"}, stdin: sl + "rate_limits.json", env: slNow},
	{name: "config_defaults", args: []string{"config"}},
	{name: "config_file_and_flags", args: []string{"config", "--config", sl + "config_pro.json", "--tz", "UTC", "--provider", "runapi"}, env: map[string]string{"USAGESCAN_DB": "/data/u.db"}},
	{name: "config_bad_key", args: []string{"config", "--config", sl + "config_bad.json"}},
	{name: "config_bad_plan", args: []string{"config", "--config", sl + "config_bad_plan.json"}},
	{name: "config_missing", args: []string{"config", "--config", sl + "nope.json"}},
	{name: "help_statusline", args: []string{"statusline", "--help"}},
	// The settings file's plan is recommend's current plan: calibration is reported.
	{name: "recommend_config_plan", args: []string{"recommend", "--logs", fixtures + "/basic", "--config", sl + "config_pro.json"}, env: now},
}

func TestStatuslineCLI(t *testing.T) {
	for _, tc := range statuslineCases {
		t.Run(tc.name, func(t *testing.T) {
			got := runCLI(t, tc)
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/usagescan -update to create it)", err)
			}
			if got != string(want) {
				os.WriteFile(path+".got", []byte(got), 0o644)
				t.Errorf("output differs from %s (got in %s.got):\n%s", path, path, got)
			}
		})
	}
}

// runIn runs the CLI with env in a fresh home and returns the exit code,
// stdout, stderr and the home.
func runIn(t *testing.T, home string, args []string, stdin string, env map[string]string) (int, string, string) {
	t.Helper()
	full := map[string]string{"HOME": home, "XDG_CONFIG_HOME": home + "/.config", "XDG_DATA_HOME": home + "/.local/share", "TZ": "UTC", "USER": "tester"}
	for k, v := range env {
		full[k] = v
	}
	var stdout, stderr strings.Builder
	code := run(append([]string{"usagescan"}, args...), strings.NewReader(stdin), &stdout, &stderr, func(k string) string { return full[k] })
	return code, stdout.String(), stderr.String()
}

// A broken input prints the fallback, exits 0, and logs the reason beside the
// store (here the default store place, and --db's folder).
func TestStatuslineLogsErrors(t *testing.T) {
	home := t.TempDir()
	code, out, _ := runIn(t, home, []string{"statusline"}, "{{{", slNow)
	if code != 0 || out != statusline.Fallback("")+"\n" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	log, err := os.ReadFile(filepath.Join(home, ".local/share/usagescan/statusline.log"))
	if err != nil || !strings.HasPrefix(string(log), "2026-06-12T16:00:00Z status-line input is not a JSON object") {
		t.Errorf("log %q, %v", log, err)
	}
	db := filepath.Join(t.TempDir(), "x", "u.db")
	runIn(t, home, []string{"statusline", "--db", db}, `{"model":{"display_name":"Opus"}}`+"\x00", slNow)
	if _, err := os.Stat(filepath.Join(filepath.Dir(db), "statusline.log")); err != nil {
		t.Errorf("no log beside --db: %v", err)
	}
	// A failing store is an error like any other.
	defer func(f func(*cli.Context, *env, *statusline.Input, string) (statusline.Store, func(), error)) {
		statuslineStore = f
	}(statuslineStore)
	statuslineStore = func(*cli.Context, *env, *statusline.Input, string) (statusline.Store, func(), error) {
		return nil, nil, fmt.Errorf("store locked")
	}
	code, out, _ = runIn(t, home, []string{"statusline"}, `{"model":{"display_name":"Opus 4.8"}}`, slNow)
	if code != 0 || out != "Opus 4.8 · usagescan: no usage figures (see statusline.log)\n" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

// msgLine is one assistant line of a transcript: usd of claude-sonnet-4-6
// output ($15 per million tokens) at t.
func msgLine(i int, t time.Time, usd float64) string {
	return fmt.Sprintf(`{"type":"assistant","sessionId":"s","cwd":"/src/a","entrypoint":"cli","message":{"model":"claude-sonnet-4-6","id":"msg_%04d","role":"assistant","content":[{"type":"text","text":"."}],"usage":{"input_tokens":0,"output_tokens":%d,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}},"requestId":"req_%04d","timestamp":"%s"}`,
		i, int(math.Round(usd/15*1e6)), i, t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// A user whose real budgets are not the defaults: Pro, but $30 a window (the
// default is $15) and $160 a week (default $130). They use $24 a weekday in
// September 2026, four $6 requests from 10:00. The plan's meter, read by the
// status line after each request, is fed through the command at pinned times;
// recommend then measures the budgets from those snapshots and the logs.
func TestMeasuredBudgetsEndToEnd(t *testing.T) {
	home := t.TempDir()
	logs := filepath.Join(home, "logs", "projects", "p")
	os.MkdirAll(logs, 0o755)
	mem := statusline.NewMemStore()
	defer func(f func(*cli.Context, *env, *statusline.Input, string) (statusline.Store, func(), error)) {
		statuslineStore = f
	}(statuslineStore)
	statuslineStore = func(_ *cli.Context, _ *env, _ *statusline.Input, user string) (statusline.Store, func(), error) {
		return mem, func() {}, nil
	}
	defer func(f func(*cli.Context, *env) ([]statusline.Snapshot, error)) { recommendSnapshots = f }(recommendSnapshots)
	recommendSnapshots = func(*cli.Context, *env) ([]statusline.Snapshot, error) { return mem.Snapshots("alice", time.Time{}) }

	const budget5, budgetWk = 30.0, 160.0
	var lines []string
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
			lines = append(lines, msgLine(n, t0, 6))
			mem.AddSpend("alice", measure.Point{Time: t0, USD: 6}) // what the store would ingest
			n++
			winUSD += 6
			weekUSD += 6
			in := fmt.Sprintf(`{"model":{"id":"claude-sonnet-4-6","display_name":"Sonnet 4.6"},"rate_limits":{"five_hour":{"used_percentage":%.0f,"resets_at":%d},"seven_day":{"used_percentage":%.0f,"resets_at":"%s"}}}`,
				math.Round(100*winUSD/budget5), winStart.Add(5*time.Hour).Unix(),
				math.Round(100*weekUSD/budgetWk), weekStart.AddDate(0, 0, 7).Format(time.RFC3339))
			env := map[string]string{"USAGESCAN_NOW": t0.Add(time.Minute).Format(time.RFC3339)}
			code, out, errOut := runIn(t, home, []string{"statusline", "--plan", "pro", "--user", "alice"}, in, env)
			if code != 0 || strings.Contains(out, "usagescan:") {
				t.Fatalf("statusline at %s: exit %d, %q %q", t0, code, out, errOut)
			}
			last = out
		}
	}
	os.WriteFile(filepath.Join(logs, "s.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	// The last line: the week's 4 of 5 days... measured, so no "~".
	if strings.Contains(last, "~") || !strings.Contains(last, "of $30 ") {
		t.Errorf("last status line %q: want measured budgets ($30 a window, no ~)", last)
	}

	code, out, errOut := runIn(t, home, []string{"recommend", "--logs", "alice=" + filepath.Join(home, "logs"), "--no-store", "--current-plan", "pro", "--format", "json",
		"--since", "2026-09", "--until", "2026-09"}, "", now)
	if code != 0 {
		t.Fatalf("recommend: exit %d: %s", code, errOut)
	}
	var rep struct {
		Budgets string `json:"budgets"`
		Users   []struct {
			Recommended string `json:"recommended"`
			Measured    *struct {
				Plan        string  `json:"plan"`
				FiveHourUSD float64 `json:"five_hour_usd"`
				WeekUSD     float64 `json:"week_usd"`
				Snapshots   int     `json:"snapshots"`
			} `json:"measured"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	u := rep.Users[0]
	if u.Measured == nil {
		t.Fatalf("no users[].measured: %s", out)
	}
	if math.Abs(u.Measured.FiveHourUSD/budget5-1) > 0.05 || math.Abs(u.Measured.WeekUSD/budgetWk-1) > 0.05 || u.Measured.Plan != "pro" {
		t.Errorf("measured %+v, want pro, $30 and $160 within 5%%", *u.Measured)
	}
	// With the defaults Pro overflows by $9 a day: $20 + 22 x $9 = $218, so
	// Max 5x at $100 would win; with the measured $30 windows Pro fits.
	if u.Recommended != "pro" || rep.Budgets != "measured" {
		t.Errorf("recommended %s (budgets %s), want pro (measured)", u.Recommended, rep.Budgets)
	}
	recommendSnapshots = func(*cli.Context, *env) ([]statusline.Snapshot, error) { return nil, nil }
	_, out, _ = runIn(t, home, []string{"recommend", "--logs", "alice=" + filepath.Join(home, "logs"), "--no-store", "--current-plan", "pro", "--format", "json", "--since", "2026-09", "--until", "2026-09"}, "", now)
	if !strings.Contains(out, `"recommended": "max-5x"`) {
		t.Errorf("without snapshots: want max-5x recommended")
	}
}
