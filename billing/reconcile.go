package billing

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/usagescan/usagescan/usage"
)

// Totals are the tokens and cost of one user in one month, from one side: the
// logs, or the billing exports. The caller sums and prices the records.
type Totals struct {
	User  string
	Month string // "2026-02"
	usage.Tokens
	WebSearch int64
	// Cost is the list price of Tokens and WebSearch (pricing.Table.Cost).
	Cost float64
	// Billed is the amount billed, from a cost export, OpenRouter or a mapped
	// cost column; nil when no such amount was read (logs, usage exports).
	Billed *float64
}

// Count compares a token count in the logs with the bill's.
type Count struct {
	Logged int64 `json:"logged"`
	Billed int64 `json:"billed"`
	// Diff is (Logged - Billed) / Billed in percent: negative when the logs have
	// less. nil when Billed is 0.
	Diff *float64 `json:"diff_pct"`
}

// Amount compares dollars in the logs (at list price) with the bill's.
type Amount struct {
	Logged float64  `json:"logged"`
	Billed float64  `json:"billed"`
	Diff   *float64 `json:"diff_pct"` // as Count.Diff
}

// Reconciled compares the logs and the bill of one user in one month.
type Reconciled struct {
	User         string `json:"user"`
	Month        string `json:"month"`
	Input        Count  `json:"input_tokens"`
	Output       Count  `json:"output_tokens"`
	CacheWrite5m Count  `json:"cache_write_5m_tokens"`
	CacheWrite1h Count  `json:"cache_write_1h_tokens"`
	CacheRead    Count  `json:"cache_read_tokens"`
	WebSearch    Count  `json:"web_search_requests"`
	// Cost is the list price of the logs against the amount billed, or, when the
	// bill states no amount (usage exports only), the list price of its tokens.
	Cost Amount `json:"cost_usd"`
	// Estimated says Cost.Billed is a list price, not an amount billed.
	Estimated bool `json:"cost_estimated"`
	// BillTokens says the bill has token counts (a cost export alone has none:
	// then every Count's Billed is 0).
	BillTokens bool `json:"bill_has_tokens"`
	// Reading is one line on what the difference most likely means.
	Reading string `json:"reading"`
}

// Tolerance is the difference, in percent, within which the logs and the bill
// are said to agree.
const Tolerance = 2.0

// Reconcile compares logs and bill for each user-month present on both sides
// (totals repeated for a user-month are summed), sorted by month, then user.
// User-months on one side only are left out.
func Reconcile(logs, bill []Totals) []Reconciled {
	type key struct{ user, month string }
	sum := func(ts []Totals) map[key]*Totals {
		m := make(map[key]*Totals, len(ts))
		for i := range ts {
			t := &ts[i]
			k := key{t.User, t.Month}
			s, ok := m[k]
			if !ok {
				s = &Totals{User: t.User, Month: t.Month}
				m[k] = s
			}
			s.Tokens.Add(t.Tokens)
			s.WebSearch = usage.AddCount(s.WebSearch, t.WebSearch)
			s.Cost += t.Cost
			if t.Billed != nil {
				b := *t.Billed
				if s.Billed != nil {
					b += *s.Billed
				}
				s.Billed = &b
			}
		}
		return m
	}
	lm, bm := sum(logs), sum(bill)
	var out []Reconciled
	for k, l := range lm {
		b, ok := bm[k]
		if !ok {
			continue
		}
		r := Reconciled{
			User: k.user, Month: k.month,
			Input:        count(l.Input, b.Input),
			Output:       count(l.Output, b.Output),
			CacheWrite5m: count(l.CacheWrite5m, b.CacheWrite5m),
			CacheWrite1h: count(l.CacheWrite1h, b.CacheWrite1h),
			CacheRead:    count(l.CacheRead, b.CacheRead),
			WebSearch:    count(l.WebSearch, b.WebSearch),
			BillTokens:   b.Tokens.Total() > 0 || b.WebSearch > 0,
		}
		billed := b.Cost
		if b.Billed != nil {
			billed = *b.Billed
		} else {
			r.Estimated = true
		}
		// Compared at a billionth of a dollar: float sums carry no noise into
		// the JSON or the difference, and an exact amount (some token prices
		// end in half a millionth) is kept.
		logged := usd(l.Cost)
		billed = usd(billed)
		r.Cost = Amount{Logged: logged, Billed: billed, Diff: diff(logged, billed)}
		r.Reading = reading(&r)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Month != out[j].Month {
			return out[i].Month < out[j].Month
		}
		return out[i].User < out[j].User
	})
	return out
}

// usd rounds dollars to a billionth, well below any token's price.
func usd(x float64) float64 { return math.Round(x*1e9) / 1e9 }

func count(logged, billed int64) Count {
	return Count{Logged: logged, Billed: billed, Diff: diff(float64(logged), float64(billed))}
}

func diff(logged, billed float64) *float64 {
	if billed == 0 {
		return nil
	}
	d := (logged - billed) / billed * 100
	return &d
}

// side is where a count stands against the bill.
type side int8

const (
	none  side = iota // zero on both sides
	agree             // within Tolerance
	under             // the logs have less
	over              // the logs have more (or the bill has none)
)

func (c Count) side() side {
	switch {
	case c.Logged == 0 && c.Billed == 0:
		return none
	case c.Diff == nil:
		return over
	case math.Abs(*c.Diff) <= Tolerance:
		return agree
	case *c.Diff < 0:
		return under
	}
	return over
}

// pct formats a difference: "12.5% less", "3.0% more".
func pct(d *float64) string {
	if d == nil {
		return "more (the bill has none)"
	}
	if *d < 0 {
		return fmt.Sprintf("%.1f%% less", -*d)
	}
	return fmt.Sprintf("%.1f%% more", *d)
}

const truth = "the bill is the truth for money"

// reading says in one line what a difference most likely means.
func reading(r *Reconciled) string {
	if !r.BillTokens {
		d := r.Cost.Diff
		switch {
		case d == nil && r.Cost.Logged == 0:
			return "nothing billed and nothing logged"
		case d == nil:
			return "the bill has no tokens and no cost for logged usage: another key or account? " + truth
		case math.Abs(*d) <= Tolerance:
			return fmt.Sprintf("logged cost at list price is within %.0f%% of the bill (which has no token counts)", Tolerance)
		case *d < 0:
			return "logs cost " + pct(d) + " than billed: the key is also used outside these logs, or logs before Claude Code 2.1.97 undercount output; " + truth
		}
		return "logs cost " + pct(d) + " than billed: discounts or credits, or logs of another key; " + truth
	}
	input := []Count{r.Input, r.CacheWrite5m, r.CacheWrite1h, r.CacheRead}
	all := append(input[:4:4], r.Output)
	every := func(cs []Count, s side) bool {
		n := 0
		for _, c := range cs {
			switch c.side() {
			case none:
			case s:
				n++
			default:
				return false
			}
		}
		return n > 0
	}
	money := ""
	if !r.Estimated && r.Cost.Diff != nil && math.Abs(*r.Cost.Diff) > Tolerance {
		money = "; logged cost at list price is " + pct(r.Cost.Diff) + " than billed: " + truth
	}
	switch {
	case every(all, agree):
		return fmt.Sprintf("logs and bill agree within %.0f%%", Tolerance) + money
	case r.Output.side() == under && (every(input, agree) || noneOf(input)):
		return "logs have " + pct(r.Output.Diff) + " output: Claude Code before 2.1.97 logged partial output tokens; " + truth
	case every(all, under):
		return "logs have less of every token class (output " + pct(r.Output.Diff) +
			"): the key is also used outside these logs (other machines, tools or people); " + truth
	case every(all, over):
		return "logs have more of every token class: logs of another key or account, or an export covering part of the month"
	}
	var parts []string
	for _, c := range []struct {
		name string
		c    Count
	}{{"input", r.Input}, {"cache writes 5m", r.CacheWrite5m}, {"cache writes 1h", r.CacheWrite1h}, {"cache reads", r.CacheRead}, {"output", r.Output}} {
		if s := c.c.side(); s == under || s == over {
			parts = append(parts, c.name+" "+pct(c.c.Diff))
		}
	}
	return "logs and bill differ (" + strings.Join(parts, ", ") + "); " + truth
}

func noneOf(cs []Count) bool {
	for _, c := range cs {
		if c.side() != none {
			return false
		}
	}
	return true
}
