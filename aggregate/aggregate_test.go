package aggregate

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/usagescan/usagescan/usage"
)

func req(key string, out int64, side bool, ts string) usage.Request {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		panic(err)
	}
	return usage.Request{Key: key, Time: t, User: "u", Model: "m", Source: "claude-code",
		Tokens: usage.Tokens{Input: 10, Output: out, CacheRead: 100}, Sidechain: side, Count: 1}
}

func permutations(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

func TestSetKeepsTheBestCopyInAnyOrder(t *testing.T) {
	copies := []usage.Request{
		req("msg_1:req_1", 5, false, "2026-06-10T09:00:01Z"),
		req("msg_1:req_1", 50, true, "2026-06-10T09:00:03Z"),  // largest, but a sidechain
		req("msg_1:req_1", 50, false, "2026-06-11T09:00:03Z"), // same total, not a sidechain: kept
		req("msg_1:req_1", 20, false, "2026-06-10T09:00:02Z"),
		req("msg_2:req_2", 7, false, "2026-06-10T10:00:00Z"),
	}
	want := []usage.Request{copies[4], copies[2]} // ordered by time
	for i := range want {
		want[i].Key = "" // a Set keeps the key's hash, not the key
	}
	for _, p := range permutations(len(copies)) {
		s := NewSet()
		for _, i := range p {
			s.Add(&copies[i])
		}
		if got := s.Requests(); !reflect.DeepEqual(got, want) || s.Duplicates() != 3 {
			t.Fatalf("order %v: got %+v (dups %d), want %+v", p, got, s.Duplicates(), want)
		}
	}
}

// Workers adding concurrently (AddFrom) keep what one Add sequence keeps.
func TestSetConcurrentWorkersEqualOneSet(t *testing.T) {
	var all []usage.Request
	for i := 0; i < 400; i++ {
		all = append(all, req(fmt.Sprintf("msg_%d", i%13), int64(i%7), i%3 == 0, fmt.Sprintf("2026-06-%02dT09:00:00Z", 1+i%13)))
	}
	one := NewSet()
	for i := range all {
		one.Add(&all[i])
	}
	par := NewSet()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(all); i += 4 {
				r := all[i]
				par.AddFrom(w, &r)
			}
		}()
	}
	wg.Wait()
	if !reflect.DeepEqual(one.Requests(), par.Requests()) || one.Duplicates() != par.Duplicates() || one.Len() != 13 || one.Duplicates() != 387 {
		t.Errorf("concurrent set differs: %d/%d dups %d/%d", one.Len(), par.Len(), one.Duplicates(), par.Duplicates())
	}
}

// A record without a key is keyed by its fields but its user: identical
// copies (a resumed session copying a line, the same file read under two
// labels) count once; a copy differing in any other field is another record.
func TestSetRecordsWithoutKey(t *testing.T) {
	s := NewSet()
	r := req("", 5, false, "2026-06-10T09:00:01Z")
	s.Add(&r)
	other := r
	other.User = "someone-else"
	s.Add(&other)
	if s.Len() != 1 || s.Duplicates() != 1 {
		t.Errorf("Len %d, Duplicates %d", s.Len(), s.Duplicates())
	}
	more := r
	more.Output++
	s.Add(&more)
	if s.Len() != 2 {
		t.Errorf("a keyless record with other tokens merged: Len %d", s.Len())
	}
}

func TestLabels(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	tests := []struct {
		g    Grouping
		t    time.Time
		want string
	}{
		{Month, time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC), "2026-06"},
		{Month, time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC).In(rome), "2026-07"}, // 00:00 in Rome
		{Day, time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC).In(rome), "2026-03-29"},
		{Week, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-W01"},   // a Thursday
		{Week, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-W53"},   // a Friday
		{Week, time.Date(2026, 6, 14, 23, 0, 0, 0, time.UTC), "2026-W24"}, // Sunday
		{Week, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), "2026-W25"},  // Monday
	}
	for _, tc := range tests {
		if got := tc.g.Label(tc.t); got != tc.want {
			t.Errorf("%v.Label(%v) = %s, want %s", tc.g, tc.t, got, tc.want)
		}
	}
}

func TestParseBound(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	tests := []struct {
		s    string
		end  bool
		want time.Time
	}{
		{"2026-06", false, time.Date(2026, 6, 1, 0, 0, 0, 0, rome)},
		{"2026-06", true, time.Date(2026, 7, 1, 0, 0, 0, 0, rome)},
		{"2026-12", true, time.Date(2027, 1, 1, 0, 0, 0, 0, rome)},
		{"2026-03-28", true, time.Date(2026, 3, 29, 0, 0, 0, 0, rome)},
		{"2026-03-29", true, time.Date(2026, 3, 30, 0, 0, 0, 0, rome)}, // a 23-hour day
	}
	for _, tc := range tests {
		got, err := ParseBound(tc.s, rome, tc.end)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseBound(%s, %v) = %v, %v; want %v", tc.s, tc.end, got, err, tc.want)
		}
	}
	for _, bad := range []string{"2026", "2026-13", "2026-06-31", "June", ""} {
		if _, err := ParseBound(bad, rome, false); err == nil {
			t.Errorf("ParseBound(%q) gave no error", bad)
		}
	}
}

func ExampleSet() {
	s := NewSet()
	for _, out := range []int64{5, 50, 20} { // three copies of one streamed response
		r := usage.Request{Key: "msg_1:req_1", Model: "claude-opus-4-6", Tokens: usage.Tokens{Input: 3, Output: out}}
		s.Add(&r)
	}
	for _, r := range s.Requests() {
		fmt.Println(r.Model, r.Output)
	}
	fmt.Println("duplicates:", s.Duplicates())
	// Output:
	// claude-opus-4-6 50
	// duplicates: 2
}

func TestAddKept(t *testing.T) {
	s := NewSet()
	small, big := req("msg_1", 5, false, "2026-06-10T09:00:01Z"), req("msg_1", 50, false, "2026-06-10T09:00:03Z")
	other := req("msg_2", 1, false, "2026-06-10T09:00:04Z")
	s.Add(&small)
	if s.AddKept(&big) || !s.AddKept(&other) || s.Duplicates() != 0 || s.Len() != 2 {
		t.Fatalf("Len %d, Duplicates %d", s.Len(), s.Duplicates())
	}
	if got := s.Requests()[0].Output; got != 50 {
		t.Errorf("kept output %d, want the larger copy 50", got)
	}
}
