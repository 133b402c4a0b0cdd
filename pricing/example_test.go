package pricing_test

import (
	"fmt"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

func ExampleTable_Cost() {
	prices := pricing.Default()
	r := &usage.Request{
		Model:  "claude-sonnet-4-5-20250929",
		Time:   time.Date(2026, 2, 12, 9, 30, 0, 0, time.UTC),
		Tokens: usage.Tokens{Input: 10, CacheRead: 250_000, Output: 1_000},
	}
	// 250,010 prompt tokens are above Sonnet 4.5's 200,000 threshold, so the whole
	// request is billed at the long-context rates: 6, 0.60 and 22.50 per million.
	c, ok := prices.Cost(r, "anthropic")
	fmt.Printf("%v input $%.6f, cache read $%.6f, output $%.6f, total $%.6f\n",
		ok, c.Input, c.CacheRead, c.Output, c.Total())

	r.Tokens.CacheRead = 100_000 // below the threshold: standard rates
	c, _ = prices.Cost(r, "anthropic")
	fmt.Printf("total $%.6f\n", c.Total())
	c, _ = prices.Cost(r, "runapi")
	fmt.Printf("total $%.6f through runapi\n", c.Total())

	r.Model = "claude-opus-9"
	_, ok = prices.Cost(r, "anthropic")
	fmt.Println(ok)
	// Output:
	// true input $0.000060, cache read $0.150000, output $0.022500, total $0.172560
	// total $0.045030
	// total $0.022515 through runapi
	// false
}

func ExampleTable_Lookup() {
	prices := pricing.Default()
	for _, id := range []string{
		"claude-sonnet-4-5",
		"us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"claude-sonnet-4-5@20250929",
		"anthropic/claude-sonnet-4.5",
		"Claude Sonnet 4.5",
		"Claude 3.5 Sonnet 2024-10-22",
		"claude-sonnet-9",
	} {
		if m, ok := prices.Lookup(id); ok {
			fmt.Printf("%s: %s (%s)\n", id, m.ID, m.Name)
		} else {
			fmt.Printf("%s: unknown\n", id)
		}
	}
	// Output:
	// claude-sonnet-4-5: claude-sonnet-4-5-20250929 (Claude Sonnet 4.5)
	// us.anthropic.claude-sonnet-4-5-20250929-v1:0: claude-sonnet-4-5-20250929 (Claude Sonnet 4.5)
	// claude-sonnet-4-5@20250929: claude-sonnet-4-5-20250929 (Claude Sonnet 4.5)
	// anthropic/claude-sonnet-4.5: claude-sonnet-4-5-20250929 (Claude Sonnet 4.5)
	// Claude Sonnet 4.5: claude-sonnet-4-5-20250929 (Claude Sonnet 4.5)
	// Claude 3.5 Sonnet 2024-10-22: claude-3-5-sonnet-20241022 (Claude 3.5 Sonnet 2024-10-22)
	// claude-sonnet-9: unknown
}

func ExampleModel_RatesAt() {
	m, _ := pricing.Default().Lookup("claude-sonnet-5-5")
	for _, day := range []string{"2026-10-06", "2026-10-07"} {
		t, _ := time.Parse(time.DateOnly, day)
		fmt.Printf("%s: cache read $%.2f per million\n", day, m.RatesAt(t).CacheRead)
	}
	// Output:
	// 2026-10-06: cache read $0.20 per million
	// 2026-10-07: cache read $0.10 per million
}

func ExampleTable_Stale() {
	prices := pricing.Default()
	now := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	if prices.Stale(now) {
		days := int(now.Sub(prices.Checked()).Hours() / 24)
		fmt.Printf("prices last checked %s, %d days ago\n", prices.Checked().Format(time.DateOnly), days)
	}
	// Output:
	// prices last checked 2026-09-13, 124 days ago
}
