package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

// csvFlags name billing exports to read beside (or instead of) the logs.
func csvFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{
			Name:  "csv",
			Usage: "read a billing export `PATH`: a Console usage or cost CSV, an OpenRouter activity CSV (.csv or .csv.gz), a folder of them, or - for stdin; NAME=PATH counts it as user NAME (repeatable). Naming --csv without --logs reads the bill alone",
		},
		&cli.StringFlag{Name: "csv-map", Usage: "read other CSVs through a JSON `FILE` naming their columns (see README)"},
		&cli.StringFlag{Name: "user-from", Value: billing.UserFromAPIKey, Usage: "who a billing row belongs to: `api_key` (claude_code_key_<user>_xxxx gives <user>) or workspace"},
		&cli.StringFlag{Name: "user-map", Usage: "a CSV `FILE` of key,user lines merging API keys (or workspaces) into people"},
		&cli.BoolFlag{Name: "skip-bad-rows", Usage: "count and report CSV rows with bad cells and read on (default: stop at the first)"},
	}
}

// inputs is what the sources held: log requests (deduplicated) and the counts
// of what was read. Keyless billing rows are not kept: they are streamed.
type inputs struct {
	set     *aggregate.Set
	logs    *scan.Result // zero value when no logs were read
	csv     billing.Stats
	csvRead int // CSV files read
}

func (in *inputs) requests() []usage.Request { return in.set.Requests() }

// readInputs reads the logs and billing exports the flags name. Log requests,
// and billing records with a key (OpenRouter generations), go into one
// deduplicated set; keyless billing rows (Console exports, already totals) are
// passed to stream as they are read, so an export of any size stays small.
func readInputs(c *cli.Context, e *env, prices *pricing.Table, stream func(*usage.Request)) (*inputs, error) {
	logs, csvs := c.StringSlice("logs"), c.StringSlice("csv")
	stdinUsers := 0
	for _, v := range append(append([]string{}, logs...), csvs...) {
		if _, p := scan.SplitLabel(v); p == scan.Stdin {
			stdinUsers++
		}
	}
	if stdinUsers > 1 {
		return nil, errorf("only one --logs or --csv can read stdin (-)")
	}
	opt, err := billingOptions(c, prices)
	if err != nil {
		return nil, err
	}

	in := &inputs{set: aggregate.NewSet(), logs: &scan.Result{Set: aggregate.NewSet()}}
	var files []scan.File
	var stdin *scan.Source
	var sources []scan.Source
	readLogs := len(logs) > 0 || len(csvs) == 0 // --csv alone replaces log discovery
	if readLogs {
		sources = scan.Sources(logs, scan.Env{Getenv: e.getenv, User: c.String("user")})
		var warnings []string
		files, stdin, warnings = scan.Discover(sources)
		for _, w := range warnings {
			warnf(e.stderr, "%s", w)
		}
	}
	csvFiles, err := csvPaths(e, csvs)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 && stdin == nil && len(csvFiles) == 0 {
		if !readLogs {
			return nil, errorf("no billing exports found in %s", strings.Join(csvs, ", ")).exit(exitNoData).
				hint("--csv takes .csv or .csv.gz files, or folders of them")
		}
		var looked []string
		for _, s := range sources {
			looked = append(looked, s.Path)
		}
		return nil, errorf("no Claude Code logs found").exit(exitNoData).
			hint("looked in: %s", strings.Join(looked, ", ")).
			hint("point elsewhere with --logs PATH (a folder, a .jsonl file, or - for stdin) or CLAUDE_CONFIG_DIR=DIR")
	}
	verbose := c.Bool("verbose")
	if verbose {
		for _, s := range sources {
			fmt.Fprintf(e.stderr, "usagescan: reading %s as user %s\n", s.Path, s.User)
		}
		if readLogs {
			fmt.Fprintf(e.stderr, "usagescan: %s found\n", plural(len(files), "log file"))
		}
	}
	if len(files) > 0 || stdin != nil {
		var prog scan.Progress
		stop := startProgress(e.stderr, &prog)
		in.logs = scan.Run(files, stdin, scan.Options{Stdin: e.stdin, Progress: &prog})
		stop()
		in.set = in.logs.Set
		reportLogProblems(e, in.logs, verbose)
	}
	for _, f := range csvFiles {
		if err := readCSV(e, f, opt, in, stream, verbose); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// csvFile is one billing export to read.
type csvFile struct{ path, user string }

// csvPaths expands --csv values: folders to their *.csv and *.csv.gz files.
func csvPaths(e *env, values []string) ([]csvFile, error) {
	var out []csvFile
	for _, v := range values {
		user, path := scan.SplitLabel(v)
		if path == scan.Stdin {
			out = append(out, csvFile{path, user})
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			warnf(e.stderr, "cannot read %s: %s", path, strings.TrimPrefix(err.Error(), "stat "+path+": "))
			continue
		}
		if !st.IsDir() {
			out = append(out, csvFile{path, user})
			continue
		}
		names, err := billing.Files(path)
		if err != nil {
			warnf(e.stderr, "cannot read %s: %v", path, err)
			continue
		}
		for _, n := range names {
			out = append(out, csvFile{n, user})
		}
	}
	return out, nil
}

func billingOptions(c *cli.Context, prices *pricing.Table) (billing.Options, error) {
	opt := billing.Options{UserFrom: c.String("user-from"), SkipBadRows: c.Bool("skip-bad-rows"), Prices: prices}
	switch opt.UserFrom {
	case billing.UserFromAPIKey, billing.UserFromWorkspace:
	default:
		return opt, errorf("unknown --user-from %q", opt.UserFrom).hint("use api_key or workspace")
	}
	if f := c.String("user-map"); f != "" {
		m, err := billing.LoadUserMap(f)
		if err != nil {
			return opt, errorf("--user-map: %v", err).hint("one key,user pair a line, e.g. claude_code_key_alice_ab12,alice@example.com")
		}
		opt.UserMap = m
	}
	if f := c.String("csv-map"); f != "" {
		m, err := billing.LoadMapping(f)
		if err != nil {
			return opt, errorf("--csv-map: %v", err).hint("see README, Billing exports, for the shape")
		}
		opt.Mapping = m
	}
	return opt, nil
}

// readCSV streams one billing export.
func readCSV(e *env, f csvFile, opt billing.Options, in *inputs, stream func(*usage.Request), verbose bool) error {
	opt.User = f.user
	var rd *billing.Reader
	var err error
	if f.path == scan.Stdin {
		rd, err = billing.NewReader(e.stdin, "-", opt)
	} else {
		rd, err = billing.Open(f.path, opt)
	}
	if errors.Is(err, billing.ErrEmpty) {
		warnf(e.stderr, "%s: empty file, nothing read", f.path)
		return nil
	}
	var he *billing.HeaderError
	if errors.As(err, &he) {
		return errorf("%v", err)
	}
	if err != nil {
		return errorf("%v", err)
	}
	defer rd.Close()
	if verbose {
		h := rd.Header()
		fmt.Fprintf(e.stderr, "usagescan: reading %s as %s (%s)\n", f.path, h.Format, h.Version)
		if len(h.Ignored) > 0 {
			fmt.Fprintf(e.stderr, "usagescan: %s: ignoring columns %s\n", f.path, strings.Join(h.Ignored, ", "))
		}
	}
	for rd.Scan() {
		r := rd.Record()
		if r.Key != "" {
			in.set.Add(r)
		} else {
			stream(r)
		}
	}
	if err := rd.Err(); err != nil {
		var re *billing.RowError
		if errors.As(err, &re) {
			return errorf("%v", err).hint("fix the cell, or pass --skip-bad-rows to count such rows and read on")
		}
		return errorf("%v", err)
	}
	st := rd.Stats()
	in.csv.Add(st)
	in.csvRead++
	if st.Skipped > 0 {
		warnf(e.stderr, "%s: %s of other providers' models skipped", f.path, plural64(st.Skipped, "row"))
	}
	if st.Bad > 0 {
		bad := rd.BadRows()
		if verbose {
			for _, b := range bad {
				fmt.Fprintf(e.stderr, "usagescan: bad row: %s\n", b)
			}
		} else {
			warnf(e.stderr, "%s with bad cells skipped (first: %s); --verbose lists them", plural64(st.Bad, "CSV row"), bad[0])
		}
	}
	return nil
}

func reportLogProblems(e *env, res *scan.Result, verbose bool) {
	for _, w := range res.Warnings {
		warnf(e.stderr, "%s", w)
	}
	n := res.Stats.Malformed
	if n == 0 {
		return
	}
	if verbose {
		for _, m := range res.Malformed {
			fmt.Fprintf(e.stderr, "usagescan: malformed: %s\n", m)
		}
		if int64(len(res.Malformed)) < n {
			fmt.Fprintf(e.stderr, "usagescan: ... and %s more malformed\n", humanize.Comma(n-int64(len(res.Malformed))))
		}
		return
	}
	warnf(e.stderr, "%s skipped (first: %s); --verbose lists them", plural64(n, "malformed line"), res.Malformed[0])
}
