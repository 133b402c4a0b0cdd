package engine

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// line is one assistant log line of response id (requestId req) at second sec
// after 2026-06-10 09:00 UTC. An empty id leaves message.id out; an empty req
// leaves requestId out.
type line struct {
	id, req   string
	sec       int
	in, out   int64
	cw, cr    int64
	sidechain bool
	session   string
}

func (l line) String() string {
	ts := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC).Add(time.Duration(l.sec) * time.Second).Format("2006-01-02T15:04:05.000Z")
	sess := l.session
	if sess == "" {
		sess = "s1"
	}
	msgID := ""
	if l.id != "" {
		msgID = fmt.Sprintf(`"id":%q,`, l.id)
	}
	reqID := ""
	if l.req != "" {
		reqID = fmt.Sprintf(`,"requestId":%q`, l.req)
	}
	return fmt.Sprintf(`{"parentUuid":null,"isSidechain":%t,"cwd":"/home/alice/src/api","sessionId":%q,"version":"2.1.39",`+
		`"message":{"model":"claude-opus-4-6",%s"type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],`+
		`"usage":{"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,"output_tokens":%d,"service_tier":"standard"}},`+
		`"type":"assistant","uuid":"u-%s-%d","timestamp":%q,"entrypoint":"cli"%s}`+"\n",
		l.sidechain, sess, msgID, l.in, l.cw, l.cr, l.out, l.id, l.out, ts, reqID)
}

// userLine is a user line of about n bytes, with no usage.
func userLine(sec, n int) string {
	ts := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format("2006-01-02T15:04:05.000Z")
	return fmt.Sprintf(`{"type":"user","sessionId":"s1","message":{"role":"user","content":[{"type":"tool_result","content":%q}]},"timestamp":%q}`+"\n",
		strings.Repeat("x", n), ts)
}

// notice is a <synthetic> usage-limit line.
func noticeLine(sec int, text string) string {
	ts := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format("2006-01-02T15:04:05.000Z")
	return fmt.Sprintf(`{"type":"assistant","sessionId":"s1","message":{"model":"<synthetic>","id":"syn-%d","role":"assistant","content":[{"type":"text","text":%q}],"usage":{"input_tokens":0,"output_tokens":0}},"timestamp":%q,"isApiErrorMessage":true}`+"\n",
		sec, text, ts)
}

func join(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		fmt.Fprint(&b, p)
	}
	return b.String()
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t testing.TB, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// discover lists the .jsonl files under dir for user alice.
func discover(t testing.TB, dirs ...string) []scan.File {
	t.Helper()
	var srcs []scan.Source
	for _, d := range dirs {
		srcs = append(srcs, scan.Source{Path: d, User: "alice"})
	}
	files, _, warnings := scan.Discover(srcs)
	if len(warnings) > 0 {
		t.Fatalf("discover: %v", warnings)
	}
	return files
}

func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// restat fills each file's size, mtime and identity from a stat now, as
// discovery does at the start of a run (Ingest trusts them to skip unchanged
// files). A missing file keeps what it had: reading it fails with a warning.
func restat(files []scan.File) []scan.File {
	out := make([]scan.File, len(files))
	for i, f := range files {
		if fi, err := os.Stat(f.Path); err == nil {
			f.Size, f.Mtime = fi.Size(), fi.ModTime().UnixNano()
			f.Dev, f.Ino = scan.Identity(fi)
		}
		out[i] = f
	}
	return out
}

// ingestWith is a run of Ingest on files found by a discovery made now.
func ingestWith(s *store.Store, files []scan.File, opt IngestOptions) (IngestResult, error) {
	return Ingest(s, restat(files), opt)
}

func ingest(t testing.TB, s *store.Store, files []scan.File) IngestResult {
	t.Helper()
	res, err := ingestWith(s, files, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) > 0 {
		t.Fatalf("ingest warnings: %v", res.Warnings)
	}
	return res
}

// hexKey is how these tests name a record: its usage.KeyHash in hex. Records
// read back from the store or a Set carry no Key of their own.
func hexKey(h usage.KeyHash) string { return "#" + hex.EncodeToString(h[:]) }

// keyOf is the name of the record whose Key is k.
func keyOf(k string) string { return hexKey(usage.HashOf(&usage.Request{Key: k})) }

// named gives a hand-written record the name the store and a Set give it.
func named(r usage.Request) usage.Request {
	r.Key = hexKey(usage.HashOf(&r))
	return r
}

// load is every stored request, named by its key hash, in time order, and
// every stored notice.
func load(t testing.TB, s *store.Store) ([]usage.Request, []usage.Notice) {
	t.Helper()
	var reqs []usage.Request
	err := s.Requests(time.Time{}, time.Time{}, func(h usage.KeyHash, r *usage.Request) error {
		c := *r
		c.Key = hexKey(h)
		reqs = append(reqs, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	notices, err := s.Notices(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return reqs, notices
}

// scanned is what a pure scan of files finds, named and ordered like load.
// Identical keyless copies are one record there too (they hash alike).
func scanned(t testing.TB, files []scan.File) ([]usage.Request, []usage.Notice) {
	t.Helper()
	res := scan.Run(files, nil, scan.RunOptions{})
	return setRequests(res.Set), res.Notices
}

// setRequests is every record of set, named by its key hash, in time order.
func setRequests(set *aggregate.Set) []usage.Request {
	var out []usage.Request
	set.EachKeyed(func(h usage.KeyHash, r *usage.Request) {
		c := *r
		c.Key = hexKey(h)
		out = append(out, c)
	})
	sortRequests(out)
	return out
}

func sortRequests(reqs []usage.Request) {
	sort.Slice(reqs, func(i, j int) bool {
		a, b := &reqs[i], &reqs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.Key < b.Key
	})
}

// merged is the named requests of lists, one per name: the better copy by
// usage.Better, as one read of all of them keeps.
func merged(lists ...[]usage.Request) []usage.Request {
	m := make(map[string]usage.Request)
	for _, l := range lists {
		for _, r := range l {
			if o, ok := m[r.Key]; !ok || usage.Better(&r, &o) {
				m[r.Key] = r
			}
		}
	}
	out := make([]usage.Request, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sortRequests(out)
	return out
}

// sameContent fails the test unless got and want hold the same requests,
// compared without their keys (a merged read hands out records without them).
func sameContent(t testing.TB, what string, got, want []usage.Request) {
	t.Helper()
	norm := func(rs []usage.Request) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			r.Key = ""
			b := ""
			if r.Billed != nil {
				b = fmt.Sprintf("%+v", *r.Billed)
			}
			r.Billed = nil
			out[i] = fmt.Sprintf("%+v %s", r, b)
		}
		sort.Strings(out)
		return out
	}
	g, w := norm(got), norm(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got  %d: %v\n want %d: %v", what, len(g), g, len(w), w)
	}
}

// sameRequests fails the test unless got and want hold the same requests.
func sameRequests(t testing.TB, what string, got, want []usage.Request) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	gm, wm := make(map[string]usage.Request), make(map[string]usage.Request)
	for _, r := range got {
		gm[r.Key] = r
	}
	for _, r := range want {
		wm[r.Key] = r
	}
	n := 0
	for k, w := range wm {
		if g, ok := gm[k]; !ok {
			t.Errorf("%s: missing %s: %+v", what, k, w)
			n++
		} else if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s:\n got  %+v\n want %+v", what, k, g, w)
			n++
		}
		if n > 5 {
			break
		}
	}
	for k, g := range gm {
		if _, ok := wm[k]; !ok && n <= 5 {
			t.Errorf("%s: extra %s: %+v", what, k, g)
			n++
		}
	}
	t.Fatalf("%s: %d requests, want %d", what, len(got), len(want))
}

func totals(reqs []usage.Request) usage.Tokens {
	var t usage.Tokens
	for _, r := range reqs {
		t.Add(r.Tokens)
	}
	return t
}

// genTree writes a log tree under dir: files sessions of n responses each, one
// line per content block with growing output, user lines of about userBytes
// bytes between them, some responses copied into the next session (as resumed
// sessions do), some without requestId, a few sidechain copies and notices.
func genTree(t testing.TB, dir string, files, n, userBytes int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var prev []line
	for f := 0; f < files; f++ {
		var b strings.Builder
		sess := fmt.Sprintf("%08d-0000-4000-8000-000000000000", f)
		b.WriteString(`{"type":"summary","summary":"work","leafUuid":"x"}` + "\n")
		for _, l := range prev { // the resumed part
			l.session = sess
			b.WriteString(l.String())
		}
		prev = prev[:0]
		for i := 0; i < n; i++ {
			sec := f*10000 + i*10
			b.WriteString(userLine(sec, rng.IntN(userBytes+1)))
			l := line{id: fmt.Sprintf("msg_%d_%d", f, i), req: fmt.Sprintf("req_%d_%d", f, i), sec: sec + 1,
				in: int64(rng.IntN(100)), cw: int64(rng.IntN(5000)), cr: int64(rng.IntN(50000)), session: sess}
			if rng.IntN(10) == 0 {
				l.req = ""
			}
			blocks := 1 + rng.IntN(3)
			for k := 0; k < blocks; k++ {
				l.out += int64(1 + rng.IntN(300))
				b.WriteString(l.String())
			}
			if rng.IntN(20) == 0 {
				c := l
				c.sidechain = true
				b.WriteString(c.String())
			}
			if rng.IntN(8) == 0 {
				prev = append(prev, l)
			}
			if rng.IntN(50) == 0 {
				b.WriteString(noticeLine(sec+2, "You've hit your session limit · resets 4:20pm"))
			}
		}
		writeFile(t, filepath.Join(dir, "projects", fmt.Sprintf("p%d", f%7), sess+".jsonl"), b.String())
	}
}
