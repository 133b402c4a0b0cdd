package statusline

import (
	"iter"
	"slices"
	"time"

	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

// SpendPoints turns requests into spend points by user, at list price
// ("anthropic"), token classes split. CI requests (recommend.IsCI) run on an
// API key, not on the plan, and are left out, as are requests of models
// without a price and billing-export totals (Count 0).
func SpendPoints(reqs []usage.Request, prices *pricing.Table) map[string][]measure.Point {
	return SpendPointsSeq(recommend.Slice(reqs), prices)
}

// SpendPointsSeq is SpendPoints over a sequence of requests.
func SpendPointsSeq(reqs iter.Seq[*usage.Request], prices *pricing.Table) map[string][]measure.Point {
	if prices == nil {
		prices = pricing.Default()
	}
	out := map[string][]measure.Point{}
	for r := range reqs {
		if r.Count == 0 || recommend.IsCI(r) {
			continue
		}
		c, ok := prices.Price(r, "anthropic")
		if !ok {
			continue
		}
		out[r.User] = append(out[r.User], PointOf(r.Time, c))
	}
	for u := range out {
		slices.SortStableFunc(out[u], func(a, b measure.Point) int { return a.Time.Compare(b.Time) })
	}
	return out
}

// PointOf is a spend point of cost c at time t.
func PointOf(t time.Time, c usage.Money) measure.Point {
	return measure.Point{Time: t, USD: c.Total(), Class: [measure.NumClasses]float64{
		measure.Input: c.Input, measure.Output: c.Output, measure.CacheWrite: c.CacheWrite, measure.CacheRead: c.CacheRead,
	}}
}

// MeasuredBudgets measures each user's budgets from their snapshots and
// logged spend, for recommend.Options.Measured. plan is the plan the snapshots
// were taken on ("": recommend infers it). Users whose budgets could not be
// measured (too few agreeing snapshots) are left out.
func MeasuredBudgets(snaps []Snapshot, spend map[string][]measure.Point, plan string, opt measure.Options) map[string]*recommend.Measured {
	byUser := map[string][]Snapshot{}
	for _, s := range snaps {
		byUser[s.User] = append(byUser[s.User], s)
	}
	out := map[string]*recommend.Measured{}
	for user, ss := range byUser {
		five, week := Readings(Dedupe(ss))
		res := measure.Estimate(five, week, spend[user], opt)
		if res.FiveHour == nil && res.Week == nil {
			continue
		}
		m := &recommend.Measured{Plan: plan}
		var from, to time.Time
		for _, b := range []*measure.Budget{res.FiveHour, res.Week} {
			if b == nil {
				continue
			}
			m.Snapshots = max(m.Snapshots, b.Agree)
			if from.IsZero() || b.From.Before(from) {
				from = b.From
			}
			if b.To.After(to) {
				to = b.To
			}
		}
		if res.FiveHour != nil {
			m.FiveHourUSD = res.FiveHour.USD
		}
		if res.Week != nil {
			m.WeekUSD = res.Week.USD
		}
		m.From, m.To = from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339)
		out[user] = m
	}
	return out
}
