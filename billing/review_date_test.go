package billing

import (
	"strings"
	"testing"
)

// A date whose instant does not fit int64 nanoseconds (see usage.TimeFits)
// is a bad cell naming the line and column: read as it was, 9999-12-31 was
// counted in 1816-03.
func TestDateOutOfRange(t *testing.T) {
	const hdr = "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed\n"
	for _, d := range []string{"9999-12-31", "0001-01-01", "2262-04-12 00:00"} {
		_, _, err := readString(hdr+d+",claude-sonnet-4-5-20250929,k,w,standard,≤ 200k,1,0,0,0,0,0,not_available,\n", Options{})
		if err == nil || !strings.Contains(err.Error(), "t.csv:2:1") {
			t.Errorf("%s: err %v, want a bad cell at t.csv:2:1", d, err)
		}
	}
	recs, _, err := readString(hdr+"2262-04-10,claude-sonnet-4-5-20250929,k,w,standard,≤ 200k,1,0,0,0,0,0,not_available,\n", Options{})
	if err != nil || len(recs) != 1 || recs[0].Time.Year() != 2262 {
		t.Errorf("2262-04-10: %v, %v; want one record in 2262", recs, err)
	}
}
