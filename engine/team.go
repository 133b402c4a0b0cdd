package engine

import (
	"math/rand/v2"
	"time"

	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// Attempts is how many times a run on a shared PostgreSQL store is tried when
// the database rolls it back for a deadlock or serialization failure with
// another machine's run (store.Retryable). Nothing of a failed attempt stays.
const Attempts = 5

// retry runs fn until it succeeds, fails otherwise, or Attempts are used.
func retry[T any](fn func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		v, err := fn()
		if err == nil || !store.Retryable(err) || attempt == Attempts {
			return v, err
		}
		// Back off, with jitter, so that the runs that collided do not collide again.
		time.Sleep(time.Duration(attempt*50+rand.IntN(100)) * time.Millisecond)
	}
}

// Ingest brings the store up to date with files and records, in one
// transaction: an unchanged file (same identity, size and mtime) costs the stat
// that found it; a grown one is read from where it was left; any other is read
// whole. Records go through scan's reader pool into the store's writer. When
// anything fails nothing is stored, not even the files' positions, so the next
// run reads the same bytes again. On a shared PostgreSQL store a run that
// collides with another machine's is tried again (see Attempts).
func Ingest(st *store.Store, files []scan.File, opt IngestOptions) (IngestResult, error) {
	return retry(func() (IngestResult, error) { return ingestOnce(st, files, opt) })
}

// mergeBatch is how many records Merge hands to the writer at once.
const mergeBatch = 4096

// Merge adds every request and notice of the store from to the store st, in
// one transaction of st, reading from in time order with flat memory. Keys are
// global, so merging the same store again adds nothing, and a better copy
// replaces a stored one as in any ingest. Files' positions are not merged:
// they belong to the machine that read them.
func Merge(st, from *store.Store, now time.Time) (store.Counts, error) {
	return retry(func() (store.Counts, error) { return mergeOnce(st, from, now) })
}

func mergeOnce(st, from *store.Store, now time.Time) (store.Counts, error) {
	tx, err := st.Begin(now)
	if err != nil {
		return store.Counts{}, err
	}
	defer tx.Rollback()
	buf := make([]usage.Request, 0, mergeBatch)
	keys := make([]usage.KeyHash, 0, mergeBatch)
	err = from.Requests(time.Time{}, time.Time{}, func(h usage.KeyHash, r *usage.Request) error {
		buf, keys = append(buf, *r), append(keys, h)
		if len(buf) < mergeBatch {
			return nil
		}
		err := tx.AddKeyed(keys, buf)
		buf, keys = buf[:0], keys[:0]
		return err
	})
	if err == nil && len(buf) > 0 {
		err = tx.AddKeyed(keys, buf)
	}
	if err != nil {
		return store.Counts{}, err
	}
	ns, err := from.Notices(time.Time{}, time.Time{})
	if err == nil {
		err = tx.AddNotices(ns)
	}
	if err != nil {
		return store.Counts{}, err
	}
	return tx.Commit()
}
