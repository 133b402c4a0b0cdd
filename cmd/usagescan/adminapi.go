package main

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/billing/adminapi"
	"github.com/usagescan/usagescan/usage"
)

// adminAPIFlags are ingest's flags for pulling the bill from the Admin API.
func adminAPIFlags() []cli.Flag {
	return inCategory("Billing exports",
		&cli.BoolFlag{DisableDefaultText: true, Name: "admin-api",
			Usage: "also pull API usage and cost from the Anthropic Admin API (what the Console's CSV exports hold), with the Admin API key in $" + adminapi.EnvKey + "; the range is --since/--until, else the days since the last pull (the last two again)"},
		&cli.StringFlag{Name: "admin-api-url", Value: adminapi.DefaultBaseURL,
			Usage: "the Admin API's base `URL` (for a proxy or a local stand-in)"},
	)
}

// pullAdminAPI pulls the usage and cost reports for [since, until) and passes
// each record to emit. It does nothing without --admin-api. since and until
// are the pull's range: the caller makes them with adminapi.Window (from
// --since/--until, or the last complete day it remembered) and remembers
// adminapi.LastComplete(since, until, e.now()) once the records are stored.
// The records carry their Key (billing.RowKey) and Rev (the pull time): store
// them by key, the newer Rev replacing the older.
func pullAdminAPI(c *cli.Context, e *env, since, until time.Time, emit func(*usage.Request)) error {
	if !c.Bool("admin-api") {
		return nil
	}
	key := strings.TrimSpace(e.getenv(adminapi.EnvKey))
	if key == "" {
		return errorf("--admin-api: %s is not set", adminapi.EnvKey).
			hint("export %s=sk-ant-admin... (an Admin API key, made by an organization admin in the Console)", adminapi.EnvKey)
	}
	prices, err := loadPricing(c)
	if err != nil {
		return err
	}
	opt, err := billingOptions(c, prices)
	if err != nil {
		return err
	}
	if since.IsZero() || until.IsZero() {
		since, until = adminapi.Window(since, until, time.Time{}, e.now())
	}
	cl := &adminapi.Client{
		BaseURL: c.String("admin-api-url"), Key: key, HTTP: &http.Client{Timeout: time.Minute},
		Now: e.now, Options: opt,
	}
	ctx := c.Context
	recs, st, err := cl.FetchUsage(ctx, since, until)
	if err != nil {
		return adminAPIError(err)
	}
	costs, cst, err := cl.FetchCost(ctx, since, until)
	if err != nil {
		return adminAPIError(err)
	}
	for i := range recs {
		emit(&recs[i])
	}
	for i := range costs {
		emit(&costs[i])
	}
	st.Add(cst)
	if n := len(st.UnknownKeys); n > 0 {
		e.warnf("admin API: %s not in the organization's key list; the id stands for the key's name: %s",
			plural(n, "API key id"), strings.Join(st.UnknownKeys, ", "))
	}
	if st.OtherCosts > 0 {
		e.notef("admin API: %s of other cost types (code execution, ...) read as billed input", plural(st.OtherCosts, "cost item"))
	}
	e.notef("admin API: %s and %s for %s to %s (%s, %d retried)",
		plural(len(recs), "usage row"), plural(len(costs), "cost row"),
		since.UTC().Format(time.DateOnly), until.UTC().Add(-time.Nanosecond).Format(time.DateOnly),
		plural(st.Requests, "request"), st.Retries)
	return nil
}

// adminAPIError adds the way out to an Admin API error. The error never holds
// the key (adminapi removes it).
func adminAPIError(err error) error {
	ue := errorf("%v", err)
	switch {
	case errors.Is(err, adminapi.ErrAuth):
		ue.hint("set %s to an Admin API key (sk-ant-admin...) of the organization; a normal API key does not work", adminapi.EnvKey)
	default:
		ue.hint("check the network and --admin-api-url; nothing was pulled, and the next run asks for the same days")
	}
	return ue
}
