//go:build !unix

package store

import (
	"fmt"
	"os"
	"time"
)

// acquire opens "<db>.lock" but cannot lock it on this system: two runs are kept
// apart only by SQLite's own locking (each ingest is one transaction, so the
// store stays consistent, but two runs may read the same logs).
func acquire(db string, timeout time.Duration) (*os.File, error) {
	f, err := os.OpenFile(db+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the store's lock: %w", err)
	}
	return f, nil
}

func release(f *os.File) { f.Close() }
