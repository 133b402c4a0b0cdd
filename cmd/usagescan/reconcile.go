package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/htmlreport"
	"github.com/usagescan/usagescan/parser"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
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
	if len(c.StringSlice("csv")) == 0 {
		return errorf("reconcile needs a billing export").hint("name one with --csv PATH (a Console usage or cost export)")
	}
	rng, err := parseRange(c, time.UTC) // the Console bills by UTC day
	prices, err := loadPricing(c)
	if err != nil {
		return err
	}
	logs, bill := newSide(prices), newSide(prices)
	in, err := readInputs(c, e, prices, func(r *usage.Request) {
		if rng.Contains(r.Time) {
			bill.add(r)
		}
	}, true)
	if err != nil {
		return err
	}
	reqs := in.requests()
	for i := range reqs {
		r := &reqs[i]
		if !rng.Contains(r.Time) {
			continue
		}
		if r.Source == parser.SourceClaudeCode {
			logs.add(r)
		} else {
			bill.add(r) // OpenRouter generations
		}
	}
	out := billing.Reconcile(logs.list(), bill.list())
	if len(out) == 0 {
		return errorf("no user-month is in both the logs (%s) and the bill (%s)", logs.names(), bill.names()).exit(exitNoData).
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

// side sums one side of a reconciliation per user and UTC month.
type side struct {
	prices *pricing.Table
	totals map[[2]string]*billing.Totals
	order  [][2]string
}

func newSide(p *pricing.Table) *side {
	return &side{prices: p, totals: map[[2]string]*billing.Totals{}}
}

func (s *side) add(r *usage.Request) {
	k := [2]string{r.User, r.Time.UTC().Format("2006-01")}
	t := s.totals[k]
	if t == nil {
		t = &billing.Totals{User: k[0], Month: k[1]}
		s.totals[k] = t
		s.order = append(s.order, k)
	}
	t.Tokens.Add(r.Tokens)
	t.WebSearch += int64(r.WebSearch)
	if r.Billed != nil {
		b := r.Billed.Total()
		if t.Billed != nil {
			b += *t.Billed
		}
		t.Billed = &b
	}
	if c, ok := s.prices.Cost(r, "anthropic"); ok && r.Source != billing.SourceCost {
		t.Cost += c.Total
	}
}

func (s *side) list() []billing.Totals {
	out := make([]billing.Totals, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, *s.totals[k])
	}
	return out
}

func (s *side) names() string {
	seen := map[string]bool{}
	var names []string
	for _, k := range s.order {
		if !seen[k[0]] {
			seen[k[0]] = true
			names = append(names, k[0])
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
