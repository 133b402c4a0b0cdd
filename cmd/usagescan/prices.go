package main

import (
	"encoding/json"
	"fmt"
	"github.com/dustin/go-humanize"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/pricing"
)

func pricesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "prices",
		Usage: "the price table: USD per million tokens per model, and the providers",
		Description: `Prints the embedded price table (or it with --pricing FILE applied) and the date its
prices were last checked; warns when that is more than 90 days ago. The JSON form is
the shape --pricing reads: copy it, edit a rate, and pass it back.

Examples:
   usagescan prices
   usagescan prices --format json > my-prices.json`,
		Flags: []cli.Flag{
			pricingFileFlag(),
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table or json"},
		},
		Action: func(c *cli.Context) error {
			t, err := loadPricing(c)
			if err != nil {
				return err
			}
			checked := t.Checked().Format("2006-01-02")
			if t.Stale(e.now()) {
				e.warnf("prices were last checked on %s, over 90 days ago: compare with Anthropic's pricing page and override with --pricing FILE", checked)
			}
			switch c.String("format") {
			case "json":
				data, err := json.MarshalIndent(t, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(e.stdout, "%s\n", data)
				return err
			case "table":
				return writePrices(e, t, checked)
			}
			return errorf("unknown --format %q", c.String("format")).hint("use table or json")
		},
	}
}

func writePrices(e *env, t *pricing.Table, checked string) error {
	fmt.Fprintf(e.stdout, "List prices in USD per million tokens, last checked %s.\n\n", checked)
	tb := &table{}
	tb.add("Model", "Id", "Input", "Output", "Cache write 5m", "Cache write 1h", "Cache read", "Notes")
	tb.rule()
	rate := func(x float64) string { return fmt.Sprintf("%g", x) }
	for _, m := range t.Models() {
		r := m.Rates
		var notes []string
		for _, ch := range m.Changes {
			notes = append(notes, fmt.Sprintf("from %s: cache read %s", ch.From, rate(ch.Rates.CacheRead)))
		}
		if lc := m.LongContext; lc != nil {
			notes = append(notes, fmt.Sprintf("above %s input: %s/%s whole request", humanize.Comma(lc.Threshold), rate(lc.Rates.Input), rate(lc.Rates.Output)))
		}
		if f := m.Fast; f != nil {
			notes = append(notes, fmt.Sprintf("fast: %s/%s", rate(f.Input), rate(f.Output)))
		}
		if m.GeoUS {
			notes = append(notes, "us geo x1.1")
		}
		tb.add(m.Name, m.ID, rate(r.Input), rate(r.Output), rate(r.CacheWrite5m), rate(r.CacheWrite1h), rate(r.CacheRead), strings.Join(notes, "; "))
	}
	if err := tb.writeAligned(e.stdout, []bool{false, false, true, true, true, true, true, false}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nWeb search: $10 per 1,000. Batch: x0.5 on every token class.\n\nProviders (multipliers on list price):\n")
	for _, p := range t.Providers() {
		note := ""
		if p.Note != "" {
			note = "  " + p.Note
		}
		fmt.Fprintf(e.stdout, "  %-10s x%g%s\n", p.ID, p.Multiplier, note)
	}
	return nil
}
