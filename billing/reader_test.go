package billing

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func money(m usage.Money) *usage.Money { return &m }

// readFile reads every record of a file, failing the test on any error.
func readFile(t *testing.T, path string, opt Options) ([]usage.Request, *Reader) {
	t.Helper()
	rd, err := Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var got []usage.Request
	for rd.Scan() {
		got = append(got, *rd.Record())
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return got, rd
}

// readString reads every record of a CSV held in s, and returns the error.
func readString(s string, opt Options) ([]usage.Request, *Reader, error) {
	rd, err := NewReader(strings.NewReader(s), "t.csv", opt)
	if err != nil {
		return nil, nil, err
	}
	var got []usage.Request
	for rd.Scan() {
		got = append(got, *rd.Record())
	}
	return got, rd, rd.Err()
}

func TestFormats(t *testing.T) {
	std, long := usage.ContextStandard, usage.ContextLong
	alice := usage.Request{Source: SourceUsage, User: "alice_smith", Tier: "standard", Context: std}
	carol := usage.Request{Source: SourceUsage, User: "carol", Time: at(2026, 3, 31, 2, 0), Context: std}
	dev := usage.Request{Source: SourceCost, User: "dev-key", Time: at(2024, 11, 3, 0, 0), Model: "claude-3-5-sonnet-20241022", Tier: "message", Context: std}
	dave := usage.Request{Source: SourceCost, User: "dave", Time: at(2025, 12, 1, 0, 0), Model: "claude-sonnet-4-5-20250929", Tier: "message", Context: std}
	chat := usage.Request{Source: SourceCost, User: "chat-key", Time: at(2026, 2, 12, 0, 0), Model: "claude-haiku-4-5-20251001", Tier: "message", Context: std, Geo: "not_available"}
	erin := usage.Request{Source: SourceCost, User: "erin_lee", Time: at(2026, 7, 1, 0, 0), Model: "claude-opus-4-7", Tier: "message", Context: std, Geo: "global"}
	with := func(r usage.Request, f func(*usage.Request)) usage.Request { f(&r); return r }
	orTotal, orWeb := 0.0650, 0.02

	tests := []struct {
		file    string
		format  Format
		version string
		ignored []string
		want    []usage.Request
		stats   Stats // Bytes not compared
	}{
		{
			file: "usage_v1.csv", format: FormatUsage, version: "v1",
			want: []usage.Request{
				with(alice, func(r *usage.Request) {
					r.Time, r.Model = at(2025, 6, 12, 0, 0), "claude-3-5-haiku-20241022"
					r.Tokens = usage.Tokens{Input: 8, Output: 1}
				}),
				with(alice, func(r *usage.Request) {
					r.Time, r.Model = at(2025, 6, 12, 0, 0), "claude-sonnet-4-20250514"
					r.Tokens = usage.Tokens{Input: 1200, CacheWrite5m: 3400, CacheRead: 56000, Output: 789}
					r.WebSearch = 2
				}),
				{Source: SourceUsage, User: "ci-bot", Time: at(2025, 6, 13, 0, 0), Model: "claude-opus-4-20250514",
					Tier: "batch", Context: std, Tokens: usage.Tokens{Input: 500, Output: 250}},
				// An unknown model keeps its name: pricing reports it.
				{Source: SourceUsage, User: "bob", Time: at(2025, 6, 13, 0, 0), Model: "claude-opus-9",
					Tier: "standard", Context: std, Tokens: usage.Tokens{Input: 10, CacheWrite5m: 20, CacheWrite1h: 30, CacheRead: 40, Output: 50}},
			},
			stats: Stats{Rows: 4, Records: 4},
		},
		{
			file: "usage_v2_hourly.csv", format: FormatUsage, version: "v2",
			want: []usage.Request{
				{Source: SourceUsage, User: "super", Time: at(2026, 3, 31, 2, 0), Model: "claude-haiku-4-5-20251001",
					Tier: "standard", Context: std, Geo: "not_available", Tokens: usage.Tokens{Input: 1124832, Output: 254558}},
				with(carol, func(r *usage.Request) {
					r.Model, r.Tier, r.Context, r.Geo = "claude-sonnet-4-5-20250929", "standard", long, "global"
					r.Tokens = usage.Tokens{Input: 30000, CacheWrite5m: 120000, CacheRead: 900000, Output: 4200}
					r.WebSearch = 1
				}),
				with(carol, func(r *usage.Request) {
					r.Time, r.Model, r.Tier, r.Geo, r.Speed = at(2026, 3, 31, 3, 0), "claude-opus-4-6", "priority", "us", "fast"
					r.Tokens = usage.Tokens{Input: 12, CacheWrite1h: 500, CacheRead: 7000, Output: 345}
				}),
				// An alias resolves to the canonical id; an empty band is standard; "--" is empty.
				with(carol, func(r *usage.Request) {
					r.Time, r.Model, r.Tier = at(2026, 3, 31, 3, 0), "claude-sonnet-4-5-20250929", "batch"
					r.Tokens = usage.Tokens{Input: 5, Output: 6}
				}),
			},
			stats: Stats{Rows: 4, Records: 4},
		},
		{
			file: "cost_2024.csv", format: FormatCost, version: "2024",
			want: []usage.Request{
				with(dev, func(r *usage.Request) { r.Billed = money(usage.Money{Input: 1.25}) }),
				with(dev, func(r *usage.Request) { r.Billed = money(usage.Money{Output: 3.40}) }),
				with(dev, func(r *usage.Request) { r.Billed = money(usage.Money{CacheWrite: 0.50}) }),
				with(dev, func(r *usage.Request) { r.Billed = money(usage.Money{CacheRead: 0.07}) }),
				with(dev, func(r *usage.Request) {
					r.Time, r.Model, r.Tier = at(2024, 11, 4, 0, 0), "claude-3-5-haiku-20241022", "batch"
					r.Billed = money(usage.Money{Input: 0.02})
				}),
			},
			stats: Stats{Rows: 5, Records: 5},
		},
		{
			file: "cost_2025_12.csv", format: FormatCost, version: "2025-12",
			want: []usage.Request{
				with(dave, func(r *usage.Request) {
					r.Model, r.Tier = WebSearchModel, ""
					r.Billed = money(usage.Money{WebSearch: 0.20})
				}),
				with(dave, func(r *usage.Request) { r.Billed = money(usage.Money{Input: 0.31}) }),
				with(dave, func(r *usage.Request) { r.Context, r.Billed = long, money(usage.Money{CacheRead: 1.02}) }),
				with(dave, func(r *usage.Request) { r.Billed = money(usage.Money{CacheWrite: 0.44}) }),
				with(dave, func(r *usage.Request) {
					r.Time, r.Model = at(2025, 12, 2, 0, 0), "claude-opus-4-5-20251101"
					r.Billed = money(usage.Money{Output: 2.75})
				}),
			},
			stats: Stats{Rows: 5, Records: 5},
		},
		{
			file: "cost_2026_02.csv", format: FormatCost, version: "2026-02",
			want: []usage.Request{
				with(chat, func(r *usage.Request) {
					r.Model, r.Tier, r.Geo = WebSearchModel, "", ""
					r.Billed = money(usage.Money{WebSearch: 0.07})
				}),
				// The same row of the bill twice in one file: summed, 0.75 + 1.16.
				with(chat, func(r *usage.Request) { r.Billed = money(usage.Money{CacheWrite: 0.75 + 1.16}) }),
				with(chat, func(r *usage.Request) {
					r.Time, r.Model, r.Geo, r.Speed = at(2026, 2, 13, 0, 0), "claude-opus-4-6", "us", "fast"
					r.Billed = money(usage.Money{})
				}),
			},
			stats: Stats{Rows: 4, Records: 3, Merged: 1},
		},
		{
			file: "cost_2026_mid.csv", format: FormatCost, version: "2026-mid",
			want: []usage.Request{
				with(erin, func(r *usage.Request) { r.Billed = money(usage.Money{Input: 4.10}) }),
				with(erin, func(r *usage.Request) { r.Tier, r.Billed = "batch", money(usage.Money{Output: 12.50}) }),
				with(erin, func(r *usage.Request) {
					r.Time, r.Model, r.Tier, r.Geo = at(2026, 7, 2, 0, 0), WebSearchModel, "", ""
					r.Billed = money(usage.Money{WebSearch: 0.01})
				}),
			},
			stats: Stats{Rows: 3, Records: 3},
		},
		{
			file: "openrouter.csv", format: FormatOpenRouter, version: "v2",
			want: []usage.Request{
				{Key: "openrouter:gen-1", Count: 1, Source: SourceOpenRouter, User: "laptop", Model: "claude-opus-4-7",
					Time:   time.Date(2026, 6, 28, 3, 46, 57, 713e6, time.UTC),
					Tokens: usage.Tokens{Input: 3000, CacheRead: 9000, Output: 800}, Billed: money(usage.Money{Input: 0.0421})},
				// openai/gpt-5 is skipped. A permaslug resolves; web search is billed apart.
				{Key: "openrouter:gen-3", Count: 1, Source: SourceOpenRouter, User: "frank", Model: "claude-sonnet-4-5-20250929",
					Time:   time.Date(2026, 6, 28, 4, 0, 0, 5e8, time.UTC),
					Tokens: usage.Tokens{Input: 3000, Output: 2000}, Billed: money(usage.Money{Input: orTotal - orWeb, WebSearch: orWeb})},
				{Key: "openrouter:gen-4", Count: 1, Source: SourceOpenRouter, User: NoUser, Model: "anthropic/claude-9-mystery",
					Time:   time.Date(2026, 6, 29, 0, 0, 1, 0, time.UTC),
					Tokens: usage.Tokens{CacheRead: 50, Output: 5}, Billed: money(usage.Money{Input: 0.001})},
			},
			stats: Stats{Rows: 4, Records: 3, Skipped: 1},
		},
		{
			file: "openrouter_v1.csv", format: FormatOpenRouter, version: "v1",
			want: []usage.Request{
				{Key: "openrouter:gen-9", Count: 1, Source: SourceOpenRouter, User: "work", Model: "claude-haiku-4-5-20251001",
					Time:   time.Date(2025, 11, 2, 10, 0, 0, 0, time.UTC),
					Tokens: usage.Tokens{Input: 700, Output: 90}, Billed: money(usage.Money{Input: 0.0030})},
			},
			stats: Stats{Rows: 1, Records: 1},
		},
		{
			file: "bom_crlf.csv", format: FormatUsage, version: "v1",
			want: []usage.Request{
				{Source: SourceUsage, User: "key-a", Time: at(2025, 6, 12, 0, 0), Model: "claude-3-5-haiku-20241022",
					Tier: "standard", Context: std, Tokens: usage.Tokens{Input: 8, Output: 1}},
				{Source: SourceUsage, User: "key-b", Time: at(2025, 6, 13, 0, 0), Model: "claude-3-5-haiku-20241022",
					Tier: "standard", Context: std, Tokens: usage.Tokens{Input: 2, Output: 3}},
			},
			stats: Stats{Rows: 2, Records: 2},
		},
		{file: "header_only.csv", format: FormatUsage, version: "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, rd := readFile(t, filepath.Join("testdata", tt.file), Options{})
			h := rd.Header()
			if h.Format != tt.format || h.Version != tt.version || !reflect.DeepEqual(h.Ignored, tt.ignored) {
				t.Errorf("header = %v %q %q, want %v %q %q", h.Format, h.Version, h.Ignored, tt.format, tt.version, tt.ignored)
			}
			checkKeys(t, got)
			diffRecords(t, got, tt.want)
			st := rd.Stats()
			st.Bytes = 0
			if st != tt.stats {
				t.Errorf("stats = %+v, want %+v", st, tt.stats)
			}
		})
	}
}

// checkKeys checks that the Console records of one file have distinct row keys
// and one Rev, then clears both (TestRowKeys and TestRev test their values).
func checkKeys(t *testing.T, got []usage.Request) {
	t.Helper()
	seen := map[string]bool{}
	var rev0 int64
	if len(got) > 0 {
		rev0 = got[0].Rev
	}
	for i := range got {
		r := &got[i]
		if r.Source != SourceUsage && r.Source != SourceCost {
			continue
		}
		if !strings.HasPrefix(r.Key, RowKeyPrefix+r.Source+"|") || seen[r.Key] {
			t.Errorf("record %d: key %q is not a new row key", i, r.Key)
		}
		if r.Rev <= 0 || r.Rev != rev0 {
			t.Errorf("record %d: Rev %d, the first record's %d", i, r.Rev, rev0)
		}
		seen[r.Key] = true
		r.Key, r.Rev = "", 0
	}
}

func diffRecords(t *testing.T, got, want []usage.Request) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d records, want %d", len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("record %d:\n got %s\nwant %s", i, show(got[i]), show(want[i]))
		}
	}
}

// show prints a record with its Billed amount.
func show(r usage.Request) string {
	b := "<nil>"
	if r.Billed != nil {
		b = fmt.Sprintf("%+v", *r.Billed)
	}
	r.Billed = nil
	return fmt.Sprintf("%+v Billed=%s", r, b)
}

func TestMapped(t *testing.T) {
	m, err := LoadMapping("testdata/mapped.json")
	if err != nil {
		t.Fatal(err)
	}
	got, rd := readFile(t, "testdata/mapped.csv", Options{Mapping: m})
	if h := rd.Header(); h.Format != FormatMapped || h.Version != "acme reseller" || !reflect.DeepEqual(h.Ignored, []string{"region"}) {
		t.Errorf("header = %+v", h)
	}
	a, b := 125.0, 3.0
	want := []usage.Request{
		{Source: SourceUsage, User: "acme-dev", Time: at(2026, 3, 1, 0, 0), Model: "claude-sonnet-4-5-20250929", Context: usage.ContextStandard,
			Tokens: usage.Tokens{Input: 1000, Output: 200, CacheWrite5m: 300, CacheRead: 4000}, WebSearch: 1, Billed: money(usage.Money{Input: a * 0.01})},
		{Source: SourceUsage, User: "acme-ops", Time: at(2026, 3, 2, 0, 0), Model: "claude-haiku-4-5-20251001", Context: usage.ContextStandard,
			Tokens: usage.Tokens{Input: 10, Output: 20}, Billed: money(usage.Money{Input: b * 0.01})},
	}
	diffRecords(t, got, want)

	// A known format wins over the mapping; the mapping's source is used.
	m2 := *m
	m2.Source = "reseller"
	got, rd = readFile(t, "testdata/usage_v1.csv", Options{Mapping: &m2})
	if rd.Header().Format != FormatUsage || got[0].Source != SourceUsage {
		t.Errorf("usage export read as %v, source %q", rd.Header().Format, got[0].Source)
	}
	got, _ = readFile(t, "testdata/mapped.csv", Options{Mapping: &m2})
	if got[0].Source != "reseller" {
		t.Errorf("source %q, want reseller", got[0].Source)
	}
}

func TestGzip(t *testing.T) {
	plain, _ := readFile(t, "testdata/usage_v1.csv", Options{})
	gz, rd := readFile(t, "testdata/usage_v1.csv.gz", Options{})
	diffRecords(t, gz, plain)
	st, err := os.Stat("testdata/usage_v1.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	if got := rd.Stats().Bytes; got != st.Size() {
		t.Errorf("Bytes = %d, want the compressed size %d", got, st.Size())
	}
	// A gzip stream cut short is a read error, not a bad row.
	data, _ := os.ReadFile("testdata/usage_v1.csv.gz")
	_, _, err = readString(string(data[:len(data)-30]), Options{SkipBadRows: true})
	if err == nil || !strings.HasPrefix(err.Error(), "t.csv: ") {
		t.Errorf("cut gzip: err = %v", err)
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", "\uFEFF", "\n\n", "\r\n", " , \n\n"} {
		_, err := NewReader(strings.NewReader(in), "e.csv", Options{})
		if !errors.Is(err, ErrEmpty) || err.Error() != "e.csv: empty file" {
			t.Errorf("%q: err = %v, want e.csv: empty file", in, err)
		}
	}
	_, err := Open("testdata/empty.csv", Options{})
	if !errors.Is(err, ErrEmpty) || err.Error() != "testdata/empty.csv: empty file" {
		t.Errorf("empty.csv: %v", err)
	}
}

func TestUnknownHeader(t *testing.T) {
	_, err := Open("testdata/unknown.csv", Options{})
	const want = `testdata/unknown.csv: unknown CSV header ("date", "amount", "description"): ` +
		`not a Console usage export, Console cost export or OpenRouter activity export; ` +
		`to read another export, name its columns in a --csv-map FILE`
	if err == nil || err.Error() != want {
		t.Fatalf("err =\n%v\nwant\n%s", err, want)
	}
	var he *HeaderError
	if !errors.As(err, &he) {
		t.Fatalf("%T is not a *HeaderError", err)
	}
	wantTried := []string{
		"Console usage export: missing usage_date_utc, model_version, api_key and 8 more",
		"Console cost export: missing usage_date_utc, model, workspace and 4 more",
		"OpenRouter activity export: missing generation_id, created_at, cost_total and 3 more",
	}
	if !reflect.DeepEqual(he.Tried, wantTried) {
		t.Errorf("Tried =\n%q\nwant\n%q", he.Tried, wantTried)
	}

	// With a mapping that does not fit either, the mapping is listed too.
	m, err := LoadMapping("testdata/mapped.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open("testdata/unknown.csv", Options{Mapping: m})
	if !errors.As(err, &he) || !strings.HasSuffix(err.Error(), "OpenRouter activity export or the --csv-map mapping; "+
		"the --csv-map FILE does not fit it: missing day, model_name, customer and 6 more") ||
		he.Tried[3] != "the --csv-map mapping: missing day, model_name, customer and 6 more" {
		t.Errorf("err = %v, tried %q", err, he.Tried)
	}

	// Many columns are shown in part; a repeated column is named.
	hdr := strings.ReplaceAll(strings.Split(readTestdata(t, "usage_v1.csv"), "\n")[0], "api_key", "model_version")
	_, err = NewReader(strings.NewReader(hdr+"\n"), "d.csv", Options{})
	if !errors.As(err, &he) || he.Tried[0] != "Console usage export: missing api_key" ||
		!strings.Contains(err.Error(), `("usage_date_utc", "model_version", "model_version", "workspace", ... 11 columns)`) {
		t.Errorf("err = %v, tried %q", err, he.Tried)
	}
	hdr = strings.Split(readTestdata(t, "usage_v1.csv"), "\n")[0] + ",usage_output_tokens"
	_, err = NewReader(strings.NewReader(hdr+"\n"), "d.csv", Options{})
	if !errors.As(err, &he) || he.Tried[0] != "Console usage export: repeated column usage_output_tokens" {
		t.Errorf("err = %v, tried %q", err, he.Tried)
	}
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Header names are matched in any case and order; unknown columns are reported.
func TestHeaderMatching(t *testing.T) {
	in := "Cost_USD , token_type,MODEL,workspace,api_key,usage_type,usage_date_utc,note\n" +
		"0.5,output,Claude Haiku 4.5,W,k,message,2026-01-02,hello\n"
	got, rd, err := readString(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if h := rd.Header(); h.Format != FormatCost || h.Version != "2024" || !reflect.DeepEqual(h.Ignored, []string{"note"}) {
		t.Errorf("header = %+v", h)
	}
	if len(got) != 1 || got[0].Billed.Output != 0.5 || got[0].Model != "claude-haiku-4-5-20251001" {
		t.Errorf("got %+v", got)
	}
}

const v2Header = "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed\n"

const costHeader = "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,cost_type,inference_geo,speed\n"

func TestBadCells(t *testing.T) {
	good := "2026-03-31,claude-haiku-4-5,k,W,standard,≤ 200k,1,2,3,4,5,0,us,\n"
	tests := []struct {
		name, in, want string
	}{
		{"non-numeric count", v2Header + good + "2026-03-31,claude-haiku-4-5,k,W,standard,≤ 200k,1,2,3,4,12x,0,us,\n",
			`t.csv:3:11: usage_output_tokens: not a whole number (value "12x")`},
		{"decimal count", v2Header + "2026-03-31,m,k,W,standard,≤ 200k,1.5,2,3,4,5,0,us,\n",
			`t.csv:2:7: usage_input_tokens_no_cache: not a whole number (value "1.5")`},
		{"negative count", v2Header + "2026-03-31,m,k,W,standard,≤ 200k,1,-2,3,4,5,0,us,\n",
			`t.csv:2:8: usage_input_tokens_cache_write_5m: negative count (value "-2")`},
		{"huge count", v2Header + "2026-03-31,m,k,W,standard,≤ 200k,1,2,3,4,5,99999999999,us,\n",
			`t.csv:2:12: web_search_count: count too large (at most 1000000000) (value "99999999999")`},
		{"searches above 10^9", v2Header + "2026-03-31,m,k,W,standard,≤ 200k,1,2,3,4,5,3000000000,us,\n",
			`t.csv:2:12: web_search_count: count too large (at most 1000000000) (value "3000000000")`},
		{"tokens above 10^12", v2Header + "2026-03-31,m,k,W,standard,≤ 200k,1,2,3,4,1000000000001,0,us,\n",
			`t.csv:2:11: usage_output_tokens: count too large (at most 1000000000000) (value "1000000000001")`},
		{"tokens that would wrap a sum", v2Header + "2026-03-31,m,k,W,standard,≤ 200k,9000000000000000000,2,3,4,5,0,us,\n",
			`t.csv:2:7: usage_input_tokens_no_cache: count too large (at most 1000000000000) (value "9000000000000000000")`},
		{"cost of 1e308", costHeader + "2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,output,1e308,token,,\n",
			`t.csv:2:8: cost_usd: amount too large (at most 1000000000 dollars either way) (value "1e308")`},
		{"cost beyond float64", costHeader + "2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,output,-1e400,token,,\n",
			`t.csv:2:8: cost_usd: amount too large (at most 1000000000 dollars either way) (value "-1e400")`},
		{"cost just above 10^9", costHeader + "2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,output,1000000000.01,token,,\n",
			`t.csv:2:8: cost_usd: amount too large (at most 1000000000 dollars either way) (value "1000000000.01")`},
		{"bad date", v2Header + good + good + "2026-02-30,m,k,W,standard,≤ 200k,1,2,3,4,5,0,us,\n",
			`t.csv:4:1: usage_date_utc: not a date (want YYYY-MM-DD or YYYY-MM-DD HH:MM) (value "2026-02-30")`},
		{"empty date", v2Header + ",m,k,W,standard,≤ 200k,1,2,3,4,5,0,us,\n",
			`t.csv:2:1: usage_date_utc: empty date (value "")`},
		{"bad band", v2Header + "2026-03-31,m,k,W,standard,huge,1,2,3,4,5,0,us,\n",
			`t.csv:2:6: context_window: unknown context band (want like "≤ 200k" or "200k-1M") (value "huge")`},
		{"bad cost", costHeader + "2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,output,$1.00,token,,\n",
			`t.csv:2:8: cost_usd: not a number (value "$1.00")`},
		{"NaN cost", costHeader + "2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,output,NaN,token,,\n",
			`t.csv:2:8: cost_usd: not a number (value "NaN")`},
		{"unknown token type", costHeader + "2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,thinking,1,token,,\n",
			`t.csv:2:7: token_type: unknown token type (value "thinking")`},
		{"unknown cost type", costHeader + "2026-02-12,--,D,k,--,--,--,1,code_execution,,\n",
			`t.csv:2:9: cost_type: unknown cost type (want token or web_search) (value "code_execution")`},
		{"too few cells", v2Header + good + "2026-03-31,m,k\n",
			`t.csv:3: row has 3 cells, the header has 14`},
		{"bare quote", v2Header + "2026-03-31,m,k\"x,W,standard,≤ 200k,1,2,3,4,5,0,us,\n",
			`t.csv:2: bare " in non-quoted-field (byte 15 of the line)`},
		{"long value is clipped", v2Header + "2026-03-31,m,k,W,standard,≤ 200k," + strings.Repeat("9", 100) + "x,2,3,4,5,0,us,\n",
			`t.csv:2:7: usage_input_tokens_no_cache: not a whole number (value "` + strings.Repeat("9", 80) + `...")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rd, err := readString(tt.in, Options{})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err =\n%v\nwant\n%s", err, tt.want)
			}
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("%T is not a *RowError", err)
			}
			if rd.Stats().Bad != 0 {
				t.Errorf("Bad = %d without SkipBadRows", rd.Stats().Bad)
			}
			// With SkipBadRows the same row is counted and kept, and no error stops the read.
			_, rd, err = readString(tt.in, Options{SkipBadRows: true})
			if err != nil {
				t.Fatal(err)
			}
			if st := rd.Stats(); st.Bad != 1 || len(rd.BadRows()) != 1 || rd.BadRows()[0].Error() != tt.want {
				t.Errorf("skip: stats %+v, bad rows %v", st, rd.BadRows())
			}
		})
	}
}

// A quoted cell can hold commas, quotes and line ends; lines in errors are the
// file's physical lines.
func TestQuoted(t *testing.T) {
	_, rd, err := readString(readTestdata(t, "quoted.csv"), Options{})
	const want = `t.csv:4:6: usage_input_tokens_no_cache: not a whole number (value "12x")`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if st := rd.Stats(); st.Rows != 2 || st.Records != 1 {
		t.Errorf("stats %+v", st)
	}

	got, rd := readFile(t, "testdata/quoted.csv", Options{SkipBadRows: true, UserFrom: UserFromWorkspace})
	if len(got) != 2 || got[0].User != "Work \"space\", two\nlines" || got[1].User != "Default" || got[1].Input != 4 {
		t.Errorf("got %+v", got)
	}
	if st := rd.Stats(); st.Rows != 3 || st.Records != 2 || st.Bad != 1 {
		t.Errorf("stats %+v", st)
	}
	var re *RowError = rd.BadRows()[0]
	wantErr := &RowError{File: "testdata/quoted.csv", Line: 4, Column: 6, Name: "usage_input_tokens_no_cache", Value: "12x", Msg: "not a whole number"}
	if !reflect.DeepEqual(re, wantErr) {
		t.Errorf("bad row %+v", re)
	}
	got, _ = readFile(t, "testdata/quoted.csv", Options{SkipBadRows: true})
	if got[0].User != "key, with comma" {
		t.Errorf("user %q", got[0].User)
	}
}

func TestSkipBadRowsKeepsFirstFew(t *testing.T) {
	in := v2Header + strings.Repeat("2026-03-31,m,k,W,standard,,x,0,0,0,0,0,,\n", MaxBadRows+5) +
		"2026-03-31,m,k,W,standard,,1,0,0,0,0,0,,\n"
	got, rd, err := readString(in, Options{SkipBadRows: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || rd.Stats().Bad != MaxBadRows+5 || len(rd.BadRows()) != MaxBadRows || rd.BadRows()[9].Line != 11 {
		t.Errorf("got %d records, stats %+v, %d bad rows kept", len(got), rd.Stats(), len(rd.BadRows()))
	}
}

// Rows of empty cells (spreadsheet leftovers) are not rows.
func TestBlankRows(t *testing.T) {
	got, rd, err := readString(v2Header+",,,,,,,,,,,,,\n2026-03-31,m,k,W,standard,,1,0,0,0,0,0,,\n , ,,,,,,,,,,,,\n", Options{})
	if err != nil || len(got) != 1 || rd.Stats().Rows != 1 {
		t.Errorf("got %d records, stats %+v, %v", len(got), rd.Stats(), err)
	}
}

// Empty cells and "--" in count and amount columns are zero.
func TestEmptyNumbers(t *testing.T) {
	got, _, err := readString(v2Header+"2026-03-31,m,k,W,standard,,,--, ,0,1,,,\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Tokens != (usage.Tokens{Output: 1}) || got[0].WebSearch != 0 {
		t.Errorf("got %+v", got[0])
	}
	got, _, err = readString(costHeader+"2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,output,--,token,,\n", Options{})
	if err != nil || *got[0].Billed != (usage.Money{}) {
		t.Errorf("got %+v, %v", got, err)
	}
}

// Records are copied by value: each must own its Billed amount and strings.
func TestRecordsAreSafeToKeep(t *testing.T) {
	got, _ := readFile(t, "testdata/cost_2026_02.csv", Options{})
	if got[1].Billed == got[2].Billed || got[0].Billed == got[1].Billed {
		t.Fatal("two records share one Billed")
	}
	// Rows 2 and 3 are one row of the bill, summed: 0.75 + 1.16.
	if got[0].Billed.WebSearch != 0.07 || math.Abs(got[1].Billed.CacheWrite-1.91) > 1e-12 || got[2].Billed.Output != 0 {
		t.Errorf("Billed %+v %+v %+v", *got[0].Billed, *got[1].Billed, *got[2].Billed)
	}
}

func TestOptions(t *testing.T) {
	_, err := NewReader(strings.NewReader(v2Header), "t.csv", Options{UserFrom: "email"})
	if err == nil || err.Error() != `unknown user source "email": want api_key or workspace` {
		t.Errorf("err = %v", err)
	}
	_, err = NewReader(strings.NewReader(v2Header), "t.csv", Options{Mapping: &Mapping{}})
	if err == nil || err.Error() != "csv mapping: columns.date is required" {
		t.Errorf("err = %v", err)
	}
}

func TestUsers(t *testing.T) {
	userMap := map[string]string{
		"claude_code_key_alice_smith_ab12": "alice@example.com", // by key name
		"bob":                              "bob@example.com",   // by derived user
		"Claude Code":                      "the CC team",       // a workspace
	}
	tests := []struct {
		name string
		opt  Options
		want []string // users of usage_v1.csv's rows
	}{
		{"api_key", Options{}, []string{"alice_smith", "alice_smith", "ci-bot", "bob"}},
		{"workspace", Options{UserFrom: UserFromWorkspace}, []string{"Claude Code", "Claude Code", "Default", "Claude Code"}},
		{"map", Options{UserMap: userMap}, []string{"alice@example.com", "alice@example.com", "ci-bot", "bob@example.com"}},
		{"map workspace", Options{UserFrom: UserFromWorkspace, UserMap: userMap}, []string{"the CC team", "the CC team", "Default", "the CC team"}},
		{"fixed", Options{User: "zoe", UserFrom: UserFromWorkspace, UserMap: userMap}, []string{"zoe", "zoe", "zoe", "zoe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := readFile(t, "testdata/usage_v1.csv", tt.opt)
			var users []string
			for _, r := range got {
				users = append(users, r.User)
			}
			if !reflect.DeepEqual(users, tt.want) {
				t.Errorf("users %q, want %q", users, tt.want)
			}
		})
	}
	// OpenRouter has no workspace: the key is used.
	got, _ := readFile(t, "testdata/openrouter.csv", Options{UserFrom: UserFromWorkspace})
	if got[0].User != "laptop" || got[1].User != "frank" {
		t.Errorf("openrouter users %q %q", got[0].User, got[1].User)
	}
}

func TestUserFromKey(t *testing.T) {
	for key, want := range map[string]string{
		"claude_code_key_alice_ab12":       "alice",
		"claude_code_key_alice_smith_ab12": "alice_smith",
		"claude_code_key_user_abc":         "user",
		"claude_code_key_bob":              "bob",
		"claude_code_key__ab12":            "claude_code_key__ab12",
		"claude_code_key_":                 "claude_code_key_",
		"claude_code_key_x_":               "x",
		"chat-key":                         "chat-key",
		"my_claude_code_key_a_b":           "my_claude_code_key_a_b",
	} {
		if got := userFromKey(key); got != want {
			t.Errorf("userFromKey(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestLoadUserMap(t *testing.T) {
	m, err := LoadUserMap("testdata/users.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"claude_code_key_alice_smith_ab12": "alice@example.com", "ci-bot": "platform team", "bob": "bob@example.com"}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("map %q", m)
	}
	m, err = readUserMap(strings.NewReader("\uFEFFa,b\r\n a , b \r\n"), "u.csv")
	if err != nil || !reflect.DeepEqual(m, map[string]string{"a": "b"}) {
		t.Errorf("map %q, %v", m, err)
	}
	for in, want := range map[string]string{
		"key,user\nk1,u1\nk2\n":           "u.csv:3: want 2 cells (key,user), found 1",
		"k1,u1\n\n# c\nk1,u2\n":           `u.csv:4: key "k1" is mapped to "u1" on line 1 and to "u2" here`,
		"k1,u1\n,u2\n":                    "u.csv:2: empty key or user",
		"k1,u1\nk2,\"u2\n":                `u.csv:2: extraneous or missing " in quoted-field`,
		"k1,u1\nk1,u1\nk2,u2,extra\n":     "u.csv:3: want 2 cells (key,user), found 3",
		"key,user\nkey,user\nk,\"\"\n":    "u.csv:3: empty key or user",
		"a,\"b\nc\",d\n":                  "u.csv:1: want 2 cells (key,user), found 3",
		"k1,u1\r\nk2,u2\r\nk3;u3\r\n":     "u.csv:3: want 2 cells (key,user), found 1",
		"\"k1\",\"u1\"\n\"k\"2\",u2\n":    `u.csv:2: extraneous or missing " in quoted-field`,
		"k1,u1\nk2,u2\nk3,u3\nk 4\n":      "u.csv:4: want 2 cells (key,user), found 1",
		"k1,u1\nk2,u2\n\n\n\"k3\",\"\"\n": "u.csv:5: empty key or user",
	} {
		_, err := readUserMap(strings.NewReader(in), "u.csv")
		if err == nil || err.Error() != want {
			t.Errorf("%q: err = %v, want %s", in, err, want)
		}
	}
	if _, err := LoadUserMap("testdata/missing.csv"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}

func TestLoadMapping(t *testing.T) {
	for in, want := range map[string]string{
		``: "m.json: empty mapping file",
		`{"columns": {"date": "d", "cost": "c"}} {}`:                                "m.json: more than one JSON value",
		"{\n  \"columns\": {\"date\": \"d\",}\n}":                                   "m.json:2:27: invalid character '}' looking for beginning of object key string",
		`{"columns": {"date": "d"}}`:                                                "m.json: name at least one token column or the cost column in columns",
		`{"columns": {"input": "i"}}`:                                               "m.json: columns.date is required",
		`{"columns": {"date": "d", "cost": "c", "input": "C"}}`:                     `m.json: column "c" is named twice in columns`,
		`{"columns": {"date": "d", "cost": "c"}, "cost_scale": -1}`:                 "m.json: cost_scale -1 is negative",
		`{"columns": {"date": "d", "cost": "c"}, "date_layout": "dd/mm"}`:           `m.json: date_layout "dd/mm" is not a Go time layout (like "01/02/2006")`,
		`{"columns": {"date": "d", "cost": "c"}, "currency": "EUR"}`:                `m.json: json: unknown field "currency"`,
		"{\"columns\": {\"date\": \"d\", \"cost\": \"c\"},\n\"cost_scale\": \"x\"}": "m.json:2: cost_scale: want a float64",
	} {
		_, err := parseMapping("m.json", []byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("%s:\nerr = %v\nwant %s", in, err, want)
		}
	}
}

func TestParseBand(t *testing.T) {
	std, long := usage.ContextStandard, usage.ContextLong
	for in, want := range map[string]usage.Context{
		"": std, "≤ 200k": std, "≤200k": std, "<= 200K": std, "< 200k": std, "0-200k": std, "0k - 200k": std,
		"200k-1M": long, "200k - 1M": long, "200K–1M": long, "> 200k": long, ">200k": long, "200k+": long,
		"≥ 200k": long, "200k to 1m": long, "100k-1M": long, "≤ 100k": std,
	} {
		if got, ok := parseBand(in); !ok || got != want {
			t.Errorf("parseBand(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"huge", "200k-", "-1M", "<", "1M-2M-3M", "abc-def", "≤ lots"} {
		if _, ok := parseBand(in); ok {
			t.Errorf("parseBand(%q) is ok", in)
		}
	}
}

func TestModelNames(t *testing.T) {
	rd := &Reader{prices: pricing.Default(), models: map[string]string{}, strs: map[string]string{}}
	for in, want := range map[string]string{
		"claude-sonnet-4-5-20250929":             "claude-sonnet-4-5-20250929",
		"Claude Sonnet 4.5":                      "claude-sonnet-4-5-20250929",
		"Claude 3.5 Sonnet 2024-10-22":           "claude-3-5-sonnet-20241022",
		"anthropic/claude-opus-4.7":              "claude-opus-4-7",
		"anthropic/claude-3.7-sonnet:thinking":   "claude-3-7-sonnet-20250219",
		"anthropic/claude-4.5-sonnet-20250929":   "claude-sonnet-4-5-20250929",
		"anthropic/claude-4-sonnet-20250522":     "claude-sonnet-4-20250514", // a date the API never used: undated
		"anthropic/claude-4.5-haiku-20251001":    "claude-haiku-4-5-20251001",
		"anthropic/claude-4.1-opus":              "claude-opus-4-1-20250805",
		"anthropic/claude-3-sonnet-20240229":     "anthropic/claude-3-sonnet-20240229", // not in the table
		"claude-9-mystery":                       "claude-9-mystery",
		"claude-4":                               "claude-4",
		"":                                       NoModel,
		"us.anthropic.claude-haiku-4-5-20251001": "claude-haiku-4-5-20251001",
	} {
		if got := rd.model(in); got != want {
			t.Errorf("model(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.csv", "a.CSV", "c.csv.gz", ".hidden.csv", "notes.txt", "d.csv.bak", "x.json"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("missing", filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	got, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		if filepath.Dir(p) != dir {
			t.Errorf("%s is not joined with %s", p, dir)
		}
		names = append(names, filepath.Base(p))
	}
	if want := []string{"a.CSV", "b.csv", "c.csv.gz", "link.csv"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Files = %q, want %q", names, want)
	}
	if _, err := Files(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("testdata/nope.csv", Options{}); !errors.Is(err, os.ErrNotExist) || err.Error() != "open testdata/nope.csv: no such file or directory" {
		t.Errorf("err = %v", err)
	}
	if _, err := Open("testdata", Options{}); err == nil || err.Error() != "testdata: is a directory (list its CSVs with Files)" {
		t.Errorf("err = %v", err)
	}
}

// The bounds themselves are allowed.
func TestLargestCells(t *testing.T) {
	got, _, err := readString(v2Header+"2026-03-31,m,k,W,standard,≤ 200k,1000000000000,0,0,0,0,1000000000,us,\n", Options{})
	if err != nil || len(got) != 1 || got[0].Input != 1e12 || got[0].WebSearch != 1e9 {
		t.Fatalf("got %+v, %v", got, err)
	}
	got, _, err = readString(costHeader+"2026-02-12,Claude Haiku 4.5,D,k,message,≤ 200k,output,-1000000000,token,,\n", Options{})
	if err != nil || len(got) != 1 || got[0].Billed.Output != -1e9 {
		t.Fatalf("got %+v, %v", got, err)
	}
}
