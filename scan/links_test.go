package scan

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A symlinked folder under projects/ is followed wherever it points, once; a
// loop ends; a link elsewhere in the root that leaves it is not followed.
func TestDiscoverFollowsProjectLinks(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "claude")
	other := filepath.Join(dir, "other-disk")
	secret := filepath.Join(dir, "elsewhere")
	write(t, filepath.Join(root, "projects", "-src-a", "a.jsonl"), "{}\n")
	write(t, filepath.Join(other, "-src-b", "b.jsonl"), "{}\n")
	write(t, filepath.Join(other, "-src-b", "sub", "c.jsonl"), "{}\n")
	write(t, filepath.Join(secret, "d.jsonl"), "{}\n")
	links := map[string]string{
		filepath.Join(root, "projects", "-src-b"):        filepath.Join(other, "-src-b"),  // projects on another disk
		filepath.Join(root, "projects", "-src-b2"):       filepath.Join(other, "-src-b"),  // the same folder twice
		filepath.Join(other, "-src-b", "sub", "loop"):    filepath.Join(other, "-src-b"),  // a loop
		filepath.Join(root, "projects", "-src-a", "up"):  filepath.Join(root, "projects"), // a loop to the top
		filepath.Join(root, "todos", "away"):             secret,                          // leaves the root, not under projects/
		filepath.Join(root, "todos", "inside"):           filepath.Join(root, "projects", "-src-a"),
		filepath.Join(root, "projects", "-src-a", "bad"): filepath.Join(dir, "no-such-folder"), // a broken link
	}
	for link, target := range links {
		os.MkdirAll(filepath.Dir(link), 0o755)
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	for _, src := range []string{filepath.Join(root, "projects"), root} {
		files, _, warnings := Discover([]Source{{Path: src, User: "u", Explicit: true}})
		var got []string
		for _, f := range files {
			rel, _ := filepath.Rel(dir, f.Path)
			got = append(got, filepath.ToSlash(rel))
		}
		want := []string{"claude/projects/-src-a/a.jsonl", "other-disk/-src-b/b.jsonl", "other-disk/-src-b/sub/c.jsonl"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: files\n got %q\nwant %q", src, got, want)
		}
		if len(warnings) != 0 {
			t.Errorf("%s: warnings %q", src, warnings)
		}
	}
}
