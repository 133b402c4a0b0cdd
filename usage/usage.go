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

// TimeFits reports whether t can be a record's time: records keep it as int64
// nanoseconds since 1970 (UnixNano), so an instant before 1677-09-21 or after
// 2262-04-11 would wrap to another century. Readers reject such a time as a
// bad line or cell.
func TimeFits(t time.Time) bool { return !t.Before(minTime) && !t.After(maxTime) }

var minTime, maxTime = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

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
// one "which copy wins" rule: the in-memory set follows it, and the store's
// writer follows Rule, its first criteria (see Replaces). A newer export
// revision wins; then, for log copies of one streamed response, the one with
// the most tokens (its final count), then the copy that is not a sidechain,
// and so on down Rule. The order is total: whichever copy arrives first, the
// same one is kept.
func Better(a, b *Request) bool {
	for _, c := range Rule {
		if x, y := c.Of(a), c.Of(b); x != y {
			return x.greater(y)
		}
	}
	return false
}

// Replaces reports whether an incoming copy replaces a stored one: Better,
// except that copies equal in everything but who read them (user, session,
// folder) keep the stored one, so a later read under another label never
// changes who a stored request belongs to.
func Replaces(in, stored *Request) bool {
	for _, c := range Rule {
		if c.Label {
			return false
		}
		if x, y := c.Of(in), c.Of(stored); x != y {
			return x.greater(y)
		}
	}
	return false
}

// Criterion is one step of Rule: the larger Of wins.
type Criterion struct {
	Name string
	// Of maps a copy to a comparable value: larger is better. Strings compare
	// reversed (the smaller string wins) through strKey.
	Of func(*Request) criterionValue
	// SQL is the same value as an SQL expression over the store's columns, for
	// T the table (e.g. "excluded" or "requests"); larger is better there too,
	// except where Desc is set: smaller is better (strings).
	SQL   func(t string) string
	Desc  bool
	Label bool // a criterion of who read the copy, not of the copy itself
}

// criterionValue orders copies: numbers first, then strings (reversed).
type criterionValue struct {
	n int64
	s string
}

func (a criterionValue) greater(b criterionValue) bool {
	if a.n != b.n {
		return a.n > b.n
	}
	return a.s < b.s
}

// Rule is the order of criteria deciding which copy wins.
var Rule = []Criterion{
	{Name: "revision", Of: num(func(r *Request) int64 { return r.Rev }), SQL: col("rev")},
	{Name: "total tokens", Of: num(func(r *Request) int64 { return r.Tokens.Total() }),
		SQL: func(t string) string {
			return t + ".input + " + t + ".output + " + t + ".cache_write_5m + " + t + ".cache_write_1h + " + t + ".cache_read"
		}},
	{Name: "not a sidechain", Of: num(func(r *Request) int64 { return b2i(!r.Sidechain) }), SQL: func(t string) string { return "1 - " + t + ".sidechain" }},
	{Name: "server tools", Of: num(func(r *Request) int64 { return int64(r.WebSearch) + int64(r.WebFetch) }),
		SQL: func(t string) string { return t + ".web_search + " + t + ".web_fetch" }},
	{Name: "earlier time", Of: num(func(r *Request) int64 { return -r.Time.UnixNano() }), SQL: func(t string) string { return "-" + t + ".time" }},
	{Name: "output", Of: num(func(r *Request) int64 { return r.Output }), SQL: col("output")},
	{Name: "user", Of: str(func(r *Request) string { return r.User }), SQL: col("user"), Desc: true, Label: true},
	{Name: "session", Of: str(func(r *Request) string { return r.SessionID }), SQL: col("session"), Desc: true, Label: true},
	{Name: "folder", Of: str(func(r *Request) string { return r.Cwd }), SQL: col("cwd"), Desc: true, Label: true},
}

// RuleSQL is Rule as an SQL condition: the copy in table in beats the copy in
// table held (e.g. "excluded" and "requests" in an upsert). With labels it is
// Better; without, Replaces (a tie on everything but the label keeps held).
// The store's writer updates a row only under this condition, so the rule the
// Go code applies and the rule the database enforces are one.
func RuleSQL(in, held string, labels bool) string {
	expr := "1 = 0"
	for i := len(Rule) - 1; i >= 0; i-- {
		c := Rule[i]
		if c.Label && !labels {
			continue
		}
		x, y := "("+c.SQL(in)+")", "("+c.SQL(held)+")"
		op := " > "
		if c.Desc {
			op = " < "
		}
		expr = "(" + x + op + y + " OR (" + x + " = " + y + " AND " + expr + "))"
	}
	return expr
}

func num(f func(*Request) int64) func(*Request) criterionValue {
	return func(r *Request) criterionValue { return criterionValue{n: f(r)} }
}

func str(f func(*Request) string) func(*Request) criterionValue {
	return func(r *Request) criterionValue { return criterionValue{s: f(r)} }
}

func col(name string) func(string) string { return func(t string) string { return t + "." + name } }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
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

// Add adds o to m.
func (m *Money) Add(o Money) {
	m.Input += o.Input
	m.Output += o.Output
	m.CacheWrite += o.CacheWrite
	m.CacheRead += o.CacheRead
	m.WebSearch += o.WebSearch
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
