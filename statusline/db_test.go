package statusline

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

func openDB(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "u.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// SpendSince adds the rollup's whole 15-minute slots and the requests of the
// partial ones: every request of $1.50 (100,000 Sonnet 4.6 output tokens) is
// counted once whatever slot it falls in.
func TestDBSpendSince(t *testing.T) {
	st := openDB(t)
	day := time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC)
	now := day.Add(16*time.Hour + 7*time.Minute + 30*time.Second) // mid-slot
	at := func(h, m int, s float64) time.Time {
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s*float64(time.Second)))
	}
	n := 0
	mk := func(user string, t time.Time) usage.Request {
		n++
		return usage.Request{Key: fmt.Sprintf("msg_%d:req_%d", n, n), Time: t, User: user, Source: "claude-code", Model: "claude-sonnet-4-6",
			Tokens: usage.Tokens{Output: 100_000}, Count: 1}
	}
	reqs := []usage.Request{
		mk("alice", now), mk("alice", at(16, 5, 0)), mk("alice", at(16, 0, 0)), mk("alice", at(15, 59, 59.9)),
		mk("alice", at(14, 10, 0)), mk("alice", at(13, 2, 0)), mk("alice", at(13, 0, 30)), mk("alice", at(12, 59, 0)),
		mk("alice", at(16, 8, 0)), // after now
		mk("bob", at(15, 0, 0)),
	}
	ci := mk("alice", at(15, 0, 0))
	ci.Source = "ci"
	total := mk("alice", at(15, 0, 0))
	total.Count = 0 // a billing-export total
	reqs = append(reqs, ci, total)
	tx, err := st.Begin(now)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Add(reqs); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	d := &DB{St: st}
	froms := []time.Time{at(13, 1, 0), at(13, 0, 0), at(16, 1, 0), at(16, 8, 0), day, at(16, 0, 0), at(15, 59, 59.95)}
	want := []int{6, 7, 2, 0, 8, 3, 3} // requests of $1.50 in [from, now]
	got, err := d.SpendSince("alice", now, froms...)
	if err != nil {
		t.Fatal(err)
	}
	points, err := d.Spend("alice", day)
	if err != nil {
		t.Fatal(err)
	}
	spend := measure.NewSpend(points)
	for i, f := range froms {
		if math.Abs(got[i]-1.5*float64(want[i])) > 1e-9 {
			t.Errorf("from %s: $%.4f, want %d x $1.50", f.Format("15:04:05.00"), got[i], want[i])
		}
		if usd, _ := spend.Between(f, now); math.Abs(usd-1.5*float64(want[i])) > 1e-9 {
			t.Errorf("Spend from %s: $%.4f, want %d x $1.50", f.Format("15:04:05.00"), usd, want[i])
		}
	}
	if got, _ := d.SpendSince("bob", now, day); math.Abs(got[0]-1.5) > 1e-9 {
		t.Errorf("bob: $%.4f", got[0])
	}
}

func TestDBSnapshotsAndCache(t *testing.T) {
	st := openDB(t)
	t0 := time.Date(2026, 6, 12, 16, 0, 0, 0, time.UTC)
	s1 := Snapshot{Time: t0, User: "alice", FiveHourPct: 40, FiveHourReset: t0.Add(time.Hour), HasFiveHour: true}
	s2 := s1
	s2.Time, s2.FiveHourPct = t0.Add(time.Minute), 41
	d := &DB{St: st}
	for _, s := range []Snapshot{s1, s1, s2} {
		if err := d.RecordSnapshot(s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Snapshots("alice", time.Time{})
	if err != nil || !reflect.DeepEqual(got, []Snapshot{s1, s2}) {
		t.Errorf("snapshots %+v, %v", got, err)
	}
	// A read-only store keeps this run's reading in memory only.
	ro := &DB{St: st, ReadOnly: true}
	s3 := s2
	s3.Time, s3.FiveHourPct = t0.Add(2*time.Minute), 42
	ro.RecordSnapshot(s3)
	if got, _ := ro.Snapshots("alice", time.Time{}); len(got) != 3 || got[2] != s3 {
		t.Errorf("read-only: %+v", got)
	}
	if got, _ := d.Snapshots("alice", time.Time{}); len(got) != 2 {
		t.Errorf("read-only run stored its snapshot: %+v", got)
	}

	b := &measure.Budget{USD: 30, Low: 29, High: 31, Snapshots: 5, Agree: 4, From: t0, To: t0.Add(time.Hour)}
	d.CacheBudgets("alice", "k1", measure.Result{FiveHour: b})
	if r, ok := d.CachedBudgets("alice", "k1"); !ok || r.Week != nil || !reflect.DeepEqual(*r.FiveHour, *b) {
		t.Errorf("cached %+v %v", r, ok)
	}
	if _, ok := d.CachedBudgets("alice", "k2"); ok {
		t.Error("a cache of other snapshots was used")
	}
	if _, ok := d.CachedBudgets("bob", "k1"); ok {
		t.Error("alice's cache was bob's")
	}
}

// Spend keeps the priced points before the last hour in the store's meta
// table, and uses them only while the rollup over their range is unchanged.
func TestDBSpendCache(t *testing.T) {
	st := openDB(t)
	now := time.Date(2026, 6, 12, 16, 7, 30, 0, time.UTC)
	n := 0
	add := func(ts ...time.Time) {
		t.Helper()
		var reqs []usage.Request
		for _, at := range ts {
			n++
			reqs = append(reqs, usage.Request{Key: fmt.Sprintf("msg_%d:req_%d", n, n), Time: at, User: "alice", Source: "claude-code",
				Model: "claude-sonnet-4-6", Tokens: usage.Tokens{Output: 100_000}, Count: 1})
		}
		tx, err := st.Begin(now)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Add(reqs); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	add(now.Add(-10*24*time.Hour), now.Add(-3*time.Hour), now.Add(-90*time.Minute), now.Add(-10*time.Minute))
	d := &DB{St: st, Now: now}
	since := now.Add(-5 * 24 * time.Hour)
	total := func() (float64, int) {
		t.Helper()
		ps, err := d.Spend("alice", since)
		if err != nil {
			t.Fatal(err)
		}
		usd := 0.0
		for _, p := range ps {
			usd += p.USD
		}
		return usd, len(ps)
	}
	if usd, k := total(); k != 3 || math.Abs(usd-4.5) > 1e-9 {
		t.Fatalf("first read: %d points, $%.2f; want 3, $4.50", k, usd)
	}
	c := d.loadSpend("alice")
	if c == nil || len(c.points) != 2 || !c.to.Equal(time.Date(2026, 6, 12, 15, 0, 0, 0, time.UTC)) {
		t.Fatalf("cache %+v, want the 2 points before 15:00", c)
	}
	// The cache is what is read: a point planted in it shows (its fingerprint holds).
	c.points = append(c.points, measure.Point{Time: now.Add(-2 * time.Hour), USD: 100})
	if err := d.saveSpend("alice", c); err != nil {
		t.Fatal(err)
	}
	if usd, k := total(); k != 4 || math.Abs(usd-104.5) > 1e-9 {
		t.Errorf("from the cache: %d points, $%.2f; want the planted $100 too", k, usd)
	}
	// A request ingested late into the cached range changes the rollup: the
	// cache is rebuilt from the requests.
	add(now.Add(-4 * time.Hour))
	if usd, k := total(); k != 4 || math.Abs(usd-6) > 1e-9 {
		t.Errorf("after a late request: %d points, $%.2f; want 4, $6.00", k, usd)
	}
	// A damaged cache is rebuilt too.
	st.SetMeta(spendMeta("alice"), "v1 garbage")
	if usd, k := total(); k != 4 || math.Abs(usd-6) > 1e-9 {
		t.Errorf("after damage: %d points, $%.2f; want 4, $6.00", k, usd)
	}
}
