package parser

import (
	"strings"
	"testing"
	"time"
)

// A timestamp whose instant does not fit int64 nanoseconds since 1970 (before
// 1677-09-21 or after 2262-04-11) cannot be stored or bucketed: read as it
// was, year 9999 wrapped to 1816-03 and year 1 to 1754-08. Such a line is
// malformed, with the timestamp named; the last representable years read.
func TestTimestampOutOfRange(t *testing.T) {
	u := `{"input_tokens":1,"output_tokens":1}`
	in := strings.Join([]string{
		line("m1", "r1", "claude-sonnet-4-5", "9999-12-31T23:59:59Z", u, ""),
		line("m2", "r2", "claude-sonnet-4-5", "0001-01-01T00:00:00Z", u, ""),
		line("m3", "r3", "claude-sonnet-4-5", "2262-04-12T00:00:00Z", u, ""),
		line("m4", "r4", "claude-sonnet-4-5", "2262-04-11T00:00:00Z", u, ""),
		line("m5", "r5", "claude-sonnet-4-5", "1677-09-22T00:00:00Z", u, ""),
	}, "\n") + "\n"
	got, st, errs := read(t, strings.NewReader(in))
	if st.Malformed != 3 || len(got) != 2 {
		t.Fatalf("%d records, %d malformed (%v); want 2 and 3", len(got), st.Malformed, errs)
	}
	if !strings.Contains(errs[0].Msg, "9999-12-31T23:59:59Z") || errs[0].Line != 1 || errs[1].Line != 2 || errs[2].Line != 3 {
		t.Errorf("malformed = %v", errs)
	}
	want := []time.Time{time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC), time.Date(1677, 9, 22, 0, 0, 0, 0, time.UTC)}
	for i, r := range got {
		if !r.Time.Equal(want[i]) || r.Time.UnixNano()/1e9 != want[i].Unix() {
			t.Errorf("record %d time %v (%d ns), want %v", i, r.Time, r.Time.UnixNano(), want[i])
		}
	}
}
