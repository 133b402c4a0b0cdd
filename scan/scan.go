package scan

import (
	"io"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/usage"
)

// Result is what a pure scan found: the deduplicated records in memory, and
// the diagnostics of the read.
type Result struct {
	Set *aggregate.Set
	*Summary
}

// RunOptions tune Run; the zero value is fine.
type RunOptions struct {
	Options
	Stdin io.Reader // read for a Stdin source
}

// Run reads every file, and stdin if a source names it, into one in-memory Set:
// the pure scan (no store).
func Run(files []File, stdin *Source, opt RunOptions) *Result {
	jobs := Jobs(files, nil)
	if stdin != nil && opt.Stdin != nil {
		jobs = append(jobs, &Job{File: File{Path: Stdin, User: stdin.User}, Stdin: opt.Stdin})
	}
	set := aggregate.NewSetSized(SizeHint(files))
	sum := Read(jobs, SetSink{set}, opt.Options)
	return &Result{Set: set, Summary: sum}
}

// SizeHint is a guess at the unique requests in files: real logs hold about
// one per 10 KB, and the densest about one per KB; the guess leans high, as an
// index a little too large costs less than one rehashed as it grows.
func SizeHint(files []File) int {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return int(min(n/2048, 4<<20))
}

// Jobs makes a job per file, resuming each from its state in prev (by path)
// when it has one.
func Jobs(files []File, prev map[string]*FileState) []*Job {
	jobs := make([]*Job, len(files))
	for i, f := range files {
		jobs[i] = &Job{File: f, Prev: prev[f.Path]}
	}
	return jobs
}

// SetSink is the in-memory sink: records go into a Set.
type SetSink struct{ Set *aggregate.Set }

func (s SetSink) Add(worker int, r *usage.Request) { s.Set.AddFrom(worker, r) }
func (SetSink) FileDone(int, *FileResult)          {}
