package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"runtime"
	"sort"
	"sync"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/parser"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

// headSize is how much of a file's beginning is hashed to tell an appended file
// from a rewritten one.
const headSize = 4096

// job is one file to read.
type job struct {
	f     scan.File
	prev  *fileState // nil for a file not seen before
	cur   fileState  // from the stat; offset, lines and head are filled by readFile
	whole bool       // read from the start, not from prev.offset
}

// fileResult is what reading one file found.
type fileResult struct {
	job     *job
	next    *fileState      // the file's new state
	reqs    []usage.Request // one copy of each request in the lines read
	notices []usage.Notice
	stats   parser.Stats
	errs    []*parser.SyntaxError
	bytes   int64 // bytes read, lines and heads and tails
	err     error // the file could not be read
}

var errShrank = errors.New("the file shrank while being read")

// read reads the jobs on a pool of workers, the way scan.Run does, and sends
// each file's result as it is done; the channel is closed after the last.
func read(jobs []*job, opt IngestOptions) <-chan *fileResult {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(min(workers, len(jobs)), 1)
	prog := opt.Progress
	if prog == nil {
		prog = new(scan.Progress)
	}
	var total int64
	for _, j := range jobs {
		if j.whole {
			total += j.cur.size
		} else {
			total += j.cur.size - j.prev.offset
		}
	}
	prog.FilesTotal.Store(int64(len(jobs)))
	prog.BytesTotal.Store(total)

	// Largest first, so that no worker is left with a big one at the end.
	order := make([]*job, len(jobs))
	copy(order, jobs)
	sort.SliceStable(order, func(a, b int) bool { return order[a].cur.size > order[b].cur.size })
	queue := make(chan *job, len(order))
	for _, j := range order {
		queue <- j
	}
	close(queue)

	out := make(chan *fileResult, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd := parser.NewReader(nil, "", "")
			buf := make([]byte, 64<<10) // for heads and tails
			for j := range queue {
				out <- readFile(j, rd, buf, prog)
				prog.FilesDone.Add(1)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// readFile reads the complete lines of j's file that were not read before.
func readFile(j *job, rd *parser.Reader, buf []byte, prog *scan.Progress) *fileResult {
	fr := &fileResult{job: j}
	fh, err := os.Open(j.cur.path)
	if err != nil {
		fr.err = err
		return fr
	}
	defer fh.Close()
	next := j.cur

	// The head: the first 4 KB, or all of a smaller file.
	next.headLen = min(next.size, headSize)
	head := buf[:next.headLen]
	if _, err := fh.ReadAt(head, 0); err != nil {
		fr.err = readErr(err)
		return fr
	}
	fr.bytes += next.headLen
	sum := sha256.Sum256(head)
	next.head = sum[:]
	var start, lines int64
	if !j.whole {
		p := j.prev
		if old := sha256.Sum256(head[:min(p.headLen, next.headLen)]); p.headLen > next.headLen || !bytes.Equal(old[:], p.head) {
			j.whole = true // rewritten: same inode, other content
		} else if ok, n, err := lineEndAt(fh, p.offset, head, buf); err != nil {
			fr.bytes += n
			fr.err = readErr(err)
			return fr
		} else {
			fr.bytes += n
			if !ok {
				// The first 4 KB are the same but the old offset no longer follows
				// a line end: rewritten after its head (same inode). Read from
				// there, the first line would be half of one and every line
				// before it, new content, would be lost. Read it whole.
				j.whole = true
			} else {
				start, lines = p.offset, p.lines
			}
		}
	}

	// The end: after the last newline. A last line without one is left for the
	// next run (see readTail).
	end, n, err := lastLineEnd(fh, start, next.size, buf)
	fr.bytes += n
	if err != nil {
		fr.err = readErr(err)
		return fr
	}
	next.offset, next.lines = start, lines
	set := aggregate.NewSet() // copies within the file (one line per content block)
	if end > start {
		rd.Reset(io.NewSectionReader(fh, start, end-start), j.f.Path, j.f.User)
		var last int64
		for rd.Scan() {
			r := rd.Request()
			if r.Key == "" {
				r.Key = Key(r)
			}
			set.Add(r)
			if b := rd.Stats().Bytes; b-last > 4<<20 {
				prog.BytesDone.Add(b - last)
				last = b
			}
		}
		fr.stats = rd.Stats()
		prog.BytesDone.Add(fr.stats.Bytes - last)
		fr.bytes += fr.stats.Bytes
		fr.notices = append(fr.notices, rd.Notices()...)
		for _, e := range rd.Malformed() {
			c := *e
			c.Line += int(lines) // lines are counted from where this read started
			fr.errs = append(fr.errs, &c)
		}
		if err := rd.Err(); err != nil {
			fr.err = err // the file's state stays as it was: the next run reads these bytes again
			return fr
		}
		if rd.Offset() != end-start {
			fr.err = errShrank
			return fr
		}
		next.offset = end
		next.lines = lines + int64(rd.Line())
	}
	if end < next.size {
		// A last line without its line end: half written, or complete in a
		// file that does not end with a newline (an editor, another tool). A
		// complete one is stored now, as a scan counts it: were the file deleted
		// before anything followed, it would be lost. The offset stays before
		// it, so the next run reads it again, whole; its key (message.id, or the
		// hash of its fields) makes that copy the same request, never a second
		// one. A half-written line is not valid JSON and gives nothing.
		n, err := readTail(fh, end, next.size, j, rd, set, fr, buf)
		fr.bytes += n
		if err != nil {
			fr.err = readErr(err)
			return fr
		}
	}
	fr.reqs = set.Requests()
	fr.next = &next
	return fr
}

// lineEndAt reports whether offset is 0 or follows a '\n', reading the byte
// before it from head when it holds it. n is the bytes read.
func lineEndAt(f *os.File, offset int64, head, buf []byte) (ok bool, n int64, err error) {
	if offset == 0 {
		return true, 0, nil
	}
	if offset <= int64(len(head)) {
		return head[offset-1] == '\n', 0, nil
	}
	b := buf[:1]
	if _, err := f.ReadAt(b, offset-1); err != nil {
		return false, 1, err
	}
	return b[0] == '\n', 1, nil
}

// readTail reads the last line of f, [end, size), which has no line end, and
// adds its record (or notice) to set (or fr) when the line is complete. Its
// lines are not counted in fr.stats, nor is it malformed: it is read again by
// the next run that finds the file changed. n is the bytes read.
func readTail(f *os.File, end, size int64, j *job, rd *parser.Reader, set *aggregate.Set, fr *fileResult, buf []byte) (n int64, err error) {
	// Cheap first: a complete JSON object ends with '}' (and maybe a '\r').
	k := min(size-end, 8)
	b := buf[:k]
	if _, err := f.ReadAt(b, size-k); err != nil {
		return k, err
	}
	n = k
	if t := bytes.TrimRight(b, " \t\r"); len(t) == 0 || t[len(t)-1] != '}' {
		return n, nil
	}
	rd.Reset(io.NewSectionReader(f, end, size-end), j.f.Path, j.f.User)
	for rd.Scan() {
		r := rd.Request()
		if r.Key == "" {
			r.Key = Key(r)
		}
		set.Add(r)
	}
	n += rd.Stats().Bytes
	if err := rd.Err(); err != nil {
		return n, err
	}
	if rd.Offset() != 0 || rd.Stats().Bytes != size-end {
		return n, errShrank // a line end where there was none: changed while read
	}
	fr.notices = append(fr.notices, rd.Notices()...)
	return n, nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errShrank
	}
	return err
}

// lastLineEnd is the offset after the last '\n' in [start, size), or start when
// there is none, and the bytes it read to find it.
func lastLineEnd(f *os.File, start, size int64, buf []byte) (end, n int64, err error) {
	chunk := int64(512) // most files end with a newline: read little first
	for end = size; end > start; {
		c := min(chunk, end-start, int64(len(buf)))
		b := buf[:c]
		if _, err := f.ReadAt(b, end-c); err != nil {
			return start, n, err
		}
		n += c
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return end - c + int64(i) + 1, n, nil
		}
		end -= c
		chunk *= 8
	}
	return start, n, nil
}
