package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestRealCostExport reads the real Console cost export in ../shared (skipped when
// absent) through report --format json and checks that the billed dollars per
// month, user and model equal the sums of its cost_usd column, computed here with
// encoding/csv.
func TestRealCostExport(t *testing.T) {
	const path = "../../../shared/samples/billing/claude_api_cost_2026_02_08_to_2026_02_15.csv"
	f, err := os.Open(path)
	if err != nil {
		t.Skip("shared sample not present:", err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	display := map[string]string{"Claude Sonnet 4.5": "claude-sonnet-4-5-20250929", "Claude Haiku 4.5": "claude-haiku-4-5-20251001", "--": "<web search>"}
	want := map[string]float64{}
	var total float64
	for _, r := range recs[1:] {
		usd, err := strconv.ParseFloat(r[col["cost_usd"]], 64)
		if err != nil {
			t.Fatal(err)
		}
		model, ok := display[r[col["model"]]]
		if !ok {
			t.Fatalf("the sample has a model this test does not know: %q", r[col["model"]])
		}
		want[r[col["usage_date_utc"]][:7]+" "+r[col["api_key"]]+" "+model] += usd
		total += usd
	}

	out := runCLI(t, cliCase{args: []string{"report", "--csv", path, "--format", "json"}})
	stdout := out[strings.Index(out, "-- stdout --\n")+13 : strings.Index(out, "-- stderr --")]
	var rep struct {
		Rows []struct {
			Period, User, Model, Source string
			CostUSD                     *float64 `json:"cost_usd"`
			InputTokens                 *int64   `json:"input_tokens"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	got := map[string]float64{}
	var gotTotal float64
	for _, r := range rep.Rows {
		if r.Source != "api-cost" || r.CostUSD == nil || r.InputTokens != nil {
			t.Fatalf("row %+v: want source api-cost, a cost and null tokens", r)
		}
		got[r.Period+" "+r.User+" "+r.Model] += *r.CostUSD
		gotTotal += *r.CostUSD
	}
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d: %v vs %v", len(got), len(want), got, want)
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-9 {
			t.Errorf("%s: billed %.4f, want %.4f", k, got[k], w)
		}
	}
	if math.Abs(gotTotal-total) > 1e-9 || total <= 0 {
		t.Errorf("total %.4f, want %.4f", gotTotal, total)
	}
}
