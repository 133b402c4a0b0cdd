package billing_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/usagescan/usagescan/billing"
)

func ExampleNewReader() {
	const export = `usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed
2026-03-31 02:00,claude-haiku-4-5-20251001,claude_code_key_alice_smith_x7Qz,Claude Code,standard,≤ 200k,1124832,0,0,0,254558,0,not_available,
2026-03-31 03:00,claude-opus-9,ci-bot,Default,batch,≤ 200k,10,0,0,0,5,0,global,
`
	rd, err := billing.NewReader(strings.NewReader(export), "claude_api_tokens.csv", billing.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rd.Header().Format, rd.Header().Version)
	for rd.Scan() {
		r := rd.Record()
		fmt.Println(r.Time.Format("2006-01-02 15:04"), r.Source, r.User, r.Model, r.Tier, r.Input, r.Output)
	}
	if err := rd.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Console usage export v2
	// 2026-03-31 02:00 api-billing alice_smith claude-haiku-4-5-20251001 standard 1124832 254558
	// 2026-03-31 03:00 api-billing ci-bot claude-opus-9 batch 10 5
}

func ExampleNewReader_costExport() {
	const export = `usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,cost_type,inference_geo,speed
2026-02-12,--,Default,chat-key,--,--,--,0.07,web_search,--,--
2026-02-12,Claude Sonnet 4.5,Default,chat-key,message,≤ 200k,input_cache_write_5m,0.75,token,not_available,
2026-02-12,Claude Sonnet 4.5,Default,chat-key,message,≤ 200k,input_cache_write_5m,1.16,token,not_available,
`
	// The two cache-write rows are one row of the bill: the Reader sums them.
	rd, err := billing.NewReader(strings.NewReader(export), "claude_api_cost.csv", billing.Options{User: "team"})
	if err != nil {
		fmt.Println(err)
		return
	}
	var total float64
	for rd.Scan() {
		r := rd.Record()
		fmt.Printf("%s %s %s cache writes $%.2f, web search $%.2f\n", r.Source, r.User, r.Model, r.Billed.CacheWrite, r.Billed.WebSearch)
		total += r.Billed.Total()
	}
	fmt.Printf("billed $%.2f\n", total)
	// Output:
	// api-cost team <web search> cache writes $0.00, web search $0.07
	// api-cost team claude-sonnet-4-5-20250929 cache writes $1.91, web search $0.00
	// billed $1.98
}

func ExampleReader_Err() {
	const export = `usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count
2025-06-12,claude-3-5-haiku-20241022,k,Default,standard,8,0,0,0,1,0
2025-06-13,claude-3-5-haiku-20241022,k,Default,standard,8,0,0,0,lots,0
2025-06-14,claude-3-5-haiku-20241022,k,Default,standard,8,0,0,0,1,0
`
	for _, skip := range []bool{false, true} {
		rd, _ := billing.NewReader(strings.NewReader(export), "bill.csv", billing.Options{SkipBadRows: skip})
		n := 0
		for rd.Scan() {
			n++
		}
		var re *billing.RowError
		if errors.As(rd.Err(), &re) {
			fmt.Printf("%d records, stopped at column %d: %v\n", n, re.Column, rd.Err())
		} else {
			fmt.Printf("%d records, %d bad row: %v\n", n, rd.Stats().Bad, rd.BadRows()[0])
		}
	}
	// Output:
	// 1 records, stopped at column 10: bill.csv:3:10: usage_output_tokens: not a whole number (value "lots")
	// 2 records, 1 bad row: bill.csv:3:10: usage_output_tokens: not a whole number (value "lots")
}

func ExampleReconcile() {
	billed := 12.40
	logs := []billing.Totals{{User: "alice", Month: "2026-02", Cost: 11.10}}
	logs[0].Input, logs[0].Output, logs[0].CacheRead = 200_000, 30_000, 9_000_000
	bill := []billing.Totals{
		{User: "alice", Month: "2026-02", Cost: 12.30},     // a usage export, priced
		{User: "alice", Month: "2026-02", Billed: &billed}, // a cost export
	}
	bill[0].Input, bill[0].Output, bill[0].CacheRead = 200_000, 110_000, 9_000_000
	for _, r := range billing.Reconcile(logs, bill) {
		fmt.Printf("%s %s output %d vs %d (%+.1f%%), cost $%.2f vs $%.2f\n%s\n",
			r.Month, r.User, r.Output.Logged, r.Output.Billed, *r.Output.Diff, r.Cost.Logged, r.Cost.Billed, r.Reading)
	}
	// Output:
	// 2026-02 alice output 30000 vs 110000 (-72.7%), cost $11.10 vs $12.40
	// logs have 72.7% less output: Claude Code before 2.1.97 logged partial output tokens; the bill is the truth for money
}
