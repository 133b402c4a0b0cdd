package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/htmlreport"
)

// ReconcileSchema names the JSON of reconcile.
const ReconcileSchema = "usagescan.reconcile/v1"

func reconcileCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "reconcile",
		Usage: "logged vs billed tokens and dollars per user and month",
		Description: `For each user-month found both in the logs and in a billing export, compares logged
and billed tokens per class and cost, with the difference in percent and a one-line
reading. Months are UTC months, as the Console bills them. The bill is the truth for
money; logs of Claude Code before 2.1.97 undercount output.

The logs are read as by report (the default places, or --logs, and the history store);
naming --csv does not replace them here. The logs name users by account e-mail or $USER,
the Console by API key: match them with --logs NAME=PATH and --csv NAME=PATH, or
--user-map FILE.

Examples:
   usagescan reconcile --csv claude_api_tokens_2026_06.csv --user-map keys.csv
   usagescan reconcile --logs me=~/.claude --csv me=claude_api_cost_2026_06.csv --format json`,
		Flags: flagSet(sourceFlags(), csvFlags(), readStoreFlags(),
			inCategory("Period",
				&cli.StringFlag{Name: "since", Usage: "first `MONTH` to include, YYYY-MM (UTC)"},
				&cli.StringFlag{Name: "until", Usage: "last `MONTH` to include, YYYY-MM (UTC)"},
			),
			inCategory("Output",
				pricingFileFlag(),
				&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table, json or html (a page with a chart; use with --out)"},
				outFlag(),
			)),
		Action: func(c *cli.Context) error { return runReconcile(c, e) },
	}
}

func runReconcile(c *cli.Context, e *env) error {
	e.quiet = c.Bool("quiet")
	format := c.String("format")
	if format != "table" && format != "json" && format != "html" {
		return errorf("unknown --format %q", format).hint("use table, json or html")
	}
	rng, err := parseRange(c, time.UTC) // the Console bills by UTC day
	if err != nil {
		return err
	}
	if len(c.StringSlice("csv")) == 0 {
		return errorf("reconcile needs a billing export").hint("name one with --csv PATH (a Console usage or cost export)")
	}
	prices, err := loadPricing(c)
	if err != nil {
		return err
	}
	in, err := readInputs(c, e, prices, true)
	if err != nil {
		return err
	}
	defer in.close()
	groups, err := in.Groups(rng, engine.Periods{By: aggregate.Month, Loc: time.UTC, Changes: prices.ChangeDates()})
	if err != nil {
		return storeError(err)
	}
	logs, bill := engine.ReconcileSides(groups, prices)
	for _, u := range engine.Unpriced(groups, prices, "anthropic") {
		e.warnf("no price for model %q (%s input, %s output, %s cache write, %s cache read): left out of the cost on both sides",
			u.Model, humanize.Comma(u.Input), humanize.Comma(u.Output),
			humanize.Comma(u.CacheWrite5m+u.CacheWrite1h), humanize.Comma(u.CacheRead))
	}
	out := billing.Reconcile(logs, bill)
	if len(out) == 0 {
		return errorf("no user-month is in both the logs (%s) and the bill (%s)", names(logs), names(bill)).exit(exitNoData).
			hint("match the names with --logs NAME=PATH and --csv NAME=PATH, or a --user-map FILE of key,user lines")
	}
	return writeOutput(c, e, func(w io.Writer) error {
		switch format {
		case "json":
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(struct {
				Schema string               `json:"schema"`
				Rows   []billing.Reconciled `json:"rows"`
			}{ReconcileSchema, out})
		case "html":
			return htmlreport.Reconcile(w, out)
		}
		return writeReconcile(w, out)
	})
}

// names lists the users of one side, for a message.
func names(side []billing.Totals) string {
	seen := map[string]bool{}
	var names []string
	for _, t := range side {
		if !seen[t.User] {
			seen[t.User] = true
			names = append(names, t.User)
		}
	}
	if len(names) == 0 {
		return "nothing"
	}
	if len(names) > 4 {
		names = append(names[:4], "...")
	}
	return strings.Join(names, ", ")
}

func writeReconcile(w io.Writer, rows []billing.Reconciled) error {
	pct := func(d *float64) string {
		if d == nil {
			return "-"
		}
		return fmt.Sprintf("%+.1f%%", *d)
	}
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s\n", r.Month, r.User)
		t := &table{}
		t.add("", "Logged", "Billed", "Diff")
		count := func(name string, c billing.Count) {
			billed := humanize.Comma(c.Billed)
			if !r.BillTokens {
				billed = "-"
			}
			t.add(name, humanize.Comma(c.Logged), billed, pct(c.Diff))
		}
		count("Input", r.Input)
		count("Output", r.Output)
		count("Cache write 5m", r.CacheWrite5m)
		count("Cache write 1h", r.CacheWrite1h)
		count("Cache read", r.CacheRead)
		count("Web searches", r.WebSearch)
		label := "Cost (billed)"
		if r.Estimated {
			label = "Cost (bill's tokens at list price)"
		}
		t.add(label, money(r.Cost.Logged), money(r.Cost.Billed), pct(r.Cost.Diff))
		if err := t.write(w, 1); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\n", r.Reading)
	}
	return nil
}
