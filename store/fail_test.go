package store_test

// Tests of the store under an ingest that fails, and under writers that run at
// once. They live in package store_test, beside the store's own tests, because
// they need engine.Ingest (which imports store) and the failAfter hook
// (export_test.go).

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// logLine is an assistant line of response id at second sec after 2026-06-10 09:00 UTC.
func logLine(id string, sec int, in, out int64) string {
	ts := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format("2006-01-02T15:04:05.000Z")
	return fmt.Sprintf(`{"type":"assistant","sessionId":"s1","cwd":"/w","timestamp":%q,"requestId":"req_%s",`+
		`"message":{"model":"claude-opus-4-6","id":"msg_%s","role":"assistant","usage":{"input_tokens":%d,"output_tokens":%d,"cache_read_input_tokens":100}}}`+"\n",
		ts, id, id, in, out)
}

func noticeLine(sec int) string {
	ts := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format("2006-01-02T15:04:05.000Z")
	return fmt.Sprintf(`{"type":"assistant","sessionId":"s1","timestamp":%q,"message":{"model":"<synthetic>","id":"syn-%d","role":"assistant",`+
		`"content":[{"type":"text","text":"You've hit your limit"}],"usage":{"input_tokens":0,"output_tokens":0}}}`+"\n", ts, sec)
}

// logTree writes n files of m responses each (some copied into the next
// file, as resumed sessions do), with a notice now and then.
func logTree(t *testing.T, dir string, n, m int) {
	t.Helper()
	for f := range n {
		var b strings.Builder
		if f > 0 {
			b.WriteString(logLine(fmt.Sprintf("%d_0", f-1), (f-1)*10000, 0, 1)) // a copy of the last file's first response
		}
		for i := range m {
			b.WriteString(logLine(fmt.Sprintf("%d_%d", f, i), f*10000+i*10, int64(i%50), int64(1+i%200)))
			if i%17 == 0 {
				b.WriteString(noticeLine(f*10000 + i*10 + 1))
			}
		}
		if err := os.MkdirAll(filepath.Join(dir, "p"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "p", fmt.Sprintf("%02d.jsonl", f)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func discover(t *testing.T, dir string) []scan.File {
	t.Helper()
	files, _, warnings := scan.Discover([]scan.Source{{Path: dir, User: "alice"}})
	if len(warnings) > 0 {
		t.Fatal(warnings)
	}
	return files
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// snapshot is everything a store holds, for comparing before and after.
type snapshot struct {
	Requests map[usage.KeyHash]usage.Request
	Notices  []usage.Notice
	Files    map[string]scan.FileState
	Groups   map[aggregate.GroupKey]aggregate.Sums
}

func snap(t *testing.T, s *store.Store) snapshot {
	t.Helper()
	sn := snapshot{Requests: map[usage.KeyHash]usage.Request{}, Files: map[string]scan.FileState{}, Groups: map[aggregate.GroupKey]aggregate.Sums{}}
	if err := s.Requests(time.Time{}, time.Time{}, func(h usage.KeyHash, r *usage.Request) error { sn.Requests[h] = *r; return nil }); err != nil {
		t.Fatal(err)
	}
	var err error
	if sn.Notices, err = s.Notices(time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	fs, err := s.FileStates()
	if err != nil {
		t.Fatal(err)
	}
	for p, f := range fs {
		sn.Files[p] = *f
	}
	if err := s.Groups(time.Time{}, time.Time{}, func(k aggregate.GroupKey, x *aggregate.Sums) { sn.Groups[k] = *x }); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Check(); err != nil || !res.OK {
		t.Fatalf("check: %+v, %v", res, err)
	}
	return sn
}

// pure is what a pure scan of files holds, as a snapshot's requests and notices.
func pure(files []scan.File) (map[usage.KeyHash]usage.Request, []usage.Notice) {
	res := scan.Run(files, nil, scan.RunOptions{})
	m := make(map[usage.KeyHash]usage.Request)
	res.Set.EachKeyed(func(h usage.KeyHash, r *usage.Request) { m[h] = *r })
	return m, res.Notices
}

// TestFailedIngestLeavesNoTrace: an ingest whose transaction fails at any
// point (the failAfter hook, as a write error or a kill would) leaves the
// requests, rollup, notices and file positions as they were, and the next run
// stores everything: a new file, an appended one, a rewritten one and a half
// line. The very first run failing leaves an empty store.
func TestFailedIngestLeavesNoTrace(t *testing.T) {
	logs := t.TempDir()
	logTree(t, logs, 6, 40)
	for _, tc := range []struct {
		failAfter int
		stored    int // files ingested before the failing run
	}{{1, 4}, {5, 4}, {64, 4}, {65, 4}, {80, 4}, {70, 0}} {
		t.Run(fmt.Sprint(tc.failAfter, "/", tc.stored), func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for _, f := range discover(t, logs) { // a copy of the tree for each case
				b, _ := os.ReadFile(f.Path)
				p := filepath.Join(dir, "logs", filepath.Base(f.Path))
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, b, 0o644)
				paths = append(paths, p)
			}
			sort.Strings(paths)
			dbPath := filepath.Join(dir, "usage.db")
			s, err := store.Open(dbPath, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			all := discover(t, filepath.Join(dir, "logs"))
			if _, err := engine.Ingest(s, all[:tc.stored], engine.IngestOptions{}); err != nil {
				t.Fatal(err)
			}
			before := snap(t, s)
			s.Close()

			// The others are new; paths[0] grows, with half a line at the end;
			// paths[1] is rewritten; paths[2] has a larger copy of a stored request.
			appendTo(t, paths[0], logLine("x", 99999, 1, 1)+noticeLine(999999)+`{"type":"assistant","mess`)
			b1, _ := os.ReadFile(paths[1])
			os.WriteFile(paths[1], []byte(logLine("y", 5, 2, 2)+string(b1)), 0o644)
			appendTo(t, paths[2], logLine("2_3", 20030, 3, 1000))

			s, err = store.Open(dbPath, store.WithFailAfter(store.Options{}, tc.failAfter))
			if err != nil {
				t.Fatal(err)
			}
			files := discover(t, filepath.Join(dir, "logs"))
			res, err := engine.Ingest(s, files, engine.IngestOptions{Workers: 2})
			if !errors.Is(err, store.ErrInjected) {
				t.Fatalf("got %v, want the injected failure", err)
			}
			if res.New+res.Updated+res.Unchanged+res.Counts.Notices != 0 {
				t.Errorf("a failed run counts %+v", res.Counts)
			}
			after := snap(t, s)
			s.Close()
			if !reflect.DeepEqual(before, after) {
				t.Errorf("the failed run changed the store:\n before %d requests, %d notices, %d files, %d groups\n after  %d, %d, %d, %d",
					len(before.Requests), len(before.Notices), len(before.Files), len(before.Groups),
					len(after.Requests), len(after.Notices), len(after.Files), len(after.Groups))
			}
			if tc.stored == 0 && len(after.Requests)+len(after.Notices)+len(after.Files)+len(after.Groups) != 0 {
				t.Errorf("a failed first run left %+v", after)
			}

			// The next run stores it all.
			s, err = store.Open(dbPath, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			res, err = engine.Ingest(s, files, engine.IngestOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := snap(t, s)
			want, wantN := pure(files)
			// The store also keeps what paths[1] held before its rewrite: it still does.
			if !reflect.DeepEqual(got.Requests, want) {
				t.Errorf("after the next run: %d requests, want %d", len(got.Requests), len(want))
			}
			if !reflect.DeepEqual(got.Notices, wantN) {
				t.Errorf("notices %v, want %v", got.Notices, wantN)
			}
			grown := usage.HashOf(&usage.Request{Key: "msg_2_3:req_2_3"})
			if got.Requests[grown].Output != 1000 {
				t.Errorf("the grown copy was not kept: %+v", got.Requests[grown])
			}
			wantUpdated := 0
			if tc.stored > 2 {
				wantUpdated = 1
			}
			if res.Updated != wantUpdated || res.New != len(want)-len(before.Requests) {
				t.Errorf("next run %+v; want %d updated, %d new", res.Counts, wantUpdated, len(want)-len(before.Requests))
			}
			abs, _ := filepath.Abs(paths[0])
			if st := got.Files[abs]; st.Offset != st.Size-int64(len(`{"type":"assistant","mess`)) {
				t.Errorf("%s: offset %d of %d", paths[0], st.Offset, st.Size)
			}
		})
	}
}

// TestConcurrentWriters: writers that open one store at once are serialized by
// its lock: each run's transaction begins after the last one committed, and
// together they store each request once, counted new by exactly one run.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	day := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
	batch := func(w int) []usage.Request { // 60 requests, 40 of them shared by every writer
		var out []usage.Request
		for i := range 60 {
			k := fmt.Sprintf("shared_%d", i)
			if i >= 40 {
				k = fmt.Sprintf("own_%d_%d", w, i)
			}
			out = append(out, usage.Request{Key: k, Time: day.Add(time.Duration(i) * time.Minute), User: "alice", Source: "claude-code",
				Model: "m", Tokens: usage.Tokens{Input: int64(i), Output: int64(10 + w)}, Count: 1})
		}
		return out
	}
	const writers = 4
	type span struct{ begin, end time.Time }
	spans := make([]span, writers)
	counts := make([]store.Counts, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := store.Open(path, store.Options{LockTimeout: 30 * time.Second})
			if err != nil {
				errs[w] = err
				return
			}
			defer s.Close()
			spans[w].begin = time.Now()
			tx, err := s.Begin(time.Now())
			if err != nil {
				errs[w] = err
				return
			}
			if err := tx.Add(batch(w)); err != nil {
				tx.Rollback()
				errs[w] = err
				return
			}
			time.Sleep(30 * time.Millisecond) // a run takes a while
			counts[w], errs[w] = tx.Commit()
			spans[w].end = time.Now()
		}()
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].begin.Before(spans[j].begin) })
	for i := 1; i < writers; i++ {
		if spans[i].begin.Before(spans[i-1].end) {
			t.Errorf("run %d began at %v, before run %d committed at %v", i, spans[i].begin, i-1, spans[i-1].end)
		}
	}
	var added, updated int
	for _, c := range counts {
		added += c.New
		updated += c.Updated
	}
	// Shared keys: the writer with the largest output wins (writer 3).
	if added != 40+20*writers || updated > 40*(writers-1) {
		t.Errorf("counts %+v: %d new in all, want %d", counts, added, 40+20*writers)
	}
	s, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sn := snap(t, s)
	if len(sn.Requests) != 40+20*writers {
		t.Errorf("%d stored, want %d", len(sn.Requests), 40+20*writers)
	}
	for i := range 40 {
		if r := sn.Requests[usage.HashOf(&usage.Request{Key: fmt.Sprintf("shared_%d", i)})]; r.Output != 10+writers-1 {
			t.Errorf("shared_%d: output %d, want %d", i, r.Output, 10+writers-1)
		}
	}
}
