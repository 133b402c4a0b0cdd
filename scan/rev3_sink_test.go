package scan_test

// Reviewer test (rev3), from scan.Sink's documented contract: "Add's record
// is reused after it returns (its strings may be kept)".

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
	k.keys = append(k.keys, r.Key) // a string of the record: "may be kept"
	k.mu.Unlock()
}
func (k *keepStrings) FileDone(int, *scan.FileResult) {}

// BUG (rev3): since commit 178b8fe ("a record's Key is built in a buffer the
// Reader reuses") a Sink that keeps the Key string, as scan.Sink's doc allows,
// finds it overwritten by later lines. internal/teamtest's collect sink does
// exactly this, so TestTeamStoreEqualsTruth fails whenever USAGESCAN_TEST_PG
// is set (its "truth" has 59 keys for 3422 responses).
func TestRev3SinkMayKeepTheRecordsStrings(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	var want []string
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, `{"type":"assistant","timestamp":"2026-06-10T09:%02d:00.000Z","requestId":"req_%d","message":{"id":"msg_%d","model":"claude-opus-4-6","usage":{"input_tokens":%d,"output_tokens":1}}}`+"\n", i, i, i, i+1)
		want = append(want, fmt.Sprintf("msg_%d:req_%d", i, i))
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
