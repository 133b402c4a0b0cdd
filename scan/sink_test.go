package scan_test

// Reviewer test (rev3), from scan.Sink's documented contract: Add's record is
// reused after it returns; its strings may be kept, but for Key, which the
// worker's next record reuses (the sink clones or hashes it).

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

type keepStrings struct {
	mu   sync.Mutex
	keys []string
}

func (k *keepStrings) Add(_ int, r *usage.Request) {
	k.mu.Lock()
	k.keys = append(k.keys, strings.Clone(r.Key)+" "+r.SessionID) // the Key cloned, the session kept as it is
	k.mu.Unlock()
}
func (k *keepStrings) FileDone(int, *scan.FileResult) {}

// The review found the contract broken by the reused Key buffer (a sink that
// kept Key saw later lines' keys); the contract now says to clone it.
func TestRev3SinkKeepsStringsClonesKey(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	var want []string
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, `{"type":"assistant","sessionId":"s%d","timestamp":"2026-06-10T09:%02d:00.000Z","requestId":"req_%d","message":{"id":"msg_%d","model":"claude-opus-4-6","usage":{"input_tokens":%d,"output_tokens":1}}}`+"\n", i, i, i, i, i+1)
		want = append(want, fmt.Sprintf("msg_%d:req_%d s%d", i, i, i))
	}
	p := filepath.Join(dir, "projects", "p", "s.jsonl")
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _, warns := scan.Discover([]scan.Source{{Path: dir, User: "alice", Explicit: true}})
	if len(warns) > 0 || len(files) != 1 {
		t.Fatalf("files %v, warnings %v", files, warns)
	}
	var k keepStrings
	scan.Read([]*scan.Job{{File: files[0]}}, &k, scan.Options{Workers: 1})
	if strings.Join(k.keys, " ") != strings.Join(want, " ") {
		t.Errorf("kept keys:\n%v\nwant\n%v", k.keys, want)
	}
}
