package recommend

import (
	"fmt"
	"strings"
)

// obsHits are one month's limit hits of one user on the current plan, by the
// budget that stopped them.
type obsHits struct{ h5, wk, model int }

func (o obsHits) total() int { return o.h5 + o.wk + o.model }

// blocks reports whether a hit of kind k stopped use on the plan itself: a
// 5-hour (session), weekly, model or unstated plan limit; not a fallback
// (work went on), server throttling, a spend limit or running out of extra
// usage (limits of the account, not of the plan's budgets).
func (k Kind) blocks() bool {
	switch k {
	case KindSession, KindWeekly, KindModel, KindLimit:
		return true
	}
	return false
}

// hitBudget says which budget a hit of one of the blocking kinds is about:
// "5h", "week" or "model". A limit of unstated kind is placed by its reset
// time (the window or week holding it that ends nearer the reset); "" when it
// cannot be placed.
func (e *engine) hitBudget(u *userData, h Hit) string {
	switch h.Kind {
	case KindSession:
		return "5h"
	case KindWeekly:
		return "week"
	case KindModel:
		return "model"
	case KindLimit:
		if h.Reset.IsZero() {
			return ""
		}
		_, w, okW := u.tl.usageAt(u.tl.windows, h.Time)
		_, k, okK := u.tl.usageAt(u.tl.weeks, h.Time)
		switch {
		case okW && (!okK || absDur(h.Reset.Sub(w.End)) <= absDur(h.Reset.Sub(k.End))):
			return "5h"
		case okK:
			return "week"
		}
	}
	return ""
}

// observedHits counts, per report month, the user's limit hits that stopped
// use on the current plan (nil without Options.CurrentPlan or such hits). A
// limit of unstated kind that cannot be placed counts as a 5-hour one, the
// limit most messages are about. Hits are not projected: they are what
// happened.
func (e *engine) observedHits(u *userData) []obsHits {
	if e.current == nil {
		return nil
	}
	var out []obsHits
	for _, h := range u.hits {
		m := e.monthOf(h.Time)
		if m < 0 || !h.Kind.blocks() {
			continue
		}
		if out == nil {
			out = make([]obsHits, len(e.months))
		}
		switch e.hitBudget(u, h) {
		case "week":
			out[m].wk++
		case "model":
			out[m].model++
		default:
			out[m].h5++
		}
	}
	return out
}

// observedBinding names the budget that stopped the user most often on the
// current plan, as Binding says it: "5-hour", "week", "model cap (opus)".
func (e *engine) observedBinding(u *userData) string {
	var t obsHits
	model := map[string]int{}
	for _, h := range u.hits {
		if e.monthOf(h.Time) < 0 || !h.Kind.blocks() {
			continue
		}
		switch e.hitBudget(u, h) {
		case "week":
			t.wk++
		case "model":
			t.model++
			model[strings.ToLower(h.Model)]++
		default:
			t.h5++
		}
	}
	switch {
	case t.total() == 0:
		return ""
	case t.h5 >= t.wk && t.h5 >= t.model:
		return "5-hour"
	case t.wk >= t.model:
		return "week"
	}
	best, most := "", 0
	for f, n := range model {
		if n > most || n == most && f < best {
			best, most = f, n
		}
	}
	if best == "" {
		return "model cap"
	}
	return "model cap (" + best + ")"
}

// stoppedText says how often the user was stopped on option o's plan and how
// long they waited: "you were stopped 44 times on Pro (2026-10: 44) and waited
// about 6.4 days for resets".
func (e *engine) stoppedText(u *userData, o *option, out *User) string {
	var per []string
	n := 0
	for _, m := range u.active {
		if k := o.monthly[m].ObservedHits; k > 0 {
			n += k
			per = append(per, fmt.Sprintf("%s: %d", e.months[m].label, k))
		}
	}
	return fmt.Sprintf("you were stopped %s on %s (%s) and waited about %s for resets", times(n), o.name, strings.Join(per, ", "), hours(out.BlockedHours))
}
