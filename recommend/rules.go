package recommend

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/usagescan/usagescan/internal/jsonfile"
)

// Rule is one dated rule of the catalogue: from its date (the first rule of a
// list without a date also before it) until the next rule of its list. Only the
// field of its list's kind is set.
type Rule struct {
	From string `json:"from,omitempty"` // UTC day, YYYY-MM-DD
	// Factor multiplies every weekly budget (and the model caps, shares of it)
	// of a week that starts while the rule is in force (week_factor).
	Factor float64 `json:"factor,omitempty"`
	// Round is how a 5-hour window's start is set from its first request:
	// "hour" (rounded down to the hour) or "minute" (to the minute) (window_start).
	Round string `json:"round,omitempty"`
	// Threshold is the prompt input (input + cache writes + cache reads) above
	// which a request uses the 1M window: extra usage on a subscription (long_context).
	Threshold int64 `json:"threshold,omitempty"`
	// Seats is the fewest seats a team pays for (team_min_seats).
	Seats int `json:"seats,omitempty"`
	// Mark is where the rule comes from: "V" (Anthropic's own page or mail),
	// "3P" (third parties), or both ("V/3P").
	Mark   string `json:"mark,omitempty"`
	Source string `json:"source,omitempty"`

	from time.Time
}

// Rules are the catalogue's dated rules, each list in date order. A file given
// with --plans replaces the lists it names.
type Rules struct {
	WeekFactor   []Rule `json:"week_factor,omitempty"`
	WindowStart  []Rule `json:"window_start,omitempty"`
	LongContext  []Rule `json:"long_context,omitempty"`
	TeamMinSeats []Rule `json:"team_min_seats,omitempty"`
}

// PlanName is a plan's name from a date on.
type PlanName struct {
	From   string `json:"from"`
	Name   string `json:"name"`
	Mark   string `json:"mark,omitempty"`
	Source string `json:"source,omitempty"`

	from time.Time
}

// ModelCap is a weekly cap on one model family inside the week, as a share of
// the plan's weekly budget (after the week factor). A share of 0 means the
// family is extra usage only. It applies to the weeks that start in [From, Until).
type ModelCap struct {
	// Model is the family: a word of the model id ("opus", "sonnet", "fable").
	Model  string  `json:"model"`
	From   string  `json:"from,omitempty"`
	Until  string  `json:"until,omitempty"`
	Share  float64 `json:"share"`
	Mark   string  `json:"mark,omitempty"`
	Source string  `json:"source,omitempty"`

	from, until time.Time
}

// Rules returns the catalogue's dated rules.
func (c *Catalog) Rules() Rules { return c.rules }

// at returns the rule of list rs in force at t, or nil.
func ruleAt(rs []Rule, t time.Time) *Rule {
	var r *Rule
	for i := range rs {
		if rs[i].From != "" && t.Before(rs[i].from) {
			break
		}
		r = &rs[i]
	}
	return r
}

// WeekFactorAt is the multiplier of the weekly budgets of a week starting at t
// (1 when no rule is in force).
func (r Rules) WeekFactorAt(t time.Time) float64 {
	if x := ruleAt(r.WeekFactor, t); x != nil {
		return x.Factor
	}
	return 1
}

// RoundAt is how a window opened at t starts: "hour" or "minute" ("hour" when
// no rule is in force, as in 2025).
func (r Rules) RoundAt(t time.Time) string {
	if x := ruleAt(r.WindowStart, t); x != nil {
		return x.Round
	}
	return "hour"
}

// LongContextAt is the prompt input above which a request at t is extra usage on
// a subscription; 0 when no rule is in force.
func (r Rules) LongContextAt(t time.Time) int64 {
	if x := ruleAt(r.LongContext, t); x != nil {
		return x.Threshold
	}
	return 0
}

// MinSeatsAt is the fewest seats a team pays for at t (1 when no rule is in force).
func (r Rules) MinSeatsAt(t time.Time) int {
	if x := ruleAt(r.TeamMinSeats, t); x != nil && x.Seats > 0 {
		return x.Seats
	}
	return 1
}

// NameAt is the plan's name at t.
func (p *Plan) NameAt(t time.Time) string {
	name := p.Name
	for _, n := range p.Names {
		if t.Before(n.from) {
			break
		}
		name = n.Name
	}
	return name
}

// CapsAt returns the model caps of a week starting at t.
func (p *Plan) CapsAt(t time.Time) []ModelCap {
	var out []ModelCap
	for _, c := range p.ModelCaps {
		if (c.From == "" || !t.Before(c.from)) && (c.Until == "" || t.Before(c.until)) {
			out = append(out, c)
		}
	}
	return out
}

// PriceFor is the plan's monthly price with the billing: "yearly" takes the
// yearly price where the plan has one.
func (p *Plan) PriceFor(billing string) float64 {
	if billing == "yearly" && p.YearlyUSD > 0 {
		return p.YearlyUSD
	}
	return p.PriceUSD
}

// Limits are a plan's budgets under the catalogue's rules: the 5-hour budget of
// a window starting at a time, the weekly budget (with the week factor) and the
// model caps (USD, by family) of a week starting at a time. +Inf: no cap.
type Limits struct {
	FiveHour float64
	Week     float64
	Caps     map[string]float64
}

// WindowBudget is p's 5-hour budget for a window starting at t: the era's, not
// changed by the weekly rules; +Inf for no cap.
func (c *Catalog) WindowBudget(p *Plan, t time.Time) float64 {
	b, _ := p.BudgetsAt(t)
	return b
}

// WeekLimits is p's weekly budget and model caps for a week starting at t, with
// the week factor in force at t: the rule at a week's start holds for the whole
// week, even one that spans a change.
func (c *Catalog) WeekLimits(p *Plan, t time.Time) (week float64, caps map[string]float64) {
	_, wk := p.BudgetsAt(t)
	if math.IsInf(wk, 1) {
		return wk, nil
	}
	wk *= c.rules.WeekFactorAt(t)
	for _, mc := range p.CapsAt(t) {
		if caps == nil {
			caps = map[string]float64{}
		}
		caps[strings.ToLower(mc.Model)] = mc.Share * wk
	}
	return wk, caps
}

// families are the model families a cap can name, matched as words of the id.
var families = []string{"opus", "sonnet", "haiku", "fable", "mythos"}

// familyOf returns the index in families of the model id's family, or -1.
func familyOf(model string) int8 {
	m := strings.ToLower(model)
	for i, f := range families {
		if strings.Contains(m, f) {
			return int8(i)
		}
	}
	return -1
}

// rules reads the top-level "rules" object into rs: each list given replaces
// the one in rs.
func (d *doc) rules(n *jsonfile.Node, rs *Rules) error {
	if n == nil {
		return nil
	}
	kinds := []struct {
		key   string
		list  *[]Rule
		field string
	}{
		{"week_factor", &rs.WeekFactor, "factor"},
		{"window_start", &rs.WindowStart, "round"},
		{"long_context", &rs.LongContext, "threshold"},
		{"team_min_seats", &rs.TeamMinSeats, "seats"},
	}
	var keys []string
	for _, k := range kinds {
		keys = append(keys, k.key)
	}
	if err := d.Object(n, nil, keys); err != nil {
		return err
	}
	for _, k := range kinds {
		ln := n.Get(k.key)
		if ln == nil {
			continue
		}
		if err := d.Want(ln, jsonfile.Array); err != nil {
			return err
		}
		var list []Rule
		for i, en := range ln.Elems {
			if err := d.Object(en, []string{k.field}, []string{"from", "mark", "source"}); err != nil {
				return err
			}
			var r Rule
			if v := en.Get("from"); v != nil {
				t, err := d.Date(v)
				if err != nil {
					return err
				}
				r.From, r.from = v.Str, t
			} else if i > 0 {
				return d.ErrorAt(en.Off, en.Path+".from", "missing (only the first rule may leave it out)")
			}
			if i > 0 && list[i-1].From != "" && !list[i-1].from.Before(r.from) {
				return d.Errorf(en.Get("from"), "want a date after %s (value %s)", list[i-1].From, d.Text(en.Get("from")))
			}
			v := en.Get(k.field)
			switch k.field {
			case "factor":
				f, err := d.nonNegative(v)
				if err != nil {
					return err
				}
				if f == 0 {
					return d.Errorf(v, "want a number > 0 (value %s)", d.Text(v))
				}
				r.Factor = f
			case "round":
				s, err := d.Str(v)
				if err != nil {
					return err
				}
				if s != "hour" && s != "minute" {
					return d.Errorf(v, "want \"hour\" or \"minute\" (value %s)", d.Text(v))
				}
				r.Round = s
			case "threshold", "seats":
				f, err := d.nonNegative(v)
				if err != nil || f != math.Trunc(f) || f < 1 {
					return d.Errorf(v, "want a whole number >= 1 (value %s)", d.Text(v))
				}
				if k.field == "seats" {
					r.Seats = int(f)
				} else {
					r.Threshold = int64(f)
				}
			}
			var err error
			if r.Mark, err = d.mark(en.Get("mark")); err != nil {
				return err
			}
			if r.Source, err = d.optStr(en.Get("source")); err != nil {
				return err
			}
			list = append(list, r)
		}
		*k.list = list
	}
	return nil
}

// marks are the values a "mark" may take.
var marks = []string{"V", "3P", "V/3P"}

func (d *doc) mark(n *jsonfile.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	s, err := d.optStr(n)
	if err != nil {
		return "", err
	}
	if !slices.Contains(marks, s) {
		return "", d.Errorf(n, "want V, 3P or V/3P (value %s)", d.Text(n))
	}
	return s, nil
}

// names reads a plan's "names".
func (d *doc) names(n *jsonfile.Node) ([]PlanName, error) {
	if n == nil {
		return nil, nil
	}
	if err := d.Want(n, jsonfile.Array); err != nil {
		return nil, err
	}
	var out []PlanName
	for i, en := range n.Elems {
		if err := d.Object(en, []string{"from", "name"}, []string{"mark", "source"}); err != nil {
			return nil, err
		}
		var pn PlanName
		t, err := d.Date(en.Get("from"))
		if err != nil {
			return nil, err
		}
		pn.From, pn.from = en.Get("from").Str, t
		if i > 0 && !out[i-1].from.Before(t) {
			return nil, d.Errorf(en.Get("from"), "want a date after %s (value %s)", out[i-1].From, d.Text(en.Get("from")))
		}
		if pn.Name, err = d.Str(en.Get("name")); err != nil {
			return nil, err
		}
		if pn.Mark, err = d.mark(en.Get("mark")); err != nil {
			return nil, err
		}
		if pn.Source, err = d.optStr(en.Get("source")); err != nil {
			return nil, err
		}
		out = append(out, pn)
	}
	return out, nil
}

// modelCaps reads a plan's "model_caps".
func (d *doc) modelCaps(n *jsonfile.Node) ([]ModelCap, error) {
	if n == nil {
		return nil, nil
	}
	if err := d.Want(n, jsonfile.Array); err != nil {
		return nil, err
	}
	var out []ModelCap
	for _, en := range n.Elems {
		if err := d.Object(en, []string{"model", "share"}, []string{"from", "until", "mark", "source"}); err != nil {
			return nil, err
		}
		var mc ModelCap
		var err error
		if mc.Model, err = d.Str(en.Get("model")); err != nil {
			return nil, err
		}
		if familyOf(mc.Model) < 0 || !slices.Contains(families, strings.ToLower(mc.Model)) {
			return nil, d.Errorf(en.Get("model"), "want a model family: %s (value %s)", strings.Join(families, ", "), d.Text(en.Get("model")))
		}
		if mc.Share, err = d.nonNegative(en.Get("share")); err != nil {
			return nil, err
		}
		if mc.Share > 1 {
			return nil, d.Errorf(en.Get("share"), "want a share of the weekly budget, 0 to 1 (value %s)", d.Text(en.Get("share")))
		}
		for _, f := range []struct {
			key string
			s   *string
			t   *time.Time
		}{{"from", &mc.From, &mc.from}, {"until", &mc.Until, &mc.until}} {
			if v := en.Get(f.key); v != nil {
				t, err := d.Date(v)
				if err != nil {
					return nil, err
				}
				*f.s, *f.t = v.Str, t
			}
		}
		if mc.From != "" && mc.Until != "" && !mc.from.Before(mc.until) {
			return nil, d.Errorf(en.Get("until"), "want a date after from, %s (value %s)", mc.From, d.Text(en.Get("until")))
		}
		if mc.Mark, err = d.mark(en.Get("mark")); err != nil {
			return nil, err
		}
		if mc.Source, err = d.optStr(en.Get("source")); err != nil {
			return nil, err
		}
		out = append(out, mc)
	}
	return out, nil
}

// describe says each rule in a few words, with its date and mark.
func (r Rules) describe() []string {
	var out []string
	when := func(x Rule) string {
		if x.From == "" {
			return ""
		}
		return " from " + x.From
	}
	mark := func(x Rule) string {
		if x.Mark == "" {
			return ""
		}
		return " [" + x.Mark + "]"
	}
	for i, x := range r.WeekFactor {
		to := ""
		if i+1 < len(r.WeekFactor) {
			to = " to " + r.WeekFactor[i+1].from.AddDate(0, 0, -1).Format(time.DateOnly)
		}
		out = append(out, fmt.Sprintf("weekly budgets x%g%s%s (a week keeps the rule in force at its start)%s", x.Factor, when(x), to, mark(x)))
	}
	for _, x := range r.WindowStart {
		s := "5-hour windows start at the first request, to the minute"
		if x.Round == "hour" {
			s = "5-hour windows start at the first request rounded down to the hour"
		}
		out = append(out, s+when(x)+mark(x))
	}
	for _, x := range r.LongContext {
		out = append(out, fmt.Sprintf("requests with a prompt above %s tokens (the 1M window) are extra usage on a subscription%s%s", humanize.Comma(x.Threshold), when(x), mark(x)))
	}
	for _, x := range r.TeamMinSeats {
		out = append(out, fmt.Sprintf("a team pays for at least %d seats%s%s", x.Seats, when(x), mark(x)))
	}
	return out
}
