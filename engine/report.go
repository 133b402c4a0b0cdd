package engine

import (
	"sort"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// ReportOptions say how to roll groups up into report rows.
type ReportOptions struct {
	By       aggregate.Grouping
	Loc      *time.Location
	Range    aggregate.Range
	Prices   *pricing.Table
	Provider string
}

// periods are the pieces a report prices as wholes.
func (o ReportOptions) periods() Periods {
	return Periods{By: o.By, Loc: o.Loc, Changes: o.Prices.ChangeDates()}
}

// Row is one report row (period, user, model, source) with its cost.
type Row struct {
	aggregate.Row
	Cost usage.Money
	// Unknown: some of the row's tokens are of a model without a price; Cost
	// holds only what could be priced.
	Unknown bool
}

// Add adds another row's totals and cost (a subtotal).
func (r *Row) Add(o *Row) {
	r.AddRow(&o.Row)
	r.Cost.Add(o.Cost)
	r.Unknown = r.Unknown || o.Unknown
}

// UnknownModel sums what could not be priced, for the warning.
type UnknownModel struct {
	Model string
	usage.Tokens
	Requests int64
}

// Report is the rows of a report and what could not be priced.
type Report struct {
	Rows    []Row
	Unknown []UnknownModel
	// Records counts the records of the groups in range.
	Records int64
}

// BuildReport rolls groups up into rows per period (in o.Loc), user, model
// and source, inside o.Range, each priced as a whole: a group's records share
// every rate, so its tokens are priced at once.
func BuildReport(groups aggregate.Groups, o ReportOptions) *Report {
	rep := &Report{}
	// Every group goes to the piece of its period and rate era that holds it
	// (as the store sums them): the same tokens are priced as one sum whichever
	// way they were read, so the rows are the same to the last bit.
	pieces := make(aggregate.Groups, len(groups))
	per := o.periods()
	for k, s := range groups {
		if !o.Range.Contains(k.Start()) {
			continue // out of the range, by its own slot
		}
		k.Slot = per.PieceStart(k.Slot, o.Range)
		pieces.AddSums(k, s)
	}
	groups = pieces
	type rowKey struct{ period, user, model, source string }
	rows := make(map[rowKey]*Row)
	unknown := make(unknownModels)
	keys := make([]aggregate.GroupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	// A fixed order, so that float sums do not depend on map order.
	sort.Slice(keys, func(i, j int) bool { return lessKey(&keys[i], &keys[j]) })
	var labels labelCache
	for _, k := range keys {
		s := groups[k]
		if s.Records == 0 {
			continue
		}
		rep.Records += s.Records
		start := k.Start()
		if !o.Range.Contains(start) {
			continue
		}
		rk := rowKey{labels.label(o.By, o.Loc, k.Slot, start), k.User, k.Model, k.Source}
		row := rows[rk]
		if row == nil {
			row = &Row{Row: aggregate.Row{Period: rk.period, User: rk.user, Model: rk.model, Source: rk.source}}
			rows[rk] = row
		}
		row.Tokens.Add(s.Tokens)
		row.WebSearch = usage.AddCount(row.WebSearch, s.WebSearch)
		row.WebFetch = usage.AddCount(row.WebFetch, s.WebFetch)
		row.Requests = usage.AddCount(row.Requests, s.Requests)
		r := k.Request(s)
		cost, ok := o.Prices.Price(&r, o.Provider)
		if !ok {
			row.Unknown = true
			unknown.add(k.Model, s)
			continue
		}
		row.Cost.Add(cost)
	}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, *r)
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, b := &rep.Rows[i], &rep.Rows[j]
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		if a.User != b.User {
			return a.User < b.User
		}
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		return a.Source < b.Source
	})
	rep.Unknown = unknown.list()
	return rep
}

// labelCache remembers the period label of the last slots seen: groups come
// in slot order, and many share one.
type labelCache struct {
	slot int64
	text string
	ok   bool
}

func (c *labelCache) label(g aggregate.Grouping, loc *time.Location, slot int64, start time.Time) string {
	if !c.ok || c.slot != slot {
		c.slot, c.text, c.ok = slot, g.Label(start.In(loc)), true
	}
	return c.text
}

func lessKey(a, b *aggregate.GroupKey) bool { return aggregate.CompareKeys(*a, *b) < 0 }
