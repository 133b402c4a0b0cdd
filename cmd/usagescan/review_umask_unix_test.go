//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// --out creates its file as the shell's > would (0666 less the umask): with a
// group-writable umask 002 that is -rw-rw-r--, with 077 -rw-------.
func TestOutModeAsTheShellWould(t *testing.T) {
	s := newSession(t)
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o002, 0o664}, {0o077, 0o600}, {0o022, 0o644}} {
		old := syscall.Umask(c.umask)
		out := filepath.Join(s.home, "report-"+itoa(int64(c.umask))+".txt")
		code, _, errs := s.run("report", "--no-store", "--logs", fixtures+"/basic", "--out", out)
		syscall.Umask(old)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != c.want {
			t.Errorf("umask %03o: mode %v, want %v", c.umask, st.Mode().Perm(), c.want)
		}
	}
}
