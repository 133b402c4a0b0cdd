package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// exitUnknownModels is the exit code of --strict when a model has no price.
const exitUnknownModels = 3

// pricingFlags choose the price table and provider.
func pricingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "provider", Value: "anthropic", Usage: "price at `NAME`'s rates: anthropic (list price) or a reseller profile such as runapi (see usagescan prices)"},
		&cli.StringFlag{Name: "pricing", Usage: "add or replace models and providers from a JSON `FILE` shaped like usagescan prices --format json"},
		&cli.BoolFlag{Name: "strict", Usage: "exit 3 when a model has no price (default: warn and show ? for its cost)"},
	}
}

// loadPricing returns the price table, with the --pricing file applied.
func loadPricing(c *cli.Context) (*pricing.Table, error) {
	t := pricing.Default()
	if f := c.String("pricing"); f != "" {
		var err error
		if t, err = t.Override(f); err != nil {
			return nil, errorf("--pricing: %v", err).hint("the file has the shape of: usagescan prices --format json")
		}
	}
	return t, nil
}

// checkProvider makes sure the table knows the provider.
func checkProvider(t *pricing.Table, name string) error {
	if _, ok := t.Provider(name); ok {
		return nil
	}
	var ids []string
	for _, p := range t.Providers() {
		ids = append(ids, p.ID)
	}
	return errorf("unknown --provider %q", name).hint("known providers: %s; add one with --pricing FILE", strings.Join(ids, ", "))
}

// rowCost is the cost of one report row: known only when every request in it
// has a price.
type rowCost struct {
	pricing.Cost
	Unknown bool
}

func (c *rowCost) add(o *rowCost) {
	c.Cost.Add(o.Cost)
	c.Unknown = c.Unknown || o.Unknown
}

// unknownModel sums what could not be priced, for the warning.
type unknownModel struct {
	Model string
	usage.Tokens
	Requests int64
}

// priceRows prices every request on its own (the long-context tier and dated
// rates are per request) and sums the costs into the rows Rollup made.
// Billing-export rows that carry a billed amount keep it as their cost.
func priceRows(reqs []usage.Request, idx []int, rows []aggregate.Row, t *pricing.Table, provider string) ([]rowCost, []unknownModel) {
	costs := make([]rowCost, len(rows))
	unknown := map[string]*unknownModel{}
	for i := range reqs {
		j := idx[i]
		if j < 0 {
			continue
		}
		r := &reqs[i]
		if r.Billed != nil {
			b := r.Billed
			costs[j].Add(pricing.Cost{Input: b.Input, Output: b.Output, CacheWrite: b.CacheWrite,
				CacheRead: b.CacheRead, WebSearch: b.WebSearch, Total: b.Total()})
			continue
		}
		c, ok := t.Cost(r, provider)
		if !ok {
			costs[j].Unknown = true
			u := unknown[r.Model]
			if u == nil {
				u = &unknownModel{Model: r.Model}
				unknown[r.Model] = u
			}
			u.Tokens.Add(r.Tokens)
			u.Requests += int64(r.Count)
			continue
		}
		costs[j].Add(c)
	}
	var list []unknownModel
	for _, u := range unknown {
		list = append(list, *u)
	}
	sort.Slice(list, func(a, b int) bool { return list[a].Model < list[b].Model })
	return costs, list
}

// warnUnknown lists the models without a price; with strict it is an error.
func warnUnknown(w io.Writer, list []unknownModel, strict bool) error {
	if len(list) == 0 {
		return nil
	}
	for _, u := range list {
		warnf(w, "no price for model %q (%s, %s input, %s output, %s cache write, %s cache read): its cost shows as ?",
			u.Model, plural64(u.Requests, "request"), humanize.Comma(u.Input), humanize.Comma(u.Output),
			humanize.Comma(u.CacheWrite5m+u.CacheWrite1h), humanize.Comma(u.CacheRead))
	}
	fmt.Fprintf(w, "  add its rates with --pricing FILE (see usagescan prices --format json for the shape)\n")
	if strict {
		return errorf("%s without a price (--strict)", plural(len(list), "model")).exit(exitUnknownModels)
	}
	return nil
}

// usd rounds a dollar amount to a millionth, the precision of one token's price,
// so JSON carries no float noise.
func usd(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// money formats dollars for tables: $1,234.56.
func money(x float64) string {
	if x != 0 && math.Abs(x) < 0.005 {
		return "<$0.01"
	}
	return "$" + humanize.FormatFloat("#,###.##", x)
}

func humanizeInt(n int64) string { return humanize.Comma(n) }
