package engine

// Tests of the paths where an incremental store can lose data or count it twice:
// lines cut off mid-write, files truncated, rewritten or replaced between runs,
// copies of one response split across files and runs, CRLF and BOM files, a
// failed transaction, and the round trip of every field. Expectations are written
// out by hand, or come from a pure scan (scan.Run), never from the store itself.

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"database/sql"

	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// rec is an assistant log line with every field a request keeps.
type rec struct {
	id, req               string
	ts                    string // the raw "timestamp"; default 2026-06-10T09:00:01.000Z
	in, out, cw5, cw1, cr int64
	ws, wf                int
	side                  bool
	session, cwd          string
	entry, speed, geo     string
	tier, model           string
}

func (r rec) String() string {
	ts := r.ts
	if ts == "" {
		ts = "2026-06-10T09:00:01.000Z"
	}
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	u := fmt.Sprintf(`"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,"output_tokens":%d`,
		r.in, r.cw5+r.cw1, r.cr, r.out)
	if r.cw1 > 0 {
		u += fmt.Sprintf(`,"cache_creation":{"ephemeral_5m_input_tokens":%d,"ephemeral_1h_input_tokens":%d}`, r.cw5, r.cw1)
	}
	if r.ws > 0 || r.wf > 0 {
		u += fmt.Sprintf(`,"server_tool_use":{"web_search_requests":%d,"web_fetch_requests":%d}`, r.ws, r.wf)
	}
	if r.tier != "" {
		u += fmt.Sprintf(`,"service_tier":%q`, r.tier)
	}
	if r.geo != "" {
		u += fmt.Sprintf(`,"inference_geo":%q`, r.geo)
	}
	if r.speed != "" {
		u += fmt.Sprintf(`,"speed":%q`, r.speed)
	}
	entry := ""
	if r.entry != "" {
		entry = fmt.Sprintf(`,"entrypoint":%q`, r.entry)
	}
	reqID := ""
	if r.req != "" {
		reqID = fmt.Sprintf(`,"requestId":%q`, r.req)
	}
	return fmt.Sprintf(`{"parentUuid":null,"isSidechain":%t,"userType":"external","cwd":%q,"sessionId":%q,"version":"2.1.39",`+
		`"message":{"model":%q,"id":%q,"type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"usage":{%s}},`+
		`"type":"assistant","uuid":"u-%s-%d","timestamp":%q%s%s}`+"\n",
		r.side, def(r.cwd, "/home/alice/src/api"), def(r.session, "s1"), def(r.model, "claude-opus-4-6"), r.id, u,
		r.id, r.out, ts, entry, reqID)
}

// want is the request a pure reading of r must give, written out by hand.
func (r rec) want(t time.Time) usage.Request {
	key := r.id
	if r.req != "" {
		key += ":" + r.req
	}
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	return usage.Request{Key: key, Time: t, User: "alice", Source: "claude-code", Model: def(r.model, "claude-opus-4-6"),
		Tokens:    usage.Tokens{Input: r.in, Output: r.out, CacheWrite5m: r.cw5, CacheWrite1h: r.cw1, CacheRead: r.cr},
		WebSearch: int32(r.ws), WebFetch: int32(r.wf), Sidechain: r.side,
		SessionID: def(r.session, "s1"), Cwd: def(r.cwd, "/home/alice/src/api"),
		Entrypoint: r.entry, Speed: r.speed, Geo: r.geo, Tier: r.tier, Count: 1}
}

func fileOf(path string) []scan.File { return []scan.File{{Path: path, User: "alice"}} }

// stateOf is the saved position of path.
func stateOf(t *testing.T, s *store.Store, path string) *scan.FileState {
	t.Helper()
	m, err := s.FileStates()
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	return m[abs]
}

// byKey indexes requests by key, failing on a key twice.
func byKey(t *testing.T, reqs []usage.Request) map[string]usage.Request {
	t.Helper()
	m := make(map[string]usage.Request, len(reqs))
	for _, r := range reqs {
		if _, ok := m[r.Key]; ok {
			t.Fatalf("key %s stored twice", r.Key)
		}
		m[r.Key] = r
	}
	return m
}

// rawDB is a connection of its own to the store's file, for what its API
// does not show (first_seen, replaced, the stored time).
func rawDB(t *testing.T, s *store.Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// column reads one column of the stored request whose Key is key.
func column(t *testing.T, s *store.Store, key, col string) int64 {
	t.Helper()
	var n int64
	h := usage.HashOf(&usage.Request{Key: key})
	if err := rawDB(t, s).QueryRow(`SELECT `+col+` FROM requests WHERE key = ?`, h[:]).Scan(&n); err != nil {
		t.Fatalf("%s of %s: %v", col, key, err)
	}
	return n
}

// TestCutOffLine: a line caught half written is not counted, and is read whole,
// once, by the next run, wherever the cut falls (inside a string, a number,
// between '}' and '\n', between "\r" and '\n').
func TestCutOffLine(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		t.Run(fmt.Sprintf("crlf=%t", crlf), func(t *testing.T) {
			dir := t.TempDir()
			eol := func(s string) string {
				if crlf {
					return strings.ReplaceAll(s, "\n", "\r\n")
				}
				return s
			}
			first := rec{id: "msg_first", req: "req_first", in: 1, out: 2, cr: 300}
			l := eol(rec{id: "msg_cut", req: "req_cut", in: 11, out: 22, cr: 3000, ts: "2026-06-10T09:00:02.000Z"}.String())
			var cuts []int
			for c := 1; c < len(l); c += 29 {
				cuts = append(cuts, c)
			}
			// Just after each inner '}' (the line then ends like a whole one), and
			// the last '}' missing. (Complete JSON without its line end is not
			// half written: see TestUnterminatedLastLine.)
			nl := len(strings.TrimRight(l, "\r\n"))
			for i := 0; i < nl-1; i++ {
				if l[i] == '}' {
					cuts = append(cuts, i+1)
				}
			}
			cuts = append(cuts, nl-1)
			var files []scan.File
			for i, c := range cuts {
				p := filepath.Join(dir, "logs", fmt.Sprintf("cut%03d.jsonl", i))
				writeFile(t, p, eol(first.String())+l[:c])
				files = append(files, fileOf(p)...)
			}
			s := openStore(t, filepath.Join(dir, "usage.db"))

			res := ingest(t, s, files)
			got := byKey(t, reqsOf(t, s))
			// Every file holds msg_first; msg_cut is one key in all of them.
			if _, ok := got[keyOf("msg_cut:req_cut")]; ok {
				t.Errorf("a half-written line was stored: %+v", got[keyOf("msg_cut:req_cut")])
			}
			if res.New != 1 || len(got) != 1 || got[keyOf("msg_first:req_first")].Output != 2 {
				t.Errorf("first run: %+v, stored %v", countsOf(res), got)
			}
			// Changed on purpose: the half line is counted among the lines read
			// (it is read again, whole, next time), and its file among the
			// files ending in a line still being written; it is not malformed.
			if res.Stats.Malformed != 0 || res.Stats.Lines != 2*int64(len(files)) || res.CutOffFiles != len(files) {
				t.Errorf("first run: %d lines, %d malformed, %d cut off; want %d, 0, %d",
					res.Stats.Lines, res.Stats.Malformed, res.CutOffFiles, 2*len(files), len(files))
			}
			for _, f := range files {
				if st := stateOf(t, s, f.Path); st.Offset != int64(len(eol(first.String()))) || st.Lines != 1 {
					t.Errorf("%s: offset %d, %d lines; want %d, 1", f.Path, st.Offset, st.Lines, len(eol(first.String())))
				}
			}

			// The writer finishes the line and goes on.
			next := eol(rec{id: "msg_next", req: "req_next", in: 5, out: 6, ts: "2026-06-10T09:00:03.000Z"}.String())
			for i, f := range files {
				appendFile(t, f.Path, l[cuts[i]:]+next)
			}
			res = ingest(t, s, files)
			if got := countsOf(res); got != (counts{New: 2, Appended: len(files)}) {
				t.Errorf("second run: %+v, want 2 new, %d appended", got, len(files))
			}
			all := reqsOf(t, s)
			m := byKey(t, all)
			if cut := m[keyOf("msg_cut:req_cut")]; len(m) != 3 || cut.Output != 22 || cut.CacheRead != 3000 || m[keyOf("msg_next:req_next")].Output != 6 {
				t.Errorf("stored %+v", all)
			}
			if tot := totals(all); tot != (usage.Tokens{Input: 17, Output: 30, CacheRead: 3300}) {
				t.Errorf("totals %+v", tot)
			}
			want, _ := scanned(t, files)
			sameRequests(t, "after the line was finished", all, want)
			if res.Stats.Malformed != 0 || res.CutOffFiles != 0 {
				t.Errorf("%d malformed lines, %d cut off on the second run", res.Stats.Malformed, res.CutOffFiles)
			}
		})
	}
}

func reqsOf(t *testing.T, s *store.Store) []usage.Request {
	t.Helper()
	r, _ := load(t, s)
	return r
}

// TestUnterminatedLastLine: a complete last line without a line end (a file an
// editor or another tool wrote) counts, as a scan counts it, and is not counted
// again when the file goes on.
func TestUnterminatedLastLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	a := rec{id: "msg_A", req: "req_A", in: 1, out: 2}
	b := rec{id: "msg_B", req: "req_B", in: 3, out: 4, ts: "2026-06-10T09:00:02.000Z"}
	e := rec{in: 7, out: 8, ts: "2026-06-10T09:00:03.000Z"} // no message.id: keyed by its fields
	writeFile(t, path, a.String()+strings.TrimSuffix(b.String(), "\n"))
	s := openStore(t, filepath.Join(dir, "usage.db"))
	res := ingest(t, s, fileOf(path))
	if res.New != 2 {
		t.Errorf("first run: %+v, want 2 new", countsOf(res))
	}
	want, _ := scanned(t, fileOf(path))
	sameRequests(t, "a last line without a line end", reqsOf(t, s), want)

	// Deleting the file keeps it.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	ingest(t, s, nil)
	sameRequests(t, "after the file is gone", reqsOf(t, s), want)

	// The same file again, now going on: b is not counted twice.
	writeFile(t, path, a.String()+strings.TrimSuffix(b.String(), "\n"))
	ingest(t, s, fileOf(path))
	appendFile(t, path, "\n"+strings.TrimSuffix(e.String(), "\n"))
	res = ingest(t, s, fileOf(path))
	if got := countsOf(res); got != (counts{New: 1, Unchanged: 1, Appended: 1}) {
		t.Errorf("after the line end: %+v", got)
	}
	appendFile(t, path, "\n")
	res = ingest(t, s, fileOf(path))
	if got := countsOf(res); got != (counts{Unchanged: 1, Appended: 1}) {
		t.Errorf("keyless last line ended: %+v", got)
	}
	all := reqsOf(t, s)
	want, _ = scanned(t, fileOf(path))
	sameRequests(t, "end", all, want)
	if len(all) != 3 || totals(all) != (usage.Tokens{Input: 11, Output: 14}) {
		t.Errorf("stored %+v", all)
	}

	// A notice as the last line: stored once.
	appendFile(t, path, strings.TrimSuffix(noticeLine(60, "You've hit your limit"), "\n"))
	if res := ingest(t, s, fileOf(path)); res.Counts.Notices != 1 || res.Stats.Malformed != 0 {
		t.Errorf("a notice without a line end: %+v", res)
	}
	appendFile(t, path, "\r\n")
	if res := ingest(t, s, fileOf(path)); res.Counts.Notices != 0 || res.Appended != 1 {
		t.Errorf("the notice ended: %+v", res)
	}
	if _, n := load(t, s); len(n) != 1 {
		t.Errorf("notices %v", n)
	}
}

// TestRewrittenInPlace: a file truncated and written again (same inode).
func TestRewrittenInPlace(t *testing.T) {
	long := userLine(0, 5000) // the first 4 KB stay the same when only what follows changes
	a := rec{id: "msg_A", req: "req_A", in: 10, out: 5}
	b := rec{id: "msg_B", req: "req_B", in: 20, out: 6, ts: "2026-06-10T09:00:02.000Z"}
	c := rec{id: "msg_C", req: "req_C", in: 30, out: 7, ts: "2026-06-10T09:00:03.000Z"}
	d := rec{id: "msg_D", req: "req_D", in: 40, out: 8, ts: "2026-06-10T09:00:04.000Z"}
	a9 := a
	a9.out = 9   // same length as a
	cLonger := c // lines of other lengths: the old offset falls inside one
	cLonger.cwd = "/home/alice/src/api/x"
	cPadded := c // as long as a and b together
	cPadded.cwd = "/home/alice/src/api" + strings.Repeat("x", len(a.String()+b.String())-len(c.String()))
	for _, tc := range []struct {
		name      string
		before    string
		after     string
		sameMtime bool
		want      counts
		keys      map[string]int64 // Key: output stored after
	}{
		// Nothing tells this one from an untouched file short of reading it all:
		// same inode, size and mtime. It is skipped, and the old copy stays
		// stored. Claude Code only appends to a session file, so this is a
		// documented limitation (see Ingest); a touch (a new mtime) is enough.
		{"same size, same mtime (limitation: not seen)", join(long, a), join(long, a9), true,
			counts{Skipped: 1}, map[string]int64{"msg_A:req_A": 5}},
		{"same size, new mtime", join(long, a), join(long, a9), false,
			counts{Updated: 1, Whole: 1}, map[string]int64{"msg_A:req_A": 9}},
		{"smaller", join(long, a, b), join(c), false,
			counts{New: 1, Whole: 1}, map[string]int64{"msg_A:req_A": 5, "msg_B:req_B": 6, "msg_C:req_C": 7}},
		{"larger, other head", join(a, b), join(c, d, a9, b), false,
			counts{New: 2, Updated: 1, Unchanged: 1, Whole: 1},
			map[string]int64{"msg_A:req_A": 9, "msg_B:req_B": 6, "msg_C:req_C": 7, "msg_D:req_D": 8}},
		// The first 4 KB are the same, what follows is not: the old offset no
		// longer falls after a line end, so the file is read whole.
		{"larger, same head", join(long, a, b), join(long, cLonger, d, a9), false,
			counts{New: 2, Updated: 1, Whole: 1},
			map[string]int64{"msg_A:req_A": 9, "msg_B:req_B": 6, "msg_C:req_C": 7, "msg_D:req_D": 8}},
		// Limitation: the first 4 KB the same, and by chance a line end just
		// before the old offset. It is read from the offset as an appended file:
		// d is read, c (rewritten before the offset) is not seen.
		{"larger, same head, a line end at the old offset (limitation: c not seen)", join(long, a, b), join(long, cPadded, d), false,
			counts{New: 1, Appended: 1},
			map[string]int64{"msg_A:req_A": 5, "msg_B:req_B": 6, "msg_D:req_D": 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "s.jsonl")
			writeFile(t, path, tc.before)
			s := openStore(t, filepath.Join(dir, "usage.db"))
			ingest(t, s, fileOf(path))
			fi, _ := os.Stat(path)
			st0 := stateOf(t, s, path)

			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0) // same inode
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(tc.after); err != nil {
				t.Fatal(err)
			}
			f.Close()
			mt := fi.ModTime()
			if !tc.sameMtime {
				mt = mt.Add(time.Second)
			}
			if err := os.Chtimes(path, mt, mt); err != nil {
				t.Fatal(err)
			}
			if st := stateOf(t, s, path); st.Ino != st0.Ino {
				t.Fatal("the inode changed")
			}

			res := ingest(t, s, fileOf(path))
			if got := countsOf(res); got != tc.want {
				t.Errorf("%+v, want %+v", got, tc.want)
			}
			got := byKey(t, reqsOf(t, s))
			if len(got) != len(tc.keys) {
				t.Errorf("stored %d requests, want %d: %v", len(got), len(tc.keys), got)
			}
			for k, out := range tc.keys {
				if got[keyOf(k)].Output != out {
					t.Errorf("%s: output %d, want %d", k, got[k].Output, out)
				}
			}
			if !tc.sameMtime {
				if st := stateOf(t, s, path); st.Offset != int64(len(tc.after)) || st.Size != int64(len(tc.after)) {
					t.Errorf("state: offset %d, size %d; want %d", st.Offset, st.Size, len(tc.after))
				}
			}
			// A run after it reads nothing more.
			if res := ingest(t, s, fileOf(path)); res.Skipped != 1 || res.Bytes != 0 {
				t.Errorf("the run after: %+v", countsOf(res))
			}
		})
	}
}

// TestReplacedByRename: a file replaced by another (new inode) holding the old
// lines and more is read whole; the old lines are unchanged, not added again.
func TestReplacedByRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	old := join(userLine(0, 3000), rec{id: "msg_A", req: "req_A", in: 1, out: 5}, rec{id: "msg_B", req: "req_B", in: 2, out: 6},
		rec{in: 3, out: 7}) // keyless
	writeFile(t, path, old)
	s := openStore(t, filepath.Join(dir, "usage.db"))
	ingest(t, s, fileOf(path))
	ino := stateOf(t, s, path).Ino

	more := join(rec{id: "msg_A", req: "req_A", in: 1, out: 50}, rec{id: "msg_C", req: "req_C", in: 4, out: 8})
	tmp := filepath.Join(dir, "s.jsonl.tmp")
	writeFile(t, tmp, old+more)
	keep := tmp + ".keep" // hold the old inode, so that the new file cannot reuse its number
	if err := os.Link(path, keep); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	res := ingest(t, s, fileOf(path))
	if got := countsOf(res); got != (counts{New: 1, Updated: 1, Unchanged: 2, Whole: 1}) {
		t.Errorf("%+v", got)
	}
	if res.Bytes < int64(len(old+more)) {
		t.Errorf("read %d bytes of %d", res.Bytes, len(old+more))
	}
	if st := stateOf(t, s, path); st.Ino == ino || st.Offset != int64(len(old+more)) {
		t.Errorf("state %+v", st)
	}
	all := reqsOf(t, s)
	if len(all) != 4 || totals(all) != (usage.Tokens{Input: 10, Output: 71}) {
		t.Errorf("stored %+v", all)
	}
	want, _ := scanned(t, fileOf(path))
	sameRequests(t, "replaced", all, want)
}

// TestHeadRewrittenKeepsHistory: a file rewritten with another beginning and
// grown is read whole, and the requests it no longer holds stay stored.
func TestHeadRewrittenKeepsHistory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	a := rec{id: "msg_A", req: "req_A", in: 1, out: 10}
	b := rec{id: "msg_B", req: "req_B", in: 2, out: 20, ts: "2026-06-10T09:00:02.000Z"}
	c := rec{id: "msg_C", req: "req_C", in: 3, out: 30, ts: "2026-06-10T09:00:03.000Z"}
	d := rec{id: "msg_D", req: "req_D", in: 4, out: 40, ts: "2026-06-10T09:00:04.000Z"}
	writeFile(t, path, join(userLine(0, 4500), a, b)) // longer than the head
	s := openStore(t, filepath.Join(dir, "usage.db"))
	ingest(t, s, fileOf(path))

	// Same inode, a new first line, more bytes, and neither a nor b.
	after := join(`{"type":"summary","summary":"rewritten","leafUuid":"y"}`+"\n", userLine(1, 4600), c, d, userLine(2, 200))
	if err := os.WriteFile(path, []byte(after), 0o644); err != nil {
		t.Fatal(err)
	}
	res := ingest(t, s, fileOf(path))
	if got := countsOf(res); got != (counts{New: 2, Whole: 1}) {
		t.Errorf("%+v, want 2 new, read whole", got)
	}
	if res.Bytes < int64(len(after)) {
		t.Errorf("read %d bytes of %d", res.Bytes, len(after))
	}
	got := byKey(t, reqsOf(t, s))
	t0 := time.Date(2026, 6, 10, 9, 0, 1, 0, time.UTC)
	for i, r := range []rec{a, b, c, d} {
		w := named(r.want(t0.Add(time.Duration(i) * time.Second)))
		if !reflect.DeepEqual(got[w.Key], w) {
			t.Errorf("%s:\n got  %+v\n want %+v", w.Key, got[w.Key], w)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d stored, want 4", len(got))
	}
}

// TestCopiesAcrossRuns: copies of one response in two files ingested in two runs.
func TestCopiesAcrossRuns(t *testing.T) {
	small := rec{id: "msg_A", req: "req_A", in: 10, out: 5, cr: 100, session: "s1"}
	large := small
	large.out = 500
	side := small
	side.side, side.session = true, "s2"
	sideLarge := side
	sideLarge.out = 600
	for _, tc := range []struct {
		name          string
		first, second rec
		want          counts // of the second run
		keep          rec
		replaced      int64
	}{
		{"larger later", small, large, counts{Updated: 1, Whole: 1}, large, 1},
		{"larger first", large, small, counts{Unchanged: 1, Whole: 1}, large, 0},
		{"main copy after the sidechain one", side, small, counts{Updated: 1, Whole: 1}, small, 1},
		{"sidechain copy after the main one", small, side, counts{Unchanged: 1, Whole: 1}, small, 0},
		{"a larger sidechain copy wins", small, sideLarge, counts{Updated: 1, Whole: 1}, sideLarge, 1},
		{"a smaller main copy loses", sideLarge, small, counts{Unchanged: 1, Whole: 1}, sideLarge, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p1, p2 := filepath.Join(dir, "one.jsonl"), filepath.Join(dir, "two.jsonl")
			writeFile(t, p1, tc.first.String())
			writeFile(t, p2, tc.second.String())
			s := openStore(t, filepath.Join(dir, "usage.db"))
			day := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
			if _, err := ingestWith(s, fileOf(p1), IngestOptions{Now: func() time.Time { return day }}); err != nil {
				t.Fatal(err)
			}
			res, err := ingestWith(s, fileOf(p2), IngestOptions{Now: func() time.Time { return day.Add(24 * time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
			if got := countsOf(res); got != tc.want {
				t.Errorf("%+v, want %+v", got, tc.want)
			}
			all := reqsOf(t, s)
			w := named(tc.keep.want(time.Date(2026, 6, 10, 9, 0, 1, 0, time.UTC)))
			if len(all) != 1 || !reflect.DeepEqual(all[0], w) {
				t.Fatalf("stored %+v\nwant %+v", all, w)
			}
			if n := column(t, s, tc.keep.id+":"+tc.keep.req, "replaced"); n != tc.replaced {
				t.Errorf("replaced %d, want %d", n, tc.replaced)
			}
			// Unix seconds since schema version 3.
			var first, last int64
			rawDB(t, s).QueryRow(`SELECT first_seen, last_seen FROM requests`).Scan(&first, &last)
			if first != day.Unix() || last != day.Add(24*time.Hour).Unix() {
				t.Errorf("first_seen %d, last_seen %d", first, last)
			}
			// The same as one scan of both files, and as a report merging the
			// store with a scan of whichever file is left.
			want, _ := scanned(t, append(fileOf(p1), fileOf(p2)...))
			sameRequests(t, "store", all, want)
			for _, left := range [][]scan.File{fileOf(p1), fileOf(p2), nil} {
				sameContent(t, "report", report(t, s, left), want)
			}
		})
	}
}

// report is what recommend reads (Input.Requests): a scan of files on top of
// the stored requests, merged by key.
func report(t *testing.T, s *store.Store, files []scan.File) []usage.Request {
	t.Helper()
	in, err := ReadSources(Sources{Files: restat(files)}, scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in.Store = s
	var out []usage.Request
	if err := in.Requests(time.Time{}, time.Time{}, func(r *usage.Request) { out = append(out, *r) }); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(out); i++ {
		if out[i].Time.Before(out[i-1].Time) {
			t.Fatalf("Requests: %v before %v", out[i].Time, out[i-1].Time)
		}
	}
	return out
}

// TestCRLFAndBOM: a CRLF file appended to, with a byte-order mark, cut off
// between "\r" and '\n', and a file that is a byte-order mark and half a line.
func TestCRLFAndBOM(t *testing.T) {
	const bom = "\ufeff"
	crlf := func(rs ...rec) string {
		var b strings.Builder
		for _, r := range rs {
			b.WriteString(strings.ReplaceAll(r.String(), "\n", "\r\n"))
		}
		return b.String()
	}
	at := func(i int) string { return fmt.Sprintf("2026-06-10T09:00:%02d.000Z", i) }
	r := func(i int, out int64) rec {
		return rec{id: fmt.Sprintf("msg_%d", i), req: fmt.Sprintf("req_%d", i), ts: at(i), in: int64(i), out: out}
	}
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	files := append(fileOf(pa), fileOf(pb)...)
	writeFile(t, pa, bom+crlf(r(1, 10), r(2, 20)))
	bHalf := crlf(r(3, 30))
	writeFile(t, pb, bom+bHalf[:40]) // a BOM and the start of the first line
	s := openStore(t, filepath.Join(dir, "usage.db"))

	type step struct {
		name  string
		apply func()
		want  counts
		n     int // requests stored after
	}
	third := crlf(r(4, 40))
	for _, st := range []step{
		{"first", func() {}, counts{New: 2, Whole: 2}, 2},
		{"appended, cut between \\r and \\n", func() {
			appendFile(t, pa, crlf(r(1, 15))+strings.TrimSuffix(third, "\n"))
			appendFile(t, pb, bHalf[40:])
		}, counts{Updated: 1, New: 2, Appended: 1, Whole: 1}, 4}, // b was left at offset 0 (its only line was cut off): read from its start, so counted as read whole
		{"the line end", func() { appendFile(t, pa, "\n"+crlf(r(5, 50))) }, counts{Unchanged: 1, New: 1, Appended: 1, Skipped: 1}, 5},
		{"nothing", func() {}, counts{Skipped: 2}, 5},
	} {
		st.apply()
		res := ingest(t, s, files)
		if got := countsOf(res); got != st.want {
			t.Errorf("%s: %+v, want %+v", st.name, got, st.want)
		}
		if res.Stats.Malformed != 0 {
			t.Errorf("%s: %d malformed lines: %v", st.name, res.Stats.Malformed, res.Malformed)
		}
		all := reqsOf(t, s)
		if len(all) != st.n {
			t.Errorf("%s: %d stored, want %d", st.name, len(all), st.n)
		}
		want, _ := scanned(t, files)
		sameRequests(t, st.name, all, want)
	}
	if tot := totals(reqsOf(t, s)); tot != (usage.Tokens{Input: 1 + 2 + 3 + 4 + 5, Output: 15 + 20 + 30 + 40 + 50}) {
		t.Errorf("totals %+v", tot)
	}
}

// TestOnlyTheChangedFileIsRead: of 300 stored files, one grows; the run reads
// that file's new lines (and its head and tail) and nothing else.
func TestOnlyTheChangedFileIsRead(t *testing.T) {
	dir := t.TempDir()
	genTree(t, dir, 300, 3, 200, 11)
	files := discover(t, dir)
	if len(files) != 300 {
		t.Fatalf("%d files", len(files))
	}
	s := openStore(t, filepath.Join(t.TempDir(), "usage.db"))
	first := ingest(t, s, files)
	want0, _ := scanned(t, files)
	if first.New != len(want0) || first.Whole != 300 {
		t.Fatalf("first run %+v, want %d new", countsOf(first), len(want0))
	}

	changed := files[137]
	added := join(rec{id: "msg_new1", req: "req_new1", in: 7, out: 70, ts: "2026-07-01T00:00:00.000Z"},
		rec{id: "msg_new2", req: "req_new2", in: 8, out: 80, ts: "2026-07-01T00:00:01.000Z"})
	appendFile(t, changed.Path, added)
	res := ingest(t, s, files)
	if got := countsOf(res); got != (counts{New: 2, Skipped: 299, Appended: 1}) {
		t.Errorf("%+v", got)
	}
	// The new bytes, plus at most the head, a 512-byte tail and the byte before the offset.
	if res.Bytes < int64(len(added)) || res.Bytes > int64(len(added))+scan.HeadSize+512+1 {
		t.Errorf("read %d bytes; %d were added", res.Bytes, len(added))
	}
	if res.Stats.Lines != 2 || res.Stats.UsageLines != 2 {
		t.Errorf("read %d lines (%d with usage), want 2", res.Stats.Lines, res.Stats.UsageLines)
	}
	all := reqsOf(t, s)
	if len(all) != len(want0)+2 || totals(all).Output != totals(want0).Output+150 {
		t.Errorf("%d stored (output %d), want %d (%d)", len(all), totals(all).Output, len(want0)+2, totals(want0).Output+150)
	}
	want, _ := scanned(t, files)
	sameRequests(t, "after one file grew", all, want)
}

// TestLoadEqualsScan: every field a log line gives comes back from the store
// as a scan reads it: web searches and fetches, 1-hour cache writes,
// entrypoint, speed, geo and tier, and times with sub-millisecond digits and
// offsets other than UTC.
func TestLoadEqualsScan(t *testing.T) {
	recs := []rec{
		{id: "msg_1", req: "req_1", ts: "2026-06-10T11:00:01.123456+02:00", in: 3, out: 400, cw5: 1000, cw1: 2000, cr: 30000,
			ws: 2, wf: 1, entry: "sdk-cli", speed: "fast", geo: "us", tier: "priority", session: "sess-a", cwd: "/w/a"},
		{id: "msg_2", req: "req_2", ts: "2026-06-10T04:00:01.000000001-05:00", in: 1, out: 2, cw1: 7,
			entry: "cli", speed: "standard", geo: "global", tier: "standard"},
		{id: "msg_3", ts: "2026-06-10T09:00:01.999999999Z", in: 5, out: 6, geo: "not_available", tier: "batch", side: true, session: "sess-b"},
		{id: "msg_4", req: "req_4", ts: "2026-06-10T09:00:02Z", ws: 1},                                                    // a web search alone
		{ts: "2026-06-10T14:30:02.5+05:30", in: 9, out: 9, entry: "claude-code-github-action", model: "claude-haiku-4-5"}, // keyless
		{id: "msg_6", req: "req_6", ts: "2026-06-09T23:59:59.999+00:00", in: 1, out: 1, cw5: 5, cw1: 6, model: "claude-sonnet-4-5"},
	}
	wantTimes := []time.Time{
		time.Date(2026, 6, 10, 9, 0, 1, 123456000, time.UTC),
		time.Date(2026, 6, 10, 9, 0, 1, 1, time.UTC),
		time.Date(2026, 6, 10, 9, 0, 1, 999999999, time.UTC),
		time.Date(2026, 6, 10, 9, 0, 2, 0, time.UTC),
		time.Date(2026, 6, 10, 9, 0, 2, 500000000, time.UTC),
		time.Date(2026, 6, 9, 23, 59, 59, 999000000, time.UTC),
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.String())
	}
	// A smaller copy of msg_1 and a sidechain copy of msg_2: not what is kept.
	small := recs[0]
	small.out = 1
	sc := recs[1]
	sc.side = true
	b.WriteString(small.String() + sc.String())
	writeFile(t, path, b.String())

	s := openStore(t, filepath.Join(dir, "usage.db"))
	ingest(t, s, fileOf(path))
	got := reqsOf(t, s)

	var want []usage.Request
	for i, r := range recs {
		want = append(want, named(r.want(wantTimes[i]))) // the keyless one: by its fields
	}
	sortRequests(want)
	sameRequests(t, "by hand", got, want)
	fromScan, _ := scanned(t, fileOf(path))
	sameRequests(t, "scan", got, fromScan)
	sameContent(t, "report from the store alone", report(t, s, nil), want)
	sameContent(t, "report from the store and the logs", report(t, s, fileOf(path)), want)
	for _, r := range got {
		if r.Time.Location() != time.UTC {
			t.Errorf("%s: time in %v", r.Key, r.Time.Location())
		}
	}
	// Unix nanoseconds since schema version 3.
	var stored int64
	h := usage.HashOf(&usage.Request{Key: "msg_1:req_1"})
	rawDB(t, s).QueryRow(`SELECT time FROM requests WHERE key = ?`, h[:]).Scan(&stored)
	if want := time.Date(2026, 6, 10, 9, 0, 1, 123456000, time.UTC).UnixNano(); stored != want {
		t.Errorf("stored time %d, want %d", stored, want)
	}

	// Through a second store filled by appends, one line at a time.
	s2 := openStore(t, filepath.Join(dir, "usage2.db"))
	p2 := filepath.Join(dir, "t.jsonl")
	writeFile(t, p2, "")
	for _, l := range strings.SplitAfter(b.String(), "\n") {
		appendFile(t, p2, l)
		ingest(t, s2, fileOf(p2))
	}
	sameRequests(t, "appended line by line", reqsOf(t, s2), want)
}
