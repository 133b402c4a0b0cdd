package store_test

// Reviewer tests (rev3), from the spec of Store.GroupsIn and Tx (store/doc.go):
// GroupsIn's totals over intervals of 15-minute slots equal sums computed by
// hand from the requests written, for bounds at and around UTC midnights,
// one-slot intervals, intervals shorter than a day, negative slots (before
// 1970), after first fills, replacements that move a request to another day
// or group, and on PostgreSQL too.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/internal/pgtest"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// r3Slot is floor(unix seconds / 900): the slot of t, also before 1970.
func r3Slot(t time.Time) int64 {
	s := t.Unix()
	q := s / aggregate.SlotSeconds
	if s%aggregate.SlotSeconds != 0 && s < 0 {
		q--
	}
	return q
}

// r3Model is the independent computation: the best copy of each key.
type r3Model map[string]usage.Request

func (m r3Model) add(r usage.Request) {
	if old, ok := m[r.Key]; ok && old.Tokens.Total() >= r.Tokens.Total() {
		return
	}
	m[r.Key] = r
}

// sums is what GroupsIn should give for bounds, by hand: each request in the
// interval [b[i], b[i+1]) its slot falls in, under that interval's first slot.
func (m r3Model) sums(bounds []int64) map[string]aggregate.Sums {
	out := map[string]aggregate.Sums{}
	for _, r := range m {
		s := r3Slot(r.Time)
		for i := 0; i+1 < len(bounds); i++ {
			if s >= bounds[i] && s < bounds[i+1] {
				k := r3Key(aggregate.GroupKey{Slot: bounds[i], User: r.User, Source: r.Source, Model: r.Model, Speed: r.Speed, Geo: r.Geo, Tier: r.Tier})
				x := out[k]
				x.Tokens.Add(r.Tokens)
				x.WebSearch += int64(r.WebSearch)
				x.WebFetch += int64(r.WebFetch)
				x.Requests += int64(r.Count)
				x.Records++
				out[k] = x
			}
		}
	}
	return out
}

func r3Key(k aggregate.GroupKey) string {
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|%v|%v", k.Slot, k.User, k.Source, k.Model, k.Speed, k.Geo, k.Tier, k.Long, k.Billed)
}

func r3GroupsIn(t *testing.T, st *store.Store, bounds []int64) map[string]aggregate.Sums {
	t.Helper()
	g := aggregate.Groups{}
	if err := st.GroupsIn(bounds, func(k aggregate.GroupKey, s *aggregate.Sums) { g.AddSums(k, s) }); err != nil {
		t.Fatalf("GroupsIn(%v): %v", bounds, err)
	}
	out := map[string]aggregate.Sums{}
	for k, s := range g {
		if !s.Empty() {
			out[r3Key(k)] = *s
		}
	}
	return out
}

func r3DiffSums(got, want map[string]aggregate.Sums) string {
	var lines []string
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			lines = append(lines, fmt.Sprintf("  %s: got %+v, want %+v", k, got[k], w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s: got %+v, want none", k, g))
		}
	}
	sort.Strings(lines)
	if len(lines) > 8 {
		lines = append(lines[:8], fmt.Sprintf("  ... %d more", len(lines)-8))
	}
	return strings.Join(lines, "\n")
}

// r3Bounds are interval sets that cut at awkward places around day d (a UTC
// day number: its first slot is d*96).
func r3Bounds(d int64) [][]int64 {
	D := d * aggregate.SlotsPerDay
	const day = aggregate.SlotsPerDay
	return [][]int64{
		{D, D + 1},               // the first slot of a day
		{D + day - 1, D + day},   // its last slot
		{D - 1, D + 1},           // across midnight
		{D, D + day},             // exactly one UTC day
		{D + 10, D + day + 10},   // a day's length, no whole day in it
		{D - 22, D + 3*day - 22}, // Kathmandu days (+05:45): ragged both ends
		{D + 14, D + 2*day + 14}, // St John's days (-03:30)
		{D - 51, D + day - 55, D + 2*day - 55, D + 3*day - 51},         // Chatham days across a DST change
		{D - 3*day, D + 5*day},                                         // many whole days
		{D + 5, D + 6, D + 7, D + 40, D + day, D + day + 1, D + 3*day}, // short pieces in a row
		{D - 10*day, D - 9*day},                                        // nothing there
		{D},                                                            // no interval
		{},
	}
}

// r3Requests makes n requests over days d-2 .. d+3, on slot boundaries and at
// the last nanosecond of slots and days.
func r3Requests(rng *rand.Rand, d int64, n int, prefix string) []usage.Request {
	base := time.Unix(d*86400, 0).UTC()
	users := []string{"alice", "bob"}
	models := []string{"claude-opus-4-6", "claude-sonnet-5-5", "claude-haiku-4-5-20251001"}
	tiers := []string{"standard", "batch", ""}
	var out []usage.Request
	for i := 0; i < n; i++ {
		var at time.Time
		switch i % 4 {
		case 0: // a UTC midnight exactly
			at = base.AddDate(0, 0, rng.IntN(6)-2)
		case 1: // a midnight's last nanosecond
			at = base.AddDate(0, 0, rng.IntN(6)-2).Add(-time.Nanosecond)
		case 2: // a slot boundary
			at = base.Add(time.Duration(rng.IntN(6*96)-2*96) * 15 * time.Minute)
		default:
			at = base.Add(time.Duration(rng.Int64N(int64(6*24*time.Hour))) - 2*24*time.Hour)
		}
		out = append(out, usage.Request{
			Key: fmt.Sprintf("%s%d:req", prefix, i), Time: at, User: users[rng.IntN(2)], Source: "claude-code",
			Model: models[rng.IntN(3)], Tier: tiers[rng.IntN(3)], Count: 1, SessionID: "s", Cwd: "/w",
			Tokens: usage.Tokens{Input: rng.Int64N(1000) + 1, Output: rng.Int64N(1000), CacheWrite5m: rng.Int64N(5000),
				CacheWrite1h: rng.Int64N(100), CacheRead: rng.Int64N(10000)},
			WebSearch: int32(rng.IntN(2)),
		})
	}
	return out
}

// grown is a larger copy of r, moved to another time and maybe another group.
func grown(rng *rand.Rand, r usage.Request) usage.Request {
	g := r
	g.Output += 1 + rng.Int64N(500)
	switch rng.IntN(4) {
	case 0:
		g.Time = r.Time.Add(time.Nanosecond) // from a day's last nanosecond to the next day
	case 1:
		g.Time = r.Time.Add(-time.Nanosecond)
	case 2:
		g.Tier = "priority"
	case 3:
		g.Model = "claude-opus-4-7"
		g.Time = r.Time.Add(time.Duration(rng.IntN(3)-1) * 24 * time.Hour)
	}
	return g
}

func r3Commit(t *testing.T, st *store.Store, batches ...[]usage.Request) store.Counts {
	t.Helper()
	tx, err := st.Begin(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := tx.Add(b); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
	}
	c, err := tx.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func r3Verify(t *testing.T, when string, st *store.Store, m r3Model, days ...int64) {
	t.Helper()
	res, err := st.Check()
	if err != nil || !res.OK {
		t.Errorf("%s: store check: %v, %v", when, res, err)
	}
	if res.Requests != int64(len(m)) {
		t.Errorf("%s: %d requests stored, want %d", when, res.Requests, len(m))
	}
	for _, d := range days {
		for _, b := range r3Bounds(d) {
			want := m.sums(b)
			if got := r3GroupsIn(t, st, b); r3DiffSums(got, want) != "" {
				t.Errorf("%s: GroupsIn(%v) (day %d = slot %d):\n%s", when, b, d, d*aggregate.SlotsPerDay, r3DiffSums(got, want))
			}
		}
	}
}

// r3Exercise writes to an empty store in several ways and checks GroupsIn
// against the sums by hand after each commit.
func r3Exercise(t *testing.T, st *store.Store, days ...int64) {
	rng := rand.New(rand.NewPCG(11, uint64(days[0])))
	m := r3Model{}
	var a, b []usage.Request
	for _, d := range days {
		a = append(a, r3Requests(rng, d, 120, fmt.Sprintf("a%d-", d))...)
		b = append(b, r3Requests(rng, d, 60, fmt.Sprintf("b%d-", d))...)
	}
	// 1. The first fill of an empty store, in two batches of one transaction;
	// the second repeats some of the first's keys with larger copies (in
	// other days and groups) and adds more to the same groups.
	var b2 []usage.Request
	for i, r := range a {
		if i%5 == 0 {
			b2 = append(b2, grown(rng, r))
		}
	}
	b2 = append(b2, b...)
	for _, r := range a {
		m.add(r)
	}
	for _, r := range b2 {
		m.add(r)
	}
	r3Commit(t, st, a, b2)
	r3Verify(t, "first fill", st, m, days...)

	// 2. A later run: grown copies of stored requests (moving day or group),
	// smaller copies (ignored), and new ones.
	var c []usage.Request
	for i, r := range a {
		switch i % 7 {
		case 1:
			c = append(c, grown(rng, m[r.Key]))
		case 2:
			small := m[r.Key]
			small.Output = 0
			small.CacheRead = 0
			small.Time = small.Time.Add(48 * time.Hour)
			c = append(c, small)
		}
	}
	for _, d := range days {
		c = append(c, r3Requests(rng, d, 40, fmt.Sprintf("c%d-", d))...)
	}
	for _, r := range c {
		m.add(r)
	}
	r3Commit(t, st, c)
	r3Verify(t, "second run", st, m, days...)

	// 3. One request replaced twice in one run, from one day to the next and back.
	k := a[3]
	x := m[k.Key]
	y := x
	y.Output += 10
	y.Time = time.Unix((r3Slot(x.Time)/aggregate.SlotsPerDay+1)*86400, 0).UTC()
	z := y
	z.Output += 10
	z.Time = y.Time.Add(-time.Nanosecond)
	m.add(y)
	m.add(z)
	r3Commit(t, st, []usage.Request{y}, []usage.Request{z})
	r3Verify(t, "replaced twice", st, m, days...)
}

// 2026-10-07 (day 20733) and 2026-03-08 (day 20520).
func TestRev3GroupsInEqualsSumsByHand(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "usage.db"), store.Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r3Exercise(t, st, 20733, 20520)
}

// Around 1970-01-01 (day 0): slots and days are negative before it, and an
// interval of whole days there is read from rollup_day.
func TestRev3GroupsInBefore1970(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "usage.db"), store.Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r3Exercise(t, st, 0, -1)
}

func TestRev3PostgresGroupsInEqualsSumsByHand(t *testing.T) {
	u := pgtest.URL(t, os.Getenv)
	st, err := store.Open(u, store.Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r3Exercise(t, st, 20733, 0)
}
