package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
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

// inputs is what a run read: the engine's input (the store and the named
// sources' records), and how it got there, for the diagnostics.
type inputs struct {
	*engine.Input
	ingest    *engine.IngestResult // the default run's update of the store; nil otherwise
	storePath string               // "" when no store was read
}

// logs is the read of the log files: by the default run's ingest, or of the
// named sources.
func (in *inputs) logs() *scan.Summary {
	switch {
	case in.Logs != nil:
		return in.Logs
	case in.ingest != nil:
		return in.ingest.Summary
	}
	return &scan.Summary{}
}

// duplicates counts the copies of responses the logs held beyond one each: in
// memory, what the set dropped; in the default run, the usage lines the ingest
// read beyond the keys it stored or found.
func (in *inputs) duplicates() int64 {
	if in.ingest != nil {
		return max(in.ingest.Stats.UsageLines-int64(in.ingest.New+in.ingest.Updated+in.ingest.Unchanged), 0)
	}
	return in.Set.Duplicates()
}

// readInputs reads what the flags name, through the engine:
//
//   - the default run (no --logs, no --csv) brings the history store up to date
//     from the default places, as ingest does, and answers from it; a store it
//     cannot write is read as it is, with the logs read on top, and a warning;
//   - named sources (--logs, --csv) are read into memory on top of the store
//     (read-only; it is never written for them: that is ingest's job);
//   - --no-store reads the sources alone, and so does naming --csv without
//     --logs (the bill alone), unless alwaysLogs (reconcile, which compares the
//     bill with the logs) asks for the logs all the same.
func readInputs(c *cli.Context, e *env, prices *pricing.Table, alwaysLogs bool) (*inputs, error) {
	readLogs := alwaysLogs || !billOnly(c)
	if stdinSources(c) > 1 {
		return nil, errorf("only one --logs or --csv can read stdin (-)")
	}
	opt, err := billingOptions(c, prices)
	if err != nil {
		return nil, err
	}
	verbose := c.Bool("verbose")
	src := engine.Sources{Billing: opt, In: e.stdin, CSVDone: func(r engine.CSVResult) { csvMessages(e, r, verbose) }}
	var sources []scan.Source
	if readLogs {
		sources, src.Files, src.Stdin = discoverLogs(c, e)
	}
	csvs := c.StringSlice("csv")
	src.CSV = csvPaths(e, csvs)
	in := &inputs{}

	var st *store.Store
	useStore := readLogs && !c.Bool("no-store")
	defaultLogs := len(c.StringSlice("logs")) == 0
	if useStore && defaultLogs && (len(src.Files) > 0 || storeExists(c, e)) {
		// The default run: the store is the engine. (No logs and no store yet:
		// nothing to keep, and nothing found, below.)
		st, in.ingest, err = updateStore(c, e, prices, src.Files)
		if err != nil {
			return nil, err
		}
		if st != nil && in.ingest != nil {
			src.Files = nil // in the store now
		}
	} else if useStore {
		if st, err = openStoreForRead(c, e, prices); err != nil {
			return nil, err
		}
	}
	if st != nil {
		in.storePath = st.Path()
	}
	if len(src.Files) == 0 && src.Stdin == nil && len(src.CSV) == 0 && st == nil {
		return nil, nothingFound(sources, csvs)
	}
	if verbose {
		if st != nil {
			fmt.Fprintf(e.stderr, "usagescan: reading the history store %s\n", st.Path())
		}
		for _, s := range sources {
			fmt.Fprintf(e.stderr, "usagescan: reading %s as user %s\n", s.Path, s.User)
		}
		if readLogs {
			n := len(src.Files)
			if in.ingest != nil {
				n = in.ingest.Files
			}
			fmt.Fprintf(e.stderr, "usagescan: %s found\n", plural(n, "log file"))
		}
	}
	var prog scan.Progress
	stop := startProgress(e.stderr, &prog)
	in.Input, err = engine.ReadSources(src, scan.Options{Progress: &prog, Now: e.now})
	stop()
	if err != nil {
		return nil, sourceError(err)
	}
	in.Store, in.Long = st, prices.LongContext
	if in.Logs != nil {
		reportLogProblems(e, in.Logs, verbose)
	}
	return in, nil
}

// sourceError is the message of a source that could not be read; a bad CSV
// cell says how to read on.
func sourceError(err error) *userError {
	var re *billing.RowError
	if errors.As(err, &re) {
		return errorf("%v", err).hint("fix the cell, or pass --skip-bad-rows to count such rows and read on")
	}
	return errorf("%v", err)
}

// close closes the store an inputs read.
func (in *inputs) close() {
	if in != nil && in.Store != nil {
		in.Store.Close()
	}
}

// updateStore is the default run's ingest of the default places. It returns
// the store (nil when there is none to read) and what the ingest did (nil when
// the store could not be written: the logs are then read on top of it).
func updateStore(c *cli.Context, e *env, prices *pricing.Table, files []scan.File) (*store.Store, *engine.IngestResult, error) {
	path, err := dbPath(c, e)
	if err != nil {
		return nil, nil, err
	}
	_, statErr := os.Stat(path)
	first := errors.Is(statErr, fs.ErrNotExist) && !store.IsURL(path)
	st, err := store.Open(path, store.Options{LockTimeout: reportLockTimeout, Long: prices.LongContext})
	if err != nil {
		var se *store.Error
		if errors.As(err, &se) && !errors.Is(err, store.ErrLocked) {
			return nil, nil, storeError(err) // not a store, damaged, newer: never guessed around
		}
		// Not writable (a read-only folder or file system, another owner) or
		// busy: read it as it is, and the logs on top.
		ro, rerr := openStoreForRead(c, e, prices)
		if rerr != nil {
			return nil, nil, rerr
		}
		if ro != nil {
			e.warnf("cannot update the history store %s (%s): reading it as it is, with the logs on top", store.Redact(path), reasonOf(err))
		} else {
			e.warnf("cannot create the history store %s (%s): reading the logs alone, and keeping no history (--db or USAGESCAN_DB names another place)", store.Redact(path), reasonOf(err))
		}
		return ro, nil, nil
	}
	if first {
		e.notef("usagescan: keeping usage history in %s (first run; --no-store skips it)", path)
	}
	var prog scan.Progress
	stop := startProgress(e.stderr, &prog)
	res, err := engine.Ingest(st, files, engine.IngestOptions{Progress: &prog, Now: e.now})
	stop()
	if err != nil {
		st.Close()
		if store.Denied(err) { // a team database this role may only read
			e.warnf("cannot update the history store %s (this role may only read it): reading it as it is, with the logs on top", store.Redact(path))
			ro, rerr := openStoreForRead(c, e, prices)
			return ro, nil, rerr
		}
		return nil, nil, storeError(err)
	}
	reportLogProblems(e, res.Summary, c.Bool("verbose"))
	return st, &res, nil
}

// storeExists reports whether the history store has been made.
func storeExists(c *cli.Context, e *env) bool {
	path, err := dbPath(c, e)
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}

// reportLockTimeout is how long a report waits for an ingest holding the store
// before it reads the store as it is.
const reportLockTimeout = 5 * time.Second

// reasonOf is the last part of an error, for a one-line warning.
func reasonOf(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		return msg[i+2:]
	}
	return msg
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

// csvPaths expands --csv values: folders to their *.csv and *.csv.gz files.
// Paths that cannot be read are warnings.
func csvPaths(e *env, values []string) []engine.CSVFile {
	var out []engine.CSVFile
	for _, v := range values {
		user, path := scan.SplitLabel(v)
		if path == scan.Stdin {
			out = append(out, engine.CSVFile{Path: path, User: user})
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			e.warnf("cannot read %s: %s", path, strings.TrimPrefix(err.Error(), "stat "+path+": "))
			continue
		}
		if !st.IsDir() {
			out = append(out, engine.CSVFile{Path: path, User: user})
			continue
		}
		names, err := billing.Files(path)
		if err != nil {
			e.warnf("cannot read %s: %v", path, err)
			continue
		}
		for _, n := range names {
			out = append(out, engine.CSVFile{Path: n, User: user})
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

// csvMessages says what reading one export found: with --verbose its format,
// and always the rows skipped.
func csvMessages(e *env, r engine.CSVResult, verbose bool) {
	if r.Empty {
		e.warnf("%s: empty file, nothing read", r.File.Path)
		return
	}
	if verbose {
		h := r.Header
		fmt.Fprintf(e.stderr, "usagescan: reading %s as %s (%s)\n", r.File.Path, h.Format, h.Version)
		if len(h.Ignored) > 0 {
			fmt.Fprintf(e.stderr, "usagescan: %s: ignoring columns %s\n", r.File.Path, strings.Join(h.Ignored, ", "))
		}
	}
	if r.Stats.Skipped > 0 {
		e.warnf("%s: %s of other providers' models skipped", r.File.Path, plural64(r.Stats.Skipped, "row"))
	}
	if r.Stats.Bad > 0 {
		if verbose {
			for _, b := range r.Bad {
				fmt.Fprintf(e.stderr, "usagescan: bad row: %s\n", b)
			}
		} else {
			e.warnf("%s with bad cells skipped (first: %s); --verbose lists them", plural64(r.Stats.Bad, "CSV row"), r.Bad[0])
		}
	}
}

func reportLogProblems(e *env, res *scan.Summary, verbose bool) {
	for _, w := range res.Warnings {
		e.warnf("%s", w)
	}
	if n := res.CutOffFiles; n > 0 {
		ends := "files end"
		if n == 1 {
			ends = "file ends"
		}
		e.notef("usagescan: %s %s in a line still being written (read next time)", humanize.Comma(int64(n)), ends)
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
