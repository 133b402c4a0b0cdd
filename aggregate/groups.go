package aggregate

import (
	"cmp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// SlotSeconds is the width of a group's time slot: 15 minutes. Every time
// zone's offset is a whole number of them, so a slot lies inside one period
// (day, week, month) of any zone, and inside one UTC day (one day's rates).
const SlotSeconds = 900

// GroupKey is what a record's price and its report row depend on: records
// with one key cost the sum of their tokens at one set of rates. The store
// keeps its totals per GroupKey (the rollup table), and a pure scan sums its
// records the same way, so both give the same rows.
type GroupKey struct {
	Slot   int64 // unix seconds / SlotSeconds, UTC
	User   string
	Source string
	Model  string
	Speed  string
	Geo    string
	Tier   string
	Long   bool // priced at the model's long-context tier (decided per request)
	Billed bool // the amounts an export billed, not tokens to price
}

// SlotsPerDay is how many slots a UTC day holds.
const SlotsPerDay = 86400 / SlotSeconds

// DayOfSlot is the UTC day (unix days) holding slot: the store's daily rollup
// sums the slots of one day.
func DayOfSlot(slot int64) int64 { return floorDiv(slot, SlotsPerDay) }

// SlotOf is the slot holding t: the one place a time becomes a slot.
func SlotOf(t time.Time) int64 { return floorDiv(t.Unix(), SlotSeconds) }

// Start is the beginning of the key's slot.
func (k *GroupKey) Start() time.Time { return time.Unix(k.Slot*SlotSeconds, 0).UTC() }

// Sums are the totals of the records of one GroupKey.
type Sums struct {
	usage.Tokens
	WebSearch int64
	WebFetch  int64
	Requests  int64 // API responses (Count): billing-export rows add 0
	Records   int64 // records, whatever they stand for
	Billed    usage.Money
}

// Add adds r's figures to s; sign -1 takes them away (a stored copy replaced
// by a better one).
func (s *Sums) Add(r *usage.Request, sign int64) {
	// Sums saturate, never wrap (each count is bounded by the readers).
	t := r.Tokens
	add := usage.AddCount
	s.Input = add(s.Input, sign*t.Input)
	s.Output = add(s.Output, sign*t.Output)
	s.CacheWrite5m = add(s.CacheWrite5m, sign*t.CacheWrite5m)
	s.CacheWrite1h = add(s.CacheWrite1h, sign*t.CacheWrite1h)
	s.CacheRead = add(s.CacheRead, sign*t.CacheRead)
	s.WebSearch = add(s.WebSearch, sign*int64(r.WebSearch))
	s.WebFetch = add(s.WebFetch, sign*int64(r.WebFetch))
	s.Requests += sign * int64(r.Count)
	s.Records += sign
	if b := r.Billed; b != nil {
		f := float64(sign)
		s.Billed.Input += f * b.Input
		s.Billed.Output += f * b.Output
		s.Billed.CacheWrite += f * b.CacheWrite
		s.Billed.CacheRead += f * b.CacheRead
		s.Billed.WebSearch += f * b.WebSearch
	}
}

// AddSums adds o to s.
func (s *Sums) AddSums(o *Sums) {
	s.Tokens.Add(o.Tokens)
	s.WebSearch = usage.AddCount(s.WebSearch, o.WebSearch)
	s.WebFetch = usage.AddCount(s.WebFetch, o.WebFetch)
	s.Requests += o.Requests
	s.Records += o.Records
	s.Billed.Input += o.Billed.Input
	s.Billed.Output += o.Billed.Output
	s.Billed.CacheWrite += o.Billed.CacheWrite
	s.Billed.CacheRead += o.Billed.CacheRead
	s.Billed.WebSearch += o.Billed.WebSearch
}

// Empty reports whether the sums hold no record.
func (s *Sums) Empty() bool { return s.Records == 0 }

// KeyOf is r's GroupKey; long decides the long-context tier of a record whose
// export did not state it (usage.ContextAuto).
func KeyOf(r *usage.Request, long func(*usage.Request) bool) GroupKey {
	k := GroupKey{
		Slot: SlotOf(r.Time), User: r.User, Source: r.Source, Model: r.Model,
		Speed: r.Speed, Geo: r.Geo, Tier: r.Tier, Billed: r.Billed != nil,
	}
	switch r.Context {
	case usage.ContextLong:
		k.Long = true
	case usage.ContextAuto:
		k.Long = long != nil && long(r)
	}
	return k
}

// Request is a record standing for the group: its time is the slot's start,
// its figures the sums, and its long-context tier the group's. Priced like one
// request, it costs what the group's records cost.
func (k *GroupKey) Request(s *Sums) usage.Request {
	r := usage.Request{
		Time: k.Start(), User: k.User, Source: k.Source, Model: k.Model, Speed: k.Speed, Geo: k.Geo, Tier: k.Tier,
		Tokens: s.Tokens, WebSearch: int32(min(s.WebSearch, 1<<31-1)), WebFetch: int32(min(s.WebFetch, 1<<31-1)),
		Count: int32(min(s.Requests, 1<<31-1)), Context: usage.ContextStandard,
	}
	if k.Long {
		r.Context = usage.ContextLong
	}
	if k.Billed {
		b := s.Billed
		r.Billed = &b
	}
	return r
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Groups sums records per GroupKey.
type Groups map[GroupKey]*Sums

// AddSums adds s to k's totals (a copy of s when k is new).
func (g Groups) AddSums(k GroupKey, s *Sums) {
	if x := g[k]; x != nil {
		x.AddSums(s)
		return
	}
	c := *s
	g[k] = &c
}

// Add adds r (sign 1) or takes it away (sign -1).
func (g Groups) Add(k GroupKey, r *usage.Request, sign int64) {
	s := g[k]
	if s == nil {
		s = new(Sums)
		g[k] = s
	}
	s.Add(r, sign)
}

// Groups sums a Set's records per GroupKey. Records are grouped by their
// string ids, and the strings looked up once per group.
func (s *Set) Groups(long func(*usage.Request) bool) Groups {
	s.strs.mu.RLock()
	strs := s.strs.strs
	s.strs.mu.RUnlock()
	// The shards are summed on all cores, each part in its own index; the
	// parts are then added together.
	workers := max(1, min(runtime.GOMAXPROCS(0), shards))
	parts := make([]map[idKey]*Sums, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make(map[idKey]*Sums, s.Len()/8/workers) // a group holds a few requests of a 15-minute slot
			var r usage.Request
			for i := w; i < shards; i += workers {
				s.shards[i].each(func(_ uint32, c *rec) {
					r = usage.Request{Time: time.Unix(0, c.t), Model: strs[c.model], Tokens: c.tok, WebSearch: c.ws, WebFetch: c.wf,
						Count: c.count, Context: c.ctx}
					if c.extra > 0 {
						x := s.extras[c.extra-1]
						r.Billed, r.Rev = x.billed, x.rev
					}
					k := idKey{slot: floorDiv(c.t, SlotSeconds*1e9), user: c.user, source: c.source, model: c.model,
						speed: c.speed, geo: c.geo, tier: c.tier, billed: r.Billed != nil}
					switch r.Context {
					case usage.ContextLong:
						k.long = true
					case usage.ContextAuto:
						k.long = long != nil && long(&r)
					}
					sum := ids[k]
					if sum == nil {
						sum = new(Sums)
						ids[k] = sum
					}
					sum.Add(&r, 1)
				})
			}
			parts[w] = ids
		}()
	}
	wg.Wait()
	g := make(Groups, len(parts[0]))
	for _, ids := range parts {
		for k, sum := range ids {
			gk := GroupKey{Slot: k.slot, User: strs[k.user], Source: strs[k.source], Model: strs[k.model], Speed: strs[k.speed],
				Geo: strs[k.geo], Tier: strs[k.tier], Long: k.long, Billed: k.billed}
			g.AddSums(gk, sum)
		}
	}
	return g
}

// idKey is a GroupKey by string ids, while a Set sums its records.
type idKey struct {
	slot                                  int64
	user, source, model, speed, geo, tier uint32
	long, billed                          bool
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// CompareKeys orders group keys: by slot, then user, source, model, speed,
// geo, tier, long and billed. A fixed order makes float sums repeatable and
// lets writers sharing a database take row locks in one order.
func CompareKeys(a, b GroupKey) int {
	return cmp.Or(cmp.Compare(a.Slot, b.Slot), strings.Compare(a.User, b.User), strings.Compare(a.Source, b.Source),
		strings.Compare(a.Model, b.Model), strings.Compare(a.Speed, b.Speed), strings.Compare(a.Geo, b.Geo),
		strings.Compare(a.Tier, b.Tier), cmp.Compare(b2i(a.Long), b2i(b.Long)), cmp.Compare(b2i(a.Billed), b2i(b.Billed)))
}
