package statusline

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Field is one part of the line.
type Field string

// The fields, in the default order.
const (
	FieldPlan     Field = "plan"    // the plan's name: "Max 5x"
	FieldFiveHour Field = "5h"      // the 5-hour window: "5h 42% ~$27 of $65 (resets 16:40)"
	FieldWeek     Field = "week"    // the week: "week 36% $198 of $550"
	FieldToday    Field = "today"   // logged API-equivalent use today: "today $31"
	FieldSession  Field = "session" // Claude Code's own estimate of the session's cost: "session $0.38"
	FieldModel    Field = "model"   // the model's display name: "Opus 4.8"
	FieldResets   Field = "resets"  // when the week resets: "week resets Thu 09:00"
)

// AllFields lists every field; DefaultFields is the line without --fields.
var (
	AllFields     = []Field{FieldPlan, FieldFiveHour, FieldWeek, FieldToday, FieldSession, FieldModel, FieldResets}
	DefaultFields = []Field{FieldPlan, FieldFiveHour, FieldWeek, FieldToday, FieldModel}
)

// ParseFields reads a comma-separated field list such as "plan,5h,week,model".
func ParseFields(s string) ([]Field, error) {
	var out []Field
	for _, part := range strings.Split(s, ",") {
		f := Field(strings.ToLower(strings.TrimSpace(part)))
		switch {
		case f == "":
			continue
		case f == "week-resets":
			f = FieldResets
		}
		known := false
		for _, k := range AllFields {
			known = known || k == f
		}
		if !known {
			names := make([]string, len(AllFields))
			for i, k := range AllFields {
				names[i] = string(k)
			}
			return nil, fmt.Errorf("unknown field %q (known: %s)", part, strings.Join(names, ", "))
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no fields in %q", s)
	}
	return out, nil
}

// Meter is one window's or week's state for the line.
type Meter struct {
	// Pct is the plan meter's percentage; HasPct says Claude Code gave one.
	Pct    float64
	HasPct bool
	// SpendUSD is the logged API-equivalent use in the window or week.
	SpendUSD float64
	// BudgetUSD is the window's or week's budget (0: unknown, or no cap).
	BudgetUSD float64
	// Measured says BudgetUSD was measured from the user's snapshots; else it
	// is the catalogue's default, and the dollars are marked "~".
	Measured bool
	Reset    time.Time // zero: unknown
}

// Line is what the status line shows. Zero and nil parts are left out.
type Line struct {
	Plan           string
	FiveHour, Week *Meter
	TodayUSD       float64
	HasToday       bool
	SessionUSD     float64
	HasSession     bool
	Model          string
	Now            time.Time
	Location       *time.Location // of reset times; nil is UTC
}

// Style chooses the fields and whether to colour.
type Style struct {
	Fields []Field // nil: DefaultFields
	Color  bool    // ANSI colours on the percentages
}

// Separator goes between the fields.
const Separator = " · "

// Render returns the line, without a newline.
func Render(l Line, st Style) string {
	fields := st.Fields
	if fields == nil {
		fields = DefaultFields
	}
	loc := l.Location
	if loc == nil {
		loc = time.UTC
	}
	var parts []string
	for _, f := range fields {
		s := ""
		switch f {
		case FieldPlan:
			s = l.Plan
		case FieldFiveHour:
			s = meterText("5h", l.FiveHour, l.Now, loc, true, st.Color)
		case FieldWeek:
			s = meterText("week", l.Week, l.Now, loc, false, st.Color)
		case FieldToday:
			if l.HasToday {
				s = "today " + Money(l.TodayUSD)
			}
		case FieldSession:
			if l.HasSession {
				s = "session " + Money(l.SessionUSD)
			}
		case FieldModel:
			s = l.Model
		case FieldResets:
			if l.Week != nil && !l.Week.Reset.IsZero() {
				s = "week resets " + clock(l.Week.Reset, l.Now, loc)
			}
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, Separator)
}

// meterText renders "5h 42% ~$27 of $65 (resets 16:40)": the percentage when
// the meter gave one, and with a budget the dollars it stands for (percentage
// × budget; without a percentage, the logged spend), "~" marking a default
// budget.
func meterText(name string, m *Meter, now time.Time, loc *time.Location, reset, color bool) string {
	if m == nil {
		return ""
	}
	parts := []string{name}
	if m.HasPct {
		parts = append(parts, paint(fmt.Sprintf("%s%%", pct(m.Pct)), m.Pct, color))
	}
	if m.BudgetUSD > 0 {
		used := m.SpendUSD
		if m.HasPct {
			used = m.Pct / 100 * m.BudgetUSD
		}
		mark := "~"
		if m.Measured {
			mark = ""
		}
		s := fmt.Sprintf("%s%s of %s", mark, Money(used), Money(m.BudgetUSD))
		if !m.HasPct {
			s = paint(s, 100*used/m.BudgetUSD, color)
		}
		parts = append(parts, s)
	} else if !m.HasPct {
		parts = append(parts, Money(m.SpendUSD))
	}
	if reset && !m.Reset.IsZero() {
		parts = append(parts, "(resets "+clock(m.Reset, now, loc)+")")
	}
	return strings.Join(parts, " ")
}

// pct prints a percentage: whole numbers as such, others to one decimal.
func pct(p float64) string {
	if p == math.Trunc(p) {
		return fmt.Sprintf("%.0f", p)
	}
	return fmt.Sprintf("%.1f", p)
}

// Money prints dollars: cents under $10, whole dollars from $10.
func Money(x float64) string {
	if math.Abs(x) < 10 {
		return fmt.Sprintf("$%.2f", x)
	}
	return fmt.Sprintf("$%.0f", x)
}

// clock prints a reset time: "16:40" within a day of now, "Thu 09:00" after.
func clock(t, now time.Time, loc *time.Location) string {
	l := t.In(loc)
	if !now.IsZero() && t.Sub(now) < 24*time.Hour {
		return l.Format("15:04")
	}
	return l.Format("Mon 15:04")
}

// paint colours s by how full the meter is: green below 70%, yellow below
// 90%, red from 90%.
func paint(s string, p float64, color bool) string {
	if !color {
		return s
	}
	code := "32"
	switch {
	case p >= 90:
		code = "31"
	case p >= 70:
		code = "33"
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Fallback is the line printed when something went wrong: short, and pointing
// at the log. model, when known, is kept on the line.
func Fallback(model string) string {
	s := "usagescan: no usage figures (see statusline.log)"
	if model != "" {
		return model + Separator + s
	}
	return s
}

// ColorWanted decides colour: mode "always", "never" or "auto" (""), where
// auto is a terminal that is not dumb. NO_COLOR (set and not empty) turns
// colour off whatever the mode: https://no-color.org.
func ColorWanted(mode string, terminal bool, getenv func(string) string) (bool, error) {
	if getenv("NO_COLOR") != "" {
		switch mode {
		case "", "auto", "always", "never":
			return false, nil
		}
	}
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "", "auto":
		return terminal && getenv("TERM") != "dumb", nil
	}
	return false, fmt.Errorf("unknown colour mode %q (want auto, always or never)", mode)
}
