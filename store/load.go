package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// Requests calls fn with every stored request, in key order. The Request is
// reused between calls: copy it to keep it. Keyless records come back under
// their stored key (see Key). An error from fn stops the walk and is returned.
func (s *Store) Requests(fn func(*usage.Request) error) error {
	return s.requests(` ORDER BY key`, nil, fn)
}

// RequestsBetween is Requests for the requests with from <= Time < to, in key
// order; a zero from or to is no bound.
func (s *Store) RequestsBetween(from, to time.Time, fn func(*usage.Request) error) error {
	where, args := ` WHERE 1`, []driver.Value{}
	if !from.IsZero() {
		where += ` AND time >= ?`
		args = append(args, formatTime(from))
	}
	if !to.IsZero() {
		where += ` AND time < ?`
		args = append(args, formatTime(to))
	}
	return s.requests(where+` ORDER BY key`, args, fn)
}

// requests runs the query on the driver's connection directly: database/sql's
// conversions cost as much as SQLite's own work on a row of 26 columns.
func (s *Store) requests(where string, args []driver.Value, fn func(*usage.Request) error) error {
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.classify(err)
	}
	defer conn.Close()
	var fnErr error
	err = conn.Raw(func(dc any) error {
		st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, `SELECT `+requestColumns+` FROM requests`+where)
		if err != nil {
			return err
		}
		defer st.Close()
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, named)
		if err != nil {
			return err
		}
		defer rows.Close()
		strs := make(map[string]string) // one copy of each repeated string, as the parser does
		intern := func(v driver.Value) string {
			str, _ := v.(string)
			if s, ok := strs[str]; ok {
				return s
			}
			strs[str] = str
			return str
		}
		num := func(v driver.Value) int64 { n, _ := v.(int64); return n }
		var r usage.Request
		dest := make([]driver.Value, requestFields)
		for {
			if err := rows.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			key, _ := dest[0].(string)
			ts, _ := dest[1].(string)
			t, err := parseTime(ts)
			if err != nil {
				return corruptError(s.path, fmt.Sprintf("request %s: bad time %q", key, ts))
			}
			r.Key, r.Time = key, t
			r.User, r.Source, r.Model = intern(dest[2]), intern(dest[3]), intern(dest[4])
			r.Input, r.Output, r.CacheWrite5m = num(dest[5]), num(dest[6]), num(dest[7])
			r.CacheWrite1h, r.CacheRead = num(dest[8]), num(dest[9])
			r.WebSearch, r.WebFetch = int32(num(dest[10])), int32(num(dest[11]))
			r.Sidechain = num(dest[12]) != 0
			r.SessionID, r.Cwd, r.Entrypoint = intern(dest[13]), intern(dest[14]), intern(dest[15])
			r.Speed, r.Geo, r.Tier = intern(dest[16]), intern(dest[17]), intern(dest[18])
			r.Count, r.Context = int32(num(dest[19])), usage.Context(num(dest[20]))
			r.Billed = nil
			if dest[21] != nil || dest[22] != nil || dest[23] != nil || dest[24] != nil || dest[25] != nil {
				f := func(v driver.Value) float64 {
					switch x := v.(type) {
					case float64:
						return x
					case int64:
						return float64(x)
					}
					return 0
				}
				r.Billed = &usage.Money{Input: f(dest[21]), Output: f(dest[22]), CacheWrite: f(dest[23]),
					CacheRead: f(dest[24]), WebSearch: f(dest[25])}
			}
			if fnErr = fn(&r); fnErr != nil {
				return fnErr
			}
		}
	})
	if fnErr != nil && errors.Is(err, fnErr) {
		return fnErr
	}
	return s.classify(err)
}

// Notices returns the stored notices ordered by time, user and text.
func (s *Store) Notices() ([]usage.Notice, error) {
	rows, err := s.db.Query(`SELECT time, user, text FROM notices ORDER BY time, user, text`)
	if err != nil {
		return nil, s.classify(err)
	}
	defer rows.Close()
	var out []usage.Notice
	for rows.Next() {
		var ts string
		var n usage.Notice
		if err := rows.Scan(&ts, &n.User, &n.Text); err != nil {
			return nil, s.classify(err)
		}
		if n.Time, err = parseTime(ts); err != nil {
			return nil, corruptError(s.path, fmt.Sprintf("notice: bad time %q", ts))
		}
		out = append(out, n)
	}
	return out, s.classify(rows.Err())
}

// Load returns every stored request ordered by time then key (as Requests) and
// every notice (as Notices).
func (s *Store) Load() ([]usage.Request, []usage.Notice, error) {
	var reqs []usage.Request
	if err := s.Requests(func(r *usage.Request) error {
		reqs = append(reqs, *r)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// Sorted here: SQLite would walk the time index and look up every row.
	sort.Slice(reqs, func(i, j int) bool {
		a, b := &reqs[i], &reqs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.Key < b.Key
	})
	notices, err := s.Notices()
	if err != nil {
		return nil, nil, err
	}
	return reqs, notices, nil
}
