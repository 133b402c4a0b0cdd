package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/statusline"
	"github.com/usagescan/usagescan/store"
)

// statusLockTimeout is how long the status line waits for another run holding
// the store (an ingest, a report, the status line of another session) before
// it reads the store as it is, without recording or ingesting.
const statusLockTimeout = 300 * time.Millisecond

// openStatusStore is the status line's store: opened as a writer (briefly,
// see statusLockTimeout), brought up to date from the session's transcript
// only, and read back; a store it cannot write (busy, read-only) is read as
// it is. No store yet and none can be made: nil, a line without history.
func openStatusStore(c *cli.Context, e *env, in *statusline.Input, user string) (statusline.Store, func(), error) {
	path, err := dbPath(c, e)
	if err != nil {
		return nil, nil, err
	}
	prices := pricing.Default()
	st, err := store.Open(path, store.Options{LockTimeout: statusLockTimeout, Long: prices.LongContext})
	if err != nil {
		var se *store.Error
		if errors.As(err, &se) && !errors.Is(err, store.ErrLocked) {
			return nil, nil, err // not a store, damaged, newer: the fallback line and the log say so
		}
		ro, rerr := store.Open(path, store.Options{ReadOnly: true, LockTimeout: statusLockTimeout, Long: prices.LongContext})
		if errors.Is(rerr, fs.ErrNotExist) {
			return nil, func() {}, nil
		}
		if rerr != nil {
			return nil, nil, rerr
		}
		return &statusline.DB{St: ro, Prices: prices, ReadOnly: true, Now: e.now()}, func() { ro.Close() }, nil
	}
	if in.TranscriptPath != "" {
		// A transcript not written yet (a new session) is normal.
		if err := ingestTranscript(st, in.TranscriptPath, user, e); err != nil && !errors.Is(err, fs.ErrNotExist) {
			// The line still prints, from what is stored; the log says why it may lag.
			logStatusError(c, e, fmt.Errorf("reading the transcript %s: %w", in.TranscriptPath, err))
		}
	}
	return &statusline.DB{St: st, Prices: prices, Now: e.now()}, func() { st.Close() }, nil
}

// ingestTranscript brings the store up to date from one transcript: its new
// bytes only, through the engine's incremental path, under the name the
// default ingest gives it (see transcriptFile), as user.
func ingestTranscript(st *store.Store, path, user string, e *env) error {
	f, err := transcriptFile(path, user)
	if err != nil {
		return err
	}
	_, err = engine.Ingest(st, []scan.File{f}, engine.IngestOptions{Workers: 1, Now: e.now})
	return err
}

// transcriptFile stats the transcript. Its folder is named by its real path,
// as log discovery names the files it walks (the root and linked folders
// resolved), so that the store keeps one position for the file.
func transcriptFile(path, user string) (scan.File, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		path = filepath.Join(dir, filepath.Base(path))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return scan.File{}, err
	}
	if !fi.Mode().IsRegular() {
		return scan.File{}, fmt.Errorf("not a regular file")
	}
	f := scan.File{Path: path, User: user, Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	f.Dev, f.Ino = scan.Identity(fi)
	return f, nil
}

// storedSnapshots is every status-line snapshot in the history store, for
// recommend's measured budgets; none with --no-store or without a store.
func storedSnapshots(c *cli.Context, e *env) ([]statusline.Snapshot, error) {
	st, err := openStoreForRead(c, e, pricing.Default())
	if err != nil || st == nil {
		return nil, err
	}
	defer st.Close()
	snaps, err := st.Snapshots("", time.Time{})
	if err != nil {
		return nil, storeError(err)
	}
	out := make([]statusline.Snapshot, len(snaps))
	for i, s := range snaps {
		out[i] = statusline.FromStore(s)
	}
	return out, nil
}
