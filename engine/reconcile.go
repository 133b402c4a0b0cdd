package engine

import (
	"sort"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/parser"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// ReconcileSides sums groups per user and UTC month into the two sides of a
// reconciliation: the logs (Claude Code) and the bill (every other source).
// Each side's Cost is its tokens at list price (Price, provider anthropic);
// a cost export's amounts are the bill's Billed, never priced again.
func ReconcileSides(groups aggregate.Groups, prices *pricing.Table) (logs, bill []billing.Totals) {
	type key struct{ user, month string }
	sides := [2]map[key]*billing.Totals{{}, {}}
	keys := make([]aggregate.GroupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return lessKey(&keys[i], &keys[j]) })
	for _, k := range keys {
		s := groups[k]
		if s.Records == 0 {
			continue
		}
		i := 1
		if k.Source == parser.SourceClaudeCode {
			i = 0
		}
		mk := key{k.User, k.Start().Format("2006-01")}
		t := sides[i][mk]
		if t == nil {
			t = &billing.Totals{User: mk.user, Month: mk.month}
			sides[i][mk] = t
		}
		t.Tokens.Add(s.Tokens)
		t.WebSearch = usage.AddCount(t.WebSearch, s.WebSearch)
		if k.Billed {
			b := s.Billed.Total()
			if t.Billed != nil {
				b += *t.Billed
			}
			t.Billed = &b
			continue
		}
		r := k.Request(s)
		if c, ok := prices.Price(&r, "anthropic"); ok && k.Source != billing.SourceCost {
			t.Cost += c.Total()
		}
	}
	list := func(m map[key]*billing.Totals) []billing.Totals {
		out := make([]billing.Totals, 0, len(m))
		for _, t := range m {
			out = append(out, *t)
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Month != out[j].Month {
				return out[i].Month < out[j].Month
			}
			return out[i].User < out[j].User
		})
		return out
	}
	return list(sides[0]), list(sides[1])
}

// Unpriced lists the models of groups that have no price through provider,
// with their tokens and requests, sorted by model: what ReconcileSides leaves
// out of both sides' Cost, for the warning.
func Unpriced(groups aggregate.Groups, prices *pricing.Table, provider string) []UnknownModel {
	unknown := make(unknownModels)
	for k, s := range groups {
		if s.Records == 0 {
			continue
		}
		r := k.Request(s)
		if _, ok := prices.Price(&r, provider); !ok {
			unknown.add(k.Model, s)
		}
	}
	return unknown.list()
}

// unknownModels sums the tokens and requests of the groups that have no
// price, per model.
type unknownModels map[string]*UnknownModel

func (m unknownModels) add(model string, s *aggregate.Sums) {
	u := m[model]
	if u == nil {
		u = &UnknownModel{Model: model}
		m[model] = u
	}
	u.Tokens.Add(s.Tokens)
	u.Requests += s.Requests
}

// list is the models sorted by name (nil: none).
func (m unknownModels) list() []UnknownModel {
	var out []UnknownModel
	for _, u := range m {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Model < out[j].Model })
	return out
}
