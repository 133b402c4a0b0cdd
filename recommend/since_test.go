package recommend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/recommend"
)

// --since 0001-01 is year 1 in UTC, which is the zero time.Time: with
// HasSince it is still a date, the start of the range, not "no --since" (which
// would show the last 3 months only).
func TestSinceYearOne(t *testing.T) {
	rs := reqs("u", at("2026-01-10 10:00"), 1.0, at("2026-06-10 10:00"), 1.0)
	opt := recommend.Options{Since: time.Time{}, HasSince: true, Until: at("2026-07-01 00:00"), Now: at("2026-07-15 00:00"), Location: time.UTC}
	rep := run(t, rs, nil, opt)
	if rep.Since != "0001-01-01" || rep.Until != "2026-06-30" {
		t.Errorf("range %s to %s, want 0001-01-01 to 2026-06-30", rep.Since, rep.Until)
	}
	// January is in the range (the last 3 months alone would leave it out).
	monthOf(t, userOf(t, rep, "u"), "2026-01")

	// The same with --until alone, zero and set: the empty range is an error,
	// not the default 3 months.
	opt = recommend.Options{Until: time.Time{}, HasUntil: true, Since: at("2026-01-01 00:00"), Now: at("2026-07-15 00:00"), Location: time.UTC}
	if _, err := recommend.Run(rs, nil, pricing.Default(), opt); err == nil || !strings.Contains(err.Error(), "empty range") {
		t.Errorf("an --until of year 1 after --since 2026-01: err %v, want an empty range", err)
	}
}
