package statusline

import (
	"slices"
	"time"
)

func sortByTime(s []Snapshot) {
	slices.SortStableFunc(s, func(a, b Snapshot) int { return a.Time.Compare(b.Time) })
}

func sortTimes(ts []time.Time) { slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) }) }
