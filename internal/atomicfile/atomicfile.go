// Package atomicfile writes a file so that readers see the old one or the whole
// new one, never a part.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a file through write, atomically: into a temporary
// file in the same folder, synced, then renamed over path, so that a reader sees
// the old file or the whole new one, and a failed or interrupted run leaves no
// partial file (nor the temporary one). The file gets perm, or the mode of the
// file it replaces.

func WriteFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		perm = st.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
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
	if err = f.Chmod(perm); err != nil {
		return err
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
