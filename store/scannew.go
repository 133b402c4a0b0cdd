package store

import (
	"slices"
	"sort"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/parser"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

// ScanNew reads what Ingest would read, the lines of files the store has not
// read yet, and stores nothing: it is scan.Run for the part of the logs that is
// not in the store, and works on a read-only Store. Its Set holds keyless records
// under Key. Stored requests (Requests or Load) added to its Set give what a
// report after an ingest would see, at the cost of a stat for each file already
// read; the diagnostics (Stats, Malformed) cover the new lines only.
func (s *Store) ScanNew(files []scan.File, opt IngestOptions) (*scan.Result, error) {
	var ir IngestResult
	jobs, err := s.plan(files, "", &ir)
	if err != nil {
		return nil, err
	}
	res := &scan.Result{Set: aggregate.NewSet(), Warnings: ir.Warnings}
	for fr := range read(jobs, opt) {
		res.Files++
		res.Stats.Add(fr.stats)
		res.Malformed = append(res.Malformed, fr.errs...)
		res.Notices = append(res.Notices, fr.notices...)
		if fr.err != nil {
			res.Warnings = append(res.Warnings, "cannot read "+fr.job.f.Path+": "+reason(fr.err))
			continue
		}
		for i := range fr.reqs {
			res.Set.Add(&fr.reqs[i])
		}
	}
	res.Malformed = firstMalformed(res.Malformed)
	sort.Strings(res.Warnings)
	res.Notices = uniqueNotices(res.Notices)
	return res, nil
}

// firstMalformed orders malformed lines by file and line and keeps the first
// few, as scan.Run does.
func firstMalformed(errs []*parser.SyntaxError) []*parser.SyntaxError {
	sort.Slice(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return errs[:min(len(errs), parser.MaxErrors)]
}

// uniqueNotices sorts notices by time, user and text and drops copies, as
// scan.Run does.
func uniqueNotices(ns []usage.Notice) []usage.Notice {
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
	return slices.Compact(ns)
}
