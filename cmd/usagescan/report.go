package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/pricing"
)

// flagSet joins groups of flags into one list.
func flagSet(groups ...[]cli.Flag) []cli.Flag {
	var all []cli.Flag
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

// inCategory files flags under a heading of --help.
func inCategory(category string, flags ...cli.Flag) []cli.Flag {
	for _, f := range flags {
		switch f := f.(type) {
		case *cli.StringFlag:
			f.Category = category
		case *cli.BoolFlag:
			f.Category = category
		case *cli.StringSliceFlag:
			f.Category = category
		case *cli.DurationFlag:
			f.Category = category
		}
	}
	return flags
}

// sourceFlags choose what is read; every command that reads usage has them.
func sourceFlags() []cli.Flag {
	return inCategory("Logs",
		&cli.StringSliceFlag{
			Name:  "logs",
			Usage: "read `PATH`: a folder (walked for *.jsonl), one .jsonl file, or - for stdin; NAME=PATH counts it as user NAME (repeatable; default: $CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude)",
		},
		&cli.StringFlag{
			Name:  "user",
			Usage: "attribute logs to `NAME` (default: the account e-mail in .claude.json, else $USER)",
		},
		&cli.BoolFlag{DisableDefaultText: true, Name: "verbose", Usage: "say where logs were found and show the first malformed lines"},
	)
}

// periodFlags choose the time range and grouping.
func periodFlags() []cli.Flag {
	return inCategory("Period",
		&cli.StringFlag{Name: "since", Usage: "first `DATE` to include, YYYY-MM or YYYY-MM-DD (inclusive, in --tz)"},
		&cli.StringFlag{Name: "until", Usage: "last `DATE` to include, YYYY-MM or YYYY-MM-DD (inclusive, in --tz)"},
		&cli.StringFlag{Name: "tz", Usage: "IANA time `ZONE` for period boundaries, e.g. Europe/Rome (default: the local zone)"},
		&cli.StringFlag{Name: "by", Value: "month", Usage: "period: `day`, week (ISO, Monday first) or month"},
	)
}

func reportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "token totals per period, user and model (the default command)",
		Description: `Reads the logs, counts each API response once (key message.id:requestId, keeping the
largest copy), and prints one row per period x user x model with a subtotal per period
and a grand total. Diagnostics (files, lines, duplicates, malformed lines) go to stderr.

Without --logs or --csv it first brings the history store up to date from the default
places and answers from the store; --logs and --csv are read for this run on top of the
store (only ingest writes them); --no-store reads the sources alone, in memory.

Examples:
   usagescan report --since 2026-06 --until 2026-08
   usagescan report --by week --tz Europe/Rome
   usagescan report --format csv --logs ci=./ci-logs > usage.csv`,
		Flags: flagSet(sourceFlags(), csvFlags(), readStoreFlags(), periodFlags(), pricingFlags(), configFlagSet(),
			inCategory("Output",
				&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table, json, csv or html (a page with charts; use with --out)"},
				&cli.BoolFlag{DisableDefaultText: true, Name: "breakdown", Usage: "split each cost into input, output, cache write, cache read and web search (table; JSON always has cost_breakdown)"},
				outFlag(),
			)),
		Action: func(c *cli.Context) error { return runReport(c, e) },
	}
}

// reportOptions are the checked flags of a report.
type reportOptions struct {
	loc    *time.Location
	tzName string
	by     aggregate.Grouping
	rng    aggregate.Range
	format string

	prices    *pricing.Table
	provider  string
	breakdown bool
}

func parseReportOptions(c *cli.Context, e *env) (*reportOptions, error) {
	o := &reportOptions{format: c.String("format")}
	switch o.format {
	case "table", "json", "csv", "html":
	default:
		return nil, errorf("unknown --format %q", o.format).hint("use table, json, csv or html")
	}
	var err error
	if o.by, err = aggregate.ParseGrouping(c.String("by")); err != nil {
		return nil, errorf("--by: %v", err)
	}
	if o.loc, o.tzName, err = timeZone(c.String("tz"), e.getenv); err != nil {
		return nil, err
	}
	if o.rng, err = parseRange(c, o.loc); err != nil {
		return nil, err
	}
	if c.Args().Present() {
		return nil, errorf("unexpected argument %q", c.Args().First()).hint("name log folders with --logs PATH")
	}
	if o.prices, err = loadPricing(c); err != nil {
		return nil, err
	}
	o.provider = c.String("provider")
	if err := checkProvider(o.prices, o.provider); err != nil {
		return nil, err
	}
	o.breakdown = c.Bool("breakdown")
	return o, nil
}

func runReport(c *cli.Context, e *env) error {
	e.quiet = c.Bool("quiet")
	if _, err := applyConfig(c, e, ""); err != nil {
		return err
	}
	o, err := parseReportOptions(c, e)
	if err != nil {
		return err
	}
	in, err := readInputs(c, e, o.prices, false)
	if err != nil {
		return err
	}
	defer in.close()
	groups, err := in.Groups(o.rng, engine.Periods{By: o.by, Loc: o.loc, Changes: o.prices.ChangeDates()})
	if err != nil {
		return storeError(err)
	}
	rep := engine.BuildReport(groups, engine.ReportOptions{By: o.by, Loc: o.loc, Range: o.rng, Prices: o.prices, Provider: o.provider})
	if err := writeOutput(c, e, func(w io.Writer) error { return writeReport(colourTable(c, e, w, o.format, reportColours), o, rep, in) }); err != nil {
		return err
	}
	if d := diagnosticsLine(in); o.format == "table" && d != "" {
		e.notef("%s", d)
	}
	if err := warnUnknown(e, rep.Unknown, c.Bool("strict")); err != nil {
		return err
	}
	if len(rep.Rows) == 0 {
		if in.Set.Len() == 0 && in.CSV.Records == 0 && in.StoreRecords == 0 && !o.rng.Bounded() {
			return errorf("no usage data found").exit(exitNoData).hint("%s", sourcesText(in))
		}
		if in.Set.Len() == 0 && in.CSV.Records == 0 && in.Store == nil {
			return errorf("no usage data found").exit(exitNoData).hint("%s", sourcesText(in))
		}
		return errorf("no usage %s (%s)", rangeText(o.rng), o.tzName).exit(exitNoData).
			hint("%s", widenHint(in))
	}
	return nil
}

// widenHint says what the sources hold when nothing fell in the range.
func widenHint(in *inputs) string {
	n := int64(in.Set.Len()) + in.CSV.Records
	if in.Store != nil {
		return "the store and the sources hold more outside it; widen --since/--until"
	}
	return fmt.Sprintf("the sources hold %s in all; widen --since/--until", plural64(n, "record"))
}

func diagnosticsLine(in *inputs) string {
	var parts []string
	if res := in.logs(); in.ingest != nil && res.Files == 0 {
		parts = append(parts, fmt.Sprintf("%s, all unchanged since the last run", plural(in.ingest.Files, "log file")))
	} else if res.Files > 0 || in.ingest != nil {
		st := res.Stats
		what := fmt.Sprintf("scanned %s (%s)", plural(res.Files, "file"), humanize.Bytes(uint64(st.Bytes)))
		if in.ingest != nil && in.ingest.Skipped > 0 {
			what = fmt.Sprintf("scanned %s of %s (%s; the rest unchanged since the last run)", humanize.Comma(int64(res.Files)),
				plural(in.ingest.Files, "log file"), humanize.Bytes(uint64(st.Bytes)))
		}
		parts = append(parts, fmt.Sprintf("%s, %s: %s, %s, %s", what, plural64(st.Lines, "line"),
			plural64(st.UsageLines, "usage line"), plural64(in.duplicates(), "duplicate"), plural64(st.Malformed, "malformed")))
	}
	if in.CSVFiles > 0 {
		parts = append(parts, fmt.Sprintf("read %s (%s): %s", plural(in.CSVFiles, "CSV file"),
			humanize.Bytes(uint64(in.CSV.Bytes)), plural64(in.CSV.Rows, "row")))
	}
	switch {
	case in.storePath != "" && in.ingest != nil:
		parts = append(parts, fmt.Sprintf("store: %s", plural64(in.StoreRecords, "request")))
	case in.storePath != "":
		parts = append(parts, fmt.Sprintf("store: %s, %s only there", plural64(in.StoreRecords, "request"), humanize.Comma(in.StoreOnly)))
	}
	return strings.Join(parts, "; ")
}

// sourcesText says what was read and held nothing.
func sourcesText(in *inputs) string {
	var parts []string
	if n := in.logs().Files; n > 0 {
		parts = append(parts, plural(n, "log file")+" with no assistant response carrying token usage")
	} else if in.ingest != nil && in.ingest.Files > 0 {
		parts = append(parts, plural(in.ingest.Files, "log file")+" with no assistant response carrying token usage")
	}
	if in.CSVFiles > 0 {
		parts = append(parts, plural(in.CSVFiles, "CSV file")+" with no rows")
	}
	if len(parts) == 0 {
		return "every file named was empty or unreadable"
	}
	return "read " + strings.Join(parts, " and ")
}

// parseRange reads --since and --until (inclusive, in loc) into a half-open range.
func parseRange(c *cli.Context, loc *time.Location) (aggregate.Range, error) {
	var rng aggregate.Range
	var err error
	if s := c.String("since"); s != "" {
		if rng.From, err = aggregate.ParseBound(s, loc, false); err != nil {
			return rng, errorf("--since: %v", err).hint("for example --since 2026-06 or --since 2026-06-15")
		}
	}
	if s := c.String("until"); s != "" {
		if rng.To, err = aggregate.ParseBound(s, loc, true); err != nil {
			return rng, errorf("--until: %v", err).hint("for example --until 2026-08 or --until 2026-08-31")
		}
	}
	if !rng.From.IsZero() && !rng.To.IsZero() && !rng.From.Before(rng.To) {
		return rng, errorf("--since %s is after --until %s", c.String("since"), c.String("until"))
	}
	return rng, nil
}

// timeZone resolves --tz; without it the local zone, named from $TZ or /etc/localtime.
func timeZone(name string, getenv func(string) string) (*time.Location, string, error) {
	if name == "" {
		name = strings.TrimPrefix(getenv("TZ"), ":")
	}
	if name == "" {
		name = localZoneName()
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, "", errorf("unknown time zone %q", name).hint("use an IANA name such as UTC, Europe/Rome or America/New_York")
	}
	return loc, name, nil
}

// localZoneName is the IANA name of the machine's zone, or UTC when unknown.
func localZoneName() string {
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			return target[i+len("zoneinfo/"):]
		}
	}
	if data, err := os.ReadFile("/etc/timezone"); err == nil {
		if s := strings.TrimSpace(string(data)); s != "" {
			return s
		}
	}
	return "UTC"
}

// rangeText says which dates a range covers, both ends inclusive.
func rangeText(r aggregate.Range) string {
	last := func() string { return r.To.Add(-time.Nanosecond).Format("2006-01-02") }
	switch {
	case r.From.IsZero() && r.To.IsZero():
		return "at all"
	case r.To.IsZero():
		return "from " + r.From.Format("2006-01-02") + " on"
	case r.From.IsZero():
		return "up to " + last()
	}
	return "from " + r.From.Format("2006-01-02") + " to " + last()
}

func plural(n int, word string) string { return plural64(int64(n), word) }

func plural64(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "malformed") {
		return humanize.Comma(n) + " " + word
	}
	return humanize.Comma(n) + " " + word + "s"
}
