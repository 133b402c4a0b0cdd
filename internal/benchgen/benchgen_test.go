package benchgen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1.1GB": 1_100_000_000, "500MB": 500_000_000, "2MiB": 2 << 20, "64kib": 64 << 10,
		"3g": 3_000_000_000, "123": 123, "10B": 10, " 1 GiB ": 1 << 30,
	} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GB", "-1MB", "1TB", "x"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q): no error", in)
		}
	}
}

// recount is an independent count of the tree written under dir: every line is decoded
// with encoding/json and the counting rule applied to what is on disk.
type recount struct {
	rows                               map[rowKey]*Row
	files, lines, usageLines, synth    int64
	bytes                              int64
	progressUsage, noRequestID, sidech int64
	crossFileDups, growingDups         int64
	noReqCrossFile                     int64 // responses without requestId copied across files
	writesAbove, writesBelow           int64 // usage lines with cache_creation_input_tokens above / below 5m + 1h
	maxLine                            int
	layouts                            map[string]int // "main", "subagents", "flat", "acompact"
	keysSeen                           map[string]bool
}

type usageJSON struct {
	Input         int64 `json:"input_tokens"`
	Output        int64 `json:"output_tokens"`
	CacheCreate   int64 `json:"cache_creation_input_tokens"`
	CacheRead     int64 `json:"cache_read_input_tokens"`
	CacheCreation *struct {
		E5m int64 `json:"ephemeral_5m_input_tokens"`
		E1h int64 `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
	ServerToolUse *struct {
		WebSearch int64 `json:"web_search_requests"`
	} `json:"server_tool_use"`
}

type messageJSON struct {
	ID    string     `json:"id"`
	Model string     `json:"model"`
	Usage *usageJSON `json:"usage"`
}

type lineJSON struct {
	Type        string       `json:"type"`
	RequestID   *string      `json:"requestId"`
	Timestamp   string       `json:"timestamp"`
	IsSidechain bool         `json:"isSidechain"`
	Message     *messageJSON `json:"message"`
	Data        *struct {
		Message *struct {
			Message *messageJSON `json:"message"`
		} `json:"message"`
	} `json:"data"`
}

type copyJSON struct {
	total     int64
	sidechain bool
	ts        time.Time
	model     string
	row       Row
	file      string
	outputs   map[int64]bool
	files     map[string]bool
}

func scan(t *testing.T, dir string) *recount {
	t.Helper()
	rc := &recount{rows: map[rowKey]*Row{}, layouts: map[string]int{}}
	best := map[string]*copyJSON{}
	err := filepath.WalkDir(filepath.Join(dir, "projects"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl") {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(dir, "projects"), path)
		switch parts := strings.Split(rel, string(filepath.Separator)); {
		case len(parts) == 2 && strings.HasPrefix(parts[1], "agent-"):
			rc.layouts["flat"]++
		case len(parts) == 2:
			rc.layouts["main"]++
		case len(parts) == 4 && parts[2] == "subagents" && strings.HasPrefix(parts[3], "agent-acompact-"):
			rc.layouts["acompact"]++
		case len(parts) == 4 && parts[2] == "subagents":
			rc.layouts["subagents"]++
		default:
			t.Errorf("unexpected path %s", rel)
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rc.files++
		r := bufio.NewReaderSize(f, 1<<20)
		for n := 1; ; n++ {
			line, err := r.ReadBytes('\n')
			if len(line) == 0 && err != nil {
				break
			}
			if line[len(line)-1] != '\n' {
				t.Errorf("%s:%d: last line not terminated", rel, n)
			}
			rc.lines++
			rc.bytes += int64(len(line))
			rc.maxLine = max(rc.maxLine, len(line))
			if !json.Valid(line) {
				t.Fatalf("%s:%d: invalid JSON: %.200s", rel, n, line)
			}
			var l lineJSON
			if err := json.Unmarshal(line, &l); err != nil {
				t.Fatalf("%s:%d: %v", rel, n, err)
			}
			if l.Data != nil && l.Data.Message != nil && l.Data.Message.Message != nil && l.Data.Message.Message.Usage != nil {
				rc.progressUsage++
			}
			if l.Type != "assistant" || l.Message == nil || l.Message.Usage == nil {
				continue
			}
			if l.Message.Model == "<synthetic>" {
				rc.synth++
				continue
			}
			rc.usageLines++
			if l.IsSidechain {
				rc.sidech++
			}
			u := l.Message.Usage
			row := Row{Input: u.Input, Output: u.Output, CacheRead: u.CacheRead}
			if u.CacheCreation == nil {
				row.CacheWrite5m = u.CacheCreate
			} else {
				row.CacheWrite5m, row.CacheWrite1h = u.CacheCreation.E5m, u.CacheCreation.E1h
				switch sum := u.CacheCreation.E5m + u.CacheCreation.E1h; {
				case u.CacheCreate > sum:
					row.CacheWrite5m += u.CacheCreate - sum
					rc.writesAbove++
				case u.CacheCreate < sum:
					rc.writesBelow++
				}
			}
			if u.ServerToolUse != nil {
				row.WebSearch = u.ServerToolUse.WebSearch
			}
			key := l.Message.ID
			if l.RequestID != nil {
				key += ":" + *l.RequestID
			} else {
				rc.noRequestID++
			}
			ts, err := time.Parse(time.RFC3339Nano, l.Timestamp)
			if err != nil {
				t.Fatalf("%s:%d: timestamp %q: %v", rel, n, l.Timestamp, err)
			}
			c := &copyJSON{total: row.Input + row.Output + row.CacheWrite5m + row.CacheWrite1h + row.CacheRead,
				sidechain: l.IsSidechain, ts: ts, model: l.Message.Model, row: row, file: rel}
			prev := best[key]
			if prev == nil {
				c.outputs, c.files = map[int64]bool{}, map[string]bool{}
				best[key] = c
				prev = c
			} else if c.total > prev.total || (c.total == prev.total && prev.sidechain && !c.sidechain) {
				c.outputs, c.files = prev.outputs, prev.files
				best[key] = c
			}
			prev.outputs[u.Output] = true
			prev.files[rel] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rc.keysSeen = map[string]bool{}
	for key, c := range best {
		rc.keysSeen[key] = true
		if len(c.files) > 1 {
			rc.crossFileDups++
			if !strings.Contains(key, ":") {
				rc.noReqCrossFile++
			}
		}
		if len(c.outputs) > 1 {
			rc.growingDups++
		}
		k := rowKey{c.ts.UTC().Format("2006-01"), c.model}
		r := rc.rows[k]
		if r == nil {
			r = &Row{Period: k.period, Model: k.model}
			rc.rows[k] = r
		}
		r.Input += c.row.Input
		r.Output += c.row.Output
		r.CacheWrite5m += c.row.CacheWrite5m
		r.CacheWrite1h += c.row.CacheWrite1h
		r.CacheRead += c.row.CacheRead
		r.WebSearch += c.row.WebSearch
		r.Requests++
	}
	return rc
}

func (rc *recount) sortedRows() []Row {
	var rows []Row
	for _, r := range rc.rows {
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Period != rows[j].Period {
			return rows[i].Period < rows[j].Period
		}
		return rows[i].Model < rows[j].Model
	})
	return rows
}

func TestTruthMatchesRecount(t *testing.T) {
	for _, tc := range []struct {
		prof Profile
		edge bool
	}{{Realistic(), false}, {Realistic(), true}, {Lean(), false}, {Lean(), true}, {Legacy(), false}, {Legacy(), true}} {
		edge := tc.edge
		t.Run(fmt.Sprintf("%s/edge=%v", tc.prof.Name, edge), func(t *testing.T) {
			dir := t.TempDir()
			truth, err := Generate(Config{Dir: dir, Size: 2 << 20, Seed: 7, EdgeCases: edge, Profile: tc.prof})
			if err != nil {
				t.Fatal(err)
			}
			rc := scan(t, dir)
			t.Logf("%d files %v, %d lines (longest %d bytes), %d usage lines, %d requests, %d rows, %d without requestId, %d copied across files, %d with growing output, %d progress copies",
				rc.files, rc.layouts, rc.lines, rc.maxLine, rc.usageLines, truth.Requests, len(truth.Rows),
				rc.noRequestID, rc.crossFileDups, rc.growingDups, rc.progressUsage)

			if got := rc.sortedRows(); !reflect.DeepEqual(got, truth.Rows) {
				t.Errorf("rows differ\nrecount: %+v\ntruth:   %+v", got, truth.Rows)
			}
			for _, c := range []struct {
				name      string
				got, want int64
			}{
				{"files", rc.files, int64(truth.Files)},
				{"lines", rc.lines, truth.Lines},
				{"bytes", rc.bytes, truth.Bytes},
				{"usage lines", rc.usageLines, truth.UsageLines},
				{"synthetic lines", rc.synth, truth.SyntheticLines},
			} {
				if c.got != c.want {
					t.Errorf("%s: recount %d, truth %d", c.name, c.got, c.want)
				}
			}
			if truth.Bytes < 2<<20 || truth.Bytes > 3<<20 {
				t.Errorf("size %d, asked for %d", truth.Bytes, 2<<20)
			}

			// The tree holds every case the counting rule is about.
			for _, c := range []struct {
				name string
				n    int64
			}{
				{"main sessions", int64(rc.layouts["main"])},
				{"subagents/ files", int64(rc.layouts["subagents"])},
				{"flat agent-*.jsonl files", int64(rc.layouts["flat"])},
				{"progress lines embedding usage", rc.progressUsage},
				{"<synthetic> lines", rc.synth},
				{"usage lines without requestId", rc.noRequestID},
				{"sidechain usage lines", rc.sidech},
				{"responses copied across files (resumed sessions)", rc.crossFileDups},
				{"responses whose copies carry different output counts", rc.growingDups},
				{"duplicate copies", rc.usageLines - truth.Requests},
				{"cache_creation_input_tokens below 5m + 1h", rc.writesBelow},
			} {
				if c.n == 0 {
					t.Errorf("no %s in the tree", c.name)
				}
			}
			// EdgeCases adds exactly the cases where ccusage departs from the rule.
			if edge && (rc.writesAbove == 0 || rc.noReqCrossFile == 0) {
				t.Errorf("edge cases missing: %d lines with writes above 5m + 1h, %d responses without requestId in two files",
					rc.writesAbove, rc.noReqCrossFile)
			}
			if !edge && (rc.writesAbove != 0 || rc.noReqCrossFile != 0) {
				t.Errorf("edge cases present without EdgeCases: %d lines with writes above 5m + 1h, %d responses without requestId in two files",
					rc.writesAbove, rc.noReqCrossFile)
			}
			if len(truth.Rows) < 5 {
				t.Errorf("only %d month x model rows", len(truth.Rows))
			}
		})
	}
}

func TestTruthMatchesRecountSeeds(t *testing.T) {
	for seed := int64(1); seed <= 8; seed++ {
		dir := t.TempDir()
		prof := []Profile{Realistic(), Lean(), Legacy()}[seed%3]
		truth, err := Generate(Config{Dir: dir, Size: 1 << 20, Seed: seed, EdgeCases: seed%2 == 0, Profile: prof})
		if err != nil {
			t.Fatal(err)
		}
		rc := scan(t, dir)
		if got := rc.sortedRows(); !reflect.DeepEqual(got, truth.Rows) {
			t.Errorf("seed %d: rows differ\nrecount: %+v\ntruth:   %+v", seed, got, truth.Rows)
		}
		if rc.lines != truth.Lines || rc.bytes != truth.Bytes || rc.usageLines != truth.UsageLines || rc.synth != truth.SyntheticLines {
			t.Errorf("seed %d: recount lines %d bytes %d usage %d synthetic %d; truth %d %d %d %d", seed,
				rc.lines, rc.bytes, rc.usageLines, rc.synth, truth.Lines, truth.Bytes, truth.UsageLines, truth.SyntheticLines)
		}
	}
}

// treeHash hashes every file under dir (path, size, bytes) in lexical order.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		fmt.Fprintf(h, "%s %d\n", rel, len(data))
		h.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	for _, cfg := range []Config{
		{Size: 1 << 20, Seed: 3},
		{Size: 1 << 20, Seed: 3, Profile: Lean()},
		{Requests: 3000, Seed: 3, Profile: Lean()},
	} {
		hash := func() (string, *Truth) {
			c := cfg
			c.Dir = t.TempDir()
			truth, err := Generate(c)
			if err != nil {
				t.Fatal(err)
			}
			return treeHash(t, c.Dir), truth
		}
		h1, t1 := hash()
		h2, t2 := hash()
		if h1 != h2 || !reflect.DeepEqual(t1, t2) {
			t.Errorf("%s: two runs with the same seed differ", cfg.Profile.Name)
		}
	}
}

// The legacy profile writes the very bytes of the first generator (hash taken from a
// tree written by the generator before profiles existed, with the same hashing).
func TestLegacyUnchanged(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(Config{Dir: dir, Size: 4_000_000, Seed: 3, Profile: Legacy()}); err != nil {
		t.Fatal(err)
	}
	const want = "49231b3440d95c9eb1aba87dc988c4d9af634d9f4deaaef5942d28f649e2b0a9"
	if got := treeHash(t, dir); got != want {
		t.Errorf("legacy tree hash %s, want %s (the legacy shape changed)", got, want)
	}
}

// fileStats counts a tree's .jsonl files by layout and the months its lines span,
// straight from the disk.
func fileStats(t *testing.T, dir string) (layouts map[string]int, months map[string]bool, userLines, assistantLines int) {
	t.Helper()
	layouts, months = map[string]int{}, map[string]bool{}
	root := filepath.Join(dir, "projects")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		parts := strings.Split(rel, string(filepath.Separator))
		switch {
		case len(parts) == 4 && parts[2] == "subagents":
			layouts["subagents"]++
		case len(parts) == 2 && strings.HasPrefix(parts[1], "agent-"):
			layouts["flat"]++
		default:
			layouts["main"]++
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'}) {
			var l lineJSON
			if err := json.Unmarshal(line, &l); err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			switch l.Type {
			case "user":
				userLines++
			case "assistant":
				assistantLines++
			}
			if len(l.Timestamp) >= 7 {
				months[l.Timestamp[:7]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

func TestRealisticShape(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 20 MB tree")
	}
	dir := t.TempDir()
	truth, err := Generate(Config{Dir: dir, Size: 20_000_000, Seed: 1}) // zero Profile: realistic
	if err != nil {
		t.Fatal(err)
	}
	if truth.Profile != "realistic" {
		t.Errorf("zero Profile gave %q, want realistic", truth.Profile)
	}
	rc := scan(t, dir) // the truth, recounted from the disk
	if got := rc.sortedRows(); !reflect.DeepEqual(got, truth.Rows) {
		t.Errorf("rows differ from the recount")
	}
	mb := float64(rc.bytes) / 1e6
	perMB := float64(len(rc.keysSeen)) / mb
	layouts, months, users, assistants := fileStats(t, dir)
	t.Logf("%.1f MB, %d requests (%.0f per MB), %d files %v, %d months, %d user / %d assistant lines, bytes by kind %v",
		mb, len(rc.keysSeen), perMB, rc.files, layouts, len(months), users, assistants, truth.KindBytes)
	if perMB < 100 || perMB > 150 {
		t.Errorf("%.0f unique requests per MB, want 100 to 150 (one per 7-10 KB)", perMB)
	}
	if files := float64(rc.files) / mb; files < 4.2 { // 5k files per 1.2 GB
		t.Errorf("%.1f files per MB, want >= 4.2", files)
	}
	if layouts["subagents"] < 10 || layouts["flat"] < 3 || layouts["main"] < 10 {
		t.Errorf("layouts %v: want >= 10 main sessions, >= 10 in subagents/ folders, >= 3 flat agent files", layouts)
	}
	if assistants <= users {
		t.Errorf("%d assistant lines, %d user lines: want more assistant lines", assistants, users)
	}
	if user := float64(truth.KindBytes["user"]) / float64(truth.Bytes); user < 0.3 {
		t.Errorf("user lines hold %.0f%% of the bytes, want >= 30%%", 100*user)
	}
	if len(months) < 9 {
		t.Errorf("lines span %d months, want >= 9 (2025-12 to 2026-10)", len(months))
	}
	for m := range months {
		if m < "2025-12" || m > "2026-10" {
			t.Errorf("line in month %s, outside 2025-12..2026-10", m)
		}
	}
	if rc.usageLines < truth.Requests*2 {
		t.Errorf("%d usage lines for %d requests: want streamed copies (>= 2 lines per response)", rc.usageLines, truth.Requests)
	}
}

func TestLeanShape(t *testing.T) {
	dir := t.TempDir()
	const n = 20000
	truth, err := Generate(Config{Dir: dir, Requests: n, Seed: 2, Profile: Lean()})
	if err != nil {
		t.Fatal(err)
	}
	rc := scan(t, dir)
	if got := rc.sortedRows(); !reflect.DeepEqual(got, truth.Rows) {
		t.Errorf("rows differ from the recount")
	}
	got := int64(len(rc.keysSeen))
	per := float64(rc.bytes) / float64(got)
	_, months, _, _ := fileStats(t, dir)
	t.Logf("%d bytes, %d requests (%.0f bytes each), %d files, %d months", rc.bytes, got, per, rc.files, len(months))
	// Requests ends the tree soon after n: a subagent in progress writes one more response.
	if got != truth.Requests || got < n || got > n+3 {
		t.Errorf("%d unique requests on disk, truth %d, asked for %d", got, truth.Requests, n)
	}
	if per < 700 || per > 1200 {
		t.Errorf("%.0f bytes per unique request, want 700 to 1200 (about 1 KB)", per)
	}
	if len(months) < 11 {
		t.Errorf("lines span %d months, want >= 11", len(months))
	}
}

func TestRefusesExistingTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "projects"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(Config{Dir: dir, Size: 1 << 20}); err == nil {
		t.Error("no error for an existing projects/ folder")
	}
}

func TestCopiesStayInOneQuarterHour(t *testing.T) {
	// All copies of a response share a quarter hour, so they fall in the same day and
	// month in every time zone and the month of the kept copy is never ambiguous.
	dir := t.TempDir()
	if _, err := Generate(Config{Dir: dir, Size: 1 << 20, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	slots := map[string]time.Time{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		for _, line := range bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'}) {
			var l lineJSON
			if json.Unmarshal(line, &l) != nil || l.Type != "assistant" || l.Message == nil || l.Message.Model == "<synthetic>" {
				continue
			}
			ts, _ := time.Parse(time.RFC3339Nano, l.Timestamp)
			slot := ts.Truncate(15 * time.Minute)
			if prev, ok := slots[l.Message.ID]; ok && !prev.Equal(slot) {
				t.Errorf("%s: copies in quarter hours %v and %v", l.Message.ID, prev, slot)
			}
			slots[l.Message.ID] = slot
		}
		return err
	})
	if len(slots) == 0 {
		t.Fatal("no responses")
	}
}
