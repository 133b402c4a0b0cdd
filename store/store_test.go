package store

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func openStore(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// put stores reqs, notices and file states in one run stamped now.
func put(t testing.TB, s *Store, now time.Time, reqs []usage.Request, notices []usage.Notice, files []scan.FileState) Counts {
	t.Helper()
	tx, err := s.Begin(now)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.Add(reqs); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddNotices(notices); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetFiles(files); err != nil {
		t.Fatal(err)
	}
	c, err := tx.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// load is every stored request by key hash, in the order Requests gives
// them, and every notice.
func load(t testing.TB, s *Store) ([]usage.KeyHash, map[usage.KeyHash]usage.Request, []usage.Notice) {
	t.Helper()
	var order []usage.KeyHash
	m := make(map[usage.KeyHash]usage.Request)
	err := s.Requests(time.Time{}, time.Time{}, func(h usage.KeyHash, r *usage.Request) error {
		if _, ok := m[h]; ok {
			t.Fatalf("key %x twice", h)
		}
		order = append(order, h)
		m[h] = *r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := s.Notices(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return order, m, ns
}

var t0 = time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)

// genRequests makes n log-like requests over a few days, for users alice and
// bob, some without a key, a few with a larger second copy.
func genRequests(n int) []usage.Request {
	var out []usage.Request
	for i := range n {
		r := usage.Request{Key: fmt.Sprintf("msg_%d:req_%d", i, i), Time: t0.Add(time.Duration(i*797) * time.Second),
			User: []string{"alice", "bob"}[i%2], Source: "claude-code", Model: []string{"claude-opus-4-6", "claude-sonnet-4-5"}[i%3%2],
			Tokens:    usage.Tokens{Input: int64(i % 100), Output: int64(1 + i%300), CacheWrite5m: int64(i % 5000), CacheRead: int64(i * 37 % 50000)},
			SessionID: fmt.Sprintf("s%d", i/20), Cwd: "/home/alice/src", Entrypoint: "cli", Tier: "standard", Count: 1}
		if i%10 == 3 {
			r.Key = "" // keyed by its fields
		}
		out = append(out, r)
		if i%7 == 0 {
			c := r
			c.Output += 50
			out = append(out, c)
		}
	}
	return out
}

// unique is reqs with one copy per key hash, the better by usage.Better.
func unique(reqs []usage.Request) map[usage.KeyHash]usage.Request {
	m := make(map[usage.KeyHash]usage.Request)
	for _, r := range reqs {
		h := usage.HashOf(&r)
		if o, ok := m[h]; !ok || usage.Better(&r, &o) {
			r.Key = ""
			m[h] = r
		}
	}
	return m
}

func TestDefaultPath(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
		err  bool
	}{
		{map[string]string{"HOME": "/home/a"}, "/home/a/.local/share/usagescan/usage.db", false},
		{map[string]string{"HOME": "/home/a", "XDG_DATA_HOME": "/data"}, "/data/usagescan/usage.db", false},
		{map[string]string{"HOME": "/home/a", "XDG_DATA_HOME": "rel/data"}, "/home/a/.local/share/usagescan/usage.db", false},
		{map[string]string{"HOME": "/home/a", "XDG_DATA_HOME": "/data", "USAGESCAN_DB": "/x/u.db"}, "/x/u.db", false},
		{map[string]string{"HOME": "/home/a", "USAGESCAN_DB": "~/u.db"}, "/home/a/u.db", false},
		{map[string]string{"USAGESCAN_DB": "rel.db"}, "rel.db", false},
		{map[string]string{}, "", true},
		{map[string]string{"USAGESCAN_DB": "~/u.db"}, "", true},
	} {
		got, err := DefaultPath(func(k string) string { return tc.env[k] })
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("%v: %q, %v; want %q (error %v)", tc.env, got, err, tc.want, tc.err)
		}
	}
}

func TestOpenCreatesFolderAndMarksTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a b", "c?d#e%20f", "usage.db") // not URI parameters
	s := openStore(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	var appID int32
	var v int
	var mode string
	s.db.QueryRow(`PRAGMA application_id`).Scan(&appID)
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if appID != applicationID || v != SchemaVersion || mode != "wal" {
		t.Errorf("application_id %#x, user_version %d, journal_mode %s", appID, v, mode)
	}
	s.Close()
	// Opened again it is the same store; a reader opens it too.
	openStore(t, path).Close()
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := r.Begin(time.Now()); err == nil {
		tx.Rollback()
		t.Error("a reader began a run")
	}
	if _, err := r.db.Exec(`DELETE FROM requests`); err == nil {
		t.Error("a reader wrote")
	}
	r.Close()
}

func TestReaderWithoutStore(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"missing.db", "empty.db"} {
		path := filepath.Join(dir, name)
		if name == "empty.db" {
			writeFile(t, path, "")
		}
		if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want fs.ErrNotExist", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("a reader created the store")
	}
}

// sqliteFile makes a SQLite database with the given statements.
func sqliteFile(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestForeignFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
		want error
	}{
		{"text", func(t *testing.T, path string) { writeFile(t, path, "my notes\n") }, ErrForeign},
		{"binary", func(t *testing.T, path string) { writeFile(t, path, strings.Repeat("\x00\x01binary", 100)) }, ErrForeign},
		{"other SQLite", func(t *testing.T, path string) {
			sqliteFile(t, path, `CREATE TABLE contacts (name TEXT)`, `INSERT INTO contacts VALUES ('bob')`)
		}, ErrForeign},
		{"other application", func(t *testing.T, path string) {
			sqliteFile(t, path, `PRAGMA application_id = 0x12345678`, `CREATE TABLE requests (key TEXT)`)
		}, ErrForeign},
		{"newer usagescan", func(t *testing.T, path string) {
			sqliteFile(t, path, fmt.Sprintf(`PRAGMA application_id = %d`, applicationID), `CREATE TABLE requests (key TEXT)`,
				`PRAGMA user_version = 99`)
		}, ErrNewer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "usage.db")
			tc.make(t, path)
			before, _ := os.ReadFile(path)
			for _, opt := range []Options{{}, {ReadOnly: true}} {
				s, err := Open(path, opt)
				if !errors.Is(err, tc.want) {
					if s != nil {
						s.Close()
					}
					t.Fatalf("%+v: %v, want %v", opt, err, tc.want)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("the message does not name the file: %v", err)
				}
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("the file was changed")
			}
			suffixes := []string{"-wal", "-shm", "-journal"}
			if tc.want == ErrForeign { // nothing of ours beside another program's file, not even a lock
				suffixes = append(suffixes, ".lock")
			}
			for _, suffix := range suffixes {
				if _, err := os.Stat(path + suffix); err == nil {
					t.Errorf("%s was created", suffix)
				}
			}
		})
	}
}

// storeWithRows makes a store holding generated requests, notices and file
// states, closed.
func storeWithRows(t *testing.T) (path string, reqs []usage.Request, files []scan.FileState) {
	t.Helper()
	reqs = genRequests(500)
	for i := range 8 {
		files = append(files, scan.FileState{Path: fmt.Sprintf("/logs/%d.jsonl", i), User: "alice", Dev: 1, Ino: uint64(100 + i),
			Size: int64(1000 * i), Mtime: t0.UnixNano(), Offset: int64(1000 * i), Lines: int64(i), HeadLen: min(int64(1000*i), 4096),
			Head: make([]byte, 32)})
	}
	notices := []usage.Notice{{Time: t0.Add(time.Hour), User: "alice", Text: "You've hit your limit"}, {Time: t0, User: "bob", Text: "limit"}}
	path = filepath.Join(t.TempDir(), "usage.db")
	s := openStore(t, path)
	put(t, s, t0.Add(48*time.Hour), reqs, notices, files)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("the WAL was not checkpointed on close")
	}
	return path, reqs, files
}

func corrupt(t *testing.T, path string, from, to int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, int(to-from)/4)
	if _, err := f.WriteAt(junk, from); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptStore(t *testing.T) {
	t.Run("schema page", func(t *testing.T) {
		path, _, _ := storeWithRows(t)
		corrupt(t, path, 100, 4096) // page 1 past the header: the schema
		before, _ := os.ReadFile(path)
		for _, opt := range []Options{{}, {ReadOnly: true}} {
			s, err := Open(path, opt)
			if !errors.Is(err, ErrCorrupt) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("%+v: %v, want ErrCorrupt", opt, err)
			}
			if !strings.Contains(err.Error(), "usagescan ingest") {
				t.Errorf("no advice: %v", err)
			}
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Error("the file was changed")
		}
	})
	t.Run("data pages", func(t *testing.T) {
		path, _, files := storeWithRows(t)
		st, _ := os.Stat(path)
		corrupt(t, path, 4096, st.Size())
		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%v, want ErrCorrupt", err)
			}
			return
		}
		defer s.Close()
		res, err := s.Check()
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("check: %v", err)
		}
		if err == nil && (res.OK || !strings.Contains(res.Advice, "usagescan ingest")) {
			t.Errorf("check: %+v", res)
		}
		err = s.Requests(time.Time{}, time.Time{}, func(usage.KeyHash, *usage.Request) error { return nil })
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("requests: %v, want ErrCorrupt", err)
		}
		_ = files
	})
}

func TestCheck(t *testing.T) {
	path, reqs, files := storeWithRows(t)
	s := openStore(t, path)
	res, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	want := unique(reqs)
	groups := make(map[aggregate.GroupKey]bool)
	first, last := reqs[0].Time, reqs[0].Time
	for _, r := range want {
		groups[aggregate.KeyOf(&r, nil)] = true
		if r.Time.Before(first) {
			first = r.Time
		}
		if r.Time.After(last) {
			last = r.Time
		}
	}
	if !res.OK || res.Version != SchemaVersion || res.Requests != int64(len(want)) || res.Notices != 2 ||
		res.Files != int64(len(files)) || res.Groups != int64(len(groups)) || !res.First.Equal(first) ||
		!res.Last.Equal(last) || !res.LastScan.Equal(t0.Add(48*time.Hour)) {
		t.Errorf("%+v; want %d requests in %d groups", res, len(want), len(groups))
	}
	if !strings.Contains(res.String(), "ok, schema version") {
		t.Errorf("%s", res)
	}

	// A rollup that no longer sums the requests is found.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE rollup SET input = input + 1 WHERE slot = (SELECT min(slot) FROM rollup)`); err != nil {
		t.Fatal(err)
	}
	res, err = s.Check()
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || !strings.Contains(res.Advice, "rollup disagrees") {
		t.Errorf("a wrong rollup: %+v", res)
	}

	// So is a daily rollup that no longer sums the 15-minute one.
	if _, err := db.Exec(`UPDATE rollup SET input = input - 1 WHERE slot = (SELECT min(slot) FROM rollup)`); err != nil {
		t.Fatal(err)
	}
	if res, err = s.Check(); err != nil || !res.OK {
		t.Fatalf("the rollup put back: %+v, %v", res, err)
	}
	if _, err := db.Exec(`UPDATE rollup_day SET requests = requests + 1 WHERE day = (SELECT max(day) FROM rollup_day)`); err != nil {
		t.Fatal(err)
	}
	if res, err = s.Check(); err != nil || res.OK || !strings.Contains(res.Advice, "daily rollup disagrees") {
		t.Errorf("a wrong daily rollup: %+v, %v", res, err)
	}
}

// TestGroupsIn sums stored requests over intervals whose edges fall inside
// UTC days (as a month in Asia/Kolkata does) and on them, after runs that
// replaced stored copies, and compares each total with the requests summed
// here slot by slot.
func TestGroupsIn(t *testing.T) {
	checkGroupsIn(t, openStore(t, filepath.Join(t.TempDir(), "usage.db")))
}

func checkGroupsIn(t *testing.T, s *Store) {
	t.Helper()
	reqs := genRequests(3000) // 3000 x 797 s: about 28 days from t0
	put(t, s, t0.Add(-time.Hour), reqs[:1000], nil, nil)
	more := slices.Clone(reqs[500:])
	for i := range more {
		if i%5 == 0 {
			more[i].Output += 1000 // replaces the stored copy: the rollups move
		}
	}
	put(t, s, t0.Add(time.Hour), more, nil, nil)
	want := unique(append(slices.Clone(reqs[:1000]), more...))

	day := int64(aggregate.SlotsPerDay)
	first := aggregate.SlotOf(t0)
	for _, bounds := range [][]int64{
		{first - day, first + 40*day}, // everything, edges inside days
		{aggregate.DayOfSlot(first) * day, (aggregate.DayOfSlot(first) + 30) * day},                         // whole days only
		{first + 22, first + 22 + 3*day + 17, first + 22 + 10*day, first + 22 + 10*day + 5, first + 30*day}, // ragged, and a piece inside one day
		{first + 7, first + 9}, // two slots
	} {
		got := make(aggregate.Groups)
		if err := s.GroupsIn(bounds, func(k aggregate.GroupKey, sum *aggregate.Sums) { got.AddSums(k, sum) }); err != nil {
			t.Fatal(err)
		}
		exp := make(aggregate.Groups)
		for _, r := range want {
			k := aggregate.KeyOf(&r, nil)
			for i := 0; i+1 < len(bounds); i++ {
				if k.Slot >= bounds[i] && k.Slot < bounds[i+1] {
					k.Slot = bounds[i]
					exp.Add(k, &r, 1)
				}
			}
		}
		if len(exp) == 0 {
			t.Fatalf("bounds %v: no requests to compare", bounds)
		}
		if len(got) != len(exp) {
			t.Errorf("bounds %v: %d groups, want %d", bounds, len(got), len(exp))
		}
		for k, e := range exp {
			if g := got[k]; g == nil || *g != *e {
				t.Errorf("bounds %v, %+v: %+v, want %+v", bounds, k, g, e)
			}
		}
	}
}

// v1 is the schema of version 1 as a released store holds it, written out here so
// that an edit of migration 1 cannot go unnoticed.
const v1 = `CREATE TABLE requests (
	key TEXT PRIMARY KEY, time TEXT NOT NULL, user TEXT NOT NULL, source TEXT NOT NULL, model TEXT NOT NULL,
	input INTEGER NOT NULL, output INTEGER NOT NULL, cache_write_5m INTEGER NOT NULL, cache_write_1h INTEGER NOT NULL,
	cache_read INTEGER NOT NULL, web_search INTEGER NOT NULL, web_fetch INTEGER NOT NULL, sidechain INTEGER NOT NULL,
	session TEXT NOT NULL, cwd TEXT NOT NULL, entrypoint TEXT NOT NULL, speed TEXT NOT NULL, geo TEXT NOT NULL,
	tier TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, replaced INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE notices (time TEXT NOT NULL, user TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (time, user, text)) WITHOUT ROWID;
CREATE TABLE files (
	path TEXT PRIMARY KEY, user TEXT NOT NULL, device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,
	mtime INTEGER NOT NULL, offset INTEGER NOT NULL, lines INTEGER NOT NULL, head_len INTEGER NOT NULL,
	head_sha256 BLOB NOT NULL, last_scan TEXT NOT NULL
);`

func TestMigrateFromV1(t *testing.T) {
	if len(migrations) != SchemaVersion {
		t.Fatalf("%d migrations, SchemaVersion %d", len(migrations), SchemaVersion)
	}
	if v1 != migrations[0] && !sameSchema(t, v1, migrations[0]) {
		t.Fatal("migration 1 no longer makes the version 1 schema")
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "s.jsonl")
	const logLine = `{"type":"assistant","sessionId":"s1","timestamp":"2026-06-10T09:00:01.000Z","requestId":"req_A",` +
		`"message":{"model":"claude-opus-4-6","id":"msg_A","role":"assistant","usage":{"input_tokens":10,"output_tokens":5}}}` + "\n"
	writeFile(t, logPath, logLine)
	fi, _ := os.Stat(logPath)
	dev, ino := scan.Identity(fi)
	head := sha256.Sum256([]byte(logLine))

	path := filepath.Join(dir, "usage.db")
	sqliteFile(t, path,
		fmt.Sprintf(`PRAGMA application_id = %d`, applicationID),
		v1,
		`INSERT INTO requests VALUES ('msg_OLD:req_OLD', '2026-01-05T10:00:00.123000000Z', 'alice', 'claude-code', 'claude-opus-4-1',
			1, 2, 3, 4, 5, 1, 0, 0, 's0', '/home/alice', 'cli', '', '', 'standard', '2026-01-06T00:00:00Z', '2026-01-06T00:00:00Z', 0)`,
		`INSERT INTO notices VALUES ('2026-01-05T11:00:00.000000000Z', 'alice', 'You''ve hit your limit')`,
		fmt.Sprintf(`INSERT INTO files VALUES (%q, 'alice', %d, %d, %d, %d, %d, 1, %d, x'%x', '2026-01-06T00:00:00Z')`,
			logPath, int64(dev), int64(ino), fi.Size(), fi.ModTime().UnixNano(), fi.Size(), fi.Size(), head[:]),
		`PRAGMA user_version = 1`,
	)

	// A reader migrates it too (under the lock); then a writer finds it current.
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_, reqs, notices := load(t, r)
	r.Close()
	want := usage.Request{Key: "msg_OLD:req_OLD", Time: time.Date(2026, 1, 5, 10, 0, 0, 123e6, time.UTC), User: "alice",
		Source: "claude-code", Model: "claude-opus-4-1", Tokens: usage.Tokens{Input: 1, Output: 2, CacheWrite5m: 3, CacheWrite1h: 4, CacheRead: 5},
		WebSearch: 1, SessionID: "s0", Cwd: "/home/alice", Entrypoint: "cli", Tier: "standard", Count: 1}
	h := usage.HashOf(&want) // keyed by the hash of its old key
	want.Key = ""
	if len(reqs) != 1 || !reflect.DeepEqual(reqs[h], want) {
		t.Errorf("migrated: %+v\nwant %+v", reqs, want)
	}
	if len(notices) != 1 || notices[0].Text != "You've hit your limit" || !notices[0].Time.Equal(time.Date(2026, 1, 5, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("notices %v", notices)
	}

	s := openStore(t, path)
	var v int
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion {
		t.Errorf("version %d, want %d", v, SchemaVersion)
	}
	if res, err := s.Check(); err != nil || !res.OK || res.Requests != 1 || res.Groups != 1 {
		t.Errorf("check: %+v, %v", res, err)
	}
	// The file state survived, as this host's: a read resuming from it reads
	// no line; one appended line is all the next read reads.
	states, err := s.FileStates()
	if err != nil {
		t.Fatal(err)
	}
	st := states[logPath]
	if st == nil || st.Offset != fi.Size() || st.Lines != 1 || st.Ino != ino || st.User != "alice" || !bytes.Equal(st.Head, head[:]) {
		t.Fatalf("file state %+v", st)
	}
	f := scan.File{Path: logPath, User: "alice", Size: fi.Size()}
	sum := scan.Read(scan.Jobs([]scan.File{f}, states), scan.SetSink{Set: aggregate.NewSet()}, scan.Options{})
	if sum.Appended != 1 || sum.Stats.Lines != 0 {
		t.Errorf("resumed read: %+v", sum)
	}
	f2, _ := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
	f2.WriteString(strings.ReplaceAll(logLine, "_A", "_B"))
	f2.Close()
	set := aggregate.NewSet()
	sum = scan.Read(scan.Jobs([]scan.File{f}, states), scan.SetSink{Set: set}, scan.Options{})
	if sum.Appended != 1 || sum.Stats.Lines != 1 || set.Len() != 1 {
		t.Errorf("appended read: %+v, %d records", sum, set.Len())
	}
}

// v2 is migration 2 as released, written out like v1.
const v2 = `ALTER TABLE requests ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE requests ADD COLUMN context INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN billed_input REAL;
ALTER TABLE requests ADD COLUMN billed_output REAL;
ALTER TABLE requests ADD COLUMN billed_cache_write REAL;
ALTER TABLE requests ADD COLUMN billed_cache_read REAL;
ALTER TABLE requests ADD COLUMN billed_web_search REAL;`

// TestMigrateFromV2: a version 2 store's rows survive the move to version 3:
// keyed rows under the hash of their key, keyless rows ("~" and a hash of
// every field, the user too) re-keyed by every field but the user, so that
// copies that differed only in their user become one; times become unix
// nanoseconds; the rollup is built and equals the requests.
func TestMigrateFromV2(t *testing.T) {
	if v2 != migrations[1] && !sameSchema(t, v1+v2, migrations[0]+migrations[1]) {
		t.Fatal("migration 2 no longer makes the version 2 schema")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "usage.db")
	row := func(key, ts, user, source string, in, out int64, count, ctx int, billed string) string {
		return fmt.Sprintf(`INSERT INTO requests (key, time, user, source, model, input, output, cache_write_5m, cache_write_1h,
	cache_read, web_search, web_fetch, sidechain, session, cwd, entrypoint, speed, geo, tier, first_seen, last_seen, replaced,
	count, context, billed_output) VALUES (%q, %q, %q, %q, 'claude-opus-4-6', %d, %d, 0, 0, 100, 0, 0, 0, 's1', '/w', 'cli',
	'', '', 'standard', '2026-06-11T00:00:00Z', '2026-06-12T00:00:00Z', 2, %d, %d, %s)`, key, ts, user, source, in, out, count, ctx, billed)
	}
	sqliteFile(t, path,
		fmt.Sprintf(`PRAGMA application_id = %d`, applicationID),
		v1, v2,
		row("msg_A:req_A", "2026-06-10T09:00:01.500000000Z", "alice", "claude-code", 10, 5, 1, 0, "NULL"),
		row("msg_B", "2026-06-10T09:20:00.000000000Z", "bob", "claude-code", 20, 6, 1, 0, "NULL"),
		// One keyless line read under two labels: one request after.
		row("~00000000000000000000000000000001", "2026-06-10T09:00:02.000000000Z", "zed", "claude-code", 7, 8, 1, 0, "NULL"),
		row("~00000000000000000000000000000002", "2026-06-10T09:00:02.000000000Z", "amy", "claude-code", 7, 8, 1, 0, "NULL"),
		// A billing-export row: count 0, long context, billed.
		row("~00000000000000000000000000000003", "2026-06-01T00:00:00.000000000Z", "ws", "api-cost", 0, 0, 0, 2, "0.5"),
		`INSERT INTO notices VALUES ('2026-06-10T11:00:00.250000000Z', 'alice', 'limit')`,
		`INSERT INTO files VALUES ('/logs/a.jsonl', 'alice', 1, 2, 300, 7, 300, 3, 300, x'00', '2026-06-12T00:00:00Z')`,
		`PRAGMA user_version = 2`,
	)
	s, err := Open(path, Options{Host: "laptop"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Check()
	if err != nil || !res.OK || res.Version != SchemaVersion {
		t.Fatalf("check: %+v, %v", res, err)
	}
	base := usage.Request{Source: "claude-code", Model: "claude-opus-4-6", SessionID: "s1", Cwd: "/w", Entrypoint: "cli", Tier: "standard", Count: 1}
	mk := func(f func(r *usage.Request)) usage.Request {
		r := base
		r.Tokens.CacheRead = 100
		f(&r)
		return r
	}
	want := []usage.Request{
		mk(func(r *usage.Request) {
			r.Key, r.Time, r.User, r.Input, r.Output = "msg_A:req_A", time.Date(2026, 6, 10, 9, 0, 1, 5e8, time.UTC), "alice", 10, 5
		}),
		mk(func(r *usage.Request) {
			r.Key, r.Time, r.User, r.Input, r.Output = "msg_B", time.Date(2026, 6, 10, 9, 20, 0, 0, time.UTC), "bob", 20, 6
		}),
		// Of the two labels, the one usage.Better orders first (the smaller user).
		mk(func(r *usage.Request) {
			r.Time, r.User, r.Input, r.Output = time.Date(2026, 6, 10, 9, 0, 2, 0, time.UTC), "amy", 7, 8
		}),
		mk(func(r *usage.Request) {
			// A v2 billing row keeps its old per-file key: repeated rows
			// ("~h", "~h.2") stay apart, their amounts both counted.
			r.Key = "v2:~00000000000000000000000000000003"
			r.Time, r.User, r.Source, r.Count, r.Context = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), "ws", "api-cost", 0, usage.ContextLong
			r.Billed = &usage.Money{Output: 0.5}
		}),
	}
	_, got, notices := load(t, s)
	if len(got) != len(want) {
		t.Errorf("%d requests, want %d: %+v", len(got), len(want), got)
	}
	for _, w := range want {
		h := usage.HashOf(&w)
		w.Key = ""
		if !reflect.DeepEqual(got[h], w) {
			t.Errorf("got  %+v\nwant %+v", got[h], w)
		}
	}
	if len(notices) != 1 || !notices[0].Time.Equal(time.Date(2026, 6, 10, 11, 0, 0, 25e7, time.UTC)) {
		t.Errorf("notices %+v", notices)
	}
	// first_seen, last_seen and replaced survive, as unix seconds.
	var first, last, replaced int64
	h := usage.HashOf(&want[0])
	s.db.QueryRow(`SELECT first_seen, last_seen, replaced FROM requests WHERE key = ?`, h[:]).Scan(&first, &last, &replaced)
	if first != time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC).Unix() || last != time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC).Unix() || replaced != 2 {
		t.Errorf("first_seen %d, last_seen %d, replaced %d", first, last, replaced)
	}
	// The rollup, by hand: three claude-code groups (alice and amy share 09:00,
	// bob is in 09:15) and the export's.
	sums := make(map[string]aggregate.Sums)
	if err := s.Groups(time.Time{}, time.Time{}, func(k aggregate.GroupKey, x *aggregate.Sums) {
		sums[fmt.Sprintf("%s %s %s long=%v billed=%v", k.Start().Format(time.RFC3339), k.User, k.Source, k.Long, k.Billed)] = *x
	}); err != nil {
		t.Fatal(err)
	}
	wantSums := map[string]aggregate.Sums{
		"2026-06-10T09:00:00Z alice claude-code long=false billed=false": {Tokens: usage.Tokens{Input: 10, Output: 5, CacheRead: 100}, Requests: 1, Records: 1},
		"2026-06-10T09:00:00Z amy claude-code long=false billed=false":   {Tokens: usage.Tokens{Input: 7, Output: 8, CacheRead: 100}, Requests: 1, Records: 1},
		"2026-06-10T09:15:00Z bob claude-code long=false billed=false":   {Tokens: usage.Tokens{Input: 20, Output: 6, CacheRead: 100}, Requests: 1, Records: 1},
		"2026-06-01T00:00:00Z ws api-cost long=true billed=true":         {Tokens: usage.Tokens{CacheRead: 100}, Records: 1, Billed: usage.Money{Output: 0.5}},
	}
	if !reflect.DeepEqual(sums, wantSums) {
		t.Errorf("rollup:\n got  %+v\n want %+v", sums, wantSums)
	}
	// The files, as this host's, last_scan in unix seconds.
	states, _ := s.FileStates()
	if st := states["/logs/a.jsonl"]; st == nil || st.Offset != 300 || st.Lines != 3 || st.Ino != 2 || st.Mtime != 7 {
		t.Errorf("file state %+v", st)
	}
	if res.LastScan != time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC) {
		t.Errorf("last scan %v", res.LastScan)
	}
	// The old tables are gone.
	var n int
	s.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_v2'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d old tables left", n)
	}
}

// sameSchema reports whether two scripts make the same tables and indexes.
func sameSchema(t *testing.T, a, b string) bool {
	t.Helper()
	return reflect.DeepEqual(schemaOf(t, a), schemaOf(t, b))
}

// schemaOf runs script in a new database and describes what it made: every
// table's and index's columns, keys and defaults.
func schemaOf(t *testing.T, script string) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.db")
	sqliteFile(t, path, script)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return describe(t, db)
}

func describe(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	rows, err := db.Query(`SELECT type, name, tbl_name, instr(sql, 'WITHOUT ROWID') > 0 FROM sqlite_schema ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var typ, name, tbl string
		var noRowid bool
		rows.Scan(&typ, &name, &tbl, &noRowid)
		out = append(out, fmt.Sprintf("%s %s on %s without rowid %v", typ, name, tbl, noRowid))
		if typ == "table" || typ == "index" {
			tables = append(tables, typ+" "+name)
		}
	}
	rows.Close()
	for _, tn := range tables {
		typ, name, _ := strings.Cut(tn, " ")
		q := `SELECT cid, name, type, "notnull", coalesce(dflt_value, ''), pk FROM pragma_table_info(?)`
		if typ == "index" {
			q = `SELECT seqno, cid, coalesce(name, ''), '', '', '' FROM pragma_index_info(?)`
		}
		rows, err := db.Query(q, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c [6]string
			rows.Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5])
			out = append(out, tn+": "+strings.Join(c[:], " "))
		}
		rows.Close()
	}
	return out
}

// TestSchemaDoc: the schema in the package doc is the one a store has.
func TestSchemaDoc(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, text, _ := strings.Cut(string(doc), "// # Schema")
	text, _, _ = strings.Cut(text, "// For example")
	var script []string
	for _, l := range strings.Split(text, "\n") {
		if sql, ok := strings.CutPrefix(l, "//\t"); ok {
			script = append(script, sql)
		}
	}
	s := openStore(t, filepath.Join(t.TempDir(), "usage.db"))
	got := describe(t, s.db.DB)
	want := schemaOf(t, strings.Join(script, "\n"))
	if !reflect.DeepEqual(got, want) {
		in := func(s string, list []string) bool { return slices.Contains(list, s) }
		for _, g := range got {
			if !in(g, want) {
				t.Errorf("store, not doc: %s", g)
			}
		}
		for _, w := range want {
			if !in(w, got) {
				t.Errorf("doc, not store: %s", w)
			}
		}
	}
}

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	a := openStore(t, path)
	put(t, a, time.Now(), []usage.Request{{Key: "k", Time: time.Unix(0, 0), Count: 1, Tokens: usage.Tokens{Input: 1}}}, nil, nil)

	for _, timeout := range []time.Duration{-1, 150 * time.Millisecond} {
		start := time.Now()
		b, err := Open(path, Options{LockTimeout: timeout})
		took := time.Since(start)
		if !errors.Is(err, ErrLocked) {
			if b != nil {
				b.Close()
			}
			t.Fatalf("timeout %v: %v, want ErrLocked", timeout, err)
		}
		if took < max(timeout, 0) || took > max(timeout, 0)+2*time.Second {
			t.Errorf("timeout %v: gave up after %v", timeout, took)
		}
		if want := fmt.Sprintf("pid %d", os.Getpid()); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("message %q names neither the file nor %s", err, want)
		}
		var e *Error
		if !errors.As(err, &e) || e.Path != path || !strings.Contains(e.Hint, "--lock-timeout") {
			t.Errorf("%#v", err)
		}
	}

	// Readers take no lock.
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, reqs, _ := load(t, r); len(reqs) != 1 {
		t.Errorf("reader: %d requests", len(reqs))
	}
	r.Close()

	// A waiting writer gets the lock when the holder closes.
	done := make(chan error)
	go func() {
		b, err := Open(path, Options{LockTimeout: 10 * time.Second})
		if err == nil {
			b.Close()
		}
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	a.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
