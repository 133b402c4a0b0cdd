package recommend_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden renders the five-person team of the scenarios (with a limit hit
// and CI use) in every format and compares with testdata/team.FORMAT.golden.
func TestGolden(t *testing.T) {
	var rs []usage.Request
	rs = append(rs, light("ann")...)
	rs = append(rs, steady("ben")...)
	rs = append(rs, heavy("cat")...)
	rs = append(rs, bursty("dan")...)
	ci := light("eve")
	for i := range ci {
		ci[i].Entrypoint = "claude-code-github-action"
	}
	rs = append(rs, ci...)
	notices := []usage.Notice{{Time: at("2026-09-02 12:10"), User: "dan", Text: "You've hit your session limit · resets 3pm (UTC)"}}
	opt := september()
	opt.Providers = []string{"anthropic", "runapi"}
	opt.CurrentPlan = "max-5x"
	rep := run(t, rs, notices, opt)
	for _, format := range recommend.Formats {
		var buf bytes.Buffer
		if err := recommend.Render(&buf, rep, format); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "team."+format+".golden")
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o666); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./recommend -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			got := path + ".got"
			os.WriteFile(got, buf.Bytes(), 0o666)
			t.Errorf("%s differs from %s", got, path)
		}
	}
}
