// Package atomicfile writes a file so that readers see the old one or the whole
// new one, never a part.
package atomicfile

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// WriteFileAtomic writes a file through write, atomically: into a temporary
// file in the same folder, synced, then renamed over path, so that a reader sees
// the old file or the whole new one, and a failed or interrupted run leaves no
// partial file (nor the temporary one). A new file gets perm less the process
// umask, as os.WriteFile would give it; a file replaced keeps its mode.

func WriteFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	keep := false
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		perm, keep = st.Mode().Perm(), true
	}
	f, err := createTemp(dir, "."+base+".tmp-", perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if keep {
		if err = f.Chmod(perm); err != nil {
			return err
		}
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	// The rename itself is durable once the folder is synced; not every system
	// can sync a folder, and the file is whole either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// createTemp creates a new file in dir named prefix and random digits, with
// perm less the umask (os.CreateTemp always uses 0600).
func createTemp(dir, prefix string, perm os.FileMode) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if os.IsExist(err) && try < 100 {
			continue
		}
		return f, err
	}
}
