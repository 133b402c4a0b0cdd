package engine

import (
	"reflect"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// Rows per period in a zone, inside a range: in Rome, a request at 01:00 on
// June 1 (23:00 UTC on May 31) is June's, one at 02:00 on July 1 is July's.
func TestBuildReportPeriodsAndRange(t *testing.T) {
	at := func(s string) time.Time { x, _ := time.Parse(time.RFC3339, s); return x }
	req := func(key string, out int64, ts string) usage.Request {
		return usage.Request{Key: key, Time: at(ts), User: "u", Model: "m", Source: "claude-code", Count: 1,
			Tokens: usage.Tokens{Input: 10, Output: out, CacheRead: 100}}
	}
	reqs := []usage.Request{
		req("a", 1, "2026-05-31T23:00:00Z"),
		req("b", 2, "2026-06-01T00:00:00Z"),
		req("c", 3, "2026-06-15T00:00:00Z"),
		req("d", 4, "2026-07-01T00:00:00Z"),
	}
	reqs[2].Model = "k"
	reqs[1].WebSearch = 2
	set := aggregate.NewSet()
	for i := range reqs {
		set.Add(&reqs[i])
	}
	rome, _ := time.LoadLocation("Europe/Rome")
	since, _ := aggregate.ParseBound("2026-06", rome, false)
	until, _ := aggregate.ParseBound("2026-06", rome, true)
	rep := BuildReport(set.Groups(nil), ReportOptions{By: aggregate.Month, Loc: rome, Range: aggregate.Range{From: since, To: until},
		Prices: pricing.Default(), Provider: "anthropic"})
	want := []aggregate.Row{
		{Period: "2026-06", User: "u", Model: "k", Source: "claude-code", Tokens: usage.Tokens{Input: 10, Output: 3, CacheRead: 100}, Requests: 1},
		{Period: "2026-06", User: "u", Model: "m", Source: "claude-code", Tokens: usage.Tokens{Input: 20, Output: 3, CacheRead: 200}, WebSearch: 2, Requests: 2},
	}
	var got []aggregate.Row
	for _, r := range rep.Rows {
		got = append(got, r.Row)
		if !r.Unknown {
			t.Errorf("model %s has a price in the default table?", r.Model)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %+v\nwant %+v", got, want)
	}
	if len(rep.Unknown) != 2 || rep.Unknown[0].Model != "k" || rep.Unknown[1].Requests != 2 {
		t.Errorf("unknown models %+v", rep.Unknown)
	}
}
