//go:build !unix

package scan

import "io/fs"

// Identity is a file's device and inode numbers (none here).
func Identity(fs.FileInfo) (dev, ino uint64) { return 0, 0 }
