package pricing

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/usagescan/usagescan/internal/jsonfile"
)

// doc is a price file being read.
type doc struct{ *jsonfile.Doc }

// build reads the price file data, called name, and returns base with the file's
// models and providers added or replacing base's; base is nil for the embedded
// table, whose file must then give every field.
func build(base *Table, name string, data []byte) (*Table, error) {
	jd, err := jsonfile.Parse(name, data)
	if err != nil {
		return nil, err
	}
	d, root := doc{jd}, jd.Root()
	if err := d.Object(root, nil, []string{"checked", "models", "providers"}); err != nil {
		return nil, err
	}
	t := &Table{index: map[string]*Model{}}

	// checked
	if n := root.Get("checked"); n != nil {
		if t.checked, err = d.Date(n); err != nil {
			return nil, err
		}
	} else if base == nil {
		return nil, d.Missing(root, "checked")
	}
	if base != nil && (t.checked.IsZero() || base.checked.Before(t.checked)) {
		t.checked = base.checked
	}

	for _, f := range []string{"models", "providers"} {
		if err := d.Want(root.Get(f), jsonfile.Array); err != nil {
			return nil, err
		}
	}

	// providers
	if base != nil {
		t.providers = slices.Clone(base.providers)
	}
	seen := map[string]*jsonfile.Node{}
	for _, n := range array(root, "providers") {
		p, err := d.provider(n)
		if err != nil {
			return nil, err
		}
		id := strings.ToLower(p.ID)
		if prev := seen[id]; prev != nil {
			return nil, d.Errorf(n.Get("id"), "duplicate provider %q (also %s)", p.ID, prev.Path)
		}
		seen[id] = n
		if i := slices.IndexFunc(t.providers, func(q Provider) bool { return strings.EqualFold(q.ID, p.ID) }); i >= 0 {
			t.providers[i] = p
		} else {
			t.providers = append(t.providers, p)
		}
	}
	if _, ok := t.Provider("anthropic"); !ok {
		return nil, d.ErrorAt(root.Off, "providers", "no provider \"anthropic\" (list price)")
	}

	// models
	if root.Get("models") == nil && base == nil {
		return nil, d.Missing(root, "models")
	}
	if base != nil {
		t.models = slices.Clone(base.models)
	}
	nodes := map[*Model]*jsonfile.Node{} // the models of this file
	seen = map[string]*jsonfile.Node{}
	for _, n := range array(root, "models") {
		m, err := d.model(n)
		if err != nil {
			return nil, err
		}
		id := key(m.ID)
		if prev := seen[id]; prev != nil {
			return nil, d.Errorf(n.Get("id"), "duplicate model id %q (also %s)", m.ID, prev.Path)
		}
		seen[id] = n
		nodes[m] = n
		if i := slices.IndexFunc(t.models, func(o *Model) bool { return key(o.ID) == id }); i >= 0 {
			t.models[i] = m
		} else {
			t.models = append(t.models, m)
		}
	}

	// Index every name of every model: first those kept from base, which cannot
	// clash with each other, then this file's, so that a clash is found at a
	// place in this file.
	for _, m := range t.models {
		if nodes[m] == nil {
			for _, name := range m.names() {
				t.index[key(name)] = m
			}
		}
	}
	for _, m := range t.models {
		n := nodes[m]
		if n == nil {
			continue
		}
		at := append([]*jsonfile.Node{n.Get("id"), cmp.Or(n.Get("name"), n.Get("id"))}, array(n, "aliases")...)
		for i, name := range m.names() {
			k := key(name)
			if other, ok := t.index[k]; ok && other != m {
				hint := ""
				if nodes[other] == nil {
					hint = "; to replace that model, use its id"
				}
				return nil, d.Errorf(at[i], "%q already names model %q%s", name, other.ID, hint)
			}
			t.index[k] = m
		}
	}
	return t, nil
}

// names returns every name of m: its id, display name and aliases.
func (m *Model) names() []string {
	return append([]string{m.ID, m.Name}, m.Aliases...)
}

// model reads one entry of "models".
func (d *doc) model(n *jsonfile.Node) (*Model, error) {
	err := d.Object(n, []string{"id", "rates"},
		[]string{"name", "aliases", "changes", "long_context", "fast", "inference_geo_us", "note"})
	if err != nil {
		return nil, err
	}
	m := &Model{}
	if m.ID, err = d.Str(n.Get("id")); err != nil {
		return nil, err
	}
	m.Name = m.ID
	if v := n.Get("name"); v != nil {
		if m.Name, err = d.Str(v); err != nil {
			return nil, err
		}
	}
	if err := d.Want(n.Get("aliases"), jsonfile.Array); err != nil {
		return nil, err
	}
	for _, a := range array(n, "aliases") {
		s, err := d.Str(a)
		if err != nil {
			return nil, err
		}
		m.Aliases = append(m.Aliases, s)
	}
	if m.Rates, err = d.rates(n.Get("rates")); err != nil {
		return nil, err
	}
	if err := d.Want(n.Get("changes"), jsonfile.Array); err != nil {
		return nil, err
	}
	for _, c := range array(n, "changes") {
		if err := d.Object(c, []string{"from", "rates"}, nil); err != nil {
			return nil, err
		}
		ch := Change{From: c.Get("from").Str}
		if ch.from, err = d.Date(c.Get("from")); err != nil {
			return nil, err
		}
		if k := len(m.Changes); k > 0 && !m.Changes[k-1].from.Before(ch.from) {
			return nil, d.Errorf(c.Get("from"), "want a date after %s (value %s)", m.Changes[k-1].From, d.Text(c.Get("from")))
		}
		if ch.Rates, err = d.rates(c.Get("rates")); err != nil {
			return nil, err
		}
		m.Changes = append(m.Changes, ch)
	}
	if v := n.Get("long_context"); v != nil {
		if err := d.Object(v, []string{"threshold", "rates"}, nil); err != nil {
			return nil, err
		}
		m.LongContext = &Tier{}
		th := v.Get("threshold")
		if m.LongContext.Threshold, err = d.count(th); err != nil {
			return nil, err
		}
		if m.LongContext.Rates, err = d.rates(v.Get("rates")); err != nil {
			return nil, err
		}
	}
	if v := n.Get("fast"); v != nil {
		if m.LongContext != nil {
			return nil, d.Errorf(v, "a model with long_context cannot have fast rates (no rule prices a fast request above the threshold)")
		}
		if err := d.Object(v, []string{"input", "output"}, nil); err != nil {
			return nil, err
		}
		m.Fast = &Fast{}
		if m.Fast.Input, err = d.positive(v.Get("input")); err != nil {
			return nil, err
		}
		if m.Fast.Output, err = d.positive(v.Get("output")); err != nil {
			return nil, err
		}
	}
	if v := n.Get("inference_geo_us"); v != nil {
		if err := d.Want(v, jsonfile.Bool); err != nil {
			return nil, err
		}
		m.GeoUS = v.Bool
	}
	if v := n.Get("note"); v != nil {
		if err := d.Want(v, jsonfile.String); err != nil {
			return nil, err
		}
		m.Note = v.Str
	}
	return m, nil
}

// provider reads one entry of "providers".
func (d *doc) provider(n *jsonfile.Node) (Provider, error) {
	var p Provider
	err := d.Object(n, []string{"id", "multiplier"}, []string{"note"})
	if err == nil {
		p.ID, err = d.Str(n.Get("id"))
	}
	if err == nil {
		p.Multiplier, err = d.positive(n.Get("multiplier"))
	}
	if v := n.Get("note"); err == nil && v != nil {
		err = d.Want(v, jsonfile.String)
		p.Note = v.Str
	}
	return p, err
}

// rates reads a full set of rates.
func (d *doc) rates(n *jsonfile.Node) (Rates, error) {
	var r Rates
	fields := []struct {
		name string
		p    *float64
	}{
		{"input", &r.Input},
		{"cache_write_5m", &r.CacheWrite5m},
		{"cache_write_1h", &r.CacheWrite1h},
		{"cache_read", &r.CacheRead},
		{"output", &r.Output},
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	if err := d.Object(n, names, nil); err != nil {
		return r, err
	}
	for _, f := range fields {
		v, err := d.positive(n.Get(f.name))
		if err != nil {
			return r, err
		}
		*f.p = v
	}
	return r, nil
}

// array returns the elements of n's array field f, if it has one.
func array(n *jsonfile.Node, f string) []*jsonfile.Node {
	if v := n.Get(f); v != nil {
		return v.Elems
	}
	return nil
}

// positive reads a number > 0.
func (d *doc) positive(n *jsonfile.Node) (float64, error) {
	if n.Kind == jsonfile.Number {
		if v, err := n.Num.Float64(); err == nil && v > 0 && !math.IsInf(v, 0) {
			return v, nil
		}
	}
	return 0, d.Errorf(n, "want a number > 0 (value %s)", d.Text(n))
}

// count reads a whole number > 0.
func (d *doc) count(n *jsonfile.Node) (int64, error) {
	if n.Kind == jsonfile.Number {
		if v, err := n.Num.Int64(); err == nil && v > 0 {
			return v, nil
		}
	}
	return 0, d.Errorf(n, "want a whole number > 0 (value %s)", d.Text(n))
}
