// Package aggregate counts each API response once and rolls responses up into
// totals per period, user, model and source.
//
// A Set deduplicates records by key across every input it is given: of the
// copies of one response it keeps the better one by usage.Better (the largest
// total tokens, which is the final count of a streamed response; tie: the copy
// that is not a sidechain). Workers add to one Set concurrently; the result does
// not depend on the order in which copies arrive. Rollup then sums the kept
// records per period in a time zone.
//
// A Set holds compact records: no pointers, repeated strings as small ids, the
// time as an integer and the key once, as a 16-byte hash in the index: 112
// bytes a record, about 150 bytes per unique request with the index (about 230
// all-in during a scan, with the runtime, the read buffers and the collector's
// headroom). Records come back out as usage.Request values one at
// a time (Each), never as a copy of the whole set.
package aggregate

import (
	"cmp"
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/usagescan/usagescan/usage"
)

const shards = 16

// rec is one request, compact.
type rec struct {
	t                            int64  // unix nanoseconds
	k                            uint64 // the key hash's first bytes: orders records of one time
	tok                          usage.Tokens
	ws, wf                       int32
	user, model, session, cwd, e uint32 // string ids
	source, tier, speed, geo     uint32 // string ids
	extra                        int32  // 1 + index of the billed amount and revision; 0: none
	count                        int32
	ctx                          usage.Context
	side                         bool
}

type extra struct {
	billed *usage.Money
	rev    int64
}

type shard struct {
	mu    sync.Mutex
	index map[usage.KeyHash]uint32
	// recs in chunks of chunkSize: growing never copies what is held, and
	// never leaves more than one chunk unused.
	chunks [][]rec
	n      int
}

const chunkBits = 10
const chunkSize = 1 << chunkBits

// at is record i of the shard.
func (sh *shard) at(i uint32) *rec { return &sh.chunks[i>>chunkBits][i&(chunkSize-1)] }

// push appends an empty record and returns its index.
func (sh *shard) push(c rec) uint32 {
	if sh.n&(chunkSize-1) == 0 {
		sh.chunks = append(sh.chunks, make([]rec, 0, chunkSize))
	}
	last := len(sh.chunks) - 1
	sh.chunks[last] = append(sh.chunks[last], c)
	sh.n++
	return uint32(sh.n - 1)
}

// each calls fn with every record of the shard and its index.
func (sh *shard) each(fn func(i uint32, c *rec)) {
	for ci, ch := range sh.chunks {
		for j := range ch {
			fn(uint32(ci<<chunkBits|j), &ch[j])
		}
	}
}

// Set holds one copy of each request, the best one seen. Its methods are safe
// for concurrent use.
type Set struct {
	shards [shards]shard
	strs   interner
	xmu    sync.Mutex
	extras []extra
	dups   atomic.Int64

	cmu    sync.Mutex
	caches []*strCache // per worker (AddFrom)
}

// NewSet returns an empty Set.
func NewSet() *Set { return NewSetSized(0) }

// NewSetSized returns an empty Set with room for about n records without
// growing its index (growing rehashes every key held).
func NewSetSized(n int) *Set {
	s := &Set{}
	for i := range s.shards {
		s.shards[i].index = make(map[usage.KeyHash]uint32, n/shards)
	}
	s.strs.init()
	return s
}

// Add adds a copy of r (r itself is not kept) and reports whether it was new
// to the Set. A copy of a request already held replaces it when better
// (usage.Better), and counts as a duplicate.
func (s *Set) Add(r *usage.Request) (added bool) {
	return s.add(usage.HashOf(r), r, true, nil)
}

// AddFrom is Add for a reader pool's worker (scan.Sink): each worker keeps
// the ids of the strings it saw last, so most records intern nothing.
func (s *Set) AddFrom(worker int, r *usage.Request) {
	s.cmu.Lock()
	for len(s.caches) <= worker {
		s.caches = append(s.caches, new(strCache))
	}
	c := s.caches[worker]
	s.cmu.Unlock()
	s.add(usage.HashOf(r), r, true, c)
}

// AddKept adds a copy from a store of requests already deduplicated: like Add,
// but a copy already held is not counted as a duplicate of the logs.
func (s *Set) AddKept(r *usage.Request) (added bool) {
	return s.add(usage.HashOf(r), r, false, nil)
}

// AddHashed is AddKept for a record whose key is known only as its hash (a
// Set's or the store's records carry no Key).
func (s *Set) AddHashed(h usage.KeyHash, r *usage.Request) (added bool) {
	return s.add(h, r, false, nil)
}

// AddOver adds a copy that takes precedence over the one held: it replaces
// it unless the held copy is better by usage.Replaces (on substance, not on
// who read it). A run's named sources go over the store this way, so their
// labels (--user, --logs NAME=, --user-map) win.
func (s *Set) AddOver(h usage.KeyHash, r *usage.Request) {
	sh := &s.shards[h[0]%shards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if i, ok := sh.index[h]; ok {
		var held usage.Request
		s.expand(sh.at(i), &held)
		if !usage.Replaces(&held, r) {
			s.compact(r, sh.at(i), nil)
		}
		return
	}
	s.insert(sh, h, r, nil)
}

// EachKeyed calls fn with every unique request and its key hash, in no
// particular order. r is reused after fn returns.
func (s *Set) EachKeyed(fn func(h usage.KeyHash, r *usage.Request)) {
	var r usage.Request
	for i := range s.shards {
		sh := &s.shards[i]
		for h, j := range sh.index {
			s.expand(sh.at(j), &r)
			fn(h, &r)
		}
	}
}

func (s *Set) add(h usage.KeyHash, r *usage.Request, countDup bool, sc *strCache) bool {
	sh := &s.shards[h[0]%shards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if i, ok := sh.index[h]; ok {
		if countDup {
			s.dups.Add(1)
		}
		if s.better(r, sh.at(i)) {
			s.compact(r, sh.at(i), sc)
		}
		return false
	}
	s.insert(sh, h, r, sc)
	return true
}

// insert adds r under key h to shard sh, which holds no copy of it (the
// caller holds the shard's lock).
func (s *Set) insert(sh *shard, h usage.KeyHash, r *usage.Request, sc *strCache) {
	i := sh.push(rec{k: binary.BigEndian.Uint64(h[:8])})
	sh.index[h] = i
	s.compact(r, sh.at(i), sc)
}

// better is usage.Better(r, held), deciding on the compact record's numbers
// first and expanding it only for the rare ties they leave.
func (s *Set) better(r *usage.Request, c *rec) bool {
	var rev int64
	if c.extra > 0 {
		s.xmu.Lock()
		rev = s.extras[c.extra-1].rev
		s.xmu.Unlock()
	}
	if r.Rev != rev {
		return r.Rev > rev
	}
	if ta, tb := r.Tokens.Total(), c.tok.Total(); ta != tb {
		return ta > tb
	}
	var held usage.Request
	s.expand(c, &held)
	return usage.Better(r, &held)
}

// strCache remembers a worker's last string and id of each field: records of
// one file mostly share them.
type strCache struct {
	s  [9]string
	id [9]uint32
}

func (s *Set) sid(sc *strCache, f int, v string) uint32 {
	if sc == nil {
		return s.strs.id(v)
	}
	if sc.s[f] == v {
		return sc.id[f]
	}
	id := s.strs.id(v)
	sc.s[f], sc.id[f] = v, id
	return id
}

// compact writes r into c.
func (s *Set) compact(r *usage.Request, c *rec, sc *strCache) {
	prev := c.extra
	*c = rec{
		k: c.k, t: r.Time.UnixNano(), tok: r.Tokens, ws: r.WebSearch, wf: r.WebFetch,
		user: s.sid(sc, 0, r.User), model: s.sid(sc, 1, r.Model), session: s.sid(sc, 2, r.SessionID),
		cwd: s.sid(sc, 3, r.Cwd), e: s.sid(sc, 4, r.Entrypoint),
		source: s.sid(sc, 5, r.Source), tier: s.sid(sc, 6, r.Tier),
		speed: s.sid(sc, 7, r.Speed), geo: s.sid(sc, 8, r.Geo),
		count: r.Count, ctx: r.Context, side: r.Sidechain,
	}
	if r.Billed != nil || r.Rev != 0 {
		x := extra{rev: r.Rev}
		if r.Billed != nil {
			m := *r.Billed
			x.billed = &m
		}
		s.xmu.Lock()
		if prev > 0 {
			s.extras[prev-1] = x
			c.extra = prev
		} else {
			s.extras = append(s.extras, x)
			c.extra = int32(len(s.extras))
		}
		s.xmu.Unlock()
	}
}

// expand writes c into r.
func (s *Set) expand(c *rec, r *usage.Request) {
	*r = usage.Request{
		Time: time.Unix(0, c.t).UTC(), Tokens: c.tok, WebSearch: c.ws, WebFetch: c.wf,
		User: s.strs.str(c.user), Model: s.strs.str(c.model), SessionID: s.strs.str(c.session),
		Cwd: s.strs.str(c.cwd), Entrypoint: s.strs.str(c.e),
		Source: s.strs.str(c.source), Tier: s.strs.str(c.tier),
		Speed: s.strs.str(c.speed), Geo: s.strs.str(c.geo),
		Count: c.count, Context: c.ctx, Sidechain: c.side,
	}
	if c.extra > 0 {
		s.xmu.Lock()
		x := s.extras[c.extra-1]
		s.xmu.Unlock()
		r.Billed, r.Rev = x.billed, x.rev
	}
}

// AddDuplicates adds n to the count of duplicates (when a Set is rebuilt).
func (s *Set) AddDuplicates(n int64) { s.dups.Add(n) }

// Len is the number of unique requests. Not while records are being added.
func (s *Set) Len() int {
	n := 0
	for i := range s.shards {
		n += s.shards[i].n
	}
	return n
}

// Duplicates is how many copies were dropped because a request was already held.
func (s *Set) Duplicates() int64 { return s.dups.Load() }

// Each calls fn with every unique request, in no particular order. r is reused
// after fn returns (its strings may be kept). Do not add to the Set meanwhile.
func (s *Set) Each(fn func(r *usage.Request)) {
	var r usage.Request
	for i := range s.shards {
		s.shards[i].each(func(_ uint32, c *rec) {
			s.expand(c, &r)
			fn(&r)
		})
	}
}

// Sorted calls fn with every unique request ordered by time, then key hash (an
// index is sorted, not the records). r is reused.
func (s *Set) Sorted(fn func(r *usage.Request)) {
	s.SortedUntil(func(r *usage.Request) bool { fn(r); return true })
}

// SortedUntil is Sorted, stopping when fn returns false.
func (s *Set) SortedUntil(fn func(r *usage.Request) bool) {
	type ref struct {
		t     int64
		k     uint64
		shard uint8
		i     uint32
	}
	refs := make([]ref, 0, s.Len())
	for i := range s.shards {
		s.shards[i].each(func(j uint32, c *rec) { refs = append(refs, ref{c.t, c.k, uint8(i), j}) })
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return cmp.Compare(a.k, b.k)
	})
	var r usage.Request
	for _, x := range refs {
		s.expand(s.shards[x.shard].at(x.i), &r)
		if !fn(&r) {
			return
		}
	}
}

// Requests returns a copy of every unique request ordered by time. It costs a
// full usage.Request each: use Each or Sorted over large sets.
func (s *Set) Requests() []usage.Request {
	out := make([]usage.Request, 0, s.Len())
	s.Sorted(func(r *usage.Request) { out = append(out, *r) })
	return out
}

// interner gives each distinct string a small id. Lookups of known strings
// take a read lock only.
type interner struct {
	mu   sync.RWMutex
	ids  map[string]uint32
	strs []string
}

func (in *interner) init() {
	in.ids = map[string]uint32{"": 0}
	in.strs = []string{""}
}

func (in *interner) id(s string) uint32 {
	if s == "" {
		return 0
	}
	in.mu.RLock()
	id, ok := in.ids[s]
	in.mu.RUnlock()
	if ok {
		return id
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if id, ok := in.ids[s]; ok {
		return id
	}
	id = uint32(len(in.strs))
	in.strs = append(in.strs, s)
	in.ids[s] = id
	return id
}

func (in *interner) str(id uint32) string {
	in.mu.RLock()
	s := in.strs[id]
	in.mu.RUnlock()
	return s
}
