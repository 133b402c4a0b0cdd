package pricing_test

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// models is the reference table (../shared/reference/pricing.md), written out by
// hand: every model, its rates in USD per million, and its flags.
var models = []struct {
	id                       string
	in, w5m, w1h, read, out  float64
	geo                      bool
	fastIn, fastOut          float64 // 0: no fast rates
	lcThreshold              int64   // 0: no long-context tier
	lcIn, lcW5m, lcW1h, lcRd float64
	lcOut                    float64
}{
	{id: "claude-fable-5-1", in: 10, w5m: 12.50, w1h: 20, read: 0.25, out: 50, geo: true},
	{id: "claude-mythos-5-1", in: 10, w5m: 12.50, w1h: 20, read: 0.25, out: 50, geo: true},
	{id: "claude-fable-5", in: 10, w5m: 12.50, w1h: 20, read: 1.00, out: 50, geo: true},
	{id: "claude-mythos-5", in: 10, w5m: 12.50, w1h: 20, read: 1.00, out: 50, geo: true},
	{id: "claude-opus-5-5", in: 4, w5m: 5, w1h: 8, read: 0.20, out: 20, geo: true, fastIn: 8, fastOut: 40},
	{id: "claude-opus-5", in: 5, w5m: 6.25, w1h: 10, read: 0.50, out: 25, geo: true, fastIn: 10, fastOut: 50},
	{id: "claude-opus-4-8", in: 5, w5m: 6.25, w1h: 10, read: 0.50, out: 25, geo: true, fastIn: 10, fastOut: 50},
	{id: "claude-opus-4-7", in: 5, w5m: 6.25, w1h: 10, read: 0.50, out: 25, geo: true},
	{id: "claude-opus-4-6", in: 5, w5m: 6.25, w1h: 10, read: 0.50, out: 25, geo: true},
	{id: "claude-opus-4-5-20251101", in: 5, w5m: 6.25, w1h: 10, read: 0.50, out: 25},
	{id: "claude-opus-4-1-20250805", in: 15, w5m: 18.75, w1h: 30, read: 1.50, out: 75},
	{id: "claude-opus-4-20250514", in: 15, w5m: 18.75, w1h: 30, read: 1.50, out: 75},
	{id: "claude-3-opus-20240229", in: 15, w5m: 18.75, w1h: 30, read: 1.50, out: 75},
	{id: "claude-sonnet-5-5", in: 2, w5m: 2.50, w1h: 4, read: 0.20, out: 10, geo: true},
	{id: "claude-sonnet-5", in: 2, w5m: 2.50, w1h: 4, read: 0.20, out: 10, geo: true},
	{id: "claude-sonnet-4-6", in: 3, w5m: 3.75, w1h: 6, read: 0.30, out: 15, geo: true},
	{id: "claude-sonnet-4-5-20250929", in: 3, w5m: 3.75, w1h: 6, read: 0.30, out: 15,
		lcThreshold: 200000, lcIn: 6, lcW5m: 7.50, lcW1h: 12, lcRd: 0.60, lcOut: 22.50},
	{id: "claude-sonnet-4-20250514", in: 3, w5m: 3.75, w1h: 6, read: 0.30, out: 15,
		lcThreshold: 200000, lcIn: 6, lcW5m: 7.50, lcW1h: 12, lcRd: 0.60, lcOut: 22.50},
	{id: "claude-3-7-sonnet-20250219", in: 3, w5m: 3.75, w1h: 6, read: 0.30, out: 15},
	{id: "claude-3-5-sonnet-20241022", in: 3, w5m: 3.75, w1h: 6, read: 0.30, out: 15},
	{id: "claude-3-5-sonnet-20240620", in: 3, w5m: 3.75, w1h: 6, read: 0.30, out: 15},
	{id: "claude-haiku-5-5", in: 0.10, w5m: 0.125, w1h: 0.20, read: 0.01, out: 0.50, geo: true,
		lcThreshold: 100000, lcIn: 0.50, lcW5m: 0.625, lcW1h: 1.00, lcRd: 0.05, lcOut: 2.50},
	{id: "claude-haiku-4-5-20251001", in: 1, w5m: 1.25, w1h: 2, read: 0.10, out: 5},
	{id: "claude-3-5-haiku-20241022", in: 0.80, w5m: 1, w1h: 1.60, read: 0.08, out: 4},
	{id: "claude-3-haiku-20240307", in: 0.25, w5m: 0.30, w1h: 0.50, read: 0.03, out: 1.25},
}

// before and after are times on either side of every date-effective change.
var (
	before = time.Date(2026, 9, 30, 12, 0, 0, 0, time.UTC)
	after  = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
)

// tenK is a request with 10,000 tokens of every class: 1/100 of the per-million
// rates, and below every long-context threshold.
func tenK(model string) *usage.Request {
	return &usage.Request{Model: model, Time: before, Tokens: usage.Tokens{
		Input: 1e4, Output: 1e4, CacheWrite5m: 1e4, CacheWrite1h: 1e4, CacheRead: 1e4}}
}

// near reports whether a and b agree to 1e-12 of their size.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestModelRates(t *testing.T) {
	tab := pricing.Default()
	if got, want := len(tab.Models()), len(models); got != want {
		t.Errorf("table has %d models, the test %d", got, want)
	}
	for _, w := range models {
		m, ok := tab.Lookup(w.id)
		if !ok {
			t.Errorf("%s: not in the table", w.id)
			continue
		}
		if m.ID != w.id {
			t.Errorf("%s: canonical id is %s", w.id, m.ID)
		}
		want := pricing.Rates{Input: w.in, CacheWrite5m: w.w5m, CacheWrite1h: w.w1h, CacheRead: w.read, Output: w.out}
		if got := m.RatesAt(before); got != want {
			t.Errorf("%s: rates %+v, want %+v", w.id, got, want)
		}
		if m.GeoUS != w.geo {
			t.Errorf("%s: GeoUS = %v, want %v", w.id, m.GeoUS, w.geo)
		}
		switch {
		case w.fastIn == 0 && m.Fast != nil:
			t.Errorf("%s: has fast rates %+v, want none", w.id, *m.Fast)
		case w.fastIn != 0 && (m.Fast == nil || *m.Fast != pricing.Fast{Input: w.fastIn, Output: w.fastOut}):
			t.Errorf("%s: fast rates %v, want %v/%v", w.id, m.Fast, w.fastIn, w.fastOut)
		}
		switch {
		case w.lcThreshold == 0 && m.LongContext != nil:
			t.Errorf("%s: has a long-context tier %+v, want none", w.id, *m.LongContext)
		case w.lcThreshold != 0 && (m.LongContext == nil || *m.LongContext != pricing.Tier{
			Threshold: w.lcThreshold,
			Rates:     pricing.Rates{Input: w.lcIn, CacheWrite5m: w.lcW5m, CacheWrite1h: w.lcW1h, CacheRead: w.lcRd, Output: w.lcOut},
		}):
			t.Errorf("%s: long-context tier %v, want %d: %v %v %v %v %v", w.id, m.LongContext,
				w.lcThreshold, w.lcIn, w.lcW5m, w.lcW1h, w.lcRd, w.lcOut)
		}

		// The same figures through Cost.
		c, ok := tab.Cost(tenK(w.id), "anthropic")
		if !ok {
			t.Errorf("%s: Cost not ok", w.id)
			continue
		}
		want2 := usage.Money{Input: w.in / 100, Output: w.out / 100, CacheWrite: (w.w5m + w.w1h) / 100,
			CacheRead: w.read / 100}
		if !nearCost(c, want2) {
			t.Errorf("%s: 10k of each class costs %+v, want %+v", w.id, c, want2)
		}
	}
}

func nearCost(a, b usage.Money) bool {
	return near(a.Input, b.Input) && near(a.Output, b.Output) && near(a.CacheWrite, b.CacheWrite) &&
		near(a.CacheRead, b.CacheRead) && near(a.WebSearch, b.WebSearch) && near(a.Total(), b.Total())
}

// The reference's cache rates are multiples of input: 1.25x (5-minute write), 2x
// (1-hour write) and 0.1x (read), 0.025x for reads on Fable and Mythos 5.1. Two
// models list other figures, which the table keeps as listed: Haiku 3 (0.30 and
// 0.03 on 0.25: 1.2x and 0.12x) and Opus 5.5 (read 0.20 on 4: 0.05x).
// Fast prices derive their cache rates from these multiples.
func TestDerivedCacheRates(t *testing.T) {
	type mults struct{ w5m, w1h, read float64 }
	except := map[string]mults{
		"claude-fable-5-1":        {1.25, 2, 0.025},
		"claude-mythos-5-1":       {1.25, 2, 0.025},
		"claude-opus-5-5":         {1.25, 2, 0.05},
		"claude-3-haiku-20240307": {1.2, 2, 0.12},
	}
	check := func(what string, r pricing.Rates, m mults) {
		t.Helper()
		if !near(r.CacheWrite5m, m.w5m*r.Input) || !near(r.CacheWrite1h, m.w1h*r.Input) || !near(r.CacheRead, m.read*r.Input) {
			t.Errorf("%s: cache rates %+v are not %v of input", what, r, m)
		}
	}
	for _, m := range pricing.Default().Models() {
		mult, ok := except[m.ID]
		if !ok {
			mult = mults{1.25, 2, 0.1}
		}
		check(m.ID, m.Rates, mult)
		if m.LongContext != nil {
			check(m.ID+" long context", m.LongContext.Rates, mult)
		}
	}
	// Sonnet 5.5's read rate falls from 0.1x to 0.05x of input on 2026-10-07.
	m, _ := pricing.Default().Lookup("claude-sonnet-5-5")
	check("claude-sonnet-5-5 from 2026-10-07", m.RatesAt(after), mults{1.25, 2, 0.05})
}

// TestEmbeddedFile reads prices.json on its own, without the package's loader.
func TestEmbeddedFile(t *testing.T) {
	data, err := os.ReadFile("prices.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Checked string
		Models  []struct {
			ID, Name    string
			Aliases     []string
			Rates       map[string]float64
			Changes     []struct{ Rates map[string]float64 }
			LongContext *struct {
				Threshold int64
				Rates     map[string]float64
			} `json:"long_context"`
			Fast map[string]float64
		}
		Providers []struct {
			ID         string
			Multiplier float64
			Note       string
		}
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f.Checked != "2026-09-13" {
		t.Errorf("checked = %q", f.Checked)
	}
	if got := pricing.Default().Checked(); !got.Equal(time.Date(2026, 9, 13, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Checked() = %v", got)
	}
	owner := map[string]string{} // lower-case name -> model id
	tab := pricing.Default()
	rateKeys := []string{"input", "cache_write_5m", "cache_write_1h", "cache_read", "output"}
	positive := func(id, what string, r map[string]float64, keys []string) {
		if len(r) != len(keys) {
			t.Errorf("%s: %s has %d rates, want %d", id, what, len(r), len(keys))
		}
		for _, k := range keys {
			if !(r[k] > 0) {
				t.Errorf("%s: %s %s = %v, want > 0", id, what, k, r[k])
			}
		}
	}
	for _, m := range f.Models {
		if m.ID == "" || m.Name == "" {
			t.Errorf("model %+v: no id or name", m)
		}
		for _, name := range append([]string{m.ID, m.Name}, m.Aliases...) {
			l := strings.ToLower(name)
			if o, ok := owner[l]; ok && o != m.ID {
				t.Errorf("%q names both %s and %s", name, o, m.ID)
			}
			owner[l] = m.ID
			if got, ok := tab.Lookup(name); !ok || got.ID != m.ID {
				t.Errorf("Lookup(%q) = %v, %v; want %s", name, got, ok, m.ID)
			}
		}
		positive(m.ID, "rates", m.Rates, rateKeys)
		for _, c := range m.Changes {
			positive(m.ID, "change", c.Rates, rateKeys)
		}
		if m.LongContext != nil {
			positive(m.ID, "long_context", m.LongContext.Rates, rateKeys)
			if m.LongContext.Threshold <= 0 {
				t.Errorf("%s: threshold %d", m.ID, m.LongContext.Threshold)
			}
		}
		if m.Fast != nil {
			positive(m.ID, "fast", m.Fast, []string{"input", "output"})
		}
	}
	providers := map[string]float64{}
	for _, p := range f.Providers {
		if _, dup := providers[p.ID]; dup {
			t.Errorf("provider %s twice", p.ID)
		}
		providers[p.ID] = p.Multiplier
	}
	if providers["anthropic"] != 1 || providers["runapi"] != 0.5 || len(providers) != 2 {
		t.Errorf("providers = %v, want anthropic 1, runapi 0.5", providers)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct{ name, want string }{
		// Anthropic API ids, dated, undated and aliases.
		{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"},
		{"claude-sonnet-4-5", "claude-sonnet-4-5-20250929"},
		{"claude-opus-4-6", "claude-opus-4-6"},
		{"claude-opus-4-0", "claude-opus-4-20250514"},
		{"claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022"},
		{"claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20240620"},
		{"claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022"},
		{"claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022"},
		{"claude-3-haiku-20240307", "claude-3-haiku-20240307"},
		{"claude-3-opus-20240229", "claude-3-opus-20240229"},
		{"claude-3-7-sonnet-20250219", "claude-3-7-sonnet-20250219"},
		{" Claude-Sonnet-4-5-20250929 ", "claude-sonnet-4-5-20250929"},
		// Bedrock.
		{"anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"},
		{"eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"},
		{"apac.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"},
		{"global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"},
		{"anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"},
		{"anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3-5-sonnet-20240620"},
		{"anthropic.claude-opus-4-6-v1", "claude-opus-4-6"},
		{"us.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001"},
		// Vertex.
		{"claude-sonnet-4-5@20250929", "claude-sonnet-4-5-20250929"},
		{"claude-opus-4-1@20250805", "claude-opus-4-1-20250805"},
		{"claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-20241022"},
		{"claude-3-5-sonnet@20240620", "claude-3-5-sonnet-20240620"},
		// OpenRouter.
		{"anthropic/claude-opus-4.7", "claude-opus-4-7"},
		{"anthropic/claude-sonnet-4.5", "claude-sonnet-4-5-20250929"},
		{"anthropic/claude-3.5-sonnet", "claude-3-5-sonnet-20241022"},
		{"anthropic/claude-3.7-sonnet", "claude-3-7-sonnet-20250219"},
		{"anthropic/claude-haiku-4.5", "claude-haiku-4-5-20251001"},
		// Console display names, any case.
		{"Claude Sonnet 4.5", "claude-sonnet-4-5-20250929"},
		{"Claude Haiku 4.5", "claude-haiku-4-5-20251001"},
		{"Claude 3.5 Sonnet 2024-10-22", "claude-3-5-sonnet-20241022"},
		{"Claude 3.5 Sonnet 2024-06-20", "claude-3-5-sonnet-20240620"},
		{"claude sonnet 4.5", "claude-sonnet-4-5-20250929"},
		{"CLAUDE OPUS 4.6", "claude-opus-4-6"},
		{"Claude Opus 5.5", "claude-opus-5-5"},
		{"Claude Fable 5.1", "claude-fable-5-1"},
		{"Claude 3 Haiku", "claude-3-haiku-20240307"},
		{"Claude Haiku 3", "claude-3-haiku-20240307"},
		// A dated snapshot of an undated id is that model.
		{"claude-opus-4-6-20260205", "claude-opus-4-6"},
		{"claude-opus-4-7-20260416", "claude-opus-4-7"},
		{"claude-sonnet-4-6-20260101", "claude-sonnet-4-6"},
		{"claude-opus-4-6@20260205", "claude-opus-4-6"},
		{"anthropic/claude-opus-4.7-20260416", "claude-opus-4-7"},
		// Unknown.
		{"claude-sonnet-4-5@20250930", ""},
		{"claude-sonnet-4-5-20250930", ""},        // another date of a dated id: not guessed
		{"claude-opus-4-6-20261340", ""},          // not a date
		{"claude-opus-4-6-2026020", ""},           // 7 digits
		{"claude-opus-9-20260101", ""},            // unknown base
		{"claude-opus-4-6-20260205-20260206", ""}, // two dates
		{"xx.anthropic.claude-sonnet-4-5-20250929-v1:0", ""},
		{"claude-sonnet-4-5-20250929-v1:0", ""},
		{"openai/claude-opus-4.7", ""},
		{"claude-opus-9", ""},
		{"<synthetic>", ""},
		{"", ""},
	}
	tab := pricing.Default()
	for _, tt := range tests {
		m, ok := tab.Lookup(tt.name)
		switch {
		case tt.want == "" && ok:
			t.Errorf("Lookup(%q) = %s, want not found", tt.name, m.ID)
		case tt.want != "" && !ok:
			t.Errorf("Lookup(%q) not found, want %s", tt.name, tt.want)
		case ok && m.ID != tt.want:
			t.Errorf("Lookup(%q) = %s, want %s", tt.name, m.ID, tt.want)
		}
	}

	// Every model in every provider's spelling.
	for _, w := range models {
		id := w.id
		var date string
		if n := len(id); id[n-9] == '-' && strings.Trim(id[n-8:], "0123456789") == "" {
			id, date = id[:n-9], id[n-8:]
		}
		openRouter := "anthropic/" + dotted(id)
		if date != "" {
			openRouter += "-" + date
		}
		forms := []string{w.id, "anthropic." + w.id + "-v1:0", openRouter}
		for _, r := range []string{"us.", "eu.", "apac.", "global."} {
			forms = append(forms, r+"anthropic."+w.id+"-v1:0")
		}
		if date != "" {
			forms = append(forms, id+"@"+date)
		}
		for _, f := range forms {
			if m, ok := tab.Lookup(f); !ok || m.ID != w.id {
				t.Errorf("Lookup(%q) = %v, %v; want %s", f, m, ok, w.id)
			}
		}
	}
}

// dotted writes an id's version the OpenRouter way: claude-opus-4-7 -> claude-opus-4.7.
func dotted(id string) string {
	b := []byte(id)
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '-' && isDigit(b[i-1]) && isDigit(b[i+1]) {
			b[i] = '.'
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func TestCost(t *testing.T) {
	day := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	type tok = usage.Tokens
	all := tok{Input: 1e6, Output: 1e6, CacheWrite5m: 1e6, CacheWrite1h: 1e6, CacheRead: 1e6}
	tests := []struct {
		name     string
		r        usage.Request
		provider string
		want     usage.Money
	}{
		// Long context: the whole request, output included, at the tier's rates.
		{"sonnet 4.5 above 200k", usage.Request{Model: "claude-sonnet-4-5-20250929",
			Tokens: tok{Input: 10, CacheRead: 250000, Output: 1000}}, "",
			usage.Money{Input: 10 * 6 / 1e6, CacheRead: 250000 * 0.60 / 1e6, Output: 1000 * 22.50 / 1e6}},
		{"sonnet 4.5 at 200k", usage.Request{Model: "claude-sonnet-4-5",
			Tokens: tok{Input: 10, CacheRead: 199990, Output: 1000}}, "",
			usage.Money{Input: 10 * 3 / 1e6, CacheRead: 199990 * 0.30 / 1e6, Output: 1000 * 15 / 1e6}},
		{"sonnet 4.5 cache writes count", usage.Request{Model: "claude-sonnet-4-5",
			Tokens: tok{Input: 1, CacheWrite5m: 100000, CacheWrite1h: 100000, Output: 10}}, "",
			usage.Money{Input: 6 / 1e6, CacheWrite: (100000*7.50 + 100000*12) / 1e6, Output: 10 * 22.50 / 1e6}},
		{"sonnet 4 above 200k", usage.Request{Model: "claude-sonnet-4-20250514",
			Tokens: tok{Input: 200001, Output: 100}}, "",
			usage.Money{Input: 200001 * 6 / 1e6, Output: 100 * 22.50 / 1e6}},
		{"sonnet 4.6 has no tier", usage.Request{Model: "claude-sonnet-4-6",
			Tokens: tok{Input: 500000, Output: 100}}, "",
			usage.Money{Input: 500000 * 3 / 1e6, Output: 100 * 15 / 1e6}},
		{"haiku 5.5 at 100k", usage.Request{Model: "claude-haiku-5-5",
			Tokens: tok{Input: 100000, Output: 1000}}, "",
			usage.Money{Input: 100000 * 0.10 / 1e6, Output: 1000 * 0.50 / 1e6}},
		{"haiku 5.5 above 100k", usage.Request{Model: "claude-haiku-5-5",
			Tokens: tok{Input: 100001, Output: 1000}}, "",
			usage.Money{Input: 100001 * 0.50 / 1e6, Output: 1000 * 2.50 / 1e6}},

		// Date-effective rates, by UTC day.
		{"sonnet 5.5 on 2026-10-06", usage.Request{Model: "claude-sonnet-5-5", Time: day("2026-10-06T23:59:59Z"),
			Tokens: tok{CacheRead: 1e6}}, "", usage.Money{CacheRead: 0.20}},
		{"sonnet 5.5 on 2026-10-07", usage.Request{Model: "claude-sonnet-5-5", Time: day("2026-10-07T00:00:00Z"),
			Tokens: tok{CacheRead: 1e6}}, "", usage.Money{CacheRead: 0.10}},
		{"sonnet 5.5 on 2026-10-06 UTC, 10-07 local", usage.Request{Model: "claude-sonnet-5-5",
			Time: day("2026-10-07T01:00:00+02:00"), Tokens: tok{CacheRead: 1e6}}, "",
			usage.Money{CacheRead: 0.20}},
		{"sonnet 5.5 other rates unchanged", usage.Request{Model: "claude-sonnet-5-5", Time: after, Tokens: all}, "",
			usage.Money{Input: 2, CacheWrite: 2.50 + 4, CacheRead: 0.10, Output: 10}},

		// Web search $10 per 1,000; web fetch free.
		{"web search", usage.Request{Model: "claude-sonnet-4-6", WebSearch: 3, WebFetch: 5}, "",
			usage.Money{WebSearch: 0.03}},
		{"web search runapi", usage.Request{Model: "claude-sonnet-4-6", WebSearch: 3, Tokens: tok{Input: 1000}}, "runapi",
			usage.Money{WebSearch: 0.015, Input: 0.0015}},

		// Fast mode: fast input and output, cache multipliers on the fast input.
		{"opus 5 fast", usage.Request{Model: "claude-opus-5", Speed: "fast", Tokens: all}, "",
			usage.Money{Input: 10, CacheWrite: 12.50 + 20, CacheRead: 1.00, Output: 50}},
		{"opus 4.8 fast", usage.Request{Model: "claude-opus-4-8", Speed: "fast", Tokens: all}, "",
			usage.Money{Input: 10, CacheWrite: 12.50 + 20, CacheRead: 1.00, Output: 50}},
		// Opus 5.5 lists cache read at 0.05x of input (0.20 on 4), so on the fast
		// base of 8 it is 0.40, not 0.1x = 0.80.
		{"opus 5.5 fast", usage.Request{Model: "claude-opus-5-5", Speed: "fast", Tokens: all}, "",
			usage.Money{Input: 8, CacheWrite: 10 + 16, CacheRead: 0.40, Output: 40}},
		{"opus 5 standard", usage.Request{Model: "claude-opus-5", Speed: "standard", Tokens: all}, "",
			usage.Money{Input: 5, CacheWrite: 6.25 + 10, CacheRead: 0.50, Output: 25}},
		{"opus 4.6 fast at standard rates", usage.Request{Model: "claude-opus-4-6", Speed: "fast", Tokens: all}, "",
			usage.Money{Input: 5, CacheWrite: 6.25 + 10, CacheRead: 0.50, Output: 25}},
		{"opus 4.7 no fast mode", usage.Request{Model: "claude-opus-4-7", Speed: "fast", Tokens: all}, "",
			usage.Money{Input: 5, CacheWrite: 6.25 + 10, CacheRead: 0.50, Output: 25}},

		// inference_geo us: 1.1x on every token class, 4.6 and later only.
		{"opus 4.6 us", usage.Request{Model: "claude-opus-4-6", Geo: "us", Tokens: all}, "",
			usage.Money{Input: 5.5, CacheWrite: 6.875 + 11, CacheRead: 0.55, Output: 27.5}},
		{"sonnet 4.6 us", usage.Request{Model: "claude-sonnet-4-6", Geo: "us", Tokens: tok{Input: 1e6, Output: 1e6}}, "",
			usage.Money{Input: 3.3, Output: 16.5}},
		{"opus 4.6 global", usage.Request{Model: "claude-opus-4-6", Geo: "global", Tokens: tok{Input: 1e6}}, "",
			usage.Money{Input: 5}},
		{"sonnet 4.5 us: no surcharge", usage.Request{Model: "claude-sonnet-4-5", Geo: "us", Tokens: tok{Input: 1e5}}, "",
			usage.Money{Input: 0.3}},
		{"opus 4.5 us: no surcharge", usage.Request{Model: "claude-opus-4-5", Geo: "us", Tokens: tok{Input: 1e6}}, "",
			usage.Money{Input: 5}},
		{"opus 5 fast us", usage.Request{Model: "claude-opus-5", Speed: "fast", Geo: "us", Tokens: tok{Input: 1e6, CacheRead: 1e6}}, "",
			usage.Money{Input: 11, CacheRead: 1.1}},

		// Batch: 0.5x on input and output, cache rates stack on the halved base.
		{"sonnet 4.6 batch", usage.Request{Model: "claude-sonnet-4-6", Tier: "batch", Tokens: all}, "",
			usage.Money{Input: 1.5, CacheWrite: 1.875 + 3, CacheRead: 0.15, Output: 7.5}},
		{"sonnet 4.6 batch us", usage.Request{Model: "claude-sonnet-4-6", Tier: "batch", Geo: "us", Tokens: tok{Input: 1e6, Output: 1e6}}, "",
			usage.Money{Input: 1.65, Output: 8.25}},
		{"sonnet 4.5 batch long context", usage.Request{Model: "claude-sonnet-4-5", Tier: "batch",
			Tokens: tok{Input: 300000, Output: 1000}}, "",
			usage.Money{Input: 0.9, Output: 0.01125}},
		{"haiku 4.5 priority: standard", usage.Request{Model: "claude-haiku-4-5", Tier: "priority", Tokens: tok{Input: 1e6}}, "",
			usage.Money{Input: 1}},

		// Providers.
		{"runapi half", usage.Request{Model: "claude-sonnet-4-6", Tokens: all}, "runapi",
			usage.Money{Input: 1.5, CacheWrite: 1.875 + 3, CacheRead: 0.15, Output: 7.5}},
		{"anthropic by name", usage.Request{Model: "claude-sonnet-4-6", Tokens: tok{Output: 1e6}}, "Anthropic",
			usage.Money{Output: 15}},
		{"runapi batch us", usage.Request{Model: "claude-opus-4-6", Tier: "batch", Geo: "us", Tokens: tok{Output: 1e6}}, "runapi",
			usage.Money{Output: 25 * 1.1 * 0.5 * 0.5}},

		// Any id form prices the same.
		{"bedrock id", usage.Request{Model: "us.anthropic.claude-haiku-4-5-20251001-v1:0", Tokens: tok{Input: 1e6}}, "",
			usage.Money{Input: 1}},
		{"zero tokens", usage.Request{Model: "claude-haiku-4-5"}, "", usage.Money{}},
	}
	tab := pricing.Default()
	for _, tt := range tests {
		if tt.r.Time.IsZero() {
			tt.r.Time = before
		}
		got, ok := tab.Cost(&tt.r, tt.provider)
		if !ok {
			t.Errorf("%s: not ok", tt.name)
			continue
		}
		if !nearCost(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// The example holds to the last bit.
func TestLongContextExact(t *testing.T) {
	r := &usage.Request{Model: "claude-sonnet-4-5-20250929", Time: before,
		Tokens: usage.Tokens{Input: 10, CacheRead: 250000, Output: 1000}}
	c, ok := pricing.Default().Cost(r, "anthropic")
	if want := (10*6 + 250000*0.60 + 1000*22.50) / 1e6; !ok || c.Total() != want {
		t.Errorf("total = %v, %v; want exactly %v", c.Total(), ok, want)
	}
}

func TestCostUnknown(t *testing.T) {
	tab := pricing.Default()
	for _, tt := range []struct{ model, provider string }{
		{"claude-opus-9", ""},
		{"gpt-4o", "anthropic"},
		{"", ""},
		{"claude-sonnet-4-6", "acme"},
	} {
		r := &usage.Request{Model: tt.model, Tokens: usage.Tokens{Input: 1000, Output: 1000}}
		if c, ok := tab.Cost(r, tt.provider); ok || c != (usage.Money{}) {
			t.Errorf("Cost(%q, %q) = %+v, %v; want not ok", tt.model, tt.provider, c, ok)
		}
	}
}

func TestCostAdd(t *testing.T) {
	var sum usage.Money
	sum.Add(usage.Money{Input: 1, Output: 2, CacheWrite: 3, CacheRead: 4, WebSearch: 5})
	sum.Add(usage.Money{Input: 1, Output: 2, CacheWrite: 3, CacheRead: 4, WebSearch: 5})
	if want := (usage.Money{Input: 2, Output: 4, CacheWrite: 6, CacheRead: 8, WebSearch: 10}); sum != want {
		t.Errorf("sum = %+v, want %+v", sum, want)
	}
}

func TestStale(t *testing.T) {
	tab := pricing.Default() // checked 2026-09-13; +90 days is 2026-12-12
	tests := []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 9, 13, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 12, 12, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2026, 12, 13, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 12, 13, 0, 30, 0, 0, time.FixedZone("CET", 3600)), false}, // still the 12th in UTC
		{time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		if got := tab.Stale(tt.now); got != tt.want {
			t.Errorf("Stale(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

func TestProviders(t *testing.T) {
	tab := pricing.Default()
	for _, tt := range []struct {
		id   string
		want float64
	}{{"", 1}, {"anthropic", 1}, {"runapi", 0.5}, {"RunAPI", 0.5}} {
		p, ok := tab.Provider(tt.id)
		if !ok || p.Multiplier != tt.want {
			t.Errorf("Provider(%q) = %+v, %v; want multiplier %v", tt.id, p, ok, tt.want)
		}
	}
	if p, _ := tab.Provider("runapi"); !strings.Contains(p.Note, "half the published rate") {
		t.Errorf("runapi note %q does not cite its claim", p.Note)
	}
	if _, ok := tab.Provider("acme"); ok {
		t.Error("Provider(acme) found")
	}
	if got := len(tab.Providers()); got != 2 {
		t.Errorf("%d providers, want 2", got)
	}
}

func TestMarshalJSON(t *testing.T) {
	tab := pricing.Default()
	data, err := json.Marshal(tab)
	if err != nil {
		t.Fatal(err)
	}
	// What the table writes, it reads back as the same table.
	file := t.TempDir() + "/prices.json"
	if err := os.WriteFile(file, data, 0o666); err != nil {
		t.Fatal(err)
	}
	again, err := tab.Override(file)
	if err != nil {
		t.Fatal(err)
	}
	data2, _ := json.Marshal(again)
	if string(data) != string(data2) {
		t.Errorf("round trip changed the table:\n%s\n%s", data, data2)
	}
	if !strings.Contains(string(data), `"checked":"2026-09-13"`) {
		t.Errorf("no checked date in %s", data[:100])
	}
}

// Cost runs once per request of a scan: for an id in its usual form it must not allocate.
func TestCostAllocs(t *testing.T) {
	tab := pricing.Default()
	r := tenK("claude-sonnet-4-5-20250929")
	if n := testing.AllocsPerRun(100, func() { tab.Cost(r, "anthropic") }); n != 0 {
		t.Errorf("Cost allocates %v times", n)
	}
}
