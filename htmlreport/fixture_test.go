package htmlreport

import (
	"fmt"

	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/recommend"
)

// fixtureReport is a recommendation built by hand: two users over two months,
// alice with weeks and windows (budgets and limit hits), bob without them (as
// reports made before those fields existed), and the team.
func fixtureReport() *recommend.Report {
	budgets := []recommend.PlanBudget{
		{Plan: "pro", Name: "Pro", PriceUSD: 20, FiveHourUSD: 10, WeekUSD: 60, From: "2025-08-28", Source: "estimate"},
		{Plan: "max-5x", Name: "Max 5x", PriceUSD: 100, FiveHourUSD: 50, WeekUSD: 300, From: "2025-08-28", Source: "estimate"},
		{Plan: "max-20x", Name: "Max 20x", PriceUSD: 200, FiveHourUSD: 200, WeekUSD: 1200, From: "2025-08-28", Source: "estimate"},
	}
	plans := func(pro, max5, max20, api float64, cheapest string) []recommend.PlanCost {
		pc := []recommend.PlanCost{
			{Plan: "pro", Name: "Pro", PriceUSD: 20, OverflowUSD: pro - 20, TotalUSD: pro, CapHits5h: 3, CapHitsWeek: 1, Fits: false},
			{Plan: "max-5x", Name: "Max 5x", PriceUSD: 100, TotalUSD: max5, Fits: true},
			{Plan: "max-20x", Name: "Max 20x", PriceUSD: 200, TotalUSD: max20, Fits: true},
			{Plan: "api", Name: "API", Provider: "anthropic", TotalUSD: api, Fits: true},
		}
		for i := range pc {
			pc[i].Cheapest = pc[i].Plan == cheapest
		}
		return pc
	}
	span := func(start, end string, usd float64, hits int, five bool) recommend.SpanUse {
		b := map[string]float64{"pro": 60, "max-5x": 300, "max-20x": 1200}
		if five {
			b = map[string]float64{"pro": 10, "max-5x": 50, "max-20x": 200}
		}
		return recommend.SpanUse{Start: start, End: end, USD: usd, Budgets: b, Hits: hits}
	}
	var windows []recommend.SpanUse
	for d := 1; d <= 12; d++ {
		usd := float64(d%5)*6.25 + 1.5
		hits := 0
		if d == 7 {
			hits = 2
		}
		windows = append(windows, span(fmt.Sprintf("2026-09-%02dT09:00:00Z", d), fmt.Sprintf("2026-09-%02dT14:00:00Z", d), usd, hits, true))
	}
	return &recommend.Report{
		Schema: recommend.Schema, Providers: []string{"anthropic"}, Budgets: "default", Timezone: "UTC",
		Since: "2026-09-01", Until: "2026-10-31", AsOf: "2026-10-20T12:00:00Z",
		Users: []recommend.User{
			{
				User: "alice", Recommended: "max-5x", RecommendedName: "Max 5x", Confidence: "medium",
				ConfidenceNotes:    []string{"two months of data"},
				Reason:             "your busiest weeks reach $412.5 of API-equivalent use; Max 5x covers that for $100 a month",
				SavingsUSDPerMonth: 87.5, SavingsUSDPerYear: 1050, NextBest: "pro", TotalUSDPerMonth: 100,
				Alternatives: []recommend.Alternative{
					{Plan: "pro", Name: "Pro", TotalUSDPerMonth: 187.5, ExtraUSDPerMonth: 87.5, ExtraUSDPerYear: 1050, Fits: false, Eligible: true},
					{Plan: "max-20x", Name: "Max 20x", TotalUSDPerMonth: 200, ExtraUSDPerMonth: 100, ExtraUSDPerYear: 1200, Fits: true, Eligible: true},
					{Plan: "api", Name: "API", TotalUSDPerMonth: 812.25, ExtraUSDPerMonth: 712.25, ExtraUSDPerYear: 8547, Fits: true, Eligible: true},
				},
				APICostUSDPerMonth: 812.25, BusiestWindowUSD: 26.5, BusiestWeekUSD: 412.5, LimitHits: 2,
				Months: []recommend.Month{
					{Period: "2026-09", APICostUSD: 900.5, LimitHits: 2, Requests: 400, ActiveDays: 20, Plans: plans(215, 100, 200, 900.5, "max-5x")},
					{Period: "2026-10", Projected: true, ProjectionFactor: 1.55, APICostUSD: 724, Requests: 300, ActiveDays: 14, Plans: plans(160, 100, 200, 724, "max-5x")},
				},
				Weeks: []recommend.SpanUse{
					span("2026-09-01T00:00:00Z", "2026-09-08T00:00:00Z", 180.25, 0, false),
					span("2026-09-08T00:00:00Z", "2026-09-15T00:00:00Z", 412.5, 2, false),
					span("2026-09-15T00:00:00Z", "2026-09-22T00:00:00Z", 95, 0, false),
					span("2026-09-22T00:00:00Z", "2026-09-29T00:00:00Z", 212.75, 0, false),
				},
				Windows: windows,
			},
			{
				User: "bob <ci>", Recommended: "api", RecommendedName: "API", Confidence: "low",
				Reason:             "your API-equivalent use averages $4.5 a month; the API bills $4.5, less than Pro at $20",
				SavingsUSDPerMonth: 15.5, SavingsUSDPerYear: 186, NextBest: "pro", TotalUSDPerMonth: 4.5,
				Alternatives: []recommend.Alternative{
					{Plan: "pro", Name: "Pro", TotalUSDPerMonth: 20, ExtraUSDPerMonth: 15.5, ExtraUSDPerYear: 186, Fits: true, Eligible: true},
				},
				APICostUSDPerMonth: 4.5, BusiestWindowUSD: 1.25, BusiestWeekUSD: 3,
				Months: []recommend.Month{
					{Period: "2026-09", APICostUSD: 5, Requests: 9, ActiveDays: 3, Plans: []recommend.PlanCost{
						{Plan: "pro", Name: "Pro", PriceUSD: 20, TotalUSD: 20, Fits: true},
						{Plan: "api", Name: "API", TotalUSD: 5, Fits: true, Cheapest: true}}},
					{Period: "2026-10", Projected: true, ProjectionFactor: 1.55, APICostUSD: 4, Requests: 5, ActiveDays: 2, Plans: []recommend.PlanCost{
						{Plan: "pro", Name: "Pro", PriceUSD: 20, TotalUSD: 20, Fits: true},
						{Plan: "api", Name: "API", TotalUSD: 4, Fits: true, Cheapest: true}}},
				},
			},
		},
		Team: &recommend.Team{
			Users: []string{"alice", "bob <ci>"}, Recommended: "own-best", SavingsUSDPerMonth: 95.5, SavingsUSDPerYear: 1146,
			Options: []recommend.TeamOption{
				{Option: "own-best", TotalUSDPerMonth: 104.5, Fits: true, Assignments: map[string]string{"alice": "max-5x", "bob <ci>": "api"}},
				{Option: "api", TotalUSDPerMonth: 816.75, Fits: true},
			},
			Months: []recommend.TeamMonth{
				{Period: "2026-09", Options: []recommend.TeamMonthTotal{{Option: "own-best", TotalUSD: 105, Cheapest: true}, {Option: "api", TotalUSD: 905.5}}},
				{Period: "2026-10", Projected: true, Options: []recommend.TeamMonthTotal{{Option: "own-best", TotalUSD: 104, Cheapest: true}, {Option: "api", TotalUSD: 728}}},
			},
		},
		BreakEven: []recommend.BreakEven{
			{Plan: "pro", Provider: "anthropic", PriceUSD: 20, Model: "claude-sonnet-4-6", OutputUSDPerM: 15, OutputTokens: 1333333.3},
		},
		PlanBudgets: budgets,
		Notes:       []string{"budgets are estimates"},
	}
}

func ptr[T any](v T) *T { return &v }

// fixtureUsage is a report by month: two months, three models (one without a
// price), two users, and a cost-export row without token counts.
func fixtureUsage() *Usage {
	return &Usage{
		Schema: "usagescan.report/v1", Timezone: "UTC", GroupBy: "month", Provider: "anthropic", PricesChecked: "2026-09-13",
		Rows: []UsageRow{
			{Period: "2026-09", User: "alice", Model: "claude-sonnet-4-6", Source: "claude-code", InputTokens: ptr[int64](1000), OutputTokens: ptr[int64](2000),
				CacheWrite5m: ptr[int64](300), CacheWrite1h: ptr[int64](0), CacheRead: ptr[int64](50000), WebSearchRequests: ptr[int64](0), Requests: ptr[int64](12), CostUSD: ptr(1.25)},
			{Period: "2026-09", User: "alice", Model: "claude-opus-4-6", Source: "claude-code", InputTokens: ptr[int64](500), OutputTokens: ptr[int64](700),
				CacheWrite5m: ptr[int64](0), CacheWrite1h: ptr[int64](100), CacheRead: ptr[int64](9000), WebSearchRequests: ptr[int64](1), Requests: ptr[int64](4), CostUSD: ptr(2.5)},
			{Period: "2026-09", User: "bob", Model: "claude-nova-9", Source: "claude-code", InputTokens: ptr[int64](100), OutputTokens: ptr[int64](100),
				CacheWrite5m: ptr[int64](0), CacheWrite1h: ptr[int64](0), CacheRead: ptr[int64](0), WebSearchRequests: ptr[int64](0), Requests: ptr[int64](1)},
			{Period: "2026-10", User: "alice", Model: "claude-sonnet-4-6", Source: "claude-code", InputTokens: ptr[int64](4000), OutputTokens: ptr[int64](1000),
				CacheWrite5m: ptr[int64](0), CacheWrite1h: ptr[int64](0), CacheRead: ptr[int64](20000), WebSearchRequests: ptr[int64](0), Requests: ptr[int64](7), CostUSD: ptr(0.75)},
			{Period: "2026-10", User: "bob", Model: "claude-sonnet-4-6", Source: "anthropic-cost-export", CostUSD: ptr(3.0)},
		},
	}
}

// fixtureReconciled is two user-months: one that agrees, one a cost export
// alone (no billed tokens).
func fixtureReconciled() []billing.Reconciled {
	return []billing.Reconciled{
		{User: "alice", Month: "2026-06", Input: billing.Count{Logged: 1000, Billed: 1000, Diff: ptr(0.0)},
			Output: billing.Count{Logged: 1900, Billed: 2000, Diff: ptr(-5.0)}, CacheRead: billing.Count{Logged: 5000, Billed: 5000, Diff: ptr(0.0)},
			Cost: billing.Amount{Logged: 12.25, Billed: 12.5, Diff: ptr(-2.0)}, Estimated: true, BillTokens: true,
			Reading: "the logs have 5% less output: Claude Code before 2.1.97 undercounts output"},
		{User: "bob", Month: "2026-06", Input: billing.Count{Logged: 300}, Cost: billing.Amount{Logged: 7.5, Billed: 10, Diff: ptr(-25.0)},
			Reading: "the bill is 25% more than the logs: usage outside Claude Code"},
	}
}
