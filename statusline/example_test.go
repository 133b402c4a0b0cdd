package statusline_test

import (
	"fmt"
	"time"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/statusline"
)

func Example() {
	in, err := statusline.Parse([]byte(`{"model":{"display_name":"Opus 4.8"},
		"rate_limits":{"five_hour":{"used_percentage":42,"resets_at":"2026-06-12T16:40:00Z"},
		               "seven_day":{"used_percentage":36,"resets_at":1781730000}}}`))
	if err != nil {
		fmt.Println(statusline.Fallback(""))
		return
	}
	plan, _ := recommend.Default().Lookup("max")
	res, _ := statusline.Build(in, statusline.NewMemStore(), statusline.Options{
		Now: time.Date(2026, 6, 12, 14, 0, 0, 0, time.UTC), User: "alice", Plan: plan,
	})
	fmt.Println(statusline.Render(res.Line, statusline.Style{}))
	// Output: Max 5x · 5h 42% ~$27 of $65 (resets 16:40) · week 36% ~$297 of $825 · today $0.00 · Opus 4.8
}
