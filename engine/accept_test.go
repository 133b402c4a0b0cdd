package engine

// The acceptance tests of the engine (issue 9): a pure scan, the store alone
// and the store with the same sources on top give the same report rows, equal
// to a generated tree's truth; ingest reports the diagnostics a pure scan
// reports for the same files; and the edge cases of resuming a file (a BOM, a
// cut-off tail), of labels, and of a one-month range.

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/internal/benchgen"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// threeWays builds the report of files and csvs as a pure scan, from the store
// alone after an ingest, and from the store with the same sources on top.
func threeWays(t *testing.T, files []scan.File, csvs []CSVFile, o ReportOptions) (pure, stored, both *Report) {
	t.Helper()
	prices := o.Prices
	src := Sources{Files: files, CSV: csvs}

	// 1. A pure scan: scan.Run into a Set, the CSV rows added to it.
	res := scan.Run(files, nil, scan.RunOptions{})
	for _, f := range csvs {
		if _, err := ReadCSV(f, billing.Options{}, nil, func(r *usage.Request) { res.Set.Add(r) }); err != nil {
			t.Fatal(err)
		}
	}
	pure = BuildReport(res.Set.Groups(prices.LongContext), o)
	// The same through ReadSources and Input.Groups, without a store.
	in, err := ReadSources(src, scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in.Long = prices.LongContext
	g, err := in.Groups(o.Range, Periods{By: o.By, Loc: o.Loc, Changes: o.Prices.ChangeDates()})
	if err != nil {
		t.Fatal(err)
	}
	if viaInput := BuildReport(g, o); !reflect.DeepEqual(viaInput, pure) {
		t.Errorf("Input.Groups without a store differs from Set.Groups")
	}

	// 2. The store alone.
	st, err := store.Open(filepath.Join(t.TempDir(), "usage.db"), store.Options{Long: prices.LongContext})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var records []usage.Request
	for _, f := range csvs {
		if _, err := ReadCSV(f, billing.Options{}, nil, func(r *usage.Request) { records = append(records, *r) }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Ingest(st, files, IngestOptions{Records: records}); err != nil {
		t.Fatal(err)
	}
	if c, err := st.Check(); err != nil || !c.OK {
		t.Fatalf("check: %+v %v", c, err)
	}
	alone := &Input{Store: st, Set: aggregate.NewSet(), Long: prices.LongContext}
	if g, err = alone.Groups(o.Range, Periods{By: o.By, Loc: o.Loc, Changes: o.Prices.ChangeDates()}); err != nil {
		t.Fatal(err)
	}
	stored = BuildReport(g, o)

	// 3. The store with the same sources read on top.
	if in, err = ReadSources(src, scan.Options{}); err != nil {
		t.Fatal(err)
	}
	in.Store, in.Long = st, prices.LongContext
	if g, err = in.Groups(o.Range, Periods{By: o.By, Loc: o.Loc, Changes: o.Prices.ChangeDates()}); err != nil {
		t.Fatal(err)
	}
	both = BuildReport(g, o)
	if in.StoreOnly != 0 {
		t.Errorf("%d stored records no source held; want 0", in.StoreOnly)
	}
	return pure, stored, both
}

func sameReports(t *testing.T, what string, got, want *Report) {
	t.Helper()
	if reflect.DeepEqual(got.Rows, want.Rows) && reflect.DeepEqual(got.Unknown, want.Unknown) {
		return
	}
	t.Errorf("%s: %d rows, want %d", what, len(got.Rows), len(want.Rows))
	for i := range max(len(got.Rows), len(want.Rows)) {
		var g, w Row
		if i < len(got.Rows) {
			g = got.Rows[i]
		}
		if i < len(want.Rows) {
			w = want.Rows[i]
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("row %d:\n got  %+v\n want %+v", i, g, w)
		}
	}
	if !reflect.DeepEqual(got.Unknown, want.Unknown) {
		t.Errorf("unknown models %+v, want %+v", got.Unknown, want.Unknown)
	}
}

// TestSameRowsEveryWay: on the fixtures (logs and billing exports) and on a
// generated tree with edge cases, the three ways give the same rows, per day in
// a zone that is not UTC; and on the generated tree, per UTC month and model,
// they equal benchgen's truth (computed by the generator, not by reading).
func TestSameRowsEveryWay(t *testing.T) {
	prices := pricing.Default()
	zone := time.FixedZone("UTC-05:30", -(5*3600 + 1800))
	gen := t.TempDir()
	truth, err := benchgen.Generate(benchgen.Config{Dir: gen, Size: 5 << 20, Seed: 9, EdgeCases: true})
	if err != nil {
		t.Fatal(err)
	}
	csvs := []CSVFile{{Path: "../fixtures/billing/claude_api_tokens_2026_06.csv"}, {Path: "../fixtures/billing/claude_api_cost_2026_06.csv"}}
	for _, tc := range []struct {
		name string
		dirs []string
		csvs []CSVFile
	}{
		{"basic", []string{"../fixtures/basic/projects"}, nil},
		{"messy", []string{"../fixtures/messy"}, nil},
		{"recommend", []string{"../fixtures/recommend"}, nil},
		{"billing", nil, csvs},
		{"fixtures", []string{"../fixtures/basic/projects", "../fixtures/messy", "../fixtures/recommend"}, csvs},
		{"generated", []string{gen}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var files []scan.File
			if len(tc.dirs) > 0 {
				files = discover(t, tc.dirs...)
			}
			o := ReportOptions{By: aggregate.Day, Loc: zone, Prices: prices, Provider: "anthropic"}
			pure, stored, both := threeWays(t, files, tc.csvs, o)
			if len(pure.Rows) == 0 {
				t.Fatal("no rows")
			}
			sameReports(t, "the store alone", stored, pure)
			sameReports(t, "the store and the sources", both, pure)
			if tc.name != "generated" {
				return
			}
			o = ReportOptions{By: aggregate.Month, Loc: time.UTC, Prices: prices, Provider: "anthropic"}
			pure, stored, both = threeWays(t, files, nil, o)
			for way, rep := range map[string]*Report{"pure": pure, "store": stored, "both": both} {
				got := make(map[[2]string]*benchgen.Row)
				for _, r := range rep.Rows {
					k := [2]string{r.Period, r.Model}
					if got[k] == nil {
						got[k] = &benchgen.Row{Period: r.Period, Model: r.Model}
					}
					g := got[k]
					g.Input += r.Input
					g.Output += r.Output
					g.CacheWrite5m += r.CacheWrite5m
					g.CacheWrite1h += r.CacheWrite1h
					g.CacheRead += r.CacheRead
					g.WebSearch += r.WebSearch
					g.Requests += r.Requests
				}
				if len(got) != len(truth.Rows) {
					t.Errorf("%s: %d month and model rows, truth has %d", way, len(got), len(truth.Rows))
				}
				for _, w := range truth.Rows {
					if g := got[[2]string{w.Period, w.Model}]; g == nil || *g != w {
						t.Errorf("%s: %s %s:\n got  %+v\n want %+v", way, w.Period, w.Model, g, w)
					}
				}
			}
		})
	}
}

// TestIngestDiagnosticsEqualScan: ingest reports what a pure scan reports for
// the same files: lines, usage lines, malformed lines (the same list), files
// ending in a line still being written, notices.
func TestIngestDiagnosticsEqualScan(t *testing.T) {
	extra := t.TempDir()
	writeFile(t, filepath.Join(extra, "cut.jsonl"), line{id: "msg_1", req: "r1", sec: 1, in: 1, out: 1}.String()+`{"type":"assistant","mess`)
	writeFile(t, filepath.Join(extra, "bad.jsonl"), "not json\n"+line{id: "msg_2", req: "r2", sec: 2, in: 1, out: 1}.String()+"{\"a\":\n")
	writeFile(t, filepath.Join(extra, "bom.jsonl"), "\ufeff"+line{id: "msg_3", req: "r3", sec: 3, in: 1, out: 1}.String()+
		"\ufeff"+line{id: "msg_4", req: "r4", sec: 4, in: 1, out: 1}.String())
	gen := t.TempDir()
	genTree(t, gen, 5, 20, 300, 21)
	for _, dirs := range [][]string{{"../fixtures/messy"}, {"../fixtures/basic/projects", "../fixtures/recommend"}, {extra}, {gen, extra, "../fixtures/messy"}} {
		t.Run(strings.Join(dirs, "+"), func(t *testing.T) {
			for i, d := range dirs { // ingest names files by absolute path
				dirs[i], _ = filepath.Abs(d)
			}
			files := discover(t, dirs...)
			want := scan.Run(files, nil, scan.RunOptions{}).Summary
			s := openStore(t, filepath.Join(t.TempDir(), "usage.db"))
			got := ingest(t, s, files).Summary
			if got.Stats != want.Stats {
				t.Errorf("stats %+v, want %+v", got.Stats, want.Stats)
			}
			if !reflect.DeepEqual(got.Malformed, want.Malformed) {
				t.Errorf("malformed %v, want %v", got.Malformed, want.Malformed)
			}
			if got.CutOffFiles != want.CutOffFiles || got.Files != want.Files || got.Whole != want.Whole ||
				!reflect.DeepEqual(got.Notices, want.Notices) || !reflect.DeepEqual(got.Warnings, want.Warnings) {
				t.Errorf("ingest %+v\nscan   %+v", got, want)
			}
		})
	}
	// By hand, for the extra files: 2+3+2 lines; msg_1..3 are records; "not
	// json", the unfinished {"a": with its line end, and the second BOM line
	// (a BOM only stands at a file's start) are malformed; cut.jsonl is cut off.
	sum := scan.Run(discover(t, extra), nil, scan.RunOptions{}).Summary
	if sum.Stats.Lines != 7 || sum.Stats.UsageLines != 3 || sum.Stats.Malformed != 3 || sum.CutOffFiles != 1 {
		t.Errorf("extra files: %+v, %d cut off", sum.Stats, sum.CutOffFiles)
	}
}

// TestBOMInAppendedChunk: a file that starts with a byte-order mark, read in
// steps. The BOM of the first line is skipped once; a chunk appended with a
// BOM of its own is one malformed line (as a pure scan of the whole file says),
// not a line counted twice; the offsets and line numbers hold.
func TestBOMInAppendedChunk(t *testing.T) {
	const bom = "\ufeff"
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	l1 := line{id: "msg_1", req: "r1", sec: 1, in: 1, out: 10}.String()
	l2 := line{id: "msg_2", req: "r2", sec: 2, in: 2, out: 20}.String()
	l3 := line{id: "msg_3", req: "r3", sec: 3, in: 3, out: 30}.String()
	s := openStore(t, filepath.Join(dir, "usage.db"))

	type step struct {
		name                        string
		add                         string
		lines, usage, malformed     int64
		offset, stateLines, records int64
	}
	size := func(parts ...string) int64 { return int64(len(strings.Join(parts, ""))) }
	for _, st := range []step{
		{"a BOM and half a line", bom + l1[:30], 1, 0, 0, 0, 0, 0},
		{"the line finished", l1[30:], 1, 1, 0, size(bom, l1), 1, 1},
		{"a chunk that starts with a BOM", bom + l2, 1, 0, 1, size(bom, l1, bom, l2), 2, 1},
		{"a plain line", l3, 1, 1, 0, size(bom, l1, bom, l2, l3), 3, 2},
	} {
		if st.name == "a BOM and half a line" {
			writeFile(t, path, st.add)
		} else {
			appendFile(t, path, st.add)
		}
		res := ingest(t, s, fileOf(path))
		if res.Stats.Lines != st.lines || res.Stats.UsageLines != st.usage || res.Stats.Malformed != st.malformed {
			t.Errorf("%s: %+v; want %d lines, %d with usage, %d malformed", st.name, res.Stats, st.lines, st.usage, st.malformed)
		}
		if st.malformed > 0 && (len(res.Malformed) != 1 || res.Malformed[0].Line != 2) {
			t.Errorf("%s: malformed %v, want line 2", st.name, res.Malformed)
		}
		fs := stateOf(t, s, path)
		if fs.Offset != st.offset || fs.Lines != st.stateLines {
			t.Errorf("%s: offset %d, %d lines; want %d, %d", st.name, fs.Offset, fs.Lines, st.offset, st.stateLines)
		}
		reqs, _ := load(t, s)
		if int64(len(reqs)) != st.records {
			t.Errorf("%s: %d stored, want %d", st.name, len(reqs), st.records)
		}
	}
	// A pure scan of the whole file agrees: the BOM line once, malformed at line 2.
	sum := scan.Run(fileOf(path), nil, scan.RunOptions{}).Summary
	if sum.Stats.Lines != 3 || sum.Stats.Malformed != 1 || len(sum.Malformed) != 1 || sum.Malformed[0].Line != 2 {
		t.Errorf("pure scan: %+v %v", sum.Stats, sum.Malformed)
	}
	want, _ := scanned(t, fileOf(path))
	got, _ := load(t, s)
	sameRequests(t, "store", got, want)
}

// TestCutOffTail: a file ending in a line still being written is reported as
// such by ingest as by a pure scan, and stored without that line; once the
// file is unchanged for over a day (scan.CutOffAge), both call the line
// malformed, once.
func TestCutOffTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	whole := line{id: "msg_1", req: "r1", sec: 1, in: 1, out: 10}.String()
	writeFile(t, path, whole+`{"type":"assistant","message":{"mod`)
	now := time.Now()
	at := func(t time.Time) func() time.Time { return func() time.Time { return t } }

	s := openStore(t, filepath.Join(dir, "usage.db"))
	res, err := ingestWith(s, fileOf(path), IngestOptions{Now: at(now)})
	if err != nil {
		t.Fatal(err)
	}
	sum := scan.Run(fileOf(path), nil, scan.RunOptions{Options: scan.Options{Now: at(now)}}).Summary
	for who, x := range map[string]*scan.Summary{"ingest": res.Summary, "scan": sum} {
		if x.CutOffFiles != 1 || x.Stats.Malformed != 0 || len(x.Malformed) != 0 || x.Stats.UsageLines != 1 {
			t.Errorf("%s, fresh: %d cut off, %+v", who, x.CutOffFiles, x.Stats)
		}
	}

	// Two days on, the file untouched: a pure scan (and a new store) call the
	// line malformed, line 2. The store that has the file skips it: unchanged.
	later := now.Add(2 * scan.CutOffAge)
	sum = scan.Run(fileOf(path), nil, scan.RunOptions{Options: scan.Options{Now: at(later)}}).Summary
	fresh := openStore(t, filepath.Join(dir, "fresh.db"))
	res2, err := ingestWith(fresh, fileOf(path), IngestOptions{Now: at(later)})
	if err != nil {
		t.Fatal(err)
	}
	for who, x := range map[string]*scan.Summary{"a new store": res2.Summary, "scan": sum} {
		if x.CutOffFiles != 0 || x.Stats.Malformed != 1 || len(x.Malformed) != 1 || x.Malformed[0].Line != 2 ||
			!strings.Contains(x.Malformed[0].Msg, "over a day") {
			t.Errorf("%s, a day on: %d cut off, %+v %v", who, x.CutOffFiles, x.Stats, x.Malformed)
		}
	}
	if res, err := ingestWith(s, fileOf(path), IngestOptions{Now: at(later)}); err != nil || res.Skipped != 1 || res.Stats.Malformed != 0 {
		t.Errorf("the store that has it: %+v %v", res, err)
	}
	// Its mtime two days old (copied from elsewhere): the store reads it
	// again and calls the tail malformed, once; the next run skips it.
	old := now.Add(-2 * scan.CutOffAge)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	res, err = ingestWith(s, fileOf(path), IngestOptions{Now: at(now)})
	if err != nil || res.Stats.Malformed != 1 || res.CutOffFiles != 0 || res.Malformed[0].Line != 2 {
		t.Errorf("an old cut-off tail: %+v %v", res.Summary, err)
	}
	if res, err := ingestWith(s, fileOf(path), IngestOptions{Now: at(now)}); err != nil || res.Skipped != 1 || res.Stats.Malformed != 0 {
		t.Errorf("the run after: %+v %v", res, err)
	}
	if st := stateOf(t, s, path); st.Offset != int64(len(whole)) || st.Lines != 1 {
		t.Errorf("state %+v", st)
	}
	reqs, _ := load(t, s)
	if len(reqs) != 1 || reqs[0].Output != 10 {
		t.Errorf("stored %+v", reqs)
	}
}

// TestKeylessUnderTwoLabels: a line without message.id read under label A,
// then again under label B, is one request that keeps user A; in one run, or
// in a pure scan, the two copies are one request too (usage.Better picks the
// user then, whichever file is read first).
func TestKeylessUnderTwoLabels(t *testing.T) {
	dir := t.TempDir()
	l := line{sec: 5, in: 3, out: 4, cr: 100}.String() // no message.id, no requestId
	pa, pb := filepath.Join(dir, "a", "s.jsonl"), filepath.Join(dir, "b", "s.jsonl")
	writeFile(t, pa, l)
	writeFile(t, pb, l)
	fa := []scan.File{{Path: pa, User: "zed"}}
	fb := []scan.File{{Path: pb, User: "amy"}}

	s := openStore(t, filepath.Join(dir, "usage.db"))
	if res := ingest(t, s, fa); countsOf(res) != (counts{New: 1, Whole: 1}) {
		t.Errorf("under zed: %+v", countsOf(res))
	}
	if res := ingest(t, s, fb); countsOf(res) != (counts{Unchanged: 1, Whole: 1}) {
		t.Errorf("under amy: %+v", countsOf(res))
	}
	reqs, _ := load(t, s)
	if len(reqs) != 1 || reqs[0].User != "zed" || reqs[0].Output != 4 {
		t.Errorf("stored %+v, want one request of zed", reqs)
	}
	g := make(map[string]int64)
	s.Groups(time.Time{}, time.Time{}, func(k aggregate.GroupKey, x *aggregate.Sums) { g[k.User] += x.Records })
	if !reflect.DeepEqual(g, map[string]int64{"zed": 1}) {
		t.Errorf("rollup %v", g)
	}

	for _, workers := range []int{1, 2} {
		for _, order := range [][]scan.File{append(fa[:1:1], fb...), append(fb[:1:1], fa...)} {
			s2 := openStore(t, filepath.Join(t.TempDir(), "usage.db"))
			if _, err := ingestWith(s2, order, IngestOptions{Workers: workers}); err != nil {
				t.Fatal(err)
			}
			reqs, _ := load(t, s2)
			if len(reqs) != 1 || reqs[0].User != "amy" {
				t.Errorf("one run, %d workers, %s first: %+v, want one request of amy", workers, order[0].User, reqs)
			}
		}
	}
	set := scan.Run(append(fa[:1:1], fb...), nil, scan.RunOptions{}).Set
	if rs := setRequests(set); len(rs) != 1 || rs[0].User != "amy" {
		t.Errorf("pure scan: %+v", rs)
	}
}

// TestOneMonthReadsOnlyThatMonth: a report over one month of a store reads the
// rollup groups of that month only, and its totals are those of the pure
// scan's requests in that month, filtered by hand.
func TestOneMonthReadsOnlyThatMonth(t *testing.T) {
	gen := t.TempDir()
	if _, err := benchgen.Generate(benchgen.Config{Dir: gen, Size: 3 << 20, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	files := discover(t, gen)
	prices := pricing.Default()
	s, err := store.Open(filepath.Join(t.TempDir(), "usage.db"), store.Options{Long: prices.LongContext})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Ingest(s, files, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	june := aggregate.Range{From: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}

	var read, all int
	if err := s.Groups(june.From, june.To, func(k aggregate.GroupKey, _ *aggregate.Sums) {
		read++
		if !june.Contains(k.Start()) {
			t.Errorf("a group of %v read for June", k.Start())
		}
	}); err != nil {
		t.Fatal(err)
	}
	s.Groups(time.Time{}, time.Time{}, func(aggregate.GroupKey, *aggregate.Sums) { all++ })
	if read == 0 || read >= all {
		t.Errorf("read %d groups of %d", read, all)
	}

	in := &Input{Store: s, Set: aggregate.NewSet(), Long: prices.LongContext}
	g, err := in.Groups(june, Periods{By: aggregate.Month, Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	rep := BuildReport(g, ReportOptions{By: aggregate.Month, Loc: time.UTC, Range: june, Prices: prices, Provider: "anthropic"})
	var got aggregate.Row
	for _, r := range rep.Rows {
		if r.Period != "2026-06" {
			t.Errorf("a row of %s", r.Period)
		}
		got.AddRow(&r.Row)
	}
	var want aggregate.Row
	var cost usage.Money
	scan.Run(files, nil, scan.RunOptions{}).Set.Each(func(r *usage.Request) {
		if r.Time.Before(june.From) || !r.Time.Before(june.To) {
			return
		}
		want.AddRequest(r)
		c, _ := prices.Price(r, "anthropic")
		cost.Add(c)
	})
	if want.Requests == 0 {
		t.Fatal("nothing in June")
	}
	if got.Tokens != want.Tokens || got.Requests != want.Requests || got.WebSearch != want.WebSearch {
		t.Errorf("June: %+v\nwant  %+v", got, want)
	}
	var gotCost float64
	for _, r := range rep.Rows {
		gotCost += r.Cost.Total()
	}
	if d := gotCost - cost.Total(); d > 1e-6 || d < -1e-6 {
		t.Errorf("June costs %.6f, priced request by request %.6f", gotCost, cost.Total())
	}
}
