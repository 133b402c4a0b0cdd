package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// totalCost sums cost_usd and input_tokens over report --format json rows.
func totalCost(rows []map[string]any) (usd float64, input int64) {
	for _, r := range rows {
		c, _ := r["cost_usd"].(float64)
		n, _ := r["input_tokens"].(float64)
		usd += c
		input += int64(n)
	}
	return usd, input
}

// The same export named twice counts once: the real sample bills $19.97.
func TestReportSameExportTwice(t *testing.T) {
	paths, _ := filepath.Glob("../../../shared/samples/billing/claude_api_cost_*.csv")
	if len(paths) == 0 {
		t.Skip("no real cost export in ../shared/samples/billing")
	}
	s := newSession(t)
	once, _ := totalCost(s.rows("--csv", paths[0], "--no-store"))
	twice, _ := totalCost(s.rows("--csv", paths[0], "--csv", paths[0], "--no-store"))
	if math.Abs(once-19.97) > 0.005 || math.Abs(twice-once) > 1e-9 {
		t.Errorf("once $%.2f, twice $%.2f; want $19.97 both", once, twice)
	}
}

// A later export that covers a day again replaces that day's rows. Export 1
// covers up to D (partial: 4,000 + 500 tokens); export 2 covers up to D+1 and
// revises D to 4,000 (its file time is older: the last day covered decides).
func TestReportRevisedExport(t *testing.T) {
	dir := t.TempDir()
	const header = "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed\n"
	write := func(name, body string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(header+body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	e1 := write("e1.csv", "2026-06-10,claude-haiku-4-5-20251001,claude_code_key_alice_ab12,Claude Code,standard,≤ 200k,4000,0,0,0,0,0,global,\n"+
		"2026-06-10,claude-haiku-4-5-20251001,claude_code_key_alice_ab12,Claude Code,standard,≤ 200k,500,0,0,0,0,0,global,\n",
		time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC))
	e2 := write("e2.csv", "2026-06-10,claude-haiku-4-5-20251001,claude_code_key_alice_ab12,Claude Code,standard,≤ 200k,4000,0,0,0,0,0,global,\n"+
		"2026-06-11,claude-haiku-4-5-20251001,claude_code_key_alice_ab12,Claude Code,standard,≤ 200k,700,0,0,0,0,0,global,\n",
		time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC))
	s := newSession(t)
	for _, args := range [][]string{{"--csv", e1, "--csv", e2}, {"--csv", e2, "--csv", e1}, {"--csv", dir}} {
		rows := s.rows(append(args, "--by", "day", "--no-store")...)
		byDay := map[string]int64{}
		for _, r := range rows {
			byDay[r["period"].(string)] += int64(r["input_tokens"].(float64))
		}
		if byDay["2026-06-10"] != 4000 || byDay["2026-06-11"] != 700 || len(byDay) != 2 {
			t.Errorf("%v: input tokens by day %v, want 2026-06-10: 4000, 2026-06-11: 700", args, byDay)
		}
	}
}

// Text cells of report --format csv that a spreadsheet would run as a
// formula get a leading "'"; numbers, negative ones included, do not.
func TestReportCSVIsSpreadsheetSafe(t *testing.T) {
	dir := t.TempDir()
	log := `{"type":"assistant","message":{"id":"m1","model":"=HYPERLINK(\"http://x\")","usage":{"input_tokens":1,"output_tokens":2}},"requestId":"r1","timestamp":"2026-06-10T09:00:00Z"}` + "\n" +
		`{"type":"assistant","message":{"id":"m2","model":"@SUM(A1)","usage":{"input_tokens":1,"output_tokens":2}},"requestId":"r2","timestamp":"2026-06-10T09:00:00Z"}` + "\n"
	lp := filepath.Join(dir, "s.jsonl")
	if err := os.WriteFile(lp, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	cost := "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,cost_type,inference_geo,speed\n" +
		"2026-06-10,Claude Haiku 4.5,W,-2+3,message,≤ 200k,output,-1.5,token,,\n"
	cp := filepath.Join(dir, "c.csv")
	if err := os.WriteFile(cp, []byte(cost), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSession(t)
	code, out, errs := s.run("report", "--format", "csv", "--no-store", "--logs", "+cmd|calc="+lp, "--csv", cp)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "period,user,model,source,input_tokens,output_tokens,cache_write_5m_tokens,cache_write_1h_tokens,cache_read_tokens,web_search_requests,requests,cost_usd\n" +
		"2026-06,'+cmd|calc,\"'=HYPERLINK(\"\"http://x\"\")\",claude-code,1,2,0,0,0,0,1,\n" +
		"2026-06,'+cmd|calc,'@SUM(A1),claude-code,1,2,0,0,0,0,1,\n" +
		"2026-06,'-2+3,claude-haiku-4-5-20251001,api-cost,,,,,,,,-1.5\n"
	if out != want {
		t.Errorf("csv =\n%s\nwant\n%s", out, want)
	}
}

// ingest --logs on a pipe (what <(cmd) gives) refuses it with exit 1 and a
// hint, instead of "0 new, 0 B read" and exit 0; report reads the pipe.
func TestLogsFromAPipe(t *testing.T) {
	data, err := os.ReadFile(fixtures + "/messy/crlf.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	fifo := func() string {
		p := filepath.Join(t.TempDir(), "fifo")
		if err := mkfifo(p); err != nil {
			t.Skipf("no named pipes here: %v", err)
		}
		go func() { // the writer end of <(cat file)
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err == nil {
				f.Write(data)
				f.Close()
			}
		}()
		return p
	}
	s := newSession(t)
	p := fifo()
	code, _, errs := s.run("ingest", "--logs", p)
	if code != exitError || !strings.Contains(errs, "is a pipe or device, not a file") || !strings.Contains(errs, "save the output to a file") {
		t.Errorf("ingest of a pipe: exit %d, stderr %q", code, errs)
	}
	unblockFifo(p) // the writer waits for a reader
	rows := s.rows("--logs", fifo(), "--no-store")
	if _, input := totalCost(rows); len(rows) == 0 || input != 3 {
		t.Errorf("report of a pipe: rows %v, want 3 input tokens", rows)
	}
}

// reconcile --since garbage fails as report does: exit 1, the same message.
func TestReconcileBadSince(t *testing.T) {
	s := newSession(t)
	bill := fixtures + "/billing/claude_api_tokens_2026_06.csv"
	rc, _, rerr := s.run("report", "--since", "garbage", "--logs", fixtures+"/basic", "--no-store")
	cc, _, cerr := s.run("reconcile", "--since", "garbage", "--logs", fixtures+"/basic", "--csv", bill, "--no-store")
	if rc != exitError || cc != exitError || rerr != cerr || !strings.Contains(cerr, "--since") {
		t.Errorf("report: exit %d %q\nreconcile: exit %d %q", rc, rerr, cc, cerr)
	}
}
