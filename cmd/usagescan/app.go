package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

var version = "" // set with -ldflags "-X main.version=..."

// env is what a command may touch of the outside world; tests pass their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	pinnedNow      bool // USAGESCAN_NOW set the clock
	quiet          bool // --quiet: errors only on stderr
}

// warnf prints a warning that does not stop the run, unless --quiet.
func (e *env) warnf(format string, args ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stderr, "usagescan: warning: "+format+"\n", args...)
	}
}

// notef prints a line of diagnostics on stderr, unless --quiet.
func (e *env) notef(format string, args ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stderr, format+"\n", args...)
	}
}

// run builds the app, runs it on args and returns the exit code. It never calls
// os.Exit, so tests run it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	if s := getenv("USAGESCAN_NOW"); s != "" { // tests and reproducible reports pin the clock
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			e.now, e.pinnedNow = func() time.Time { return t }, true
		}
	}
	app := &cli.App{
		Name:      "usagescan",
		Usage:     "what you used of Claude Code and the Claude API, and which plan fits it",
		UsageText: "usagescan [command] [flags]   (no command: report)",
		Description: `usagescan reads Claude Code session logs (~/.claude/projects/**/*.jsonl) and API
billing exports (--csv), counts every API response once, prices each at the rate of its
model, date and tier, and tells you which plan to pay for. No flags are needed on a
normal machine.

It keeps every request in a history store (~/.local/share/usagescan/usage.db; --db, or
USAGESCAN_DB): each run first adds what is new in the logs (a stat per unchanged file, only
the bytes added since) and then answers from the store, so history outlives Claude Code's
30-day cleanup and the second run of the day costs next to nothing. --no-store skips it.

Examples:
   usagescan                               tokens and cost per month, user and model
   usagescan recommend                     Pro, Max or the API: which is cheapest for you
   usagescan report --since 2026-06 --by day --breakdown
   usagescan report --csv claude_api_cost_2026_06.csv
   usagescan ingest --quiet                keep history past Claude Code's 30-day cleanup (cron)

Each command's --help lists its flags with examples.

Exit codes: 0 ok, 1 error, 2 no usage data found, 3 a model without a price (--strict),
4 the history store stayed locked past --lock-timeout.`,
		Version:        versionString(),
		Reader:         stdin,
		Writer:         stdout,
		ErrWriter:      stderr,
		Suggest:        true,
		ExitErrHandler: func(*cli.Context, error) {}, // exit codes are decided in exitCode()
		Commands:       []*cli.Command{reportCommand(e), recommendCommand(e), ingestCommand(e), reconcileCommand(e), pricesCommand(e), storeCommand(e), statuslineCommand(e), configCommand(e)},
	}
	err := app.Run(withDefaultCommand(ccusageArgs(args)))
	return exitCode(stderr, err)
}

// withDefaultCommand makes report the default: "usagescan --since 2026-06" runs
// "usagescan report --since 2026-06".
func withDefaultCommand(args []string) []string {
	if len(args) < 1 {
		return []string{"usagescan", "report"}
	}
	if len(args) == 1 {
		return append(args[:1:1], "report")
	}
	switch a := args[1]; {
	case a == "-h" || a == "--help" || a == "-v" || a == "--version" || a == "help":
		return args
	case strings.HasPrefix(a, "-"):
		return append([]string{args[0], "report"}, args[1:]...)
	}
	return args
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// isTerminal reports whether w is a terminal (for progress output).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
