//go:build !unix

package store

import "io/fs"

// identity is unknown here: a replaced file is still caught by its head hash,
// size or mtime.
func identity(fi fs.FileInfo) (dev, ino uint64) { return 0, 0 }
