package pricing

import "github.com/usagescan/usagescan/usage"

const (
	// webSearchMicro is the price of one web search in millionths of a USD ($10 per 1,000).
	webSearchMicro = 10_000
	geoUS          = 1.1 // inference_geo "us" on models with GeoUS
	batch          = 0.5 // service tier "batch"
)

// Price is the one pricing entry point: what record r costs through provider.
// A record carrying the amount an export billed costs that amount; any other
// is priced by Cost. False when its model (or the provider) has no price: an
// unknown price is never $0. Report rows, reconcile's sides and the status
// line all price here; recommend prices the API-equivalent of tokens at list
// price with Cost, and a billed total without tokens here.
func (t *Table) Price(r *usage.Request, provider string) (usage.Money, bool) {
	if b := r.Billed; b != nil {
		return *b, true
	}
	return t.Cost(r, provider)
}

// Cost returns what request r costs through provider ("" is "anthropic"), by the
// rules in the package documentation. It returns false, and no cost, if the table
// has no model r.Model or no such provider: an unknown price is never $0.
//
// The cost is usage.Money, the one money type.
func (t *Table) Cost(r *usage.Request, provider string) (usage.Money, bool) {
	m, ok := t.Lookup(r.Model)
	if !ok {
		return usage.Money{}, false
	}
	p, ok := t.Provider(provider)
	if !ok {
		return usage.Money{}, false
	}
	rt := m.rates(r)
	tok := 1.0 // on every token class
	if r.Geo == "us" && m.GeoUS {
		tok *= geoUS
	}
	if r.Tier == "batch" {
		tok *= batch
	}
	tok *= p.Multiplier
	in := float64(r.Input) * rt.Input
	out := float64(r.Output) * rt.Output
	write := float64(r.CacheWrite5m)*rt.CacheWrite5m + float64(r.CacheWrite1h)*rt.CacheWrite1h
	read := float64(r.CacheRead) * rt.CacheRead
	web := float64(r.WebSearch) * webSearchMicro * p.Multiplier
	return usage.Money{
		Input:      in * tok / 1e6,
		Output:     out * tok / 1e6,
		CacheWrite: write * tok / 1e6,
		CacheRead:  read * tok / 1e6,
		WebSearch:  web / 1e6,
	}, true
}

// rates returns the rates that apply to r before the geo, batch and provider
// multipliers: the standard rates of r's day, or the long-context tier's when r's
// prompt input is above its threshold, or fast rates for a fast request.
// LongContext reports whether r is priced at its model's long-context tier:
// as a billing export states it, or by r's own prompt input above the tier's
// threshold. False for a model without a price or without such a tier.
func (t *Table) LongContext(r *usage.Request) bool {
	switch r.Context {
	case usage.ContextLong:
		return true
	case usage.ContextStandard:
		return false
	}
	th, ok := t.threshold(r.Model)
	return ok && r.PromptInput() > th
}

// threshold is the long-context threshold of a model (false: none, or no
// price), remembered per id: every logged request asks.
func (t *Table) threshold(model string) (int64, bool) {
	if v, ok := t.thresholds.Load(model); ok {
		th := v.(int64)
		return th, th >= 0
	}
	th := int64(-1)
	if m, ok := t.Lookup(model); ok && m.LongContext != nil {
		th = m.LongContext.Threshold
	}
	t.thresholds.Store(model, th)
	return th, th >= 0
}

func (m *Model) rates(r *usage.Request) Rates {
	std := m.RatesAt(r.Time)
	switch {
	case m.LongContext != nil && longContext(r, m.LongContext.Threshold):
		return m.LongContext.Rates
	case m.Fast != nil && r.Speed == "fast":
		// The model's cache multipliers, applied on the fast input rate.
		return Rates{
			Input:        m.Fast.Input,
			CacheWrite5m: m.Fast.Input * (std.CacheWrite5m / std.Input),
			CacheWrite1h: m.Fast.Input * (std.CacheWrite1h / std.Input),
			CacheRead:    m.Fast.Input * (std.CacheRead / std.Input),
			Output:       m.Fast.Output,
		}
	}
	return std
}

// longContext decides the tier: a billing export states it for a whole row; a
// logged request is above the threshold by its own prompt input.
func longContext(r *usage.Request, threshold int64) bool {
	switch r.Context {
	case usage.ContextLong:
		return true
	case usage.ContextStandard:
		return false
	}
	return r.PromptInput() > threshold
}
