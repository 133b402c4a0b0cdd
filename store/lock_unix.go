//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// lockPoll is how often a waiting writer retries the lock.
const lockPoll = 50 * time.Millisecond

// acquire takes the exclusive lock of the store at db: flock on "<db>.lock",
// polled until timeout (a negative timeout tries once). The lock file holds the
// holder's pid, for the message of the run that waits; it is never deleted
// (deleting a lock file races with a run about to lock it).
func acquire(db string, timeout time.Duration) (*os.File, error) {
	name := db + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the store's lock: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("cannot lock %s: %w", name, err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			detail := "in use by another usagescan run"
			if b, err := os.ReadFile(name); err == nil {
				if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
					detail += fmt.Sprintf(", pid %d", pid)
				}
			}
			f.Close()
			return nil, &Error{Path: db, Kind: ErrLocked, Detail: detail + fmt.Sprintf("; waited %s", max(timeout, 0)),
				Hint: "try again when it is done, or wait longer with --lock-timeout"}
		}
		time.Sleep(min(lockPoll, left))
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// release drops the lock; closing the file is enough for flock.
func release(f *os.File) {
	f.Truncate(0)
	f.Close()
}
