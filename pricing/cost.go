package pricing

import "github.com/usagescan/usagescan/usage"

const (
	// webSearchMicro is the price of one web search in millionths of a USD ($10 per 1,000).
	webSearchMicro = 10_000
	geoUS          = 1.1 // inference_geo "us" on models with GeoUS
	batch          = 0.5 // service tier "batch"
)

// Cost is the price of one request, or of a sum of requests, in USD.
type Cost struct {
	Input      float64 `json:"input"`
	Output     float64 `json:"output"`
	CacheWrite float64 `json:"cache_write"` // 5-minute and 1-hour writes
	CacheRead  float64 `json:"cache_read"`
	WebSearch  float64 `json:"web_search"`
	Total      float64 `json:"total"`
}

// Add adds o to c.
func (c *Cost) Add(o Cost) {
	c.Input += o.Input
	c.Output += o.Output
	c.CacheWrite += o.CacheWrite
	c.CacheRead += o.CacheRead
	c.WebSearch += o.WebSearch
	c.Total += o.Total
}

// Cost returns what request r costs through provider ("" is "anthropic"), by the
// rules in the package documentation. It returns false, and no cost, if the table
// has no model r.Model or no such provider: an unknown price is never $0.
//
// Total is computed from the token counts and rates in one sum, so it can differ
// from the sum of the parts in the last bits.
func (t *Table) Cost(r *usage.Request, provider string) (Cost, bool) {
	m, ok := t.Lookup(r.Model)
	if !ok {
		return Cost{}, false
	}
	p, ok := t.Provider(provider)
	if !ok {
		return Cost{}, false
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
	return Cost{
		Input:      in * tok / 1e6,
		Output:     out * tok / 1e6,
		CacheWrite: write * tok / 1e6,
		CacheRead:  read * tok / 1e6,
		WebSearch:  web / 1e6,
		Total:      ((in+out+write+read)*tok + web) / 1e6,
	}, true
}

// rates returns the rates that apply to r before the geo, batch and provider
// multipliers: the standard rates of r's day, or the long-context tier's when r's
// prompt input is above its threshold, or fast rates for a fast request.
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
