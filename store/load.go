package store

import (
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

// querier is a database or a transaction.
type querier interface {
	Query(q string, args ...any) (*sql.Rows, error)
}

// scanRequests calls fn with each stored request the where clause selects.
// The Request is reused between calls: copy it to keep it. Strings repeated
// across rows are kept once.
func (s *Store) scanRequests(q querier, where string, args []any, fn func(usage.KeyHash, *usage.Request) error) error {
	rows, err := q.Query(`SELECT `+requestColumns+` FROM requests`+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	intern := interner()
	var (
		key                                                     []byte
		ns, side, count, ctx, long, ws, wf                      int64
		user, source, model, sess, cwd, entry, speed, geo, tier sql.RawBytes
		bi, bo, bw, br, bs                                      sql.NullFloat64
		r                                                       usage.Request
		h                                                       usage.KeyHash
	)
	for rows.Next() {
		if err := rows.Scan(&key, &ns, &user, &source, &model, &r.Input, &r.Output, &r.CacheWrite5m, &r.CacheWrite1h, &r.CacheRead,
			&ws, &wf, &side, &sess, &cwd, &entry, &speed, &geo, &tier, &count, &ctx, &long, &r.Rev,
			&bi, &bo, &bw, &br, &bs); err != nil {
			return err
		}
		if len(key) != len(h) {
			return corruptError(s.path, fmt.Sprintf("a request key of %d bytes", len(key)))
		}
		copy(h[:], key)
		r.Time = time.Unix(0, ns).UTC()
		r.User, r.Source, r.Model = intern(user), intern(source), intern(model)
		r.SessionID, r.Cwd, r.Entrypoint = intern(sess), intern(cwd), intern(entry)
		r.Speed, r.Geo, r.Tier = intern(speed), intern(geo), intern(tier)
		r.WebSearch, r.WebFetch = int32(ws), int32(wf)
		r.Sidechain = side != 0
		r.Count, r.Context = int32(count), usage.Context(ctx)
		r.Billed = nil
		if bi.Valid || bo.Valid || bw.Valid || br.Valid || bs.Valid {
			r.Billed = &usage.Money{Input: bi.Float64, Output: bo.Float64, CacheWrite: bw.Float64, CacheRead: br.Float64, WebSearch: bs.Float64}
		}
		if err := fn(h, &r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// interner keeps one copy of each string repeated across rows: a row's
// RawBytes are only valid until the next.
func interner() func(sql.RawBytes) string {
	strs := make(map[string]string)
	return func(b sql.RawBytes) string {
		if s, ok := strs[string(b)]; ok {
			return s
		}
		v := string(b)
		strs[v] = v
		return v
	}
}

// nanos is t in unix nanoseconds, clamped to what an int64 holds (a bound
// such as --until 2999-12 lies past 2262, where UnixNano is undefined).
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minNanos):
		return math.MinInt64
	case t.After(maxNanos):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var minNanos, maxNanos = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

// timeRange is the where clause of from <= time < to; a zero bound is none.
func timeRange(col string, from, to time.Time) (string, []any) {
	where, args := ` WHERE 1 = 1`, []any{}
	if !from.IsZero() {
		where += ` AND ` + col + ` >= ?`
		args = append(args, nanos(from))
	}
	if !to.IsZero() {
		where += ` AND ` + col + ` < ?`
		args = append(args, nanos(to))
	}
	return where, args
}

// Requests calls fn with every stored request with from <= Time < to (a zero
// bound is none) in time order, through the time index: the cost grows with
// the range asked, not with the history. The Request is reused between calls.
// An error from fn stops the walk and is returned.
func (s *Store) Requests(from, to time.Time, fn func(usage.KeyHash, *usage.Request) error) error {
	where, args := timeRange("time", from, to)
	return s.walkRequests(where+` ORDER BY time, key`, args, fn)
}

// walkRequests is scanRequests on the store, returning fn's error as it is
// and the database's classified.
func (s *Store) walkRequests(where string, args []any, fn func(usage.KeyHash, *usage.Request) error) error {
	var fnErr error
	err := s.scanRequests(s.db, where, args, func(h usage.KeyHash, r *usage.Request) error {
		fnErr = fn(h, r)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return s.classify(err)
}

// RequestsIn calls fn with every stored request with from <= Time < to (a
// zero bound is none) in the order they are stored, not in time order: the
// time index finds the rows, which are then read in row order, each page once.
// Over a long range that is several times faster than Requests, whose time
// order jumps between pages (rows are stored in key order as they arrive).
// The Request is reused between calls. An error from fn stops the walk.
func (s *Store) RequestsIn(from, to time.Time, fn func(usage.KeyHash, *usage.Request) error) error {
	where, args := timeRange("time", from, to)
	if len(args) > 0 {
		where = ` WHERE id IN (SELECT id FROM requests` + where + `)`
	} else {
		where = ``
	}
	return s.walkRequests(where, args, fn)
}

// Lookup calls fn with the stored copy of each key it holds.
func (s *Store) Lookup(keys []usage.KeyHash, fn func(usage.KeyHash, *usage.Request)) error {
	for len(keys) > 0 {
		n := min(len(keys), 500)
		args := make([]any, n)
		for i := range args {
			args[i] = keys[i][:]
		}
		err := s.scanRequests(s.db, ` WHERE key IN (?`+strings.Repeat(", ?", n-1)+`)`, args, func(h usage.KeyHash, r *usage.Request) error {
			fn(h, r)
			return nil
		})
		if err != nil {
			return s.classify(err)
		}
		keys = keys[n:]
	}
	return nil
}

// Groups calls fn with the stored totals of each aggregate.GroupKey whose slot
// starts in [from, to) (a zero bound is none): a report reads these totals,
// never the requests, so its cost grows with the range and not the history.
func (s *Store) Groups(from, to time.Time, fn func(aggregate.GroupKey, *aggregate.Sums)) error {
	where, args := ` WHERE 1 = 1`, []any{}
	if !from.IsZero() {
		where += ` AND slot >= ?`
		args = append(args, slotOf(from, false))
	}
	if !to.IsZero() {
		where += ` AND slot < ?`
		args = append(args, slotOf(to, true))
	}
	return s.scanGroups(`SELECT slot, `+rollupColumns+` FROM rollup`+where, args, fn)
}

// scanGroups reads rows of a GroupKey's fields and its sums.
func (s *Store) scanGroups(q string, args []any, fn func(aggregate.GroupKey, *aggregate.Sums)) error {
	rows, err := s.db.Query(q, args...)
	if err != nil {
		return s.classify(err)
	}
	defer rows.Close()
	intern := interner()
	var (
		k                                     aggregate.GroupKey
		sum                                   aggregate.Sums
		user, source, model, speed, geo, tier sql.RawBytes
		long, billed                          int64
	)
	for rows.Next() {
		if err := rows.Scan(&k.Slot, &user, &source, &model, &speed, &geo, &tier, &long, &billed,
			&sum.Requests, &sum.Records, &sum.Input, &sum.Output, &sum.CacheWrite5m, &sum.CacheWrite1h, &sum.CacheRead,
			&sum.WebSearch, &sum.WebFetch, &sum.Billed.Input, &sum.Billed.Output, &sum.Billed.CacheWrite,
			&sum.Billed.CacheRead, &sum.Billed.WebSearch); err != nil {
			return s.classify(err)
		}
		k.User, k.Source, k.Model = intern(user), intern(source), intern(model)
		k.Speed, k.Geo, k.Tier = intern(speed), intern(geo), intern(tier)
		k.Long, k.Billed = long != 0, billed != 0
		fn(k, &sum)
	}
	return s.classify(rows.Err())
}

// SlotRange is the first and last slot the rollup holds (ok false: none).
// Two subqueries: SQLite reads one end of the key for a lone min or max, but
// the whole table for both in one select.
func (s *Store) SlotRange() (lo, hi int64, ok bool, err error) {
	var a, b sql.NullInt64
	if err := s.db.QueryRow(`SELECT (SELECT min(slot) FROM rollup), (SELECT max(slot) FROM rollup)`).Scan(&a, &b); err != nil {
		return 0, 0, false, s.classify(err)
	}
	return a.Int64, b.Int64, a.Valid && b.Valid, nil
}

// GroupsIn sums the rollup in the database over intervals of slots: bounds
// b[0] < b[1] < ... cut it into [b[i], b[i+1]), and fn gets each interval's
// totals per user, source, model, speed, geo, tier, long and billed, under the
// key of the interval's first slot (fn may get one key more than once: its
// parts add up). A report cuts at its periods (in its time zone) and at the
// days rates change, so each total is exact at one rate. The whole UTC days of
// an interval are read from the daily rollup and only its ragged edges from
// the 15-minute one, so a few rows a day are read and a few hundred leave the
// database, however long the history.
func (s *Store) GroupsIn(bounds []int64, fn func(aggregate.GroupKey, *aggregate.Sums)) error {
	const perDay = aggregate.SlotsPerDay
	var slots, days []int64 // (piece's first slot, from, to) triples
	for i := 0; i+1 < len(bounds); i++ {
		lo, hi := bounds[i], bounds[i+1]
		// Whole days: [d0, d1). A version 3 store read as it is has no daily rollup.
		d0, d1 := aggregate.DayOfSlot(lo+perDay-1), aggregate.DayOfSlot(hi)
		if d0 >= d1 || s.schema < 4 {
			slots = append(slots, lo, lo, hi)
			continue
		}
		days = append(days, lo, d0, d1)
		if lo < d0*perDay {
			slots = append(slots, lo, lo, d0*perDay)
		}
		if d1*perDay < hi {
			slots = append(slots, lo, d1*perDay, hi)
		}
	}
	if err := s.sumIntervals("rollup", "slot", slots, fn); err != nil {
		return err
	}
	return s.sumIntervals("rollup_day", "day", days, fn)
}

// sumIntervals sums table's rows (col: slot or day) over intervals, given as
// (label, from, to) triples, grouped under each interval's label.
func (s *Store) sumIntervals(table, col string, iv []int64, fn func(aggregate.GroupKey, *aggregate.Sums)) error {
	if len(iv) == 0 {
		return nil
	}
	var vals strings.Builder
	args := make([]any, 0, len(iv)+2)
	lo, hi := iv[1], iv[2]
	for i := 0; i < len(iv); i += 3 {
		if i > 0 {
			vals.WriteString(", ")
		}
		vals.WriteString("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
		args = append(args, iv[i], iv[i+1], iv[i+2])
		lo, hi = min(lo, iv[i+1]), max(hi, iv[i+2])
	}
	// Each interval is a range of the table's key (which starts with col):
	// SQLite's CROSS JOIN keeps the intervals as the outer loop, so only they
	// are read, not the span between them. PostgreSQL plans the join itself,
	// given the whole span as a bound too.
	join, span := "CROSS JOIN", ""
	if s.d.pg {
		join, span = "JOIN", `
WHERE r.`+col+` >= CAST(? AS BIGINT) AND r.`+col+` < CAST(? AS BIGINT)`
		args = append(args, lo, hi)
	}
	q := `WITH b(label, lo, hi) AS (VALUES ` + vals.String() + `)
SELECT b.label, r.user, r.source, r.model, r.speed, r.geo, r.tier, r.long, r.billed,
	sum(r.requests), sum(r.records), sum(r.input), sum(r.output), sum(r.cache_write_5m), sum(r.cache_write_1h), sum(r.cache_read),
	sum(r.web_search), sum(r.web_fetch), sum(r.billed_input), sum(r.billed_output), sum(r.billed_cache_write),
	sum(r.billed_cache_read), sum(r.billed_web_search)
FROM b ` + join + ` ` + table + ` r ON r.` + col + ` >= b.lo AND r.` + col + ` < b.hi` + span + `
GROUP BY b.label, r.user, r.source, r.model, r.speed, r.geo, r.tier, r.long, r.billed`
	return s.scanGroups(q, args, fn)
}

// slotOf is the slot holding t, or for an end bound the first slot after it.
func slotOf(t time.Time, end bool) int64 {
	slot := aggregate.SlotOf(t)
	if end && time.Unix(slot*aggregate.SlotSeconds, 0).Before(t) {
		slot++
	}
	return slot
}

// Notices returns the stored notices with from <= Time < to (zero: no bound),
// ordered by time, user and text.
func (s *Store) Notices(from, to time.Time) ([]usage.Notice, error) {
	where, args := timeRange("time", from, to)
	rows, err := s.db.Query(`SELECT time, user, text FROM notices`+where+` ORDER BY time, user, text`, args...)
	if err != nil {
		return nil, s.classify(err)
	}
	defer rows.Close()
	var out []usage.Notice
	for rows.Next() {
		var ns int64
		var n usage.Notice
		if err := rows.Scan(&ns, &n.User, &n.Text); err != nil {
			return nil, s.classify(err)
		}
		n.Time = time.Unix(0, ns).UTC()
		out = append(out, n)
	}
	return out, s.classify(rows.Err())
}

// FileStates returns where this host's files were left, by path.
func (s *Store) FileStates() (map[string]*scan.FileState, error) {
	m := make(map[string]*scan.FileState)
	rows, err := s.db.Query(`SELECT `+fileColumns+` FROM files WHERE host = ?`, s.host)
	if err == nil {
		err = readFileStates(rows, m)
	}
	return m, s.classify(err)
}

// fileColumns are what readFileStates reads of a files row.
const fileColumns = `path, user, device, inode, size, mtime, offset, lines, head_len, head_sha256`

// readFileStates adds the file states of rows to m, and closes rows.
// EachFileStamp calls fn with the identity, size and mtime of every file
// this host stored: what tells an unchanged file, without the rest of its
// state. path is valid only during the call.
func (s *Store) EachFileStamp(fn func(path []byte, dev, ino uint64, size, mtime int64)) error {
	rows, err := s.db.Query(`SELECT path, device, inode, size, mtime FROM files WHERE host = ?`, s.host)
	if err != nil {
		return s.classify(err)
	}
	defer rows.Close()
	var (
		path                  sql.RawBytes
		dev, ino, size, mtime int64
	)
	for rows.Next() {
		if err := rows.Scan(&path, &dev, &ino, &size, &mtime); err != nil {
			return s.classify(err)
		}
		fn(path, uint64(dev), uint64(ino), size, mtime)
	}
	return s.classify(rows.Err())
}

func readFileStates(rows *sql.Rows, m map[string]*scan.FileState) error {
	defer rows.Close()
	for rows.Next() {
		var f scan.FileState
		var dev, ino int64
		if err := rows.Scan(&f.Path, &f.User, &dev, &ino, &f.Size, &f.Mtime, &f.Offset, &f.Lines, &f.HeadLen, &f.Head); err != nil {
			return err
		}
		f.Dev, f.Ino = uint64(dev), uint64(ino)
		m[f.Path] = &f
	}
	return rows.Err()
}

// Empty reports whether the store holds no record.
func (s *Store) Empty() (bool, error) {
	var empty bool
	err := s.db.QueryRow(`SELECT NOT EXISTS (SELECT 1 FROM requests)`).Scan(&empty)
	return empty, s.classify(err)
}
