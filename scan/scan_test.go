package scan

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSources(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	write(t, filepath.Join(home, ".claude.json"), `{"oauthAccount":{"emailAddress":"me@home.example"}}`)
	write(t, filepath.Join(dir, "a", ".claude.json"), `{"oauthAccount":{"emailAddress":"a@example.com"}}`)
	write(t, filepath.Join(dir, "a", ".credentials.json"), `{"never":"read"}`)
	os.MkdirAll(filepath.Join(dir, "b", "projects"), 0o755)
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")

	tests := []struct {
		name string
		logs []string
		env  map[string]string
		user string
		want []Source
	}{
		{"default roots", nil, map[string]string{"HOME": home, "USER": "x"}, "",
			[]Source{{Path: home + "/.config/claude/projects", User: "me@home.example"}, {Path: home + "/.claude/projects", User: "me@home.example"}}},
		{"CLAUDE_CONFIG_DIR list: a root and a projects folder", nil,
			map[string]string{"HOME": home, "USER": "x", "CLAUDE_CONFIG_DIR": a + " , " + b + "/projects,"}, "",
			[]Source{{Path: a + "/projects", User: "a@example.com", Explicit: true}, {Path: b + "/projects", User: "x", Explicit: true}}},
		{"--user wins over .claude.json", nil, map[string]string{"HOME": home, "CLAUDE_CONFIG_DIR": a}, "carol",
			[]Source{{Path: a + "/projects", User: "carol", Explicit: true}}},
		{"--logs with labels", []string{"bob=" + b, a, "-", "./x=y"}, map[string]string{"HOME": home, "USER": "x"}, "",
			[]Source{{Path: b, User: "bob", Explicit: true}, {Path: a, User: "a@example.com", Explicit: true},
				{Path: "-", User: "x", Explicit: true}, {Path: "./x=y", User: "x", Explicit: true}}},
		{"label wins over --user; ~ expands", []string{"bob=~/logs"}, map[string]string{"HOME": home}, "carol",
			[]Source{{Path: home + "/logs", User: "bob", Explicit: true}}},
		{"no USER at all", []string{b}, map[string]string{}, "", []Source{{Path: b, User: "unknown", Explicit: true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sources(tc.logs, Env{Getenv: envOf(tc.env), User: tc.user})
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "real")
	for _, p := range []string{
		"projects/-src-a/s1.jsonl", "projects/-src-a/agent-x.jsonl",
		"projects/-src-a/s1/subagents/agent-y.jsonl", "projects/-src-a/s1/subagents/workflows/wf_1/agent-z.jsonl",
		"projects/-src-a/s1/subagents/agent-y.meta.json", "projects/-src-a/notes.txt",
	} {
		write(t, filepath.Join(root, p), "{}\n")
	}
	link := filepath.Join(dir, "claude") // a symlinked config root, like a dotfiles checkout
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	files, stdin, warnings := Discover([]Source{
		{Path: filepath.Join(link, "projects"), User: "u1"},
		{Path: filepath.Join(root, "projects", "-src-a", "s1.jsonl"), User: "u2", Explicit: true}, // again: first wins
		{Path: filepath.Join(dir, "missing"), User: "u3", Explicit: true},
		{Path: filepath.Join(dir, "quiet-missing"), User: "u4"},
		{Path: Stdin, User: "u5"},
	})
	var got []string
	for _, f := range files {
		rel, _ := filepath.Rel(root, f.Path)
		got = append(got, rel+"@"+f.User)
	}
	want := []string{"projects/-src-a/agent-x.jsonl@u1", "projects/-src-a/s1.jsonl@u1",
		"projects/-src-a/s1/subagents/agent-y.jsonl@u1", "projects/-src-a/s1/subagents/workflows/wf_1/agent-z.jsonl@u1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files\n got %q\nwant %q", got, want)
	}
	if stdin == nil || stdin.User != "u5" {
		t.Errorf("stdin source = %+v", stdin)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "missing: no such file or folder") {
		t.Errorf("warnings = %q", warnings)
	}
}

// The result must not depend on how many workers read the files.
func TestRunWorkersAgree(t *testing.T) {
	files, _, _ := Discover([]Source{{Path: "../fixtures", User: "u"}})
	if len(files) < 5 {
		t.Fatalf("only %d fixture files", len(files))
	}
	var first *Result
	for _, w := range []int{1, 2, 7} {
		res := Run(files, nil, RunOptions{Options: Options{Workers: w}})
		if first == nil {
			first = res
			continue
		}
		if !reflect.DeepEqual(res.Set.Requests(), first.Set.Requests()) || res.Stats != first.Stats ||
			res.Set.Duplicates() != first.Set.Duplicates() || !reflect.DeepEqual(res.Malformed, first.Malformed) {
			t.Errorf("%d workers differ from 1", w)
		}
	}
}

// totals is an independent recount: encoding/json, the dedupe rule written out
// again, keep-largest per key.
type totals struct {
	In, Out, W5, W1, Read, Web, Requests int64
}

func recount(t *testing.T, dir string) map[string]totals {
	type line struct {
		Type        string `json:"type"`
		RequestID   string `json:"requestId"`
		IsSidechain bool   `json:"isSidechain"`
		Timestamp   string `json:"timestamp"`
		Message     *struct {
			ID    string `json:"id"`
			Model string `json:"model"`
			Usage *struct {
				In   int64 `json:"input_tokens"`
				Out  int64 `json:"output_tokens"`
				CC   int64 `json:"cache_creation_input_tokens"`
				Read int64 `json:"cache_read_input_tokens"`
				Br   *struct {
					W5 int64 `json:"ephemeral_5m_input_tokens"`
					W1 int64 `json:"ephemeral_1h_input_tokens"`
				} `json:"cache_creation"`
				STU *struct {
					Web int64 `json:"web_search_requests"`
				} `json:"server_tool_use"`
			} `json:"usage"`
		} `json:"message"`
	}
	type rec struct {
		month string
		model string
		side  bool
		t     totals
	}
	best := map[string]rec{}
	var noKey []rec
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<20), 64<<20)
		for sc.Scan() {
			var l line
			if json.Unmarshal(sc.Bytes(), &l) != nil || l.Type != "assistant" || l.Message == nil || l.Message.Usage == nil || l.Message.Model == "<synthetic>" {
				continue
			}
			u := l.Message.Usage
			w5, w1 := u.CC, int64(0)
			if u.Br != nil {
				w5, w1 = u.Br.W5, u.Br.W1
				if u.CC > w5+w1 {
					w5 += u.CC - (w5 + w1)
				}
			}
			r := rec{model: l.Message.Model, side: l.IsSidechain, t: totals{In: u.In, Out: u.Out, W5: w5, W1: w1, Read: u.Read, Requests: 1}}
			if u.STU != nil {
				r.t.Web = u.STU.Web
			}
			if r.t.In+r.t.Out+r.t.W5+r.t.W1+r.t.Read+r.t.Web == 0 {
				continue
			}
			ts, err := time.Parse(time.RFC3339Nano, l.Timestamp)
			if err != nil {
				continue
			}
			r.month = ts.UTC().Format("2006-01")
			key := l.Message.ID
			if l.RequestID != "" {
				key += ":" + l.RequestID
			}
			if l.Message.ID == "" {
				noKey = append(noKey, r)
				continue
			}
			sum := func(x totals) int64 { return x.In + x.Out + x.W5 + x.W1 + x.Read }
			if old, ok := best[key]; !ok || sum(r.t) > sum(old.t) || (sum(r.t) == sum(old.t) && old.side && !r.side) {
				best[key] = r
			}
		}
		f.Close()
	}
	out := map[string]totals{}
	add := func(r rec) {
		k := r.month + " " + r.model
		o := out[k]
		o.In += r.t.In
		o.Out += r.t.Out
		o.W5 += r.t.W5
		o.W1 += r.t.W1
		o.Read += r.t.Read
		o.Web += r.t.Web
		o.Requests++
		out[k] = o
	}
	for _, r := range best {
		add(r)
	}
	for _, r := range noKey {
		add(r)
	}
	return out
}

func rollupTotals(t *testing.T, dir string) map[string]totals {
	files, _, _ := Discover([]Source{{Path: dir, User: "u", Explicit: true}})
	res := Run(files, nil, RunOptions{})
	got := map[string]totals{}
	for _, r := range res.Set.Requests() {
		k := r.Time.UTC().Format("2006-01") + " " + r.Model
		g := got[k]
		g.In += r.Input
		g.Out += r.Output
		g.W5 += r.CacheWrite5m
		g.W1 += r.CacheWrite1h
		g.Read += r.CacheRead
		g.Web += int64(r.WebSearch)
		g.Requests += int64(r.Count)
		got[k] = g
	}
	return got
}

// TestRealSamples checks the dedupe on real transcripts written by Claude Code
// against the independent recount above.
func TestRealSamples(t *testing.T) {
	dir := "../../shared/samples/claude-code"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared samples not present:", err)
	}
	want := recount(t, dir)
	got := rollupTotals(t, dir)
	if len(want) == 0 {
		t.Fatal("the recount found nothing")
	}
	if !reflect.DeepEqual(got, want) {
		var keys []string
		for k := range want {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if got[k] != want[k] {
				t.Errorf("%s: got %+v, want %+v", k, got[k], want[k])
			}
		}
		t.Errorf("got %d rows, want %d", len(got), len(want))
	}
}

func TestFixturesMatchRecount(t *testing.T) {
	dir := "../fixtures/messy"
	if want, got := recount(t, dir), rollupTotals(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %+v, want %+v", dir, got, want)
	}
}
