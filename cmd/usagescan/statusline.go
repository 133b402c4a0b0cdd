package main

import (
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/measure"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/recommend"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/statusline"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// maxStatusInput caps what is read from stdin: Claude Code sends a few KB.
const maxStatusInput = 1 << 20

// setupSnippet is what statusline --setup prints.
const setupSnippet = `{
  "statusLine": {"type": "command", "command": "usagescan statusline", "padding": 0, "refreshInterval": 10}
}`

// statuslineStore opens the history store for the status line and brings it
// up to date from in.TranscriptPath (that file's new bytes only); the closer
// is called when the line is printed. A nil Store is a run without history:
// the line shows the meter and the default budgets. Tests replace it.
var statuslineStore = openStatusStore

func statuslineCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "statusline",
		Usage: "one line for Claude Code's status line: this window's, week's and day's use against your plan",
		Description: `Claude Code runs the status-line command after each turn and pipes it a JSON document;
usagescan statusline reads it, records the plan meter's percentages (rate_limits) in the
history store, and prints one line:

   Max 5x · 5h 42% ~$27 of $65 (resets 16:40) · week 36% $198 of $550 · today $31 · Opus 4.8

42% is the plan's own meter; $27 of $65 is what that is in API-equivalent dollars, against the
window's budget: measured from your snapshots once enough agree, else the plan's default,
marked ~. "today" is the logged use since midnight. It never breaks the line: on an error it
prints a short fallback, writes the reason to statusline.log beside the store, and exits 0.

Set up: usagescan statusline --setup prints the snippet for ~/.claude/settings.json.

Fields (--fields, comma-separated, in order): plan, 5h, week, today, session (Claude Code's
own estimate of the session's cost), model, resets (when the week resets).
Default: plan,5h,week,today,model.

Examples:
   usagescan statusline --setup
   usagescan statusline --plan pro --fields 5h,week,model --color always`,
		Flags: flagSet(
			inCategory("Status line",
				&cli.BoolFlag{DisableDefaultText: true, Name: "setup", Usage: "print the settings.json snippet that makes Claude Code use this command"},
				&cli.StringFlag{Name: "fields", Usage: "what to show: a comma-separated `LIST` of plan, 5h, week, today, session, model, resets"},
				&cli.StringFlag{Name: "color", Value: "auto", Usage: "`WHEN` to colour the percentages: auto (a terminal), always or never; NO_COLOR turns it off"},
				&cli.StringFlag{Name: "plan", Usage: "the plan `ID` you are on (pro, max-5x, max-20x, ...): its default budgets until yours are measured"},
				&cli.StringFlag{Name: "tz", Usage: "IANA time `ZONE` of 'today' and reset times (default: the local zone)"},
				&cli.StringFlag{Name: "user", Usage: "whose use it is, as in the store (default: as for the logs)"},
			),
			configFlagSet(),
			inCategory("History store", dbFlag()),
		),
		Action: func(c *cli.Context) error { return runStatusline(c, e) },
	}
}

func runStatusline(c *cli.Context, e *env) (err error) {
	if c.Bool("setup") {
		return writeSetup(e.stdout)
	}
	now := e.now()
	model := ""
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
		if err != nil {
			logStatusError(c, e, err)
			fmt.Fprintln(e.stdout, statusline.Fallback(model))
			err = nil // the status line never fails
		}
	}()
	data, err := io.ReadAll(io.LimitReader(e.stdin, maxStatusInput))
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	in, err := statusline.Parse(data)
	if err != nil {
		return fmt.Errorf("%w (%d bytes: %q)", err, len(data), shorten(string(data), 60))
	}
	model = in.Model()
	if _, err := applyConfig(c, e, "plan"); err != nil {
		return err
	}
	style := statusline.Style{}
	if f := c.String("fields"); f != "" {
		if style.Fields, err = statusline.ParseFields(f); err != nil {
			return fmt.Errorf("--fields: %w", err)
		}
	}
	if style.Color, err = statusline.ColorWanted(c.String("color"), isTerminal(e.stdout), e.getenv); err != nil {
		return fmt.Errorf("--color: %w", err)
	}
	loc, _, err := timeZone(c.String("tz"), e.getenv)
	if err != nil {
		return err
	}
	opt := statusline.Options{Now: now, Location: loc, User: statusUser(c, e, in)}
	if name := c.String("plan"); name != "" {
		p, ok := recommend.Default().Lookup(name)
		if !ok {
			return fmt.Errorf("unknown --plan %q", name)
		}
		opt.Plan = p // the API has no budgets: its name only
	}
	st, closeStore, err := statuslineStore(c, e, in, opt.User)
	if err != nil {
		return err
	}
	defer closeStore()
	res, err := statusline.Build(in, st, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, statusline.Render(res.Line, style))
	return nil
}

// statusUser is --user, else the user of the log root that holds the
// transcript, else the default user of the logs.
func statusUser(c *cli.Context, e *env, in *statusline.Input) string {
	env := scan.Env{Getenv: e.getenv, User: c.String("user")}
	sources := scan.Sources(nil, env)
	if in.TranscriptPath != "" {
		// As given, then with links resolved (a linked ~/.claude).
		for _, resolve := range []bool{false, true} {
			tp := in.TranscriptPath
			if resolve {
				if r, err := filepath.EvalSymlinks(filepath.Dir(tp)); err == nil {
					tp = filepath.Join(r, filepath.Base(tp))
				}
			}
			for _, s := range sources {
				root := s.Path
				if resolve {
					if r, err := filepath.EvalSymlinks(root); err == nil {
						root = r
					}
				}
				if rel, err := filepath.Rel(root, tp); err == nil && !strings.HasPrefix(rel, "..") {
					return s.User
				}
			}
		}
	}
	if len(sources) > 0 {
		return sources[0].User
	}
	return "unknown"
}

// logStatusError writes err to statusline.log beside the store (and, for a
// person trying the command by hand, to stderr).
func logStatusError(c *cli.Context, e *env, err error) {
	e.notef("usagescan statusline: %v", firstLine(err.Error()))
	db, derr := dbPath(c, e)
	if derr == nil && store.IsURL(db) { // a shared database: the log stays on this machine
		db, derr = storeDefault(e)
	}
	if derr != nil {
		return
	}
	if lerr := statusline.AppendLog(statusline.LogPath(db), e.now(), err.Error()); lerr != nil {
		e.notef("usagescan statusline: cannot write the log: %v", lerr)
	}
}

func writeSetup(w io.Writer) error {
	_, err := fmt.Fprintf(w, `Add this to ~/.claude/settings.json (or a project's .claude/settings.json):

%s

Claude Code then runs "usagescan statusline" after each turn and at most every 10 seconds.
Options go on the command: "usagescan statusline --plan max-5x --fields 5h,week,model
--color always". Set your plan once for every command in ~/.config/usagescan/config.json:
{"plan": "max-5x"} (see usagescan config).
`, setupSnippet)
	return err
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// recommendSnapshots returns the status-line snapshots in the history store,
// for recommend's measured budgets (nil: none). Tests replace it.
var recommendSnapshots = storedSnapshots

// measuredBudgets measures each user's budgets from the stored snapshots and
// the requests read, taken on plan ("": recommend infers it).
func measuredBudgets(c *cli.Context, e *env, reqs iter.Seq[*usage.Request], prices *pricing.Table, plan string) (map[string]*recommend.Measured, error) {
	snaps, err := recommendSnapshots(c, e)
	if err != nil || len(snaps) == 0 {
		return nil, err
	}
	return statusline.MeasuredBudgets(snaps, statusline.SpendPointsSeq(reqs, prices), plan, measure.Options{}), nil
}
