//go:build unix

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A valid store in a folder the user cannot write (another owner) is read as
// it is, with one warning, never an error; the logs are read on top of it and
// the folder stays as it was. Run as root, the test reads the store as the
// user nobody, the way a teammate would read a lead's store.
func TestStoreInAFolderYouCannotWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	uid, gid, root := asNobody(t, "usagescan-ro-")
	bin := filepath.Join(root, "usagescan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v %s", err, out)
	}
	logs := filepath.Join(root, "logs")
	copyTree(t, fixtures+"/basic", logs)
	filepath.Walk(logs, func(p string, fi os.FileInfo, err error) error { // readable by all
		if err == nil {
			os.Chmod(p, fi.Mode()|0o755)
		}
		return nil
	})
	data := filepath.Join(root, "data")
	db := filepath.Join(data, "usage.db")
	home := filepath.Join(root, "home")
	os.MkdirAll(home, 0o777)
	os.Chmod(home, 0o777)
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config", "XDG_DATA_HOME=" + home + "/.local/share",
		"XDG_STATE_HOME=" + home + "/.local/state", "XDG_CACHE_HOME=" + home + "/.cache", "TZ=UTC",
		"PATH=" + os.Getenv("PATH")}
	run := func(asNobody bool, args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if asNobody {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		}
		return runCmd(t, cmd)
	}
	// Root fills the store, in a folder only root may write.
	if code, _, errs := run(false, "ingest", "--db", db, "--logs", logs); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	os.Chmod(data, 0o755)
	os.Chmod(db, 0o644)
	before, _ := os.ReadDir(data)

	rows := func(out string) []any {
		var rep struct{ Rows []any }
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return rep.Rows
	}
	_, pure, _ := run(false, "report", "--format", "json", "--no-store", "--logs", logs)
	// The store alone, read by nobody: no logs in nobody's home.
	code, out, errs := run(true, "report", "--format", "json", "--db", db)
	if code != 0 || !reflect.DeepEqual(rows(out), rows(pure)) {
		t.Fatalf("nobody reading the store: exit %d, stderr %q\n got %s\nwant %s", code, errs, out, pure)
	}
	// The store with the same logs named on top: counted once.
	code, out, errs = run(true, "report", "--format", "json", "--db", db, "--logs", logs)
	if code != 0 || !reflect.DeepEqual(rows(out), rows(pure)) {
		t.Fatalf("nobody, store + logs: exit %d, stderr %q", code, errs)
	}
	// The default run cannot update it: it warns once and reads it as it is,
	// with the logs on top.
	env = append(env, "CLAUDE_CONFIG_DIR="+logs, "USAGESCAN_DB="+db)
	code, out, errs = run(true, "report", "--format", "json")
	if code != 0 || strings.Count(errs, "warning: cannot update the history store") != 1 || !reflect.DeepEqual(rows(out), rows(pure)) {
		t.Fatalf("nobody's default run: exit %d, stderr %q", code, errs)
	}
	after, _ := os.ReadDir(data)
	if len(after) != len(before) {
		t.Errorf("the folder changed: %d entries before, %d after", len(before), len(after))
	}
}

// asNobody skips t unless it runs as root with a user nobody, and returns
// nobody's ids and a fresh folder outside the test's temporary one (which
// only root may enter), that nobody can read (0755), removed at the end.
func asNobody(t *testing.T, prefix string) (uid, gid int, root string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to read the store as the user nobody")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody:", err)
	}
	uid, _ = strconv.Atoi(nobody.Uid)
	gid, _ = strconv.Atoi(nobody.Gid)
	root, err = os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	os.Chmod(root, 0o755)
	return uid, gid, root
}
