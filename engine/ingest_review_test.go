package engine_test

// Reviewer tests (rev4) of engine.Ingest, from its doc and README "History
// store": a file that fails to read keeps its old position; many workers
// reading many files with copies of one response store each response once,
// its largest copy (checked against an independent count).

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

func r4line(k int, out int64, side bool) string {
	ts := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Minute).Format("2006-01-02T15:04:05.000Z")
	req := fmt.Sprintf(`"requestId":"req_%d",`, k)
	if k%5 == 0 {
		req = ""
	}
	return fmt.Sprintf(`{"type":"assistant","isSidechain":%t,"sessionId":"s","cwd":"/p",%s"timestamp":%q,"message":{"id":"msg_%d","model":"claude-opus-4-6","usage":{"input_tokens":1,"output_tokens":%d}}}`+"\n", side, req, ts, k, out)
}

func r4isolate(t *testing.T) string {
	home := t.TempDir()
	for _, k := range []string{"HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"} {
		t.Setenv(k, home)
	}
	t.Setenv("CLAUDE_CONFIG_DIR", filepath.Join(home, "none"))
	return home
}

func r4discover(t *testing.T, root string) []scan.File {
	t.Helper()
	files, _, warns := scan.Discover([]scan.Source{{Path: root, User: "u", Explicit: true}})
	if len(warns) > 0 {
		t.Fatalf("discover: %v", warns)
	}
	return files
}

func r4stored(t *testing.T, st *store.Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := st.Requests(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), func(h usage.KeyHash, r *usage.Request) error {
		out[fmt.Sprintf("%x", h)] = r.Output
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRev4FailedFileKeepsPosition: a file that cannot be read in a run (here
// replaced by a directory of the same name between discovery and reading)
// keeps its stored position: once it is back, only its appended bytes are read.
func TestRev4FailedFileKeepsPosition(t *testing.T) {
	home := r4isolate(t)
	root := filepath.Join(home, "logs")
	os.MkdirAll(root, 0o755)
	a, b := filepath.Join(root, "a.jsonl"), filepath.Join(root, "b.jsonl")
	os.WriteFile(a, []byte(r4line(1, 10, false)+r4line(2, 20, false)), 0o644)
	os.WriteFile(b, []byte(r4line(3, 30, false)), 0o644)
	st, err := store.Open(filepath.Join(home, "usage.db"), store.Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := engine.Ingest(st, r4discover(t, root), engine.IngestOptions{})
	if err != nil || res.New != 3 {
		t.Fatalf("first ingest: %+v %v", res.Counts, err)
	}
	appendTo := func(p, s string) {
		f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString(s)
		f.Close()
	}
	appendTo(a, r4line(4, 40, false))
	appendTo(b, r4line(5, 50, false))
	stale := r4discover(t, root)
	if err := os.Rename(a, a+".bak"); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(a, 0o755)
	res, err = engine.Ingest(st, stale, engine.IngestOptions{})
	if err != nil {
		t.Fatalf("ingest with an unreadable file: %v", err)
	}
	if res.New != 1 || len(res.Warnings) != 1 {
		t.Errorf("ingest with an unreadable file: %+v, warnings %v (want 1 new from b, 1 warning)", res.Counts, res.Warnings)
	}
	os.Remove(a)
	if err := os.Rename(a+".bak", a); err != nil {
		t.Fatal(err)
	}
	res, err = engine.Ingest(st, r4discover(t, root), engine.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 1 || res.Appended != 1 || res.Whole != 0 || res.Skipped != 1 {
		t.Errorf("after the file is back: %+v, appended %d, whole %d, skipped %d (want 1 new, a appended, b skipped)", res.Counts, res.Appended, res.Whole, res.Skipped)
	}
	if n := len(r4stored(t, st)); n != 5 {
		t.Errorf("%d stored, want 5", n)
	}
}

// TestRev4ManyWorkersOneCopy: 400 files read by 16 workers, copies of 3,000
// keys spread over them (one set): each stored request is the largest copy,
// stored under the hash of its key computed here, though keys
// (message.id:requestId, message.id alone) are built in each parser's reused
// buffer and hashed by concurrent workers.
func TestRev4ManyWorkersOneCopy(t *testing.T) {
	home := r4isolate(t)
	root := filepath.Join(home, "logs")
	rng := rand.New(rand.NewSource(7))
	best := map[int]int64{}
	for f := 0; f < 400; f++ {
		dir := filepath.Join(root, fmt.Sprintf("p%d", f%9))
		if f%3 == 0 {
			dir = filepath.Join(dir, "sess", "subagents")
		}
		os.MkdirAll(dir, 0o755)
		var data []byte
		for i := 0; i < 20; i++ {
			k := rng.Intn(3000)
			out := int64(1 + rng.Intn(1000))
			data = append(data, r4line(k, out, f%3 == 0)...)
			if out > best[k] {
				best[k] = out
			}
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.jsonl", f)), data, 0o644)
	}
	st, err := store.Open(filepath.Join(home, "usage.db"), store.Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := engine.Ingest(st, r4discover(t, root), engine.IngestOptions{Workers: 16})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != len(best) {
		t.Errorf("%d new, want %d", res.New, len(best))
	}
	stored := r4stored(t, st)
	// expected hashes, computed from keys built here
	for k, out := range best {
		key := fmt.Sprintf("msg_%d:req_%d", k, k)
		if k%5 == 0 {
			key = fmt.Sprintf("msg_%d", k)
		}
		h := usage.HashOf(&usage.Request{Key: key})
		got, ok := stored[fmt.Sprintf("%x", h)]
		if !ok {
			t.Errorf("key %s not stored under its hash", key)
			continue
		}
		if got != out {
			t.Errorf("key %s: stored output %d, largest copy %d", key, got, out)
		}
	}
	if len(stored) != len(best) {
		t.Errorf("%d stored, want %d", len(stored), len(best))
	}
}

// TestRev4TiesAcrossSets: copies of one response that tie on tokens, the
// first in a file of more than 16,384 records read first (one worker: the
// largest file first, its set handed to the writer when it is done), the
// other in a small file read later, so in another set. The stored copy is the
// one the rule picks (README: the largest total, tie: not a sidechain; then
// usage.Rule: earlier time), and the one a pure scan (scan.Run) keeps.
func TestRev4TiesAcrossSets(t *testing.T) {
	mk := func(ts string, side bool) string {
		return `{"type":"assistant","isSidechain":` + fmt.Sprint(side) + `,"sessionId":"s","cwd":"/p","requestId":"req_tie","timestamp":"` + ts + `","message":{"id":"msg_tie","model":"claude-opus-4-6","usage":{"input_tokens":5,"output_tokens":50}}}` + "\n"
	}
	const early, late = "2026-05-31T23:59:59Z", "2026-06-01T00:00:01Z"
	cases := []struct {
		name              string
		first, last       string // the big file's copy, the small file's copy
		wantSide          bool
		wantTime          string
		firstLbl, lastLbl string
	}{
		{"sidechain first", mk(early, true), mk(late, false), false, late, "u", "u"},
		{"sidechain last", mk(late, false), mk(early, true), false, late, "u", "u"},
		{"later time first", mk(late, false), mk(early, false), false, early, "u", "u"},
		{"labels zed then amy", mk(late, false), mk(late, false), false, late, "zed", "amy"},
		{"labels amy then zed", mk(late, false), mk(late, false), false, late, "amy", "zed"},
	}
	var filler []byte
	for k := 0; k < 16500; k++ {
		filler = append(filler, r4line(k+10, 10, false)...)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home := r4isolate(t)
			d1, d2 := filepath.Join(home, "d1"), filepath.Join(home, "d2")
			os.MkdirAll(d1, 0o755)
			os.MkdirAll(d2, 0o755)
			os.WriteFile(filepath.Join(d1, "big.jsonl"), append([]byte(tc.first), filler...), 0o644)
			os.WriteFile(filepath.Join(d2, "small.jsonl"), []byte(tc.last), 0o644)
			files, _, _ := scan.Discover([]scan.Source{{Path: d1, User: tc.firstLbl, Explicit: true}, {Path: d2, User: tc.lastLbl, Explicit: true}})
			if len(files) != 2 {
				t.Fatalf("files %v", files)
			}
			st, err := store.Open(filepath.Join(home, "usage.db"), store.Options{Host: "h"})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := engine.Ingest(st, files, engine.IngestOptions{Workers: 1}); err != nil {
				t.Fatal(err)
			}
			tieHash := usage.HashOf(&usage.Request{Key: "msg_tie:req_tie"})
			var stored *usage.Request
			st.Requests(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), func(h usage.KeyHash, r *usage.Request) error {
				if h == tieHash {
					c := *r
					stored = &c
				}
				return nil
			})
			if stored == nil {
				t.Fatal("the response is not stored")
			}
			res := scan.Run(files, nil, scan.RunOptions{Options: scan.Options{Workers: 1}})
			var pure *usage.Request
			res.Set.Each(func(r *usage.Request) {
				if r.Model == "claude-opus-4-6" && r.Output == 50 {
					c := *r
					pure = &c
				}
			})
			if pure == nil {
				t.Fatal("pure scan lost the response")
			}
			desc := func(r *usage.Request) string {
				return fmt.Sprintf("sidechain=%v time=%s user=%s", r.Sidechain, r.Time.UTC().Format(time.RFC3339), r.User)
			}
			if desc(stored) != desc(pure) {
				t.Errorf("stored %s, pure scan kept %s", desc(stored), desc(pure))
			}
			if stored.Sidechain != tc.wantSide || stored.Time.UTC().Format(time.RFC3339) != tc.wantTime {
				t.Errorf("stored %s, want sidechain=%v time=%s", desc(stored), tc.wantSide, tc.wantTime)
			}
		})
	}
}
