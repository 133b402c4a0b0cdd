package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	fail := func(w io.Writer) error {
		io.WriteString(w, "half a rep")
		return errors.New("disk full")
	}
	if err := WriteFileAtomic(path, 0o644, fail); err == nil {
		t.Fatal("no error")
	}
	if err := WriteFileAtomic(path, 0o644, write("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, 0o644, fail); err == nil {
		t.Fatal("no error")
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Errorf("content %q", b)
	}
	if err := WriteFileAtomic(path, 0o600, write("two")); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if b, _ := os.ReadFile(path); string(b) != "two" || st.Mode().Perm() != 0o644 {
		t.Errorf("content %q, mode %v", b, st.Mode())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
}
