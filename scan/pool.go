package scan

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/usagescan/usagescan/parser"
	"github.com/usagescan/usagescan/usage"
)

// HeadSize is how much of a file's beginning is hashed to tell an appended file
// from a rewritten one.
const HeadSize = 4096

// wholeMax is the largest file (or part after a resume point) read into memory
// at once; larger ones stream.
const wholeMax = 8 << 20

// CutOffAge is how long a file may end in a line still being written before
// that line counts as malformed: a session that stopped mid-line long ago.
const CutOffAge = 24 * time.Hour

// Progress is updated while files are read; read it from another goroutine.
type Progress struct {
	FilesTotal, FilesDone atomic.Int64
	BytesTotal, BytesDone atomic.Int64
}

// FileState is where a read of one file stopped: what the next incremental
// read resumes from. The store keeps one per file.
type FileState struct {
	Path     string // absolute
	User     string
	Dev, Ino uint64 // identity: a replaced file is read again
	Size     int64
	Mtime    int64 // unix nanoseconds
	Offset   int64 // bytes through the last complete line read
	Lines    int64 // lines through Offset
	HeadLen  int64 // bytes hashed into Head: min(Size, HeadSize)
	Head     []byte
}

// Job is one input to read: a file (whole, or from where Prev stopped) or a
// stream (Stdin).
type Job struct {
	File
	// Prev is where the last read of this file stopped; nil reads it whole. A
	// file whose identity, size or head no longer match Prev is read whole.
	Prev  *FileState
	Stdin io.Reader // read this stream instead of a file (File.Path is "-")
}

// FileResult is what reading one input found.
type FileResult struct {
	Job *Job
	// Whole is true when the file was read from its start (new, rewritten,
	// replaced or truncated), false when from where Prev stopped.
	Whole     bool
	Next      FileState // where this read stopped (files only, when Err is nil)
	Stats     parser.Stats
	Malformed []*parser.SyntaxError
	Notices   []usage.Notice
	// CutOff: the input ends in a line still being written (left for the next
	// read). A cut-off line in a file unchanged for CutOffAge is malformed instead.
	CutOff bool
	Bytes  int64 // bytes read: lines, heads and tails
	Err    error // the input could not be read (its records may be partial)
}

// Sink takes what the reader pool finds. Its methods are called from the
// workers, concurrently: worker is 0 <= worker < Options.Workers, and one
// worker's calls never overlap. Add's record is reused after it returns: its
// strings may be kept, but for Key, whose bytes the worker's next record
// reuses (hash it with usage.HashOf, or strings.Clone it). FileDone follows
// the last Add of an input.
type Sink interface {
	Add(worker int, r *usage.Request)
	FileDone(worker int, fr *FileResult)
}

// Options tune a read; the zero value is fine.
type Options struct {
	Workers  int              // default: GOMAXPROCS
	Progress *Progress        // optional
	Now      func() time.Time // for CutOffAge; default time.Now
}

// Summary is what a whole read found, in an order that does not depend on
// which worker read what.
type Summary struct {
	Files       int // inputs read (stdin counts as one)
	Whole       int // files read from their start
	Appended    int // files read from where they were left
	CutOffFiles int // inputs ending in a line still being written
	Bytes       int64
	Stats       parser.Stats
	Malformed   []*parser.SyntaxError // the first parser.MaxErrors, by file and line
	Notices     []usage.Notice        // by time, each once
	Warnings    []string              // inputs that could not be read
}

// Add counts one input's result into the summary.
func (s *Summary) add(fr *FileResult) {
	s.Files++
	s.Bytes += fr.Bytes
	s.Stats.Add(fr.Stats)
	s.Malformed = append(s.Malformed, fr.Malformed...)
	s.Notices = append(s.Notices, fr.Notices...)
	if fr.CutOff {
		s.CutOffFiles++
	}
	if fr.Err != nil {
		s.Warnings = append(s.Warnings, "cannot read "+fr.Job.Path+": "+reason(fr.Err))
		return
	}
	if fr.Job.Stdin == nil {
		if fr.Whole {
			s.Whole++
		} else {
			s.Appended++
		}
	}
}

func (s *Summary) finish() {
	s.Malformed = FirstMalformed(s.Malformed)
	s.Notices = UniqueNotices(s.Notices)
	sort.Strings(s.Warnings)
}

// Read reads every job on a pool of workers, each with its own parser and
// buffers, into sink. It is the one way logs are read: a pure scan's
// in-memory set and the store's ingest are two sinks of it, so the same file
// gives the same records and the same diagnostics whichever takes them.
func Read(jobs []*Job, sink Sink, opt Options) *Summary {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(min(workers, len(jobs)), 1)
	prog := opt.Progress
	if prog == nil {
		prog = new(Progress)
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	var total int64
	for _, j := range jobs {
		total += j.Size
		if j.Prev != nil && j.Prev.Offset <= j.Size {
			total -= j.Prev.Offset
		}
	}
	prog.FilesTotal.Store(int64(len(jobs)))
	prog.BytesTotal.Store(total)

	// Largest first, so that no worker is left with a big one at the end.
	order := make([]*Job, len(jobs))
	copy(order, jobs)
	sort.SliceStable(order, func(a, b int) bool { return order[a].Size > order[b].Size })
	queue := make(chan *Job, len(order))
	for _, j := range order {
		queue <- j
	}
	close(queue)

	results := make([][]*FileResult, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd := &reader{rd: parser.NewReader(nil, "", ""), prog: prog, cutOffBefore: now().Add(-CutOffAge).UnixNano()}
			for j := range queue {
				fr := rd.read(j, sink, w)
				sink.FileDone(w, fr)
				results[w] = append(results[w], fr)
				prog.FilesDone.Add(1)
			}
		}()
	}
	wg.Wait()
	sum := new(Summary)
	for _, rs := range results {
		for _, fr := range rs {
			sum.add(fr)
		}
	}
	sum.finish()
	return sum
}

// reader is one worker's state.
type reader struct {
	rd           *parser.Reader
	buf          []byte // for heads
	whole        []byte // a whole file
	prog         *Progress
	cutOffBefore int64 // a cut-off line in a file last changed before this is malformed
}

var errShrank = errors.New("the file shrank while being read")

func (w *reader) read(j *Job, sink Sink, worker int) (fr *FileResult) {
	fr = &FileResult{Job: j, Whole: true}
	if j.Stdin != nil {
		w.rd.Reset(j.Stdin, Stdin, j.User)
		w.scan(fr, sink, worker)
		if err := w.rd.Err(); err != nil {
			fr.Err = err
		}
		return fr
	}
	f, err := os.Open(j.Path)
	if err != nil {
		fr.Err = err
		return fr
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		fr.Err = err
		return fr
	}
	if !fi.Mode().IsRegular() {
		// A pipe or a device (--logs <(cmd)): read as a stream, with no
		// resume point (there is no offset to come back to).
		w.rd.Reset(f, j.Path, j.User)
		w.scan(fr, sink, worker)
		fr.Err = w.rd.Err()
		fr.Next = FileState{Path: j.Path, User: j.User}
		return fr
	}
	next := FileState{Path: j.Path, User: j.User, Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	next.Dev, next.Ino = Identity(fi)
	size := next.Size

	// The head: the first 4 KB, or all of a smaller file.
	next.HeadLen = min(size, HeadSize)
	if cap(w.buf) < HeadSize {
		w.buf = make([]byte, HeadSize)
	}
	head := w.buf[:next.HeadLen]
	if _, err := f.ReadAt(head, 0); err != nil {
		fr.Err = readErr(err)
		return fr
	}
	fr.Bytes += next.HeadLen
	sum := sha256.Sum256(head)
	next.Head = sum[:]

	var start, lines int64
	// Resumed only when grown, or untouched: a file that shrank, or kept its
	// size under a new mtime, was rewritten in place (or touched), and only a
	// whole read tells what changed.
	if p := j.Prev; p != nil && p.Dev == next.Dev && p.Ino == next.Ino && p.Offset <= size && p.HeadLen <= next.HeadLen &&
		(size > p.Size || size == p.Size && next.Mtime == p.Mtime) {
		old := sha256.Sum256(head[:p.HeadLen])
		// Appended: same identity, same first bytes, and a line still ends
		// where the last read stopped. Otherwise rewritten: read whole, or the
		// first line read would be half of one and new content before it lost.
		if bytes.Equal(old[:], p.Head) && (p.Offset == 0 || p.Offset <= p.HeadLen && head[p.Offset-1] == '\n') {
			start, lines = p.Offset, p.Lines
		} else if bytes.Equal(old[:], p.Head) && p.Offset > p.HeadLen {
			b := w.buf[:1]
			if _, err := f.ReadAt(b, p.Offset-1); err != nil {
				fr.Err = readErr(err)
				return fr
			}
			fr.Bytes++
			if b[0] == '\n' {
				start, lines = p.Offset, p.Lines
			}
		}
		fr.Whole = start == 0
	}
	next.Offset, next.Lines = start, lines
	if size > start {
		// Only the bytes the stat saw: lines appended meanwhile are for the next
		// read. A file of up to wholeMax bytes is read at once and its lines cut
		// in place (the common case: no copy, a few system calls); a larger one
		// streams through the parser's buffer, so memory stays bounded.
		if n := size - start; n <= wholeMax {
			if int64(cap(w.whole)) < n {
				w.whole = make([]byte, n)
			}
			data := w.whole[:n]
			if m, err := f.ReadAt(data, start); int64(m) < n {
				if err == nil || err == io.EOF {
					err = errShrank
				}
				fr.Err = err
				return fr
			}
			w.rd.ResetBytes(data, j.Path, j.User, lines)
		} else {
			w.rd.ResetAt(io.NewSectionReader(f, start, n), j.Path, j.User, lines)
		}
		w.scan(fr, sink, worker)
		if err := w.rd.Err(); err != nil {
			fr.Err = err // the file's state stays as it was: the next read reads these bytes again
			return fr
		}
		if w.rd.Stats().Bytes != size-start {
			fr.Err = errShrank
			return fr
		}
		next.Offset = start + w.rd.Offset()
		next.Lines = int64(w.rd.Line())
		if next.Offset < size { // the last line has no line end: read again next time
			next.Lines--
		}
		if fr.CutOff && next.Mtime < w.cutOffBefore {
			fr.CutOff = false
			fr.Stats.Malformed++
			fr.Malformed = append(fr.Malformed, &parser.SyntaxError{File: j.Path, Line: int(next.Lines) + 1,
				Msg: "cut-off last line, unchanged for over a day"})
		}
	}
	fr.Next = next
	return fr
}

// scan reads every record of the reader's input into sink.
func (w *reader) scan(fr *FileResult, sink Sink, worker int) {
	rd := w.rd
	var last int64
	for rd.Scan() {
		sink.Add(worker, rd.Request())
		if b := rd.Stats().Bytes; b-last > 4<<20 {
			w.prog.BytesDone.Add(b - last)
			last = b
		}
	}
	fr.Stats = rd.Stats()
	w.prog.BytesDone.Add(fr.Stats.Bytes - last)
	fr.Bytes += fr.Stats.Bytes
	fr.CutOff = rd.CutOff()
	fr.Notices = append(fr.Notices, rd.Notices()...)
	for _, e := range rd.Malformed() {
		c := *e
		fr.Malformed = append(fr.Malformed, &c)
	}
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errShrank
	}
	return err
}

// FirstMalformed orders malformed lines by file and line and keeps the first
// parser.MaxErrors, so the list does not depend on which worker read what.
func FirstMalformed(errs []*parser.SyntaxError) []*parser.SyntaxError {
	sort.Slice(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return errs[:min(len(errs), parser.MaxErrors)]
}

// UniqueNotices sorts notices by time and drops copies (resumed sessions copy
// earlier lines into new files).
func UniqueNotices(ns []usage.Notice) []usage.Notice {
	sort.Slice(ns, func(i, j int) bool {
		a, b := ns[i], ns[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.Text < b.Text
	})
	out := ns[:0]
	for i, n := range ns {
		if i > 0 && n == ns[i-1] {
			continue
		}
		out = append(out, n)
	}
	return out
}
