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

	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

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
	if _, err := r.Ingest(nil, IngestOptions{Records: []usage.Request{{Key: "k"}}}); err == nil {
		t.Error("a reader ingested")
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
			for _, suffix := range []string{"-wal", "-shm", "-journal"} {
				if _, err := os.Stat(path + suffix); err == nil {
					t.Errorf("%s was created", suffix)
				}
			}
		})
	}
}

// storeWithRows makes a store holding the generated tree, closed.
func storeWithRows(t *testing.T) (path string, files []scan.File) {
	t.Helper()
	logs := t.TempDir()
	genTree(t, logs, 8, 60, 200, 9)
	files = discover(t, logs)
	path = filepath.Join(t.TempDir(), "usage.db")
	s := openStore(t, path)
	ingest(t, s, files)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("the WAL was not checkpointed on close")
	}
	return path, files
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
		path, _ := storeWithRows(t)
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
		path, files := storeWithRows(t)
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
		if _, _, err := s.Load(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("load: %v, want ErrCorrupt", err)
		}
		_ = files
	})
}

func TestCheck(t *testing.T) {
	path, files := storeWithRows(t)
	s := openStore(t, path)
	res, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	reqs, notices := load(t, s)
	var keyless int64
	for _, r := range reqs {
		if strings.HasPrefix(r.Key, KeylessPrefix) {
			keyless++
		}
	}
	if !res.OK || res.Version != SchemaVersion || res.Requests != int64(len(reqs)) || res.Notices != int64(len(notices)) ||
		res.Files != int64(len(files)) || res.Keyless != keyless || !res.First.Equal(reqs[0].Time) ||
		!res.Last.Equal(reqs[len(reqs)-1].Time) || res.LastScan.IsZero() {
		t.Errorf("%+v", res)
	}
	if !strings.Contains(res.String(), "ok, schema version") {
		t.Errorf("%s", res)
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
	writeFile(t, logPath, line{id: "msg_A", req: "req_A", sec: 1, in: 10, out: 5}.String())
	fi, _ := os.Stat(logPath)
	dev, ino := identity(fi)
	content, _ := os.ReadFile(logPath)
	head := sha256.Sum256(content)

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
	reqs, notices := load(t, r)
	r.Close()
	want := []usage.Request{{Key: "msg_OLD:req_OLD", Time: time.Date(2026, 1, 5, 10, 0, 0, 123e6, time.UTC), User: "alice",
		Source: "claude-code", Model: "claude-opus-4-1", Tokens: usage.Tokens{Input: 1, Output: 2, CacheWrite5m: 3, CacheWrite1h: 4, CacheRead: 5},
		WebSearch: 1, SessionID: "s0", Cwd: "/home/alice", Entrypoint: "cli", Tier: "standard", Count: 1}}
	sameRequests(t, "migrated", reqs, want)
	if len(notices) != 1 || notices[0].Text != "You've hit your limit" {
		t.Errorf("notices %v", notices)
	}

	s := openStore(t, path)
	var v int
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion {
		t.Errorf("version %d, want %d", v, SchemaVersion)
	}
	// The file state survived: the unchanged log is skipped, the old row kept.
	res := ingest(t, s, []scan.File{{Path: logPath, User: "alice"}})
	if res.Skipped != 1 || res.Bytes != 0 {
		t.Errorf("%+v, want the log skipped", res)
	}
	appendFile(t, logPath, line{id: "msg_B", req: "req_B", sec: 2, in: 1, out: 1}.String())
	if res := ingest(t, s, []scan.File{{Path: logPath, User: "alice"}}); res.Appended != 1 || res.New != 1 {
		t.Errorf("%+v, want one request appended", res)
	}
	if reqs, _ := load(t, s); len(reqs) != 2 || reqs[0].Key != "msg_OLD:req_OLD" {
		t.Errorf("%+v", reqs)
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
	got := describe(t, s.db)
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
	if _, err := a.Ingest(nil, IngestOptions{Records: []usage.Request{{Key: "k", Time: time.Unix(0, 0), Count: 1, Tokens: usage.Tokens{Input: 1}}}}); err != nil {
		t.Fatal(err)
	}

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
	if reqs, _ := load(t, r); len(reqs) != 1 {
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
