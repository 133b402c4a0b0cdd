package store

import (
	"time"

	"github.com/usagescan/usagescan/aggregate"
)

// Totals returns the rollup's sums of user's records in the slots starting in
// [from, to), added up inside the database: a cheap fingerprint of what is
// stored in a range (any record added, removed or replaced changes it).
func (s *Store) Totals(user string, from, to time.Time) (aggregate.Sums, error) {
	var sum aggregate.Sums
	var n int64
	err := s.db.QueryRow(`SELECT count(*), coalesce(sum(requests), 0), coalesce(sum(records), 0), coalesce(sum(input), 0), coalesce(sum(output), 0),
	coalesce(sum(cache_write_5m), 0), coalesce(sum(cache_write_1h), 0), coalesce(sum(cache_read), 0), coalesce(sum(web_search), 0), coalesce(sum(web_fetch), 0)
FROM rollup WHERE user = ? AND slot >= ? AND slot < ?`, user, slotOf(from, false), slotOf(to, true)).Scan(&n, &sum.Requests, &sum.Records,
		&sum.Input, &sum.Output, &sum.CacheWrite5m, &sum.CacheWrite1h, &sum.CacheRead, &sum.WebSearch, &sum.WebFetch)
	return sum, s.classify(err)
}
