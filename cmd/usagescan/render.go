package main

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/scan"
)

// ReportSchema names the JSON contract of report; fields are added, never renamed.
const ReportSchema = "usagescan.report/v1"

type jsonReport struct {
	Schema      string          `json:"schema"`
	Timezone    string          `json:"timezone"`
	GroupBy     string          `json:"group_by"`
	Rows        []jsonRow       `json:"rows"`
	Diagnostics jsonDiagnostics `json:"diagnostics"`
}

type jsonRow struct {
	Period            string `json:"period"`
	User              string `json:"user"`
	Model             string `json:"model"`
	Source            string `json:"source"`
	InputTokens       int64  `json:"input_tokens"`
	OutputTokens      int64  `json:"output_tokens"`
	CacheWrite5mToken int64  `json:"cache_write_5m_tokens"`
	CacheWrite1hToken int64  `json:"cache_write_1h_tokens"`
	CacheReadTokens   int64  `json:"cache_read_tokens"`
	WebSearchRequests int64  `json:"web_search_requests"`
	Requests          int64  `json:"requests"`
}

type jsonDiagnostics struct {
	Files          int   `json:"files"`
	Lines          int64 `json:"lines"`
	UsageLines     int64 `json:"usage_lines"`
	Duplicates     int64 `json:"duplicates"`
	MalformedLines int64 `json:"malformed_lines"`
	SyntheticLines int64 `json:"synthetic_lines"`
	Bytes          int64 `json:"bytes"`
}

func toJSONRow(r *aggregate.Row) jsonRow {
	return jsonRow{
		Period: r.Period, User: r.User, Model: r.Model, Source: r.Source,
		InputTokens: r.Input, OutputTokens: r.Output,
		CacheWrite5mToken: r.CacheWrite5m, CacheWrite1hToken: r.CacheWrite1h,
		CacheReadTokens: r.CacheRead, WebSearchRequests: r.WebSearch, Requests: r.Requests,
	}
}

func writeReport(w io.Writer, o *reportOptions, rows []aggregate.Row, res *scan.Result) error {
	switch o.format {
	case "json":
		out := jsonReport{
			Schema: ReportSchema, Timezone: o.tzName, GroupBy: o.by.String(),
			Rows: make([]jsonRow, 0, len(rows)),
			Diagnostics: jsonDiagnostics{
				Files: res.Files, Lines: res.Stats.Lines, UsageLines: res.Stats.UsageLines,
				Duplicates: res.Set.Duplicates(), MalformedLines: res.Stats.Malformed,
				SyntheticLines: res.Stats.Synthetic, Bytes: res.Stats.Bytes,
			},
		}
		for i := range rows {
			out.Rows = append(out.Rows, toJSONRow(&rows[i]))
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"period", "user", "model", "source", "input_tokens", "output_tokens",
			"cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens", "web_search_requests", "requests"})
		for i := range rows {
			r := &rows[i]
			cw.Write([]string{r.Period, r.User, r.Model, r.Source, itoa(r.Input), itoa(r.Output),
				itoa(r.CacheWrite5m), itoa(r.CacheWrite1h), itoa(r.CacheRead), itoa(r.WebSearch), itoa(r.Requests)})
		}
		cw.Flush()
		return cw.Error()
	}
	if len(rows) == 0 {
		return nil // the exit code and stderr say why
	}
	return writeTable(w, rows)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeTable prints one line per row, a subtotal after each period with more than
// one row, and a grand total.
func writeTable(w io.Writer, rows []aggregate.Row) error {
	web := false
	for i := range rows {
		web = web || rows[i].WebSearch > 0
	}
	t := &table{}
	head := []string{"Period", "User", "Model", "Input", "Output", "Cache write", "Cache read", "Total tokens", "Requests"}
	if web {
		head = append(head, "Web searches")
	}
	t.add(head...)
	t.rule()
	line := func(a, b, c string, r *aggregate.Row) {
		cells := []string{a, b, c, humanize.Comma(r.Input), humanize.Comma(r.Output),
			humanize.Comma(r.CacheWrite5m + r.CacheWrite1h), humanize.Comma(r.CacheRead),
			humanize.Comma(r.Tokens.Total()), humanize.Comma(r.Requests)}
		if web {
			cells = append(cells, humanize.Comma(r.WebSearch))
		}
		t.add(cells...)
	}
	var total aggregate.Row
	for i := 0; i < len(rows); {
		j := i
		var sub aggregate.Row
		for ; j < len(rows) && rows[j].Period == rows[i].Period; j++ {
			line(rows[j].Period, rows[j].User, rows[j].Model, &rows[j])
			sub.AddRow(&rows[j])
		}
		if j-i > 1 {
			line("", "", rows[i].Period+" subtotal", &sub)
		}
		total.AddRow(&sub)
		i = j
	}
	t.rule()
	line("Total", "", "", &total)
	return t.write(w, 3)
}

// table lays out cells in columns: text left-aligned, numbers right-aligned.
type table struct {
	rows [][]string // nil row = a rule
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }
func (t *table) rule()               { t.rows = append(t.rows, nil) }

// write prints the table; columns from firstNum on are right-aligned.
func (t *table) write(w io.Writer, firstNum int) error {
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
			if i >= firstNum {
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

