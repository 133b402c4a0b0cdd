package measure_test

import (
	"fmt"
	"time"

	"github.com/usagescan/usagescan/measure"
)

// A window that resets at 15:00 (so it began at 10:00): $8 logged by 11:00
// with the meter at 20%, $20 by 13:00 at 50%, and at 14:00 $22 logged but the
// meter at 70%: $6 of claude.ai use the logs do not hold. The budget is $40.
func Example() {
	day := time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC)
	h := func(x int) time.Time { return day.Add(time.Duration(x) * time.Hour) }
	spend := []measure.Point{{Time: h(10), USD: 8}, {Time: h(12), USD: 12}, {Time: h(13).Add(30 * time.Minute), USD: 2}}
	readings := []measure.Reading{{Time: h(11), Pct: 20, Reset: h(15)}, {Time: h(13), Pct: 50, Reset: h(15)}, {Time: h(14), Pct: 70, Reset: h(15)}}
	b := measure.EstimateSpan(readings, measure.WindowLength, measure.NewSpend(spend), measure.Options{})
	fmt.Printf("$%.2f per 5 hours, %d of %d snapshots agree\n", b.USD, b.Agree, b.Snapshots)
	// Output: $40.00 per 5 hours, 2 of 3 snapshots agree
}
