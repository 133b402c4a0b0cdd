package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reviewLine is one assistant line with its own message id and request id.
func reviewLine(id string, input int) string {
	return `{"type":"assistant","timestamp":"2026-03-10T12:00:00Z","sessionId":"s","requestId":"r` + id +
		`","message":{"id":"` + id + `","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":` +
		itoa(int64(input)) + `,"output_tokens":1}}}` + "\n"
}

// Two files that end in a cut-off line are "2 files end in a line still being
// written", the same words from a pure scan and from ingest.
func TestCutOffFilesMessagePlural(t *testing.T) {
	s := newSession(t)
	logs := filepath.Join(s.home, "logs")
	os.MkdirAll(logs, 0o755)
	for _, name := range []string{"a.jsonl", "b.jsonl"} {
		body := reviewLine("m_"+name, 3) + `{"type":"assistant","message":{"id":"cut`
		if err := os.WriteFile(filepath.Join(logs, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const want = "2 files end in a line still being written"
	if code, _, errs := s.run("report", "--no-store", "--logs", logs); code != 0 || !strings.Contains(errs, want) {
		t.Errorf("report: exit %d, stderr %q, want it to say %q", code, errs, want)
	}
	if code, _, errs := s.run("ingest", "--logs", logs); code != 0 || !strings.Contains(errs, want) {
		t.Errorf("ingest: exit %d, stderr %q, want it to say %q", code, errs, want)
	}
}

// An unknown model is never $0 silently: reconcile leaves its cost out of both
// sides' dollars, and says so, naming the model, as report and recommend do.
func TestReconcileReportsUnknownModels(t *testing.T) {
	s := newSession(t)
	logs := filepath.Join(s.home, "logs")
	os.MkdirAll(logs, 0o755)
	line := func(id, model string, day int) string {
		return `{"type":"assistant","timestamp":"2026-03-0` + itoa(int64(day)) + `T12:00:00Z","sessionId":"s","requestId":"r` + id +
			`","message":{"id":"` + id + `","model":"` + model + `","usage":{"input_tokens":1000,"output_tokens":100}}}` + "\n"
	}
	body := line("a1", "claude-sonnet-4-5-20250929", 1) + line("a2", "claude-mystery-9", 2)
	if err := os.WriteFile(filepath.Join(logs, "a.jsonl"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(s.home, "tokens.csv")
	bill := "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed\n" +
		"2026-03-01,claude-sonnet-4-5-20250929,claude_code_key_tester_abcd,Claude Code,standard,≤ 200k,1000,0,0,0,100,0,not_available,\n" +
		"2026-03-02,claude-mystery-9,claude_code_key_tester_abcd,Claude Code,standard,≤ 200k,1000,0,0,0,100,0,not_available,\n"
	if err := os.WriteFile(csv, []byte(bill), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := s.run("reconcile", "--no-store", "--logs", logs, "--csv", csv)
	if code != 0 || !strings.Contains(out, "tester") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if !strings.Contains(errs, `"claude-mystery-9"`) {
		t.Errorf("stderr %q does not name the model without a price", errs)
	}
}

// `reconcile --since garbage`, as typed (no --csv yet), fails on the date the
// way report does: a bad flag is named before what is missing.
func TestReconcileBadSinceBeforeMissingCSV(t *testing.T) {
	s := newSession(t)
	rc, _, rerr := s.run("report", "--since", "garbage")
	cc, _, cerr := s.run("reconcile", "--since", "garbage")
	if rc != 1 || cc != 1 || cerr != rerr {
		t.Errorf("report: exit %d %q\nreconcile: exit %d %q\nwant exit 1 and the same message", rc, rerr, cc, cerr)
	}
}

// recommend with a range that holds none of the logs' usage says so, as report
// does; it does not claim the logs carry no token usage.
func TestRecommendEmptyRangeSaysWiden(t *testing.T) {
	s := newSession(t)
	code, _, errs := s.run("recommend", "--no-store", "--logs", fixtures+"/basic", "--since", "2030-01", "--until", "2030-02")
	if code != exitNoData || !strings.Contains(errs, "widen --since/--until") || strings.Contains(errs, "no assistant response carrying token usage") {
		t.Errorf("exit %d, stderr %q; want exit %d and a hint to widen the range", code, errs, exitNoData)
	}
}

// The same Console export named twice is one bill, labelled or not: rows are
// the same row when they share date, model, key, workspace, tier, context band,
// geo, speed and token type; who they are attributed to is not part of that.
func TestSameExportUnderTwoLabelsCountsOnce(t *testing.T) {
	s := newSession(t)
	csv := filepath.Join(s.home, "tokens.csv")
	const body = "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed\n" +
		"2026-03-02,claude-sonnet-4-5-20250929,keyb,ws,standard,≤ 200k,2000,0,0,0,0,0,not_available,\n"
	if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := func(rows []map[string]any) (in float64) {
		for _, r := range rows {
			in += r["input_tokens"].(float64)
		}
		return in
	}
	// Read without a store: the bill alone.
	if got := sum(s.rows("--csv", csv, "--csv", "bob="+csv)); got != 2000 {
		t.Errorf("--csv A --csv bob=A: %v input tokens, want 2000", got)
	}
	// Ingested twice under two labels, then reported from the store.
	for _, arg := range []string{csv, "bob=" + csv} {
		if code, _, errs := s.run("ingest", "--csv", arg, "--logs", filepath.Join(s.home, "none")); code != 0 {
			t.Fatalf("ingest --csv %s: exit %d: %s", arg, code, errs)
		}
	}
	if got := sum(s.rows("--logs", filepath.Join(s.home, "none"))); got != 2000 {
		t.Errorf("store after ingesting A and bob=A: %v input tokens, want 2000", got)
	}
}
