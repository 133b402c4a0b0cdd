//go:build unix

package teamtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/internal/pgtest"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// logLine is one assistant log line; an empty id leaves message.id and
// requestId out (a record without a key of its own).
func logLine(id, session string, at time.Time, model string, in, out, cw, cr int64, side bool) string {
	ids := ""
	if id != "" {
		ids = fmt.Sprintf(`"id":%q,`, id)
	}
	req := ""
	if id != "" {
		req = fmt.Sprintf(`,"requestId":"req_%s"`, id)
	}
	return fmt.Sprintf(`{"parentUuid":null,"isSidechain":%t,"cwd":"/home/dev/src/%s","sessionId":%q,"version":"2.1.39",`+
		`"message":{"model":%q,%s"type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],`+
		`"usage":{"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,"output_tokens":%d,"service_tier":"standard"}},`+
		`"type":"assistant","uuid":"u-%s-%d","timestamp":%q,"entrypoint":"cli"%s}`+"\n",
		side, session, session, model, ids, in, cw, cr, out, id, out, at.Format("2006-01-02T15:04:05.000Z"), req)
}

func noticeLine(session string, at time.Time, text string) string {
	return fmt.Sprintf(`{"type":"assistant","sessionId":%q,"message":{"model":"<synthetic>","id":"syn-%d","role":"assistant","content":[{"type":"text","text":%q}],"usage":{"input_tokens":0,"output_tokens":0}},"timestamp":%q,"isApiErrorMessage":true}`+"\n",
		session, at.Unix(), text, at.Format("2006-01-02T15:04:05.000Z"))
}

// part is one machine's logs: a folder read as one user.
type part struct {
	name, user, dir string
}

// session writes n lines of a session (keys "<sess>-<i>"), with a notice and
// a few keyless lines; grow(i) > 0 makes line i's output that much larger (a
// later copy of a line another machine holds).
func session(rng *rand.Rand, sess string, n int, grow func(i int) int64) string {
	var b strings.Builder
	start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(20*24)) * time.Hour)
	models := []string{"claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"}
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * 97 * time.Second)
		// The numbers depend on sess and i only, so that copies agree.
		r := rand.New(rand.NewPCG(uint64(len(sess))*7919+uint64(sess[len(sess)-1]), uint64(i)))
		in, out, cw, cr := int64(r.IntN(5000)), int64(r.IntN(3000)+1), int64(r.IntN(20000)), int64(r.IntN(90000))
		if grow != nil {
			out += grow(i)
		}
		id := fmt.Sprintf("msg_%s_%d", sess, i)
		if i%50 == 7 {
			id = "" // no key of its own
		}
		b.WriteString(logLine(id, sess, at, models[r.IntN(len(models))], in, out, cw, cr, i%13 == 5))
		if i == n/2 {
			b.WriteString(noticeLine(sess, at, "Claude usage limit reached|"+fmt.Sprint(at.Add(5*time.Hour).Unix())))
		}
	}
	return b.String()
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpus writes six machines' logs: m1 and m2 are alice's laptop and desktop
// (m2 holds a copy of one of m1's sessions, half of its lines grown), m3 bob,
// m4 carol, m5 dave (the run that is killed), m6 alice's late copies (grown
// lines of another m1 session, and a session of its own).
func corpus(t *testing.T) []part {
	root := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	parts := []part{{"m1", "alice", ""}, {"m2", "alice", ""}, {"m3", "bob", ""}, {"m4", "carol", ""}, {"m5", "dave", ""}, {"m6", "alice", ""}}
	for i := range parts {
		parts[i].dir = filepath.Join(root, parts[i].name)
	}
	f := func(p int, proj, sess, content string) {
		write(t, filepath.Join(parts[p].dir, "projects", proj, sess+".jsonl"), content)
	}
	for _, s := range []string{"a1", "a2", "a3"} {
		f(0, "-home-alice-web", s, session(rng, s, 300, nil))
	}
	f(1, "-home-alice-web", "a1", session(rng, "a1", 300, func(i int) int64 { return int64(i % 2 * 100) }))
	f(1, "-home-alice-api", "a4", session(rng, "a4", 250, nil))
	for _, s := range []string{"b1", "b2"} {
		f(2, "-home-bob-x", s, session(rng, s, 300, nil))
	}
	for _, s := range []string{"c1", "c2"} {
		f(3, "-home-carol-y", s, session(rng, s, 280, nil))
	}
	for _, s := range []string{"d1", "d2", "d3"} {
		f(4, "-home-dave-z", s, session(rng, s, 300, nil))
	}
	f(5, "-home-alice-web", "a2", session(rng, "a2", 300, func(i int) int64 { return int64(i%3) * 40 }))
	f(5, "-home-alice-web", "a5", session(rng, "a5", 200, nil))
	return parts
}

func files(t *testing.T, ps ...part) []scan.File {
	var srcs []scan.Source
	for _, p := range ps {
		srcs = append(srcs, scan.Source{Path: p.dir, User: p.user, Explicit: true})
	}
	fs, _, warns := scan.Discover(srcs)
	if len(warns) > 0 {
		t.Fatal(warns)
	}
	return fs
}

// collect is a scan.Sink keeping every record read.
type collect struct {
	mu   sync.Mutex
	reqs []usage.Request
}

func (c *collect) Add(_ int, r *usage.Request) {
	c.mu.Lock()
	c.reqs = append(c.reqs, *r)
	c.reqs[len(c.reqs)-1].Key = strings.Clone(r.Key) // the worker reuses its bytes (scan.Sink)
	c.mu.Unlock()
}
func (c *collect) FileDone(int, *scan.FileResult) {}

// row is what a test compares of a record.
type row struct {
	User, Model, Session string
	Time                 int64
	Tokens               usage.Tokens
	Sidechain            bool
}

func rowOf(r *usage.Request) row {
	return row{r.User, r.Model, r.SessionID, r.Time.UnixNano(), r.Tokens, r.Sidechain}
}

// truth is a pure scan of everything: the best copy of each key, and the
// notices, computed without the store.
func truth(t *testing.T, parts []part) (map[usage.KeyHash]row, int) {
	var jobs []*scan.Job
	for _, f := range files(t, parts...) {
		jobs = append(jobs, &scan.Job{File: f})
	}
	var c collect
	sum := scan.Read(jobs, &c, scan.Options{})
	best := map[usage.KeyHash]*usage.Request{}
	for i := range c.reqs {
		r := &c.reqs[i]
		h := usage.HashOf(r)
		if b, ok := best[h]; !ok || usage.Better(r, b) {
			best[h] = r
		}
	}
	out := make(map[usage.KeyHash]row, len(best))
	for h, r := range best {
		out[h] = rowOf(r)
	}
	return out, len(sum.Notices)
}

// stored is what the store holds, read back through its API.
func stored(t *testing.T, url string) (map[usage.KeyHash]row, map[string]usage.Tokens, store.CheckResult) {
	st, err := store.Open(url, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows := map[usage.KeyHash]row{}
	err = st.Requests(time.Time{}, time.Time{}, func(h usage.KeyHash, r *usage.Request) error {
		if _, dup := rows[h]; dup {
			t.Errorf("key %x twice", h)
		}
		rows[h] = rowOf(r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	byUser := map[string]usage.Tokens{}
	var zero time.Time
	if err := st.Groups(zero, zero, func(k aggregate.GroupKey, s *aggregate.Sums) {
		tk := byUser[k.User]
		tk.Input += s.Input
		tk.Output += s.Output
		tk.CacheWrite5m += s.CacheWrite5m
		tk.CacheRead += s.CacheRead
		byUser[k.User] = tk
	}); err != nil {
		t.Fatal(err)
	}
	res, err := st.Check()
	if err != nil {
		t.Fatal(err)
	}
	return rows, byUser, res
}

func ingest(t *testing.T, url, host string, ps ...part) engine.IngestResult {
	st, err := store.Open(url, store.Options{Host: host})
	if err != nil {
		t.Error(err)
		return engine.IngestResult{}
	}
	defer st.Close()
	res, err := engine.Ingest(st, files(t, ps...), engine.IngestOptions{Workers: 2})
	if err != nil {
		t.Errorf("ingest %s: %v", host, err)
	}
	return res
}

func TestTeamStoreEqualsTruth(t *testing.T) {
	url := pgtest.URL(t, os.Getenv)
	parts := corpus(t)

	// 1. Four machines at once.
	var wg sync.WaitGroup
	for _, p := range parts[:4] {
		wg.Add(1)
		go func() { defer wg.Done(); ingest(t, url, p.name, p) }()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	want4, _ := truth(t, parts[:4])
	got4, _, chk := stored(t, url)
	compare(t, "four machines at once", got4, want4)
	if !chk.OK {
		t.Fatalf("store check after four machines: %s", chk)
	}

	// 2. One part again, as another machine (its files read whole): nothing new.
	if res := ingest(t, url, "m3-again", parts[2]); res.New != 0 || res.Updated != 0 || res.Unchanged == 0 {
		t.Errorf("bob's logs again: %d new, %d updated, %d unchanged; want 0, 0 and all", res.New, res.Updated, res.Unchanged)
	}

	// 3. An ingest killed halfway (SIGKILL inside its transaction) leaves the store as it was.
	before, beforeUsers, beforeChk := stored(t, url)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledIngestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TEAMTEST_CHILD_URL="+url, "TEAMTEST_CHILD_DIR="+parts[4].dir)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child ingest was not killed: %v\n%s", err, out)
	}
	after, afterUsers, afterChk := stored(t, url)
	compare(t, "after the killed ingest", after, before)
	if fmt.Sprint(afterUsers) != fmt.Sprint(beforeUsers) || afterChk.Groups != beforeChk.Groups ||
		afterChk.Files != beforeChk.Files || afterChk.Notices != beforeChk.Notices {
		t.Errorf("the killed ingest left a trace: %v %+v, was %v %+v", afterUsers, afterChk, beforeUsers, beforeChk)
	}
	if _, ok := afterUsers["dave"]; ok {
		t.Error("dave's records of the killed ingest are stored")
	}
	ingest(t, url, "m5", parts[4]) // rerun

	// 4. Eight more at once: each reads m6 (grown copies and new lines, all
	// eight racing for the same keys) and one earlier part, as a new machine.
	for i := range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); ingest(t, url, fmt.Sprintf("x%d", i), parts[5], parts[i%5]) }()
	}
	wg.Wait()

	want, notices := truth(t, parts)
	got, users, chk := stored(t, url)
	compare(t, "in the end", got, want)
	wantUsers := map[string]usage.Tokens{}
	for _, r := range want {
		tk := wantUsers[r.User]
		tk.Input += r.Tokens.Input
		tk.Output += r.Tokens.Output
		tk.CacheWrite5m += r.Tokens.CacheWrite5m
		tk.CacheRead += r.Tokens.CacheRead
		wantUsers[r.User] = tk
	}
	if fmt.Sprint(users) != fmt.Sprint(wantUsers) {
		t.Errorf("rollup by user %v, want %v", users, wantUsers)
	}
	if len(wantUsers) != 4 {
		t.Errorf("users %v, want alice, bob, carol and dave", wantUsers)
	}
	if !chk.OK {
		t.Errorf("store check: %s", chk)
	}
	if chk.Notices != int64(notices) || notices < 10 {
		t.Errorf("%d notices stored, %d in the logs", chk.Notices, notices)
	}
	// Every machine's files are its own: m1..m5 read 3+2+2+2+3, m3-again 2,
	// x0..x7 m6's 2 and the files of m1..m5, m1, m2, m3.
	if want := int64(12 + 2 + 8*2 + 12 + 3 + 2 + 2); chk.Files != want {
		t.Errorf("%d file states, want %d", chk.Files, want)
	}
	// The data is in PostgreSQL's tables.
	if n := pgtest.Count(t, url, "requests"); n != int64(len(want)) {
		t.Errorf("%d rows in the requests table, want %d", n, len(want))
	}
}

// compare reports the keys where got and want differ.
func compare(t *testing.T, when string, got, want map[usage.KeyHash]row) {
	t.Helper()
	var bad []string
	for h, w := range want {
		if g, ok := got[h]; !ok {
			bad = append(bad, fmt.Sprintf("%x missing (want %+v)", h[:4], w))
		} else if g != w {
			bad = append(bad, fmt.Sprintf("%x: %+v, want %+v", h[:4], g, w))
		}
	}
	for h, g := range got {
		if _, ok := want[h]; !ok {
			bad = append(bad, fmt.Sprintf("%x extra: %+v", h[:4], g))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%s: %d of %d records differ from a scan of everything, e.g.\n%s", when, len(bad), len(want), strings.Join(bad[:min(len(bad), 5)], "\n"))
	}
}

// TestKilledIngestChild is the ingest that TestTeamStoreEqualsTruth kills:
// it runs only in the child process, and kills itself after 300 request
// writes, inside its transaction.
func TestKilledIngestChild(t *testing.T) {
	url := os.Getenv("TEAMTEST_CHILD_URL")
	if url == "" {
		return // not the child
	}
	n := 0
	st, err := store.Open(url, store.Options{Host: "m5", Long: func(*usage.Request) bool {
		if n++; n == 300 {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute)
		}
		return false
	}})
	if err != nil {
		t.Fatal(err)
	}
	engine.Ingest(st, files(t, part{"m5", "dave", os.Getenv("TEAMTEST_CHILD_DIR")}), engine.IngestOptions{Workers: 2})
	t.Fatal("not killed")
}
