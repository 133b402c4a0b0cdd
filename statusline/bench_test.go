package statusline

import (
	"testing"
	"time"

	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/recommend"
)

// BenchmarkBuild is a heavy user's month: 20,000 requests and 3,000 distinct
// snapshots in memory (the store's reading time is not included).
func BenchmarkBuild(b *testing.B) {
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	st := NewMemStore()
	start := now.Add(-35 * 24 * time.Hour)
	for i := range 20000 {
		st.AddSpend("u", measure.Point{Time: start.Add(time.Duration(i) * 150 * time.Second), USD: 0.05})
	}
	for i := range 3000 {
		t := now.Add(-time.Duration(i) * 15 * time.Minute)
		st.RecordSnapshot(Snapshot{Time: t, User: "u", HasFiveHour: true, FiveHourPct: float64(10 + i%90), FiveHourReset: t.Add(time.Hour).Truncate(time.Hour),
			HasWeek: true, WeekPct: float64(10 + i%90), WeekReset: t.Add(48 * time.Hour).Truncate(24 * time.Hour)})
	}
	pro, _ := recommend.Default().Lookup("pro")
	in := &Input{FiveHour: &Limit{50, now.Add(time.Hour)}, Week: &Limit{50, now.Add(72 * time.Hour)}}
	b.ResetTimer()
	for range b.N {
		if _, err := Build(in, st, Options{Now: now, User: "u", Plan: pro}); err != nil {
			b.Fatal(err)
		}
	}
}
