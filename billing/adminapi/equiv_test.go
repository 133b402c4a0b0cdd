package adminapi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/usage"
)

// The Console CSV rows that hold the same figures as the served usage report:
// the billing Reader must make the same records, and RowKey of their cells the
// same keys.
const equivCSV = "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed\n" +
	"2026-03-30,claude-sonnet-4-5-20250929,claude_code_key_alice_ab12,Claude Code,standard,≤ 200k,100,10,5,1000,50,2,global,\n" +
	"2026-03-30,claude-haiku-4-5-20251001,ci-bot,Default,batch,200k-1M,7,0,0,0,3,0,not_available,\n" +
	"2026-03-31,claude-opus-4-6,claude_code_key_bob_smith_zz99,Claude Code,priority,≤ 200k,20,0,0,0,4,0,us,fast\n"

func TestSameRecordsAsCSV(t *testing.T) {
	userMap := map[string]string{"ci-bot": "ops@example.com"}
	for _, from := range []string{billing.UserFromAPIKey, billing.UserFromWorkspace} {
		opt := billing.Options{UserMap: userMap, UserFrom: from}
		rd, err := billing.NewReader(strings.NewReader(equivCSV), "equiv.csv", opt)
		if err != nil {
			t.Fatal(err)
		}
		var csv []usage.Request
		var keys []string
		for rd.Scan() {
			r := *rd.Record()
			csv = append(csv, r)
		}
		if err := rd.Err(); err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(strings.TrimSpace(equivCSV), "\n")[1:] {
			cells := strings.Split(line, ",")
			ctx, ok := billing.ParseBand(cells[5])
			if !ok {
				t.Fatalf("band %q", cells[5])
			}
			keys = append(keys, billing.RowKey(billing.RowID{Source: billing.SourceUsage, Time: csv[i].Time,
				Model: csv[i].Model, APIKey: cells[2], Workspace: cells[3], Tier: cells[4], Context: ctx,
				Geo: cells[12], Speed: cells[13]}))
		}

		c, _ := serve(t, &standIn{pages: merge(names(t), usagePages(t))})
		c.Options = opt
		api, _, err := c.FetchUsage(context.Background(), mar30, apr1)
		if err != nil {
			t.Fatal(err)
		}
		api = api[:3] // the fourth is a key the CSV does not have
		for i := range csv {
			a, b := api[i], csv[i]
			if a.Key != keys[i] {
				t.Errorf("%s row %d: API key\n %s\nCSV cells key\n %s", from, i, a.Key, keys[i])
			}
			if b.Key != "" && b.Key != a.Key { // once the CSV reader keys rows itself
				t.Errorf("%s row %d: CSV Reader key %s, API %s", from, i, b.Key, a.Key)
			}
			a.Key, a.Rev, b.Key, b.Rev = "", 0, "", 0
			if a != b {
				t.Errorf("%s row %d:\nAPI %+v\nCSV %+v", from, i, a, b)
			}
		}
	}
}

func TestWindow(t *testing.T) {
	now := time.Date(2026, 4, 10, 6, 30, 0, 0, time.UTC)
	d := func(m, day int) time.Time { return time.Date(2026, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name               string
		since, until, last time.Time
		wantFrom, wantTo   time.Time
		wantLastComplete   time.Time
	}{
		{"first pull", time.Time{}, time.Time{}, time.Time{}, d(3, 11), now, d(4, 9)},
		{"after a pull: the last two days again", time.Time{}, time.Time{}, d(4, 7), d(4, 6), now, d(4, 9)},
		{"--since and --until", d(3, 1), d(3, 15), d(4, 7), d(3, 1), d(3, 15), d(3, 14)},
		{"--since today only: no whole day", d(4, 10), time.Time{}, time.Time{}, d(4, 10), now, time.Time{}},
	}
	for _, tt := range tests {
		from, to := Window(tt.since, tt.until, tt.last, now)
		if !from.Equal(tt.wantFrom) || !to.Equal(tt.wantTo) {
			t.Errorf("%s: Window = %v..%v, want %v..%v", tt.name, from, to, tt.wantFrom, tt.wantTo)
		}
		if lc := LastComplete(from, to, now); !lc.Equal(tt.wantLastComplete) {
			t.Errorf("%s: LastComplete = %v, want %v", tt.name, lc, tt.wantLastComplete)
		}
	}
}
