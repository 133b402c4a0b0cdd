package billing

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/usagescan/usagescan/usage"
)

func ptr(f float64) *float64 { return &f }

func TestReconcile(t *testing.T) {
	tok := func(in, out, w5, w1, cr int64) usage.Tokens {
		return usage.Tokens{Input: in, Output: out, CacheWrite5m: w5, CacheWrite1h: w1, CacheRead: cr}
	}
	tests := []struct {
		name    string
		log     Totals
		bill    Totals
		reading string
	}{
		{"agree", Totals{Tokens: tok(1000, 500, 100, 0, 9000), Cost: 10},
			Totals{Tokens: tok(1005, 500, 100, 0, 9000), Cost: 10.01},
			"logs and bill agree within 2%"},
		{"agree, dollars differ", Totals{Tokens: tok(1000, 500, 100, 0, 9000), Cost: 10},
			Totals{Tokens: tok(1000, 500, 100, 0, 9000), Cost: 10, Billed: ptr(8)},
			"logs and bill agree within 2%; logged cost at list price is 25.0% more than billed: the bill is the truth for money"},
		{"output undercount", Totals{Tokens: tok(1000, 300, 100, 0, 9000), Cost: 9},
			Totals{Tokens: tok(1000, 500, 100, 0, 9000), Cost: 10},
			"logs have 40.0% less output: Claude Code before 2.1.97 logged partial output tokens; the bill is the truth for money"},
		{"everything under", Totals{Tokens: tok(500, 250, 50, 0, 4500), Cost: 5},
			Totals{Tokens: tok(1000, 500, 100, 0, 9000), Cost: 10},
			"logs have less of every token class (output 50.0% less): the key is also used outside these logs (other machines, tools or people); the bill is the truth for money"},
		{"everything over", Totals{Tokens: tok(2000, 1000, 100, 0, 9000), Cost: 20},
			Totals{Tokens: tok(1000, 500, 50, 0, 4000), Cost: 10},
			"logs have more of every token class: logs of another key or account, or an export covering part of the month"},
		{"mixed", Totals{Tokens: tok(2000, 400, 100, 50, 9000), Cost: 20},
			Totals{Tokens: tok(1000, 500, 100, 0, 9000), Cost: 10},
			"logs and bill differ (input 100.0% more, cache writes 1h more (the bill has none), output 20.0% less); the bill is the truth for money"},
		{"cost export only, close", Totals{Tokens: tok(1000, 500, 0, 0, 0), Cost: 10},
			Totals{Billed: ptr(9.9)},
			"logged cost at list price is within 2% of the bill (which has no token counts)"},
		{"cost export only, under", Totals{Tokens: tok(1000, 500, 0, 0, 0), Cost: 5},
			Totals{Billed: ptr(10)},
			"logs cost 50.0% less than billed: the key is also used outside these logs, or logs before Claude Code 2.1.97 undercount output; the bill is the truth for money"},
		{"cost export only, over", Totals{Tokens: tok(1000, 500, 0, 0, 0), Cost: 15},
			Totals{Billed: ptr(10)},
			"logs cost 50.0% more than billed: discounts or credits, or logs of another key; the bill is the truth for money"},
		{"cost export only, nothing billed", Totals{Tokens: tok(1000, 500, 0, 0, 0), Cost: 15},
			Totals{Billed: ptr(0)},
			"the bill has no tokens and no cost for logged usage: another key or account? the bill is the truth for money"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.log.User, tt.log.Month = "alice", "2026-02"
			tt.bill.User, tt.bill.Month = "alice", "2026-02"
			got := Reconcile([]Totals{tt.log}, []Totals{tt.bill})
			if len(got) != 1 {
				t.Fatalf("%d results", len(got))
			}
			if got[0].Reading != tt.reading {
				t.Errorf("reading\n got %s\nwant %s", got[0].Reading, tt.reading)
			}
		})
	}
}

func TestReconcileFigures(t *testing.T) {
	logs := []Totals{
		{User: "alice", Month: "2026-02", Tokens: usage.Tokens{Input: 100, Output: 40}, Cost: 2},
		{User: "alice", Month: "2026-02", Tokens: usage.Tokens{Input: 100, Output: 40, CacheRead: 10}, WebSearch: 1, Cost: 2}, // summed
		{User: "alice", Month: "2026-03", Tokens: usage.Tokens{Input: 1}, Cost: 1},                                            // no bill
		{User: "bob", Month: "2026-01", Tokens: usage.Tokens{Input: 5, Output: 5}, Cost: 1},
	}
	bill := []Totals{
		{User: "bob", Month: "2026-01", Tokens: usage.Tokens{Input: 5, Output: 5}, Cost: 1.1}, // usage export only: estimated
		{User: "alice", Month: "2026-02", Tokens: usage.Tokens{Input: 200, Output: 100, CacheRead: 10}, WebSearch: 1, Cost: 5},
		{User: "alice", Month: "2026-02", Billed: ptr(4)}, // the cost export of the same month
		{User: "alice", Month: "2026-02", Billed: ptr(1)},
		{User: "carol", Month: "2026-02", Cost: 3}, // no logs
	}
	got := Reconcile(logs, bill)
	one, oneTen := 1.0, 1.1 // at run time, as Reconcile computes
	want := []Reconciled{
		{User: "bob", Month: "2026-01",
			Input: Count{5, 5, ptr(0)}, Output: Count{5, 5, ptr(0)},
			Cost: Amount{1, 1.1, ptr((one - oneTen) / oneTen * 100)}, Estimated: true, BillTokens: true,
			Reading: "logs and bill agree within 2%"},
		{User: "alice", Month: "2026-02",
			Input: Count{200, 200, ptr(0)}, Output: Count{80, 100, ptr(-20)}, CacheRead: Count{10, 10, ptr(0)},
			WebSearch: Count{1, 1, ptr(0)},
			Cost:      Amount{4, 5, ptr(-20)}, BillTokens: true,
			Reading: "logs have 20.0% less output: Claude Code before 2.1.97 logged partial output tokens; the bill is the truth for money"},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("got\n%s\nwant\n%s", g, w)
	}
	if Reconcile(nil, bill) != nil || Reconcile(logs, nil) != nil {
		t.Error("one side alone gives results")
	}
}

// Dollars are compared at a billionth of a dollar, far below one token's price:
// $0.1 and $0.2 summed in floating point are
// 0.30000000000000004, and against a bill of $0.3 that must read $0.3 and a
// difference of exactly 0%, not 1.5e-14%.
func TestReconcileCostHasNoFloatNoise(t *testing.T) {
	logs := []Totals{{User: "u", Month: "2026-03", Cost: 0.1}, {User: "u", Month: "2026-03", Cost: 0.2}}
	billed := 0.3
	bill := []Totals{{User: "u", Month: "2026-03", Billed: &billed}}
	out := Reconcile(logs, bill)
	if len(out) != 1 {
		t.Fatalf("got %d rows, want 1", len(out))
	}
	c := out[0].Cost
	if c.Logged != 0.3 || c.Billed != 0.3 || c.Diff == nil || *c.Diff != 0 {
		d := "nil"
		if c.Diff != nil {
			d = fmt.Sprint(*c.Diff)
		}
		t.Errorf("cost = logged %v, billed %v, diff %s; want 0.3, 0.3, 0", c.Logged, c.Billed, d)
	}
}
