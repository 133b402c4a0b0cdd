package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/internal/atomicfile"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// exitLocked: another run holds the store past --lock-timeout.
const exitLocked = 4

func dbFlag() cli.Flag {
	return &cli.StringFlag{Name: "db", EnvVars: []string{"USAGESCAN_DB"}, Usage: "the history store: a SQLite `FILE` (default: $XDG_DATA_HOME/usagescan/usage.db, i.e. ~/.local/share/usagescan/usage.db), or a postgres://user@host/db URL shared by a team"}
}

func quietFlag() cli.Flag {
	return &cli.BoolFlag{DisableDefaultText: true, Name: "quiet", Aliases: []string{"q"}, Usage: "print only errors on stderr (for cron)"}
}

// readStoreFlags are the store flags of commands that read usage.
func readStoreFlags() []cli.Flag {
	return inCategory("History store",
		dbFlag(),
		&cli.BoolFlag{DisableDefaultText: true, Name: "no-store", Usage: "read only the sources named, not the history store that usagescan ingest keeps"},
		quietFlag(),
	)
}

func outFlag() cli.Flag {
	return &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write to `FILE` (atomically: the whole file or none of it) instead of stdout"}
}

// dbPath is --db, else the default store path.
func dbPath(c *cli.Context, e *env) (string, error) {
	if p := c.String("db"); p != "" {
		return scan.ExpandHome(p, scan.Env{Getenv: e.getenv}), nil
	}
	p, err := store.DefaultPath(e.getenv)
	if err != nil {
		return "", errorf("no place for the history store: %v", err).hint("name one with --db FILE or USAGESCAN_DB")
	}
	return p, nil
}

// openStoreForRead opens the history store for reading: nil, and no error, with
// --no-store or when no store has been made yet.
func openStoreForRead(c *cli.Context, e *env, prices *pricing.Table) (*store.Store, error) {
	if c.Bool("no-store") {
		return nil, nil
	}
	path, err := dbPath(c, e)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(path, store.Options{ReadOnly: true, Long: prices.LongContext})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, storeError(err)
	}
	return st, nil
}

// storeError turns a store error into a message with its hint and exit code.
func storeError(err error) error {
	var se *store.Error
	if !errors.As(err, &se) {
		return errorf("%v", err)
	}
	ue := errorf("%s", se.Error()) // it ends with the way out
	if errors.Is(err, store.ErrLocked) {
		ue.exit(exitLocked)
	}
	return ue
}

// writeOutput writes through write to stdout, or atomically to --out.
func writeOutput(c *cli.Context, e *env, write func(io.Writer) error) error {
	path := c.String("out")
	if path == "" {
		return write(e.stdout)
	}
	if err := atomicfile.WriteFileAtomic(scan.ExpandHome(path, scan.Env{Getenv: e.getenv}), 0o666, write); err != nil {
		return errorf("--out: %v", err).hint("nothing was written; the old file, if any, is unchanged")
	}
	return nil
}

func ingestCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "ingest",
		Usage: "add new usage to the history store, so nothing is lost when Claude Code deletes old logs",
		Description: `Reads the logs (and --csv billing exports) and adds every request the store does not
have yet, in one transaction. It is incremental: an unchanged file costs a stat, an appended
one is read from where the last run stopped, a rewritten one is read whole; a line still
being written is left for the next run. report and recommend read the store plus whatever
the sources add on top.

Claude Code deletes transcripts after 30 days (cleanupPeriodDays): run ingest daily from
cron so nothing ages out before it is stored:
   0 * * * *  usagescan ingest --quiet

A team shares one store: --db postgres://user@host/db (or USAGESCAN_DB) on every machine, and
any number of machines may ingest at once. --from merges another store (a laptop's usage.db)
and --admin-api pulls the API bill from the Anthropic Admin API.

Exit codes: 0 ok, 1 error, 2 nothing to read, 4 the store is locked past --lock-timeout.`,
		Flags: flagSet(sourceFlags(), csvFlags(), teamFlags(),
			inCategory("History store",
				dbFlag(), quietFlag(),
				&cli.DurationFlag{Name: "lock-timeout", Value: store.DefaultLockTimeout, Usage: "how long to wait for another run holding the store (`DURATION`, e.g. 30s)"},
			)),
		Action: func(c *cli.Context) error { return runIngest(c, e) },
	}
}

func runIngest(c *cli.Context, e *env) error {
	e.quiet = c.Bool("quiet")
	if err := checkTeamFlags(c); err != nil {
		return err
	}
	if stdinSources(c) > 0 {
		return errorf("ingest reads files, not stdin").hint("save the input to a file and name it with --logs or --csv")
	}
	prices, err := loadPricing(c)
	if err != nil {
		return err
	}
	opt, err := billingOptions(c, prices)
	if err != nil {
		return err
	}
	csvs := c.StringSlice("csv")
	var sources []scan.Source
	var files []scan.File
	if !billOnly(c) {
		sources, files, _ = discoverLogs(c, e)
		if err := refuseStreams(files); err != nil {
			return err
		}
	}
	csvFiles := csvPaths(e, csvs)
	if len(files) == 0 && len(csvFiles) == 0 && !teamSources(c) {
		return nothingFound(sources, csvs)
	}
	// Billing rows carry their row identity as their key: the same export
	// ingested again, or an overlapping one, adds nothing, and a newer export's
	// copy of a row replaces an older one's.
	var records []usage.Request
	var csvStats billing.Stats
	for _, f := range csvFiles {
		res, err := engine.ReadCSV(f, opt, e.stdin, func(r *usage.Request) { records = append(records, *r) })
		if err != nil {
			return sourceError(err)
		}
		csvMessages(e, res, c.Bool("verbose"))
		csvStats.Add(res.Stats)
	}

	path, err := dbPath(c, e)
	if err != nil {
		return err
	}
	st, err := store.Open(path, store.Options{LockTimeout: c.Duration("lock-timeout"), Long: prices.LongContext})
	if err != nil {
		return storeError(err)
	}
	defer st.Close()
	pulled, meta, err := pullIntoStore(c, e, st)
	if err != nil {
		return err
	}
	records = append(records, pulled...)
	var prog scan.Progress
	stop := startProgress(e.stderr, &prog)
	res, err := engine.Ingest(st, files, engine.IngestOptions{Records: records, Meta: meta, Progress: &prog, Now: e.now})
	stop()
	if err != nil {
		return storeError(err)
	}
	reportLogProblems(e, res.Summary, c.Bool("verbose"))
	if !e.quiet {
		fmt.Fprintf(e.stderr, "ingested into %s: %s new, %s updated, %s unchanged; %s (%s unchanged, %s appended, %s read whole, %s read)",
			st.Path(), humanize.Comma(int64(res.New)), humanize.Comma(int64(res.Updated)), humanize.Comma(int64(res.Unchanged)),
			plural(res.Files, "log file"), humanize.Comma(int64(res.Skipped)), humanize.Comma(int64(res.Appended)),
			humanize.Comma(int64(res.Whole)), humanize.Bytes(uint64(res.Bytes)))
		if len(csvFiles) > 0 {
			fmt.Fprintf(e.stderr, "; %s (%s)", plural(len(csvFiles), "CSV file"), plural64(csvStats.Records, "row"))
		}
		fmt.Fprintln(e.stderr)
	}
	return mergeStores(c, e, st, prices)
}

func storeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "store",
		Usage: "look after the history store",
		Subcommands: []*cli.Command{{
			Name:  "check",
			Usage: "verify the store (integrity, schema version, counts) and say how to recover",
			Flags: []cli.Flag{dbFlag()},
			Action: func(c *cli.Context) error {
				path, err := dbPath(c, e)
				if err != nil {
					return err
				}
				st, err := store.Open(path, store.Options{ReadOnly: true})
				if errors.Is(err, fs.ErrNotExist) {
					return errorf("no store at %s yet", store.Redact(path)).exit(exitNoData).hint("make one with usagescan ingest")
				}
				if err != nil {
					return storeError(err)
				}
				defer st.Close()
				res, err := st.Check()
				if err != nil {
					return storeError(err)
				}
				fmt.Fprintln(e.stdout, res.String())
				if !res.OK {
					return errorf("the store at %s has problems", store.Redact(path)).hint("see above for how to recover")
				}
				return nil
			},
		}},
	}
}
