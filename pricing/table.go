package pricing

import (
	_ "embed"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed prices.json
var embedded []byte

// Rates are prices in USD per million tokens.
type Rates struct {
	Input        float64 `json:"input"`
	CacheWrite5m float64 `json:"cache_write_5m"`
	CacheWrite1h float64 `json:"cache_write_1h"`
	CacheRead    float64 `json:"cache_read"`
	Output       float64 `json:"output"`
}

// Tier is a long-context tier: a request whose prompt input
// (usage.Tokens.PromptInput) is above Threshold is billed at Rates, every token of it.
type Tier struct {
	Threshold int64 `json:"threshold"`
	Rates     Rates `json:"rates"`
}

// Fast holds the input and output rates of fast mode. Its cache rates are derived
// from Input with the model's own cache multipliers.
type Fast struct {
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
}

// Change is a change of a model's standard rates: Rates apply from the start of the
// UTC day From (YYYY-MM-DD).
type Change struct {
	From  string `json:"from"`
	Rates Rates  `json:"rates"`

	from time.Time
}

// Model is one model's entry in the table. Its JSON form is that of the price file.
type Model struct {
	ID      string   `json:"id"`   // canonical API id, e.g. claude-sonnet-4-5-20250929
	Name    string   `json:"name"` // display name, e.g. Claude Sonnet 4.5
	Aliases []string `json:"aliases,omitempty"`
	// Rates are the standard rates, until the first of Changes.
	Rates   Rates    `json:"rates"`
	Changes []Change `json:"changes,omitempty"` // in date order
	// LongContext, if set, reprices whole requests above its threshold.
	LongContext *Tier `json:"long_context,omitempty"`
	// Fast, if set, gives the rates of requests with speed "fast".
	Fast *Fast `json:"fast,omitempty"`
	// GeoUS says that inference_geo "us" costs 1.1x on every token class.
	GeoUS bool   `json:"inference_geo_us,omitempty"`
	Note  string `json:"note,omitempty"`
}

// RatesAt returns the standard rates in effect at time t (by its UTC day).
// A zero t gets the rates before any change.
func (m *Model) RatesAt(t time.Time) Rates {
	r := m.Rates
	for _, c := range m.Changes {
		if t.Before(c.from) {
			break
		}
		r = c.Rates
	}
	return r
}

// ChangeDates are the days (UTC) on which some model's standard rates change,
// in order: totals that cross one cannot be priced at one rate.
func (t *Table) ChangeDates() []time.Time {
	seen := map[time.Time]bool{}
	var out []time.Time
	for _, m := range t.models {
		for _, c := range m.Changes {
			if !seen[c.from] {
				seen[c.from] = true
				out = append(out, c.from)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Provider is a way of buying tokens, priced as a multiplier on list price.
type Provider struct {
	ID         string  `json:"id"`
	Multiplier float64 `json:"multiplier"`
	Note       string  `json:"note,omitempty"`
}

// Table is a price table. It is safe for concurrent use and never changes:
// Override returns a new Table.
type Table struct {
	checked   time.Time
	models    []*Model
	providers []Provider
	index     map[string]*Model // key(id, name or alias) -> model

	thresholds sync.Map // model id -> long-context threshold (-1: none), see LongContext
}

var defaultTable = sync.OnceValue(func() *Table {
	t, err := build(nil, "prices.json", embedded)
	if err != nil {
		panic("pricing: embedded " + err.Error())
	}
	return t
})

// Default returns the embedded price table.
func Default() *Table { return defaultTable() }

// Override returns a copy of t with the models and providers of the JSON price file
// named file added, or replacing those with the same id. The file has the shape of
// the embedded prices.json; "checked" is optional, and the result's Checked date is
// the earlier of the two. An error in the file is reported as
// "file:line:col: field: problem".
func (t *Table) Override(file string) (*Table, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return build(t, file, data)
}

// Lookup returns the model that id names, in any of the forms listed in the
// package documentation, or false if no model has that name.
// The Model must not be modified.
func (t *Table) Lookup(id string) (*Model, bool) {
	if m, ok := t.index[id]; ok {
		return m, true
	}
	k := key(id)
	if m, ok := t.index[k]; ok {
		return m, true
	}
	// A dated snapshot of a model whose id is undated
	// ("claude-opus-4-6-20260205") is that model. Another date on a dated id,
	// or on an alias, is another snapshot, whose price is not known: no guess.
	if base, ok := cutDate(k); ok {
		if m, ok := t.index[base]; ok && m.ID == base {
			return m, true
		}
	}
	return nil, false
}

// Models returns the table's models in file order. They must not be modified.
func (t *Table) Models() []*Model { return append([]*Model(nil), t.models...) }

// Provider returns the provider named id (case-insensitive); "" means "anthropic".
func (t *Table) Provider(id string) (Provider, bool) {
	if id == "" {
		id = "anthropic"
	}
	for _, p := range t.providers {
		if strings.EqualFold(p.ID, id) {
			return p, true
		}
	}
	return Provider{}, false
}

// Providers returns the table's providers in file order.
func (t *Table) Providers() []Provider { return append([]Provider(nil), t.providers...) }

// Checked returns the date (a UTC midnight) on which the prices were last verified.
func (t *Table) Checked() time.Time { return t.checked }

// staleDays is how old a price table may get before Stale reports it.
const staleDays = 90

// Stale reports whether the prices were last checked more than 90 days before now's
// UTC day.
func (t *Table) Stale(now time.Time) bool {
	return utcDay(now).After(t.checked.AddDate(0, 0, staleDays))
}

// MarshalJSON writes the table in the shape of the price file.
func (t *Table) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Checked   string     `json:"checked"`
		Models    []*Model   `json:"models"`
		Providers []Provider `json:"providers"`
	}{t.checked.Format(time.DateOnly), t.models, t.providers})
}

// utcDay returns the start of t's UTC day.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
