package main

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/billing/adminapi"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// adminAPIDayKey is the store's meta key for the last complete UTC day the
// Admin API pull got (YYYY-MM-DD): the next pull starts adminapi.Refetch days
// before the day after it.
const adminAPIDayKey = "admin_api_last_complete_day"

// teamFlags are ingest's flags for merging another store and pulling the bill.
func teamFlags() []cli.Flag {
	return flagSet(
		inCategory("History store",
			&cli.StringSliceFlag{Name: "from", Usage: "also merge another usagescan store: a SQLite `FILE` or a postgres:// URL (repeatable); keys are global, so merging it again adds nothing"},
		),
		adminAPIFlags(),
		inCategory("Billing exports",
			&cli.StringFlag{Name: "since", Usage: "the Admin API pull's first `DAY`, YYYY-MM-DD or YYYY-MM (UTC; default: the days since the last pull, the last two again)"},
			&cli.StringFlag{Name: "until", Usage: "the Admin API pull's last `DAY`, YYYY-MM-DD or YYYY-MM (UTC, inclusive; default: now)"},
		),
	)
}

// teamSources says whether ingest has a source besides logs and CSVs: then
// finding no log is no error.
func teamSources(c *cli.Context) bool {
	return c.Bool("admin-api") || len(c.StringSlice("from")) > 0
}

// checkTeamFlags refuses --since/--until without --admin-api.
func checkTeamFlags(c *cli.Context) error {
	if !c.Bool("admin-api") && (c.IsSet("since") || c.IsSet("until")) {
		return errorf("--since and --until set the Admin API pull's range").hint("add --admin-api, or leave them out")
	}
	return nil
}

// utcDayFlag reads --since or --until: the first instant of the day or month
// named, or for an end bound the first instant after it.
func utcDayFlag(c *cli.Context, name string, end bool) (time.Time, error) {
	s := c.String(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		if end {
			t = t.AddDate(0, 1, 0)
		}
		return t, nil
	}
	return time.Time{}, errorf("--%s %q: not a day", name, s).hint("write YYYY-MM-DD or YYYY-MM (UTC)")
}

// pullIntoStore pulls the Admin API's records for ingest: the range is
// --since/--until, else from the last complete day the store remembers. It
// returns the records and the meta value to store with them.
func pullIntoStore(c *cli.Context, e *env, st *store.Store) ([]usage.Request, map[string]string, error) {
	if !c.Bool("admin-api") {
		return nil, nil, nil
	}
	since, err := utcDayFlag(c, "since", false)
	if err != nil {
		return nil, nil, err
	}
	until, err := utcDayFlag(c, "until", true)
	if err != nil {
		return nil, nil, err
	}
	var last time.Time
	v, ok, err := st.Meta(adminAPIDayKey)
	if err != nil {
		return nil, nil, storeError(err)
	}
	if ok {
		if last, err = time.Parse(time.DateOnly, v); err != nil {
			e.warnf("the store's %s is %q, not a day: pulling as for a first run", adminAPIDayKey, v)
			last = time.Time{}
		}
	}
	now := e.now()
	since, until = adminapi.Window(since, until, last, now)
	if !since.Before(until) {
		return nil, nil, errorf("--since %s is not before --until", c.String("since")).hint("give --until a later day")
	}
	var recs []usage.Request
	if err := pullAdminAPI(c, e, since, until, func(r *usage.Request) { recs = append(recs, *r) }); err != nil {
		return nil, nil, err
	}
	meta := map[string]string{}
	if d := adminapi.LastComplete(since, until, now); !d.IsZero() && d.After(last) {
		meta[adminAPIDayKey] = d.Format(time.DateOnly)
	}
	return recs, meta, nil
}

// mergeStores merges each --from store into st.
func mergeStores(c *cli.Context, e *env, st *store.Store, prices *pricing.Table) error {
	for _, from := range c.StringSlice("from") {
		if !store.IsURL(from) {
			from = scan.ExpandHome(from, scan.Env{Getenv: e.getenv})
		}
		src, err := store.Open(from, store.Options{ReadOnly: true, Long: prices.LongContext})
		if errors.Is(err, fs.ErrNotExist) {
			return errorf("--from %s: no usagescan store there", store.Redact(from)).exit(exitNoData).
				hint("name a store that usagescan ingest made (a usage.db file or a postgres:// URL)")
		}
		if err != nil {
			return storeError(err)
		}
		counts, err := engine.Merge(st, src, e.now())
		src.Close()
		if err != nil {
			return storeError(err)
		}
		if !e.quiet {
			fmt.Fprintf(e.stderr, "merged %s into %s: %s new, %s updated, %s unchanged, %s new\n",
				src.Path(), st.Path(), humanize.Comma(int64(counts.New)), humanize.Comma(int64(counts.Updated)),
				humanize.Comma(int64(counts.Unchanged)), plural(counts.Notices, "notice"))
		}
	}
	return nil
}
