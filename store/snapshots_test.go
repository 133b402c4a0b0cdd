package store_test

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/usagescan/usagescan/store"
)

func TestSnapshots(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 6, 12, 16, 0, 0, 0, time.UTC)
	r5, rw := time.Unix(1781290000, 0).UTC(), time.Unix(1781600000, 0).UTC()
	both := store.Snapshot{Time: t0, User: "alice", Session: "s1", Model: "claude-opus-4-8",
		FiveHourPct: 42, FiveHourReset: r5, HasFiveHour: true, WeekPct: 36, WeekReset: rw, HasWeek: true}
	repeat := both // the same reading later, in another session: kept once
	repeat.Time, repeat.Session = t0.Add(time.Minute), "s2"
	subSecond := both // the reset to the second is the same reading
	subSecond.Time, subSecond.FiveHourReset = t0.Add(2*time.Minute), r5.Add(400*time.Millisecond)
	weekOnly := store.Snapshot{Time: t0.Add(3 * time.Minute), User: "alice", WeekPct: 37, WeekReset: rw, HasWeek: true}
	zeroPct := store.Snapshot{Time: t0.Add(-time.Hour), User: "alice", HasFiveHour: true} // 0%, no reset time
	bob := both
	bob.User, bob.Time = "bob", t0.Add(time.Second)
	none := store.Snapshot{Time: t0, User: "alice"} // no meter read: not stored
	for i, tc := range []struct {
		s    store.Snapshot
		want bool
	}{{both, true}, {repeat, false}, {subSecond, false}, {weekOnly, true}, {zeroPct, true}, {bob, true}, {none, false}, {weekOnly, false}} {
		added, err := st.RecordSnapshot(tc.s)
		if err != nil || added != tc.want {
			t.Errorf("%d: added %v, %v; want %v", i, added, err, tc.want)
		}
	}
	got, err := st.Snapshots("alice", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Snapshot{zeroPct, both, weekOnly}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alice's snapshots:\n got %+v\nwant %+v", got, want)
	}
	if got, _ := st.Snapshots("", t0); !reflect.DeepEqual(got, []store.Snapshot{both, bob, weekOnly}) {
		t.Errorf("everyone's since %s: %+v", t0, got)
	}
	if got, _ := st.Snapshots("carol", time.Time{}); len(got) != 0 {
		t.Errorf("carol: %+v", got)
	}

	// Read back by a reader; a reader records nothing.
	ro, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, _ := ro.Snapshots("bob", time.Time{}); !reflect.DeepEqual(got, []store.Snapshot{bob}) {
		t.Errorf("bob, read-only: %+v", got)
	}
	if _, err := ro.RecordSnapshot(weekOnly); err == nil {
		t.Error("a reader recorded a snapshot")
	}
}

func TestMeta(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "u.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, ok, err := st.Meta("k"); ok || err != nil || v != "" {
		t.Errorf("missing key: %q %v %v", v, ok, err)
	}
	for _, v := range []string{"one", "two"} {
		if err := st.SetMeta("k", v); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := st.Meta("k"); !ok || err != nil || got != v {
			t.Errorf("Meta = %q %v %v, want %q", got, ok, err, v)
		}
	}
}
