//go:build unix

package store

import "golang.org/x/sys/unix"

// writableDir reports whether this process may create files in dir.
func writableDir(dir string) bool { return unix.Access(dir, unix.W_OK) == nil }
