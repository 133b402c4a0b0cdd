package billing

import (
	"fmt"
	"strings"
)

// Format is a kind of billing export, detected from its header row.
type Format int8

const (
	FormatUsage      Format = iota + 1 // Anthropic Console usage (tokens) export
	FormatCost                         // Anthropic Console cost export
	FormatOpenRouter                   // OpenRouter activity export
	FormatMapped                       // any CSV, read through a Mapping (--csv-map)
)

func (f Format) String() string {
	switch f {
	case FormatUsage:
		return "Console usage export"
	case FormatCost:
		return "Console cost export"
	case FormatOpenRouter:
		return "OpenRouter activity export"
	case FormatMapped:
		return "mapped CSV"
	}
	return "unknown format"
}

// Header is what the header row of a file says about it.
type Header struct {
	Format Format
	// Version is the header version: "v1" (no context_window) or "v2" for usage
	// exports; "2024", "2025-12", "2026-02" or "2026-mid" for cost exports; "v1" (no
	// tokens_cached) or "v2" for OpenRouter; the mapping's name for mapped files.
	Version string
	// Ignored lists the header's columns that the format neither reads nor knows
	// (a newer export may have added them), blank names left out. Callers may
	// warn about them.
	Ignored []string
}

// field is a value a row can carry; a format maps some of its columns to fields.
type field int8

const (
	fDate field = iota
	fModel
	fKey       // api_key, api_key_name
	fWorkspace // workspace
	fTier      // usage_type
	fContext   // context_window
	fInput     // uncached input tokens
	fCW5       // 5-minute cache writes
	fCW1       // 1-hour cache writes
	fCacheRead // cache reads
	fOutput    // output tokens
	fWebSearch // web search count
	fGeo       // inference_geo
	fSpeed     // speed
	fTokenType // cost export token_type
	fCost      // dollars: cost_usd, cost_total, a mapped cost
	fCostType  // cost export cost_type
	fPrompt    // OpenRouter tokens_prompt (input including cached)
	fCached    // OpenRouter tokens_cached
	fWebCost   // OpenRouter cost_web_search
	fID        // OpenRouter generation_id
	fUser      // a mapped user column
	nFields
)

// column is one column a format reads.
type column struct {
	name     string
	f        field
	required bool
}

// spec describes one known format.
type spec struct {
	format Format
	cols   []column
	known  []string // columns the format has but does not read
	// version names the header version from the fields present.
	version func(has func(field) bool) string
}

var usageSpec = spec{
	format: FormatUsage,
	cols: []column{
		{"usage_date_utc", fDate, true},
		{"model_version", fModel, true},
		{"api_key", fKey, true},
		{"workspace", fWorkspace, true},
		{"usage_type", fTier, true},
		{"context_window", fContext, false},
		{"usage_input_tokens_no_cache", fInput, true},
		{"usage_input_tokens_cache_write_5m", fCW5, true},
		{"usage_input_tokens_cache_write_1h", fCW1, true},
		{"usage_input_tokens_cache_read", fCacheRead, true},
		{"usage_output_tokens", fOutput, true},
		{"web_search_count", fWebSearch, true},
		{"inference_geo", fGeo, false},
		{"speed", fSpeed, false},
	},
	version: func(has func(field) bool) string {
		if has(fContext) || has(fGeo) || has(fSpeed) {
			return "v2"
		}
		return "v1"
	},
}

var costSpec = spec{
	format: FormatCost,
	cols: []column{
		{"usage_date_utc", fDate, true},
		{"model", fModel, true},
		{"workspace", fWorkspace, true},
		{"api_key", fKey, true},
		{"usage_type", fTier, true},
		{"context_window", fContext, false},
		{"token_type", fTokenType, true},
		{"cost_usd", fCost, true},
		{"cost_type", fCostType, false},
		{"inference_geo", fGeo, false},
		{"speed", fSpeed, false},
	},
	known: []string{"list_price_usd"},
	version: func(has func(field) bool) string {
		switch {
		case has(fGeo) || has(fSpeed):
			return "2026-02" // "2026-mid" when list_price_usd is there too: see detect
		case has(fContext) || has(fCostType):
			return "2025-12"
		}
		return "2024"
	},
}

var openRouterSpec = spec{
	format: FormatOpenRouter,
	cols: []column{
		{"generation_id", fID, true},
		{"created_at", fDate, true},
		{"cost_total", fCost, true},
		{"cost_web_search", fWebCost, false},
		{"tokens_prompt", fPrompt, true},
		{"tokens_completion", fOutput, true},
		{"tokens_cached", fCached, false},
		{"model_permaslug", fModel, true},
		{"api_key_name", fKey, false},
	},
	known: []string{"cost_cache", "cost_file_processing", "byok_usage_inference", "tokens_reasoning",
		"provider_name", "variant", "cancelled", "streamed", "user", "finish_reason_raw",
		"finish_reason_normalized", "generation_time_ms", "time_to_first_token_ms",
		"api_key_disabled", "app_name"},
	version: func(has func(field) bool) string {
		if has(fCached) {
			return "v2"
		}
		return "v1"
	},
}

var specs = []*spec{&usageSpec, &costSpec, &openRouterSpec}

// layout is a detected header: the format and where each field is.
type layout struct {
	Header
	idx     [nFields]int // column index of each field, -1 when absent
	names   []string     // the header row as written (for error messages)
	mapping *Mapping
}

// HeaderError is a header row that matches no known format (nor the mapping).
type HeaderError struct {
	File    string
	Columns []string // the header row
	// Tried says, per format tried, why it does not match, e.g.
	// "Console usage export: missing model_version, api_key and 8 more".
	Tried []string
}

func (e *HeaderError) Error() string {
	names := make([]string, 0, len(e.Tried))
	hint := "to read another export, name its columns in a --csv-map FILE"
	for _, t := range e.Tried {
		name, why, _ := strings.Cut(t, ": ")
		names = append(names, name)
		if name == mappingName {
			hint = "the --csv-map FILE does not fit it: " + why
		}
	}
	return fmt.Sprintf("%s: unknown CSV header %s: not a %s; %s", e.File, quoteCols(e.Columns, 4), orList(names), hint)
}

const mappingName = "the --csv-map mapping"

// quoteCols shows the first n columns of a header, quoted.
func quoteCols(cols []string, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, c := range cols {
		if i == n {
			fmt.Fprintf(&b, ", ... %d columns", len(cols))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", clip(c))
	}
	b.WriteByte(')')
	return b.String()
}

// orList joins "a", "b" and "c" as "a, b or c".
func orList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// andMore lists up to three names: "a, b and 4 more".
func andMore(s []string) string {
	if len(s) <= 3 {
		if len(s) <= 1 {
			return strings.Join(s, "")
		}
		return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
	}
	return fmt.Sprintf("%s and %d more", strings.Join(s[:3], ", "), len(s)-3)
}

// normName is how header cells are compared: trimmed, BOM-less, lower case.
func normName(s string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF")))
}

// detect finds the format of a header row: the known formats first, then the
// mapping m if there is one. file names the file in errors.
func detect(file string, header []string, m *Mapping) (*layout, error) {
	pos := make(map[string][]int, len(header))
	for i, h := range header {
		n := normName(h)
		pos[n] = append(pos[n], i)
	}
	var tried []string
	for _, s := range specs {
		l, why := match(s, header, pos)
		if l != nil {
			if s.format == FormatCost && len(pos["list_price_usd"]) > 0 {
				l.Version = "2026-mid"
			}
			return l, nil
		}
		tried = append(tried, s.format.String()+": "+why)
	}
	if m != nil {
		s := m.spec()
		l, why := match(s, header, pos)
		if l != nil {
			l.Version = m.Name
			l.mapping = m
			return l, nil
		}
		tried = append(tried, mappingName+": "+why)
	}
	return nil, &HeaderError{File: file, Columns: header, Tried: tried}
}

// match checks a header against a spec; on failure it says why.
func match(s *spec, header []string, pos map[string][]int) (*layout, string) {
	var missing, twice []string
	for _, c := range s.cols {
		switch p := pos[normName(c.name)]; {
		case len(p) == 0 && c.required:
			missing = append(missing, c.name)
		case len(p) > 1:
			twice = append(twice, c.name)
		}
	}
	if len(missing) > 0 {
		return nil, "missing " + andMore(missing)
	}
	if len(twice) > 0 {
		return nil, "repeated column " + andMore(twice)
	}
	l := &layout{names: header}
	for i := range l.idx {
		l.idx[i] = -1
	}
	read := make(map[string]bool, len(s.cols)+len(s.known))
	for _, c := range s.cols {
		n := normName(c.name)
		read[n] = true
		if p := pos[n]; len(p) == 1 {
			l.idx[c.f] = p[0]
		}
	}
	for _, k := range s.known {
		read[k] = true
	}
	for _, h := range header {
		if n := normName(h); n != "" && !read[n] { // a blank name: a trailing comma
			l.Ignored = append(l.Ignored, h)
		}
	}
	l.Format = s.format
	if s.version != nil {
		l.Version = s.version(func(f field) bool { return l.idx[f] >= 0 })
	}
	return l, ""
}
