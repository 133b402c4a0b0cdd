package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestCraftedCosts runs report --by day --format json on fixtures/pricing and
// compares each day's cost with a value computed by hand from the reference
// price table (USD per million tokens).
func TestCraftedCosts(t *testing.T) {
	want := map[string]float64{
		// Sonnet 4.5 above 200k input: the whole request at 6 / 0.60 / 22.50.
		"2026-09-01": (10*6 + 250000*0.60 + 1000*22.50) / 1e6,
		// Exactly 200k input is not above the threshold: 0.30 / 15.
		"2026-09-02": (200000*0.30 + 1000*15) / 1e6,
		// Opus 4.6, 5 web searches at $10 per 1,000.
		"2026-09-03": (1*5+1*25)/1e6 + 5*10.0/1000,
		// Opus 4.8 fast: 10 / 50, cache write 5m 1.25x and read 0.1x of 10.
		"2026-09-04": (1000*10 + 1000*50 + 1000*12.5 + 1000*1.0) / 1e6,
		// Opus 4.6 in the us: x1.1.
		"2026-09-05": (1000*5 + 1000*25) * 1.1 / 1e6,
		// Sonnet 4.5 in the us: no surcharge before 4.6.
		"2026-09-06": (1000*3 + 1000*15) / 1e6,
		// Sonnet 4.6 batch: everything at half, 1h write 6, read 0.30.
		"2026-09-07": (1000*3 + 1000*15 + 1000*6 + 1000*0.30) * 0.5 / 1e6,
		// Sonnet 5.5 cache read 0.20 until 2026-10-06, 0.10 from 2026-10-07.
		"2026-10-06": (1*2 + 1000000*0.20) / 1e6,
		"2026-10-07": (1*2 + 1000000*0.10) / 1e6,
	}
	for _, provider := range []struct {
		name string
		mult float64
	}{{"anthropic", 1}, {"runapi", 0.5}} {
		out := runCLI(t, cliCase{args: []string{"report", "--logs", fixtures + "/pricing", "--by", "day", "--format", "json", "--provider", provider.name}})
		stdout := out[strings.Index(out, "-- stdout --\n")+13 : strings.Index(out, "-- stderr --")]
		var rep struct {
			Rows []struct {
				Period  string   `json:"period"`
				Model   string   `json:"model"`
				CostUSD *float64 `json:"cost_usd"`
			} `json:"rows"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if len(rep.Rows) != len(want)+1 {
			t.Fatalf("%d rows, want %d", len(rep.Rows), len(want)+1)
		}
		for _, r := range rep.Rows {
			if r.Model == "claude-nova-9" {
				if r.CostUSD != nil {
					t.Errorf("unknown model priced at %v", *r.CostUSD)
				}
				continue
			}
			w := want[r.Period] * provider.mult
			if r.CostUSD == nil || math.Abs(*r.CostUSD-w) > 1e-6 {
				t.Errorf("%s %s %s: cost %v, want %.6f", provider.name, r.Period, r.Model, r.CostUSD, w)
			}
		}
		if !strings.Contains(out, `no price for model "claude-nova-9"`) || !strings.HasPrefix(out, "exit: 0") {
			t.Errorf("want exit 0 and a warning about claude-nova-9:\n%s", out)
		}
	}
}
