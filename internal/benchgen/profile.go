package benchgen

import (
	"fmt"
	"sort"
	"time"
)

// Profile shapes a tree: how large its lines are, how many responses a file holds and
// how sessions split into files. Realistic, Lean and Legacy are the named profiles;
// callers may start from one and change fields. Every field only changes sizes and
// rates, never the counting rule: the truth stays exact for any profile.
type Profile struct {
	Name string `json:"name"`
	// Start and End are the default time span (UTC), used when Config leaves it zero.
	Start, End time.Time `json:"-"`
	// BytesPerRequest is about how many bytes of log one unique response costs; it sizes
	// a tree asked for by Config.Requests alone.
	BytesPerRequest int64 `json:"-"`
	// MaxSession caps the byte budget of a main session (log-uniform from MaxSession/40
	// up to it; a subagent gets MaxSession/100 to MaxSession/4). It is also limited to
	// an eighth of the tree, so small trees still hold many files.
	MaxSession int64 `json:"-"`
	// MaxResult caps one tool result (also limited to a fortieth of the tree).
	MaxResult int `json:"-"`
	// ResultScale multiplies the sizes of tool results, images and bash progress output.
	ResultScale float64 `json:"-"`
	// TextScale multiplies the sizes of thinking, text, prompts and Edit/Write/Task inputs.
	TextScale float64 `json:"-"`
	// ThinkingRate is the chance a (non-Haiku) response starts with a thinking block.
	ThinkingRate float64 `json:"-"`
	// TaskRate is the chance a tool call of a main session is a Task (a subagent).
	TaskRate float64 `json:"-"`
	// MaxSubagent, when above zero, caps a subagent's byte budget below MaxSession/4.
	MaxSubagent int64 `json:"-"`
	// VersionWeights, when it has one weight per entry of the generator's Claude Code
	// version list (2.1.x, 2.0.x, 1.0.x; see versions in session.go), draws versions
	// by weight; else uniformly. Versions differ in line shape and file layout.
	VersionWeights []int `json:"-"`
	// ServerToolRate is the chance a 2.x session's usage carries server_tool_use.
	ServerToolRate float64 `json:"-"`
	// MaxResponses is the most responses in one turn (uniform from 1).
	MaxResponses int `json:"-"`
	// ToolRate, when above zero, is the chance a response within a turn calls tools;
	// a response without tools then does not end the turn (lean trees chain responses
	// with few tool results). Zero: every response but the last calls 1 to 3 tools.
	ToolRate float64 `json:"-"`
}

// Realistic is the default profile: about one unique response per 9 KB as in real
// logs (several streamed assistant lines per response, tool results of a few KB with a
// long tail), sessions of up to a few MB with subagent files, eleven months of history.
func Realistic() Profile {
	return Profile{
		Name:            "realistic",
		Start:           time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC),
		End:             time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		BytesPerRequest: 9000,
		MaxSession:      1200 << 10,
		MaxSubagent:     160 << 10,
		MaxResult:       600 << 10,
		ResultScale:     0.08,
		TextScale:       0.3,
		ThinkingRate:    0.55,
		TaskRate:        0.06,
		ServerToolRate:  0.7,
		MaxResponses:    10,
	}
}

// Lean is about one unique response per KB: short lines, tiny prompts, few tool
// results, many responses per turn. It measures memory per request (1M requests in
// about 1 GB). Twelve months of history.
func Lean() Profile {
	return Profile{
		Name:            "lean",
		Start:           time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC),
		End:             time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		BytesPerRequest: 950,
		MaxSession:      1500 << 10,
		MaxResult:       16 << 10,
		ResultScale:     0.02,
		TextScale:       0.01,
		ThinkingRate:    0.03,
		TaskRate:        0.01,
		// Mostly 2.0.x, whose lines are shorter: {2.1.x x6, 2.0.x x3, 1.0.x x2}.
		VersionWeights: []int{1, 1, 1, 1, 1, 1, 8, 8, 8, 2, 2},
		ServerToolRate: 0.1,
		MaxResponses:   30,
		ToolRate:       0.04,
	}
}

// Legacy is the shape of the first generator (kept for comparison with earlier
// measurements; the same seed and size give the same bytes as before): one unique
// response per ~58 KB, most bytes in large tool results, few large files, four months.
func Legacy() Profile {
	return Profile{
		Name:            "legacy",
		Start:           time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		End:             time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
		BytesPerRequest: 58000,
		MaxSession:      150 << 20,
		MaxResult:       3 << 20,
		ResultScale:     1,
		TextScale:       1,
		ThinkingRate:    0.55,
		TaskRate:        0.06,
		ServerToolRate:  0.7,
		MaxResponses:    10,
	}
}

var profiles = map[string]func() Profile{"realistic": Realistic, "lean": Lean, "legacy": Legacy}

// ProfileNames lists the named profiles.
func ProfileNames() []string {
	var names []string
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ProfileByName returns the named profile.
func ProfileByName(name string) (Profile, error) {
	f := profiles[name]
	if f == nil {
		return Profile{}, fmt.Errorf("benchgen: unknown profile %q (want one of %v)", name, ProfileNames())
	}
	return f(), nil
}

// scaled draws log-uniformly in [lo, hi] times scale (at least min).
func (g *gen) scaled(lo, hi int, scale float64, min int) int {
	if scale == 1 {
		return g.logUniform(lo, hi)
	}
	return g.logUniform(max(min, int(float64(lo)*scale)), max(min, int(float64(hi)*scale)))
}
