package aggregate

import (
	"fmt"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// Grouping is the length of a report period.
type Grouping int

const (
	Month Grouping = iota
	Week           // ISO 8601 weeks, Monday to Sunday, labelled "2026-W23"
	Day
)

// ParseGrouping reads "day", "week" or "month".
func ParseGrouping(s string) (Grouping, error) {
	switch s {
	case "month", "":
		return Month, nil
	case "week":
		return Week, nil
	case "day":
		return Day, nil
	}
	return Month, fmt.Errorf("unknown period %q: want day, week or month", s)
}

func (g Grouping) String() string {
	switch g {
	case Week:
		return "week"
	case Day:
		return "day"
	}
	return "month"
}

// Label names the period that holds t, in t's location: "2026-06" (month),
// "2026-W23" (ISO week) or "2026-06-01" (day). Labels sort in time order.
func (g Grouping) Label(t time.Time) string {
	switch g {
	case Week:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case Day:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01")
}

// Range is a half-open time interval [From, To); a zero bound is open.
type Range struct{ From, To time.Time }

// Bounded reports whether the range has a bound.
func (r Range) Bounded() bool { return !r.From.IsZero() || !r.To.IsZero() }

// Contains reports whether t is in the range.
func (r Range) Contains(t time.Time) bool {
	return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
}

// ParseBound reads a --since or --until date, "YYYY-MM" or "YYYY-MM-DD", in loc.
// Both bounds are inclusive: for until (end == true) it returns the first instant
// after the named month or day.
func ParseBound(s string, loc *time.Location, end bool) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01", s, loc); err == nil {
		if end {
			t = t.AddDate(0, 1, 0)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad date %q: want YYYY-MM or YYYY-MM-DD", s)
}

// Row is the total of the requests of one period, user, model and source.
type Row struct {
	Period string
	User   string
	Model  string
	Source string
	usage.Tokens
	WebSearch int64
	WebFetch  int64
	Requests  int64
}

// AddRequest adds one request to the row's totals.
func (row *Row) AddRequest(r *usage.Request) {
	row.Tokens.Add(r.Tokens)
	row.WebSearch = usage.AddCount(row.WebSearch, int64(r.WebSearch))
	row.WebFetch = usage.AddCount(row.WebFetch, int64(r.WebFetch))
	row.Requests = usage.AddCount(row.Requests, int64(r.Count))
}

// AddRow adds another row's totals.
func (row *Row) AddRow(o *Row) {
	row.Tokens.Add(o.Tokens)
	row.WebSearch = usage.AddCount(row.WebSearch, o.WebSearch)
	row.WebFetch = usage.AddCount(row.WebFetch, o.WebFetch)
	row.Requests = usage.AddCount(row.Requests, o.Requests)
}
