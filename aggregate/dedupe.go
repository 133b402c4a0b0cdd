// Package aggregate counts each API response once and rolls responses up into
// totals per period, user, model and source.
//
// A Set deduplicates requests by key across every file it is given: of the copies
// of one response it keeps the one with the largest total tokens (tie: the copy
// that is not a sidechain), which is the final count of a streamed response. Sets
// built in parallel merge into one; the result does not depend on the order in
// which copies arrive. Rollup then sums the kept requests per period in a time zone.
package aggregate

import (
	"sort"

	"github.com/usagescan/usagescan/usage"
)

// Set holds one copy of each request, the best one seen.
type Set struct {
	byKey map[string]int32 // key -> index in reqs
	reqs  []usage.Request
	dups  int64
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{byKey: make(map[string]int32)} }

// Add adds a copy of r (r itself is not kept). A request without a key is never
// merged with another.
func (s *Set) Add(r *usage.Request) {
	if r.Key == "" {
		s.reqs = append(s.reqs, *r)
		return
	}
	if i, ok := s.byKey[r.Key]; ok {
		s.dups++
		if better(r, &s.reqs[i]) {
			s.reqs[i] = *r
		}
		return
	}
	s.byKey[r.Key] = int32(len(s.reqs))
	s.reqs = append(s.reqs, *r)
}

// AddKept adds a copy of r from a store of requests already deduplicated: like
// Add, but a copy already held is not a duplicate of the logs. It reports
// whether r was new to the Set.
func (s *Set) AddKept(r *usage.Request) (added bool) {
	if r.Key == "" {
		s.reqs = append(s.reqs, *r)
		return true
	}
	if i, ok := s.byKey[r.Key]; ok {
		if better(r, &s.reqs[i]) {
			s.reqs[i] = *r
		}
		return false
	}
	s.byKey[r.Key] = int32(len(s.reqs))
	s.reqs = append(s.reqs, *r)
	return true
}

// Merge adds every request of o to s, and o's duplicates to s's count.
func (s *Set) Merge(o *Set) {
	s.dups += o.dups
	for i := range o.reqs {
		s.Add(&o.reqs[i])
	}
}

// AddDuplicates adds n to the count of duplicates (when a Set is rebuilt).
func (s *Set) AddDuplicates(n int64) { s.dups += n }

// Len is the number of unique requests.
func (s *Set) Len() int { return len(s.reqs) }

// Duplicates is how many copies were dropped because a request was already held.
func (s *Set) Duplicates() int64 { return s.dups }

// Requests returns the unique requests ordered by time, then key. The slice is
// the Set's own; do not add to the Set while using it.
func (s *Set) Requests() []usage.Request {
	sort.Slice(s.reqs, func(i, j int) bool {
		a, b := &s.reqs[i], &s.reqs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.Key < b.Key
	})
	for i := range s.reqs {
		if k := s.reqs[i].Key; k != "" {
			s.byKey[k] = int32(i)
		}
	}
	return s.reqs
}

// better is the one "which copy wins" rule, usage.Better.
func better(a, b *usage.Request) bool { return usage.Better(a, b) }
