//go:build unix

package scan

import (
	"io/fs"
	"syscall"
)

// Identity is a file's device and inode numbers.
func Identity(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}
