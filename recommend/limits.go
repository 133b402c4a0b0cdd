package recommend

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// Kind is the kind of a limit message.
type Kind string

const (
	KindSession    Kind = "session"     // the 5-hour session window
	KindWeekly     Kind = "weekly"      // the all-models weekly limit
	KindLimit      Kind = "limit"       // a plan limit of unstated kind ("You've hit your limit")
	KindModel      Kind = "model"       // one model's cap (Opus, Sonnet, Fable)
	KindSpend      Kind = "spend"       // a monthly spend limit, the user's or the org's
	KindExtraUsage Kind = "extra-usage" // out of extra usage (the credits beyond the plan)
	KindFallback   Kind = "fallback"    // "Claude Opus limit reached, now using Sonnet 4": work went on
	KindServer     Kind = "server"      // server-side throttling, "not your usage limit"
)

// Stop reports whether a message of kind k means the user was stopped by a limit
// of their plan or account: every kind but KindFallback and KindServer.
func (k Kind) Stop() bool { return k != KindFallback && k != KindServer && k != "" }

// Hit is one limit message Claude Code wrote into a log.
type Hit struct {
	Time time.Time `json:"time"`
	User string    `json:"user,omitempty"`
	Kind Kind      `json:"kind"`
	// Model is the model a KindModel or KindFallback limit is about: "Opus", "Sonnet", "Fable".
	Model string `json:"model,omitempty"`
	// Org is set for an organisation's spend limit.
	Org bool `json:"org,omitempty"`
	// Reset is when the limit resets, if the message says; zero otherwise.
	Reset time.Time `json:"reset,omitzero"`
	// Zone is the time zone the message named for the reset, if any.
	Zone string `json:"zone,omitempty"`
	Text string `json:"text"`
}

// separators Claude Code has put between a limit and its reset time.
var separators = []string{" · ", " ∙ ", " • ", " - ", " | "}

var (
	reHead     = regexp.MustCompile(`^(?:claude )?(?:(opus|sonnet|fable|mythos|haiku) )?(5-hour|session|weekly|daily)? ?limit reached`)
	reHitYour  = regexp.MustCompile(`^you've (?:hit|reached) your (?:(.+?) )?limit`)
	reClock    = regexp.MustCompile(`^(?:([a-z]{3,9})\.? +(\d{1,2})(?:st|nd|rd|th)?(?:,? +at +|, *| +))?(\d{1,2})(?::(\d{2}))? *([ap])?\.?m?\.?$`)
	modelNames = map[string]string{"opus": "Opus", "sonnet": "Sonnet", "fable": "Fable", "mythos": "Mythos", "haiku": "Haiku"}
)

// ParseLimit reads the text of a <synthetic> log line written at time at. It
// returns false for text that is not a limit message. Every form in the reference
// is understood, from "Claude AI usage limit reached|1753405200" (2025) through
// "5-hour limit reached ∙ resets 12pm", "You've hit your weekly limit · resets
// Jun 7, 4pm (Europe/Rome)" and "You've reached your Fable limit. Your Fable
// limit resets at 9am (America/Chicago)." to the " · progress saved" suffix.
//
// A reset time is resolved relative to at: a bare clock time is its next
// occurrence at or after at, a month and day without a year the nearest such day
// not more than a day before at. The zone named in parentheses is used; without
// one, loc (nil: UTC), the zone the message was presumably shown in.
func ParseLimit(text string, at time.Time, loc *time.Location) (Hit, bool) {
	h := Hit{Time: at, Text: text}
	line := strings.TrimSpace(text)
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	// No-break spaces (U+00A0; U+202F, which date formatting puts before "pm")
	// are spaces. Escapes, not the characters: the pair here used to read
	// " ", " ", a plain space for a plain space.
	line = strings.NewReplacer("’", "'", "‘", "'", "\u00a0", " ", "\u202f", " ").Replace(line)
	lower := strings.ToLower(line)

	// 2025: "Claude AI usage limit reached|<unix seconds>".
	if strings.HasPrefix(lower, "claude ai usage limit reached") {
		h.Kind = KindLimit
		if _, after, ok := strings.Cut(line, "|"); ok {
			if sec, err := strconv.ParseInt(strings.TrimSpace(after), 10, 64); err == nil && sec > 0 {
				h.Reset = time.Unix(sec, 0).UTC()
			}
		}
		return h, true
	}
	if strings.HasPrefix(lower, "server is temporarily limiting requests") {
		h.Kind = KindServer
		return h, true
	}

	head := lower
	for _, sep := range separators {
		if i := strings.Index(head, sep); i >= 0 {
			head = head[:i]
		}
	}
	if i := strings.Index(head, ". "); i >= 0 { // "You've reached your Fable limit. Your ..."
		head = head[:i]
	}
	head = strings.TrimRight(strings.TrimSpace(head), ".!")

	switch {
	case strings.Contains(head, "now using"):
		// "Claude Opus limit reached, now using Sonnet 4"
		h.Kind = KindFallback
		for k, name := range modelNames {
			if strings.HasPrefix(strings.TrimPrefix(head, "claude "), k+" ") {
				h.Model = name
			}
		}
		return h, true
	case strings.HasPrefix(head, "you're out of extra usage"), strings.HasPrefix(head, "you are out of extra usage"):
		h.Kind = KindExtraUsage
	case strings.Contains(head, "spend limit"):
		h.Kind = KindSpend
		h.Org = strings.Contains(head, "org's") || strings.Contains(head, "organization") || strings.Contains(head, "organisation")
	default:
		if m := reHead.FindStringSubmatch(head); m != nil {
			h.Kind, h.Model = limitKind(m[1], m[2])
		} else if m := reHitYour.FindStringSubmatch(head); m != nil {
			words := strings.Fields(m[1])
			model, scope := "", ""
			for _, w := range words {
				if _, ok := modelNames[w]; ok {
					model = w
				} else {
					scope = w
				}
			}
			h.Kind, h.Model = limitKind(model, scope)
		} else {
			return Hit{}, false
		}
	}
	h.Reset, h.Zone = parseReset(line, at, loc)
	return h, true
}

// limitKind maps the words of a limit's name to its kind.
func limitKind(model, scope string) (Kind, string) {
	if model != "" {
		return KindModel, modelNames[model]
	}
	switch scope {
	case "5-hour", "session", "daily", "5-hour session":
		return KindSession, ""
	case "weekly", "week's", "weekly usage":
		return KindWeekly, ""
	}
	return KindLimit, ""
}

// parseReset finds "resets [at] WHEN [(Zone)]" in line and resolves WHEN.
func parseReset(line string, at time.Time, loc *time.Location) (time.Time, string) {
	lower := strings.ToLower(line)
	i := strings.LastIndex(lower, "resets")
	if i < 0 {
		return time.Time{}, ""
	}
	rest := strings.TrimSpace(line[i+len("resets"):])
	for _, sep := range separators {
		if j := strings.Index(rest, strings.TrimSpace(sep)+" "); j > 0 {
			rest = rest[:j]
		}
	}
	zone := ""
	if j := strings.IndexByte(rest, '('); j >= 0 {
		if k := strings.IndexByte(rest[j:], ')'); k > 0 {
			zone = strings.TrimSpace(rest[j+1 : j+k])
		}
		rest = rest[:j]
	}
	rest = strings.ToLower(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(rest), ".")))
	rest = strings.TrimPrefix(rest, "at ")
	rest = strings.TrimPrefix(rest, "on ")
	if loc == nil {
		loc = time.UTC
	}
	if zone != "" {
		if z, err := time.LoadLocation(zone); err == nil {
			loc = z
		}
	}
	m := reClock.FindStringSubmatch(rest)
	if m == nil {
		return time.Time{}, zone
	}
	hour, _ := strconv.Atoi(m[3])
	minute := 0
	if m[4] != "" {
		minute, _ = strconv.Atoi(m[4])
	}
	switch m[5] {
	case "a":
		if hour == 12 {
			hour = 0
		}
	case "p":
		if hour < 12 {
			hour += 12
		}
	}
	if hour > 23 || minute > 59 {
		return time.Time{}, zone
	}
	now := at.In(loc)
	if m[1] == "" {
		t := time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, loc)
		if t.Before(at) {
			t = time.Date(now.Year(), now.Month(), now.Day()+1, hour, minute, 0, 0, loc)
		}
		return t, zone
	}
	month := monthNumber(m[1])
	day, _ := strconv.Atoi(m[2])
	if month == 0 || day < 1 || day > 31 {
		return time.Time{}, zone
	}
	t := time.Date(now.Year(), month, day, hour, minute, 0, 0, loc)
	if t.Before(at.Add(-24 * time.Hour)) {
		t = time.Date(now.Year()+1, month, day, hour, minute, 0, 0, loc)
	}
	return t, zone
}

func monthNumber(s string) time.Month {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) || (s == "sept" && m == time.September) {
			return m
		}
	}
	return 0
}

// LimitHits parses the notices (any order) and returns their limit messages in
// time order, each limit once: Claude Code repeats the message on every attempt
// until the reset, so messages of one user with the same kind, model and reset
// time are one hit, and so are messages without a reset time less than an hour
// after the previous one of the same kind. Fallback and server messages are kept
// (Kind.Stop tells them apart).
func LimitHits(notices []usage.Notice, loc *time.Location) []Hit {
	var hits []Hit
	for _, n := range notices {
		if h, ok := ParseLimit(n.Text, n.Time, loc); ok {
			h.User = n.User
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int { return a.Time.Compare(b.Time) })
	type key struct {
		user  string
		kind  Kind
		model string
		reset int64
	}
	last := map[key]time.Time{}
	out := hits[:0]
	for _, h := range hits {
		k := key{h.User, h.Kind, h.Model, 0}
		if !h.Reset.IsZero() {
			k.reset = h.Reset.Unix()
		}
		prev, seen := last[k]
		last[k] = h.Time
		if seen && (!h.Reset.IsZero() || h.Time.Sub(prev) < time.Hour) {
			continue
		}
		out = append(out, h)
	}
	return out
}
