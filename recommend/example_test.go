package recommend_test

import (
	"fmt"
	"os"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

func ExampleRun() {
	// Every day of September 2026, two 5-hour windows of $75 of Claude Sonnet 4.6
	// output ($15 per million tokens): $150 a day.
	var reqs []usage.Request
	for d := 1; d <= 30; d++ {
		for _, h := range []int{9, 11, 15, 17} {
			reqs = append(reqs, usage.Request{
				Time: time.Date(2026, 9, d, h, 10, 0, 0, time.UTC), User: "hana",
				Model: "claude-sonnet-4-6", Tokens: usage.Tokens{Output: 2_500_000}, Count: 1,
			})
		}
	}
	rep, err := recommend.Run(reqs, nil, pricing.Default(), recommend.Options{
		Since: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
		Until: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Now:   time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	u := rep.Users[0]
	fmt.Println(u.Recommended, u.Confidence)
	fmt.Println(u.Reason)
	for _, p := range u.Months[0].Plans {
		fmt.Printf("%-14s %9.2f  cap hits %d/%d\n", p.Plan, p.TotalUSD, p.CapHits5h, p.CapHitsWeek)
	}
	// Windows start at their first request (2026): 09:10-14:10 and 15:10-20:10,
	// $75 each. Weeks start Tuesdays 09:10; those of Sep 1 and 8 have the
	// promotion's weekly budgets (x1.5: Max 5x $825), those from Sep 15 the
	// new standard (x1.25: $687.50). Max 5x covers $65 a window until the week
	// runs out: 12 + 12 + 10 + 10 window hits, and 4 in the last two days; its
	// overflow is $225 + $225 + $362.50 + $362.50 + $40 = $1,215. A solo user
	// pays for 5 Team seats ($150, $750).
	// Output:
	// max-20x medium
	// Max 20x at $200 against Max 5x at $100 ($1,315 a month with extra usage); your busiest week reaches $1,050 of API-equivalent use, past Max 5x's weekly budget of $688
	// pro              3745.00  cap hits 50/4
	// max-5x           1315.00  cap hits 48/4
	// max-20x           200.00  cap hits 0/0
	// team-standard    3698.00  cap hits 52/4
	// team-premium     1925.00  cap hits 0/4
	// api              4500.00  cap hits 0/0
}

func ExampleParseLimit() {
	at := time.Date(2026, 6, 3, 8, 0, 0, 0, time.UTC)
	for _, text := range []string{
		"You've hit your weekly limit · resets Jun 7, 4pm (Europe/Rome) · progress saved",
		"5-hour limit reached ∙ resets 12pm",
		"Claude Opus limit reached, now using Sonnet 4",
		"Server is temporarily limiting requests (not your usage limit)",
	} {
		h, _ := recommend.ParseLimit(text, at, time.UTC)
		fmt.Printf("%-8s stop=%-5v reset %s\n", h.Kind, h.Kind.Stop(), h.Reset.UTC().Format(time.RFC3339))
	}
	// Output:
	// weekly   stop=true  reset 2026-06-07T14:00:00Z
	// session  stop=true  reset 2026-06-03T12:00:00Z
	// fallback stop=false reset 0001-01-01T00:00:00Z
	// server   stop=false reset 0001-01-01T00:00:00Z
}

func ExampleWindows() {
	times := []time.Time{
		time.Date(2026, 9, 1, 11, 55, 0, 0, time.UTC), // opens 11:00-16:00
		time.Date(2026, 9, 1, 15, 59, 0, 0, time.UTC),
		time.Date(2026, 9, 1, 16, 0, 0, 0, time.UTC), // exactly at the end: a new window
	}
	for _, w := range recommend.Windows(times, time.UTC) {
		fmt.Println(w.Start.Format("15:04"), "-", w.End.Format("15:04"), "requests", w.First, "to", w.Last-1)
	}
	// Output:
	// 11:00 - 16:00 requests 0 to 1
	// 16:00 - 21:00 requests 2 to 2
}

func ExampleCatalog_Lookup() {
	plans := recommend.Default()
	for _, name := range []string{"max", "max100", "ultra", "max200", "pro"} {
		p, _ := plans.Lookup(name)
		five, week := p.BudgetsAt(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
		fmt.Printf("%-6s -> %-7s $%3.0f a month, $%3.0f per 5 hours, $%4.0f per week\n", name, p.ID, p.PriceUSD, five, week)
	}
	// Output:
	// max    -> max-5x  $100 a month, $ 65 per 5 hours, $ 550 per week
	// max100 -> max-5x  $100 a month, $ 65 per 5 hours, $ 550 per week
	// ultra  -> max-20x $200 a month, $250 per 5 hours, $1200 per week
	// max200 -> max-20x $200 a month, $250 per 5 hours, $1200 per week
	// pro    -> pro     $ 20 a month, $ 15 per 5 hours, $ 130 per week
}

func ExampleRender() {
	reqs := []usage.Request{{
		Time: time.Date(2026, 9, 3, 10, 0, 0, 0, time.UTC), User: "lee",
		Model: "claude-sonnet-4-6", Tokens: usage.Tokens{Output: 100_000}, Count: 1,
	}}
	rep, _ := recommend.Run(reqs, nil, nil, recommend.Options{
		Since: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
		Until: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Now:   time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC),
	})
	recommend.Render(os.Stdout, rep, "table")
	// Output:
	// Claude plan recommendation, 2026-09-01 to 2026-09-30 (UTC), API priced at anthropic
	//
	// lee: API
	// ========
	// Recommended: API for $1.50 a month on average, saving $18.50 a month ($222 a year) against Pro;
	// confidence low (thin data: 1 active day, 1 request).
	// Your API-equivalent use averages $1.50 a month (busiest week $1.50); the API bills $1.50, less than
	// Pro at $20.
	//
	//   Option                                2026-09  Per month
	//   --------------------------------------------------------
	//   Pro [$17 yearly]                       $20.00     $20.00
	//   Max 5x                                $100.00    $100.00
	//   Max 20x                               $200.00    $200.00
	//   Team Standard (5 seats) [$25 yearly]  $150.00    $150.00
	//   Team Premium (5 seats)                $750.00    $750.00
	//   API (recommended)                     * $1.50      $1.50
	//
	// * cheapest that month; team seats are shown for comparison, never recommended to one person (a team
	// pays for at least 5 seats; see the team view).
	// - API-equivalent use $1.50 a month at list price; busiest 5-hour window $1.50, busiest week $1.50
	// - Your own break-even: with your mix of tokens (cache reads and writes included) an output token
	//   costs $15 per 1M, so Pro $20 = 1.33M, Max 5x $100 = 6.67M, Max 20x $200 = 13.33M output tokens a
	//   month; you use 100K a month; the output-only rule below fits your mix
	//
	// Break-even, the pricing pages' way
	// ==================================
	// - claude-sonnet-4-6 output at $15 per 1M through anthropic: Pro $20 = 1.33M, Max 5x $100 = 6.67M,
	//   Max 20x $200 = 13.33M, Team Standard $30 = 2M, Team Premium $150 = 10M output tokens a month
	//
	// About the budgets
	// =================
	// Budgets are estimates, in API-equivalent USD at list price per 5-hour window / per week: Pro $15 /
	// $163 (x1.25), Max 5x $65 / $688 (x1.25), Max 20x $250 / $1,500 (x1.25), Team Standard $18 / $200
	// (x1.25), Team Premium $90 / $688 (x1.25); from measurements people published (Anthropic publishes
	// none); edit them with --plans FILE, or measure them with --current-plan and --calibrate. Dated
	// rules: weekly budgets x1.5 from 2026-05-13 to 2026-09-13 (a week keeps the rule in force at its
	// start) [V]; weekly budgets x1.25 from 2026-09-14 (a week keeps the rule in force at its start) [3P];
	// 5-hour windows start at the first request rounded down to the hour [V/3P]; 5-hour windows start at
	// the first request, to the minute from 2026-01-01 [3P]; requests with a prompt above 200,000 tokens
	// (the 1M window) are extra usage on a subscription [3P]; a team pays for at least 5 seats [V].
}
