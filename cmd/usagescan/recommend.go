package main

import (
	"io"
	"iter"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/htmlreport"
	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/usage"
)

func recommendCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "recommend",
		Usage: "price each month under every plan and the API, and say which to buy",
		Description: `Cuts each user's requests into 5-hour windows and weeks, prices them under Pro, Max 5x,
Max 20x, Team seats and the metered API, and recommends the cheapest, with the numbers
behind it: cap hits, overflow billed as extra usage, break-even lines, and the limit
messages Claude Code logged. Plan budgets are estimates in API-equivalent dollars
(see usagescan recommend --help and README); --current-plan and --calibrate tune them
from your own limit hits.

Default months: the last 3 complete months plus this month, projected to its end.

Examples:
   usagescan recommend
   usagescan recommend --provider anthropic --provider runapi --format markdown
   usagescan recommend --current-plan max-5x --calibrate
   usagescan recommend --logs alice=/backup/alice --logs bob=/backup/bob   (a team view)`,
		Flags: flagSet(sourceFlags(), csvFlags(), readStoreFlags(),
			inCategory("Period",
				&cli.StringFlag{Name: "since", Usage: "first `MONTH` to include, YYYY-MM or YYYY-MM-DD (in --tz)"},
				&cli.StringFlag{Name: "until", Usage: "last `MONTH` to include, YYYY-MM or YYYY-MM-DD (in --tz)"},
				&cli.StringFlag{Name: "tz", Usage: "IANA time `ZONE` for months and window starts (default: the local zone)"},
			),
			inCategory("Plans and pricing",
				&cli.StringSliceFlag{Name: "provider", Usage: "price the API through `NAME` (repeatable: compares them; default anthropic, list price)"},
				pricingFileFlag(),
				&cli.StringFlag{Name: "plans", Usage: "add or replace plans from a JSON `FILE` shaped like recommend/plans.json"},
				&cli.StringFlag{Name: "billing", Value: "monthly", Usage: "price plans billed `CYCLE`: monthly, or yearly (Pro $17, Team Standard $25 a month; Max is monthly only)"},
				&cli.BoolFlag{DisableDefaultText: true, Name: "no-extra-usage", Usage: "a plan whose budget runs out does not fit (default: overflow is billed at API rates, as extra usage is)"},
				&cli.StringFlag{Name: "current-plan", Usage: "the plan `ID` you are on (pro, max-5x, max-20x, ...): your limit hits become evidence of its real budget"},
				&cli.BoolFlag{DisableDefaultText: true, Name: "calibrate", Usage: "use the budgets observed at your limit hits instead of the defaults (needs --current-plan)"},
			),
			configFlagSet(),
			inCategory("Output",
				&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table, markdown, json or html (a page with charts; use with --out)"},
				outFlag(),
			)),
		Action: func(c *cli.Context) error { return runRecommend(c, e) },
	}
}

func runRecommend(c *cli.Context, e *env) error {
	e.quiet = c.Bool("quiet")
	if _, err := applyConfig(c, e, "current-plan"); err != nil {
		return err
	}
	format := c.String("format")
	switch format {
	case "table", "markdown", "json", "html":
	default:
		return errorf("unknown --format %q", format).hint("use table, markdown, json or html")
	}
	loc, _, err := timeZone(c.String("tz"), e.getenv)
	if err != nil {
		return err
	}
	opt := recommend.Options{
		Location: loc, NoExtraUsage: c.Bool("no-extra-usage"), CurrentPlan: c.String("current-plan"),
		Calibrate: c.Bool("calibrate"), Providers: c.StringSlice("provider"),
		Billing: c.String("billing"),
	}
	switch opt.Billing {
	case "monthly", "yearly":
	default:
		return errorf("unknown --billing %q", opt.Billing).hint("use monthly or yearly")
	}
	rng, err := parseRange(c, loc)
	if err != nil {
		return err
	}
	opt.Since, opt.Until = rng.From, rng.To
	opt.HasSince, opt.HasUntil = c.String("since") != "", c.String("until") != ""
	if opt.Calibrate && opt.CurrentPlan == "" {
		return errorf("--calibrate needs --current-plan").hint("for example --current-plan max-5x --calibrate")
	}
	prices, err := loadPricing(c)
	if err != nil {
		return err
	}
	for _, p := range opt.Providers {
		if err := checkProvider(prices, p); err != nil {
			return err
		}
	}
	opt.Plans = recommend.Default()
	if f := c.String("plans"); f != "" {
		if opt.Plans, err = opt.Plans.Override(f); err != nil {
			return errorf("--plans: %v", err)
		}
	}
	if opt.CurrentPlan != "" {
		if _, ok := opt.Plans.Lookup(opt.CurrentPlan); !ok {
			var ids []string
			for _, p := range opt.Plans.Plans() {
				ids = append(ids, p.ID)
			}
			return errorf("unknown --current-plan %q", opt.CurrentPlan).hint("plans: %s (aliases such as max and ultra work too)", strings.Join(ids, ", "))
		}
	}
	if e.pinnedNow {
		opt.Now = e.now()
	}

	in, err := readInputs(c, e, prices, false)
	if err != nil {
		return err
	}
	defer in.close()
	// Only records that stand for API responses can be cut into windows;
	// billing-export rows are totals of a day or an hour. The range read is the
	// months asked for plus the week open at their start (recommend works out
	// which months it prices from what it is given).
	// The requests are held compactly and walked (in time order) as often
	// as needed, never as a slice of usage.Request.
	from, to := recommendRange(opt, e.now(), loc)
	var all iter.Seq[*usage.Request]
	var n, totals int64
	var last time.Time
	read := func() error {
		var err error
		if all, err = in.RequestSeq(from, to); err != nil {
			return err
		}
		n, totals = 0, 0
		for r := range all {
			if r.Count > 0 {
				n++
				last = r.Time
			} else {
				totals++
			}
		}
		return nil
	}
	// Only records that stand for API responses: billing-export rows (count
	// 0) are totals.
	reqs := func(yield func(*usage.Request) bool) {
		for r := range all {
			if r.Count > 0 && !yield(r) {
				return
			}
		}
	}
	if err := read(); err != nil {
		return storeError(err)
	}
	if opt.Since.IsZero() && opt.Until.IsZero() && (n == 0 || last.Before(from.AddDate(0, 0, 8))) {
		// No use in the default months: recommend falls back to the months
		// up to the last use, wherever that is.
		from = time.Time{}
		if err := read(); err != nil {
			return storeError(err)
		}
	}
	if totals > 0 {
		e.warnf("%s of billing exports left out: they are daily or hourly totals, which cannot be cut into 5-hour windows (report and reconcile use them)", plural64(totals, "row"))
	}
	if n == 0 {
		if opt.HasSince || opt.HasUntil {
			return errorf("no usage in the months asked for").exit(exitNoData).hint("widen --since/--until")
		}
		return errorf("no requests to recommend from").exit(exitNoData).hint("%s", sourcesText(in))
	}
	notices, err := in.Notices(from, to)
	if err != nil {
		return storeError(err)
	}
	if opt.Measured, err = measuredBudgets(c, e, reqs, prices, opt.CurrentPlan); err != nil {
		return err
	}
	rep, err := recommend.RunSeq(reqs, notices, prices, opt)
	if err != nil {
		return errorf("%v", err)
	}
	if len(rep.Users) == 0 {
		return errorf("no usage in the months asked for").exit(exitNoData).hint("widen --since/--until")
	}
	return writeOutput(c, e, func(w io.Writer) error {
		if format == "html" {
			return htmlreport.Recommend(w, rep)
		}
		return recommend.Render(colourTable(c, e, w, format, recommendColours), rep, format)
	})
}

// recommendRange is the span of requests recommend needs: the months asked
// for (by default the last three complete months and this one), and the week
// before them, whose windows and week may run into the first month. A zero
// bound is none.
func recommendRange(opt recommend.Options, now time.Time, loc *time.Location) (from, to time.Time) {
	from, to = opt.Since, opt.Until
	if from.IsZero() && to.IsZero() {
		n := now.In(loc)
		from = time.Date(n.Year(), n.Month()-3, 1, 0, 0, 0, 0, loc)
	}
	if !from.IsZero() {
		from = from.AddDate(0, 0, -8)
	}
	return from, to
}
