package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const fixtures = "../../fixtures"

// cliCase is one run of the CLI, compared with testdata/NAME.golden.
type cliCase struct {
	name  string
	args  []string
	env   map[string]string // on top of a clean HOME, XDG dirs, TZ=UTC and USER=tester
	stdin string            // a file to feed on stdin
}

// now pins the clock for commands that look at today's date.
var now = map[string]string{"USAGESCAN_NOW": "2026-11-26T12:00:00Z"}

var cliCases = []cliCase{
	{name: "basic_table", args: []string{"report"}, env: map[string]string{"CLAUDE_CONFIG_DIR": fixtures + "/basic"}},
	{name: "basic_json", args: []string{"report", "--format", "json"}, env: map[string]string{"CLAUDE_CONFIG_DIR": fixtures + "/basic"}},
	{name: "basic_csv", args: []string{"report", "--format", "csv"}, env: map[string]string{"CLAUDE_CONFIG_DIR": fixtures + "/basic/projects"}},
	{name: "basic_day_json", args: []string{"report", "--by", "day", "--format", "json", "--logs", fixtures + "/basic"}},
	{name: "basic_week", args: []string{"--by", "week", "--logs", fixtures + "/basic"}},
	{name: "basic_since", args: []string{"--since", "2026-07", "--logs", fixtures + "/basic"}},
	{name: "basic_until_day", args: []string{"--until", "2026-06-10", "--logs", fixtures + "/basic"}},
	// 2026-06-30T23:30Z (msg_C, 1 input, 2 output, 1 web search) is July 1 in Tokyo.
	{name: "basic_tz", args: []string{"--tz", "Asia/Tokyo", "--logs", fixtures + "/basic"}},
	{name: "basic_tz_env", args: []string{"--logs", fixtures + "/basic"}, env: map[string]string{"TZ": "Asia/Tokyo"}},
	{name: "labels", args: []string{"--logs", "bob=" + fixtures + "/basic/projects/-home-alice-src-web", "--logs", fixtures + "/messy/crlf.jsonl", "--user", "carol", "--format", "csv"}},
	{name: "default_roots", args: nil, env: map[string]string{"HOME": fixtures + "/basic-home"}},
	{name: "messy", args: []string{"--logs", fixtures + "/messy"}},
	{name: "messy_verbose_json", args: []string{"--logs", fixtures + "/messy", "--verbose", "--format", "json"}},
	{name: "stdin", args: []string{"--logs", "-", "--format", "csv"}, stdin: fixtures + "/messy/crlf.jsonl"},
	{name: "missing_path", args: []string{"--logs", fixtures + "/does-not-exist", "--logs", fixtures + "/messy/crlf.jsonl"}},
	{name: "nothing_found", args: []string{"report"}},
	{name: "nothing_in_range", args: []string{"--since", "2030-01", "--logs", fixtures + "/basic"}},
	{name: "bad_format", args: []string{"--format", "xml", "--logs", fixtures + "/basic"}},
	{name: "bad_since", args: []string{"--since", "2026-13", "--logs", fixtures + "/basic"}},
	{name: "bad_range", args: []string{"--since", "2026-08", "--until", "2026-07", "--logs", fixtures + "/basic"}},
	{name: "bad_tz", args: []string{"--tz", "Mars/Olympus", "--logs", fixtures + "/basic"}},
	{name: "bad_by", args: []string{"--by", "year", "--logs", fixtures + "/basic"}},
	{name: "stray_argument", args: []string{"report", fixtures + "/basic"}},

	// help
	{name: "help", args: []string{"--help"}},
	{name: "help_report", args: []string{"report", "--help"}},
	{name: "help_recommend", args: []string{"recommend", "--help"}},
	{name: "help_ingest", args: []string{"ingest", "--help"}},
	{name: "unknown_command", args: []string{"reprot"}},

	// pricing
	{name: "pricing_table", args: []string{"--logs", fixtures + "/pricing"}},
	{name: "pricing_breakdown", args: []string{"--logs", fixtures + "/pricing", "--breakdown", "--by", "day"}},
	{name: "pricing_runapi_csv", args: []string{"--logs", fixtures + "/pricing", "--provider", "runapi", "--by", "day", "--format", "csv"}},
	{name: "pricing_strict", args: []string{"--logs", fixtures + "/pricing", "--strict", "--format", "csv"}},
	{name: "pricing_override", args: []string{"--logs", fixtures + "/pricing", "--pricing", fixtures + "/pricing/nova.json", "--provider", "teamdeal", "--strict"}},
	{name: "pricing_override_bad", args: []string{"--logs", fixtures + "/pricing", "--pricing", fixtures + "/pricing/bad.json"}},
	{name: "pricing_override_missing", args: []string{"--logs", fixtures + "/pricing", "--pricing", fixtures + "/pricing/nope.json"}},
	{name: "pricing_bad_provider", args: []string{"--logs", fixtures + "/pricing", "--provider", "acme"}},
	{name: "prices_table", args: []string{"prices"}, env: map[string]string{"USAGESCAN_NOW": "2026-11-26T00:00:00Z"}},
	{name: "prices_stale", args: []string{"prices", "--pricing", fixtures + "/pricing/nova.json"}, env: map[string]string{"USAGESCAN_NOW": "2027-01-01T00:00:00Z"}},
	// billing exports
	{name: "csv_usage_json", args: []string{"--csv", fixtures + "/billing/claude_api_tokens_2026_06.csv", "--format", "json"}},
	{name: "csv_cost", args: []string{"--csv", fixtures + "/billing/claude_api_cost_2026_06.csv"}},
	{name: "csv_folder_csv", args: []string{"--csv", fixtures + "/billing", "--format", "csv", "--user-map", fixtures + "/billing-users.csv"}},
	{name: "csv_with_logs", args: []string{"--logs", fixtures + "/basic", "--csv", "alice@example.com=" + fixtures + "/billing/claude_api_tokens_2026_06.csv", "--since", "2026-06", "--until", "2026-06"}},
	{name: "csv_user_from_workspace", args: []string{"--csv", fixtures + "/billing/claude_api_tokens_2026_06.csv", "--user-from", "workspace", "--format", "csv"}},
	{name: "csv_stdin", args: []string{"--csv", "-", "--format", "csv"}, stdin: fixtures + "/billing/claude_api_cost_2026_06.csv"},
	{name: "csv_unknown_header", args: []string{"--csv", "../../billing/testdata/unknown.csv"}},
	{name: "csv_bad_cell", args: []string{"--csv", "../../billing/testdata/quoted.csv"}},
	{name: "csv_skip_bad_rows", args: []string{"--csv", "../../billing/testdata/quoted.csv", "--skip-bad-rows"}},
	{name: "csv_empty", args: []string{"--csv", "../../billing/testdata/empty.csv"}},
	{name: "csv_bad_user_from", args: []string{"--csv", fixtures + "/billing", "--user-from", "team"}},
	{name: "csv_two_stdins", args: []string{"--csv", "-", "--logs", "-"}},
	{name: "reconcile_tokens", args: []string{"reconcile", "--logs", fixtures + "/basic", "--csv", fixtures + "/billing/claude_api_tokens_2026_06.csv", "--user-map", fixtures + "/billing-users.csv"}},
	{name: "reconcile_cost_json", args: []string{"reconcile", "--logs", "alice=" + fixtures + "/basic", "--csv", "alice=" + fixtures + "/billing/claude_api_cost_2026_06.csv", "--format", "json"}},
	{name: "reconcile_no_match", args: []string{"reconcile", "--logs", fixtures + "/basic", "--csv", fixtures + "/billing"}},
	{name: "reconcile_no_csv", args: []string{"reconcile", "--logs", fixtures + "/basic"}},
	// recommend (the clock is pinned: the default months end at "now")
	{name: "recommend_trio_json", args: []string{"recommend", "--logs", "light=" + fixtures + "/recommend/light", "--logs", "steady=" + fixtures + "/recommend/steady", "--logs", "heavy=" + fixtures + "/recommend/heavy", "--format", "json"}, env: now},
	{name: "recommend_trio_table", args: []string{"recommend", "--logs", "light=" + fixtures + "/recommend/light", "--logs", "steady=" + fixtures + "/recommend/steady", "--logs", "heavy=" + fixtures + "/recommend/heavy", "--provider", "anthropic", "--provider", "runapi"}, env: now},
	{name: "recommend_steady_markdown_no_extra", args: []string{"recommend", "--logs", "steady=" + fixtures + "/recommend/steady", "--format", "markdown", "--no-extra-usage", "--since", "2026-09", "--until", "2026-09"}, env: now},
	{name: "recommend_basic_current_plan", args: []string{"recommend", "--logs", fixtures + "/basic", "--current-plan", "max", "--calibrate"}, env: now},
	{name: "recommend_ci_label", args: []string{"recommend", "--logs", "ci=" + fixtures + "/recommend/heavy", "--format", "json"}, env: now},
	{name: "recommend_with_csv", args: []string{"recommend", "--logs", fixtures + "/basic", "--csv", fixtures + "/billing"}, env: now},
	{name: "recommend_calibrate_alone", args: []string{"recommend", "--logs", fixtures + "/basic", "--calibrate"}},
	{name: "recommend_bad_plan", args: []string{"recommend", "--logs", fixtures + "/basic", "--current-plan", "gold"}},
	{name: "recommend_bad_format", args: []string{"recommend", "--format", "pdf"}},
	{name: "recommend_nothing", args: []string{"recommend"}},
	{name: "prices_json", args: []string{"prices", "--format", "json"}, env: map[string]string{"USAGESCAN_NOW": "2026-11-26T00:00:00Z"}},
}

func TestCLI(t *testing.T) {
	// A file ending in a cut-off line is "still being written" for a day after
	// its last change, then malformed: age the messy fixture's files so the
	// golden output does not depend on when the checkout was made.
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	messy, _ := filepath.Glob(fixtures + "/messy/*.jsonl")
	for _, f := range messy {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range cliCases {
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

// runCLI runs the app in-process with a clean environment and returns its exit
// code, stdout and stderr as one text, with the temporary home replaced by $HOME.
func runCLI(t *testing.T, tc cliCase) string {
	t.Helper()
	home := t.TempDir()
	env := map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": home + "/.config", "XDG_DATA_HOME": home + "/.local/share",
		"XDG_CACHE_HOME": home + "/.cache", "TZ": "UTC", "USER": "tester",
	}
	for k, v := range tc.env {
		env[k] = v
	}
	var stdin bytes.Reader
	if tc.stdin != "" {
		data, err := os.ReadFile(tc.stdin)
		if err != nil {
			t.Fatal(err)
		}
		stdin.Reset(data)
	}
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"usagescan"}, tc.args...), &stdin, &stdout, &stderr, func(k string) string { return env[k] })
	out := "exit: " + itoa(int64(code)) + "\n-- stdout --\n" + stdout.String() + "-- stderr --\n" + stderr.String()
	return strings.ReplaceAll(out, home, "$HOME")
}
