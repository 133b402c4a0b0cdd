package recommend

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
)

// Formats are the output formats Render knows.
var Formats = []string{"table", "json", "markdown"}

// Render writes the report as a table, JSON or markdown.
func Render(w io.Writer, r *Report, format string) error {
	switch format {
	case "table", "":
		return WriteTable(w, r)
	case "json":
		return WriteJSON(w, r)
	case "markdown", "md":
		return WriteMarkdown(w, r)
	}
	return fmt.Errorf("unknown format %q: want table, json or markdown", format)
}

// WriteJSON writes the report in the usagescan.recommend/v1 contract, indented.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the report for a terminal: per user, the answer first, then
// the months as a grid of options x cost, cap hits and break-even lines; then the
// team; then the budgets the figures rest on.
func WriteTable(w io.Writer, r *Report) error {
	return r.write(w, textStyle{})
}

// WriteMarkdown writes the same content as WriteTable as markdown, for a
// monthly report file.
func WriteMarkdown(w io.Writer, r *Report) error {
	return r.write(w, mdStyle{})
}

// style is how the text and markdown outputs differ.
type style interface {
	title(b *strings.Builder, s string)
	heading(b *strings.Builder, s string)
	para(b *strings.Builder, s string)
	bullets(b *strings.Builder, items []string)
	grid(b *strings.Builder, g *grid)
	strong(s string) string
}

// grid is a table: a header, rows, and which columns are numbers.
type grid struct {
	head  []string
	rows  [][]string
	right []bool
}

// monthGrid returns a grid with the columns Option, each of n months (month(i)
// gives its period and whether it is projected) and Per month.
func monthGrid(n int, month func(i int) (period string, projected bool)) *grid {
	g := &grid{head: []string{"Option"}, right: []bool{false}}
	for i := range n {
		label, projected := month(i)
		if projected {
			label += " (projected)"
		}
		g.head = append(g.head, label)
		g.right = append(g.right, true)
	}
	g.head = append(g.head, "Per month")
	g.right = append(g.right, true)
	return g
}

func (r *Report) write(w io.Writer, st style) error {
	var b strings.Builder
	span := r.Since + " to " + r.Until
	st.title(&b, fmt.Sprintf("Claude plan recommendation, %s (%s), API priced at %s", span, r.Timezone, strings.Join(r.Providers, ", ")))
	if len(r.Users) == 0 {
		st.para(&b, "No usage in these months.")
	}
	for i := range r.Users {
		writeUser(&b, st, r, &r.Users[i])
	}
	if r.Team != nil {
		writeTeam(&b, st, r.Team, r)
	}
	writeBreakEven(&b, st, r)
	writeBudgets(&b, st, r)
	if len(r.Notes) > 0 {
		st.bullets(&b, r.Notes)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeUser(b *strings.Builder, st style, r *Report, u *User) {
	head := fmt.Sprintf("%s: %s", u.User, u.RecommendedName)
	st.heading(b, head)
	answer := fmt.Sprintf("%s %s for %s a month on average", st.strong("Recommended:"), u.RecommendedName, money(u.TotalUSDPerMonth))
	if u.NextBest != "" {
		answer += fmt.Sprintf(", saving %s a month (%s a year) against %s", money(u.SavingsUSDPerMonth), money(u.SavingsUSDPerYear), nameOf(u, u.NextBest))
	}
	conf := "confidence " + u.Confidence
	if len(u.ConfidenceNotes) > 0 {
		conf += " (" + strings.Join(u.ConfidenceNotes, "; ") + ")"
	}
	st.para(b, answer+"; "+conf+".")
	st.para(b, capitalize(u.Reason)+".")
	if len(u.Notes) > 0 {
		st.bullets(b, capitalizeAll(u.Notes))
	}

	// Options x months.
	g := monthGrid(len(u.Months), func(i int) (string, bool) { return u.Months[i].Period, u.Months[i].Projected })
	noExtra := r.NoExtraUsage
	var capRows [][]string
	stopped := false
	for k, pc := range u.Months[0].Plans {
		name := pc.Name
		switch {
		case pc.Team && pc.Seats > 1 && len(r.Users) == 1:
			name += fmt.Sprintf(" (%s seats)", trimZero(fmt.Sprintf("%.2f", pc.Seats)))
		case pc.Team:
			name += " (seat)"
		}
		if pc.PriceYearlyUSD > 0 && pc.PriceMonthlyUSD > 0 {
			if r.Billing == "yearly" {
				name += fmt.Sprintf(" [%s monthly]", money(pc.PriceMonthlyUSD))
			} else {
				name += fmt.Sprintf(" [%s yearly]", money(pc.PriceYearlyUSD))
			}
		}
		row := []string{name}
		sum := 0.0
		caps := []string{name}
		anyCap := false
		for _, m := range u.Months {
			c := m.Plans[k]
			cell := moneyCents(c.TotalUSD)
			if noExtra && !c.Fits {
				cell += " x"
			}
			if c.ObservedHits > 0 {
				cell += " !"
				stopped = true
			}
			if c.Cheapest {
				cell = "* " + cell
			}
			row = append(row, cell)
			sum += c.TotalUSD
			capCell := "-"
			if c.CapHits5h+c.CapHitsWeek+c.CapHitsModel > 0 || c.LongContextUSD > 0 {
				anyCap = true
				capCell = fmt.Sprintf("%d / %d", c.CapHits5h, c.CapHitsWeek)
				if c.CapHitsModel > 0 {
					capCell += fmt.Sprintf(" / %d model", c.CapHitsModel)
				}
				if c.ObservedHits > 0 {
					capCell += fmt.Sprintf(" (%d observed)", c.ObservedHits)
				}
				if c.LongContextUSD > 0 {
					capCell += ", " + money(c.LongContextUSD) + " 1M-context"
				}
				if c.OverflowUSD > 0 && !noExtra {
					capCell += ", " + money(c.OverflowUSD) + " extra"
				}
				if noExtra {
					capCell += fmt.Sprintf(", %s wait", hours(c.WaitHours))
				}
			}
			caps = append(caps, capCell)
		}
		row = append(row, moneyCents(sum/float64(len(u.Months))))
		if pc.Plan == u.Recommended {
			row[0] += " (recommended)"
			for i := range row {
				row[i] = st.strong(row[i])
			}
		}
		g.rows = append(g.rows, row)
		if anyCap {
			capRows = append(capRows, caps)
		}
	}
	st.grid(b, g)
	legend := "* cheapest that month; team seats are shown for comparison, never recommended to one person (a team pays for at least 5 seats; see the team view)."
	if u.MonthsActive > 0 && u.MonthsActive < u.MonthsInRange {
		legend += fmt.Sprintf(" %d of %d months active: per-month figures average the active months.", u.MonthsActive, u.MonthsInRange)
	}
	if noExtra {
		legend += " x: budgets ran out, and without extra usage the plan does not fit."
	}
	if stopped {
		legend += " !: your logs show you were stopped on this plan that month (limit hits): it does not fit, and its real cost is unknown."
	}
	st.para(b, legend)
	if len(capRows) > 0 {
		cg := &grid{head: []string{"Cap hits (5-hour / week)"}, right: []bool{false}, rows: capRows}
		for _, m := range u.Months {
			cg.head = append(cg.head, m.Period)
			cg.right = append(cg.right, true)
		}
		st.grid(b, cg)
	}
	var facts []string
	use := fmt.Sprintf("API-equivalent use %s a month at list price", money(u.APICostUSDPerMonth))
	if u.BusiestWeekUSD > 0 {
		use += fmt.Sprintf("; busiest 5-hour window %s, busiest week %s", money(u.BusiestWindowUSD), money(u.BusiestWeekUSD))
	}
	facts = append(facts, use)
	if mx := u.Mix; mx != nil && len(mx.BreakEven) > 0 {
		var parts []string
		ratio := 0.0
		provider := mx.BreakEven[0].Provider
		for _, be := range mx.BreakEven {
			if be.Provider != provider {
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %s = %s", planName(r, be.Plan), money(be.PriceUSD), tokens(be.OutputTokens)))
			ratio = be.RuleOverMix
		}
		s := fmt.Sprintf("your own break-even: with your mix of tokens (cache reads and writes included) an output token costs %s per 1M, so %s output tokens a month; you use %s a month",
			money(mx.USDPerMOutput), strings.Join(parts, ", "), tokens(mx.OutputTokensPerMonth))
		switch {
		case ratio > 1.05:
			s += fmt.Sprintf("; the output-only rule below puts break-even %.1fx too high for you", ratio)
		case ratio > 0 && ratio < 0.95:
			s += fmt.Sprintf("; the output-only rule below puts break-even at %.1fx yours", ratio)
		case ratio > 0:
			s += "; the output-only rule below fits your mix"
		}
		facts = append(facts, s)
	}
	st.bullets(b, capitalizeAll(facts))
}

func writeTeam(b *strings.Builder, st style, t *Team, r *Report) {
	st.heading(b, fmt.Sprintf("Team of %d: %s", len(t.Users), strings.ToLower(teamName(r, t.Recommended))))
	s := fmt.Sprintf("%s %s for %s a month", st.strong("Cheapest for the team:"), teamName(r, t.Recommended), money(teamTotal(t, t.Recommended)))
	if t.SavingsUSDPerMonth > 0 {
		s += fmt.Sprintf(", saving %s a month (%s a year) against the next best", money(t.SavingsUSDPerMonth), money(t.SavingsUSDPerYear))
	}
	st.para(b, s+".")
	g := monthGrid(len(t.Months), func(i int) (string, bool) { return t.Months[i].Period, t.Months[i].Projected })
	for k, o := range t.Options {
		row := []string{teamName(r, o.Option)}
		for _, m := range t.Months {
			c := m.Options[k]
			cell := moneyCents(c.TotalUSD)
			if r.NoExtraUsage && !o.Fits {
				cell += " x"
			}
			if c.Cheapest {
				cell = "* " + cell
			}
			row = append(row, cell)
		}
		row = append(row, moneyCents(o.TotalUSDPerMonth))
		if o.Option == t.Recommended {
			row[0] += " (recommended)"
			for i := range row {
				row[i] = st.strong(row[i])
			}
		}
		g.rows = append(g.rows, row)
	}
	st.grid(b, g)
	var who []string
	for _, o := range t.Options {
		if o.Option == "own-best" || o.Option == "team-mixed" {
			var parts []string
			for _, u := range t.Users {
				parts = append(parts, u+" "+o.Assignments[u])
			}
			who = append(who, teamName(r, o.Option)+": "+strings.Join(parts, ", "))
		}
	}
	st.bullets(b, who)
}

func writeBreakEven(b *strings.Builder, st style, r *Report) {
	if len(r.BreakEven) == 0 {
		return
	}
	var lines []string
	for i := 0; i < len(r.BreakEven); {
		be := r.BreakEven[i]
		var parts []string
		j := i
		for ; j < len(r.BreakEven) && r.BreakEven[j].Provider == be.Provider; j++ {
			x := r.BreakEven[j]
			parts = append(parts, fmt.Sprintf("%s %s = %s", planName(r, x.Plan), money(x.PriceUSD), tokens(x.OutputTokens)))
		}
		lines = append(lines, fmt.Sprintf("%s output at %s per 1M through %s: %s output tokens a month",
			be.Model, money(be.OutputUSDPerM), be.Provider, strings.Join(parts, ", ")))
		i = j
	}
	st.heading(b, "Break-even, the pricing pages' way")
	st.bullets(b, lines)
}

func writeBudgets(b *strings.Builder, st style, r *Report) {
	var parts []string
	for _, p := range r.PlanBudgets {
		five, week := "no cap", "no cap"
		if p.FiveHourUSD > 0 {
			five = money(p.FiveHourUSD)
		}
		if p.WeekUSD > 0 {
			week = money(p.WeekUSD)
		}
		if p.WeekFactor != 0 && p.WeekUSD > 0 {
			week += fmt.Sprintf(" (x%g)", p.WeekFactor)
		}
		parts = append(parts, fmt.Sprintf("%s %s / %s", p.Name, five, week))
	}
	what := "Budgets are estimates"
	how := "from measurements people published (Anthropic publishes none); edit them with --plans FILE, or measure them with --current-plan and --calibrate"
	if r.Budgets == "calibrated" {
		what = "Budgets are calibrated from your own limit hits"
		how = "scaled from the defaults by the use at your limit hits"
	}
	if r.Budgets == "measured" {
		what = "Budgets are measured from your plan's own meter (status-line snapshots)"
		how = "other plans are scaled by Anthropic's published per-session ratios; see each user's notes"
	}
	s := fmt.Sprintf("%s, in API-equivalent USD at list price per 5-hour window / per week: %s; %s.", what, strings.Join(parts, ", "), how)
	if len(r.Rules) > 0 {
		s += " Dated rules: " + strings.Join(r.Rules, "; ") + "."
	}
	if c := r.Calibration; c != nil {
		for _, o := range []struct {
			name string
			v    *Observed
		}{{"5-hour window", c.FiveHour}, {"week", c.Week}} {
			if o.v != nil {
				s += fmt.Sprintf(" On %s, your limit hits put the %s at %s (default %s, from %s).",
					planName(r, c.Plan), o.name, money(o.v.ObservedUSD), money(o.v.DefaultUSD), pluralWord(o.v.Hits, "hit"))
			}
		}
	}
	st.heading(b, "About the budgets")
	st.para(b, s)
}

// nameOf returns the display name of an option of u.
func nameOf(u *User, id string) string {
	for _, a := range u.Alternatives {
		if a.Plan == id {
			return a.Name
		}
	}
	return id
}

func planName(r *Report, id string) string {
	for _, p := range r.PlanBudgets {
		if p.Plan == id {
			return p.Name
		}
	}
	if id == "api" {
		return "API"
	}
	return id
}

// PlanName is the name a plan id has in the report ("API" for the API).
func (r *Report) PlanName(id string) string { return planName(r, id) }

// TeamOptionName is the name of a team option (Team.Options[].Option).
func (r *Report) TeamOptionName(id string) string { return teamName(r, id) }

func teamName(r *Report, id string) string {
	switch id {
	case "own-best":
		return "Each on their own best"
	case "team-mixed":
		return "Team seats, mixed"
	}
	if strings.HasPrefix(id, "api") {
		if _, p, ok := strings.Cut(id, ":"); ok {
			return "Pooled API (" + p + ")"
		}
		return "Pooled API"
	}
	if base, ok := strings.CutSuffix(id, ":yearly"); ok {
		return planName(r, base) + " seats, billed yearly"
	}
	return planName(r, id) + " seats"
}

func teamTotal(t *Team, id string) float64 {
	for _, o := range t.Options {
		if o.Option == id {
			return o.TotalUSDPerMonth
		}
	}
	return 0
}

// money formats dollars compactly: whole dollars from $100, cents below.
func money(x float64) string {
	if x != 0 && math.Abs(x) < 0.005 {
		return "<$0.01"
	}
	if math.Abs(x) >= 100 || x == math.Trunc(x) {
		return "$" + humanize.Comma(int64(math.Round(x)))
	}
	return "$" + humanize.FormatFloat("#,###.##", x)
}

// moneyCents formats dollars with cents, for grids: $1,234.50.
func moneyCents(x float64) string {
	if x != 0 && math.Abs(x) < 0.005 {
		return "<$0.01"
	}
	return "$" + humanize.FormatFloat("#,###.##", x)
}

// tokens formats a token count: 6.67M, 415K.
func tokens(n float64) string {
	switch {
	case n >= 1e9:
		return trimZero(fmt.Sprintf("%.2f", n/1e9)) + "B"
	case n >= 1e6:
		return trimZero(fmt.Sprintf("%.2f", n/1e6)) + "M"
	case n >= 1e3:
		return fmt.Sprintf("%.0fK", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func hours(h float64) string {
	switch {
	case h >= 48:
		return fmt.Sprintf("%.1f days", h/24)
	case h >= 10:
		return fmt.Sprintf("%.0fh", h)
	}
	return trimZero(fmt.Sprintf("%.1f", h)) + "h"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

func capitalizeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = capitalize(s)
	}
	return out
}

// textStyle writes plain text for a terminal.
type textStyle struct{}

func (textStyle) title(b *strings.Builder, s string) { b.WriteString(s + "\n") }
func (textStyle) heading(b *strings.Builder, s string) {
	b.WriteString("\n" + s + "\n" + strings.Repeat("=", utf8.RuneCountInString(s)) + "\n")
}
func (textStyle) para(b *strings.Builder, s string) { b.WriteString(wrap(s, 100, "") + "\n") }
func (textStyle) bullets(b *strings.Builder, items []string) {
	for _, it := range items {
		b.WriteString(wrap("- "+it, 100, "  ") + "\n")
	}
}
func (textStyle) strong(s string) string { return s }
func (textStyle) grid(b *strings.Builder, g *grid) {
	rows := append([][]string{g.head}, g.rows...)
	width := make([]int, len(g.head))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	b.WriteString("\n")
	for k, r := range rows {
		var line strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if g.right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString("  " + strings.TrimRight(line.String(), " ") + "\n")
		if k == 0 {
			total := 0
			for _, n := range width {
				total += n + 2
			}
			b.WriteString("  " + strings.Repeat("-", total-2) + "\n")
		}
	}
	b.WriteString("\n")
}

// wrap breaks s into lines of at most width runes, continuing with indent.
func wrap(s string, width int, indent string) string {
	words := strings.Fields(s)
	var b strings.Builder
	n := 0
	for i, w := range words {
		l := utf8.RuneCountInString(w)
		if i > 0 {
			if n+1+l > width {
				b.WriteString("\n" + indent)
				n = utf8.RuneCountInString(indent)
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}

// mdStyle writes GitHub-flavoured markdown.
type mdStyle struct{}

func (mdStyle) title(b *strings.Builder, s string) { b.WriteString("# " + s + "\n") }
func (mdStyle) heading(b *strings.Builder, s string) {
	if !strings.HasSuffix(b.String(), "\n\n") {
		b.WriteString("\n")
	}
	b.WriteString("## " + mdEscape(s) + "\n\n")
}
func (mdStyle) para(b *strings.Builder, s string) {
	if strings.HasPrefix(s, "* ") {
		s = `\` + s
	}
	b.WriteString(s + "\n\n")
}
func (mdStyle) bullets(b *strings.Builder, items []string) {
	for _, it := range items {
		b.WriteString("- " + it + "\n")
	}
	b.WriteString("\n")
}
func (mdStyle) strong(s string) string {
	if s == "" {
		return s
	}
	return "**" + s + "**"
}
func (mdStyle) grid(b *strings.Builder, g *grid) {
	row := func(cells []string) {
		for i := range cells {
			cells[i] = strings.ReplaceAll(mdEscape(cells[i]), "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	row(append([]string(nil), g.head...))
	var sep []string
	for _, r := range g.right {
		if r {
			sep = append(sep, "--:")
		} else {
			sep = append(sep, "---")
		}
	}
	b.WriteString("|" + strings.Join(sep, "|") + "|\n")
	for _, r := range g.rows {
		row(append([]string(nil), r...))
	}
	b.WriteString("\n")
}

// mdEscape escapes the characters markdown would read in cell and heading text
// (a leading "* " marker is kept as text).
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "* $", `\* $`)
	return s
}

// pluralWord says "1 hit", "3 hits".
func pluralWord(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
