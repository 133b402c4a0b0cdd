package statusline

import (
	"encoding/json"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/engine"
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
	pending  []Snapshot
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
func (d *DB) Spend(user string, since time.Time) ([]measure.Point, error) {
	prices := d.Prices
	if prices == nil {
		prices = pricing.Default()
	}
	var out []measure.Point
	err := d.St.Requests(since, time.Time{}, func(_ usage.KeyHash, r *usage.Request) error {
		if r.User != user || r.Count == 0 || recommend.IsCI(r) {
			return nil
		}
		if c, ok := engine.Price(prices, r, "anthropic"); ok {
			out = append(out, PointOf(r.Time, c))
		}
		return nil
	})
	return out, err
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
			if c, ok := engine.Price(prices, &r, "anthropic"); ok {
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
				if c, ok := engine.Price(prices, r, "anthropic"); ok {
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
	sec := t.Unix()
	k := sec / aggregate.SlotSeconds
	if sec < 0 && sec%aggregate.SlotSeconds != 0 {
		k--
	}
	return time.Unix(k*aggregate.SlotSeconds, 0).UTC()
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
