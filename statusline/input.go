// Package statusline is usagescan's side of Claude Code's status line: it reads
// the JSON document Claude Code pipes to the status-line command, keeps the
// plan meter's readings (rate_limits) as snapshots, and renders one line of
// what the current 5-hour window, week and day used, against budgets measured
// from those snapshots (package measure) or the catalogue's defaults.
//
// Everything here is tolerant: every field of the input is optional, numbers
// may come as text, and an error never reaches the status line (the command
// prints Fallback and writes the reason to the log, see AppendLog).
package statusline

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/usagescan/usagescan/measure"
)

// Input is what Claude Code passed on stdin; every field may be missing.
type Input struct {
	SessionID      string
	TranscriptPath string
	Cwd            string
	Version        string
	ModelID        string
	ModelName      string // display_name, e.g. "Opus 4.8"
	// SessionCostUSD is Claude Code's own estimate of the session's cost
	// (cost.total_cost_usd); HasSessionCost says it was there.
	SessionCostUSD float64
	HasSessionCost bool
	// FiveHour and Week are rate_limits.five_hour and .seven_day: nil when
	// absent (API users, older versions, before the session's first response).
	FiveHour, Week *Limit
	// Other holds further windows beside those two (a model-specific week),
	// by key.
	Other map[string]Limit
}

// Limit is one meter of the plan: UsedPct percent (0-100, may be fractional)
// of a window or week that resets at ResetsAt (zero when not given).
type Limit struct {
	UsedPct  float64
	ResetsAt time.Time
}

// ErrNotJSON is returned by Parse for input that is not a JSON object.
var ErrNotJSON = errors.New("status-line input is not a JSON object")

// Parse reads the status-line JSON. It fails only when data is not a JSON
// object; fields of the wrong type are taken as missing.
func Parse(data []byte) (*Input, error) {
	if !gjson.ValidBytes(data) {
		return nil, ErrNotJSON
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		return nil, ErrNotJSON
	}
	in := &Input{
		SessionID:      str(root.Get("session_id")),
		TranscriptPath: str(root.Get("transcript_path")),
		Cwd:            str(root.Get("cwd")),
		Version:        str(root.Get("version")),
		ModelID:        str(root.Get("model.id")),
		ModelName:      str(root.Get("model.display_name")),
	}
	if in.Cwd == "" {
		in.Cwd = str(root.Get("workspace.current_dir"))
	}
	if root.Get("model").Type == gjson.String { // a bare model name
		in.ModelID = root.Get("model").Str
	}
	if in.SessionCostUSD, in.HasSessionCost = num(root.Get("cost.total_cost_usd")); in.SessionCostUSD < 0 {
		in.SessionCostUSD, in.HasSessionCost = 0, false
	}
	rl := root.Get("rate_limits")
	if rl.IsObject() {
		rl.ForEach(func(k, v gjson.Result) bool {
			l, ok := limit(v)
			if !ok {
				return true
			}
			switch k.String() {
			case "five_hour":
				in.FiveHour = &l
			case "seven_day":
				in.Week = &l
			default:
				if in.Other == nil {
					in.Other = map[string]Limit{}
				}
				in.Other[k.String()] = l
			}
			return true
		})
	}
	return in, nil
}

// Model is the model's display name, else its id.
func (in *Input) Model() string {
	if in.ModelName != "" {
		return in.ModelName
	}
	return in.ModelID
}

func str(r gjson.Result) string {
	if r.Type != gjson.String {
		return ""
	}
	return strings.TrimSpace(r.Str)
}

// num reads a number, or a number written as text.
func num(r gjson.Result) (float64, bool) {
	switch r.Type {
	case gjson.Number:
		return r.Num, !math.IsNaN(r.Num) && !math.IsInf(r.Num, 0)
	case gjson.String:
		f, err := strconv.ParseFloat(strings.TrimSpace(r.Str), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// limit reads one rate_limits entry; false without a usable used_percentage.
func limit(v gjson.Result) (Limit, bool) {
	if !v.IsObject() {
		return Limit{}, false
	}
	pct, ok := num(v.Get("used_percentage"))
	if !ok || pct < 0 {
		return Limit{}, false
	}
	return Limit{UsedPct: pct, ResetsAt: ParseTime(v.Get("resets_at"))}, true
}

// ParseTime reads a reset time: unix seconds (milliseconds when larger than
// 10^11), as a number or as text, or ISO 8601 text (RFC 3339, with or without
// fractional seconds; without a zone it is UTC). Anything else is the zero time.
func ParseTime(v gjson.Result) time.Time {
	var f float64
	switch v.Type {
	case gjson.Number:
		f = v.Num
	case gjson.String:
		s := strings.TrimSpace(v.Str)
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			f = x
			break
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC()
			}
		}
		return time.Time{}
	default:
		return time.Time{}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		return time.Time{}
	}
	if f > 1e11 {
		f /= 1000
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
}

// Snapshot is one reading of the plan's meter, as the store keeps it.
type Snapshot struct {
	Time    time.Time // when the status line ran
	User    string
	Session string
	Model   string // model id
	// The 5-hour window's percentage and reset; HasFiveHour says they were given.
	FiveHourPct   float64
	FiveHourReset time.Time
	HasFiveHour   bool
	// The week's (rate_limits.seven_day), likewise.
	WeekPct   float64
	WeekReset time.Time
	HasWeek   bool
}

// Snapshot returns the meter reading in the input, taken at now by user;
// false when the input has no rate_limits (normal for API users).
func (in *Input) Snapshot(now time.Time, user string) (Snapshot, bool) {
	if in.FiveHour == nil && in.Week == nil {
		return Snapshot{}, false
	}
	s := Snapshot{Time: now, User: user, Session: in.SessionID, Model: in.ModelID}
	if l := in.FiveHour; l != nil {
		s.FiveHourPct, s.FiveHourReset, s.HasFiveHour = l.UsedPct, l.ResetsAt, true
	}
	if l := in.Week; l != nil {
		s.WeekPct, s.WeekReset, s.HasWeek = l.UsedPct, l.ResetsAt, true
	}
	return s, true
}

// readingKey is what makes a snapshot a repeat: the same user and the same
// readings (reset times to the second); time, session and model do not count.
type readingKey struct {
	user   string
	h5, hw bool
	p5, pw float64
	r5, rw int64
}

func (s *Snapshot) key() readingKey {
	k := readingKey{user: s.User, h5: s.HasFiveHour, hw: s.HasWeek}
	if s.HasFiveHour {
		k.p5, k.r5 = s.FiveHourPct, unix(s.FiveHourReset)
	}
	if s.HasWeek {
		k.pw, k.rw = s.WeekPct, unix(s.WeekReset)
	}
	return k
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// SameReading reports whether s and o are the same reading of the same
// user's meter: a repeat, kept once.
func (s Snapshot) SameReading(o Snapshot) bool { return s.key() == o.key() }

// Dedupe returns the snapshots in time order, each reading once (the first).
func Dedupe(snaps []Snapshot) []Snapshot {
	out := make([]Snapshot, 0, len(snaps))
	out = append(out, snaps...)
	sortByTime(out)
	seen := map[readingKey]bool{}
	k := 0
	for _, s := range out {
		if seen[s.key()] {
			continue
		}
		seen[s.key()] = true
		out[k] = s
		k++
	}
	return out[:k]
}

// Readings splits snapshots into the two meters' readings for package measure.
func Readings(snaps []Snapshot) (fiveHour, week []measure.Reading) {
	for _, s := range snaps {
		if s.HasFiveHour {
			fiveHour = append(fiveHour, measure.Reading{Time: s.Time, Pct: s.FiveHourPct, Reset: s.FiveHourReset})
		}
		if s.HasWeek {
			week = append(week, measure.Reading{Time: s.Time, Pct: s.WeekPct, Reset: s.WeekReset})
		}
	}
	return fiveHour, week
}
