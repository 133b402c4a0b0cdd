package store

// Reviewer tests (rev5) of Store.RequestsIn, from its documentation: every
// stored request with from <= Time < to, exactly once each, in row order; a
// zero bound is none. Store.Requests is the same set in time order. The
// expected sets are computed from the requests written, not from the store.

import (
	"database/sql"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/usagescan/usagescan/internal/pgtest"
	"github.com/usagescan/usagescan/usage"
)

// rev5Reqs are n requests at instants spread around a few edges (before
// 1970, exact bounds, same nanosecond), written in a shuffled time order.
func rev5Reqs(n int) []usage.Request {
	base := time.Date(2026, 9, 30, 23, 0, 0, 0, time.UTC)
	var out []usage.Request
	for i := range n {
		t := base.Add(time.Duration((i*7919)%n-n/2) * time.Minute)
		switch i % 11 {
		case 0:
			t = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC) // on a bound
		case 5:
			t = time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC) // before 1970
		}
		out = append(out, usage.Request{
			Key: fmt.Sprintf("msg_%05d:req_%05d", i, i), Time: t, User: "u" + fmt.Sprint(i%3),
			Source: "claude-code", Model: "claude-sonnet-4-6", Count: 1,
			Tokens: usage.Tokens{Input: int64(1 + i), Output: int64(10 * i)},
		})
	}
	return out
}

func rev5CheckRequestsIn(t *testing.T, s *Store, reqs []usage.Request) {
	t.Helper()
	keys := map[usage.KeyHash]usage.Request{}
	for i := range reqs {
		keys[usage.HashOf(&reqs[i])] = reqs[i]
	}
	edge := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	bounds := [][2]time.Time{
		{},
		{edge, time.Time{}},
		{time.Time{}, edge},
		{edge.Add(-90 * time.Minute), edge},
		{edge, edge.Add(time.Nanosecond)},
		{edge, edge}, // empty
		{time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, b := range bounds {
		want := map[usage.KeyHash]int{}
		for h, r := range keys {
			if (b[0].IsZero() || !r.Time.Before(b[0])) && (b[1].IsZero() || r.Time.Before(b[1])) {
				want[h] = 1
			}
		}
		got := map[usage.KeyHash]int{}
		err := s.RequestsIn(b[0], b[1], func(h usage.KeyHash, r *usage.Request) error {
			got[h]++
			w, ok := keys[h]
			if !ok {
				t.Errorf("RequestsIn(%v, %v): a key never written", b[0], b[1])
			} else if !r.Time.Equal(w.Time) || r.Output != w.Output || r.User != w.User {
				t.Errorf("RequestsIn(%v, %v): %s at %v output %d, want %v output %d", b[0], b[1], r.User, r.Time, r.Output, w.Time, w.Output)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for h, n := range got {
			if n != 1 {
				t.Errorf("RequestsIn(%v, %v): a request %d times, want once", b[0], b[1], n)
			}
			if want[h] != 1 {
				t.Errorf("RequestsIn(%v, %v): a request out of the range (%v)", b[0], b[1], keys[h].Time)
			}
		}
		if len(got) != len(want) {
			t.Errorf("RequestsIn(%v, %v): %d requests, want %d", b[0], b[1], len(got), len(want))
		}
		// Requests: the same set, in time order.
		var times []time.Time
		same := map[usage.KeyHash]bool{}
		if err := s.Requests(b[0], b[1], func(h usage.KeyHash, r *usage.Request) error {
			times = append(times, r.Time)
			same[h] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(same) != len(got) || len(times) != len(got) {
			t.Errorf("Requests(%v, %v): %d requests, RequestsIn %d", b[0], b[1], len(times), len(got))
		}
		if !slices.IsSortedFunc(times, func(a, b time.Time) int { return a.Compare(b) }) {
			t.Errorf("Requests(%v, %v): not in time order", b[0], b[1])
		}
	}
	// An error from fn stops the walk and is returned.
	stop := fmt.Errorf("stop")
	n := 0
	if err := s.RequestsIn(time.Time{}, time.Time{}, func(usage.KeyHash, *usage.Request) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("RequestsIn with fn failing: %v after %d calls, want stop after 1", err, n)
	}
}

func TestRev5RequestsInExactlyOnceSQLite(t *testing.T) {
	s := openStore(t, t.TempDir()+"/u.db")
	reqs := rev5Reqs(300)
	put(t, s, time.Now(), reqs[:200], nil, nil)
	put(t, s, time.Now(), reqs[150:], nil, nil) // some twice: still one row each
	rev5CheckRequestsIn(t, s, reqs)

	// Row order: the order of the rows as the database holds them (rowid).
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT key FROM requests WHERE time >= ? ORDER BY id`, time.Date(2026, 9, 30, 22, 0, 0, 0, time.UTC).UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	var want []usage.KeyHash
	for rows.Next() {
		var k []byte
		rows.Scan(&k)
		want = append(want, usage.KeyHash(k))
	}
	rows.Close()
	var got []usage.KeyHash
	s.RequestsIn(time.Date(2026, 9, 30, 22, 0, 0, 0, time.UTC), time.Time{}, func(h usage.KeyHash, _ *usage.Request) error {
		got = append(got, h)
		return nil
	})
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("RequestsIn: %d keys not in row order (or none: %d)", len(got), len(want))
	}
}

func TestRev5RequestsInExactlyOncePostgres(t *testing.T) {
	u := pgtest.URL(t, os.Getenv)
	s, err := Open(u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reqs := rev5Reqs(300)
	put(t, s, time.Now(), reqs[:200], nil, nil)
	put(t, s, time.Now(), reqs[150:], nil, nil)
	rev5CheckRequestsIn(t, s, reqs)
}
