package store

import (
	"errors"
	"time"
)

// Snapshot is one reading of a subscription's meter, as Claude Code hands it
// to its status-line command (rate_limits): the 5-hour window's and the
// week's used percentage and reset time, taken at Time by User.
type Snapshot struct {
	Time    time.Time // when the reading was taken
	User    string
	Session string
	Model   string
	// The 5-hour window's percentage (0-100) and reset time (zero: not
	// given); HasFiveHour says the window was read at all.
	FiveHourPct   float64
	FiveHourReset time.Time
	HasFiveHour   bool
	// The week's, likewise.
	WeekPct   float64
	WeekReset time.Time
	HasWeek   bool
}

// In the snapshots table a meter that was not read has percentage -1, and a
// reset time that was not given is 0. Reset times are unix seconds (a reading
// is the same reading whatever the fraction of a second), times unix
// nanoseconds as elsewhere.
const noPct = -1.0

func snapshotRow(s *Snapshot) (fiveReset int64, fivePct float64, weekReset int64, weekPct float64) {
	fivePct, weekPct = noPct, noPct
	if s.HasFiveHour {
		fivePct, fiveReset = s.FiveHourPct, unixSeconds(s.FiveHourReset)
	}
	if s.HasWeek {
		weekPct, weekReset = s.WeekPct, unixSeconds(s.WeekReset)
	}
	return
}

func unixSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnixSeconds(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// RecordSnapshot stores a meter reading. A repeat (the same user, percentages
// and reset times as a stored reading, whatever its time, session or model) is
// kept once, the first: added is false then. A snapshot with neither meter
// read is not stored.
func (s *Store) RecordSnapshot(snap Snapshot) (added bool, err error) {
	if s.readOnly {
		return false, errors.New("store opened read-only")
	}
	if !snap.HasFiveHour && !snap.HasWeek {
		return false, nil
	}
	fr, fp, wr, wp := snapshotRow(&snap)
	res, err := s.db.Exec(`INSERT INTO snapshots (user, five_hour_reset, five_hour_pct, week_reset, week_pct, time, session, model)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		snap.User, fr, fp, wr, wp, snap.Time.UnixNano(), snap.Session, snap.Model)
	if err != nil {
		return false, s.classify(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, s.classify(err)
	}
	return n > 0, nil
}

// Snapshots returns the stored readings of user ("": of every user) taken at
// or after since (zero: all), in time order (then by user).
func (s *Store) Snapshots(user string, since time.Time) ([]Snapshot, error) {
	q := `SELECT user, five_hour_reset, five_hour_pct, week_reset, week_pct, time, session, model FROM snapshots WHERE 1 = 1`
	var args []any
	if user != "" {
		q += ` AND user = ?`
		args = append(args, user)
	}
	if !since.IsZero() {
		q += ` AND time >= ?`
		args = append(args, nanos(since))
	}
	rows, err := s.db.Query(q+` ORDER BY time, user, five_hour_reset, five_hour_pct, week_reset, week_pct`, args...)
	if err != nil {
		return nil, s.classify(err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		var (
			sn         Snapshot
			fr, wr, ns int64
			fp, wp     float64
		)
		if err := rows.Scan(&sn.User, &fr, &fp, &wr, &wp, &ns, &sn.Session, &sn.Model); err != nil {
			return nil, s.classify(err)
		}
		sn.Time = time.Unix(0, ns).UTC()
		if fp >= 0 {
			sn.FiveHourPct, sn.FiveHourReset, sn.HasFiveHour = fp, fromUnixSeconds(fr), true
		}
		if wp >= 0 {
			sn.WeekPct, sn.WeekReset, sn.HasWeek = wp, fromUnixSeconds(wr), true
		}
		out = append(out, sn)
	}
	return out, s.classify(rows.Err())
}

// SetMeta stores value under key in the meta table, replacing any value.
func (s *Store) SetMeta(key, value string) error {
	if s.readOnly {
		return errors.New("store opened read-only")
	}
	_, err := s.db.Exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return s.classify(err)
}
