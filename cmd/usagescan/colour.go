package main

import (
	"io"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"
)

// Colour marks what should stand out in a table on a terminal: the recommended
// plan, overflow billed as extra usage, and rows of models without a price. It
// is applied to the laid-out text, so it never moves a column. NO_COLOR turns
// it off, FORCE_COLOR on (https://no-color.org, https://force-color.org).

const (
	ansiGood  = "\x1b[1;32m" // bold green: the recommendation
	ansiWarn  = "\x1b[33m"   // yellow: extra usage
	ansiAlert = "\x1b[1;31m" // bold red: no price
	ansiReset = "\x1b[0m"
)

// useColour decides whether w gets colour.
func useColour(e *env, w io.Writer) bool {
	if f := e.getenv("FORCE_COLOR"); f != "" && f != "0" && f != "false" {
		return true
	}
	if e.getenv("NO_COLOR") != "" {
		return false
	}
	return isTerminal(w)
}

// colourRule colours the matches of re (the whole line when re matches it
// whole).
type colourRule struct {
	re   *regexp.Regexp
	code string
}

var (
	reportColours = []colourRule{
		{regexp.MustCompile(`^.*(\?|\+ \?)$`), ansiAlert}, // a row whose cost is unknown
	}
	recommendColours = []colourRule{
		{regexp.MustCompile(`^.*\(recommended\).*$`), ansiGood},
		{regexp.MustCompile(`^Recommended:.*$`), ansiGood},
		{regexp.MustCompile(`\$[0-9,.]+ extra`), ansiWarn},
	}
)

// colourTable wraps w in a colouring writer for a table on a terminal, and
// returns w itself otherwise (other formats, --out, NO_COLOR, a pipe).
func colourTable(c *cli.Context, e *env, w io.Writer, format string, rules []colourRule) io.Writer {
	if format != "table" || c.String("out") != "" || !useColour(e, w) {
		return w
	}
	return &colourWriter{w: w, rules: rules}
}

type colourWriter struct {
	w     io.Writer
	rules []colourRule
}

// Write colours each line of p; tables are written a whole table at a time.
func (cw *colourWriter) Write(p []byte) (int, error) {
	lines := strings.SplitAfter(string(p), "\n")
	var b strings.Builder
	for _, line := range lines {
		body, nl := strings.CutSuffix(line, "\n")
		for _, r := range cw.rules {
			body = r.re.ReplaceAllStringFunc(body, func(m string) string { return r.code + m + ansiReset })
		}
		b.WriteString(body)
		if nl {
			b.WriteByte('\n')
		}
	}
	if _, err := io.WriteString(cw.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}
