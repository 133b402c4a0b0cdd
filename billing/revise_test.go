package billing

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
)

// keysOf reads an export held in s and returns its records' keys.
func keysOf(t *testing.T, s string, opt Options) []string {
	t.Helper()
	got, _, err := readString(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range got {
		keys = append(keys, r.Key)
	}
	return keys
}

// Rows share a key exactly when they share their identity: the same row
// read from another file, with other spacing or other amounts, has the same key;
// a change in any identity field gives another.
func TestRowKeys(t *testing.T) {
	const row = "2026-03-31,claude-haiku-4-5,k,W,standard,≤ 200k,1,2,3,4,5,0,us,\n"
	base := keysOf(t, v2Header+row, Options{})[0]
	same := []string{
		"2026-03-31, claude-haiku-4-5 ,k,W,standard,≤ 200k,9,9,9,9,9,9,us,\n", // other counts, spaces
		"2026-03-31,claude-haiku-4-5,k,W,standard,≤ 200k,0,0,0,0,0,0,us,--\n", // "--" is empty
	}
	for _, r := range same {
		if k := keysOf(t, v2Header+r, Options{})[0]; k != base {
			t.Errorf("%q: key %s, want %s", r, k, base)
		}
	}
	other := []string{
		"2026-04-01,claude-haiku-4-5,k,W,standard,≤ 200k,1,2,3,4,5,0,us,\n",
		"2026-03-31 00:00,claude-haiku-4-5,k,W,standard,≤ 200k,1,2,3,4,5,0,us,\n", // an hour, not the day
		"2026-03-31,claude-sonnet-4-5,k,W,standard,≤ 200k,1,2,3,4,5,0,us,\n",
		"2026-03-31,claude-haiku-4-5,k2,W,standard,≤ 200k,1,2,3,4,5,0,us,\n",
		"2026-03-31,claude-haiku-4-5,k,W2,standard,≤ 200k,1,2,3,4,5,0,us,\n",
		"2026-03-31,claude-haiku-4-5,k,W,batch,≤ 200k,1,2,3,4,5,0,us,\n",
		"2026-03-31,claude-haiku-4-5,k,W,standard,200k-1M,1,2,3,4,5,0,us,\n",
		"2026-03-31,claude-haiku-4-5,k,W,standard,≤ 200k,1,2,3,4,5,0,global,\n",
		"2026-03-31,claude-haiku-4-5,k,W,standard,≤ 200k,1,2,3,4,5,0,us,fast\n",
		// Fields moved between cells must not collide.
		"2026-03-31,claude-haiku-4-5,,kW,standard,≤ 200k,1,2,3,4,5,0,us,\n",
	}
	seen := map[string]string{base: "base"}
	for _, r := range other {
		k := keysOf(t, v2Header+r, Options{})[0]
		if prev, ok := seen[k]; ok {
			t.Errorf("%q: same key as %q", r, prev)
		}
		seen[k] = r
	}
	// A --csv NAME= label is who the rows belong to, not which rows they are:
	// the same export named twice under two labels is one bill (the rows are
	// the same by date, model, key, workspace, tier, band, geo, speed and type).
	if k := keysOf(t, v2Header+row, Options{User: "alice"})[0]; seen[k] != "base" {
		t.Error("a --csv NAME= label gave the same row another key")
	}

	// Cost exports: the token type and cost type are part of the identity.
	cost := []string{
		"2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,input_cache_write_5m,1,token,,\n",
		"2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,input_cache_write_1h,1,token,,\n",
		"2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,output,1,token,,\n",
		"2026-02-12,--,D,k,--,--,--,1,web_search,,\n",
	}
	for _, r := range cost {
		k := keysOf(t, costHeader+r, Options{})[0]
		if prev, ok := seen[k]; ok {
			t.Errorf("%q: same key as %q", r, prev)
		}
		seen[k] = r
	}
}

func TestRev(t *testing.T) {
	mtime := time.Unix(1_000, 0)
	// 2026-03-31T03:00Z is hour 493035 of Unix time.
	if got, want := Rev(time.Date(2026, 3, 31, 3, 0, 0, 0, time.UTC), mtime), int64(493035)<<32|1000; got != want {
		t.Errorf("Rev = %d, want %d", got, want)
	}
	if Rev(time.Time{}, time.Time{}) != 0 || Rev(time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(-5, 0)) != 0 {
		t.Error("times before 1970 should clamp to 0")
	}
	if got := Rev(time.Time{}, time.Unix(1<<40, 0)); got != math.MaxUint32 {
		t.Errorf("Rev of a far mtime = %d, want %d", got, uint32(math.MaxUint32))
	}
	// A later last day beats a later file time.
	if Rev(time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC), time.Unix(1, 0)) <= Rev(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Unix(1<<31, 0)) {
		t.Error("the export covering the later day should be newer")
	}

	// A daily export covers its last day to the day's end: a file whose last
	// row is 2026-03-31 ends at 2026-04-01T00:00Z, hour 493056; an hourly one
	// whose last row is 2026-03-31 03:00 ends an hour later, hour 493036.
	for _, tc := range []struct {
		csv   string
		hours int64
	}{
		{v2Header + "2026-03-31,m,k,W,standard,,1,0,0,0,0,0,,\n2026-03-30,m,k,W,standard,,1,0,0,0,0,0,,\n", 493056},
		{v2Header + "2026-03-31 03:00,m,k,W,standard,,1,0,0,0,0,0,,\n2026-03-31 01:00,m,k,W,standard,,1,0,0,0,0,0,,\n", 493036},
	} {
		got, _, err := readString(tc.csv, Options{ModTime: mtime})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if want := tc.hours<<32 | 1000; r.Rev != want {
				t.Errorf("Rev = %d (hour %d), want hour %d", r.Rev, r.Rev>>32, tc.hours)
			}
		}
	}
}

// Open takes the file's modification time.
func TestOpenModTime(t *testing.T) {
	p := filepath.Join(t.TempDir(), "u.csv")
	if err := os.WriteFile(p, []byte(v2Header+"2026-03-31,m,k,W,standard,,1,0,0,0,0,0,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Unix(1_700_000_000, 0)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	got, _ := readFile(t, p, Options{})
	if want := int64(493056)<<32 | 1_700_000_000; len(got) != 1 || got[0].Rev != want {
		t.Errorf("records %+v, want Rev %d", got, want)
	}
}

// The one rule: reading the same export twice counts each row once, and a
// later export replaces the rows of the days it covers again. Export 1 covers
// up to day D = 2026-06-10, whose row is partial (4,500 tokens in two rows of
// 4,000 and 500); export 2 covers up to D+1 and revises D to 4,000.
func TestRevisedExports(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mtime int64) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v2Header+body), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Unix(mtime, 0)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		return p
	}
	e1 := write("e1.csv", "2026-06-09,claude-haiku-4-5,k,W,standard,,1000,0,0,0,0,0,,\n"+
		"2026-06-10,claude-haiku-4-5,k,W,standard,,4000,0,0,0,0,0,,\n"+
		"2026-06-10,claude-haiku-4-5,k,W,standard,,500,0,0,0,0,0,,\n", 2_000_000_000) // the newer file time
	e2 := write("e2.csv", "2026-06-10,claude-haiku-4-5,k,W,standard,,4000,0,0,0,0,0,,\n"+
		"2026-06-11,claude-haiku-4-5,k,W,standard,,700,0,0,0,0,0,,\n", 1_000_000_000)
	// The same period downloaded again later (the file time is newer), when
	// day D had grown: the later download is the newer copy.
	e1b := write("e1b.csv", "2026-06-09,claude-haiku-4-5,k,W,standard,,1000,0,0,0,0,0,,\n"+
		"2026-06-10,claude-haiku-4-5,k,W,standard,,4600,0,0,0,0,0,,\n", 2_000_000_001)

	byDay := func(paths ...string) map[string]int64 {
		s := aggregate.NewSet()
		for _, p := range paths {
			got, _ := readFile(t, p, Options{})
			for i := range got {
				s.Add(&got[i])
			}
		}
		out := map[string]int64{}
		for _, r := range s.Requests() {
			out[r.Time.Format(time.DateOnly)] += r.Input
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		paths []string
		want  map[string]int64
	}{
		{"one export", []string{e1}, map[string]int64{"2026-06-09": 1000, "2026-06-10": 4500}},
		{"the same export twice", []string{e1, e1}, map[string]int64{"2026-06-09": 1000, "2026-06-10": 4500}},
		{"revised", []string{e1, e2}, map[string]int64{"2026-06-09": 1000, "2026-06-10": 4000, "2026-06-11": 700}},
		{"revised, read in the other order", []string{e2, e1}, map[string]int64{"2026-06-09": 1000, "2026-06-10": 4000, "2026-06-11": 700}},
		{"two downloads of one period", []string{e1, e1b, e1}, map[string]int64{"2026-06-09": 1000, "2026-06-10": 4600}},
		{"two downloads of one period, the other order", []string{e1b, e1}, map[string]int64{"2026-06-09": 1000, "2026-06-10": 4600}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := byDay(tc.paths...)
			if len(got) != len(tc.want) {
				t.Errorf("days %v, want %v", got, tc.want)
			}
			for d, n := range tc.want {
				if got[d] != n {
					t.Errorf("%s: %d tokens, want %d", d, got[d], n)
				}
			}
		})
	}
}

// A sum of one row's repeats never wraps.
func TestMergedSumsSaturate(t *testing.T) {
	row := "2026-03-31,m,k,W,standard,,1000000000000,0,0,0,0,1000000000,,\n"
	var s string
	for i := 0; i < 3; i++ {
		s += row
	}
	got, _, err := readString(v2Header+s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Input != 3e12 || got[0].WebSearch != math.MaxInt32 {
		t.Errorf("got %+v", got)
	}
}
