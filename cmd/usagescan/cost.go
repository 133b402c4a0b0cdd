package main

import (
	"math"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/pricing"
)

// exitUnknownModels is the exit code of --strict when a model has no price.
const exitUnknownModels = 3

// pricingFlags choose the price table and provider.
func pricingFlags() []cli.Flag {
	return inCategory("Pricing",
		&cli.StringFlag{Name: "provider", Value: "anthropic", Usage: "price at `NAME`'s rates: anthropic (list price) or a reseller profile such as runapi (see usagescan prices)"},
		pricingFileFlag(),
		&cli.BoolFlag{DisableDefaultText: true, Name: "strict", Usage: "exit 3 when a model has no price (default: warn and show ? for its cost)"},
	)
}

func pricingFileFlag() cli.Flag {
	return &cli.StringFlag{Name: "pricing", Usage: "add or replace models and providers from a JSON `FILE` shaped like usagescan prices --format json"}
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

// warnUnknown lists the models without a price; with strict it is an error.
func warnUnknown(e *env, list []engine.UnknownModel, strict bool) error {
	if len(list) == 0 {
		return nil
	}
	for _, u := range list {
		reqs := ""
		if u.Requests > 0 {
			reqs = plural64(u.Requests, "request") + ", "
		}
		e.warnf("no price for model %q (%s%s input, %s output, %s cache write, %s cache read): its cost shows as ?",
			u.Model, reqs, humanize.Comma(u.Input), humanize.Comma(u.Output),
			humanize.Comma(u.CacheWrite5m+u.CacheWrite1h), humanize.Comma(u.CacheRead))
	}
	e.notef("  add its rates with --pricing FILE (see usagescan prices --format json for the shape)")
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
