package parser

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// line builds an assistant log line; usageJSON is the message.usage object.
func line(id, req, model, ts, usageJSON string, extra string) string {
	s := `{"parentUuid":null,"isSidechain":false,"cwd":"/src/app","sessionId":"sess-1","type":"assistant",` +
		`"message":{"model":"` + model + `","id":"` + id + `","role":"assistant","content":[{"type":"text","text":"hi"}],"usage":` + usageJSON + `},`
	if req != "" {
		s += `"requestId":"` + req + `",`
	}
	if extra != "" {
		s += extra + ","
	}
	return s + `"timestamp":"` + ts + `"}`
}

const ts = "2026-06-10T09:00:01.000Z"

var t0 = time.Date(2026, 6, 10, 9, 0, 1, 0, time.UTC)

// read returns every record and the stats of reading in.
func read(t *testing.T, r io.Reader) ([]usage.Request, Stats, []*SyntaxError) {
	t.Helper()
	rd := NewReader(r, "f.jsonl", "alice")
	var got []usage.Request
	for rd.Scan() {
		r := *rd.Request()
		r.Key = strings.Clone(r.Key) // the next Scan reuses its bytes
		got = append(got, r)
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return got, rd.Stats(), rd.Malformed()
}

func TestReaderRecords(t *testing.T) {
	base := usage.Request{Key: "msg_1:req_1", Time: t0, User: "alice", Source: SourceClaudeCode,
		Model: "claude-opus-4-6", SessionID: "sess-1", Cwd: "/src/app", Count: 1}
	with := func(f func(*usage.Request)) usage.Request { r := base; f(&r); return r }
	tests := []struct {
		name  string
		input string
		want  []usage.Request
		stats Stats // Bytes is not compared
	}{
		{
			name:  "all fields",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":3,"cache_creation_input_tokens":1331,"cache_read_input_tokens":14874,"cache_creation":{"ephemeral_5m_input_tokens":331,"ephemeral_1h_input_tokens":1000},"output_tokens":172,"server_tool_use":{"web_search_requests":2,"web_fetch_requests":1},"service_tier":"batch","inference_geo":"us","speed":"fast"}`, `"isSidechain":true,"entrypoint":"sdk-cli"`) + "\n",
			want: []usage.Request{with(func(r *usage.Request) {
				r.Tokens = usage.Tokens{Input: 3, Output: 172, CacheWrite5m: 331, CacheWrite1h: 1000, CacheRead: 14874}
				r.WebSearch, r.WebFetch = 2, 1
				r.Tier, r.Geo, r.Speed = "batch", "us", "fast"
				r.Sidechain, r.Entrypoint = true, "sdk-cli"
			})},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name:  "no breakdown: all cache writes are 5m; no requestId: key is the message id",
			input: line("msg_1", "", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":50,"cache_read_input_tokens":7}`, ""),
			want: []usage.Request{with(func(r *usage.Request) {
				r.Key = "msg_1"
				r.Tokens = usage.Tokens{Input: 1, Output: 2, CacheWrite5m: 50, CacheRead: 7}
			})},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name:  "breakdown below the total: the excess is 5m",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":300,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":150}}`, ""),
			want: []usage.Request{with(func(r *usage.Request) {
				r.Tokens = usage.Tokens{Input: 1, Output: 2, CacheWrite5m: 150, CacheWrite1h: 150}
			})},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name:  "breakdown above the total: the breakdown wins",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":10,"cache_creation":{"ephemeral_5m_input_tokens":20,"ephemeral_1h_input_tokens":30}}`, ""),
			want: []usage.Request{with(func(r *usage.Request) {
				r.Tokens = usage.Tokens{Input: 1, Output: 2, CacheWrite5m: 20, CacheWrite1h: 30}
			})},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name:  "zero tokens with a web search still counts",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":0,"output_tokens":0,"server_tool_use":{"web_search_requests":1}}`, ""),
			want:  []usage.Request{with(func(r *usage.Request) { r.WebSearch = 1 })},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name:  "all zero is not a request",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":0,"output_tokens":0}`, ""),
			stats: Stats{Lines: 1, Empty: 1},
		},
		{
			name:  "synthetic messages are skipped",
			input: line("msg_1", "", "<synthetic>", ts, `{"input_tokens":0,"output_tokens":0}`, `"isApiErrorMessage":true`),
			stats: Stats{Lines: 1, Synthetic: 1},
		},
		{
			name: "progress lines embed subagent usage: never counted",
			input: `{"type":"progress","data":{"type":"agent_progress","message":{"type":"assistant","message":{"model":"claude-opus-4-6","id":"msg_9","usage":{"input_tokens":999,"output_tokens":999}},"requestId":"r","timestamp":"` + ts + `"}},"timestamp":"` + ts + `"}` + "\n" +
				`{"data":{"message":{"type":"assistant","message":{"id":"msg_9","usage":{"input_tokens":9}}}},"type":"progress"}`,
			stats: Stats{Lines: 2},
		},
		{
			name:  "user lines are skipped, whatever their text says",
			input: `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"{\"usage\":{\"input_tokens\":5}} and \"usage\""}]},"timestamp":"` + ts + `"}` + "\n",
			stats: Stats{Lines: 1},
		},
		{
			name:  "nested usage only: not a top-level record",
			input: `{"type":"assistant","message":{"model":"m","id":"x","content":[{"usage":{"input_tokens":5}}]},"timestamp":"` + ts + `"}`,
			stats: Stats{Lines: 1},
		},
		{
			name:  "CRLF and blank lines",
			input: "\r\n" + line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2}`, "") + "\r\n\r\n   \n",
			want:  []usage.Request{with(func(r *usage.Request) { r.Tokens = usage.Tokens{Input: 1, Output: 2} })},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name: "bad lines are counted, the rest is read",
			input: "not json\n" +
				`{"type":"assistant","message":{"usage":{"input_tokens":}}}` + "\n" +
				line("msg_2", "req_2", "claude-opus-4-6", "yesterday", `{"input_tokens":1}`, "") + "\n" +
				line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2}`, "") + "\n" +
				line("msg_3", "req_3", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2}`, "")[:60],
			want:  []usage.Request{with(func(r *usage.Request) { r.Tokens = usage.Tokens{Input: 1, Output: 2} })},
			stats: Stats{Lines: 5, UsageLines: 1, Malformed: 3}, // the cut-off last line is CutOff, not malformed
		},
		{
			name:  "a byte-order mark before the first line",
			input: "\ufeff" + line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2}`, "") + "\n",
			want:  []usage.Request{with(func(r *usage.Request) { r.Tokens = usage.Tokens{Input: 1, Output: 2} })},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name:  "a complete last line without a newline is fine",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2}`, ""),
			want:  []usage.Request{with(func(r *usage.Request) { r.Tokens = usage.Tokens{Input: 1, Output: 2} })},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name:  "whole numbers written as floats are counts; null is zero",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":null,"output_tokens":2.0,"cache_read_input_tokens":1e3}`, ""),
			want:  []usage.Request{with(func(r *usage.Request) { r.Tokens = usage.Tokens{Output: 2, CacheRead: 1000} })},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name:  "the largest counts allowed",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1000000000000,"server_tool_use":{"web_search_requests":1000000000,"web_fetch_requests":1e9}}`, ""),
			want: []usage.Request{with(func(r *usage.Request) {
				r.Input, r.WebSearch, r.WebFetch = 1e12, 1e9, 1e9
			})},
			stats: Stats{Lines: 1, UsageLines: 1},
		},
		{
			name: "counts no request can have make the line malformed",
			input: line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":-5,"output_tokens":2}`, "") + "\n" +
				line("msg_2", "req_2", "claude-opus-4-6", ts, `{"input_tokens":1.5}`, "") + "\n" +
				line("msg_3", "req_3", "claude-opus-4-6", ts, `{"cache_read_input_tokens":"7"}`, "") + "\n" +
				line("msg_4", "req_4", "claude-opus-4-6", ts, `{"output_tokens":9000000000000000000}`, "") + "\n" +
				line("msg_5", "req_5", "claude-opus-4-6", ts, `{"output_tokens":1000000000001}`, "") + "\n" +
				line("msg_6", "req_6", "claude-opus-4-6", ts, `{"output_tokens":1,"server_tool_use":{"web_search_requests":3000000000}}`, "") + "\n" +
				line("msg_7", "req_7", "claude-opus-4-6", ts, `{"output_tokens":1,"server_tool_use":{"web_fetch_requests":1000000001}}`, "") + "\n" +
				line("msg_8", "req_8", "claude-opus-4-6", ts, `{"output_tokens":1,"cache_creation":{"ephemeral_1h_input_tokens":1e400}}`, "") + "\n" +
				line("msg_9", "req_9", "claude-opus-4-6", ts, `{"output_tokens":true}`, "") + "\n" +
				line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2}`, "") + "\n",
			want:  []usage.Request{with(func(r *usage.Request) { r.Tokens = usage.Tokens{Input: 1, Output: 2} })},
			stats: Stats{Lines: 10, UsageLines: 1, Malformed: 9},
		},
		{
			name: "a limit message without a usage object is a notice",
			input: `{"type":"assistant","timestamp":"2026-02-01T04:04:22Z","message":{"id":"x","model":"<synthetic>","content":[{"type":"text","text":"You've hit your limit"}]}}` + "\n" +
				`{"message":{"model":"<synthetic>","content":"Usage limit reached"},"type":"assistant","timestamp":"2026-02-01T04:04:23Z"}`,
			stats: Stats{Lines: 2, Synthetic: 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []string{"whole", "one byte at a time"} {
				var r io.Reader = strings.NewReader(tc.input)
				if mode != "whole" {
					r = iotest.OneByteReader(r)
				}
				got, st, _ := read(t, r)
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: records\n got %+v\nwant %+v", mode, got, tc.want)
				}
				if st.Bytes != int64(len(tc.input)) {
					t.Errorf("%s: Bytes = %d, want %d", mode, st.Bytes, len(tc.input))
				}
				st.Bytes = 0
				if st != tc.stats {
					t.Errorf("%s: stats %+v, want %+v", mode, st, tc.stats)
				}
			}
		})
	}
}

func TestMalformedPositions(t *testing.T) {
	input := "oops\n\n" + line("m", "r", "x", ts, `{"input_tokens":1}`, "") + "\n{\"type\":\"assistant\",\"message\":{\"usage\""
	_, st, errs := read(t, strings.NewReader(input))
	want := []string{"f.jsonl:1: not a JSON object"}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if !reflect.DeepEqual(got, want) || st.Malformed != 1 {
		t.Errorf("malformed = %q (%d), want %q", got, st.Malformed, want)
	}
}

func TestMalformedKeepsFirstFew(t *testing.T) {
	input := strings.Repeat("junk\n", MaxErrors+5)
	_, st, errs := read(t, strings.NewReader(input))
	if st.Malformed != MaxErrors+5 || len(errs) != MaxErrors || errs[0].Line != 1 {
		t.Errorf("Malformed = %d, kept %d (first line %d)", st.Malformed, len(errs), errs[0].Line)
	}
}

// A line longer than the buffer, and a very long user line before it.
func TestLongLines(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	input := `{"type":"user","message":{"content":"` + big + `"}}` + "\n" +
		line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2}`, `"extra":"`+big+`"`) + "\n"
	got, st, _ := read(t, strings.NewReader(input))
	if len(got) != 1 || got[0].Output != 2 || st.Lines != 2 {
		t.Fatalf("got %d records, stats %+v", len(got), st)
	}
}

// Reset reuses the buffer: strings kept from the first file must not change.
func TestResetKeepsStrings(t *testing.T) {
	rd := NewReader(strings.NewReader(line("msg_a", "", "model-a", ts, `{"input_tokens":1}`, "")), "a", "u")
	if !rd.Scan() {
		t.Fatal("no record")
	}
	first := *rd.Request()
	first.Key = strings.Clone(first.Key)
	rd.Reset(strings.NewReader(line("msg_b", "", "model-b", ts, `{"input_tokens":1}`, "")), "b", "u")
	for rd.Scan() {
	}
	if first.Key != "msg_a" || first.Model != "model-a" {
		t.Errorf("first record changed: %+v", first)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, fmt.Errorf("disk on fire") }

func TestReadError(t *testing.T) {
	rd := NewReader(io.MultiReader(strings.NewReader(line("m", "r", "x", ts, `{"input_tokens":1}`, "")+"\n"), errReader{}), "f", "u")
	n := 0
	for rd.Scan() {
		n++
	}
	if n != 1 || rd.Err() == nil || !strings.Contains(rd.Err().Error(), "f: disk on fire") {
		t.Errorf("records %d, err %v", n, rd.Err())
	}
}

func TestKey(t *testing.T) {
	for _, tc := range []struct{ id, req, want string }{
		{"msg_1", "req_1", "msg_1:req_1"}, {"msg_1", "", "msg_1"}, {"", "req_1", ""}, {"", "", ""},
	} {
		if got := Key(tc.id, tc.req); got != tc.want {
			t.Errorf("Key(%q, %q) = %q, want %q", tc.id, tc.req, got, tc.want)
		}
	}
}

// FuzzReader checks that no input panics, that the stats add up, and that
// reading in one-byte chunks gives exactly what reading whole gives.
func FuzzReader(f *testing.F) {
	f.Add([]byte(line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1,"output_tokens":2,"cache_creation":{"ephemeral_5m_input_tokens":1}}`, "") + "\n"))
	f.Add([]byte("{\"type\":\"assistant\",\"usage\"}\r\n\n{}"))
	f.Add([]byte(`{"type":"assistant","message":{"model":"<synthetic>","usage":{}}}`))
	f.Add([]byte(`{"usage":1,"type":"assistant","message":{"id":"x","usage":{"output_tokens":1e400}},"timestamp":"2026-01-01T00:00:00Z"}`))
	for _, u := range []string{
		`{"input_tokens":9000000000000000000,"output_tokens":9000000000000000000}`,
		`{"input_tokens":-1,"output_tokens":1.5,"cache_read_input_tokens":"12"}`,
		`{"output_tokens":1,"server_tool_use":{"web_search_requests":3000000000,"web_fetch_requests":-2147483649}}`,
		`{"output_tokens":1e308,"cache_creation":{"ephemeral_5m_input_tokens":18446744073709551616}}`,
		`{"output_tokens":1000000000000.5,"cache_creation":[1,2]}`,
		`{"output_tokens":{"nested":1},"input_tokens":[1]}`,
	} {
		f.Add([]byte(line("msg_1", "req_1", "claude-opus-4-6", ts, u, "") + "\n"))
	}
	f.Add([]byte(`{"type":"assistant","message":{"model":"<synthetic>","content":"limit"},"timestamp":"2026-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, sa, ea := read(t, bytes.NewReader(data))
		b, sb, eb := read(t, iotest.OneByteReader(bytes.NewReader(data)))
		if !reflect.DeepEqual(a, b) || sa != sb || len(ea) != len(eb) {
			t.Fatalf("chunked read differs: %v %v / %+v %+v", a, b, sa, sb)
		}
		if int64(len(a)) != sa.UsageLines || sa.UsageLines+sa.Synthetic+sa.Empty+sa.Malformed > sa.Lines {
			t.Fatalf("stats do not add up: %d records, %+v", len(a), sa)
		}
		for _, r := range a {
			if r.Input < 0 || r.Output < 0 || r.CacheRead < 0 || r.CacheWrite5m < 0 || r.CacheWrite1h < 0 || !r.Billable() ||
				r.Input > usage.MaxTokens || r.Output > usage.MaxTokens || r.CacheRead > usage.MaxTokens || r.CacheWrite1h > usage.MaxTokens ||
				r.WebSearch < 0 || r.WebSearch > usage.MaxSearches || r.WebFetch < 0 || r.WebFetch > usage.MaxSearches {
				t.Fatalf("bad record %+v", r)
			}
		}
	})
}

func ExampleReader() {
	log := `{"type":"user","message":{"content":"hello"}}
{"type":"assistant","message":{"id":"msg_1","model":"claude-opus-4-6","usage":{"input_tokens":3,"output_tokens":9,"cache_read_input_tokens":100}},"requestId":"req_1","timestamp":"2026-06-10T09:00:01Z"}
{"type":"assistant","message":{"id":"msg_1","model":"claude-opus-4-6","usage":{"input_tokens":3,"output_tokens":42,"cache_read_input_tokens":100}},"requestId":"req_1","timestamp":"2026-06-10T09:00:02Z"}
`
	rd := NewReader(strings.NewReader(log), "session.jsonl", "alice")
	for rd.Scan() {
		r := rd.Request()
		fmt.Println(r.Key, r.Model, r.Input, r.Output, r.CacheRead)
	}
	fmt.Printf("%+v\n", rd.Stats())
	// Output:
	// msg_1:req_1 claude-opus-4-6 3 9 100
	// msg_1:req_1 claude-opus-4-6 3 42 100
	// {Bytes:451 Lines:3 UsageLines:2 Synthetic:0 Empty:0 Malformed:0}
}

func TestOffsetAndNotices(t *testing.T) {
	limit := `{"type":"assistant","timestamp":"2026-02-01T04:04:22.853Z","message":{"id":"x","model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0},"content":[{"type":"text","text":"You're out of extra usage · resets Feb 4 at 11am (America/New_York)"}]},"isApiErrorMessage":true}`
	ok := line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1}`, "")
	input := limit + "\r\n" + ok + "\n" + `{"type":"assist`
	rd := NewReader(strings.NewReader(input), "f", "bob")
	for rd.Scan() {
	}
	if want := int64(len(limit) + 2 + len(ok) + 1); rd.Offset() != want {
		t.Errorf("Offset = %d, want %d", rd.Offset(), want)
	}
	want := []usage.Notice{{Time: time.Date(2026, 2, 1, 4, 4, 22, 853e6, time.UTC), User: "bob",
		Text: "You're out of extra usage · resets Feb 4 at 11am (America/New_York)"}}
	if got := rd.Notices(); !reflect.DeepEqual(got, want) {
		t.Errorf("Notices = %+v, want %+v", got, want)
	}
}

func TestCutOffTail(t *testing.T) {
	whole := line("m", "r", "claude-opus-4-6", ts, `{"input_tokens":1}`, "")
	for _, tc := range []struct {
		input  string
		cutOff bool
		recs   int
	}{
		{whole + "\n" + whole[:40], true, 1},
		{whole + "\n" + `{"type":"user","message":{"content":"half`, true, 1},
		{whole + "\n" + whole, false, 2}, // complete without its newline: read
		{whole + "\n", false, 1},
	} {
		rd := NewReader(strings.NewReader(tc.input), "f.jsonl", "u")
		n := 0
		for rd.Scan() {
			n++
		}
		if rd.CutOff() != tc.cutOff || n != tc.recs || rd.Stats().Malformed != 0 {
			t.Errorf("%q: CutOff %v, %d records, %d malformed; want %v, %d, 0", tc.input, rd.CutOff(), n, rd.Stats().Malformed, tc.cutOff, tc.recs)
		}
	}
}

// A resumed read (ResetAt after some lines) numbers lines on from there,
// and a byte-order mark there is not a file's first byte: that line is bad.
func TestResetAtResumes(t *testing.T) {
	good := line("m", "r", "claude-opus-4-6", ts, `{"input_tokens":1}`, "")
	rd := NewReader(nil, "f.jsonl", "u")
	rd.ResetAt(strings.NewReader("\ufeff"+good+"\nnope\n"), "f.jsonl", "u", 7)
	n := 0
	for rd.Scan() {
		n++
	}
	errs := rd.Malformed()
	if n != 0 || len(errs) != 2 || errs[0].Line != 8 || errs[1].Line != 9 {
		t.Fatalf("records %d, malformed %v; want 0 records, lines 8 and 9 malformed", n, errs)
	}
	rd.ResetAt(strings.NewReader("\ufeff"+good+"\n"), "f.jsonl", "u", 0)
	n = 0
	for rd.Scan() {
		n++
	}
	if n != 1 || rd.Stats().Malformed != 0 || rd.Offset() != int64(len(good)+4) {
		t.Fatalf("at the file's start: records %d, malformed %d, offset %d", n, rd.Stats().Malformed, rd.Offset())
	}
}

// A bad count names the file, the line and the field.
func TestBadCountMessages(t *testing.T) {
	input := line("msg_1", "req_1", "m", ts, `{"input_tokens":1,"output_tokens":-3}`, "") + "\n" +
		line("msg_2", "req_2", "m", ts, `{"output_tokens":1,"server_tool_use":{"web_search_requests":3000000000}}`, "") + "\n" +
		line("msg_3", "req_3", "m", ts, `{"cache_creation":{"ephemeral_5m_input_tokens":2.5}}`, "") + "\n"
	_, _, errs := read(t, strings.NewReader(input))
	want := []string{
		"f.jsonl:1: usage line with a bad count: message.usage.output_tokens is -3 (want a whole number from 0 to 1000000000000)",
		"f.jsonl:2: usage line with a bad count: message.usage.server_tool_use.web_search_requests is 3000000000 (want a whole number from 0 to 1000000000)",
		"f.jsonl:3: usage line with a bad count: message.usage.cache_creation.ephemeral_5m_input_tokens is 2.5 (want a whole number from 0 to 1000000000000)",
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("malformed =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A limit message with no usage object still reaches Notices.
func TestNoticeWithoutUsage(t *testing.T) {
	input := `{"parentUuid":"p","message":{"id":"x","model":"<synthetic>","role":"assistant","content":[{"type":"text","text":"Claude AI usage limit reached|1760000000"}]},"type":"assistant","timestamp":"2026-02-01T04:04:22Z","isApiErrorMessage":true}` + "\n"
	rd := NewReader(strings.NewReader(input), "f", "bob")
	for rd.Scan() {
	}
	want := []usage.Notice{{Time: time.Date(2026, 2, 1, 4, 4, 22, 0, time.UTC), User: "bob", Text: "Claude AI usage limit reached|1760000000"}}
	if got := rd.Notices(); !reflect.DeepEqual(got, want) {
		t.Errorf("Notices = %+v, want %+v", got, want)
	}
	if st := rd.Stats(); st.Synthetic != 1 {
		t.Errorf("Synthetic = %d, want 1", st.Synthetic)
	}
}

// The fast path for Claude Code's timestamps agrees with time.Parse, and
// leaves everything else to it.
func TestUTCStamp(t *testing.T) {
	for _, s := range []string{
		"2026-02-12T16:02:51.467Z", "2026-02-12T16:02:51Z", "2026-02-12T16:02:51.1Z",
		"2026-02-12T16:02:51.123456789Z", "2024-02-29T23:59:59.999Z", "2026-12-31T00:00:00.000Z",
	} {
		want, err := time.Parse(time.RFC3339Nano, s)
		got, ok := utcStamp(s)
		if err != nil || !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("utcStamp(%q) = %v, %v; time.Parse %v, %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{
		"2026-02-30T16:02:51Z", "2026-13-12T16:02:51Z", "2026-02-12T16:02:51+02:00", "2026-02-12T24:00:00Z",
		"2026-02-12T16:02:51.Z", "2026-02-12 16:02:51Z", "2026-02-12T16:02:51.1234567890Z", "yesterday",
	} {
		if _, ok := utcStamp(s); ok {
			t.Errorf("utcStamp(%q) took it", s)
		}
	}
}

// TestKeyPerScan: each record's Key is its own message id and request id
// (escaped ones decoded), read right after its Scan.
func TestKeyPerScan(t *testing.T) {
	in := strings.Join([]string{
		line("msg_a", "req_a", "m", ts, `{"output_tokens":1}`, ""),
		line("msg_bb", "req_bbbb", "m", ts, `{"output_tokens":1}`, ""),
		line("msg_c", "", "m", ts, `{"output_tokens":1}`, ""),
		line(`msg_\u0064`, "req_d", "m", ts, `{"output_tokens":1}`, ""),
		line("", "req_e", "m", ts, `{"output_tokens":1}`, ""),
		line("msg_f", "r", "m", ts, `{"output_tokens":1}`, ""),
	}, "\n")
	want := []string{"msg_a:req_a", "msg_bb:req_bbbb", "msg_c", "msg_d:req_d", "", "msg_f:r"}
	rd := NewReader(strings.NewReader(in), "f.jsonl", "u")
	var got []string
	for rd.Scan() {
		got = append(got, strings.Clone(rd.Request().Key))
	}
	if !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
}
