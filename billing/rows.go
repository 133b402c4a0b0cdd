package billing

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/usagescan/usagescan/internal/strutil"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// row fills rd.rec from one data row. It returns false, and no error, for a row
// left out by design.
func (rd *Reader) row(row []string) (bool, *RowError) {
	switch rd.lay.Format {
	case FormatUsage:
		return true, rd.usageRow(row)
	case FormatCost:
		return true, rd.costRow(row)
	case FormatOpenRouter:
		return rd.openRouterRow(row)
	}
	return true, rd.mappedRow(row)
}

// usageRow reads a Console usage-export row: tokens, no cost.
func (rd *Reader) usageRow(row []string) *RowError {
	t, err := rd.date(row)
	if err != nil {
		return err
	}
	r := &rd.rec
	*r = usage.Request{Source: SourceUsage, Time: t, Model: rd.model(na(rd.cell(row, fModel)))}
	if r.Context, err = rd.context(row); err != nil { // context_window comes before the counts
		return err
	}
	if err := rd.tokens(row, &r.Tokens, &r.WebSearch); err != nil {
		return err
	}
	rd.labels(row, r)
	return nil
}

// tokens reads the token columns a format has, and the web search count.
func (rd *Reader) tokens(row []string, tk *usage.Tokens, web *int32) *RowError {
	for _, c := range [...]struct {
		f   field
		dst *int64
	}{{fInput, &tk.Input}, {fCW5, &tk.CacheWrite5m}, {fCW1, &tk.CacheWrite1h}, {fCacheRead, &tk.CacheRead}, {fOutput, &tk.Output}} {
		n, err := rd.count(row, c.f, 64)
		if err != nil {
			return err
		}
		*c.dst = n
	}
	n, err := rd.count(row, fWebSearch, 32)
	*web = int32(n)
	return err
}

// costRow reads a Console cost-export row: one amount, by token type, no tokens.
func (rd *Reader) costRow(row []string) *RowError {
	t, err := rd.date(row)
	if err != nil {
		return err
	}
	amount, err := rd.money(row, fCost)
	if err != nil {
		return err
	}
	r := &rd.rec
	*r = usage.Request{Source: SourceCost, Time: t, Billed: &usage.Money{}}
	costType := "token"
	if rd.lay.idx[fCostType] >= 0 {
		costType = strings.ToLower(na(rd.cell(row, fCostType)))
	}
	model := na(rd.cell(row, fModel))
	switch costType {
	case "token", "tokens", "":
		switch tt := strings.ToLower(na(rd.cell(row, fTokenType))); {
		case tt == "input_no_cache":
			r.Billed.Input = amount
		case tt == "output":
			r.Billed.Output = amount
		case tt == "input_cache_read":
			r.Billed.CacheRead = amount
		case strings.HasPrefix(tt, "input_cache_write"): // _5m, _1h; unsplit in old exports
			r.Billed.CacheWrite = amount
		default:
			return rd.cellError(row, fTokenType, "unknown token type")
		}
	case "web_search":
		r.Billed.WebSearch = amount
		if model == "" {
			model = WebSearchModel
		}
	default:
		return rd.cellError(row, fCostType, "unknown cost type (want token or web_search)")
	}
	r.Model = rd.model(model)
	if r.Context, err = rd.context(row); err != nil {
		return err
	}
	rd.labels(row, r)
	return nil
}

// openRouterRow reads one OpenRouter generation: tokens and the billed cost.
// Rows of models that are not Anthropic's are left out (false).
func (rd *Reader) openRouterRow(row []string) (bool, *RowError) {
	raw := rd.cell(row, fModel)
	if len(raw) < len("anthropic/") || !strings.EqualFold(raw[:len("anthropic/")], "anthropic/") {
		return false, nil
	}
	t, err := rd.date(row)
	if err != nil {
		return true, err
	}
	r := &rd.rec
	*r = usage.Request{Source: SourceOpenRouter, Time: t, Model: rd.model(raw), Count: 1} // one generation
	prompt, err := rd.count(row, fPrompt, 64)
	if err != nil {
		return true, err
	}
	cached, err := rd.count(row, fCached, 64)
	if err != nil {
		return true, err
	}
	if cached > prompt {
		return true, rd.cellError(row, fCached, "more cached tokens than tokens_prompt")
	}
	r.Input, r.CacheRead = prompt-cached, cached
	if r.Output, err = rd.count(row, fOutput, 64); err != nil {
		return true, err
	}
	total, err := rd.money(row, fCost)
	if err != nil {
		return true, err
	}
	web, err := rd.money(row, fWebCost)
	if err != nil {
		return true, err
	}
	r.Billed = &usage.Money{Input: total - web, WebSearch: web}
	if id := rd.cell(row, fID); id != "" {
		r.Key = "openrouter:" + id
	}
	r.User = rd.user(row)
	return true, nil
}

// mappedRow reads a row through the mapping.
func (rd *Reader) mappedRow(row []string) *RowError {
	m := rd.lay.mapping
	t, err := rd.date(row)
	if err != nil {
		return err
	}
	model := na(rd.cell(row, fModel))
	if model == "" {
		model = m.DefaultModel
	}
	r := &rd.rec
	*r = usage.Request{Source: m.source(), Time: t, Model: rd.model(model), Context: usage.ContextStandard}
	if err := rd.tokens(row, &r.Tokens, &r.WebSearch); err != nil {
		return err
	}
	if rd.lay.idx[fCost] >= 0 {
		cost, err := rd.money(row, fCost)
		if err != nil {
			return err
		}
		r.Billed = &usage.Money{Input: cost * m.scale()}
	}
	r.User = rd.user(row)
	return nil
}

// cell is the trimmed cell of field f, or "" when the format has no such column.
func (rd *Reader) cell(row []string, f field) string {
	i := rd.lay.idx[f]
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// na reads the exports' "not applicable" mark, "--", as empty.
func na(s string) string {
	if s == "--" {
		return ""
	}
	return s
}

// dateLayouts are the date forms read without a mapping's DateLayout: the
// Console's daily and hourly dates, OpenRouter's created_at, RFC 3339.
var dateLayouts = []string{time.DateOnly, "2006-01-02 15:04", "2006-01-02 15:04:05.999999999", time.RFC3339Nano}

// date reads the date column, in UTC.
func (rd *Reader) date(row []string) (time.Time, *RowError) {
	s := rd.cell(row, fDate)
	if s == rd.lastDate && s != "" {
		return rd.lastTime, nil
	}
	rd.lastDate = "" // until s is read
	if s == "" {
		return time.Time{}, rd.cellError(row, fDate, "empty date")
	}
	layouts := dateLayouts
	want := "YYYY-MM-DD or YYYY-MM-DD HH:MM"
	if m := rd.lay.mapping; m != nil && m.DateLayout != "" {
		layouts = []string{m.DateLayout}
		want = "date_layout " + strconv.Quote(m.DateLayout)
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			if !usage.TimeFits(t) || !usage.TimeFits(t.Add(24*time.Hour)) {
				return time.Time{}, rd.cellError(row, fDate, "date out of range (want a year from 1678 to 2261)")
			}
			rd.lastDate, rd.lastTime, rd.lastPeriod = strings.Clone(s), t.UTC(), time.Hour
			if l == time.DateOnly {
				rd.lastPeriod = 24 * time.Hour
			}
			return rd.lastTime, nil
		}
	}
	return time.Time{}, rd.cellError(row, fDate, "not a date (want "+want+")")
}

// count reads a token count (bitSize 64, at most usage.MaxTokens) or a search
// count (bitSize 32, at most usage.MaxSearches): a whole number no real row
// can exceed. An empty cell, "--" or a missing column is zero.
func (rd *Reader) count(row []string, f field, bitSize int) (int64, *RowError) {
	s := na(rd.cell(row, f))
	if s == "" {
		return 0, nil
	}
	max := int64(usage.MaxTokens)
	if bitSize == 32 {
		max = usage.MaxSearches
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil && isRange(err) && strutil.Digits(strings.TrimPrefix(s, "+")), err == nil && n > max:
		return 0, rd.cellError(row, f, "count too large (at most "+strconv.FormatInt(max, 10)+")")
	case err != nil:
		return 0, rd.cellError(row, f, "not a whole number")
	case n < 0:
		return 0, rd.cellError(row, f, "negative count")
	}
	return n, nil
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// money reads an amount in USD: a plain decimal number, possibly negative (a
// credit), of at most usage.MaxUSD either way. An empty cell, "--" or a missing column is zero.
func (rd *Reader) money(row []string, f field) (float64, *RowError) {
	s := na(rd.cell(row, f))
	if s == "" {
		return 0, nil
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, rd.cellError(row, f, "not a number")
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRange(err) || math.IsNaN(v) {
		return 0, rd.cellError(row, f, "not a number")
	}
	if math.IsInf(v, 0) || math.Abs(v) > usage.MaxUSD {
		return 0, rd.cellError(row, f, "amount too large (at most 1000000000 dollars either way)")
	}
	return v, nil
}

// context reads the context_window band. Missing or empty is the standard band:
// an export row sums many requests, so its own token total says nothing about
// the size of any one request.
func (rd *Reader) context(row []string) (usage.Context, *RowError) {
	s := na(rd.cell(row, fContext))
	if c, ok := rd.bands[s]; ok {
		return c, nil
	}
	c, ok := parseBand(s)
	if ok {
		rd.bands[strings.Clone(s)] = c
	} else {
		return 0, rd.cellError(row, fContext, "unknown context band (want like \"≤ 200k\" or \"200k-1M\")")
	}
	return c, nil
}

var bandSigns = strings.NewReplacer("≤", "<=", "≥", ">=", "–", "-", "—", "-", "to", "-")

// parseBand reads a context_window band: "≤ 200k" (or "<= 200k", "< 200k",
// "0-200k") is the standard band; "> 200k", "200k-1M", "200k+" are long.
func parseBand(s string) (usage.Context, bool) {
	if s == "" {
		return usage.ContextStandard, true
	}
	s = bandSigns.Replace(strings.ToLower(strings.Join(strings.Fields(s), "")))
	switch {
	case strings.HasPrefix(s, "<"):
		return usage.ContextStandard, size(strings.TrimLeft(s, "<="))
	case strings.HasPrefix(s, ">"):
		return usage.ContextLong, size(strings.TrimLeft(s, ">="))
	case strings.HasSuffix(s, "+"):
		return usage.ContextLong, size(s[:len(s)-1])
	}
	lo, hi, ok := strings.Cut(s, "-")
	if !ok || !size(lo) || !size(hi) {
		return 0, false
	}
	if strings.Trim(lo, "0") == "" || strings.Trim(lo, "0") == "k" {
		return usage.ContextStandard, true
	}
	return usage.ContextLong, true
}

// size reports whether s is a token count like "200k", "1m" or "200000".
func size(s string) bool {
	s = strings.TrimRight(s, "km")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

// model is the record's model for a raw model cell: the canonical id when the
// price table knows the name, else the name as written.
func (rd *Reader) model(raw string) string {
	if raw == "" {
		return NoModel
	}
	if m, ok := rd.models[raw]; ok {
		return m
	}
	id := strings.Clone(raw)
	if m, ok := lookup(rd.prices, raw); ok {
		id = m.ID
	}
	id = rd.strs.Intern(id)
	rd.models[strings.Clone(raw)] = id
	return id
}

// lookup finds a model by name, adding to pricing's rules the forms of
// OpenRouter's permaslugs: a ":variant" suffix, and the version before the
// family ("anthropic/claude-4.5-sonnet-20250929"), whose date may differ from
// the API id's (then the undated id is tried).
func lookup(t *pricing.Table, s string) (*pricing.Model, bool) {
	if m, ok := t.Lookup(s); ok {
		return m, true
	}
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "anthropic/")
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
		if m, ok := t.Lookup(s); ok {
			return m, true
		}
	}
	parts := strings.Split(strings.ReplaceAll(s, ".", "-"), "-")
	if len(parts) < 3 || parts[0] != "claude" {
		return nil, false
	}
	v := 1
	for v < len(parts) && strutil.Digits(parts[v]) && len(parts[v]) <= 2 {
		v++
	}
	if v == 1 || v == len(parts) || strutil.Digits(parts[v]) {
		return nil, false
	}
	id := "claude-" + parts[v] + "-" + strings.Join(parts[1:v], "-")
	if rest := parts[v+1:]; len(rest) > 0 {
		if m, ok := t.Lookup(id + "-" + strings.Join(rest, "-")); ok {
			return m, true
		}
	}
	return t.Lookup(id)
}

// labels sets r's tier, inference geo, speed and user from row.
func (rd *Reader) labels(row []string, r *usage.Request) {
	r.Tier = rd.strs.Intern(na(rd.cell(row, fTier)))
	r.Geo = rd.strs.Intern(na(rd.cell(row, fGeo)))
	r.Speed = rd.strs.Intern(na(rd.cell(row, fSpeed)))
	r.User = rd.user(row)
}

// user is the record's user (see Options).
func (rd *Reader) user(row []string) string {
	if rd.opt.User != "" {
		return rd.opt.User
	}
	f, fromKey := fKey, true
	if rd.lay.Format == FormatMapped {
		f = fUser
	}
	if rd.opt.UserFrom == UserFromWorkspace && rd.lay.idx[fWorkspace] >= 0 {
		f, fromKey = fWorkspace, false
	}
	raw := na(rd.cell(row, f))
	if u, ok := rd.users[raw]; ok {
		return u
	}
	u := NoUser
	if raw != "" {
		u = raw
		if fromKey {
			u = userFromKey(raw)
		}
		if m, ok := rd.opt.UserMap[raw]; ok {
			u = m
		} else if m, ok := rd.opt.UserMap[u]; ok {
			u = m
		}
	}
	u = rd.strs.Intern(u)
	rd.users[strings.Clone(raw)] = u
	return u
}
