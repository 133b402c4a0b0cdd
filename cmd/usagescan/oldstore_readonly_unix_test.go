//go:build unix

package main

// Reviewer tests (rev3): a store of an older schema version (3: no rollup_day)
// that this user cannot write. README "Guarantees": a store in a folder this
// user cannot write is opened read-only and read as it is; "A report never
// fails for it." README "History store": an older store is migrated by the
// next run that opens it for writing.

import (
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"testing"
)

// toV3 turns a version 4 SQLite store into what version 3 left: no daily rollup.
func toV3(t *testing.T, db string) {
	t.Helper()
	c, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, s := range []string{`DROP TABLE rollup_day`, `PRAGMA user_version = 3`} {
		if _, err := c.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// Found by the rev3 review (fixed): a version 3 store in a folder this user
// cannot write made `report --db` fail with exit 1 ("cannot open the store's
// lock: permission denied"); it is read as it is, as one at version 4 is.
func TestRev3ReadOnlyV3StoreIsReadAsItIs(t *testing.T) {
	uid, gid, root := asNobody(t, "usagescan-rev3-ro-")
	// The test binary itself, where nobody can run it.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "usagescan.test")
	copyFile(t, self, bin, 0o755)

	r := newR3Session(t)
	for u := range r.dirs { // the logs, under root, readable by all
		r.dirs[u] = filepath.Join(root, "logs", u)
		os.MkdirAll(filepath.Join(r.dirs[u], "projects", "p"), 0o755)
	}
	r.write("a.jsonl", r3Corpus(7)[:40]...)
	_, pure, _ := r.report(append([]string{"--no-store", "--tz", "UTC", "--by", "day"}, r.logArgs()...)...)
	if len(pure) == 0 {
		t.Fatal("no rows in the pure scan")
	}
	home := filepath.Join(root, "home")
	os.MkdirAll(filepath.Join(home, "no-claude"), 0o777)
	os.Chmod(home, 0o777)
	os.Chmod(filepath.Join(home, "no-claude"), 0o777)

	for _, version := range []int{4, 3} {
		data := filepath.Join(root, "data"+strconv.Itoa(version))
		os.MkdirAll(data, 0o755)
		r.db = filepath.Join(data, "usage.db")
		r.ingest()
		if version == 3 {
			toV3(t, r.db)
		}
		os.Chmod(r.db, 0o644)
		args, _ := json.Marshal([]string{"report", "--db", r.db, "--format", "json", "--tz", "UTC", "--by", "day"})
		cmd := exec.Command(bin, "-test.run=^TestRev3Child$")
		cmd.Env = []string{"REV3_CHILD_ARGS=" + string(args), "HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config",
			"XDG_DATA_HOME=" + home + "/.local/share", "XDG_STATE_HOME=" + home + "/.local/state", "XDG_CACHE_HOME=" + home + "/.cache",
			"CLAUDE_CONFIG_DIR=" + home + "/no-claude", "TZ=UTC", "USER=nobody"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		code, out, errs := runCmd(t, cmd)
		var rep struct{ Rows []map[string]any }
		json.Unmarshal([]byte(out), &rep)
		if code != 0 || !reflect.DeepEqual(rep.Rows, pure) {
			t.Errorf("version %d store in a folder nobody cannot write: exit %d, want 0 and the pure scan's rows (%d rows, want %d)\nstderr: %s",
				version, code, len(rep.Rows), len(pure), errs)
		}
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	os.Chmod(to, mode)
}

// Found by the rev3 review (fixed): README: "Busy (another run holds the lock
// for more than 5 seconds), the same" as a store it cannot write: read as it
// is, with one warning. A version 3 store (not yet migrated) held by another
// run made `report` wait a minute and exit 4; it is read after 5 s, as one at
// version 4 is.
func TestRev3BusyV3StoreIsReadAsItIs(t *testing.T) {
	r := newR3Session(t)
	r.write("a.jsonl", r3Corpus(8)[:30]...)
	_, pure, _ := r.report(append([]string{"--no-store", "--tz", "UTC"}, r.logArgs()...)...)
	r.ingest()
	toV3(t, r.db)
	lock, err := os.OpenFile(r.db+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil { // another run, holding it
		t.Fatal(err)
	}
	code, rows, errs := r.report("--db", r.db, "--tz", "UTC")
	if code != 0 || !reflect.DeepEqual(rows, pure) {
		t.Errorf("a busy version 3 store: exit %d (%s), %d rows; want 0 and the pure scan's %d rows", code, errs, len(rows), len(pure))
	}
}
