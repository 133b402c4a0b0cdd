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
	"os"
	"path/filepath"
	"runtime"
	"time"

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
	prev, err := st.FileStates()
	if err != nil {
		return res, err
	}
	var jobs []*scan.Job
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if abs, err := filepath.Abs(f.Path); err == nil {
			f.Path = abs
		}
		if seen[f.Path] {
			res.Skipped++
			continue
		}
		seen[f.Path] = true
		p := prev[f.Path]
		if p != nil && p.Dev == f.Dev && p.Ino == f.Ino && p.Size == f.Size && p.Mtime == f.Mtime {
			res.Skipped++
			continue
		}
		jobs = append(jobs, &scan.Job{File: f, Prev: p})
	}
	if len(jobs) == 0 && len(opt.Records) == 0 && len(opt.Notices) == 0 && len(opt.Meta) == 0 {
		return res, nil // the common case: nothing changed, nothing written
	}

	tx, err := st.Begin(now())
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	// The pool reads on all cores; this goroutine writes, a file at a time.
	sink := newStoreSink(max(opt.Workers, runtime.GOMAXPROCS(0)))
	var sum *scan.Summary
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(sink.out)
		sum = scan.Read(jobs, sink, scan.Options{Workers: opt.Workers, Progress: opt.Progress, Now: now})
	}()
	var werr error
	var states []scan.FileState
	for b := range sink.out {
		if werr == nil && len(b.reqs) > 0 { // after an error, read on (the workers must finish) but write nothing
			werr = tx.Add(b.reqs)
		}
		if b.fr != nil && b.fr.Err == nil { // a file that failed keeps its old state: the next run reads it again
			states = append(states, b.fr.Next)
		}
	}
	<-done
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

// storeSink hands records to the writer in batches, and each file's state
// once the file is read. A file's records may be written before it is done:
// all is one transaction, and a file that fails is read again whole next run.
type storeSink struct {
	bufs [][]usage.Request // per worker
	out  chan batch
}

type batch struct {
	fr   *scan.FileResult // nil: more records of a file still being read
	reqs []usage.Request
}

// sinkBatch is how many records a worker hands over at once.
const sinkBatch = 4096

func newStoreSink(workers int) *storeSink {
	return &storeSink{bufs: make([][]usage.Request, workers), out: make(chan batch, 2*workers)}
}

func (s *storeSink) Add(w int, r *usage.Request) {
	s.bufs[w] = append(s.bufs[w], *r)
	if len(s.bufs[w]) >= sinkBatch {
		s.out <- batch{reqs: s.bufs[w]}
		s.bufs[w] = nil
	}
}

func (s *storeSink) FileDone(w int, fr *scan.FileResult) {
	s.out <- batch{fr, s.bufs[w]}
	s.bufs[w] = nil
}

// exists reports whether path names an existing file.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
