package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestCcusageArgs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"daily", "report --by day"},
		{"weekly -j", "report --by week --format json"},
		{"monthly --json -b", "report --by month --format json --breakdown"},
		{"-s 20260601 -u 20260630", "--since 2026-06-01 --until 2026-06-30"},
		{"--since=20260601 --until 2026-07", "--since 2026-06-01 --until 2026-07"},
		{"-z Europe/Rome --timezone=UTC", "--tz Europe/Rome --tz UTC"},
		{"daily -O --offline", "report --by day"},
		{"recommend --since 202606", "recommend --since 202606"}, // not 8 digits: left for the parser to refuse
		{"--user -b --logs -j", "--user -b --logs -j"},           // values of flags are left alone
		{"report --logs x -- -j", "report --logs x -- -j"},       // nothing after --
		{"recommend -f json -o out.html", "recommend -f json -o out.html"},
		{"dailyx", "dailyx"},
	} {
		got := ccusageArgs(append([]string{"usagescan"}, strings.Fields(c.in)...))
		want := append([]string{"usagescan"}, strings.Fields(c.want)...)
		if !slices.Equal(got, want) {
			t.Errorf("%q -> %q, want %q", c.in, got[1:], want[1:])
		}
	}
}

// TestCcusageSpellings: ccusage's spellings print what usagescan's own do.
func TestCcusageSpellings(t *testing.T) {
	logs := fixtures + "/pricing"
	for _, c := range []struct{ theirs, ours []string }{
		{[]string{"daily", "-s", "20260901", "-u", "20260905", "-j", "-z", "Asia/Tokyo", "-O", "--logs", logs},
			[]string{"report", "--by", "day", "--since", "2026-09-01", "--until", "2026-09-05", "--format", "json", "--tz", "Asia/Tokyo", "--logs", logs}},
		{[]string{"weekly", "-b", "--logs", logs}, []string{"report", "--by", "week", "--breakdown", "--logs", logs}},
		{[]string{"monthly", "--json", "--timezone", "UTC", "--logs", logs}, []string{"--format", "json", "--logs", logs}},
	} {
		theirs, ours := runCLI(t, cliCase{args: c.theirs}), runCLI(t, cliCase{args: c.ours})
		if theirs != ours {
			t.Errorf("%v printed\n%s\nbut %v printed\n%s", c.theirs, theirs, c.ours, ours)
		}
		if !strings.HasPrefix(ours, "exit: 0") && !strings.HasPrefix(ours, "exit: 3") {
			t.Errorf("%v: %s", c.ours, ours)
		}
	}
}

// TestColour: FORCE_COLOR colours the table (recommended plan, extra usage,
// unknown prices); NO_COLOR, a pipe, and other formats get none.
func TestColour(t *testing.T) {
	rec := []string{"recommend", "--logs", "heavy=" + fixtures + "/recommend/heavy"}
	force := map[string]string{"FORCE_COLOR": "1", "USAGESCAN_NOW": now["USAGESCAN_NOW"]}
	out := runCLI(t, cliCase{args: rec, env: force})
	for _, want := range []string{ansiGood + "Recommended: Ultra", ansiWarn + "$3,725 extra" + ansiReset} {
		if !strings.Contains(out, want) {
			t.Errorf("FORCE_COLOR: no %q in\n%s", want, out)
		}
	}
	plain := runCLI(t, cliCase{args: rec, env: now})
	if strings.Contains(plain, "\x1b[") {
		t.Error("colour on a pipe")
	}
	// Without the escapes, the coloured text is the plain text.
	if strip := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(out, ""); strip != plain {
		t.Error("colour changed the text")
	}
	both := map[string]string{"FORCE_COLOR": "1", "NO_COLOR": "1"}
	if out := runCLI(t, cliCase{args: []string{"--logs", fixtures + "/pricing"}, env: both}); !strings.Contains(out, ansiAlert) {
		t.Error("FORCE_COLOR did not win over NO_COLOR / unknown model not coloured")
	}
	if out := runCLI(t, cliCase{args: append(rec, "--format", "json"), env: force}); strings.Contains(out, "\x1b[") {
		t.Error("colour in JSON")
	}
}
