//go:build unix

package main

import (
	"os"
	"syscall"
)

func mkfifo(p string) error { return syscall.Mkfifo(p, 0o600) }

// unblockFifo opens and closes the read end, so a writer waiting on it ends.
func unblockFifo(p string) {
	if f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Close()
	}
}
