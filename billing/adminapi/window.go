package adminapi

import "time"

// FirstPullDays is how many days a first pull (no --since, nothing pulled
// before) reaches back.
const FirstPullDays = 30

// Refetch is how many complete days before the last pull's end are fetched
// again: the API revises recent buckets, and the newer copy replaces the older.
const Refetch = 2

const day = 24 * time.Hour

// Window is the range of a pull. since and until (zero: not given) win; else
// it runs to now, from Refetch days before the day after lastComplete (the
// last complete day of the previous pull; zero: none), so those days are
// fetched again, or for a first pull from FirstPullDays days before today.
// All in UTC days.
func Window(since, until, lastComplete, now time.Time) (from, to time.Time) {
	to = until
	if to.IsZero() {
		to = now
	}
	from = since
	switch {
	case !from.IsZero():
	case !lastComplete.IsZero():
		from = utcDay(lastComplete).Add(-(Refetch - 1) * day)
	default:
		from = utcDay(now).Add(-FirstPullDays * day)
	}
	return from, to
}

// LastComplete is the last UTC day (its midnight) that a pull of [from, to)
// made at now got whole: the day before the one min(to, now) falls in. It is
// zero when no whole day is in the range. Remember it for the next Window.
func LastComplete(from, to, now time.Time) time.Time {
	end := to
	if now.Before(end) {
		end = now
	}
	d := utcDay(end).Add(-day) // d+24h <= end, and no later day ends by end
	if d.Before(utcDay(from)) {
		return time.Time{}
	}
	return d
}

func utcDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
