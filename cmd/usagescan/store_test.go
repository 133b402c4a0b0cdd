package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usagescan/usagescan/store"
)

// session runs the CLI several times against one temporary home.
type session struct {
	t    *testing.T
	home string
	env  map[string]string
}

func newSession(t *testing.T) *session {
	home := t.TempDir()
	return &session{t: t, home: home, env: map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": home + "/.config", "XDG_DATA_HOME": home + "/.local/share",
		"XDG_CACHE_HOME": home + "/.cache", "TZ": "UTC", "USER": "tester",
	}}
}

func (s *session) run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(append([]string{"usagescan"}, args...), strings.NewReader(""), &out, &errb, func(k string) string { return s.env[k] })
	return code, out.String(), errb.String()
}

// rows runs report --format json and returns its rows.
func (s *session) rows(args ...string) []map[string]any {
	s.t.Helper()
	code, out, errs := s.run(append([]string{"report", "--format", "json"}, args...)...)
	if code != 0 {
		s.t.Fatalf("report %v: exit %d: %s", args, code, errs)
	}
	var rep struct{ Rows []map[string]any }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		s.t.Fatal(err)
	}
	return rep.Rows
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-r", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

func TestIngestThenReport(t *testing.T) {
	s := newSession(t)
	logs := filepath.Join(s.home, "logs")
	copyTree(t, fixtures+"/basic", logs)
	pure := s.rows("--logs", logs, "--no-store")

	code, out, errs := s.run("ingest", "--logs", logs)
	if code != 0 || out != "" || !strings.Contains(errs, "7 new, 0 updated, 0 unchanged; 4 log files (0 unchanged, 0 appended, 4 read whole") {
		t.Fatalf("first ingest: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// The store alone (no logs named, none in $HOME) equals the pure scan,
	// and so does the store with the logs on top.
	if got := s.rows(); !reflect.DeepEqual(got, pure) {
		t.Errorf("store alone:\n got %v\nwant %v", got, pure)
	}
	if got := s.rows("--logs", logs); !reflect.DeepEqual(got, pure) {
		t.Errorf("store + logs:\n got %v\nwant %v", got, pure)
	}
	// A second ingest reads nothing and adds nothing.
	if code, _, errs := s.run("ingest", "--logs", logs); code != 0 || !strings.Contains(errs, "0 new, 0 updated, 0 unchanged; 4 log files (4 unchanged, 0 appended, 0 read whole, 0 B read)") {
		t.Errorf("second ingest: exit %d, %q", code, errs)
	}
	// --quiet prints nothing.
	if code, out, errs := s.run("ingest", "--logs", logs, "--quiet"); code != 0 || out+errs != "" {
		t.Errorf("quiet ingest: exit %d, %q %q", code, out, errs)
	}
	// Deleting logs after ingest changes no report.
	if err := os.RemoveAll(filepath.Join(logs, "projects", "-home-alice-src-api")); err != nil {
		t.Fatal(err)
	}
	if got := s.rows("--logs", logs); !reflect.DeepEqual(got, pure) {
		t.Errorf("after deleting logs:\n got %v\nwant %v", got, pure)
	}
	// An appended session adds exactly its own usage; a streamed response whose
	// output grows is updated, not counted twice.
	web := filepath.Join(logs, "projects", "-home-alice-src-web", "agent-f00d.jsonl")
	f, err := os.OpenFile(web, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	line := func(id string, out int) string {
		return `{"type":"assistant","message":{"id":"` + id + `","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":1,"output_tokens":` +
			itoa(int64(out)) + `}},"requestId":"r` + id + `","timestamp":"2026-07-20T10:00:00Z"}` + "\n"
	}
	f.WriteString(line("msg_new", 5))
	f.Close()
	if code, _, errs := s.run("ingest", "--logs", logs); code != 0 || !strings.Contains(errs, "1 new, 0 updated") || !strings.Contains(errs, "1 appended") {
		t.Errorf("append: exit %d, %q", code, errs)
	}
	f, _ = os.OpenFile(web, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(line("msg_new", 40))
	f.Close()
	if code, _, errs := s.run("ingest", "--logs", logs); code != 0 || !strings.Contains(errs, "0 new, 1 updated") {
		t.Errorf("grown output: exit %d, %q", code, errs)
	}
	got := s.rows("--since", "2026-07", "--until", "2026-07")
	var sonnet map[string]any
	for _, r := range got {
		if r["model"] == "claude-sonnet-4-5-20250929" {
			sonnet = r
		}
	}
	// fixtures/basic has msg_F in July (6 input, 60 output); the new response adds 1 and 40.
	if sonnet == nil || sonnet["output_tokens"] != 100.0 || sonnet["input_tokens"] != 7.0 || sonnet["requests"] != 2.0 {
		t.Errorf("July sonnet after appends = %v, want output 100, input 7, 2 requests", sonnet)
	}
}

// TestConcurrentIngests runs two ingest processes at once (as two cron jobs
// would): the second waits for the first, and the store ends up as one run's.
func TestConcurrentIngests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	s := newSession(t)
	bin := filepath.Join(s.home, "usagescan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v %s", err, out)
	}
	logs := filepath.Join(s.home, "logs")
	copyTree(t, fixtures+"/basic", logs)
	var env []string
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	outs := make([][]byte, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "ingest", "--logs", logs)
			cmd.Env = env
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("%v %s / %v %s", errs[0], outs[0], errs[1], outs[1])
	}
	// One of them added the 7 requests, the other found them there.
	both := string(outs[0]) + string(outs[1])
	if !strings.Contains(both, "7 new") || !strings.Contains(both, "0 new") {
		t.Errorf("outputs: %s", both)
	}
	if got, want := s.rows(), s.rows("--logs", logs, "--no-store"); !reflect.DeepEqual(got, want) {
		t.Errorf("two concurrent ingests:\n got %v\nwant %v", got, want)
	}
}

func TestIngestLocked(t *testing.T) {
	s := newSession(t)
	db := filepath.Join(s.home, "u.db")
	st, err := store.Open(db, store.Options{}) // holds the writer's lock
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	code, _, errs := s.run("ingest", "--logs", fixtures+"/basic", "--db", db, "--lock-timeout", "200ms")
	if code != exitLocked || !strings.Contains(errs, "store is locked") || time.Since(start) < 200*time.Millisecond {
		t.Errorf("exit %d after %v, %q", code, time.Since(start), errs)
	}
}

func TestStoreErrors(t *testing.T) {
	s := newSession(t)
	foreign := filepath.Join(s.home, "notes.txt")
	os.WriteFile(foreign, []byte("my notes, not a database\n"), 0o644)
	for _, args := range [][]string{
		{"ingest", "--logs", fixtures + "/basic", "--db", foreign},
		{"report", "--logs", fixtures + "/basic", "--db", foreign},
		{"store", "check", "--db", foreign},
	} {
		code, _, errs := s.run(args...)
		if code != exitError || !strings.Contains(errs, foreign) {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	if data, _ := os.ReadFile(foreign); string(data) != "my notes, not a database\n" {
		t.Errorf("the foreign file was changed: %q", data)
	}
	if code, _, errs := s.run("store", "check"); code != exitNoData || !strings.Contains(errs, "no store at") {
		t.Errorf("check without a store: exit %d, %q", code, errs)
	}
	s.run("ingest", "--logs", fixtures+"/basic", "--quiet")
	if code, out, _ := s.run("store", "check"); code != 0 || !strings.Contains(out, "ok, schema version") {
		t.Errorf("check: exit %d, %q", code, out)
	}
	if code, _, errs := s.run("ingest", "--logs", "-"); code != exitError || !strings.Contains(errs, "not stdin") {
		t.Errorf("ingest stdin: exit %d, %q", code, errs)
	}
}

func TestOut(t *testing.T) {
	s := newSession(t)
	path := filepath.Join(s.home, "reports", "usage.csv")
	os.MkdirAll(filepath.Dir(path), 0o755)
	code, out, _ := s.run("report", "--logs", fixtures+"/basic", "--format", "csv", "--out", path)
	_, want, _ := s.run("report", "--logs", fixtures+"/basic", "--format", "csv")
	got, err := os.ReadFile(path)
	if code != 0 || out != "" || err != nil || string(got) != want {
		t.Errorf("exit %d, stdout %q, file %q (%v), want %q", code, out, got, err, want)
	}
	missing := filepath.Join(s.home, "no-such-dir", "r.md")
	code, _, errs := s.run("recommend", "--logs", fixtures+"/basic", "--format", "markdown", "--out", missing)
	if _, err := os.Stat(missing); code != exitError || err == nil || !strings.Contains(errs, "--out") {
		t.Errorf("unwritable --out: exit %d, %q, stat %v", code, errs, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// Billing rows kept in the store are totals: recommend leaves them out, as it
// does when they come from --csv, and its answer does not change.
func TestRecommendIgnoresStoredBillingRows(t *testing.T) {
	s := newSession(t)
	args := []string{"recommend", "--format", "json", "--logs", fixtures + "/basic"}
	code, before, _ := s.run(append(args, "--no-store")...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if code, _, errs := s.run("ingest", "--logs", fixtures+"/basic", "--csv", fixtures+"/billing"); code != 0 {
		t.Fatalf("ingest: exit %d %s", code, errs)
	}
	code, after, errs := s.run(args...)
	if code != 0 || !strings.Contains(errs, "9 rows of billing exports left out") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	strip := func(s string) string { // the projection date differs between runs
		var v map[string]any
		json.Unmarshal([]byte(s), &v)
		delete(v, "as_of")
		b, _ := json.Marshal(v)
		return string(b)
	}
	if strip(after) != strip(before) {
		t.Errorf("stored billing rows changed the recommendation:\n%s\n%s", before, after)
	}
}

// The store stands in for the logs: report --csv alone reports the bill alone,
// and an export both stored and named again counts once.
func TestStoreAndBills(t *testing.T) {
	s := newSession(t)
	bill := fixtures + "/billing/claude_api_tokens_2026_06.csv"
	alone := s.rows("--csv", bill, "--no-store")
	if code, _, errs := s.run("ingest", "--logs", fixtures+"/basic", "--csv", bill); code != 0 {
		t.Fatalf("ingest: exit %d %s", code, errs)
	}
	if got := s.rows("--csv", bill); !reflect.DeepEqual(got, alone) {
		t.Errorf("report --csv with a store:\n got %v\nwant the bill alone %v", got, alone)
	}
	// The store holds the bill too: naming it again adds nothing.
	all := s.rows()
	if got := s.rows("--logs", fixtures+"/basic", "--csv", bill); !reflect.DeepEqual(got, all) {
		t.Errorf("store + the same bill again:\n got %v\nwant %v", got, all)
	}
	// reconcile reads the logs (here: the store) even when only --csv is named.
	code, out, errs := s.run("reconcile", "--csv", bill, "--user-map", fixtures+"/billing-users.csv")
	if code != 0 || !strings.Contains(out, "2026-06  alice@example.com") {
		t.Errorf("reconcile from the store: exit %d\n%s%s", code, out, errs)
	}
}
