package statusline

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// DB is a Store over the history store: snapshots go to its snapshots table,
// spend is read from its requests.
type DB struct {
	St     *store.Store
	Prices *pricing.Table // list prices of the spend; nil: pricing.Default()
	// ReadOnly records nothing (the store could not be written: another run
	// holds it, or the file is read-only); a snapshot recorded is kept in
	// memory for this run's Snapshots.
	ReadOnly bool
	// Now is the time of the run (zero: time.Now()).
	Now     time.Time
	pending []Snapshot
}

// RecordSnapshot implements Store.
func (d *DB) RecordSnapshot(s Snapshot) error {
	if d.ReadOnly {
		d.pending = append(d.pending, s)
		return nil
	}
	_, err := d.St.RecordSnapshot(ToStore(s))
	return err
}

// Snapshots implements Store.
func (d *DB) Snapshots(user string, since time.Time) ([]Snapshot, error) {
	stored, err := d.St.Snapshots(user, since)
	if err != nil {
		return nil, err
	}
	out := make([]Snapshot, 0, len(stored)+len(d.pending))
	for _, s := range stored {
		out = append(out, FromStore(s))
	}
	for _, s := range d.pending {
		if (user == "" || s.User == user) && !s.Time.Before(since) {
			out = append(out, s)
		}
	}
	if len(d.pending) > 0 {
		out = Dedupe(out)
	}
	return out, nil
}

// Spend implements Store: the user's stored requests at or after since, at
// list price, CI and billing-export totals left out (as SpendPoints).
//
// Measuring budgets reads weeks of requests, which costs far more than the
// rest of the line; so the priced points before the last hour are kept in the
// store's meta table with a fingerprint of the rollup over their range
// (store.Totals), and only the requests after them are read while the
// fingerprint holds (no record in the range was added, replaced or removed).
func (d *DB) Spend(user string, since time.Time) ([]measure.Point, error) {
	now := d.Now
	if now.IsZero() {
		now = time.Now()
	}
	from, to := slotFloor(since), slotFloor(now.Add(-spendSettle))
	var c *spendCache
	if from.Before(to) {
		var err error
		if c, err = d.cachedSpend(user, from, to); err != nil {
			return nil, err
		}
	}
	var out []measure.Point
	if c != nil {
		out = c.points
		to = c.to
	} else {
		to = from
	}
	out = out[sort.Search(len(out), func(i int) bool { return !out[i].Time.Before(since) }):]
	err := d.readSpend(user, to, time.Time{}, func(p measure.Point) {
		if !p.Time.Before(since) {
			out = append(out, p)
		}
	})
	return out, err
}

// spendSettle is how far back from now the cached points reach: the last
// hour's requests are still being ingested by the sessions' status lines.
const spendSettle = time.Hour

// readSpend calls fn with the priced points of user's requests in [from, to).
func (d *DB) readSpend(user string, from, to time.Time, fn func(measure.Point)) error {
	prices := d.Prices
	if prices == nil {
		prices = pricing.Default()
	}
	return d.St.Requests(from, to, func(_ usage.KeyHash, r *usage.Request) error {
		if r.User != user || r.Count == 0 || recommend.IsCI(r) {
			return nil
		}
		if c, ok := prices.Price(r, "anthropic"); ok {
			fn(PointOf(r.Time, c))
		}
		return nil
	})
}

// spendCache is user's priced points in [from, to), slot-aligned times.
type spendCache struct {
	from, to time.Time
	check    string // the rollup's fingerprint of [from, to)
	points   []measure.Point
}

// spendMeta is the meta key of a user's cached points.
func spendMeta(user string) string { return "statusline.spend:" + user }

// cachedSpend returns the user's points from from up to at most to: the
// cached ones while the rollup's fingerprint of their range holds, extended
// or rebuilt from the requests (and saved, on a writer) when needed.
func (d *DB) cachedSpend(user string, from, to time.Time) (*spendCache, error) {
	c := d.loadSpend(user)
	if c != nil && !c.from.After(from) && !c.to.After(to) {
		ok, err := d.spendValid(user, c)
		if err != nil {
			return nil, err
		}
		if !ok {
			c = nil
		}
	} else {
		c = nil
	}
	if c != nil && c.to.Equal(to) {
		return c, nil
	}
	if c == nil {
		c = &spendCache{from: from, to: from}
	}
	if err := d.readSpend(user, c.to, to, func(p measure.Point) { c.points = append(c.points, p) }); err != nil {
		return nil, err
	}
	c.to = to
	// Points before from are no longer asked for: drop them from the cache.
	if c.from.Before(from) {
		i := sort.Search(len(c.points), func(i int) bool { return !c.points[i].Time.Before(from) })
		c.points, c.from = c.points[i:], from
	}
	if !d.ReadOnly {
		if err := d.saveSpend(user, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// fingerprint is the rollup's totals of the user in [from, to), as text.
func (d *DB) fingerprint(user string, from, to time.Time) (string, error) {
	t, err := d.St.Totals(user, from, to)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %d %d %d %d %d %d %d %d", t.Requests, t.Records, t.Input, t.Output, t.CacheWrite5m, t.CacheWrite1h, t.CacheRead, t.WebSearch, t.WebFetch), nil
}

// The cache's value: "v1 FROM TO FINGERPRINT\n" and base64 of 48 bytes a
// point (unix nanoseconds, USD, the four classes; little-endian).
const spendVersion = "v1"

func (d *DB) spendValid(user string, c *spendCache) (bool, error) {
	fp, err := d.fingerprint(user, c.from, c.to)
	return err == nil && fp == c.check, err
}

func (d *DB) loadSpend(user string) *spendCache {
	v, ok, err := d.St.Meta(spendMeta(user))
	if err != nil || !ok {
		return nil
	}
	head, body, ok := strings.Cut(v, "\n")
	f := strings.SplitN(head, " ", 4)
	if !ok || len(f) != 4 || f[0] != spendVersion {
		return nil
	}
	from, err1 := strconv.ParseInt(f[1], 10, 64)
	to, err2 := strconv.ParseInt(f[2], 10, 64)
	raw, err3 := base64.StdEncoding.DecodeString(body)
	if err1 != nil || err2 != nil || err3 != nil || len(raw)%pointBytes != 0 {
		return nil
	}
	c := &spendCache{from: time.Unix(from, 0).UTC(), to: time.Unix(to, 0).UTC(), check: f[3], points: make([]measure.Point, len(raw)/pointBytes)}
	for i := range c.points {
		b := raw[i*pointBytes:]
		p := &c.points[i]
		p.Time = time.Unix(0, int64(binary.LittleEndian.Uint64(b))).UTC()
		p.USD = math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
		for k := range measure.NumClasses {
			p.Class[k] = math.Float64frombits(binary.LittleEndian.Uint64(b[16+8*k:]))
		}
	}
	return c
}

const pointBytes = 8 * (2 + int(measure.NumClasses))

func (d *DB) saveSpend(user string, c *spendCache) error {
	fp, err := d.fingerprint(user, c.from, c.to)
	if err != nil {
		return err
	}
	c.check = fp
	raw := make([]byte, 0, len(c.points)*pointBytes)
	for _, p := range c.points {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(p.Time.UnixNano()))
		raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(p.USD))
		for k := range measure.NumClasses {
			raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(p.Class[k]))
		}
	}
	return d.St.SetMeta(spendMeta(user), fmt.Sprintf("%s %d %d %s\n%s", spendVersion, c.from.Unix(), c.to.Unix(), fp, base64.StdEncoding.EncodeToString(raw)))
}

// SpendSince implements Totals: the rollup's totals of the whole 15-minute
// slots in [from, now], and the requests of the partial slots at both ends,
// so that the cost grows with the span, not with the requests in it. Unlike
// Spend it cannot leave out CI requests known by their entrypoint only (the
// rollup does not keep it; CI runs log on CI machines, not in a user's own
// logs); source or user "ci" is left out.
func (d *DB) SpendSince(user string, now time.Time, froms ...time.Time) ([]float64, error) {
	prices := d.Prices
	if prices == nil {
		prices = pricing.Default()
	}
	out := make([]float64, len(froms))
	tail := slotFloor(now) // now's slot: read from the requests
	var first time.Time    // the first whole slot of any from
	for _, f := range froms {
		if h := slotCeil(f); h.Before(tail) && (first.IsZero() || h.Before(first)) {
			first = h
		}
	}
	bySlot := map[int64]float64{}
	if !first.IsZero() {
		err := d.St.Groups(first, tail, func(k aggregate.GroupKey, s *aggregate.Sums) {
			if k.User != user || s.Requests == 0 || k.Source == "ci" || k.User == "ci" {
				return
			}
			r := k.Request(s)
			if recommend.IsCI(&r) {
				return
			}
			if c, ok := prices.Price(&r, "anthropic"); ok {
				bySlot[k.Slot] += c.Total()
			}
		})
		if err != nil {
			return nil, err
		}
	}
	sum := func(from, to time.Time) (float64, error) { // requests in [from, to)
		usd := 0.0
		err := d.St.Requests(from, to, func(_ usage.KeyHash, r *usage.Request) error {
			if r.User == user && r.Count > 0 && !recommend.IsCI(r) {
				if c, ok := prices.Price(r, "anthropic"); ok {
					usd += c.Total()
				}
			}
			return nil
		})
		return usd, err
	}
	end := now.Add(time.Nanosecond) // [from, now] inclusive, as Spend's
	tailUSD, err := sum(tail, end)
	if err != nil {
		return nil, err
	}
	for i, f := range froms {
		switch h := slotCeil(f); {
		case f.After(now):
		case !h.Before(tail): // from is in now's slot
			if out[i], err = sum(f, end); err != nil {
				return nil, err
			}
		default:
			if out[i], err = sum(f, h); err != nil {
				return nil, err
			}
			for k := h.Unix() / aggregate.SlotSeconds; k < tail.Unix()/aggregate.SlotSeconds; k++ {
				out[i] += bySlot[k]
			}
			out[i] += tailUSD
		}
	}
	return out, nil
}

const slotLen = aggregate.SlotSeconds * time.Second

// slotFloor is the start of t's rollup slot; slotCeil the first slot start at
// or after t.
func slotFloor(t time.Time) time.Time {
	return time.Unix(aggregate.SlotOf(t)*aggregate.SlotSeconds, 0).UTC()
}

func slotCeil(t time.Time) time.Time {
	f := slotFloor(t)
	if f.Equal(t) {
		return f
	}
	return f.Add(slotLen)
}

// budgetsMeta is the meta key of a user's cached budgets.
func budgetsMeta(user string) string { return "statusline.budgets:" + user }

type cachedBudgets struct {
	Key            string
	FiveHour, Week *measure.Budget
}

// CachedBudgets implements BudgetCache, from the store's meta table.
func (d *DB) CachedBudgets(user, key string) (measure.Result, bool) {
	v, ok, err := d.St.Meta(budgetsMeta(user))
	if err != nil || !ok {
		return measure.Result{}, false
	}
	var c cachedBudgets
	if json.Unmarshal([]byte(v), &c) != nil || c.Key != key {
		return measure.Result{}, false
	}
	return measure.Result{FiveHour: c.FiveHour, Week: c.Week}, true
}

// CacheBudgets implements BudgetCache; a read-only store keeps nothing.
func (d *DB) CacheBudgets(user, key string, r measure.Result) {
	if d.ReadOnly {
		return
	}
	data, err := json.Marshal(cachedBudgets{Key: key, FiveHour: r.FiveHour, Week: r.Week})
	if err != nil {
		return // a NaN: measured again next time
	}
	d.St.SetMeta(budgetsMeta(user), string(data))
}

// ToStore is s as the history store keeps it.
func ToStore(s Snapshot) store.Snapshot {
	return store.Snapshot{Time: s.Time, User: s.User, Session: s.Session, Model: s.Model,
		FiveHourPct: s.FiveHourPct, FiveHourReset: s.FiveHourReset, HasFiveHour: s.HasFiveHour,
		WeekPct: s.WeekPct, WeekReset: s.WeekReset, HasWeek: s.HasWeek}
}

// FromStore is a snapshot read from the history store.
func FromStore(s store.Snapshot) Snapshot {
	return Snapshot{Time: s.Time, User: s.User, Session: s.Session, Model: s.Model,
		FiveHourPct: s.FiveHourPct, FiveHourReset: s.FiveHourReset, HasFiveHour: s.HasFiveHour,
		WeekPct: s.WeekPct, WeekReset: s.WeekReset, HasWeek: s.HasWeek}
}
