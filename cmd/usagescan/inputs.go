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
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// csvFlags name billing exports to read beside (or instead of) the logs.
func csvFlags() []cli.Flag {
	return inCategory("Billing exports",
		&cli.StringSliceFlag{
			Name:  "csv",
			Usage: "read a billing export `PATH`: a Console usage or cost CSV, an OpenRouter activity CSV (.csv or .csv.gz), a folder of them, or - for stdin; NAME=PATH counts it as user NAME (repeatable). Naming --csv without --logs reads the bill alone",
		},
		&cli.StringFlag{Name: "csv-map", Usage: "read other CSVs through a JSON `FILE` naming their columns (see README)"},
		&cli.StringFlag{Name: "user-from", Value: billing.UserFromAPIKey, Usage: "who a billing row belongs to: `api_key` (claude_code_key_<user>_xxxx gives <user>) or workspace"},
		&cli.StringFlag{Name: "user-map", Usage: "a CSV `FILE` of key,user lines merging API keys (or workspaces) into people"},
		&cli.BoolFlag{DisableDefaultText: true, Name: "skip-bad-rows", Usage: "count and report CSV rows with bad cells and read on (default: stop at the first)"},
	)
}

// inputs is what the sources held: log requests (deduplicated) and the counts
// of what was read. Keyless billing rows are not kept: they are streamed.
type inputs struct {
	set     *aggregate.Set
	logs    *scan.Result // zero value when no logs were read
	csv     billing.Stats
	csvRead int // CSV files read

	storePath   string // "" when no store was read
	stored      int64  // requests read from the store
	storedOnly  int64  // of which no source held a copy
	storedNotes []usage.Notice
}

func (in *inputs) requests() []usage.Request { return in.set.Requests() }

// notices are the limit messages and the like, from the logs and the store.
func (in *inputs) notices() []usage.Notice {
	if len(in.storedNotes) == 0 {
		return in.logs.Notices
	}
	return scan.UniqueNotices(append(append([]usage.Notice{}, in.logs.Notices...), in.storedNotes...))
}

// readInputs reads the logs and billing exports the flags name, and the history
// store unless --no-store. Log requests, billing records with a key (OpenRouter
// generations) and stored requests go into one deduplicated set; keyless billing
// rows (Console exports, already totals) are passed to stream as they are read,
// so an export of any size stays small. With a store, billing rows are keyed
// per file as ingest keys them and merged through the set instead, so that an
// export both stored and named again counts once.
//
// Naming --csv without --logs reads the bill alone: no log discovery and no
// store, which stands in for the logs Claude Code deleted. With alwaysLogs
// (reconcile, which compares the two) the logs are read all the same.
func readInputs(c *cli.Context, e *env, prices *pricing.Table, stream func(*usage.Request), alwaysLogs bool) (*inputs, error) {
	readLogs := alwaysLogs || !billOnly(c)
	var st *store.Store
	if readLogs {
		var err error
		if st, err = openStoreForRead(c, e); err != nil {
			return nil, err
		}
	}
	if st != nil {
		defer st.Close()
	}
	csvs := c.StringSlice("csv")
	if stdinSources(c) > 1 {
		return nil, errorf("only one --logs or --csv can read stdin (-)")
	}
	opt, err := billingOptions(c, prices)
	if err != nil {
		return nil, err
	}

	in := &inputs{set: aggregate.NewSet(), logs: &scan.Result{Set: aggregate.NewSet()}}
	var sources []scan.Source
	var files []scan.File
	var stdin *scan.Source
	if readLogs {
		sources, files, stdin = discoverLogs(c, e)
	}
	csvFiles := csvPaths(e, csvs)
	if len(files) == 0 && stdin == nil && len(csvFiles) == 0 && st == nil {
		return nil, nothingFound(sources, csvs)
	}
	verbose := c.Bool("verbose")
	if verbose {
		if st != nil {
			fmt.Fprintf(e.stderr, "usagescan: reading the history store %s\n", st.Path())
		}
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
	if st != nil {
		// The store keys a log line without a message id by a hash of its fields;
		// key fresh copies the same way, or they would count twice.
		in.set = rekeyed(in.set)
	}
	for _, f := range csvFiles {
		add := func(r *usage.Request) {
			if r.Key != "" {
				in.set.Add(r)
			} else {
				stream(r)
			}
		}
		var keyless []usage.Request
		if st != nil {
			add = func(r *usage.Request) { keyless = append(keyless, *r) }
		}
		cs, err := readCSV(e, f, opt, verbose, add)
		if err != nil {
			return nil, err
		}
		store.KeyRecords(keyless)
		for i := range keyless {
			in.set.AddKept(&keyless[i])
		}
		in.csv.Add(cs)
		in.csvRead++
	}
	if st != nil {
		in.storePath = st.Path()
		err := st.Requests(func(r *usage.Request) error {
			in.stored++
			if in.set.AddKept(r) {
				in.storedOnly++
			}
			return nil
		})
		if err == nil {
			in.storedNotes, err = st.Notices()
		}
		if err != nil {
			return nil, storeError(err)
		}
	}
	return in, nil
}

// rekeyed returns the set with keyless requests keyed as the store keys them;
// s itself when it has none (real logs have none).
func rekeyed(s *aggregate.Set) *aggregate.Set {
	reqs := s.Requests()
	i := 0
	for i < len(reqs) && reqs[i].Key != "" {
		i++
	}
	if i == len(reqs) {
		return s
	}
	out := aggregate.NewSet()
	out.AddDuplicates(s.Duplicates())
	for _, r := range reqs {
		if r.Key == "" {
			r.Key = store.Key(&r)
		}
		out.Add(&r)
	}
	return out
}

// nothingFound is the error of a run with no source to read.
func nothingFound(sources []scan.Source, csvs []string) error {
	if len(sources) == 0 {
		return errorf("no billing exports found in %s", strings.Join(csvs, ", ")).exit(exitNoData).
			hint("--csv takes .csv or .csv.gz files, or folders of them")
	}
	var looked []string
	for _, s := range sources {
		looked = append(looked, s.Path)
	}
	return errorf("no Claude Code logs found").exit(exitNoData).
		hint("looked in: %s", strings.Join(looked, ", ")).
		hint("point elsewhere with --logs PATH (a folder, a .jsonl file, or - for stdin) or CLAUDE_CONFIG_DIR=DIR")
}

// stdinSources counts the --logs and --csv values that read stdin (-).
func stdinSources(c *cli.Context) int {
	n := 0
	for _, v := range append(c.StringSlice("logs"), c.StringSlice("csv")...) {
		if _, p := scan.SplitLabel(v); p == scan.Stdin {
			n++
		}
	}
	return n
}

// billOnly: --csv named without --logs replaces log discovery.
func billOnly(c *cli.Context) bool {
	return len(c.StringSlice("logs")) == 0 && len(c.StringSlice("csv")) > 0
}

// discoverLogs finds the log files the flags name (the default places without
// --logs), warning about paths it cannot read.
func discoverLogs(c *cli.Context, e *env) (sources []scan.Source, files []scan.File, stdin *scan.Source) {
	sources = scan.Sources(c.StringSlice("logs"), scan.Env{Getenv: e.getenv, User: c.String("user")})
	files, stdin, warnings := scan.Discover(sources)
	for _, w := range warnings {
		e.warnf("%s", w)
	}
	return sources, files, stdin
}

// csvFile is one billing export to read.
type csvFile struct{ path, user string }

// csvPaths expands --csv values: folders to their *.csv and *.csv.gz files.
// Paths that cannot be read are warnings.
func csvPaths(e *env, values []string) []csvFile {
	var out []csvFile
	for _, v := range values {
		user, path := scan.SplitLabel(v)
		if path == scan.Stdin {
			out = append(out, csvFile{path, user})
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			e.warnf("cannot read %s: %s", path, strings.TrimPrefix(err.Error(), "stat "+path+": "))
			continue
		}
		if !st.IsDir() {
			out = append(out, csvFile{path, user})
			continue
		}
		names, err := billing.Files(path)
		if err != nil {
			e.warnf("cannot read %s: %v", path, err)
			continue
		}
		for _, n := range names {
			out = append(out, csvFile{n, user})
		}
	}
	return out
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

// readCSV streams the records of one billing export to add.
func readCSV(e *env, f csvFile, opt billing.Options, verbose bool, add func(*usage.Request)) (billing.Stats, error) {
	opt.User = f.user
	var rd *billing.Reader
	var err error
	if f.path == scan.Stdin {
		rd, err = billing.NewReader(e.stdin, "-", opt)
	} else {
		rd, err = billing.Open(f.path, opt)
	}
	if errors.Is(err, billing.ErrEmpty) {
		e.warnf("%s: empty file, nothing read", f.path)
		return billing.Stats{}, nil
	}
	if err != nil {
		return billing.Stats{}, errorf("%v", err)
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
		add(rd.Record())
	}
	if err := rd.Err(); err != nil {
		var re *billing.RowError
		if errors.As(err, &re) {
			return billing.Stats{}, errorf("%v", err).hint("fix the cell, or pass --skip-bad-rows to count such rows and read on")
		}
		return billing.Stats{}, errorf("%v", err)
	}
	st := rd.Stats()
	if st.Skipped > 0 {
		e.warnf("%s: %s of other providers' models skipped", f.path, plural64(st.Skipped, "row"))
	}
	if st.Bad > 0 {
		bad := rd.BadRows()
		if verbose {
			for _, b := range bad {
				fmt.Fprintf(e.stderr, "usagescan: bad row: %s\n", b)
			}
		} else {
			e.warnf("%s with bad cells skipped (first: %s); --verbose lists them", plural64(st.Bad, "CSV row"), bad[0])
		}
	}
	return st, nil
}

func reportLogProblems(e *env, res *scan.Result, verbose bool) {
	for _, w := range res.Warnings {
		e.warnf("%s", w)
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
	e.warnf("%s skipped (first: %s); --verbose lists them", plural64(n, "malformed line"), res.Malformed[0])
}
