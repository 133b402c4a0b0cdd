package main

// Reviewer tests (rev4) of the ingest pipeline, written from README ("History
// store", "Counting rules", "Performance / How") and the package docs. Every
// expectation is computed independently: log files are re-read with
// encoding/json (oracleRows), and a pure scan, the store and the store plus
// named sources are compared with that and with each other.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---- running the CLI in-process, isolated ----

// r4env is a session (store_test.go) whose home has no Claude Code logs of
// its own unless a test sets CLAUDE_CONFIG_DIR.
type r4env struct{ *session }

func newR4(t *testing.T) *r4env {
	s := newSession(t)
	s.env["XDG_STATE_HOME"] = s.home + "/.local/state"
	s.env["CLAUDE_CONFIG_DIR"] = s.home + "/no-claude-here"
	return &r4env{s}
}

func (e *r4env) run(extra map[string]string, args ...string) (int, string, string) {
	env := map[string]string{}
	for k, v := range e.env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"usagescan"}, args...), strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	return code, stdout.String(), stderr.String()
}

// runChild is run in a child process (this test binary re-run as
// TestRev3Child): runs at once in one process would share urfave/cli's global
// help flag, which it writes on every run (a data race that the CLI, one run a
// process, never has).
func (e *r4env) runChild(extra map[string]string, args ...string) (int, string, string) {
	env := []string{}
	for k, v := range e.env {
		if _, ok := extra[k]; !ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	js, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRev3Child$")
	cmd.Env = append(env, "REV3_CHILD_ARGS="+string(js))
	return runCmd(e.t, cmd)
}

// ---- the report's JSON ----

type r4row struct {
	Period, User, Model, Source string
	In                          int64 `json:"input_tokens"`
	Out                         int64 `json:"output_tokens"`
	CW5                         int64 `json:"cache_write_5m_tokens"`
	CW1                         int64 `json:"cache_write_1h_tokens"`
	CR                          int64 `json:"cache_read_tokens"`
	Requests                    int64 `json:"requests"`
}

type r4diag struct {
	Files      int64 `json:"files"`
	Lines      int64 `json:"lines"`
	UsageLines int64 `json:"usage_lines"`
	Duplicates int64 `json:"duplicates"`
	Malformed  int64 `json:"malformed_lines"`
	Synthetic  int64 `json:"synthetic_lines"`
}

type r4report struct {
	Rows        []r4row `json:"rows"`
	Diagnostics r4diag  `json:"diagnostics"`
}

func (e *r4env) report(extra map[string]string, args ...string) r4report {
	e.t.Helper()
	code, out, errs := e.run(extra, append([]string{"report", "--format", "json", "--tz", "UTC"}, args...)...)
	if code != 0 {
		e.t.Fatalf("report %v: exit %d\n%s", args, code, errs)
	}
	var r r4report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		e.t.Fatalf("report %v: %v\n%s", args, err, out)
	}
	return r
}

func rowsText(rows []r4row) string {
	var sb strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&sb, "%s %s %s %s in=%d out=%d cw=%d cr=%d n=%d\n", r.Period, r.User, r.Model, r.Source, r.In, r.Out, r.CW5+r.CW1, r.CR, r.Requests)
	}
	return sb.String()
}

// ---- the oracle: encoding/json over the files ----

type ojl struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	RequestID string `json:"requestId"`
	Sidechain bool   `json:"isSidechain"`
	Message   *ojmsg `json:"message"`
}

type ojmsg struct {
	ID    string `json:"id"`
	Model string `json:"model"`
	Usage *struct {
		In  int64 `json:"input_tokens"`
		Out int64 `json:"output_tokens"`
		CW  int64 `json:"cache_creation_input_tokens"`
		CR  int64 `json:"cache_read_input_tokens"`
	} `json:"usage"`
}

type ocopy struct {
	month, user, model string
	in, out, cw, cr    int64
	side               bool
}

func (c ocopy) total() int64 { return c.in + c.out + c.cw + c.cr }

// oracleRows reads every *.jsonl under each root (labelled with its user) with
// encoding/json and returns the report rows a correct run gives: one request
// per key (message.id:requestId, or message.id, or the whole line without
// one), the copy with the largest total (tie: not a sidechain).
func oracleRows(t *testing.T, roots map[string]string) ([]r4row, int64) {
	t.Helper()
	best := map[string]ocopy{}
	var usageLines int64
	for root, user := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".jsonl") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			data = bytes.TrimPrefix(data, []byte("\ufeff"))
			for _, line := range bytes.Split(data, []byte("\n")) {
				line = bytes.TrimSpace(line)
				if len(line) == 0 {
					continue
				}
				var l ojl
				if json.Unmarshal(line, &l) != nil || l.Type != "assistant" || l.Message == nil || l.Message.Usage == nil || l.Message.Model == "<synthetic>" {
					continue
				}
				u := l.Message.Usage
				if u.In+u.Out+u.CW+u.CR == 0 || u.In < 0 || u.Out < 0 || u.CW < 0 || u.CR < 0 {
					continue
				}
				ts, err := time.Parse(time.RFC3339Nano, l.Timestamp)
				if err != nil {
					continue
				}
				usageLines++
				key := l.Message.ID
				if key == "" {
					key = "noid:" + string(line)
				} else if l.RequestID != "" {
					key += ":" + l.RequestID
				}
				c := ocopy{ts.UTC().Format("2006-01"), user, l.Message.Model, u.In, u.Out, u.CW, u.CR, l.Sidechain}
				old, ok := best[key]
				if !ok || c.total() > old.total() || (c.total() == old.total() && old.side && !c.side) {
					best[key] = c
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rows := map[string]*r4row{}
	for _, c := range best {
		k := c.month + "|" + c.user + "|" + c.model
		r := rows[k]
		if r == nil {
			r = &r4row{Period: c.month, User: c.user, Model: c.model, Source: "claude-code"}
			rows[k] = r
		}
		r.In += c.in
		r.Out += c.out
		r.CW5 += c.cw
		r.CR += c.cr
		r.Requests++
	}
	var out []r4row
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.Model < b.Model
	})
	return out, usageLines
}

// ---- generating logs ----

type gen struct {
	rng *rand.Rand
}

var r4models = []string{"claude-sonnet-4-5-20250929", "claude-opus-4-6", "claude-haiku-4-5-20251001"}

// keyParts gives id and request id of key k; escape writes the id with a JSON
// escape (the same value).
func keyParts(k int) (id, req string) {
	return fmt.Sprintf("msg_%07d", k), fmt.Sprintf("req_%07d", k)
}

// when spreads keys over three months deterministically.
func when(k int) string {
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	return base.Add(time.Duration(k%(90*24*60)) * time.Minute).Add(time.Duration(k%1000) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// assistant is one copy of key k with output out. noReq drops the requestId
// (the key is then message.id alone, for every copy of k).
func assistant(k int, out int64, side bool, escape bool) string {
	id, req := keyParts(k)
	idJSON := `"` + id + `"`
	if escape {
		idJSON = `"msg\u005f` + id[4:] + `"`
	}
	reqPart := `"requestId":"` + req + `",`
	if k%7 == 0 {
		reqPart = ""
	}
	return `{"parentUuid":null,"isSidechain":` + fmt.Sprint(side) + `,"userType":"external","cwd":"/src/p","sessionId":"s` + fmt.Sprint(k%13) + `","version":"2.1.39",` +
		`"message":{"model":"` + r4models[k%3] + `","id":` + idJSON + `,"type":"message","role":"assistant","content":[{"type":"text","text":"usage is fine"}],` +
		`"usage":{"input_tokens":` + fmt.Sprint(3+k%5) + `,"cache_creation_input_tokens":` + fmt.Sprint(100+k%17) + `,"cache_read_input_tokens":` + fmt.Sprint(1000+k%31) + `,"output_tokens":` + fmt.Sprint(out) + `,"service_tier":"standard"}},` +
		reqPart + `"type":"assistant","uuid":"u` + fmt.Sprint(k) + `","timestamp":"` + when(k) + `"}`
}

// noID is a line without message.id: keyed by all of its fields.
func noID(n int) string {
	return `{"type":"assistant","timestamp":"` + when(n) + `","sessionId":"s-noid","cwd":"/src/p","message":{"model":"claude-opus-4-6","role":"assistant","usage":{"input_tokens":` + fmt.Sprint(7+n) + `,"output_tokens":9}}}`
}

func userLine(k int) string {
	return `{"type":"user","message":{"role":"user","content":"what about \"usage\"?"},"timestamp":"` + when(k) + `","sessionId":"s1"}`
}

func progressLine(k int) string {
	return `{"type":"progress","data":{"message":` + assistant(k, 99999, true, false) + `},"timestamp":"` + when(k) + `"}`
}

func writeFile(t *testing.T, path string, lines []string, crlf bool) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	nl := "\n"
	if crlf {
		nl = "\r\n"
	}
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString(l)
		sb.WriteString(nl)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path string, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func sameRows(t *testing.T, what string, got, want []r4row) {
	t.Helper()
	if g, w := rowsText(got), rowsText(want); g != w {
		t.Errorf("%s: rows differ\n got:\n%s want:\n%s", what, g, w)
	}
}

var ingestLine = regexp.MustCompile(`([\d,]+) new, ([\d,]+) updated, ([\d,]+) unchanged; ([\d,]+) log files? \(([\d,]+) unchanged, ([\d,]+) appended, ([\d,]+) read whole`)

func ingestCounts(t *testing.T, stderr string) []string {
	t.Helper()
	m := ingestLine.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no ingest summary in:\n%s", stderr)
	}
	for i := range m {
		m[i] = strings.ReplaceAll(m[i], ",", "")
	}
	return m[1:]
}

// ---- tests ----

// TestRev4ManyFilesOneCount: ~1,500 tiny files (main sessions, resumed
// sessions copying earlier messages, subagents/ folders, flat agent files)
// with copies of one response spread over many of them, some copies with an
// escaped id, some keys without requestId, lines without message.id copied
// verbatim, progress lines embedding copies. A pure scan, the default run on
// a fresh store, the same again, and the store plus the same files named give
// the oracle's rows; the default run reports the pure scan's diagnostics.
func TestRev4ManyFilesOneCount(t *testing.T) {
	e := newR4(t)
	root := filepath.Join(e.home, "claude")
	proj := filepath.Join(root, "projects")
	rng := rand.New(rand.NewSource(44))
	const keys = 2500
	nfiles := 0
	for s := 0; s < 500; s++ {
		dir := filepath.Join(proj, fmt.Sprintf("-src-p%d", s%40))
		sess := fmt.Sprintf("sess-%04d", s)
		for f := 0; f < 3; f++ {
			var path string
			switch f {
			case 0:
				path = filepath.Join(dir, sess+".jsonl")
			case 1:
				path = filepath.Join(dir, sess, "subagents", fmt.Sprintf("agent-a%04d.jsonl", s))
			default:
				path = filepath.Join(dir, fmt.Sprintf("agent-%04d.jsonl", s))
			}
			var lines []string
			for i := 0; i < 1+rng.Intn(5); i++ {
				k := rng.Intn(keys)
				switch rng.Intn(8) {
				case 0:
					lines = append(lines, userLine(k))
				case 1:
					lines = append(lines, progressLine(k))
				case 2:
					lines = append(lines, noID(rng.Intn(50)))
				default:
					lines = append(lines, assistant(k, int64(1+rng.Intn(500)), f > 0, rng.Intn(5) == 0))
				}
			}
			writeFile(t, path, lines, rng.Intn(6) == 0)
			nfiles++
		}
	}
	want, usageLines := oracleRows(t, map[string]string{root: "tester"})

	pure := e.report(nil, "--no-store", "--logs", root)
	sameRows(t, "pure scan", pure.Rows, want)
	if pure.Diagnostics.UsageLines != usageLines {
		t.Errorf("pure scan usage_lines %d, encoding/json %d", pure.Diagnostics.UsageLines, usageLines)
	}
	if pure.Diagnostics.Files != int64(nfiles) {
		t.Errorf("pure scan files %d, want %d", pure.Diagnostics.Files, nfiles)
	}

	cfg := map[string]string{"CLAUDE_CONFIG_DIR": root}
	first := e.report(cfg)
	sameRows(t, "default run, fresh store", first.Rows, want)
	if first.Diagnostics != pure.Diagnostics {
		t.Errorf("default run diagnostics %+v, pure scan %+v", first.Diagnostics, pure.Diagnostics)
	}
	second := e.report(cfg)
	sameRows(t, "default run, nothing new", second.Rows, want)

	code, _, errs := e.run(cfg, "ingest")
	if code != 0 {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	if c := ingestCounts(t, errs); c[0] != "0" || c[1] != "0" || c[5] != "0" || c[6] != "0" {
		t.Errorf("a run with nothing new: %v\n%s", c, errs)
	}

	named := e.report(cfg, "--logs", root)
	sameRows(t, "store plus named sources", named.Rows, want)
	code, _, errs = e.run(cfg, "store", "check")
	if code != 0 {
		t.Errorf("store check: %d\n%s", code, errs)
	}
}

// TestRev4AcrossSetBoundaries: more than 16,384 unique responses (several full
// sets reach the writer), with three copies of many keys (small, final,
// middle) in different files and far apart, so that copies land in different
// sets. The store keeps the largest copy, like a pure scan and the oracle.
func TestRev4AcrossSetBoundaries(t *testing.T) {
	e := newR4(t)
	root := filepath.Join(e.home, "claude")
	dir := filepath.Join(root, "projects", "-src-p")
	const unique = 20000 // two of the writer's sets (16,384 records each); kept small for the race detector
	const files = 8
	per := unique / files
	lines := make([][]string, files)
	for k := 0; k < unique; k++ {
		f := k / per
		lines[f] = append(lines[f], assistant(k, int64(10+k%50), false, false))
	}
	// copies of every 13th key: a small copy at the start of file 0, the final
	// (largest) copy at the end of file 7, a middle one in file 3.
	var head, mid, tail []string
	for k := 0; k < unique; k += 13 {
		head = append(head, assistant(k, 1, false, false))
		mid = append(mid, assistant(k, int64(10+k%50)+500, true, k%2 == 0))
		tail = append(tail, assistant(k, int64(10+k%50)+1000, k%3 == 0, false))
	}
	lines[0] = append(head, lines[0]...)
	lines[3] = append(lines[3], mid...)
	lines[files-1] = append(lines[files-1], tail...)
	for f := 0; f < files; f++ {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("s%d.jsonl", f)), lines[f], false)
	}
	want, _ := oracleRows(t, map[string]string{root: "tester"})
	var reqs int64
	for _, r := range want {
		reqs += r.Requests
	}
	if reqs != unique {
		t.Fatalf("oracle counts %d requests, generated %d", reqs, unique)
	}
	pure := e.report(nil, "--no-store", "--logs", root)
	sameRows(t, "pure scan", pure.Rows, want)
	cfg := map[string]string{"CLAUDE_CONFIG_DIR": root}
	code, _, errs := e.run(cfg, "ingest")
	if code != 0 {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	c := ingestCounts(t, errs)
	if c[0] != fmt.Sprint(unique) {
		t.Errorf("ingest: %s new, want %d\n%s", c[0], unique, errs)
	}
	st := e.report(cfg)
	sameRows(t, "store", st.Rows, want)
	// a default run on a fresh store reads the same diagnostics as a pure scan
	e2 := newR4(t)
	def := e2.report(cfg)
	sameRows(t, "default run, fresh store", def.Rows, want)
	if def.Diagnostics != pure.Diagnostics {
		t.Errorf("diagnostics: pure scan %+v, default run %+v", pure.Diagnostics, def.Diagnostics)
	}
	code, _, errs = e.run(cfg, "store", "check")
	if code != 0 {
		t.Errorf("store check: %d\n%s", code, errs)
	}
}

// TestRev4AppendReplaceCutOff: appending lines adds exactly the new responses;
// a larger copy of a stored response (same key, more output) replaces it, a
// smaller one changes nothing; a line still being written is left for the next
// run and counted once when finished; a run with nothing new changes nothing.
func TestRev4AppendReplaceCutOff(t *testing.T) {
	e := newR4(t)
	root := filepath.Join(e.home, "claude")
	a := filepath.Join(root, "projects", "-src-p", "a.jsonl")
	b := filepath.Join(root, "projects", "-src-p", "b", "subagents", "agent-x.jsonl")
	writeFile(t, a, []string{assistant(1, 10, false, false), userLine(1), assistant(2, 20, false, false), assistant(3, 30, false, false)}, false)
	writeFile(t, b, []string{assistant(4, 40, true, false)}, true)
	cfg := map[string]string{"CLAUDE_CONFIG_DIR": root}
	check := func(what string) {
		t.Helper()
		want, _ := oracleRows(t, map[string]string{root: "tester"})
		sameRows(t, what+": store", e.report(cfg).Rows, want)
		sameRows(t, what+": pure scan", e.report(nil, "--no-store", "--logs", root).Rows, want)
	}
	ingest := func() []string {
		t.Helper()
		code, _, errs := e.run(cfg, "ingest")
		if code != 0 {
			t.Fatalf("ingest: %d %s", code, errs)
		}
		return ingestCounts(t, errs)
	}
	if c := ingest(); c[0] != "4" {
		t.Errorf("first ingest: %v", c)
	}
	check("first")
	if c := ingest(); c[0] != "0" || c[1] != "0" || c[4] != "2" {
		t.Errorf("nothing new: %v", c)
	}
	// two new, one larger copy of 2 (replaces), one smaller copy of 3 (ignored),
	// and half a line (still being written).
	half := assistant(6, 60, false, false)
	appendFile(t, a, assistant(5, 50, false, false)+"\n"+assistant(2, 25, false, true)+"\n"+assistant(3, 5, false, false)+"\n"+half[:len(half)/2])
	appendFile(t, b, assistant(7, 70, true, false)+"\r\n")
	c := ingest()
	if c[0] != "2" || c[1] != "1" || c[5] != "2" {
		t.Errorf("after appending 2 new (one in b) and 1 larger copy: %v (want 2 new, 1 updated, 2 appended)", c)
	}
	check("appended")
	// the cut-off line is finished
	appendFile(t, a, half[len(half)/2:]+"\n")
	if c := ingest(); c[0] != "1" || c[1] != "0" {
		t.Errorf("finishing the cut-off line: %v (want 1 new)", c)
	}
	check("finished")
	if c := ingest(); c[0] != "0" || c[1] != "0" || c[4] != "2" {
		t.Errorf("nothing new at the end: %v", c)
	}
	want, _ := oracleRows(t, map[string]string{root: "tester"})
	var n int64
	for _, r := range want {
		n += r.Requests
	}
	if n != 7 {
		t.Errorf("oracle: %d requests, want 7", n)
	}
}

// TestRev4DiagnosticsIngestVsScan: ingest and a pure scan of the same files
// report the same malformed lines (file:line and message), cut-off files and
// duplicates.
func TestRev4DiagnosticsIngestVsScan(t *testing.T) {
	e := newR4(t)
	root := filepath.Join(e.home, "claude")
	dir := filepath.Join(root, "projects", "-src-p")
	writeFile(t, filepath.Join(dir, "bad.jsonl"), []string{
		"this is not JSON",
		`{"type":"assistant","message":{"id":"msg_bad","usage":{"input_tokens":}}}`,
		`{"type":"assistant","message":{"id":"msg_quiet",}}`,
		`{"type":"user","message":{"usage":{"input_tokens":}}}`,
		assistant(1, 10, false, false),
		assistant(1, 11, false, false),
		`{"type":"assistant","message":{"model":"<synthetic>",]}`,
		`{"type":"assistant","timestamp":"yesterday","requestId":"r","message":{"id":"msg_t","model":"m","usage":{"input_tokens":1,"output_tokens":2}}}`,
		`{"type":"assistant","timestamp":"` + when(5) + `","requestId":"r","message":{"id":"msg_n","model":"m","usage":{"input_tokens":-1,"output_tokens":2}}}`,
	}, false)
	writeFile(t, filepath.Join(dir, "dup.jsonl"), []string{assistant(1, 12, false, false), assistant(2, 1, false, false)}, true)
	fresh := filepath.Join(dir, "fresh.jsonl")
	line := assistant(3, 3, false, false)
	os.WriteFile(fresh, []byte(assistant(4, 4, false, false)+"\n"+line[:40]), 0o644)
	aged := filepath.Join(dir, "aged.jsonl")
	os.WriteFile(aged, []byte(assistant(8, 4, false, false)+"\n"+line[:50]), 0o644)
	old := time.Now().Add(-72 * time.Hour)
	os.Chtimes(aged, old, old)

	_, _, scanErr := e.run(nil, "report", "--no-store", "--verbose", "--logs", root)
	cfg := map[string]string{"CLAUDE_CONFIG_DIR": root}
	code, _, ingErr := e.run(cfg, "ingest", "--verbose")
	if code != 0 {
		t.Fatalf("ingest: %d\n%s", code, ingErr)
	}
	pick := func(s string) []string {
		var out []string
		sc := bufio.NewScanner(strings.NewReader(s))
		for sc.Scan() {
			l := sc.Text()
			if strings.Contains(l, "malformed: ") || strings.Contains(l, "still being written") {
				out = append(out, l)
			}
		}
		return out
	}
	ps, pi := pick(scanErr), pick(ingErr)
	if strings.Join(ps, "\n") != strings.Join(pi, "\n") {
		t.Errorf("diagnostics differ\npure scan:\n%s\ningest:\n%s", strings.Join(ps, "\n"), strings.Join(pi, "\n"))
	}
	// independent expectations: lines 1, 2, 7, 8, 9 of bad.jsonl and the aged
	// cut-off line are malformed; line 3 (no usage bytes) and 4 (user) are not.
	for _, want := range []string{"bad.jsonl:1:", "bad.jsonl:2:", "bad.jsonl:7:", "bad.jsonl:8:", "bad.jsonl:9:", "aged.jsonl:2:"} {
		if !strings.Contains(scanErr, want) {
			t.Errorf("pure scan does not report %s\n%s", want, scanErr)
		}
	}
	for _, not := range []string{"bad.jsonl:3:", "bad.jsonl:4:", "fresh.jsonl:2:"} {
		if strings.Contains(scanErr, not) {
			t.Errorf("pure scan reports %s\n%s", not, scanErr)
		}
	}
	if !strings.Contains(scanErr, "1 file ends in a line still being written") {
		t.Errorf("pure scan: no cut-off file\n%s", scanErr)
	}
	// JSON diagnostics: the default run on a fresh store reads the same.
	e2 := newR4(t)
	pure := e2.report(nil, "--no-store", "--logs", root)
	def := e2.report(cfg)
	if pure.Diagnostics != def.Diagnostics {
		t.Errorf("diagnostics: pure %+v, default run %+v", pure.Diagnostics, def.Diagnostics)
	}
	if pure.Diagnostics.Duplicates != 2 {
		t.Errorf("duplicates %d, want 2 (msg 1 three times)", pure.Diagnostics.Duplicates)
	}
	want, _ := oracleRows(t, map[string]string{root: "tester"})
	sameRows(t, "default run", def.Rows, want)

	// A folder named relative to the working directory: ingest names its files
	// as given, as a pure scan does (the files table keeps absolute paths, so
	// the same files named absolutely are unchanged the next time).
	t.Chdir(e.home)
	e3 := newR4(t)
	_, _, relScan := e3.run(nil, "report", "--no-store", "--verbose", "--logs", "claude")
	code, _, relIng := e3.run(nil, "ingest", "--verbose", "--logs", "claude")
	if code != 0 {
		t.Fatalf("ingest --logs claude: %d\n%s", code, relIng)
	}
	if rs, ri := pick(relScan), pick(relIng); len(rs) == 0 || strings.Join(rs, "\n") != strings.Join(ri, "\n") {
		t.Errorf("relative --logs: diagnostics differ\npure scan:\n%s\ningest:\n%s", strings.Join(rs, "\n"), strings.Join(ri, "\n"))
	} else if j := strings.Join(ri, "\n"); !strings.Contains(j, "claude/projects/-src-p/bad.jsonl:1:") || strings.Contains(j, e.home) {
		t.Errorf("relative --logs: ingest does not name the files as given\n%s", j)
	}
	code, out, errs := e3.run(nil, "ingest", "--logs", root)
	if code != 0 || !strings.Contains(out+errs, "0 new") || !strings.Contains(out+errs, "unchanged") {
		t.Errorf("the same files named absolutely: exit %d\n%s%s", code, out, errs)
	}
}

// TestRev4ConcurrentIngests: two ingests at once on one store both succeed
// (the second waits for the lock), and the store counts every response once.
func TestRev4ConcurrentIngests(t *testing.T) {
	e := newR4(t)
	root := filepath.Join(e.home, "claude")
	for f := 0; f < 20; f++ {
		var lines []string
		for k := f * 300; k < f*300+400; k++ { // overlapping ranges: copies across files
			lines = append(lines, assistant(k, int64(5+(k+f)%9), false, false))
		}
		writeFile(t, filepath.Join(root, "projects", "p", fmt.Sprintf("s%d.jsonl", f)), lines, false)
	}
	cfg := map[string]string{"CLAUDE_CONFIG_DIR": root}
	var wg sync.WaitGroup
	codes := make([]int, 3)
	errs := make([]string, 3)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i == 2 {
				codes[i], _, errs[i] = e.runChild(cfg, "report", "--format", "json")
				return
			}
			codes[i], _, errs[i] = e.runChild(cfg, "ingest")
		}(i)
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("run %d: exit %d\n%s", i, c, errs[i])
		}
	}
	want, _ := oracleRows(t, map[string]string{root: "tester"})
	sameRows(t, "after concurrent ingests", e.report(cfg).Rows, want)
	if code, _, s := e.run(cfg, "store", "check"); code != 0 {
		t.Errorf("store check: %d\n%s", code, s)
	}
}

// TestRev4NoIDUnderTwoLabels: a line without message.id copied into two
// folders read under two labels counts once, in a pure scan and in the store.
func TestRev4NoIDUnderTwoLabels(t *testing.T) {
	e := newR4(t)
	d1 := filepath.Join(e.home, "one")
	d2 := filepath.Join(e.home, "two")
	lines := []string{noID(1), noID(2), noID(1)}
	writeFile(t, filepath.Join(d1, "a.jsonl"), lines, false)
	writeFile(t, filepath.Join(d2, "b.jsonl"), []string{noID(2), noID(3)}, true)
	pure := e.report(nil, "--no-store", "--logs", "ann="+d1, "--logs", "bob="+d2)
	var n int64
	for _, r := range pure.Rows {
		n += r.Requests
	}
	if n != 3 {
		t.Errorf("pure scan: %d requests, want 3\n%s", n, rowsText(pure.Rows))
	}
	code, _, s := e.run(nil, "ingest", "--logs", "ann="+d1, "--logs", "bob="+d2)
	if code != 0 {
		t.Fatalf("ingest %d %s", code, s)
	}
	if c := ingestCounts(t, s); c[0] != "3" {
		t.Errorf("ingest: %v, want 3 new", c)
	}
	st := e.report(nil, "--logs", "ann="+d1, "--logs", "bob="+d2)
	sameRows(t, "store plus the same sources", st.Rows, pure.Rows)
}

// TestRev4Samples: the real transcripts, laid out as a config root: pure
// scan, default run and store plus named sources equal the oracle.
func TestRev4Samples(t *testing.T) {
	src, _ := filepath.Glob("../../../shared/samples/claude-code/*.jsonl")
	if len(src) == 0 {
		t.Skip("../shared/samples/claude-code not present")
	}
	e := newR4(t)
	root := filepath.Join(e.home, "claude")
	for i, f := range src {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "projects", fmt.Sprintf("-p%d", i%3))
		if strings.Contains(f, "subagents") {
			dir = filepath.Join(dir, "sess", "subagents")
		}
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-72 * time.Hour)
		os.Chtimes(filepath.Join(dir, filepath.Base(f)), old, old)
	}
	want, usageLines := oracleRows(t, map[string]string{root: "tester"})
	cfg := map[string]string{"CLAUDE_CONFIG_DIR": root}
	pure := e.report(nil, "--no-store", "--logs", root)
	sameRows(t, "pure scan", pure.Rows, want)
	if pure.Diagnostics.UsageLines != usageLines {
		t.Errorf("usage_lines %d, encoding/json %d", pure.Diagnostics.UsageLines, usageLines)
	}
	def := e.report(cfg)
	sameRows(t, "default run", def.Rows, want)
	if def.Diagnostics != pure.Diagnostics {
		t.Errorf("diagnostics: pure %+v, default %+v", pure.Diagnostics, def.Diagnostics)
	}
	sameRows(t, "store plus named", e.report(cfg, "--logs", root).Rows, want)
}

// malformedLines picks the "malformed: FILE:LINE: ..." messages of a run.
func malformedLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, "malformed: "); i >= 0 {
			out = append(out, l[i:])
		}
	}
	sort.Strings(out)
	return out
}

// TestRev4IncrementalLineNumbers: a malformed line found by an incremental
// read is reported at the line a pure scan of the whole file gives, whatever
// the file ended in at the last read (a whole last line without its newline,
// a blank or whitespace-only tail, CRLF, blank lines).
func TestRev4IncrementalLineNumbers(t *testing.T) {
	broken := `{"type":"assistant","message":{"id":"msg_bad","usage":{"input_tokens":}}}`
	cases := []struct{ name, before, after string }{
		{"newline", assistant(1, 1, false, false) + "\n", broken + "\n"},
		{"blank lines", assistant(1, 1, false, false) + "\n\n\n", "\n" + broken + "\n"},
		{"crlf", assistant(1, 1, false, false) + "\r\n\r\n", broken + "\r\n"},
		{"whole last line without newline", assistant(1, 1, false, false) + "\n" + assistant(2, 2, false, false), "\n" + broken + "\n"},
		{"whitespace tail without newline", assistant(1, 1, false, false) + "\n   ", "\n" + broken + "\n"},
		{"cut-off tail", assistant(1, 1, false, false) + "\n" + assistant(2, 2, false, false)[:30], assistant(2, 2, false, false)[30:] + "\n" + broken + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newR4(t)
			root := filepath.Join(e.home, "claude")
			path := filepath.Join(root, "projects", "p", "s.jsonl")
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, []byte(tc.before), 0o644)
			cfg := map[string]string{"CLAUDE_CONFIG_DIR": root}
			if code, _, s := e.run(cfg, "ingest"); code != 0 {
				t.Fatalf("ingest %d %s", code, s)
			}
			appendFile(t, path, tc.after)
			// the line number by hand: broken is the last line of the file
			data, _ := os.ReadFile(path)
			want := strings.Count(string(data), "\n")
			_, _, ing := e.run(cfg, "ingest", "--verbose")
			_, _, pure := e.run(nil, "report", "--no-store", "--verbose", "--logs", root)
			wantMsg := fmt.Sprintf("s.jsonl:%d: invalid JSON", want)
			mi, mp := malformedLines(ing), malformedLines(pure)
			if len(mp) != 1 || !strings.Contains(mp[0], wantMsg) {
				t.Errorf("pure scan: %v, want %s", mp, wantMsg)
			}
			if len(mi) != 1 || !strings.Contains(mi[0], wantMsg) {
				t.Errorf("incremental ingest: %v, want %s", mi, wantMsg)
			}
			wantRows, _ := oracleRows(t, map[string]string{root: "tester"})
			sameRows(t, "store", e.report(cfg).Rows, wantRows)
		})
	}
}

// TestRev4BigFileIncremental: a file over 8 MB (streamed rather than read
// whole) with a BOM, CRLF line ends and a cut-off tail: ingest, append, finish
// the tail; the store equals a pure scan and the oracle at every step, and
// appends are read as appends.
func TestRev4BigFileIncremental(t *testing.T) {
	e := newR4(t)
	root := filepath.Join(e.home, "claude")
	path := filepath.Join(root, "projects", "p", "big.jsonl")
	os.MkdirAll(filepath.Dir(path), 0o755)
	big := `{"type":"user","message":{"role":"user","content":"` + strings.Repeat("usage ", 1_600_000) + `"},"timestamp":"` + when(1) + `"}`
	var sb strings.Builder
	sb.WriteString("\ufeff")
	for k := 0; k < 200; k++ {
		sb.WriteString(assistant(k, int64(k+1), false, false) + "\r\n")
	}
	sb.WriteString(big + "\r\n")
	tail := assistant(500, 5, false, false)
	sb.WriteString(tail[:100])
	os.WriteFile(path, []byte(sb.String()), 0o644)
	cfg := map[string]string{"CLAUDE_CONFIG_DIR": root}
	step := func(what string, wantAppended string) {
		t.Helper()
		code, _, s := e.run(cfg, "ingest")
		if code != 0 {
			t.Fatalf("%s: ingest %d %s", what, code, s)
		}
		c := ingestCounts(t, s)
		if c[5] != wantAppended {
			t.Errorf("%s: %v, want %s appended", what, c, wantAppended)
		}
		want, _ := oracleRows(t, map[string]string{root: "tester"})
		sameRows(t, what+": store", e.report(cfg).Rows, want)
		pure := e.report(nil, "--no-store", "--logs", root)
		sameRows(t, what+": pure scan", pure.Rows, want)
		if pure.Diagnostics.Malformed != 0 {
			t.Errorf("%s: pure scan malformed %d", what, pure.Diagnostics.Malformed)
		}
	}
	step("first", "0")
	appendFile(t, path, tail[100:]+"\r\n"+big+"\r\n"+assistant(3, 1000, false, false)+"\r\n")
	step("appended", "1")
	appendFile(t, path, assistant(600, 6, false, false)+"\n")
	step("appended again", "1")
}

// TestRev4SameFolderTwoLabels: one folder named twice under two labels. The
// pure scan, the store, and the store plus the same named sources agree.
func TestRev4SameFolderTwoLabels(t *testing.T) {
	e := newR4(t)
	d := filepath.Join(e.home, "logs")
	writeFile(t, filepath.Join(d, "a.jsonl"), []string{assistant(1, 5, false, false), assistant(2, 6, false, false)}, false)
	args := []string{"--logs", "zed=" + d, "--logs", "amy=" + d}
	pure := e.report(nil, append([]string{"--no-store"}, args...)...)
	if code, _, s := e.run(nil, append([]string{"ingest"}, args...)...); code != 0 {
		t.Fatalf("ingest %d %s", code, s)
	}
	// the store alone: a default run with nothing in the default places
	code, out, s := e.run(nil, "report", "--format", "json", "--tz", "UTC")
	if code != 0 {
		t.Fatalf("store report %d %s", code, s)
	}
	var st r4report
	json.Unmarshal([]byte(out), &st)
	sameRows(t, "store vs pure scan", st.Rows, pure.Rows)
	named := e.report(nil, args...)
	sameRows(t, "store plus named vs pure scan", named.Rows, pure.Rows)
}
