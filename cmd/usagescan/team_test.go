package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/usagescan/usagescan/internal/pgtest"
	"github.com/usagescan/usagescan/store"
)

// tokensByUser sums input + output tokens of report --format json rows by user.
func tokensByUser(rows []map[string]any) map[string]float64 {
	out := map[string]float64{}
	for _, r := range rows {
		in, _ := r["input_tokens"].(float64)
		o, _ := r["output_tokens"].(float64)
		u, _ := r["user"].(string)
		out[u] += in + o
	}
	return out
}

// ingest --admin-api stores exactly what the stand-in serves, under the key's
// person, and remembers the last complete day for the next pull.
func TestIngestAdminAPI(t *testing.T) {
	var hits atomic.Int32
	srv := adminStandIn(t, &hits)
	s := newSession(t)
	s.env["USAGESCAN_NOW"] = "2026-11-26T12:00:00Z"
	s.env["ANTHROPIC_ADMIN_API_KEY"] = adminTestKey
	code, _, errs := s.run("ingest", "--admin-api", "--admin-api-url", srv.URL)
	if code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	// A first pull reaches 30 days back; the stand-in serves two usage pages.
	if !strings.Contains(errs, "admin API: 3 usage rows and 1 cost row for 2026-10-27 to 2026-11-26") ||
		!strings.Contains(errs, ": 4 new, 0 updated, 0 unchanged") {
		t.Errorf("ingest said:\n%s", errs)
	}
	if strings.Contains(errs, "CLITESTSECRET") {
		t.Error("the Admin API key is printed")
	}
	got := tokensByUser(s.rows())
	want := map[string]float64{"alice": 1000 + 200 + 500 + 50, "bob": 30 + 4}
	for u, n := range want {
		if got[u] != n {
			t.Errorf("%s: %v tokens in the report, want %v (all: %v)", u, got[u], n, got)
		}
	}
	if got["alice"]+got["bob"] != 1784 {
		t.Errorf("report %v holds other tokens", got)
	}
	st, err := store.Open(filepath.Join(s.home, ".local/share/usagescan/usage.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	day, ok, err := st.Meta("admin_api_last_complete_day")
	st.Close()
	if err != nil || !ok || day != "2026-11-25" {
		t.Errorf("remembered day %q %v %v, want 2026-11-25", day, ok, err)
	}
	// The next pull asks for the last two days again; the same rows add nothing.
	code, _, errs = s.run("ingest", "--admin-api", "--admin-api-url", srv.URL)
	if code != 0 || !strings.Contains(errs, "for 2026-11-24 to 2026-11-26") || !strings.Contains(errs, ": 0 new, 0 updated, 4 unchanged") {
		t.Errorf("second pull: exit %d:\n%s", code, errs)
	}
	if again := tokensByUser(s.rows()); !reflect.DeepEqual(again, got) {
		t.Errorf("after a second pull %v, was %v", again, got)
	}
	// --since without --admin-api is a mistake.
	if code, _, errs := s.run("ingest", "--since", "2026-11-01"); code != 1 || !strings.Contains(errs, "add --admin-api") {
		t.Errorf("--since alone: exit %d: %s", code, errs)
	}
}

// ingest --from merges another store; twice adds nothing.
func TestIngestFrom(t *testing.T) {
	s := newSession(t)
	other := filepath.Join(s.home, "laptop.db")
	if code, _, errs := s.run("ingest", "--db", other, "--logs", fixtures+"/basic"); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	laptop := s.rows("--db", other)
	code, _, errs := s.run("ingest", "--logs", fixtures+"/recommend/light", "--from", other)
	if code != 0 || !strings.Contains(errs, "merged "+other) {
		t.Fatalf("ingest --from: exit %d: %s", code, errs)
	}
	first := s.rows()
	code, _, errs = s.run("ingest", "--logs", fixtures+"/recommend/light", "--from", other)
	if code != 0 || !strings.Contains(errs, ": 0 new, 0 updated, ") {
		t.Fatalf("ingest --from again: exit %d: %s", code, errs)
	}
	if again := s.rows(); !reflect.DeepEqual(again, first) {
		t.Errorf("merging twice changed the report:\n%v\nwas\n%v", again, first)
	}
	// Everything of the laptop is in the merged store.
	have := map[string]bool{}
	for _, r := range first {
		b, _ := json.Marshal(r)
		have[string(b)] = true
	}
	for _, r := range laptop {
		b, _ := json.Marshal(r)
		if !have[string(b)] {
			t.Errorf("the laptop's row %s is not in the merged report", b)
		}
	}
	if code, _, errs := s.run("ingest", "--from", filepath.Join(s.home, "nope.db")); code != exitNoData || !strings.Contains(errs, "no usagescan store there") {
		t.Errorf("--from a missing store: exit %d: %s", code, errs)
	}
}

// withPassword adds a password to a PostgreSQL URL (trust auth ignores it).
func withPassword(t *testing.T, u, pw string) string {
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	name := "root"
	if p.User != nil {
		name = p.User.Username()
	}
	p.User = url.UserPassword(name, pw)
	return p.String()
}

// The team flow on PostgreSQL: machines ingest into one database; report,
// recommend and store check read it; --from merges both ways; the password
// never shows.
func TestTeamPostgresCLI(t *testing.T) {
	const secret = "s3cretPWxyz"
	db := withPassword(t, pgtest.URL(t, os.Getenv), secret)
	t.Setenv("PGPASSWORD", "pgEnvSecret9") // read by the driver from the process
	s := newSession(t)
	s.env["USAGESCAN_NOW"] = "2026-11-26T12:00:00Z"
	var said strings.Builder
	run := func(args ...string) (int, string) {
		code, out, errs := s.run(args...)
		said.WriteString(out + errs)
		return code, out + errs
	}
	for _, who := range []string{"light", "steady", "heavy"} {
		if code, out := run("ingest", "--db", db, "--logs", who+"="+fixtures+"/recommend/"+who); code != 0 {
			t.Fatalf("ingest %s: exit %d: %s", who, code, out)
		}
	}
	if code, out := run("store", "check", "--db", db); code != 0 || !strings.Contains(out, ": ok, schema version 4") {
		t.Errorf("store check: exit %d: %s", code, out)
	}
	code, out := run("recommend", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("recommend: exit %d: %s", code, out)
	}
	for _, who := range []string{`"light"`, `"steady"`, `"heavy"`} {
		if !strings.Contains(out, who) {
			t.Errorf("recommend does not see %s:\n%s", who, out)
		}
	}
	// The same logs in a SQLite store give the same report.
	lite := filepath.Join(s.home, "lite.db")
	for _, who := range []string{"light", "steady", "heavy"} {
		run("ingest", "--db", lite, "--logs", who+"="+fixtures+"/recommend/"+who)
	}
	pgRows := s.rows("--db", db, "--by", "day")
	if liteRows := s.rows("--db", lite, "--by", "day"); len(pgRows) == 0 || !reflect.DeepEqual(pgRows, liteRows) {
		t.Errorf("report from PostgreSQL:\n%v\nfrom SQLite:\n%v", pgRows, liteRows)
	}
	stored := pgtest.Count(t, db, "requests")
	// --from merges a SQLite store into PostgreSQL (twice: nothing more), and back.
	laptop := filepath.Join(s.home, "laptop.db")
	run("ingest", "--db", laptop, "--logs", fixtures+"/basic")
	if code, out := run("ingest", "--db", db, "--from", laptop); code != 0 || !strings.Contains(out, "merged "+laptop) {
		t.Fatalf("ingest --from into PostgreSQL: exit %d: %s", code, out)
	}
	merged := pgtest.Count(t, db, "requests")
	if merged <= stored {
		t.Errorf("--from added nothing: %d requests, %d before", merged, stored)
	}
	if code, out := run("ingest", "--db", db, "--from", laptop); code != 0 || !strings.Contains(out, ": 0 new, 0 updated,") {
		t.Errorf("ingest --from again: exit %d: %s", code, out)
	}
	if n := pgtest.Count(t, db, "requests"); n != merged {
		t.Errorf("merging twice: %d requests, %d after the first", n, merged)
	}
	// reconcile reads the logs from the PostgreSQL store.
	if code, out := run("reconcile", "--db", db, "--csv", fixtures+"/billing/claude_api_tokens_2026_06.csv", "--user-map", fixtures+"/billing-users.csv"); code != 0 || !strings.Contains(out, "2026-06  alice@example.com") {
		t.Errorf("reconcile from PostgreSQL: exit %d: %s", code, out)
	}
	copyDB := filepath.Join(s.home, "copy.db")
	if code, out := run("ingest", "--db", copyDB, "--from", db); code != 0 {
		t.Fatalf("ingest --from PostgreSQL: exit %d: %s", code, out)
	}
	if a, b := s.rows("--db", copyDB), s.rows("--db", db); !reflect.DeepEqual(a, b) {
		t.Errorf("a copy of the PostgreSQL store reports\n%v\nthe store\n%v", a, b)
	}
	// The README's roles: writers insert and update, readers only read.
	owner := pgtest.URL(t, os.Getenv) // a second store, made by its owner's first ingest
	if code, out := run("ingest", "--db", owner, "--logs", "light="+fixtures+"/recommend/light"); code != 0 {
		t.Fatalf("owner's ingest: exit %d: %s", code, out)
	}
	schema := pgtest.Schema(owner)
	writer, writerURL := pgtest.Role(t, owner, "usagescan_writer")
	reader, readerURL := pgtest.Role(t, owner, "usagescan_reader")
	pgtest.Exec(t, owner,
		`GRANT USAGE ON SCHEMA `+schema+` TO `+writer+`, `+reader,
		`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA `+schema+` TO `+writer,
		`GRANT DELETE ON rollup TO `+writer,
		`GRANT SELECT ON ALL TABLES IN SCHEMA `+schema+` TO `+reader)
	if code, out := run("ingest", "--db", writerURL, "--logs", "steady="+fixtures+"/recommend/steady"); code != 0 {
		t.Errorf("writer's ingest: exit %d: %s", code, out)
	}
	if code, out := run("ingest", "--db", readerURL, "--logs", "heavy="+fixtures+"/recommend/heavy"); code != 1 || !strings.Contains(out, "permission denied") {
		t.Errorf("reader's ingest: exit %d: %s", code, out)
	}
	s.env["CLAUDE_CONFIG_DIR"] = fixtures + "/basic" // logs of its own: the reader cannot store them
	code, out = run("recommend", "--db", readerURL, "--format", "json")
	if code != 0 || !strings.Contains(out, `"light"`) || !strings.Contains(out, `"steady"`) || strings.Contains(out, `"heavy"`) ||
		!strings.Contains(out, "this role may only read it") {
		t.Errorf("reader's recommend: exit %d: %s", code, out)
	}
	delete(s.env, "CLAUDE_CONFIG_DIR")

	// USAGESCAN_DB names it too, and config shows it without the password.
	s.env["USAGESCAN_DB"] = db
	if code, out := run("config"); code != 0 || !strings.Contains(out, "postgres://root@127.0.0.1") {
		t.Errorf("config: exit %d: %s", code, out)
	}
	if code, out := run("store", "check"); code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("store check with USAGESCAN_DB: exit %d: %s", code, out)
	}
	delete(s.env, "USAGESCAN_DB")
	// Errors name the database without the password.
	bad, _ := url.Parse(db)
	bad.Host = "127.0.0.1:1" // nothing listens there
	if code, out := run("store", "check", "--db", bad.String()); code == 0 || !strings.Contains(out, "postgres://root@127.0.0.1:1/") {
		t.Errorf("store check of a closed port: exit %d: %s", code, out)
	}
	bad, _ = url.Parse(db)
	bad.Path = "/usagescan_no_such_db"
	if code, out := run("ingest", "--db", bad.String(), "--logs", fixtures+"/basic"); code == 0 || !strings.Contains(out, "usagescan_no_such_db") {
		t.Errorf("ingest into a missing database: exit %d: %s", code, out)
	}
	for _, pw := range []string{secret, "pgEnvSecret9"} {
		if strings.Contains(said.String(), pw) {
			t.Errorf("a password is printed:\n%s", said.String())
		}
	}
	// The data is in the database's tables, not in a file named like the URL.
	for _, dir := range []string{".", s.home} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "postgres") {
				t.Errorf("%s holds %s", dir, e.Name())
			}
		}
	}
}
