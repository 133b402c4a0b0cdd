// Command crosscheck compares per month and model token totals of a benchgen truth
// file with the JSON output of ccusage and/or usagescan, and prints every difference.
//
//	crosscheck -truth truth.json [-ccusage ccusage.json] [-usagescan report.json]
//
// ccusage: `ccusage claude monthly --json --offline -z UTC --breakdown`; it reports cache
// writes as one figure, compared with 5m + 1h, and names responses with usage.speed
// "fast" as model "<model>-fast", folded here into <model>. usagescan: `usagescan report --format json
// --tz UTC`; its rows are summed over users and compared field by field, requests included.
// Exit status: 0 identical, 1 differences, 2 bad input.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/usagescan/usagescan/internal/benchgen"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type key struct{ period, model string }

// fields holds the compared figures; a tool that lacks one leaves it at -1.
type fields map[string]int64

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crosscheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	truthPath := fs.String("truth", "", "benchgen truth `FILE` (required)")
	ccPath := fs.String("ccusage", "", "ccusage monthly --json --breakdown output `FILE`")
	usPath := fs.String("usagescan", "", "usagescan report --format json output `FILE`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *truthPath == "" || (*ccPath == "" && *usPath == "") {
		fmt.Fprintln(stderr, "crosscheck: usage: crosscheck -truth FILE [-ccusage FILE] [-usagescan FILE]")
		return 2
	}
	var truth benchgen.Truth
	if err := readJSON(*truthPath, &truth); err != nil {
		fmt.Fprintln(stderr, "crosscheck:", err)
		return 2
	}
	want := map[key]fields{}
	for _, r := range truth.Rows {
		want[key{r.Period, r.Model}] = fields{
			"input": r.Input, "output": r.Output, "cache_write_5m": r.CacheWrite5m,
			"cache_write_1h": r.CacheWrite1h, "cache_write": r.CacheWrite5m + r.CacheWrite1h,
			"cache_read": r.CacheRead, "web_search_requests": r.WebSearch, "requests": r.Requests,
		}
	}

	status := 0
	if *ccPath != "" {
		got, err := readCcusage(*ccPath)
		if err != nil {
			fmt.Fprintln(stderr, "crosscheck:", err)
			return 2
		}
		if !compare(stdout, "ccusage", want, got, []string{"input", "output", "cache_write", "cache_read"}) {
			status = 1
		}
	}
	if *usPath != "" {
		got, err := readUsagescan(*usPath)
		if err != nil {
			fmt.Fprintln(stderr, "crosscheck:", err)
			return 2
		}
		if !compare(stdout, "usagescan", want, got, []string{"input", "output", "cache_write_5m",
			"cache_write_1h", "cache_read", "web_search_requests", "requests"}) {
			status = 1
		}
	}
	return status
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func readCcusage(path string) (map[key]fields, error) {
	var doc struct {
		Monthly []struct {
			Month           string `json:"month"`
			ModelBreakdowns []struct {
				ModelName           string `json:"modelName"`
				InputTokens         int64  `json:"inputTokens"`
				OutputTokens        int64  `json:"outputTokens"`
				CacheCreationTokens int64  `json:"cacheCreationTokens"`
				CacheReadTokens     int64  `json:"cacheReadTokens"`
			} `json:"modelBreakdowns"`
		} `json:"monthly"`
	}
	if err := readJSON(path, &doc); err != nil {
		return nil, err
	}
	got := map[key]fields{}
	for _, m := range doc.Monthly {
		for _, b := range m.ModelBreakdowns {
			k := key{m.Month, strings.TrimSuffix(b.ModelName, "-fast")}
			f := got[k]
			if f == nil {
				f = fields{}
				got[k] = f
			}
			f["input"] += b.InputTokens
			f["output"] += b.OutputTokens
			f["cache_write"] += b.CacheCreationTokens
			f["cache_read"] += b.CacheReadTokens
		}
	}
	return got, nil
}

func readUsagescan(path string) (map[key]fields, error) {
	var doc struct {
		Rows []benchgen.Row `json:"rows"` // the same field names as report's rows
	}
	if err := readJSON(path, &doc); err != nil {
		return nil, err
	}
	got := map[key]fields{}
	for _, r := range doc.Rows { // summed over users
		f := got[key{r.Period, r.Model}]
		if f == nil {
			f = fields{}
			got[key{r.Period, r.Model}] = f
		}
		f["input"] += r.Input
		f["output"] += r.Output
		f["cache_write_5m"] += r.CacheWrite5m
		f["cache_write_1h"] += r.CacheWrite1h
		f["cache_read"] += r.CacheRead
		f["web_search_requests"] += r.WebSearch
		f["requests"] += r.Requests
	}
	return got, nil
}

// compare prints one line per differing (period, model, field) and a verdict.
// A row missing on one side counts as zeros, so all-zero rows (<synthetic>) never differ.
func compare(w io.Writer, tool string, want, got map[key]fields, names []string) bool {
	keys := map[key]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := make([]key, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].period != sorted[j].period {
			return sorted[i].period < sorted[j].period
		}
		return sorted[i].model < sorted[j].model
	})
	diffs, rows := 0, 0
	for _, k := range sorted {
		nonzero := false
		for _, n := range names {
			if want[k][n] != 0 || got[k][n] != 0 {
				nonzero = true
			}
			if want[k][n] != got[k][n] {
				fmt.Fprintf(w, "%s: %s %s %s: got %d, truth %d (%+d)\n", tool, k.period, k.model, n,
					got[k][n], want[k][n], got[k][n]-want[k][n])
				diffs++
			}
		}
		if nonzero {
			rows++
		}
	}
	if diffs == 0 {
		fmt.Fprintf(w, "%s: identical to the truth: %d month x model rows, fields %v\n", tool, rows, names)
		return true
	}
	fmt.Fprintf(w, "%s: %d differences from the truth over %d month x model rows\n", tool, diffs, rows)
	return false
}
