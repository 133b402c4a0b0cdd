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
