// Package engine is usagescan's one pipeline: sources (log files with their
// resume points, billing exports, stdin) go through scan's reader pool into a
// sink (the store, or an in-memory set), and every command is a query over
// that: a report's rows, recommend's requests in time order, reconcile's
// totals.
//
// The default run keeps the store up to date from the default places
// (incrementally: a stat per unchanged file, only appended bytes read) and
// answers from it; --no-store reads the sources into memory instead; named
// sources are read on top of the store for one run. Whichever way, the same
// records give the same rows.
package engine

import (
	"bytes"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// IngestOptions tune Ingest; the zero value is fine.
type IngestOptions struct {
	Workers  int              // files read at once; default GOMAXPROCS
	Now      func() time.Time // stamps the run; default time.Now
	Records  []usage.Request  // records read elsewhere (billing rows), stored in the same transaction
	Notices  []usage.Notice   // notices read elsewhere
	Progress *scan.Progress   // optional
	// Meta is stored in the store's meta table with the run (see store.Tx.SetMeta).
	Meta map[string]string
}

// IngestResult is what one Ingest did.
type IngestResult struct {
	Files   int // files given
	Skipped int // unchanged since the last ingest: one stat, nothing read
	store.Counts
	*scan.Summary // what was read: files read whole or appended, lines, malformed, warnings
}

// fewFiles is the most files Ingest looks up one by one rather than reading
// every stored file's stamp; manyChanged the most changed files whose whole
// state it looks up one by one rather than reading every stored file's.
const (
	fewFiles    = 16
	manyChanged = 256
)

// sameStamp reports whether f is the file stored with this identity, size and
// mtime: unchanged since it was read.
func sameStamp(f *scan.File, dev, ino uint64, size, mtime int64) bool {
	return f.Dev == dev && f.Ino == ino && f.Size == size && f.Mtime == mtime
}

// Ingest brings the store up to date with files and records, in one
// transaction: an unchanged file (same identity, size and mtime) costs the stat
// that found it; a grown one is read from where it was left; any other is read
// whole. Records go through scan's reader pool into the store's writer. When
// anything fails nothing is stored, not even the files' positions, so the next
// run reads the same bytes again.
func ingestOnce(st *store.Store, files []scan.File, opt IngestOptions) (IngestResult, error) {
	res := IngestResult{Files: len(files), Summary: &scan.Summary{}}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	// The files table keys files by absolute path; the reader names them as
	// given, so that its messages read as a pure scan's.
	paths := make([]string, len(files))
	absOf := make(map[string]string, len(files)) // as given -> absolute
	for i := range files {
		paths[i] = absPath(files[i].Path)
		absOf[files[i].Path] = paths[i]
	}
	// Which files are unchanged (same identity, size and mtime) is read from
	// the files table's stamps alone; the whole state (where to resume) only
	// of the files that changed.
	index := make(map[string]int, len(files)) // absolute path -> its first file
	for i := range files {
		if _, ok := index[paths[i]]; !ok {
			index[paths[i]] = i
		}
	}
	unchanged := make([]bool, len(files))
	var prev map[string]*scan.FileState
	var err error
	if len(files) <= fewFiles {
		if prev, err = st.FileStatesOf(paths); err != nil { // a lookup each, not the whole table
			return res, err
		}
		for p, fs := range prev {
			if i, ok := index[p]; ok {
				unchanged[i] = sameStamp(&files[i], fs.Dev, fs.Ino, fs.Size, fs.Mtime)
			}
		}
	} else {
		err = st.EachFileStamp(func(path []byte, dev, ino uint64, size, mtime int64) {
			if i, ok := index[string(path)]; ok {
				unchanged[i] = sameStamp(&files[i], dev, ino, size, mtime)
			}
		})
		if err != nil {
			return res, err
		}
	}
	var changed []string
	for i := range files {
		if index[paths[i]] == i && !unchanged[i] {
			changed = append(changed, paths[i])
		}
	}
	switch {
	case prev != nil || len(changed) == 0: // looked up already, or nothing to read
	case len(changed) <= manyChanged:
		prev, err = st.FileStatesOf(changed)
	default:
		prev, err = st.FileStates()
	}
	if err != nil {
		return res, err
	}
	var jobs []*scan.Job
	for i, f := range files {
		if index[paths[i]] != i || unchanged[i] { // named twice, or unchanged
			res.Skipped++
			continue
		}
		jobs = append(jobs, &scan.Job{File: f, Prev: prev[paths[i]]})
	}
	if len(jobs) == 0 && len(opt.Records) == 0 && len(opt.Notices) == 0 && len(opt.Meta) == 0 {
		return res, nil // the common case: nothing changed, nothing written
	}

	tx, err := st.Begin(now())
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	// The pool reads on all cores; this goroutine writes, a set at a time.
	sink := newStoreSink()
	var sum *scan.Summary
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(sink.out)
		sum = scan.Read(jobs, sink, scan.Options{Workers: opt.Workers, Progress: opt.Progress, Now: now})
		sink.rest()
	}()
	var werr error
	var sw setWriter
	for set := range sink.out {
		if werr == nil { // after an error, read on (the workers must finish) but write nothing
			werr = sw.write(tx, set)
		}
	}
	<-done
	states := sink.states
	for i := range states {
		states[i].Path = absOf[states[i].Path]
	}
	res.Summary = sum
	if werr == nil && len(opt.Records) > 0 {
		werr = tx.Add(opt.Records)
	}
	if werr == nil {
		werr = tx.AddNotices(append(sum.Notices, opt.Notices...))
	}
	if werr == nil {
		werr = tx.SetFiles(states)
	}
	for k, v := range opt.Meta {
		if werr == nil {
			werr = tx.SetMeta(k, v)
		}
	}
	if werr != nil {
		return res, werr
	}
	counts, err := tx.Commit()
	if err != nil {
		return res, err
	}
	res.Counts = counts
	return res, nil
}

// absPath is path made absolute (as given if that fails).
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// storeSink gathers records in an in-memory Set (the same dedupe as a pure
// scan) and hands them to the writer in sets (see flushAt), which it writes
// sorted by key: copies of one response in a set never reach the database
// twice, and inserts walk the key index in order instead of splitting pages at
// random. Memory is bounded by three sets of at most flushAt records: the one
// being filled, the one waiting, and the one being written. File states are kept aside as files are done (a file that failed
// keeps its old state: the next run reads it again), so that a worker waits
// for the writer only when a whole set is waiting.
type storeSink struct {
	mu  sync.RWMutex
	set *aggregate.Set
	out chan *aggregate.Set

	stateMu sync.Mutex
	states  []scan.FileState
}

// flushAt is the most unique records the sink holds before writing them.
// When no set is waiting for the writer, a set of minFlush or more is handed
// over at the end of a file: the writer works beside the readers instead of
// after them, and what is left to write once reading ends stays small. When
// the writer is the slower, sets grow to flushAt while one waits, so that its
// inserts walk the key index in order.
const (
	minFlush = 1_024
	flushAt  = 16_384
)

func newStoreSink() *storeSink {
	return &storeSink{set: aggregate.NewSet(), out: make(chan *aggregate.Set, 1)}
}

// Add holds the read lock while it adds, so that FileDone can hand a full set
// to the writer only once no worker is still adding to it.
func (s *storeSink) Add(w int, r *usage.Request) {
	s.mu.RLock()
	s.set.AddFrom(w, r)
	s.mu.RUnlock()
}

func (s *storeSink) FileDone(w int, fr *scan.FileResult) {
	if fr.Err == nil {
		s.stateMu.Lock()
		s.states = append(s.states, fr.Next)
		s.stateMu.Unlock()
	}
	s.mu.Lock()
	var full *aggregate.Set
	if n := s.set.Len(); n >= flushAt || n >= minFlush && len(s.out) == 0 { // no Add runs meanwhile
		full, s.set = s.set, aggregate.NewSet()
	}
	s.mu.Unlock()
	if full != nil {
		s.out <- full
	}
}

// rest hands over what is left, once the workers are done.
func (s *storeSink) rest() {
	if s.set.Len() > 0 {
		s.out <- s.set
	}
	s.set = aggregate.NewSet()
}

// setWriter stores Sets' records sorted by key, with buffers kept from one
// set to the next.
type setWriter struct {
	hs   []usage.KeyHash
	reqs []usage.Request
	ord  []int
}

func (w *setWriter) write(tx *store.Tx, set *aggregate.Set) error {
	w.hs, w.reqs = w.hs[:0], w.reqs[:0]
	set.EachKeyed(func(h usage.KeyHash, r *usage.Request) {
		w.hs = append(w.hs, h)
		w.reqs = append(w.reqs, *r)
	})
	// Sorted through an index of positions: the records are not moved.
	w.ord = w.ord[:0]
	for i := range w.hs {
		w.ord = append(w.ord, i)
	}
	slices.SortFunc(w.ord, func(a, b int) int { return bytes.Compare(w.hs[a][:], w.hs[b][:]) })
	const chunk = 8192
	hs := make([]usage.KeyHash, 0, chunk)
	reqs := make([]usage.Request, 0, chunk)
	for start := 0; start < len(w.ord); start += chunk {
		hs, reqs = hs[:0], reqs[:0]
		for _, i := range w.ord[start:min(start+chunk, len(w.ord))] {
			hs = append(hs, w.hs[i])
			reqs = append(reqs, w.reqs[i])
		}
		if err := tx.AddKeyed(hs, reqs); err != nil {
			return err
		}
	}
	return nil
}
