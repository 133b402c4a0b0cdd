package recommend

import (
	_ "embed"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/usagescan/usagescan/internal/jsonfile"
)

//go:embed plans.json
var embeddedPlans []byte

// Budget is an estimate of how much a plan lets through in one 5-hour window or
// one week, in API-equivalent USD at list price.
type Budget struct {
	USD    float64 `json:"usd"`
	Low    float64 `json:"low,omitempty"`  // the range the estimate comes from, if known
	High   float64 `json:"high,omitempty"` //
	Source string  `json:"source,omitempty"`
}

// Era is a plan's budgets from a date on. A nil budget means no cap of that kind.
type Era struct {
	// From is the UTC day (YYYY-MM-DD) the era starts; "" in the first era only.
	// The first era also applies before its date.
	From     string  `json:"from,omitempty"`
	FiveHour *Budget `json:"five_hour,omitempty"`
	Week     *Budget `json:"week,omitempty"`

	from time.Time
}

// Plan is one way of paying: a subscription with budgets, or the metered API.
type Plan struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	// PriceUSD is the monthly price (per seat for team plans); 0 for the API.
	PriceUSD float64 `json:"price_usd,omitempty"`
	// YearlyUSD is the monthly price when billed yearly, if offered. Not used in
	// totals (they compare monthly prices); shown for reference.
	YearlyUSD float64 `json:"price_yearly_usd,omitempty"`
	Team      bool    `json:"team,omitempty"`    // sold as seats of a team
	Metered   bool    `json:"metered,omitempty"` // the API: no price, no caps
	Note      string  `json:"note,omitempty"`
	Budgets   []Era   `json:"budgets,omitempty"` // in date order
	// Names are the plan's later names, by date (Name is the first one).
	Names []PlanName `json:"names,omitempty"`
	// ModelCaps are weekly caps on one model family inside the week.
	ModelCaps []ModelCap `json:"model_caps,omitempty"`
}

// BudgetsAt returns the plan's 5-hour and weekly budgets in effect at t, in USD;
// +Inf where the plan has no such cap (and for the metered API).
func (p *Plan) BudgetsAt(t time.Time) (fiveHour, week float64) {
	e := p.EraAt(t)
	if e == nil {
		return math.Inf(1), math.Inf(1)
	}
	return e.FiveHour.usd(), e.Week.usd()
}

// EraAt returns the era in effect at t, or nil for a plan without budgets.
func (p *Plan) EraAt(t time.Time) *Era {
	if len(p.Budgets) == 0 {
		return nil
	}
	i := 0
	for j := 1; j < len(p.Budgets); j++ {
		if t.Before(p.Budgets[j].from) {
			break
		}
		i = j
	}
	return &p.Budgets[i]
}

// Latest returns the plan's newest budgets, or nil for a plan without budgets.
func (p *Plan) Latest() *Era {
	if len(p.Budgets) == 0 {
		return nil
	}
	return &p.Budgets[len(p.Budgets)-1]
}

func (b *Budget) usd() float64 {
	if b == nil {
		return math.Inf(1)
	}
	return b.USD
}

// Catalog is a set of plans. It never changes once built: Override returns a new
// Catalog. Plans returned by its methods must not be modified.
type Catalog struct {
	note  string
	rules Rules
	plans []*Plan
	index map[string]*Plan // lower-case id and aliases
}

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := build(nil, "plans.json", embeddedPlans)
	if err != nil {
		panic("recommend: embedded " + err.Error())
	}
	return c
})

// Default returns the embedded plan catalogue (plans.json).
func Default() *Catalog { return defaultCatalog() }

// FileError is a problem at one place in a plan file, printed as
// "file:line:col: field: message".
type FileError = jsonfile.FileError

// Override returns a copy of c with the plans of the JSON file named file added,
// or replacing the plans with the same id. The file has the shape of the embedded
// plans.json; an error in it is a *FileError, "file:line:col: field: problem".
func (c *Catalog) Override(file string) (*Catalog, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return c.OverrideData(file, data)
}

// OverrideData is Override with the file's content given; name is used in errors.
func (c *Catalog) OverrideData(name string, data []byte) (*Catalog, error) {
	return build(c, name, data)
}

// Lookup returns the plan that name names: its id or one of its aliases, in any
// letter case. Ids win over aliases.
func (c *Catalog) Lookup(name string) (*Plan, bool) {
	p, ok := c.index[strings.ToLower(strings.TrimSpace(name))]
	return p, ok
}

// Plans returns the plans in file order.
func (c *Catalog) Plans() []*Plan { return slices.Clone(c.plans) }

// Note returns the catalogue's note on where its budgets come from.
func (c *Catalog) Note() string { return c.note }

// metered returns the catalogue's metered plan (the API).
func (c *Catalog) metered() *Plan {
	for _, p := range c.plans {
		if p.Metered {
			return p
		}
	}
	return nil
}

// MarshalJSON writes the catalogue in the shape of the plan file.
func (c *Catalog) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Note  string  `json:"note,omitempty"`
		Rules Rules   `json:"rules"`
		Plans []*Plan `json:"plans"`
	}{c.note, c.rules, c.plans})
}

// doc is a plan file being read. It is checked field by field, so that a problem
// is reported as
// "plans.json:12:7: plans[2].budgets[1].week.usd: want a number >= 0 (value -1)".
type doc struct{ *jsonfile.Doc }

// build reads the plan file data, called name, and returns base with the file's
// plans added or replacing base's; base is nil for the embedded catalogue.
func build(base *Catalog, name string, data []byte) (*Catalog, error) {
	jd, err := jsonfile.Parse(name, data)
	if err != nil {
		return nil, err
	}
	d, root := doc{jd}, jd.Root()
	if err := d.Object(root, []string{"plans"}, []string{"note", "rules"}); err != nil {
		return nil, err
	}
	c := &Catalog{index: map[string]*Plan{}}
	if base != nil {
		c.note = base.note
		c.rules = base.rules
		c.plans = slices.Clone(base.plans)
	}
	if err := d.rules(root.Get("rules"), &c.rules); err != nil {
		return nil, err
	}
	if n := root.Get("note"); n != nil {
		if c.note, err = d.optStr(n); err != nil {
			return nil, err
		}
	}
	if err := d.Want(root.Get("plans"), jsonfile.Array); err != nil {
		return nil, err
	}
	nodes := map[*Plan]*jsonfile.Node{}
	seen := map[string]*jsonfile.Node{}
	for _, n := range root.Get("plans").Elems {
		p, err := d.plan(n)
		if err != nil {
			return nil, err
		}
		id := strings.ToLower(p.ID)
		if prev := seen[id]; prev != nil {
			return nil, d.Errorf(n.Get("id"), "duplicate plan id %q (also %s)", p.ID, prev.Path)
		}
		seen[id] = n
		nodes[p] = n
		if i := slices.IndexFunc(c.plans, func(o *Plan) bool { return strings.EqualFold(o.ID, p.ID) }); i >= 0 {
			c.plans[i] = p
		} else {
			c.plans = append(c.plans, p)
		}
	}
	// Ids first, so that an id always wins; then aliases, kept plans before this
	// file's, so that a clash is reported at a place in this file.
	for _, p := range c.plans {
		c.index[strings.ToLower(p.ID)] = p
	}
	ordered := slices.Clone(c.plans)
	slices.SortStableFunc(ordered, func(a, b *Plan) int {
		x, y := nodes[a] != nil, nodes[b] != nil
		switch {
		case x == y:
			return 0
		case y:
			return -1
		}
		return 1
	})
	for _, p := range ordered {
		for i, a := range p.Aliases {
			k := strings.ToLower(a)
			if other, ok := c.index[k]; ok && other != p {
				if n := nodes[p]; n != nil {
					return nil, d.Errorf(n.Get("aliases").Elems[i], "%q already names plan %q", a, other.ID)
				}
				continue // an old alias shadowed by a new id: the id wins
			}
			c.index[k] = p
		}
	}
	metered := 0
	for _, p := range c.plans {
		if p.Metered {
			metered++
			if metered > 1 {
				n := nodes[p]
				if n == nil {
					n = root
				}
				return nil, d.Errorf(n, "a second metered plan (%q): the catalogue has one API entry", p.ID)
			}
		}
	}
	if metered == 0 {
		return nil, d.ErrorAt(root.Off, "plans", "no metered plan (the API)")
	}
	return c, nil
}

// plan reads one entry of "plans".
func (d *doc) plan(n *jsonfile.Node) (*Plan, error) {
	err := d.Object(n, []string{"id"},
		[]string{"name", "names", "aliases", "price_usd", "price_yearly_usd", "team", "metered", "note", "budgets", "model_caps"})
	if err != nil {
		return nil, err
	}
	p := &Plan{}
	if p.ID, err = d.Str(n.Get("id")); err != nil {
		return nil, err
	}
	if strings.ContainsAny(p.ID, ": \t") {
		return nil, d.Errorf(n.Get("id"), "want an id without spaces or colons (value %s)", d.Text(n.Get("id")))
	}
	p.Name = p.ID
	if v := n.Get("name"); v != nil {
		if p.Name, err = d.Str(v); err != nil {
			return nil, err
		}
	}
	if err := d.Want(n.Get("aliases"), jsonfile.Array); err != nil {
		return nil, err
	}
	if v := n.Get("aliases"); v != nil {
		for _, a := range v.Elems {
			s, err := d.Str(a)
			if err != nil {
				return nil, err
			}
			p.Aliases = append(p.Aliases, s)
		}
	}
	for _, f := range []struct {
		name string
		b    *bool
	}{{"team", &p.Team}, {"metered", &p.Metered}} {
		if v := n.Get(f.name); v != nil {
			if err := d.Want(v, jsonfile.Bool); err != nil {
				return nil, err
			}
			*f.b = v.Bool
		}
	}
	if p.Note, err = d.optStr(n.Get("note")); err != nil {
		return nil, err
	}
	if p.Metered {
		for _, f := range []string{"price_usd", "price_yearly_usd", "budgets", "team", "names", "model_caps"} {
			if v := n.Get(f); v != nil {
				return nil, d.Errorf(v, "a metered plan has no %s: the API is priced per token", f)
			}
		}
		return p, nil
	}
	for _, f := range []string{"price_usd", "budgets"} {
		if n.Get(f) == nil {
			return nil, d.ErrorAt(n.Off, n.Path+"."+f, "missing (a plan that is not metered needs a price and budgets)")
		}
	}
	if p.PriceUSD, err = d.nonNegative(n.Get("price_usd")); err != nil {
		return nil, err
	}
	if v := n.Get("price_yearly_usd"); v != nil {
		if p.YearlyUSD, err = d.nonNegative(v); err != nil {
			return nil, err
		}
	}
	bn := n.Get("budgets")
	if err := d.Want(bn, jsonfile.Array); err != nil {
		return nil, err
	}
	if len(bn.Elems) == 0 {
		return nil, d.Errorf(bn, "want at least one era of budgets")
	}
	for i, en := range bn.Elems {
		e, err := d.era(en)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			if e.From == "" {
				return nil, d.ErrorAt(en.Off, en.Path+".from", "missing (only the first era may leave it out)")
			}
			if prev := p.Budgets[i-1]; prev.From != "" && !prev.from.Before(e.from) {
				return nil, d.Errorf(en.Get("from"), "want a date after %s (value %s)", prev.From, d.Text(en.Get("from")))
			}
		}
		p.Budgets = append(p.Budgets, e)
	}
	if p.Names, err = d.names(n.Get("names")); err != nil {
		return nil, err
	}
	if p.ModelCaps, err = d.modelCaps(n.Get("model_caps")); err != nil {
		return nil, err
	}
	return p, nil
}

// era reads one entry of a plan's "budgets".
func (d *doc) era(n *jsonfile.Node) (Era, error) {
	var e Era
	if err := d.Object(n, nil, []string{"from", "five_hour", "week"}); err != nil {
		return e, err
	}
	if v := n.Get("from"); v != nil {
		t, err := d.Date(v)
		if err != nil {
			return e, err
		}
		e.From, e.from = v.Str, t
	}
	var err error
	if e.FiveHour, err = d.budget(n.Get("five_hour")); err != nil {
		return e, err
	}
	if e.Week, err = d.budget(n.Get("week")); err != nil {
		return e, err
	}
	return e, nil
}

// budget reads a budget; an absent or null one is no cap.
func (d *doc) budget(n *jsonfile.Node) (*Budget, error) {
	if n == nil || n.Kind == jsonfile.Null {
		return nil, nil
	}
	if err := d.Object(n, []string{"usd"}, []string{"low", "high", "source"}); err != nil {
		return nil, err
	}
	b := &Budget{}
	var err error
	if b.USD, err = d.nonNegative(n.Get("usd")); err != nil {
		return nil, err
	}
	if v := n.Get("low"); v != nil {
		if b.Low, err = d.nonNegative(v); err != nil {
			return nil, err
		}
		if b.Low > b.USD {
			return nil, d.Errorf(v, "want at most usd, %g (value %s)", b.USD, d.Text(v))
		}
	}
	if v := n.Get("high"); v != nil {
		if b.High, err = d.nonNegative(v); err != nil {
			return nil, err
		}
		if b.High < b.USD {
			return nil, d.Errorf(v, "want at least usd, %g (value %s)", b.USD, d.Text(v))
		}
	}
	if b.Source, err = d.optStr(n.Get("source")); err != nil {
		return nil, err
	}
	return b, nil
}

// optStr reads an optional string (any, even empty).
func (d *doc) optStr(n *jsonfile.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	if err := d.Want(n, jsonfile.String); err != nil {
		return "", err
	}
	return n.Str, nil
}

// nonNegative reads a number >= 0.
func (d *doc) nonNegative(n *jsonfile.Node) (float64, error) {
	if n.Kind == jsonfile.Number {
		if v, err := n.Num.Float64(); err == nil && v >= 0 && !math.IsInf(v, 0) {
			return v, nil
		}
	}
	return 0, d.Errorf(n, "want a number >= 0 (value %s)", d.Text(n))
}
