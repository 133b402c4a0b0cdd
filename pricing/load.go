package pricing

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// build reads the price file d and returns base with d's models and providers
// added or replacing base's; base is nil for the embedded table, whose file must
// then give every field.
func build(base *Table, d *doc) (*Table, error) {
	root, err := d.tree()
	if err != nil {
		return nil, err
	}
	if err := d.object(root, nil, []string{"checked", "models", "providers"}); err != nil {
		return nil, err
	}
	t := &Table{index: map[string]*Model{}}

	// checked
	if n := root.get("checked"); n != nil {
		if t.checked, err = d.date(n); err != nil {
			return nil, err
		}
	} else if base == nil {
		return nil, d.missing(root, "checked")
	}
	if base != nil && (t.checked.IsZero() || base.checked.Before(t.checked)) {
		t.checked = base.checked
	}

	for _, f := range []string{"models", "providers"} {
		if err := d.kind(root.get(f), kArray); err != nil {
			return nil, err
		}
	}

	// providers
	if base != nil {
		t.providers = slices.Clone(base.providers)
	}
	seen := map[string]*node{}
	for _, n := range d.array(root, "providers") {
		p, err := d.provider(n)
		if err != nil {
			return nil, err
		}
		id := strings.ToLower(p.ID)
		if prev := seen[id]; prev != nil {
			return nil, d.errNode(n.get("id"), "duplicate provider %q (also %s)", p.ID, prev.path)
		}
		seen[id] = n
		if i := slices.IndexFunc(t.providers, func(q Provider) bool { return strings.EqualFold(q.ID, p.ID) }); i >= 0 {
			t.providers[i] = p
		} else {
			t.providers = append(t.providers, p)
		}
	}
	if _, ok := t.Provider("anthropic"); !ok {
		return nil, d.errAt(root.off, "providers", "no provider \"anthropic\" (list price)")
	}

	// models
	if root.get("models") == nil && base == nil {
		return nil, d.missing(root, "models")
	}
	if base != nil {
		t.models = slices.Clone(base.models)
	}
	nodes := map[*Model]*node{} // the models of this file
	seen = map[string]*node{}
	for _, n := range d.array(root, "models") {
		m, err := d.model(n)
		if err != nil {
			return nil, err
		}
		id := key(m.ID)
		if prev := seen[id]; prev != nil {
			return nil, d.errNode(n.get("id"), "duplicate model id %q (also %s)", m.ID, prev.path)
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
		at := append([]*node{n.get("id"), cmp.Or(n.get("name"), n.get("id"))}, d.array(n, "aliases")...)
		for i, name := range m.names() {
			k := key(name)
			if other, ok := t.index[k]; ok && other != m {
				hint := ""
				if nodes[other] == nil {
					hint = "; to replace that model, use its id"
				}
				return nil, d.errNode(at[i], "%q already names model %q%s", name, other.ID, hint)
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
func (d *doc) model(n *node) (*Model, error) {
	err := d.object(n, []string{"id", "rates"},
		[]string{"name", "aliases", "changes", "long_context", "fast", "inference_geo_us", "note"})
	if err != nil {
		return nil, err
	}
	m := &Model{}
	if m.ID, err = d.str(n.get("id")); err != nil {
		return nil, err
	}
	m.Name = m.ID
	if v := n.get("name"); v != nil {
		if m.Name, err = d.str(v); err != nil {
			return nil, err
		}
	}
	if err := d.kind(n.get("aliases"), kArray); err != nil {
		return nil, err
	}
	for _, a := range d.array(n, "aliases") {
		s, err := d.str(a)
		if err != nil {
			return nil, err
		}
		m.Aliases = append(m.Aliases, s)
	}
	if m.Rates, err = d.rates(n.get("rates")); err != nil {
		return nil, err
	}
	if err := d.kind(n.get("changes"), kArray); err != nil {
		return nil, err
	}
	for _, c := range d.array(n, "changes") {
		if err := d.object(c, []string{"from", "rates"}, nil); err != nil {
			return nil, err
		}
		ch := Change{From: c.get("from").str}
		if ch.from, err = d.date(c.get("from")); err != nil {
			return nil, err
		}
		if k := len(m.Changes); k > 0 && !m.Changes[k-1].from.Before(ch.from) {
			return nil, d.errNode(c.get("from"), "want a date after %s (value %s)", m.Changes[k-1].From, d.text(c.get("from")))
		}
		if ch.Rates, err = d.rates(c.get("rates")); err != nil {
			return nil, err
		}
		m.Changes = append(m.Changes, ch)
	}
	if v := n.get("long_context"); v != nil {
		if err := d.object(v, []string{"threshold", "rates"}, nil); err != nil {
			return nil, err
		}
		m.LongContext = &Tier{}
		th := v.get("threshold")
		if m.LongContext.Threshold, err = d.count(th); err != nil {
			return nil, err
		}
		if m.LongContext.Rates, err = d.rates(v.get("rates")); err != nil {
			return nil, err
		}
	}
	if v := n.get("fast"); v != nil {
		if m.LongContext != nil {
			return nil, d.errNode(v, "a model with long_context cannot have fast rates (no rule prices a fast request above the threshold)")
		}
		if err := d.object(v, []string{"input", "output"}, nil); err != nil {
			return nil, err
		}
		m.Fast = &Fast{}
		if m.Fast.Input, err = d.positive(v.get("input")); err != nil {
			return nil, err
		}
		if m.Fast.Output, err = d.positive(v.get("output")); err != nil {
			return nil, err
		}
	}
	if v := n.get("inference_geo_us"); v != nil {
		if err := d.kind(v, kBool); err != nil {
			return nil, err
		}
		m.GeoUS = v.b
	}
	if v := n.get("note"); v != nil {
		if err := d.kind(v, kString); err != nil {
			return nil, err
		}
		m.Note = v.str
	}
	return m, nil
}

// provider reads one entry of "providers".
func (d *doc) provider(n *node) (Provider, error) {
	var p Provider
	err := d.object(n, []string{"id", "multiplier"}, []string{"note"})
	if err == nil {
		p.ID, err = d.str(n.get("id"))
	}
	if err == nil {
		p.Multiplier, err = d.positive(n.get("multiplier"))
	}
	if v := n.get("note"); err == nil && v != nil {
		err = d.kind(v, kString)
		p.Note = v.str
	}
	return p, err
}

// rates reads a full set of rates.
func (d *doc) rates(n *node) (Rates, error) {
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
	if err := d.object(n, names, nil); err != nil {
		return r, err
	}
	for _, f := range fields {
		v, err := d.positive(n.get(f.name))
		if err != nil {
			return r, err
		}
		*f.p = v
	}
	return r, nil
}

// object checks that n is an object with every required field and no field
// outside required and optional.
func (d *doc) object(n *node, required, optional []string) error {
	if err := d.kind(n, kObject); err != nil {
		return err
	}
	for _, m := range n.mem {
		if !slices.Contains(required, m.key) && !slices.Contains(optional, m.key) {
			return d.errNode(m.val, "unknown field (want %s)", strings.Join(append(slices.Clone(required), optional...), ", "))
		}
	}
	for _, f := range required {
		if n.get(f) == nil {
			return d.missing(n, f)
		}
	}
	return nil
}

// missing reports that object n lacks field f.
func (d *doc) missing(n *node, f string) error {
	path := f
	if n.path != "" {
		path = n.path + "." + f
	}
	return d.errAt(n.off, path, "missing")
}

// array returns the elements of n's array field f, if it has one.
func (d *doc) array(n *node, f string) []*node {
	if v := n.get(f); v != nil {
		return v.elem
	}
	return nil
}

// kind checks that n, if present, is a k.
func (d *doc) kind(n *node, k kind) error {
	if n == nil || n.kind == k {
		return nil
	}
	article := "a"
	if k == kArray || k == kObject {
		article = "an"
	}
	return d.errNode(n, "want %s %s (value %s)", article, k, d.text(n))
}

// str reads a non-empty string.
func (d *doc) str(n *node) (string, error) {
	if n.kind != kString || strings.TrimSpace(n.str) == "" {
		return "", d.errNode(n, "want a non-empty string (value %s)", d.text(n))
	}
	return n.str, nil
}

// positive reads a number > 0.
func (d *doc) positive(n *node) (float64, error) {
	if n.kind == kNumber {
		if v, err := n.num.Float64(); err == nil && v > 0 && !math.IsInf(v, 0) {
			return v, nil
		}
	}
	return 0, d.errNode(n, "want a number > 0 (value %s)", d.text(n))
}

// count reads a whole number > 0.
func (d *doc) count(n *node) (int64, error) {
	if n.kind == kNumber {
		if v, err := n.num.Int64(); err == nil && v > 0 {
			return v, nil
		}
	}
	return 0, d.errNode(n, "want a whole number > 0 (value %s)", d.text(n))
}

// date reads a "YYYY-MM-DD" date as a UTC midnight.
func (d *doc) date(n *node) (time.Time, error) {
	if n.kind == kString {
		if t, err := time.Parse(time.DateOnly, n.str); err == nil {
			return t, nil
		}
	}
	return time.Time{}, d.errNode(n, "want a date YYYY-MM-DD (value %s)", d.text(n))
}
