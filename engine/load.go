package engine

import (
	"errors"
	"io"
	"iter"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// CSVFile is one billing export to read; User labels every row ("" for the
// export's own users).
type CSVFile struct{ Path, User string }

// Sources are what one run reads on top of the store (or instead of it).
type Sources struct {
	Files   []scan.File
	Stdin   *scan.Source // logs on standard input
	CSV     []CSVFile
	Billing billing.Options
	In      io.Reader // standard input, for Stdin or a CSV named "-"
	// CSVDone is told about each export once it is read (for messages).
	CSVDone func(CSVResult)
}

// CSVResult is what reading one export found.
type CSVResult struct {
	File   CSVFile
	Header billing.Header
	Stats  billing.Stats
	Bad    []*billing.RowError
	Empty  bool // an empty file: nothing read
}

// Input is what a run read: the named sources' records in memory (Set), and
// the store behind them (nil for none).
type Input struct {
	Set      *aggregate.Set
	Logs     *scan.Summary // nil when no logs were read
	CSV      billing.Stats
	CSVFiles int
	Store    *store.Store
	// Long decides the long-context tier of logged requests (see store.Options.Long).
	Long func(*usage.Request) bool

	// StoreRecords counts the stored records the last Groups read, and
	// StoreOnly those of them no source held.
	StoreRecords, StoreOnly int64
}

// ReadSources reads the named sources into memory: logs through scan's reader
// pool into a Set, billing exports row by row into the same Set (their rows
// are keyed by row identity; a newer export's copy wins).
func ReadSources(src Sources, opt scan.Options) (*Input, error) {
	in := &Input{Set: aggregate.NewSet()}
	if len(src.Files) > 0 || src.Stdin != nil {
		res := scan.Run(src.Files, src.Stdin, scan.RunOptions{Options: opt, Stdin: src.In})
		in.Set, in.Logs = res.Set, res.Summary
	}
	for _, f := range src.CSV {
		res, err := ReadCSV(f, src.Billing, src.In, func(r *usage.Request) { in.Set.Add(r) })
		if err != nil {
			return nil, err
		}
		if src.CSVDone != nil {
			src.CSVDone(res)
		}
		in.CSV.Add(res.Stats)
		in.CSVFiles++
	}
	return in, nil
}

// ReadCSV streams the records of one billing export to add.
func ReadCSV(f CSVFile, opt billing.Options, stdin io.Reader, add func(*usage.Request)) (CSVResult, error) {
	res := CSVResult{File: f}
	opt.User = f.User
	var rd *billing.Reader
	var err error
	if f.Path == scan.Stdin {
		rd, err = billing.NewReader(stdin, "-", opt)
	} else {
		rd, err = billing.Open(f.Path, opt)
	}
	if errors.Is(err, billing.ErrEmpty) {
		res.Empty = true
		return res, nil
	}
	if err != nil {
		return res, err
	}
	defer rd.Close()
	res.Header = rd.Header()
	for rd.Scan() {
		add(rd.Record())
	}
	if err := rd.Err(); err != nil {
		return res, err
	}
	res.Stats = rd.Stats()
	res.Bad = rd.BadRows()
	return res, nil
}

// Groups sums every record with a slot in rng per aggregate.GroupKey: the
// store's rollup for the range, summed in the database per piece of p (a
// period of the report, within one rate era), with the named sources' records
// merged in by key (a fresh copy better than the stored one takes its place; a
// stored request counts once).
func (in *Input) Groups(rng aggregate.Range, p Periods) (aggregate.Groups, error) {
	g := make(aggregate.Groups)
	in.StoreRecords, in.StoreOnly = 0, 0
	if in.Store != nil {
		lo, hi, ok, err := in.Store.SlotRange()
		if err != nil {
			return nil, err
		}
		if ok {
			err = in.Store.GroupsIn(p.Bounds(lo, hi+1, rng), func(k aggregate.GroupKey, s *aggregate.Sums) {
				g.AddSums(k, s)
				in.StoreRecords += s.Records
			})
			if err != nil {
				return nil, err
			}
		}
	}
	if in.Set == nil || in.Set.Len() == 0 {
		in.StoreOnly = in.StoreRecords
		return g, nil
	}
	if in.Store == nil {
		// A pure scan: the set's own grouping, by string ids.
		g = in.Set.Groups(in.Long)
		for k := range g {
			if !rng.Contains(k.Start()) {
				delete(g, k)
			}
		}
		return g, nil
	}
	stored, err := in.stored()
	if err != nil {
		return nil, err
	}
	var matched int64
	in.Set.EachKeyed(func(h usage.KeyHash, r *usage.Request) {
		if old, ok := stored[h]; ok {
			if old.Time.Equal(r.Time) || rng.Contains(old.Time) {
				matched++
			}
			if usage.Replaces(old, r) {
				return // the stored copy is better; a tie goes to the source named now
			}
			if k := aggregate.KeyOf(old, in.Long); rng.Contains(k.Start()) {
				g.Add(k, old, -1)
			}
		}
		if k := aggregate.KeyOf(r, in.Long); rng.Contains(k.Start()) {
			g.Add(k, r, 1)
		}
	})
	in.StoreOnly = max(in.StoreRecords-matched, 0)
	return g, nil
}

// stored returns the store's copies of the Set's keys.
func (in *Input) stored() (map[usage.KeyHash]*usage.Request, error) {
	out := make(map[usage.KeyHash]*usage.Request)
	if in.Store == nil {
		return out, nil
	}
	keys := make([]usage.KeyHash, 0, in.Set.Len())
	in.Set.EachKeyed(func(h usage.KeyHash, _ *usage.Request) { keys = append(keys, h) })
	err := in.Store.Lookup(keys, func(h usage.KeyHash, r *usage.Request) {
		c := *r
		out[h] = &c
	})
	return out, err
}

// Requests calls fn with every record in [from, to) in time order: the
// store's (read in row order, each page once, into a compact set) with the
// named sources merged in by key, or a pure scan's. A zero bound is none.
func (in *Input) Requests(from, to time.Time, fn func(*usage.Request)) error {
	seq, err := in.RequestSeq(from, to)
	if err != nil {
		return err
	}
	seq(func(r *usage.Request) bool { fn(r); return true })
	return nil
}

// RequestSeq is Requests as a sequence that may be walked many times, each
// walk in time order, from records held compactly (about 110 bytes each).
func (in *Input) RequestSeq(from, to time.Time) (iter.Seq[*usage.Request], error) {
	rng := aggregate.Range{From: from, To: to}
	if in.Set == nil {
		in.Set = aggregate.NewSet()
	}
	set := in.Set
	if in.Store != nil {
		set = aggregate.NewSet()
		err := in.Store.RequestsIn(from, to, func(h usage.KeyHash, r *usage.Request) error {
			set.AddHashed(h, r)
			return nil
		})
		if err != nil {
			return nil, err
		}
		// A source's copy that beats the stored one takes its place, inside
		// the range or out of it (a grown copy written after the range's end
		// moves the request out: the walk below skips it); a stored copy that
		// beats the source's, wherever it lies, keeps it out.
		stored, err := in.stored()
		if err != nil {
			return nil, err
		}
		in.Set.EachKeyed(func(h usage.KeyHash, r *usage.Request) {
			old, ok := stored[h]
			if ok && usage.Replaces(old, r) {
				return // the stored copy is better; a tie goes to the source named now
			}
			if rng.Contains(r.Time) || ok && rng.Contains(old.Time) { // in range, or its stored copy is (in set)
				set.AddOver(h, r)
			}
		})
	}
	return func(yield func(*usage.Request) bool) {
		set.SortedUntil(func(r *usage.Request) bool {
			return !rng.Contains(r.Time) || yield(r)
		})
	}, nil
}

// Notices are the limit messages and the like with from <= Time < to, from the
// logs read and the store.
func (in *Input) Notices(from, to time.Time) ([]usage.Notice, error) {
	var ns []usage.Notice
	if in.Logs != nil {
		rng := aggregate.Range{From: from, To: to}
		for _, n := range in.Logs.Notices {
			if rng.Contains(n.Time) {
				ns = append(ns, n)
			}
		}
	}
	if in.Store != nil {
		stored, err := in.Store.Notices(from, to)
		if err != nil {
			return nil, err
		}
		ns = append(ns, stored...)
	}
	return scan.UniqueNotices(ns), nil
}
