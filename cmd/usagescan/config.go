package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/config"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
)

func configFlag() cli.Flag {
	return &cli.StringFlag{Name: "config", Usage: "read settings (plan, tz, provider, db) from `FILE` (default: $XDG_CONFIG_HOME/usagescan/config.json, i.e. ~/.config/usagescan/config.json); flags win over it"}
}

// configFlagSet is --config under its own heading.
func configFlagSet() []cli.Flag { return inCategory("Settings", configFlag()) }

// configChecks validates a settings file's plan against the catalogue and its
// providers against the built-in price table (a provider of a --pricing file
// is checked when the command loads it).
func configChecks(c *cli.Context) config.Checks {
	chk := config.Checks{Plan: func(s string) error {
		if _, ok := recommend.Default().Lookup(s); !ok {
			var ids []string
			for _, p := range recommend.Default().Plans() {
				ids = append(ids, p.ID)
			}
			return fmt.Errorf("unknown plan %q (known: %s)", s, strings.Join(ids, ", "))
		}
		return nil
	}}
	if !hasFlag(c, "pricing") || c.String("pricing") == "" {
		chk.Provider = func(s string) error {
			if _, ok := pricing.Default().Provider(s); !ok {
				var ids []string
				for _, p := range pricing.Default().Providers() {
					ids = append(ids, p.ID)
				}
				return fmt.Errorf("unknown provider %q (known: %s)", s, strings.Join(ids, ", "))
			}
			return nil
		}
	}
	return chk
}

// loadConfig reads --config, else the default settings file if there is one.
func loadConfig(c *cli.Context, e *env) (*config.File, error) {
	path, explicit := "", false
	if hasFlag(c, "config") && c.String("config") != "" {
		path, explicit = scan.ExpandHome(c.String("config"), scan.Env{Getenv: e.getenv}), true
	} else {
		path = config.DefaultPath(e.getenv)
	}
	f, err := config.Load(path, explicit, configChecks(c))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errorf("--config: %v", err).hint("create it, or leave --config out to use %s", config.DefaultPath(e.getenv))
		}
		return nil, errorf("%v", err).hint("settings files take the keys %s; see usagescan config --help", strings.Join(config.Keys, ", "))
	}
	return f, nil
}

// applyConfig reads the settings file and gives its values to the command's
// flags that were not set: flags win over the file, the file over defaults.
// planFlag is the command's flag for "plan" ("" when it has none).
func applyConfig(c *cli.Context, e *env, planFlag string) (*config.File, error) {
	f, err := loadConfig(c, e)
	if err != nil {
		return nil, err
	}
	set := func(flag, value string) error {
		if value == "" || flag == "" || !hasFlag(c, flag) || c.IsSet(flag) {
			return nil
		}
		return c.Set(flag, value)
	}
	if err := set(planFlag, f.Plan); err != nil {
		return nil, err
	}
	if err := set("tz", f.TZ); err != nil {
		return nil, err
	}
	if e.getenv("USAGESCAN_DB") == "" { // the variable, like the flag, wins over the file
		if err := set("db", f.DB); err != nil {
			return nil, err
		}
	}
	if hasFlag(c, "provider") && !c.IsSet("provider") {
		ps := f.Provider
		if _, single := flagOf(c, "provider").(*cli.StringFlag); single && len(ps) > 1 {
			ps = ps[:1] // report prices through one provider: the first
		}
		for _, p := range ps {
			if err := c.Set("provider", p); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

func flagOf(c *cli.Context, name string) cli.Flag {
	if c.Command == nil {
		return nil
	}
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func hasFlag(c *cli.Context, name string) bool { return flagOf(c, name) != nil }

func configCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "print the effective settings and where each came from",
		Description: `Settings come from flags, then the settings file, then the defaults. The file is
$XDG_CONFIG_HOME/usagescan/config.json (i.e. ~/.config/usagescan/config.json), or --config FILE:

   {"plan": "max-5x", "tz": "Europe/Rome", "provider": "anthropic", "db": "~/usage.db"}

plan      the plan you are on (recommend --current-plan, the status line's budgets)
tz        IANA time zone for months, days and reset times
provider  the API provider(s) to price through: a name or a list
db        the history store file (USAGESCAN_DB and --db win over it)

Examples:
   usagescan config
   usagescan config --config ./team.json --tz UTC`,
		Flags: flagSet(configFlagSet(), inCategory("Settings",
			&cli.StringFlag{Name: "plan", Usage: "the plan `ID` you are on"},
			&cli.StringFlag{Name: "tz", Usage: "IANA time `ZONE`"},
			&cli.StringSliceFlag{Name: "provider", Usage: "API provider `NAME` (repeatable)"},
			dbFlag(),
		)),
		Action: func(c *cli.Context) error { return runConfig(c, e) },
	}
}

func runConfig(c *cli.Context, e *env) error {
	f, err := loadConfig(c, e)
	if err != nil {
		return err
	}
	flags := map[string]config.Flag{
		"plan":     {Value: c.String("plan"), Source: "flag --plan"},
		"tz":       {Value: c.String("tz"), Source: "flag --tz"},
		"provider": {Value: strings.Join(c.StringSlice("provider"), ", "), Source: "flag --provider"},
	}
	if e.getenv("USAGESCAN_DB") != "" && !c.IsSet("db") {
		flags["db"] = config.Flag{Value: store.Redact(e.getenv("USAGESCAN_DB")), Source: "env USAGESCAN_DB"}
	} else {
		flags["db"] = config.Flag{Value: store.Redact(c.String("db")), Source: "flag --db"}
	}
	_, zone, _ := timeZone("", e.getenv)
	zoneFrom := "default: the local zone"
	if e.getenv("TZ") != "" {
		zoneFrom = "default: $TZ"
	}
	db, _ := storeDefault(e)
	settings := config.Resolve(f, flags, map[string]string{"plan": "", "tz": zone, "provider": "anthropic", "db": db})
	where := config.DefaultPath(e.getenv)
	switch {
	case f.Path != "":
		where = f.Path
	case where == "":
		where = "(none: HOME is not set)"
	default:
		where += " (not found)"
	}
	fmt.Fprintf(e.stdout, "settings file  %s\n", where)
	for _, s := range settings {
		v, src := s.Value, s.Source
		if s.Key == "db" {
			v = store.Redact(v) // a team database's URL may hold a password
		}
		if v == "" {
			v = "-"
		}
		if s.Key == "plan" && s.Source == "default" {
			src = "default: none"
		}
		if s.Key == "tz" && s.Source == "default" {
			src = zoneFrom
		}
		fmt.Fprintf(e.stdout, "%-14s %s  (%s)\n", s.Key, v, src)
	}
	return nil
}

// storeDefault is the store path without --db: USAGESCAN_DB is handled by the
// caller, so it is left out here.
func storeDefault(e *env) (string, error) {
	getenv := func(k string) string {
		if k == "USAGESCAN_DB" {
			return ""
		}
		return e.getenv(k)
	}
	return store.DefaultPath(getenv)
}
