package main

// Reviewer tests (rev3), written from the spec (README "Queries, not loads",
// store/doc.go): a report from the store alone equals a pure in-memory scan
// of the same logs, row for row, in any --tz, --by, --since/--until, and
// after ingests that replace stored copies or append lines.

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/internal/pgtest"
)

// r3req is one API response as the test writes it into a log.
type r3req struct {
	id                         string
	t                          time.Time
	user                       string // the --logs NAME= label (a folder per user)
	model, tier, speed, geo    string
	in, out, cw5, cw1h, cr, ws int64
	side                       bool
}

func (q r3req) line() string {
	side := "false"
	if q.side {
		side = "true"
	}
	return fmt.Sprintf(`{"type":"assistant","isSidechain":%s,"sessionId":"s-%s","cwd":"/w/%s","timestamp":%q,"requestId":"req_%s",`+
		`"message":{"id":"msg_%s","model":%q,"role":"assistant","type":"message","content":[{"type":"text","text":"x"}],`+
		`"usage":{"input_tokens":%d,"output_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,`+
		`"cache_creation":{"ephemeral_5m_input_tokens":%d,"ephemeral_1h_input_tokens":%d},"service_tier":%q,"speed":%q,"inference_geo":%q,`+
		`"server_tool_use":{"web_search_requests":%d,"web_fetch_requests":0}}}}`+"\n",
		side, q.user, q.user, q.t.UTC().Format("2006-01-02T15:04:05.000Z"), q.id, q.id, q.model,
		q.in, q.out, q.cw5+q.cw1h, q.cr, q.cw5, q.cw1h, q.tier, q.speed, q.geo, q.ws)
}

// r3Instants are the UTC instants where something changes for some zone: local
// midnights at odd offsets, DST changes, the Sonnet 5.5 rate change, month and
// year ends.
func r3Instants() []time.Time {
	ts := []string{
		"2026-01-01T00:00:00Z",
		"2026-01-04T23:00:00Z", // ISO week 2 begins (Monday 2026-01-05) in London winter = UTC
		"2026-02-28T18:30:00Z", // Kolkata: 2026-03-01 00:00
		"2026-02-28T18:15:00Z", // Kathmandu: 2026-03-01 00:00
		"2026-03-08T03:30:00Z", // St John's: 2026-03-08 00:00 NST
		"2026-03-08T05:30:00Z", // St John's: DST begins
		"2026-03-09T02:30:00Z", // St John's: 2026-03-09 00:00 NDT
		"2026-03-29T00:00:00Z", // London: midnight before the change
		"2026-03-29T01:00:00Z", // London: BST begins
		"2026-03-31T23:00:00Z", // London: 2026-04-01 00:00 BST
		"2026-04-04T10:15:00Z", // Chatham: 2026-04-05 00:00 +13:45
		"2026-04-04T14:00:00Z", // Chatham: DST ends
		"2026-04-05T11:15:00Z", // Chatham: 2026-04-06 00:00 +12:45
		"2026-09-26T11:15:00Z", // Chatham: 2026-09-27 00:00 +12:45
		"2026-09-26T14:00:00Z", // Chatham: DST begins
		"2026-10-06T10:15:00Z", // Chatham: 2026-10-07 00:00 +13:45
		"2026-10-06T18:30:00Z", // Kolkata: 2026-10-07 00:00
		"2026-10-07T00:00:00Z", // Sonnet 5.5 cache read 0.20 -> 0.10
		"2026-10-07T02:30:00Z", // St John's: 2026-10-07 00:00 NDT
		"2026-10-24T23:00:00Z", // London: 2026-10-25 00:00 BST
		"2026-10-25T01:00:00Z", // London: GMT again
		"2026-11-01T02:30:00Z", // St John's: 2026-11-01 00:00 NDT
		"2026-11-01T04:30:00Z", // St John's: DST ends
		"2026-11-02T03:30:00Z", // St John's: 2026-11-02 00:00 NST
		"2026-12-31T23:59:59.999Z",
	}
	var out []time.Time
	for _, s := range ts {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		out = append(out, t)
	}
	return out
}

// r3Corpus builds responses at and around every instant: a millisecond and a
// slot before, exactly at, one slot's last millisecond, the next slot.
func r3Corpus(seed uint64) []r3req {
	rng := rand.New(rand.NewPCG(seed, 7))
	models := []string{"claude-sonnet-5-5", "claude-opus-4-6", "claude-haiku-5-5", "claude-sonnet-4-5-20250929", "claude-opus-4-7"}
	tiers := []string{"standard", "batch", "priority", ""}
	offs := []time.Duration{-15 * time.Minute, -time.Millisecond, 0, 15*time.Minute - time.Millisecond, 15 * time.Minute, 3 * time.Hour}
	var out []r3req
	n := 0
	for _, at := range r3Instants() {
		for _, d := range offs {
			n++
			q := r3req{
				id:    fmt.Sprintf("%04d", n),
				t:     at.Add(d),
				user:  []string{"alice", "bob"}[rng.IntN(2)],
				model: models[rng.IntN(len(models))],
				tier:  tiers[rng.IntN(len(tiers))],
				in:    rng.Int64N(5000) + 1, out: rng.Int64N(3000),
				cw5: rng.Int64N(20000), cw1h: rng.Int64N(3) * rng.Int64N(9000),
				cr: rng.Int64N(90000),
			}
			if at.Month() == 10 && at.Day() <= 7 {
				q.model = "claude-sonnet-5-5" // the dated rate
			}
			switch rng.IntN(6) {
			case 0:
				q.speed = "fast"
			case 1:
				q.geo = "us"
			case 2:
				q.cr = 150000 + rng.Int64N(100000) // long context for some models
			case 3:
				q.ws = rng.Int64N(4) + 1
			}
			q.side = rng.IntN(5) == 0
			out = append(out, q)
		}
	}
	return out
}

// r3Session is one temporary home, with a store and two users' log folders.
type r3Session struct {
	*session
	db   string
	dirs map[string]string // user -> log folder
}

func newR3Session(t *testing.T) *r3Session {
	s := newSession(t)
	empty := filepath.Join(s.home, "no-claude")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	s.env["CLAUDE_CONFIG_DIR"] = empty // the default run finds nothing of its own
	r := &r3Session{session: s, db: filepath.Join(s.home, "usage.db"), dirs: map[string]string{}}
	for _, u := range []string{"alice", "bob"} {
		r.dirs[u] = filepath.Join(s.home, "logs", u)
		if err := os.MkdirAll(filepath.Join(r.dirs[u], "projects", "p"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// write appends the lines of qs to file name under each request's user.
func (r *r3Session) write(name string, qs ...r3req) {
	r.t.Helper()
	for _, q := range qs {
		p := filepath.Join(r.dirs[q.user], "projects", "p", name)
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			r.t.Fatal(err)
		}
		if _, err := f.WriteString(q.line()); err != nil {
			r.t.Fatal(err)
		}
		f.Close()
	}
}

func (r *r3Session) logArgs() []string {
	var a []string
	for _, u := range []string{"alice", "bob"} {
		a = append(a, "--logs", u+"="+r.dirs[u])
	}
	return a
}

func (r *r3Session) ingest() {
	r.t.Helper()
	args := append([]string{"ingest", "--db", r.db}, r.logArgs()...)
	if code, _, errs := r.run(args...); code != 0 {
		r.t.Fatalf("ingest: exit %d: %s", code, errs)
	}
}

func (r *r3Session) check() {
	r.t.Helper()
	if code, out, errs := r.run("store", "check", "--db", r.db); code != 0 || !strings.Contains(out+errs, ": ok, schema version 4") {
		r.t.Errorf("store check: exit %d: %s%s", code, out, errs)
	}
}

// report runs report --format json and returns its exit code and rows.
func (r *r3Session) report(args ...string) (int, []map[string]any, string) {
	r.t.Helper()
	code, out, errs := r.run(append([]string{"report", "--format", "json"}, args...)...)
	if code != 0 {
		return code, nil, errs
	}
	var rep struct{ Rows []map[string]any }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		r.t.Fatalf("report %v: %v\n%s", args, err, out)
	}
	return code, rep.Rows, errs
}

var r3Zones = []string{"UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "Europe/London"}

var r3Ranges = [][]string{
	nil,
	{"--since", "2026-03-08", "--until", "2026-03-08"},
	{"--since", "2026-10-07", "--until", "2026-10-07"},
	{"--since", "2026-10-06", "--until", "2026-11-01"},
	{"--since", "2026-03", "--until", "2026-04"},
	{"--since", "2026-12-31"},
}

// compareAll reports every (tz, by, range) whose store report differs from a
// pure scan of the logs; it returns how many rows it compared.
func (r *r3Session) compareAll(when string, zones []string, bys []string, ranges [][]string, extra ...string) int {
	r.t.Helper()
	compared, bad := 0, 0
	for _, tz := range zones {
		for _, by := range bys {
			for _, rg := range ranges {
				args := append([]string{"--tz", tz, "--by", by}, rg...)
				args = append(args, extra...)
				pc, pure, perr := r.report(append(append([]string{"--no-store"}, args...), r.logArgs()...)...)
				sc, st, serr := r.report(append([]string{"--db", r.db}, args...)...)
				if pc != sc {
					r.t.Errorf("%s: %v: exit %d from the store, %d from a pure scan (%s | %s)", when, args, sc, pc, serr, perr)
					bad++
					continue
				}
				compared += len(pure)
				if !reflect.DeepEqual(st, pure) {
					bad++
					if bad <= 4 {
						r.t.Errorf("%s: %v: the store's rows differ from a pure scan's:\n%s", when, args, r3Diff(st, pure))
					}
				}
			}
		}
	}
	if bad > 4 {
		r.t.Errorf("%s: %d reports differ in all", when, bad)
	}
	return compared
}

// r3Diff lists rows only one side has.
func r3Diff(got, want []map[string]any) string {
	key := func(m map[string]any) string { b, _ := json.Marshal(m); return string(b) }
	g, w := map[string]int{}, map[string]int{}
	for _, m := range got {
		g[key(m)]++
	}
	for _, m := range want {
		w[key(m)]++
	}
	var lines []string
	for k, n := range g {
		if w[k] != n {
			lines = append(lines, "  store only: "+k)
		}
	}
	for k, n := range w {
		if g[k] != n {
			lines = append(lines, "  scan only:  "+k)
		}
	}
	sort.Strings(lines)
	if len(lines) > 12 {
		lines = append(lines[:12], fmt.Sprintf("  ... %d more", len(lines)-12))
	}
	if len(lines) == 0 {
		return fmt.Sprintf("  same rows, different order (%d rows)", len(got))
	}
	return strings.Join(lines, "\n")
}

// sumRequests adds the requests column of rows.
func sumRequests(rows []map[string]any) int64 {
	var n int64
	for _, r := range rows {
		if v, ok := r["requests"].(float64); ok {
			n += int64(v)
		}
	}
	return n
}

// One ingest of responses at every odd boundary: the store's report equals a
// pure scan in six zones (two with DST on both hemispheres, three at
// quarter-hour offsets), by day, week and month, for ranges that straddle DST
// changes and the Sonnet 5.5 rate change.
func TestRev3StoreReportEqualsPureScanAcrossZones(t *testing.T) {
	r := newR3Session(t)
	qs := r3Corpus(1)
	r.write("a.jsonl", qs...)
	r.ingest()
	r.check()

	// By hand: every response is a row's request, once.
	_, all, _ := r.report("--db", r.db, "--tz", "UTC")
	if got := sumRequests(all); got != int64(len(qs)) {
		t.Errorf("the store's report counts %d requests, the logs hold %d", got, len(qs))
	}
	if n := r.compareAll("one ingest", r3Zones, []string{"day", "week", "month"}, r3Ranges); n == 0 {
		t.Error("no rows compared")
	}
}

// Responses copied into the logs as Claude Code streams them: a first copy
// with little output just before a boundary (a local or UTC midnight, a rate
// change), its final copy after it; the final copy sometimes in another group
// (service tier, speed). Ingested in three runs (the first copies, then the
// finals appended, then new lines and a second file), the store is a pure
// scan after each, and store check finds rollup = requests = daily rollup.
func TestRev3StoreReportAfterReplacementsAcrossBoundaries(t *testing.T) {
	r := newR3Session(t)
	qs := r3Corpus(2)
	first, final := r3Grown(qs, 3, true)
	r.write("s.jsonl", first...)
	r.ingest()
	r.check()
	zones := []string{"UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"}
	ranges := [][]string{nil, {"--since", "2026-10-06", "--until", "2026-10-07"}, {"--since", "2026-03-08", "--until", "2026-03-09"}}
	r.compareAll("first copies", zones, []string{"day", "month"}, ranges)

	r.write("s.jsonl", final...)
	r.ingest()
	r.check()
	r.compareAll("after the grown copies", zones, []string{"day", "week", "month"}, ranges)

	// New responses on the same boundaries, in a new file and appended.
	more := r3Corpus(3)
	for i := range more {
		more[i].id = "n" + more[i].id
	}
	r.write("s.jsonl", more[:len(more)/2]...)
	r.write("t.jsonl", more[len(more)/2:]...)
	r.ingest()
	r.check()
	if n := r.compareAll("after new lines", []string{"UTC", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "Europe/London"}, []string{"day", "week", "month"}, r3Ranges[:4]); n == 0 {
		t.Error("no rows compared")
	}
	_, all, _ := r.report("--db", r.db, "--tz", "UTC")
	if got, want := sumRequests(all), int64(len(qs)+len(more)); got != want {
		t.Errorf("the store counts %d requests, the logs hold %d unique ones", got, want)
	}
}

// Stores holding one request: at exactly 00:00:00.000 UTC, at the last
// millisecond of a UTC day, and one request on a DST day. Each zone's day,
// week and month reports, for the whole history, the one local day and a
// range that ends before it, equal a pure scan's (the empty one exits 2 both
// ways).
func TestRev3StoreWithOneRequest(t *testing.T) {
	for _, ts := range []string{"2026-10-07T00:00:00.000Z", "2026-10-06T23:59:59.999Z", "2026-03-08T05:29:59.999Z", "2026-04-04T13:59:59.999Z"} {
		t.Run(ts, func(t *testing.T) {
			r := newR3Session(t)
			at, _ := time.Parse(time.RFC3339Nano, ts)
			q := r3req{id: "one", t: at, user: "alice", model: "claude-sonnet-5-5", tier: "standard", in: 10, out: 20, cw5: 30, cr: 1000000}
			r.write("a.jsonl", q)
			r.ingest()
			r.check()
			for _, tz := range []string{"UTC", "America/St_Johns", "Pacific/Chatham", "Asia/Kathmandu"} {
				loc, err := time.LoadLocation(tz)
				if err != nil {
					t.Fatal(err)
				}
				day := at.In(loc).Format("2006-01-02")
				prev := at.In(loc).AddDate(0, 0, -1).Format("2006-01-02")
				ranges := [][]string{nil, {"--since", day, "--until", day}, {"--until", prev}, {"--since", day}}
				r.compareAll("one request", []string{tz}, []string{"day", "month"}, ranges)
			}
			// By hand: the Sonnet 5.5 cache read is 0.20 until 2026-10-06 and 0.10 from 2026-10-07.
			_, rows, _ := r.report("--db", r.db, "--tz", "UTC")
			rate := 0.20
			if !at.Before(time.Date(2026, 10, 7, 0, 0, 0, 0, time.UTC)) {
				rate = 0.10
			}
			want := (10*2 + 20*10 + 30*2.5 + 1000000*rate) / 1e6
			if len(rows) != 1 || rows[0]["cost_usd"] == nil || fmt.Sprintf("%.6f", rows[0]["cost_usd"].(float64)) != fmt.Sprintf("%.6f", want) {
				t.Errorf("rows %v, want one at $%.6f", rows, want)
			}
		})
	}
}

// A --pricing file with rates that change on DST days and at a month's
// middle: a month or week that straddles a change must be cut there, in the
// store's query as in a pure scan (both read the same file).
func TestRev3StoreReportWithDatedRatesFromPricingFile(t *testing.T) {
	r := newR3Session(t)
	prices := filepath.Join(r.home, "prices.json")
	if err := os.WriteFile(prices, []byte(`{"models":[{"id":"claude-nova-9","name":"Claude Nova 9",
  "rates":{"input":1,"cache_write_5m":1.25,"cache_write_1h":2,"cache_read":0.1,"output":5},
  "changes":[
    {"from":"2026-03-08","rates":{"input":2,"cache_write_5m":2.5,"cache_write_1h":4,"cache_read":0.2,"output":10}},
    {"from":"2026-04-05","rates":{"input":3,"cache_write_5m":3.75,"cache_write_1h":6,"cache_read":0.3,"output":15}},
    {"from":"2026-10-25","rates":{"input":5,"cache_write_5m":6.25,"cache_write_1h":10,"cache_read":0.5,"output":25}},
    {"from":"2026-11-01","rates":{"input":7,"cache_write_5m":8.75,"cache_write_1h":14,"cache_read":0.7,"output":35}}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	qs := r3Corpus(4)
	for i := range qs {
		if i%2 == 0 {
			qs[i].model = "claude-nova-9"
			qs[i].speed, qs[i].geo = "", ""
		}
	}
	r.write("a.jsonl", qs...)
	r.ingest()
	r.check()
	ranges := [][]string{nil, {"--since", "2026-03-01", "--until", "2026-04-30"}, {"--since", "2026-10-20", "--until", "2026-11-03"}}
	r.compareAll("dated rates", []string{"UTC", "America/St_Johns", "Pacific/Chatham", "Europe/London"}, []string{"week", "month"}, ranges, "--pricing", prices)

	// By hand, one request each side of the 2026-03-08 change, in one UTC month:
	// 1000 input tokens at $1 and at $2 per million.
	r2 := newR3Session(t)
	a := r3req{id: "a", t: time.Date(2026, 3, 7, 23, 59, 59, 0, time.UTC), user: "alice", model: "claude-nova-9", in: 1000}
	b := r3req{id: "b", t: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), user: "alice", model: "claude-nova-9", in: 1000}
	r2.write("a.jsonl", a, b)
	r2.ingest()
	for _, src := range [][]string{{"--db", r2.db}, append([]string{"--no-store"}, r2.logArgs()...)} {
		_, rows, errs := r2.report(append(src, "--tz", "UTC", "--by", "month", "--pricing", prices)...)
		if len(rows) != 1 || rows[0]["cost_usd"] != 0.003 {
			t.Errorf("%v: rows %v (%s), want one at $0.003", src[0], rows, errs)
		}
	}
}

// Timestamps before 1970 are valid (1678-2261): a request at 1969-12-31
// 23:59 UTC is on 1969-12-31, from the store as in a pure scan; unix seconds
// are negative there, so a slot or day that truncates toward zero lands on
// 1970-01-01.
func TestRev3StoreReportBefore1970(t *testing.T) {
	r := newR3Session(t)
	qs := []r3req{
		{id: "a", t: time.Date(1969, 12, 31, 23, 59, 0, 0, time.UTC), user: "alice", model: "claude-opus-4-6", in: 100, out: 1},
		{id: "b", t: time.Date(1969, 12, 31, 12, 0, 0, 0, time.UTC), user: "alice", model: "claude-opus-4-6", in: 200, out: 2},
		{id: "c", t: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), user: "alice", model: "claude-opus-4-6", in: 400, out: 4},
		{id: "d", t: time.Date(1969, 12, 30, 23, 50, 0, 0, time.UTC), user: "alice", model: "claude-opus-4-6", in: 800, out: 8},
	}
	r.write("a.jsonl", qs...)
	r.ingest()
	r.check()
	// By hand, per UTC day: 1969-12-30 800, 1969-12-31 300, 1970-01-01 400.
	want := map[string]float64{"1969-12-30": 800, "1969-12-31": 300, "1970-01-01": 400}
	for _, src := range [][]string{{"--db", r.db}, append([]string{"--no-store"}, r.logArgs()...)} {
		_, rows, errs := r.report(append(src, "--tz", "UTC", "--by", "day")...)
		got := map[string]float64{}
		for _, row := range rows {
			got[row["period"].(string)] += row["input_tokens"].(float64)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: input per UTC day %v (%s), want %v", src[0], got, errs, want)
		}
	}
	r.compareAll("before 1970", []string{"UTC", "Asia/Kolkata", "America/St_Johns"}, []string{"day", "month"},
		[][]string{nil, {"--since", "1969-12-31", "--until", "1969-12-31"}, {"--until", "1969-12-31"}})
}

// Named logs read on top of the store (never written): grown copies of stored
// responses that cross a day boundary replace the stored copies for the run,
// and the report equals a pure scan of the logs.
func TestRev3StorePlusNamedLogsEqualsPureScan(t *testing.T) {
	r := newR3Session(t)
	first, final := r3Grown(r3Corpus(5), 2, false)
	r.write("s.jsonl", first...)
	r.ingest()
	r.write("s.jsonl", final...) // not ingested
	zones := []string{"UTC", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"}
	for _, tz := range zones {
		for _, by := range []string{"day", "month"} {
			for _, rg := range [][]string{nil, {"--since", "2026-10-06", "--until", "2026-10-07"}} {
				args := append([]string{"--tz", tz, "--by", by}, rg...)
				_, pure, _ := r.report(append(append([]string{"--no-store"}, args...), r.logArgs()...)...)
				_, got, errs := r.report(append(append([]string{"--db", r.db}, args...), r.logArgs()...)...)
				if len(pure) == 0 || !reflect.DeepEqual(got, pure) {
					t.Errorf("%v: store + named logs differ from a pure scan (%s):\n%s", args, errs, r3Diff(got, pure))
				}
			}
		}
	}
}

// The same invariants on PostgreSQL (USAGESCAN_TEST_PG; skipped without it):
// one ingest, then grown copies and new lines, each compared with a pure scan,
// and store check after each.
func TestRev3PostgresStoreReportEqualsPureScan(t *testing.T) {
	u := pgtest.URL(t, os.Getenv)
	r := newR3Session(t)
	r.db = u
	qs := r3Corpus(6)
	first, final := r3Grown(qs, 3, false)
	zones := []string{"Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"}
	ranges := [][]string{nil, {"--since", "2026-10-06", "--until", "2026-10-07"}, {"--since", "2026-03-08", "--until", "2026-04-05"}}
	r.write("s.jsonl", first...)
	r.ingest()
	r.check()
	r.compareAll("postgres, first copies", zones, []string{"day", "month"}, ranges)
	r.write("s.jsonl", final...)
	r.ingest()
	r.check()
	r.compareAll("postgres, after the grown copies", zones, []string{"day", "week", "month"}, ranges)
	_, all, _ := r.report("--db", r.db, "--tz", "UTC")
	if got := sumRequests(all); got != int64(len(qs)) {
		t.Errorf("the PostgreSQL store counts %d requests, the logs hold %d unique ones", got, len(qs))
	}
	if n := pgtest.Count(t, u, "requests"); n != int64(len(qs)) {
		t.Errorf("%d rows in the requests table, want %d", n, len(qs))
	}
}

// A version 3 store (no daily rollup) is migrated by the next run that writes
// it: its reports equal a pure scan's in every zone, before and after later
// ingests that replace its copies with grown ones across midnights.
func TestRev3MigratedV3StoreReportsAsAPureScan(t *testing.T) {
	r := newR3Session(t)
	first, final := r3Grown(r3Corpus(9), 2, false)
	r.write("s.jsonl", first...)
	r.ingest()
	toV3(t, r.db)
	zones := []string{"UTC", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"}
	ranges := [][]string{nil, {"--since", "2026-10-06", "--until", "2026-10-07"}, {"--since", "2026-03-08", "--until", "2026-04-05"}}
	// The default run (report --db) opens it for writing: migrated, then read.
	r.compareAll("version 3, migrated by a report", zones, []string{"day", "month"}, ranges)
	r.check()
	r.write("s.jsonl", final...)
	r.ingest()
	r.check()
	r.compareAll("migrated, then grown copies", zones, []string{"day", "week", "month"}, ranges)
}

// ingest --from merges another store (here a version 3 one, and one whose
// copies are larger, in other days and groups) into this one: store check
// holds and the report equals a pure scan of both machines' logs.
func TestRev3IngestFromKeepsDailyRollup(t *testing.T) {
	r := newR3Session(t)
	first, final := r3Grown(r3Corpus(10), 2, false)
	// This machine has the first copies; the other (a version 3 store) the finals,
	// and 30 responses of another corpus whose keys (msg_0001 ...) collide with
	// this one's: the larger copy wins, wherever it lies.
	r.write("s.jsonl", first...)
	r.ingest()
	other := newR3Session(t)
	other.write("s.jsonl", final...)
	other.write("t.jsonl", r3Corpus(11)[:30]...)
	other.ingest()
	toV3(t, other.db)
	if code, _, errs := r.run("ingest", "--db", r.db, "--from", other.db); code != 0 {
		t.Fatalf("ingest --from: exit %d: %s", code, errs)
	}
	r.check()
	// The truth: both machines' logs in one pure scan.
	both := newR3Session(t)
	both.db = r.db
	both.write("a.jsonl", first...)
	both.write("b.jsonl", final...)
	both.write("c.jsonl", r3Corpus(11)[:30]...)
	both.compareAll("after ingest --from", []string{"UTC", "Asia/Kolkata", "Pacific/Chatham"}, []string{"day", "month"},
		[][]string{nil, {"--since", "2026-10-06", "--until", "2026-10-07"}})
}

// r3CostExport writes a Console cost export of amounts that binary floating
// point cannot hold exactly (0.1, 0.2, 0.7 ...), many rows a day and group,
// on days at UTC midnights the zones cut differently.
func r3CostExport(t *testing.T, path string, scale float64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed\n")
	amounts := []float64{0.1, 0.2, 0.7, 0.03, 1.1, 0.3}
	types := []string{"input_no_cache", "output", "input_cache_read", "input_cache_write_5m"}
	for d, day := range []string{"2026-03-07", "2026-03-08", "2026-03-09", "2026-10-06", "2026-10-07"} {
		for i := 0; i < 12; i++ {
			a := amounts[(i+d)%len(amounts)] * scale
			fmt.Fprintf(&b, "%s,Claude Opus 4.6,Claude Code,claude_code_key_alice_ab12,standard,≤ 200k,%s,%.2f,%.2f,token,global,\n",
				day, types[i%len(types)], a, a)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Billed amounts (REAL sums) through the daily rollup: a cost export, then a
// newer export of the same days with other amounts (it replaces the older
// one's rows). store check holds and the report equals a pure scan of both
// exports, in zones that cut those UTC days.
func TestRev3StoreReportOfRevisedCostExports(t *testing.T) {
	r := newR3Session(t)
	old := filepath.Join(r.home, "claude_api_cost_2026_a.csv")
	newer := filepath.Join(r.home, "claude_api_cost_2026_b.csv")
	r3CostExport(t, old, 1)
	r3CostExport(t, newer, 3)
	past := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, past, past)
	if code, _, errs := r.run("ingest", "--db", r.db, "--csv", "alice="+old); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	r.check()
	if code, _, errs := r.run("ingest", "--db", r.db, "--csv", "alice="+newer); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	r.check()
	for _, tz := range []string{"UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"} {
		for _, by := range []string{"day", "month"} {
			args := []string{"--tz", tz, "--by", by}
			_, pure, perrs := r.report(append([]string{"--no-store", "--csv", "alice=" + old, "--csv", "alice=" + newer}, args...)...)
			_, got, errs := r.report(append([]string{"--db", r.db}, args...)...)
			if len(pure) == 0 || !reflect.DeepEqual(got, pure) {
				t.Errorf("%v: the store's rows differ from a pure scan's (%s | %s):\n%s", args, errs, perrs, r3Diff(got, pure))
			}
		}
	}
}

// A first fill larger than one of the writer's sets (16k records): the sets
// share groups (few slots, two users), so the first fill's rollup inserts
// meet groups already inserted by an earlier set of the same run.
func TestRev3FirstFillOfManySets(t *testing.T) { r3FirstFill(t, "") }

// The same on PostgreSQL (USAGESCAN_TEST_PG).
func TestRev3PostgresFirstFillOfManySets(t *testing.T) { r3FirstFill(t, pgtest.URL(t, os.Getenv)) }

func r3FirstFill(t *testing.T, db string) {
	r := newR3Session(t)
	if db != "" {
		r.db = db
	}
	const n = 20000 // two of the writer's sets (16,384 records each); kept small for the race detector
	base := time.Date(2026, 10, 6, 23, 30, 0, 0, time.UTC)
	for _, u := range []string{"alice", "bob"} {
		var b strings.Builder
		for i := 0; i < n/2; i++ {
			at := base.Add(time.Duration(i%5) * 15 * time.Minute) // five slots across midnight
			fmt.Fprintf(&b, `{"type":"assistant","timestamp":%q,"requestId":"r%s%d","message":{"id":"m%s%d","model":"claude-sonnet-5-5","usage":{"input_tokens":%d,"output_tokens":%d,"cache_read_input_tokens":%d}}}`+"\n",
				at.Format("2006-01-02T15:04:05.000Z"), u, i, u, i, i%7+1, i%11, i%13*100)
		}
		if err := os.WriteFile(filepath.Join(r.dirs[u], "projects", "p", "big.jsonl"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.ingest()
	r.check()
	_, all, _ := r.report("--db", r.db, "--tz", "UTC")
	if got := sumRequests(all); got != n {
		t.Errorf("the store counts %d requests, the logs hold %d", got, n)
	}
	r.compareAll("first fill of many sets", []string{"UTC", "Asia/Kolkata", "America/St_Johns"}, []string{"day"}, [][]string{nil, {"--since", "2026-10-07"}})
}

// r3PgV3WithReader makes a PostgreSQL store, puts it back to version 3 (no
// rollup_day, as an older usagescan left it), and adds a role that may only
// read it; it returns the session, the reader's URL and the pure scan's rows.
func r3PgV3WithReader(t *testing.T, args []string) (*r3Session, string, []map[string]any) {
	u := pgtest.URL(t, os.Getenv)
	r := newR3Session(t)
	r.db = u
	r.write("a.jsonl", r3Corpus(12)[:60]...)
	r.ingest()
	pgtest.Exec(t, u, `DROP TABLE rollup_day`, `UPDATE meta SET value = '3' WHERE key = 'schema_version'`)
	name, reader := pgtest.Role(t, u, "rev3reader")
	schema := pgtest.Schema(u)
	pgtest.Exec(t, u, `GRANT USAGE ON SCHEMA `+schema+` TO `+name, `GRANT SELECT ON ALL TABLES IN SCHEMA `+schema+` TO `+name)
	_, pure, _ := r.report(append(append([]string{"--no-store"}, args...), r.logArgs()...)...)
	if len(pure) == 0 {
		t.Fatal("no rows in the pure scan")
	}
	return r, reader, pure
}

// A PostgreSQL version 3 store migrated by the owner's first read-only open
// (store check): a reader's report then equals a pure scan.
func TestRev3PostgresV3StoreMigratedByOwnerThenRead(t *testing.T) {
	args := []string{"--tz", "Asia/Kathmandu", "--by", "day"}
	r, reader, pure := r3PgV3WithReader(t, args)
	r.check() // the owner, read-only: migrates it
	if n := pgtest.Count(t, r.db, "rollup_day"); n == 0 {
		t.Fatal("rollup_day is empty after the migration")
	}
	pgtest.Exec(t, r.db, `GRANT SELECT ON ALL TABLES IN SCHEMA `+pgtest.Schema(r.db)+` TO `+strings.TrimPrefix(strings.Split(reader, "@")[0], "postgres://"))
	code, got, errs := r.report(append([]string{"--db", reader}, args...)...)
	if code != 0 || !reflect.DeepEqual(got, pure) {
		t.Errorf("a reader's report after the migration: exit %d (%s)\n%s", code, errs, r3Diff(got, pure))
	}
}

// Found by the rev3 review (fixed), PostgreSQL: a role that may only read
// opened a version 3 store (the owner had not run the new version yet) and its
// report failed with exit 1 ("migrating the store to version 4: ERROR:
// permission denied for schema"); it reads the database as it is. README, Team store: "readers may
// only read (a reader's report ... reads the database as it is, with them on
// top)"; the README does ask to "run the owner's ingest first after an
// upgrade", but names the writer role, not readers, as the one that cannot.
func TestRev3PostgresReaderOfV3StoreReadsIt(t *testing.T) {
	args := []string{"--tz", "Asia/Kathmandu", "--by", "day"}
	r, reader, pure := r3PgV3WithReader(t, args)
	code, got, errs := r.report(append([]string{"--db", reader}, args...)...)
	if code != 0 || !reflect.DeepEqual(got, pure) {
		t.Errorf("a reader's report of a version 3 store: exit %d, %d rows, want 0 and the pure scan's %d rows\n%s", code, len(got), len(pure), errs)
	}
}

// Found by the rev3 review (fixed: the migration grants on rollup_day what
// each role holds on rollup), PostgreSQL upgrade: a team database set up at version 3 as the
// README says (a writer role with SELECT, INSERT, UPDATE on every table and
// DELETE on rollup; a reader with SELECT), then migrated to version 4 by the
// owner's first run ("run the owner's ingest first after an upgrade"). The
// migration creates rollup_day with no privileges for anyone but the owner, so
// every writer's ingest then fails: "ERROR: permission denied for table
// rollup_day (SQLSTATE 42501)". Want: the writer's ingest works and the
// reader's report equals a pure scan of all the logs.
func TestRev3PostgresWriterGrantedAtV3IngestsAfterMigration(t *testing.T) {
	args := []string{"--tz", "America/St_Johns", "--by", "day"}
	r, reader, _ := r3PgV3WithReader(t, args)
	schema := pgtest.Schema(r.db)
	wname, writer := pgtest.Role(t, r.db, "rev3writer")
	pgtest.Exec(t, r.db, `GRANT USAGE ON SCHEMA `+schema+` TO `+wname,
		`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA `+schema+` TO `+wname,
		`GRANT DELETE ON rollup TO `+wname)
	// The owner's first run of the new version migrates it.
	r.write("a.jsonl", r3Corpus(12)[60:70]...)
	r.ingest()
	r.check()
	_, pure, _ := r.report(append(append([]string{"--no-store"}, args...), r.logArgs()...)...)
	if code, got, errs := r.report(append([]string{"--db", reader}, args...)...); code != 0 || !reflect.DeepEqual(got, pure) {
		t.Errorf("the reader's report after the owner's migration: exit %d, %d rows, want 0 and %d rows: %s", code, len(got), len(pure), errs)
	}
	var privs string
	if err := r3QueryRow(r.db, `SELECT coalesce(string_agg(grantee || ':' || privilege_type, ',' ORDER BY grantee, privilege_type), '') FROM information_schema.role_table_grants WHERE table_schema = $1 AND table_name = 'rollup_day' AND grantee <> current_user`, schema).Scan(&privs); err != nil {
		t.Fatal(err)
	}
	t.Logf("privileges on rollup_day after the migration: %q", privs)
	// A developer's cron, as the writer role: grown copies and new lines.
	more := r3Corpus(13)[:40]
	for i := range more {
		more[i].id = "w" + more[i].id
	}
	r.write("b.jsonl", more...)
	if code, _, errs := r.run(append([]string{"ingest", "--db", writer}, r.logArgs()...)...); code != 0 {
		t.Errorf("the writer's ingest after the migration: exit %d: %s", code, errs)
	}
	_, pure, _ = r.report(append(append([]string{"--no-store"}, args...), r.logArgs()...)...)
	if code, got, errs := r.report(append([]string{"--db", reader}, args...)...); code != 0 || !reflect.DeepEqual(got, pure) {
		t.Errorf("the reader's report after the writer's ingest: exit %d, %d rows, want 0 and %d rows: %s", code, len(got), len(pure), errs)
	}
}

func r3QueryRow(u, q string, args ...any) *sql.Row {
	db, err := sql.Open("pgx", u)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	return db.QueryRow(q, args...)
}

// r3Grown makes an earlier, smaller copy of each request (two seconds before
// it, so that copies at :00 cross a boundary; fewer tokens, so that the final
// copy wins): first holds the early copies, final the requests. With every >
// 2, every every-th request is written once, complete, into first only. Every
// request at i%every == 1 moves to another group in its final copy (another
// service tier, and with speed, no longer "fast").
func r3Grown(qs []r3req, every int, speed bool) (first, final []r3req) {
	for i, q := range qs {
		if every > 2 && i%every == every-1 {
			first = append(first, q)
			continue
		}
		early := q
		early.t = q.t.Add(-2 * time.Second)
		early.out = q.out / 4
		early.cr = q.cr / 2
		if i%every == 1 {
			early.tier = map[string]string{"batch": "standard", "standard": "priority", "priority": "", "": "batch"}[q.tier]
			if speed && q.speed == "fast" {
				early.speed = ""
			}
		}
		first = append(first, early)
		final = append(final, q)
	}
	return first, final
}
