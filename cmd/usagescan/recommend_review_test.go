package main

// Reviewer tests (rev5) of recommend's data path, written from README
// ("recommend", "History store") and the docs of engine.Input.RequestSeq and
// store.RequestsIn: `recommend --db STORE` (store alone), `recommend
// --no-store --logs DIR` (pure scan) and `recommend --db STORE --logs DIR`
// (store plus the same or newer logs on top) give the same JSON advice (all
// but as_of) for the same data. The pure scan is checked against request
// counts computed here from the lines written; the store's answers are
// compared with the pure scan's.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/usagescan/usagescan/internal/pgtest"
)

// r5msg is one assistant line. id "" writes a line without message.id.
type r5msg struct {
	user, file, id string
	t              time.Time
	in, out        int64
	model, ep      string
	side           bool
}

func (m r5msg) line() string {
	msg := map[string]any{"model": m.model, "role": "assistant", "content": []any{map[string]any{"type": "text", "text": "."}},
		"usage": map[string]any{"input_tokens": m.in, "output_tokens": m.out, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}
	d := map[string]any{"type": "assistant", "sessionId": "s-" + m.file, "cwd": "/src/" + m.user, "isSidechain": m.side,
		"entrypoint": m.ep, "timestamp": m.t.UTC().Format("2006-01-02T15:04:05.000Z"), "message": msg}
	if m.id != "" {
		msg["id"] = "msg_" + m.id
		d["requestId"] = "req_" + m.id
	}
	b, _ := json.Marshal(d)
	return string(b) + "\n"
}

// r5env is an isolated home with log folders per user and stores.
type r5env struct {
	*r4env
	now string
}

func newR5(t *testing.T) *r5env {
	return &r5env{r4env: newR4(t), now: "2026-11-26T12:00:00Z"}
}

// write writes msgs under root/USER/projects/p/FILE (appending).
func (e *r5env) write(root string, msgs ...r5msg) {
	e.t.Helper()
	for _, m := range msgs {
		p := filepath.Join(root, m.user, "projects", "p", m.file)
		os.MkdirAll(filepath.Dir(p), 0o755)
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			e.t.Fatal(err)
		}
		f.WriteString(m.line())
		f.Close()
	}
}

func r5logArgs(root string, users ...string) []string {
	var a []string
	for _, u := range users {
		a = append(a, "--logs", u+"="+filepath.Join(root, u))
	}
	return a
}

func (e *r5env) ingest(db string, args ...string) {
	e.t.Helper()
	if code, _, errs := e.run(nil, append([]string{"ingest", "--db", db}, args...)...); code != 0 {
		e.t.Fatalf("ingest %v: exit %d: %s", args, code, errs)
	}
}

// recommend runs recommend --format json and returns the exit code, the
// JSON without as_of (canonical), the parsed report and stderr.
func (e *r5env) recommend(args ...string) (int, string, map[string]any, string) {
	e.t.Helper()
	code, out, errs := e.run(map[string]string{"USAGESCAN_NOW": e.now}, append([]string{"recommend", "--format", "json"}, args...)...)
	if code != 0 {
		return code, "", nil, errs
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		e.t.Fatalf("recommend %v: %v\n%s", args, err, out)
	}
	delete(v, "as_of")
	b, _ := json.Marshal(v)
	return code, string(b), v, errs
}

// r5months is user -> period -> requests of a report.
func r5months(v map[string]any) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	users, _ := v["users"].([]any)
	for _, u := range users {
		um := u.(map[string]any)
		m := map[string]int64{}
		for _, x := range um["months"].([]any) {
			xm := x.(map[string]any)
			m[xm["period"].(string)] = int64(xm["requests"].(float64))
		}
		out[um["user"].(string)] = m
	}
	return out
}

// r5diff is the first difference between two canonical reports, short.
func r5diff(a, b string) string {
	if a == b {
		return ""
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-150, 0)
	return fmt.Sprintf("at byte %d:\n  got  ...%s...\n  want ...%s...", i, a[lo:min(i+150, len(a))], b[lo:min(i+150, len(b))])
}

var r5models = []string{"claude-sonnet-4-6", "claude-opus-4-6", "claude-haiku-4-5-20251001"}
var r5eps = []string{"cli", "cli", "sdk-cli", "claude-code-github-action", "cli", "vscode"}

// r5corpus is the final logs (and the older logs a store was filled from:
// every 4th response had not grown yet, and the files copied into a second
// file are not there yet). It returns the final messages with the key each
// counts under, for the oracle.
func r5corpus() (final, old []r5msg) {
	base := time.Date(2026, 7, 20, 3, 17, 0, 0, time.UTC)
	for i := range 160 {
		u := []string{"alice", "bob"}[i%2]
		t := base.Add(time.Duration(i) * 18 * time.Hour).Add(time.Duration(i%9) * 7 * time.Minute)
		switch i {
		case 40:
			t = time.Date(2026, 9, 30, 15, 0, 0, 0, time.UTC) // Oct 1 00:00 in Tokyo
		case 41:
			t = time.Date(2026, 10, 1, 7, 0, 0, 0, time.UTC) // Oct 1 00:00 in Los Angeles
		case 42:
			t = time.Date(2026, 9, 30, 10, 59, 59, 0, time.UTC) // Oct 1 00:44:59 in Chatham
		}
		m := r5msg{user: u, file: fmt.Sprintf("f%d.jsonl", i%3), id: fmt.Sprintf("%04d", i), t: t,
			in: int64(100 + i), out: int64(20_000 + 7919*i%50_000), model: r5models[i%3], ep: r5eps[i%len(r5eps)]}
		if i%13 == 0 {
			m.id = "" // keyless: keyed by its fields
		}
		final = append(final, m)
		o := m
		if i%4 == 1 && m.id != "" {
			o.out = m.out / 10 // not grown yet
		}
		old = append(old, o)
		if i%5 == 0 && m.id != "" { // copied into a subagent file, as a sidechain
			c := m
			c.file, c.side = "agent-"+m.file, true
			final = append(final, c)
		}
		if i%6 == 3 && m.id != "" { // a smaller, earlier copy in another file
			c := m
			c.file, c.out = "g.jsonl", m.out/3
			final = append(final, c)
			old = append(old, c)
		}
	}
	return final, old
}

// r5oracle counts the responses of the final messages per user and month
// of loc in [from, to) (zero: none): each id once, keyless lines each.
func r5oracle(msgs []r5msg, loc *time.Location, from, to time.Time) map[string]map[string]int64 {
	seen := map[string]bool{}
	out := map[string]map[string]int64{}
	for _, m := range msgs {
		if m.id != "" {
			if seen[m.id] {
				continue
			}
			seen[m.id] = true
		}
		if (!from.IsZero() && m.t.Before(from)) || (!to.IsZero() && !m.t.Before(to)) {
			continue
		}
		if out[m.user] == nil {
			out[m.user] = map[string]int64{}
		}
		out[m.user][m.t.In(loc).Format("2006-01")]++
	}
	return out
}

// The three ways agree, in several zones and ranges, for two users, with
// copies across files, grown copies only in the logs on top, keyless lines,
// SDK and CI entrypoints; and the pure scan counts what the logs hold.
func TestRev5RecommendThreeWaysAgree(t *testing.T) {
	e := newR5(t)
	_, oldRoot, logs := e.trees()
	final, _ := r5corpus()
	sNew, sOld := filepath.Join(e.home, "new.db"), filepath.Join(e.home, "old.db")
	e.ingest(sNew, logs...)
	e.ingest(sOld, r5logArgs(oldRoot, "alice", "bob")...)

	type rng struct {
		args     []string
		from, to func(*time.Location) time.Time // the months shown
	}
	month := func(y int, m time.Month, d int) func(*time.Location) time.Time {
		return func(l *time.Location) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, l) }
	}
	ranges := []rng{
		{nil, month(2026, 8, 1), month(2026, 12, 1)},
		{[]string{"--since", "2026-10"}, month(2026, 10, 1), month(2026, 12, 1)},
		{[]string{"--until", "2026-09"}, month(2026, 6, 1), month(2026, 10, 1)},
		{[]string{"--since", "2026-09-15", "--until", "2026-11-03"}, month(2026, 9, 15), month(2026, 11, 4)},
	}
	// The older store alone is not the newer logs (else the on-top runs prove nothing).
	_, stale, _, _ := e.recommend("--db", sOld, "--tz", "UTC")
	_, fresh, _, _ := e.recommend(append([]string{"--no-store", "--tz", "UTC"}, logs...)...)
	if stale == fresh || fresh == "" {
		t.Fatal("the older store answers as the newer logs: grown copies had no effect")
	}
	for _, zone := range []string{"UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Chatham"} {
		loc, _ := time.LoadLocation(zone)
		for _, r := range ranges {
			args := append([]string{"--tz", zone}, r.args...)
			code, pure, pv, errs := e.recommend(append(append([]string{"--no-store"}, args...), logs...)...)
			if code != 0 {
				t.Fatalf("pure scan %v: exit %d: %s", args, code, errs)
			}
			want := r5oracle(final, loc, r.from(loc), r.to(loc))
			if len(want["alice"]) < 2 || len(want["bob"]) < 2 {
				t.Fatalf("%v: the corpus has too little use in range: %v", args, want)
			}
			if got := r5months(pv); !reflect.DeepEqual(got, want) {
				t.Errorf("pure scan %v: requests by user and month %v, want %v", args, got, want)
			}
			for _, m := range []struct {
				name string
				args []string
			}{
				{"store alone", []string{"--db", sNew}},
				{"store + the same logs", append([]string{"--db", sNew}, logs...)},
				{"older store + newer logs", append([]string{"--db", sOld}, logs...)},
			} {
				code, got, _, errs := e.recommend(append(m.args, args...)...)
				if code != 0 {
					t.Errorf("%s %v: exit %d: %s", m.name, args, code, errs)
					continue
				}
				if d := r5diff(got, pure); d != "" {
					t.Errorf("%s %v differs from the pure scan %s", m.name, args, d)
				}
			}
		}
	}
}

// Found by the rev5 review (fixed): a grown copy in the logs on top whose time
// lies past --until while the stored, smaller copy lies before it. RequestSeq
// merged only the named sources' copies inside the range, so the stale stored
// copy was still counted. The pure scan keeps the grown copy (after --until)
// and shows no such request. The other way round too: a grown copy stored
// past --until keeps a smaller copy named on top inside the range out.
func TestRev5GrownCopyPastUntilReplacesStoredCopy(t *testing.T) {
	e := newR5(t)
	base := r5msg{user: "alice", file: "a.jsonl", model: "claude-sonnet-4-6", ep: "cli", in: 10}
	a, small, grown := base, base, base
	a.id, a.t, a.out = "a", time.Date(2026, 9, 10, 10, 0, 0, 0, time.UTC), 1_000_000
	small.id, small.t, small.out = "b", time.Date(2026, 9, 30, 23, 59, 0, 0, time.UTC), 100
	grown.id, grown.t, grown.out = "b", time.Date(2026, 10, 1, 0, 1, 0, 0, time.UTC), 2_000_000
	oldRoot, newRoot := filepath.Join(e.home, "old"), filepath.Join(e.home, "new")
	e.write(oldRoot, a, small)
	e.write(newRoot, a, small, grown)
	db := filepath.Join(e.home, "u.db")
	e.ingest(db, r5logArgs(oldRoot, "alice")...)
	logs := r5logArgs(newRoot, "alice")
	for _, until := range []string{"2026-09", "2026-09-30"} {
		args := []string{"--tz", "UTC", "--until", until}
		_, pure, pv, errs := e.recommend(append(append([]string{"--no-store"}, args...), logs...)...)
		// By hand: one request in September (a), 10 input at $3/M + 1M output at $15/M.
		if got := r5months(pv)["alice"]["2026-09"]; got != 1 {
			t.Fatalf("pure scan: %d requests in 2026-09, want 1 (%s)", got, errs)
		}
		_, got, gv, errs := e.recommend(append(append([]string{"--db", db}, args...), logs...)...)
		if d := r5diff(got, pure); d != "" {
			t.Errorf("store + newer logs --until %s: 2026-09 requests %d, want 1 as the pure scan; %s\n%s",
				until, r5months(gv)["alice"]["2026-09"], d, errs)
		}
	}

	// The grown copy stored, the smaller one named on top: still one request.
	db2 := filepath.Join(e.home, "u2.db")
	e.ingest(db2, logs...)
	for _, until := range []string{"2026-09", "2026-09-30"} {
		args := []string{"--tz", "UTC", "--until", until}
		_, pure, _, _ := e.recommend(append(append([]string{"--no-store"}, args...), logs...)...)
		_, got, gv, errs := e.recommend(append(append([]string{"--db", db2}, args...), r5logArgs(oldRoot, "alice")...)...)
		if d := r5diff(got, pure); d != "" {
			t.Errorf("grown copy stored, smaller on top, --until %s: 2026-09 requests %d, want 1 as the pure scan of all; %s\n%s",
				until, r5months(gv)["alice"]["2026-09"], d, errs)
		}
	}
}

// Found by the rev5 review (fixed: bounds are clamped to what unix
// nanoseconds hold): --since/--until far from today. A bound past 2262-04-11 (or
// with the week before --since, before 1677-09-21) does not fit UnixNano:
// store.RequestsIn's bounds wrap, and the store answers "no usage in the
// months asked for" where the pure scan (time comparisons) finds the use.
func TestRev5FarBoundsStoreEqualsPureScan(t *testing.T) {
	e := newR5(t)
	final, _ := r5corpus()
	root := filepath.Join(e.home, "logs")
	e.write(root, final...)
	logs := r5logArgs(root, "alice", "bob")
	db := filepath.Join(e.home, "u.db")
	e.ingest(db, logs...)
	for _, args := range [][]string{
		{"--since", "2026-10", "--until", "2300-01"},
		{"--since", "1600-01", "--until", "2026-08"},
	} {
		args = append([]string{"--tz", "UTC"}, args...)
		code, pure, _, errs := e.recommend(append(append([]string{"--no-store"}, args...), logs...)...)
		if code != 0 {
			t.Fatalf("pure scan %v: exit %d: %s", args, code, errs)
		}
		code, got, _, errs := e.recommend(append([]string{"--db", db}, args...)...)
		if code != 0 || got != pure {
			t.Errorf("store alone %v: exit %d (%s), want the pure scan's answer %s", args, code, strings.TrimSpace(errs), r5diff(got, pure))
		}
	}
}

// A store whose latest use is months before now: recommend falls back to
// the 3 months up to the last month with use, in every way of reading, and
// in a zone where the last use is in the next month.
func TestRev5StaleStoreFallsBackAlike(t *testing.T) {
	e := newR5(t)
	var msgs []r5msg
	for i := range 30 {
		msgs = append(msgs, r5msg{user: []string{"alice", "bob"}[i%2], file: "a.jsonl", id: fmt.Sprintf("s%02d", i),
			t: time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 50 * time.Hour), in: 1000, out: 300_000,
			model: "claude-sonnet-4-6", ep: r5eps[i%len(r5eps)]})
	}
	// The last use: 2026-06-30 12:00 UTC is July 1 in Kiritimati (UTC+14).
	msgs = append(msgs, r5msg{user: "alice", file: "b.jsonl", id: "last", t: time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC),
		in: 1000, out: 300_000, model: "claude-sonnet-4-6", ep: "cli"})
	root := filepath.Join(e.home, "logs")
	e.write(root, msgs...)
	logs := r5logArgs(root, "alice", "bob")
	db := filepath.Join(e.home, "u.db")
	e.ingest(db, logs...)
	for _, c := range []struct {
		zone       string
		from, last string // the months shown
	}{{"UTC", "2026-03", "2026-06"}, {"Pacific/Kiritimati", "2026-04", "2026-07"}, {"America/Los_Angeles", "2026-03", "2026-06"}} {
		args := []string{"--tz", c.zone}
		code, pure, pv, errs := e.recommend(append(append([]string{"--no-store"}, args...), logs...)...)
		if code != 0 {
			t.Fatalf("pure scan %v: exit %d: %s", args, code, errs)
		}
		loc, _ := time.LoadLocation(c.zone)
		f, _ := time.ParseInLocation("2006-01", c.from, loc)
		l, _ := time.ParseInLocation("2006-01", c.last, loc)
		want := r5oracle(msgs, loc, f, l.AddDate(0, 1, 0))
		if got := r5months(pv); !reflect.DeepEqual(got, want) {
			t.Errorf("pure scan %v: %v, want %v", args, got, want)
		}
		if pv["since"] != f.Format("2006-01-02") || pv["until"] != l.AddDate(0, 1, -1).Format("2006-01-02") {
			t.Errorf("pure scan %v: since %v until %v, want %s to the end of %s", args, pv["since"], pv["until"], c.from, c.last)
		}
		for _, m := range [][]string{{"--db", db}, append([]string{"--db", db}, logs...)} {
			code, got, _, errs := e.recommend(append(m, args...)...)
			if code != 0 || got != pure {
				t.Errorf("%v %v: exit %d %s; differs from the pure scan %s", m[:2], args, code, errs, r5diff(got, pure))
			}
		}
	}
}

// Billing rows (Count 0) from a CSV are left out with a warning counting
// them, alike whether the CSV is stored, named on top of the store, or read
// in a pure scan; the advice is that of the logs alone.
func TestRev5BillingRowsLeftOutAlike(t *testing.T) {
	e := newR5(t)
	var msgs []r5msg
	for i := range 12 {
		msgs = append(msgs, r5msg{user: "alice", file: "a.jsonl", id: fmt.Sprintf("b%02d", i),
			t: time.Date(2026, 6, 2, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 50 * time.Hour), in: 500, out: 80_000,
			model: "claude-opus-4-6", ep: "cli"})
	}
	root := filepath.Join(e.home, "logs")
	e.write(root, msgs...)
	logs := r5logArgs(root, "alice")
	csv := fixtures + "/billing/claude_api_tokens_2026_06.csv" // 5 rows, all in June 2026
	db := filepath.Join(e.home, "u.db")
	e.ingest(db, append(logs, "--csv", csv)...)
	_, alone, _, _ := e.recommend(append([]string{"--no-store", "--tz", "UTC"}, logs...)...)
	for _, m := range [][]string{
		append([]string{"--no-store", "--csv", csv}, logs...),
		{"--db", db},
		append([]string{"--db", db, "--csv", csv}, logs...),
	} {
		code, got, _, errs := e.recommend(append(m, "--tz", "UTC")...)
		if code != 0 || got != alone {
			t.Errorf("%v: exit %d; differs from the logs alone %s\n%s", m, code, r5diff(got, alone), errs)
		}
		if !strings.Contains(errs, "5 rows of billing exports left out") {
			t.Errorf("%v: stderr %q, want the 5 billing rows counted once", m, errs)
		}
	}
}

// A version 3 store (no rollup_day) that the reader cannot write is read
// as it is: recommend from it, alone and with the logs on top, is the pure
// scan's.
func TestRev5ReadOnlyV3StoreRecommend(t *testing.T) {
	uid, gid, root := asNobody(t, "usagescan-rev5-ro-")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "usagescan.test")
	copyFile(t, self, bin, 0o755)
	e := newR5(t)
	final, _ := r5corpus()
	logRoot := filepath.Join(root, "logs")
	e.write(logRoot, final...)
	filepath.Walk(logRoot, func(p string, fi os.FileInfo, _ error) error {
		if fi.IsDir() {
			os.Chmod(p, 0o755)
		} else {
			os.Chmod(p, 0o644)
		}
		return nil
	})
	logs := r5logArgs(logRoot, "alice", "bob")
	data := filepath.Join(root, "data")
	os.MkdirAll(data, 0o755)
	db := filepath.Join(data, "usage.db")
	e.ingest(db, logs...)
	toV3(t, db)
	os.Chmod(db, 0o644)
	home := filepath.Join(root, "home")
	os.MkdirAll(filepath.Join(home, "no-claude"), 0o777)
	os.Chmod(home, 0o777)
	os.Chmod(filepath.Join(home, "no-claude"), 0o777)
	for _, zone := range []string{"UTC", "Asia/Tokyo"} {
		args := []string{"--tz", zone, "--since", "2026-09"}
		_, pure, _, _ := e.recommend(append(append([]string{"--no-store"}, args...), logs...)...)
		for _, m := range [][]string{{"--db", db}, append([]string{"--db", db}, logs...)} {
			js, _ := json.Marshal(append(append([]string{"recommend", "--format", "json"}, m...), args...))
			cmd := exec.Command(bin, "-test.run=^TestRev3Child$")
			cmd.Env = []string{"REV3_CHILD_ARGS=" + string(js), "HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config",
				"XDG_DATA_HOME=" + home + "/.local/share", "XDG_STATE_HOME=" + home + "/.local/state", "XDG_CACHE_HOME=" + home + "/.cache",
				"CLAUDE_CONFIG_DIR=" + home + "/no-claude", "TZ=UTC", "USER=nobody", "USAGESCAN_NOW=" + e.now}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
			code, out, errs := runCmd(t, cmd)
			var v map[string]any
			json.Unmarshal([]byte(out), &v)
			delete(v, "as_of")
			b, _ := json.Marshal(v)
			if code != 0 || string(b) != pure {
				t.Errorf("read-only v3 store %v %v: exit %d %s; differs from the pure scan %s", m[:2], args, code, errs, r5diff(string(b), pure))
			}
		}
	}
}

// On PostgreSQL: recommend from the store, alone and with newer logs on top,
// is the pure scan's.
func TestRev5PostgresRecommendEqualsPureScan(t *testing.T) {
	u := pgtest.URL(t, os.Getenv)
	e := newR5(t)
	_, oldRoot, logs := e.trees()
	e.ingest(u, r5logArgs(oldRoot, "alice", "bob")...)
	for _, args := range [][]string{{"--tz", "Asia/Tokyo"}, {"--tz", "UTC", "--since", "2026-09-15", "--until", "2026-11-03"}} {
		_, pure, _, _ := e.recommend(append(append([]string{"--no-store"}, args...), logs...)...)
		code, got, _, errs := e.recommend(append(append([]string{"--db", u}, args...), logs...)...)
		if code != 0 || got != pure {
			t.Errorf("postgres store + newer logs %v: exit %d %s; %s", args, code, errs, r5diff(got, pure))
		}
	}
	e.ingest(u, logs...)
	code, got, _, errs := e.recommend("--db", u, "--tz", "America/Los_Angeles")
	_, pure, _, _ := e.recommend(append([]string{"--no-store", "--tz", "America/Los_Angeles"}, logs...)...)
	if code != 0 || got != pure {
		t.Errorf("postgres store alone: exit %d %s; %s", code, errs, r5diff(got, pure))
	}
}

// trees writes r5corpus's final copies under home/new and the older ones under
// home/old, and returns both and the --logs arguments of the new tree.
func (e *r5env) trees() (newRoot, oldRoot string, logs []string) {
	final, old := r5corpus()
	newRoot, oldRoot = filepath.Join(e.home, "new"), filepath.Join(e.home, "old")
	e.write(newRoot, final...)
	e.write(oldRoot, old...)
	return newRoot, oldRoot, r5logArgs(newRoot, "alice", "bob")
}
