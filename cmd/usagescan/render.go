package main

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/htmlreport"
	"github.com/usagescan/usagescan/internal/csvsafe"
	"github.com/usagescan/usagescan/parser"
)

// ReportSchema names the JSON contract of report; fields are added, never renamed.
const ReportSchema = "usagescan.report/v1"

type jsonReport struct {
	Schema      string          `json:"schema"`
	Timezone    string          `json:"timezone"`
	GroupBy     string          `json:"group_by"`
	Provider    string          `json:"provider"`
	PricesAsOf  string          `json:"prices_checked"`
	Rows        []jsonRow       `json:"rows"`
	Diagnostics jsonDiagnostics `json:"diagnostics"`
}

// jsonRow is a row of the report's JSON: the fields htmlreport reads back
// (token counts are null for rows of a cost export, which has none; requests
// null for billing-export totals; cost null when a model of the row has no
// price), then the cost's breakdown.
type jsonRow struct {
	htmlreport.UsageRow
	CostBreakdown *costBreakdown `json:"cost_breakdown"`
}

type costBreakdown struct {
	Input      float64 `json:"input_usd"`
	Output     float64 `json:"output_usd"`
	CacheWrite float64 `json:"cache_write_usd"`
	CacheRead  float64 `json:"cache_read_usd"`
	WebSearch  float64 `json:"web_search_usd"`
}

type jsonDiagnostics struct {
	Files          int   `json:"files"`
	Lines          int64 `json:"lines"`
	UsageLines     int64 `json:"usage_lines"`
	Duplicates     int64 `json:"duplicates"`
	MalformedLines int64 `json:"malformed_lines"`
	SyntheticLines int64 `json:"synthetic_lines"`
	Bytes          int64 `json:"bytes"`
	CSVFiles       int   `json:"csv_files"`
	CSVRows        int64 `json:"csv_rows"`
	CSVSkippedRows int64 `json:"csv_skipped_rows"`
	CSVBadRows     int64 `json:"csv_bad_rows"`
	// StoreRequests are the requests read from the history store, and
	// StoreOnlyRequests those of them no source held (their logs are gone).
	StoreRequests     int64 `json:"store_requests"`
	StoreOnlyRequests int64 `json:"store_only_requests"`
}

func toJSONRow(row *engine.Row) jsonRow {
	r, c := &row.Row, row
	var j jsonRow
	j.Period, j.User, j.Model, j.Source = r.Period, r.User, r.Model, r.Source
	if tokensKnown(r.Source) {
		j.InputTokens, j.OutputTokens = &r.Input, &r.Output
		j.CacheWrite5m, j.CacheWrite1h = &r.CacheWrite5m, &r.CacheWrite1h
		j.CacheRead, j.WebSearchRequests = &r.CacheRead, &r.WebSearch
	}
	if requestsKnown(r.Source) {
		j.Requests = &r.Requests
	}
	if !c.Unknown {
		total := usd(c.Cost.Total())
		j.CostUSD = &total
		m := c.Cost
		j.CostBreakdown = &costBreakdown{usd(m.Input), usd(m.Output), usd(m.CacheWrite), usd(m.CacheRead), usd(m.WebSearch)}
	}
	return j
}

func writeReport(w io.Writer, o *reportOptions, rep *engine.Report, in *inputs) error {
	rows, res := rep.Rows, in.logs()
	dups := in.duplicates()
	switch o.format {
	case "json":
		out := jsonReport{
			Schema: ReportSchema, Timezone: o.tzName, GroupBy: o.by.String(),
			Provider: o.provider, PricesAsOf: o.prices.Checked().Format("2006-01-02"),
			Rows: make([]jsonRow, 0, len(rows)),
			Diagnostics: jsonDiagnostics{
				Files: res.Files, Lines: res.Stats.Lines, UsageLines: res.Stats.UsageLines,
				Duplicates: dups, MalformedLines: res.Stats.Malformed,
				SyntheticLines: res.Stats.Synthetic, Bytes: res.Stats.Bytes,
				CSVFiles: in.CSVFiles, CSVRows: in.CSV.Rows, CSVSkippedRows: in.CSV.Skipped,
				CSVBadRows: in.CSV.Bad, StoreRequests: in.StoreRecords, StoreOnlyRequests: in.StoreOnly,
			},
		}
		for i := range rows {
			out.Rows = append(out.Rows, toJSONRow(&rows[i]))
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "<web search>" stays readable
		return enc.Encode(out)
	case "html":
		return writeReportHTML(w, o, rep)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"period", "user", "model", "source", "input_tokens", "output_tokens",
			"cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens", "web_search_requests", "requests", "cost_usd"})
		for i := range rows {
			r := &rows[i]
			cost := "" // unknown: an empty cell
			if !r.Unknown {
				cost = strconv.FormatFloat(usd(r.Cost.Total()), 'f', -1, 64)
			}
			// Text cells come from files a user may not control (csvsafe).
			cells := []string{csvsafe.Text(r.Period), csvsafe.Text(r.User), csvsafe.Text(r.Model), csvsafe.Text(r.Source), itoa(r.Input), itoa(r.Output),
				itoa(r.CacheWrite5m), itoa(r.CacheWrite1h), itoa(r.CacheRead), itoa(r.WebSearch), itoa(r.Requests), cost}
			if !tokensKnown(r.Source) { // unknown: empty cells, like an unknown cost
				clear(cells[4:10])
			}
			if !requestsKnown(r.Source) {
				cells[10] = ""
			}
			cw.Write(cells)
		}
		cw.Flush()
		return cw.Error()
	}
	if len(rows) == 0 {
		return nil // the exit code and stderr say why
	}
	return writeTable(w, rep, o.breakdown)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeTable prints one line per row, a subtotal after each period with more than
// one row, and a grand total. With breakdown, the cost is split into what it paid
// for instead of showing token counts.
func writeTable(w io.Writer, rep *engine.Report, breakdown bool) error {
	rows := rep.Rows
	web, sources := false, false
	for i := range rows {
		web = web || rows[i].WebSearch > 0
		sources = sources || rows[i].Source != rows[0].Source
	}
	t := &table{}
	head := []string{"Period", "User", "Model"}
	if sources {
		head = append(head, "Source")
	}
	textCols := len(head)
	if breakdown {
		head = append(head, "Input", "Output", "Cache write", "Cache read", "Web search", "Cost")
	} else {
		head = append(head, "Input", "Output", "Cache write", "Cache read", "Total tokens", "Requests")
		if web {
			head = append(head, "Web searches")
		}
		head = append(head, "Cost")
	}
	t.add(head...)
	t.rule()
	// line prints a row; tk and rq say whether its token and request counts are known.
	line := func(text []string, r *engine.Row, tk, rq bool) {
		cells := text[:3]
		if sources {
			cells = append(cells, text[3])
		}
		c := &r.Cost
		cost := money(c.Total())
		if r.Unknown {
			cost = "?"
			if c.Total() != 0 {
				cost = money(c.Total()) + " + ?"
			}
		}
		if breakdown {
			cells = append(cells, money(c.Input), money(c.Output), money(c.CacheWrite), money(c.CacheRead), money(c.WebSearch), cost)
		} else {
			n := func(x int64, known bool) string {
				if !known {
					return "-"
				}
				return humanize.Comma(x)
			}
			cells = append(cells, n(r.Input, tk), n(r.Output, tk), n(r.CacheWrite5m+r.CacheWrite1h, tk),
				n(r.CacheRead, tk), n(r.Tokens.Total(), tk), n(r.Requests, rq))
			if web {
				cells = append(cells, n(r.WebSearch, tk))
			}
			cells = append(cells, cost)
		}
		t.add(cells...)
	}
	// Subtotals and totals sum what is known, and show - when nothing is.
	var total engine.Row
	var totalTK, totalRQ bool
	for i := 0; i < len(rows); {
		j := i
		var sub engine.Row
		var subTK, subRQ bool
		for ; j < len(rows) && rows[j].Period == rows[i].Period; j++ {
			r := &rows[j]
			tk, rq := tokensKnown(r.Source), requestsKnown(r.Source)
			line([]string{r.Period, r.User, r.Model, r.Source}, r, tk, rq)
			sub.Add(r)
			subTK, subRQ = subTK || tk, subRQ || rq
		}
		if j-i > 1 {
			line([]string{"", "", rows[i].Period + " subtotal", ""}, &sub, subTK, subRQ)
		}
		total.Add(&sub)
		totalTK, totalRQ = totalTK || subTK, totalRQ || subRQ
		i = j
	}
	t.rule()
	line([]string{"Total", "", "", ""}, &total, totalTK, totalRQ)
	return t.write(w, textCols)
}

// table lays out cells in columns: text left-aligned, numbers right-aligned.
type table struct {
	rows [][]string // nil row = a rule
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }
func (t *table) rule()               { t.rows = append(t.rows, nil) }

// write prints the table; columns from firstNum on are right-aligned.
func (t *table) write(w io.Writer, firstNum int) error {
	var right []bool
	for _, r := range t.rows {
		for len(right) < len(r) {
			right = append(right, len(right) >= firstNum)
		}
	}
	return t.writeAligned(w, right)
}

// writeAligned prints the table; right[i] right-aligns column i.
func (t *table) writeAligned(w io.Writer, right []bool) error {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	total := 0
	for _, n := range width {
		total += n + 2
	}
	var b strings.Builder
	for _, r := range t.rows {
		if r == nil {
			b.WriteString(strings.Repeat("-", max(total-2, 0)))
			b.WriteByte('\n')
			continue
		}
		var line strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if i < len(right) && right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tokensKnown: a cost export carries dollars only.
func tokensKnown(source string) bool { return source != billing.SourceCost }

// requestsKnown: log lines and OpenRouter generations are one response each;
// Console export rows sum an unknown number of them.
func requestsKnown(source string) bool {
	return source == parser.SourceClaudeCode || source == billing.SourceOpenRouter
}
