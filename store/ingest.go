package store

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/parser"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

// IngestOptions tune Ingest; the zero value is fine.
type IngestOptions struct {
	Workers int // files read at once; default GOMAXPROCS
	// Now is the clock stamped on first_seen, last_seen and last_scan; default time.Now.
	Now func() time.Time
	// Records are records read elsewhere, such as billing-export rows, stored in
	// the same transaction. Give each file's records their keys with KeyRecords
	// first; a record still without a key is stored under Key(r).
	Records  []usage.Request
	Progress *scan.Progress // optional; counts the files and bytes to read

	failAfter int // test hook: fail the transaction after this many request writes
}

// IngestResult is what one Ingest did.
type IngestResult struct {
	Files    int   // files given
	Skipped  int   // unchanged since the last ingest: one stat, nothing read
	Appended int   // grown since the last ingest: read from where it stopped
	Whole    int   // new, truncated, rewritten or replaced: read from the start
	Bytes    int64 // bytes read from the files (lines, plus heads and tails checked)

	// Requests: each unique request read this run (and each record of
	// IngestOptions.Records) is new, updated (it replaced a smaller stored copy)
	// or unchanged (the store already held that copy or a better one).
	New, Updated, Unchanged int
	Notices                 int // notices not stored before

	Stats     parser.Stats          // lines read this run
	Malformed []*parser.SyntaxError // the first few malformed lines, by file and line
	Warnings  []string              // files that could not be read; they are retried next run
}

// fileState is a row of the files table: where a file was left.
type fileState struct {
	path     string
	user     string
	dev, ino uint64
	size     int64
	mtime    int64 // unix ns
	offset   int64 // bytes through the last complete line read
	lines    int64 // lines through offset
	headLen  int64 // bytes hashed into head
	head     []byte
	lastScan string
}

// Ingest reads what changed in files since the last ingest and stores it in one
// transaction: an unchanged file (same device, inode, size and mtime) costs a
// stat; a file that grew (same identity and first 4 KB, and a line end still
// before its old offset) is read from the end of its last complete line; any
// other changed file is read whole. A last line without its line end is left
// for the next run (a complete one is stored, see readFile). Of the copies of a
// request the best is kept (aggregate.Set's rule), across files and runs.
//
// When the transaction fails nothing is stored, not even the files' positions,
// so the next run reads the same bytes again.
func (s *Store) Ingest(files []scan.File, opt IngestOptions) (IngestResult, error) {
	res := IngestResult{Files: len(files)}
	if s.readOnly {
		return res, errors.New("store opened read-only")
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	stamp := now().UTC().Format(time.RFC3339)

	jobs, err := s.plan(files, stamp, &res)
	if err != nil {
		return res, err
	}
	if len(jobs) == 0 && len(opt.Records) == 0 {
		return res, nil // the common cron case: nothing changed, nothing written
	}

	// Records are written while the files are read (reading takes all cores,
	// writing one), in one transaction that is committed at the end.
	tx, err := s.db.Begin()
	if err != nil {
		return res, s.classify(err)
	}
	defer tx.Rollback()
	w, err := newWriter(tx, stamp, opt.failAfter)
	if err != nil {
		return res, s.classify(err)
	}
	defer w.close()
	var (
		werr    error
		notices []usage.Notice
		states  []*fileState
	)
	for fr := range read(jobs, opt) {
		res.Bytes += fr.bytes
		res.Stats.Add(fr.stats)
		res.Malformed = append(res.Malformed, fr.errs...)
		notices = append(notices, fr.notices...)
		switch {
		case fr.err != nil:
			res.Warnings = append(res.Warnings, "cannot read "+fr.job.f.Path+": "+reason(fr.err))
			continue // its state is not saved: the next run reads it again
		case fr.job.whole:
			res.Whole++
		default:
			res.Appended++
		}
		states = append(states, fr.next)
		if werr == nil { // after an error, read on (the workers must finish) but write nothing
			werr = w.add(fr.reqs)
		}
	}
	if werr == nil && len(opt.Records) > 0 {
		set := aggregate.NewSet()
		for i := range opt.Records {
			r := opt.Records[i]
			r.Key = Key(&r)
			set.Add(&r)
		}
		werr = w.add(set.Requests())
	}
	if werr == nil {
		werr = w.finish(notices, states, &res)
	}
	if werr == nil {
		werr = tx.Commit()
	}
	if werr != nil {
		res.New, res.Updated, res.Unchanged, res.Notices = 0, 0, 0, 0
		return res, s.classify(werr)
	}

	res.Malformed = scan.FirstMalformed(res.Malformed)
	sort.Strings(res.Warnings)
	return res, nil
}

// plan stats every file and returns those to read.
func (s *Store) plan(files []scan.File, stamp string, res *IngestResult) ([]*job, error) {
	prev, err := s.fileStates()
	if err != nil {
		return nil, err
	}
	var jobs []*job
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		path := f.Path
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		if seen[path] {
			res.Skipped++
			continue
		}
		seen[path] = true
		fi, err := os.Stat(path)
		if err != nil {
			res.Warnings = append(res.Warnings, "cannot read "+f.Path+": "+reason(err))
			continue
		}
		cur := fileState{path: path, user: f.User, size: fi.Size(), mtime: fi.ModTime().UnixNano(), lastScan: stamp}
		cur.dev, cur.ino = identity(fi)
		p := prev[path]
		switch {
		case p == nil || p.dev != cur.dev || p.ino != cur.ino || cur.size < p.size:
			jobs = append(jobs, &job{f: f, prev: p, cur: cur, whole: true})
		case cur.size == p.size && cur.mtime == p.mtime:
			res.Skipped++
		case cur.size == p.size:
			// Same size, new mtime: touched, or rewritten in place. Only a whole
			// read can tell; it is rare.
			jobs = append(jobs, &job{f: f, prev: p, cur: cur, whole: true})
		default:
			// Grown: read from the offset, unless the head changed (see readFile).
			jobs = append(jobs, &job{f: f, prev: p, cur: cur})
		}
	}
	return jobs, nil
}

// fileStates loads the files table.
func (s *Store) fileStates() (map[string]*fileState, error) {
	rows, err := s.db.Query(`SELECT path, user, device, inode, size, mtime, offset, lines, head_len, head_sha256, last_scan FROM files`)
	if err != nil {
		return nil, s.classify(err)
	}
	defer rows.Close()
	m := make(map[string]*fileState)
	for rows.Next() {
		var f fileState
		var dev, ino int64
		if err := rows.Scan(&f.path, &f.user, &dev, &ino, &f.size, &f.mtime, &f.offset, &f.lines, &f.headLen, &f.head, &f.lastScan); err != nil {
			return nil, s.classify(err)
		}
		f.dev, f.ino = uint64(dev), uint64(ino)
		m[f.path] = &f
	}
	return m, s.classify(rows.Err())
}

func reason(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
