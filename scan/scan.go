package scan

import (
	"io"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/parser"
	"github.com/usagescan/usagescan/usage"
)

// Progress is updated while a scan runs; read it from another goroutine.
type Progress struct {
	FilesTotal, FilesDone atomic.Int64
	BytesTotal, BytesDone atomic.Int64
}

// Result is what a scan found.
type Result struct {
	Set       *aggregate.Set
	Stats     parser.Stats
	Files     int                   // files read (stdin counts as one)
	Malformed []*parser.SyntaxError // the first few malformed lines, by file and line
	Notices   []usage.Notice        // <synthetic> messages (limit hits...), by time, each once
	Warnings  []string              // paths that could not be read
}

// Options tune a scan; the zero value is fine.
type Options struct {
	Workers  int       // default: GOMAXPROCS
	Stdin    io.Reader // read for a Stdin source
	Progress *Progress // optional
}

// Run reads every file, and stdin if a source names it, into one Set.
func Run(files []File, stdin *Source, opt Options) *Result {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(files) {
		workers = max(len(files), 1)
	}
	prog := opt.Progress
	if prog == nil {
		prog = new(Progress)
	}
	var total int64
	for _, f := range files {
		total += f.Size
	}
	prog.FilesTotal.Store(int64(len(files)))
	prog.BytesTotal.Store(total)

	// Largest files first, so that no worker is left with a big one at the end.
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return files[order[a]].Size > files[order[b]].Size })
	queue := make(chan int, len(files))
	for _, i := range order {
		queue <- i
	}
	close(queue)

	parts := make([]*part, workers)
	var wg sync.WaitGroup
	for w := range parts {
		p := newPart()
		parts[w] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				p.readFile(files[i], prog)
			}
		}()
	}
	wg.Wait()

	res := &Result{Set: aggregate.NewSet(), Files: len(files)}
	if stdin != nil && opt.Stdin != nil {
		p := newPart()
		p.read(opt.Stdin, Stdin, stdin.User, prog)
		parts = append(parts, p)
		res.Files++
	}
	for _, p := range parts {
		res.Set.Merge(p.set)
		res.Stats.Add(p.stats)
		res.Malformed = append(res.Malformed, p.errs...)
		res.Warnings = append(res.Warnings, p.warnings...)
		res.Notices = append(res.Notices, p.notices...)
	}
	res.Notices = UniqueNotices(res.Notices)
	res.Malformed = FirstMalformed(res.Malformed)
	sort.Strings(res.Warnings)
	return res
}

// part is one worker's share: a reader with its buffer, and what it found.
type part struct {
	rd       *parser.Reader
	set      *aggregate.Set
	stats    parser.Stats
	errs     []*parser.SyntaxError
	warnings []string
	notices  []usage.Notice
}

func newPart() *part {
	return &part{rd: parser.NewReader(nil, "", ""), set: aggregate.NewSet()}
}

func (p *part) readFile(f File, prog *Progress) {
	defer prog.FilesDone.Add(1)
	fh, err := os.Open(f.Path)
	if err != nil {
		p.warnings = append(p.warnings, "cannot read "+f.Path+": "+reason(err))
		return
	}
	defer fh.Close()
	p.read(fh, f.Path, f.User, prog)
}

func (p *part) read(r io.Reader, name, user string, prog *Progress) {
	rd := p.rd
	rd.Reset(r, name, user)
	var last int64
	for rd.Scan() {
		p.set.Add(rd.Request())
		if b := rd.Stats().Bytes; b-last > 4<<20 {
			prog.BytesDone.Add(b - last)
			last = b
		}
	}
	st := rd.Stats()
	prog.BytesDone.Add(st.Bytes - last)
	if err := rd.Err(); err != nil {
		p.warnings = append(p.warnings, "stopped reading "+err.Error())
	}
	p.stats.Add(st)
	p.notices = append(p.notices, rd.Notices()...)
	// Each file keeps its first few; Run keeps the first few of all, so the
	// list does not depend on which worker read which file.
	for _, e := range rd.Malformed() {
		c := *e
		p.errs = append(p.errs, &c)
	}
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
