//go:build unix

package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A new file honours the umask, as os.WriteFile does; a replaced file keeps
// its mode whatever the umask.
func TestNewFileHonoursUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	write := func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }
	p := filepath.Join(dir, "private.csv")
	if err := WriteFileAtomic(p, 0o644, write); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("umask 077: mode %v, want -rw-------", st.Mode().Perm())
	}
	syscall.Umask(0o022)
	q := filepath.Join(dir, "shared.csv")
	if err := WriteFileAtomic(q, 0o644, write); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(q); st.Mode().Perm() != 0o644 {
		t.Errorf("umask 022: mode %v, want -rw-r--r--", st.Mode().Perm())
	}
	// Replacing the private file keeps -rw-------.
	if err := WriteFileAtomic(p, 0o644, write); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("replaced: mode %v, want -rw-------", st.Mode().Perm())
	}
}
