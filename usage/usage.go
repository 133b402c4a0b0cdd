// Package usage defines the one record every stage of usagescan shares: a single
// API response (a "request") with its token counts and the flags that decide its price.
//
// The parser produces Requests from log lines, aggregate deduplicates and rolls them
// up, pricing prices each one on its own (the long-context tier and date-effective
// rates are decided per request), and recommend cuts them into 5-hour windows.
package usage

import (
	"math"
	"time"
)

// Bounds on what one count can be. No real API response (nor a billing-export
// row, which sums a day of them for one key) comes near them; a value beyond
// is a corrupt or hostile file, and readers reject it as a bad line or cell.
// With every count bounded, sums of them cannot wrap an int64 in practice, and
// AddCount saturates all the same.
const (
	MaxTokens   = 1_000_000_000_000 // 10^12 tokens of one class
	MaxSearches = 1_000_000_000     // 10^9 web searches or fetches
	MaxUSD      = 1_000_000_000     // 10^9 dollars, either sign, for one amount
)

// AddCount returns a+b for counts (never negative), saturating at
// math.MaxInt64 instead of wrapping.
func AddCount(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	if b < 0 && a < math.MinInt64-b {
		return math.MinInt64
	}
	return a + b
}

// AddCount32 is AddCount for the int32 search and fetch counts of one record:
// it saturates at math.MaxInt32.
func AddCount32(a, b int32) int32 {
	s := int64(a) + int64(b)
	switch {
	case s > math.MaxInt32:
		return math.MaxInt32
	case s < math.MinInt32:
		return math.MinInt32
	}
	return int32(s)
}

// Tokens holds the token classes of one request, or of a sum of requests.
// CacheWrite5m and CacheWrite1h together are all cache writes.
type Tokens struct {
	Input        int64 `json:"input_tokens"`
	Output       int64 `json:"output_tokens"`
	CacheWrite5m int64 `json:"cache_write_5m_tokens"`
	CacheWrite1h int64 `json:"cache_write_1h_tokens"`
	CacheRead    int64 `json:"cache_read_tokens"`
}

// Total is every token of every class.
func (t Tokens) Total() int64 {
	return AddCount(AddCount(AddCount(AddCount(t.Input, t.Output), t.CacheWrite5m), t.CacheWrite1h), t.CacheRead)
}

// PromptInput is the input side of one request: input + cache writes + cache reads.
// Long-context tiers compare this figure with their threshold.
func (t Tokens) PromptInput() int64 {
	return AddCount(AddCount(AddCount(t.Input, t.CacheWrite5m), t.CacheWrite1h), t.CacheRead)
}

// Add adds o to t, each class saturating at math.MaxInt64 (see AddCount).
func (t *Tokens) Add(o Tokens) {
	t.Input = AddCount(t.Input, o.Input)
	t.Output = AddCount(t.Output, o.Output)
	t.CacheWrite5m = AddCount(t.CacheWrite5m, o.CacheWrite5m)
	t.CacheWrite1h = AddCount(t.CacheWrite1h, o.CacheWrite1h)
	t.CacheRead = AddCount(t.CacheRead, o.CacheRead)
}

// Request is one API response, counted once.
//
// String fields that repeat across many requests (Model, User, Entrypoint, ...) are
// interned by the reader, so a Request costs little more than its numbers.
type Request struct {
	// Key identifies the response: "message.id:requestId", or message.id alone.
	Key  string
	Time time.Time
	// User is who the request is attributed to (see the report's user rules).
	User string
	// Source is where the record came from: "claude-code" for session logs.
	Source string
	Model  string
	Tokens
	WebSearch int32 // server_tool_use.web_search_requests
	WebFetch  int32 // server_tool_use.web_fetch_requests

	Sidechain  bool
	SessionID  string
	Cwd        string
	Entrypoint string // cli, sdk-cli, claude-code-github-action, ... ("" in old logs)
	Speed      string // "standard", "fast" or ""
	Geo        string // inference_geo: "global", "us", "not_available" or ""
	Tier       string // service_tier: "standard", "batch", "priority" or ""

	// Count is how many API responses the record stands for: 1 for a log line,
	// 0 for a billing-export row (which sums an unknown number of them).
	Count int32
	// Context says how the long-context tier is decided: per request from its own
	// prompt input (logs), or as a billing export states it for a whole row.
	Context Context
	// Billed is the amount an export says was billed; nil for log records. When set
	// it is the money, and the tokens (which a cost export does not have) are not
	// priced again. An amount an export does not split is in Input.
	Billed *Money
	// Rev orders copies of one billing-export row across exports: the newer
	// export (the last date it covers, then its file time) has the larger Rev and
	// replaces the older one's rows. 0 for log records.
	Rev int64
}

// Better reports whether copy a of one record should replace copy b. It is the
// one "which copy wins" rule: the in-memory set and the store's upsert both
// follow it. A newer export revision wins; then, for log copies of one
// streamed response, the one with the most tokens (its final count), then the
// copy that is not a sidechain. The order is total: whichever copy arrives
// first, the same one is kept.
func Better(a, b *Request) bool {
	if a.Rev != b.Rev {
		return a.Rev > b.Rev
	}
	if ta, tb := a.Tokens.Total(), b.Tokens.Total(); ta != tb {
		return ta > tb
	}
	if a.Sidechain != b.Sidechain {
		return !a.Sidechain
	}
	if sa, sb := int64(a.WebSearch)+int64(a.WebFetch), int64(b.WebSearch)+int64(b.WebFetch); sa != sb {
		return sa > sb
	}
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	if a.Output != b.Output {
		return a.Output > b.Output
	}
	if a.User != b.User {
		return a.User < b.User
	}
	if a.SessionID != b.SessionID {
		return a.SessionID < b.SessionID
	}
	return a.Cwd < b.Cwd
}

// Context tells how a record's long-context pricing tier is decided.
type Context int8

const (
	ContextAuto     Context = iota // from the request's own prompt input
	ContextStandard                // billed at or below the threshold (export band "≤ 200k")
	ContextLong                    // billed above the threshold (export band above 200k)
)

// Money is an amount in USD split by what it paid for.
type Money struct {
	Input      float64 `json:"input"`
	Output     float64 `json:"output"`
	CacheWrite float64 `json:"cache_write"`
	CacheRead  float64 `json:"cache_read"`
	WebSearch  float64 `json:"web_search"`
}

// Total is the whole amount.
func (m Money) Total() float64 {
	return m.Input + m.Output + m.CacheWrite + m.CacheRead + m.WebSearch
}

// Billable reports whether the request carries anything that costs money:
// a token of any class or a server-side web search or fetch.
func (r *Request) Billable() bool {
	return r.Tokens.Total() > 0 || r.WebSearch > 0 || r.WebFetch > 0 || r.Billed != nil
}

// Notice is a message Claude Code wrote into the log itself instead of an API
// response (a "<synthetic>" assistant line), such as a usage-limit message:
// "You've hit your session limit · resets 4:20pm (Europe/Rome)".
type Notice struct {
	Time time.Time
	User string
	Text string
}
