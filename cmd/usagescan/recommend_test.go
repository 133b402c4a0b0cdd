package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRecommendTrio: the three users of fixtures/recommend over September 2026.
// Every request is claude-sonnet-4-6 output at $15 per million tokens:
//   - light: 4 requests of 100k output tokens = $6;
//   - steady: 2 windows of 2M output ($30) on each of the 22 weekdays = $1,320;
//   - heavy: 2 windows of 5M output ($75) on each of the 30 days = $4,500.
func TestRecommendTrio(t *testing.T) {
	out := runCLI(t, cliCase{args: []string{"recommend", "--format", "json",
		"--logs", "light=" + fixtures + "/recommend/light", "--logs", "steady=" + fixtures + "/recommend/steady",
		"--logs", "heavy=" + fixtures + "/recommend/heavy"}, env: now})
	stdout := out[strings.Index(out, "-- stdout --\n")+13 : strings.Index(out, "-- stderr --")]
	var rep struct {
		Schema string `json:"schema"`
		Users  []struct {
			User        string `json:"user"`
			Recommended string `json:"recommended"`
			Months      []struct {
				Period     string  `json:"period"`
				Projected  bool    `json:"projected"`
				APICostUSD float64 `json:"api_cost_usd"`
			} `json:"months"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	want := map[string]struct {
		plan string
		api  float64
	}{
		"light":  {"api", 4 * 100_000 * 15 / 1e6},
		"steady": {"max-5x", 22 * 2 * 2_000_000 * 15 / 1e6},
		"heavy":  {"max-20x", 30 * 2 * 5_000_000 * 15 / 1e6},
	}
	if rep.Schema != "usagescan.recommend/v1" || len(rep.Users) != 3 {
		t.Fatalf("schema %q, %d users", rep.Schema, len(rep.Users))
	}
	for _, u := range rep.Users {
		w := want[u.User]
		if u.Recommended != w.plan {
			t.Errorf("%s: recommended %s, want %s", u.User, u.Recommended, w.plan)
		}
		if len(u.Months) != 1 || u.Months[0].Period != "2026-09" || u.Months[0].Projected || u.Months[0].APICostUSD != w.api {
			t.Errorf("%s: months %+v, want 2026-09 at $%.2f", u.User, u.Months, w.api)
		}
	}
}
