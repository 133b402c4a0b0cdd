package adminapi

import (
	"context"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/usage"
)

var (
	mar30 = time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)
	mar31 = time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	apr1  = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	// A pull's revision: the day it covers up to (hours since 1970, high bits)
	// and the pull time (low bits), on the scale of a CSV export's (billing.Rev).
	rev     = int64(apr1.Unix()/3600)<<32 | pullTime.Unix()
	revCost = int64(mar31.Unix()/3600)<<32 | pullTime.Unix()
)

func TestFetchUsageTwoPagesWithRetries(t *testing.T) {
	s := &standIn{
		pages:      merge(names(t), usagePages(t)),
		retryAfter: "7",
		fail: map[string][]int{
			usagePath + "?":          {http.StatusTooManyRequests},
			usagePath + "?page_Mg==": {http.StatusInternalServerError},
		},
	}
	c, sleeps := serve(t, s)
	c.Options.UserMap = map[string]string{"ci-bot": "ops@example.com"}
	got, st, err := c.FetchUsage(context.Background(), mar30, apr1)
	if err != nil {
		t.Fatal(err)
	}
	// Hand-written: the served results, with key and workspace names, users
	// by the claude_code_key_<user>_xxxx rule and the user map.
	want := []usage.Request{{
		Key:  `bill:api-billing|2026-03-30|"claude-sonnet-4-5-20250929"|"claude_code_key_alice_ab12"|"Claude Code"|standard|std|global||`,
		Time: mar30, User: "alice", Source: "api-billing", Model: "claude-sonnet-4-5-20250929",
		Tokens:    usage.Tokens{Input: 100, Output: 50, CacheWrite5m: 10, CacheWrite1h: 5, CacheRead: 1000},
		WebSearch: 2, Geo: "global", Tier: "standard", Context: usage.ContextStandard, Rev: rev,
	}, {
		Key:  `bill:api-billing|2026-03-30|"claude-haiku-4-5-20251001"|"ci-bot"|"Default"|batch|long|not_available||`,
		Time: mar30, User: "ops@example.com", Source: "api-billing", Model: "claude-haiku-4-5-20251001",
		Tokens: usage.Tokens{Input: 7, Output: 3}, Geo: "not_available", Tier: "batch", Context: usage.ContextLong, Rev: rev,
	}, {
		Key:  `bill:api-billing|2026-03-31|"claude-opus-4-6"|"claude_code_key_bob_smith_zz99"|"Claude Code"|priority|std|us|fast|`,
		Time: mar31, User: "bob_smith", Source: "api-billing", Model: "claude-opus-4-6",
		Tokens: usage.Tokens{Input: 20, Output: 4}, Speed: "fast", Geo: "us", Tier: "priority", Context: usage.ContextStandard, Rev: rev,
	}, {
		Key:  `bill:api-billing|2026-03-31|"claude-sonnet-4-5-20250929"|"apikey_99"|"Claude Code"|standard|std|global||`,
		Time: mar31, User: "apikey_99", Source: "api-billing", Model: "claude-sonnet-4-5-20250929",
		Tokens: usage.Tokens{Input: 1, Output: 1}, Geo: "global", Tier: "standard", Context: usage.ContextStandard, Rev: rev,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n got %+v\nwant %+v", got, want)
	}
	var sum usage.Tokens
	for _, r := range got {
		sum.Add(r.Tokens)
	}
	if sum.Total() != 100+10+5+1000+50+7+3+20+4+1+1 {
		t.Errorf("total tokens %d, served 1201", sum.Total())
	}
	if want := []time.Duration{7 * time.Second, time.Second}; !reflect.DeepEqual(*sleeps, want) {
		t.Errorf("sleeps %v, want %v (retry-after 7, then backoff 1s)", *sleeps, want)
	}
	// 2 key pages + 1 workspace page + 2 usage pages + 2 retries.
	wantSt := Stats{Requests: 7, Retries: 2, Pages: 2, Buckets: 2, Results: 4, Records: 4, UnknownKeys: []string{"apikey_99"}}
	if !reflect.DeepEqual(st, wantSt) {
		t.Errorf("stats %+v, want %+v", st, wantSt)
	}
	reqs := s.requests(usagePath)
	if len(reqs) != 4 {
		t.Fatalf("%d usage requests, want 4", len(reqs))
	}
	q := query(reqs[0])
	if q.Get("starting_at") != "2026-03-30T00:00:00Z" || q.Get("ending_at") != "2026-04-01T00:00:00Z" || q.Get("bucket_width") != "1d" {
		t.Errorf("range query %v", q)
	}
	if g := q["group_by[]"]; !reflect.DeepEqual(g, []string{"model", "api_key_id", "workspace_id", "service_tier", "context_window", "inference_geo", "speed"}) {
		t.Errorf("group_by %v", g)
	}
	if p := query(reqs[3]).Get("page"); p != "page_Mg==" {
		t.Errorf("second page asked with page=%q", p)
	}
	for _, r := range s.seen {
		if r.Header.Get("anthropic-version") != APIVersion || r.Header.Get("x-api-key") != testKey {
			t.Errorf("%s: headers %v", r.URL.Path, r.Header)
		}
	}
	if b := reqs[0].Header.Get("anthropic-beta"); b != SpeedBeta {
		t.Errorf("usage request anthropic-beta %q, want %q", b, SpeedBeta)
	}
	if a := query(s.requests(keysPath)[1]).Get("after_id"); a != "apikey_02" {
		t.Errorf("second key page asked with after_id=%q", a)
	}
}

func TestFetchCost(t *testing.T) {
	s := &standIn{pages: merge(names(t), costPages(t))}
	c, _ := serve(t, s)
	got, st, err := c.FetchCost(context.Background(), mar30, mar31)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		key, user, model string
		ctx              usage.Context
		billed           usage.Money
	}
	// Amounts are cents: 123.45 + 1.55 (the same row twice, summed) = $1.25.
	want := []rec{
		{`bill:api-cost|2026-03-30|"claude-sonnet-4-5-20250929"|""|"Claude Code"|standard|std|||input_no_cache`, billing.NoUser,
			"claude-sonnet-4-5-20250929", usage.ContextStandard, usage.Money{Input: 1.25}},
		{`bill:api-cost|2026-03-30|"claude-sonnet-4-5-20250929"|""|"Claude Code"|standard|long|||input_cache_write_1h`, billing.NoUser,
			"claude-sonnet-4-5-20250929", usage.ContextLong, usage.Money{CacheWrite: 0.105}},
		{`bill:api-cost|2026-03-30|"<web search>"|""|"Default"||std|||web_search`, billing.NoUser,
			billing.WebSearchModel, usage.ContextStandard, usage.Money{WebSearch: 0.5}},
		{`bill:api-cost|2026-03-30|"<code_execution>"|""|"Default"||std|||code_execution`, billing.NoUser,
			"<code_execution>", usage.ContextStandard, usage.Money{Input: 0.03}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Key != w.key || g.User != w.user || g.Model != w.model || g.Context != w.ctx || g.Source != "api-cost" ||
			!g.Time.Equal(mar30) || g.Rev != revCost || g.Tokens != (usage.Tokens{}) || g.Count != 0 || g.Billed == nil {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, g, w)
			continue
		}
		b := *g.Billed
		for _, p := range [][2]float64{{b.Input, w.billed.Input}, {b.Output, w.billed.Output},
			{b.CacheWrite, w.billed.CacheWrite}, {b.CacheRead, w.billed.CacheRead}, {b.WebSearch, w.billed.WebSearch}} {
			if math.Abs(p[0]-p[1]) > 1e-9 {
				t.Errorf("record %d billed %+v, want %+v", i, b, w.billed)
				break
			}
		}
	}
	if st.OtherCosts != 1 || st.Results != 5 || st.Records != 4 {
		t.Errorf("stats %+v: want 1 other cost, 5 results, 4 records", st)
	}
	if g := query(s.requests(costPath)[0])["group_by[]"]; !reflect.DeepEqual(g, []string{"workspace_id", "description"}) {
		t.Errorf("group_by %v", g)
	}
	// With --user-from workspace, the workspace is the user.
	c.Options.UserFrom = billing.UserFromWorkspace
	got, _, err = c.FetchCost(context.Background(), mar30, mar31)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].User != "Claude Code" || got[2].User != "Default" {
		t.Errorf("users with UserFrom workspace: %q, %q", got[0].User, got[2].User)
	}
}

func TestErrors(t *testing.T) {
	echo := `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ` + testKey + `"}}`
	tests := []struct {
		name     string
		status   []int
		body     string
		key      string
		auth     bool
		requests int // to the key list
		want     []string
	}{
		{"401", []int{401}, echo, testKey, true, 1,
			[]string{"401 Unauthorized", "authentication_error", "invalid x-api-key <redacted>", "check ANTHROPIC_ADMIN_API_KEY"}},
		{"403", []int{403}, `{"type":"error","error":{"type":"permission_error","message":"not allowed"}}`, testKey, true, 1,
			[]string{"403 Forbidden", "permission_error", "check ANTHROPIC_ADMIN_API_KEY"}},
		{"wrong key", nil, "", "sk-ant-admin01-WRONG-TESTSECRET", true, 1, []string{"401", "ANTHROPIC_ADMIN_API_KEY"}},
		{"400 not retried", []int{400}, `{"type":"error","error":{"type":"invalid_request_error","message":"bad group_by"}}`, testKey, false, 1,
			[]string{"400 Bad Request", "bad group_by"}},
		{"500 until giving up", []int{500, 502, 503, 500}, "", testKey, false, 4,
			[]string{"500 Internal Server Error", "gave up after 4 tries"}},
		{"no key", nil, "", "", false, 0, []string{"ANTHROPIC_ADMIN_API_KEY is not set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &standIn{pages: names(t), errBody: tt.body, fail: map[string][]int{keysPath + "?": tt.status}}
			c, sleeps := serve(t, s)
			c.Key, c.Retries = tt.key, 3
			_, _, err := c.FetchUsage(context.Background(), mar30, apr1)
			if err == nil {
				t.Fatal("no error")
			}
			noKey(t, err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if errors.Is(err, ErrAuth) != tt.auth {
				t.Errorf("errors.Is(err, ErrAuth) = %v, want %v", !tt.auth, tt.auth)
			}
			if n := len(s.requests(keysPath)); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if tt.name == "500 until giving up" && !reflect.DeepEqual(*sleeps, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}) {
				t.Errorf("sleeps %v, want 1s 2s 4s", *sleeps)
			}
		})
	}
}

func TestTransportErrorRetriedWithoutKey(t *testing.T) {
	s := &standIn{pages: names(t)}
	c, sleeps := serve(t, s)
	c.BaseURL = "http://127.0.0.1:1" // nothing listens on port 1
	c.HTTP = nil
	c.Retries = 2
	_, _, err := c.FetchUsage(context.Background(), mar30, apr1)
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 tries") {
		t.Fatalf("err = %v, want a transport error after 3 tries", err)
	}
	noKey(t, err)
	if len(*sleeps) != 2 {
		t.Errorf("sleeps %v, want 2", *sleeps)
	}
}

func TestBadResponses(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"has_more without next_page", `{"data":[],"has_more":true,"next_page":null}`, "next_page is empty"},
		{"same page again", `{"data":[],"has_more":true,"next_page":""}`, "next_page is empty"},
		{"unknown band", `{"data":[{"starting_at":"2026-03-30T00:00:00Z","results":[{"context_window":"huge","api_key_id":"apikey_01"}]}],"has_more":false}`,
			`unknown context_window "huge"`},
		{"bad time", `{"data":[{"starting_at":"yesterday","results":[]}],"has_more":false}`, `starting_at "yesterday"`},
		{"not JSON", `[1,2`, "unexpected response"},
		{"negative", `{"data":[{"starting_at":"2026-03-30T00:00:00Z","results":[{"output_tokens":-5}]}],"has_more":false}`, "negative token count -5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := names(t)
			var doc any = rawOrString(tt.doc)
			pages[usagePath+"?"] = doc
			s := &standIn{pages: pages}
			c, _ := serve(t, s)
			_, _, err := c.FetchUsage(context.Background(), mar30, apr1)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			noKey(t, err)
		})
	}
}

func TestLoopingPages(t *testing.T) {
	pages := names(t)
	pages[usagePath+"?"] = raw(t, `{"data":[],"has_more":true,"next_page":"p2"}`)
	pages[usagePath+"?p2"] = raw(t, `{"data":[],"has_more":true,"next_page":"p2"}`)
	c, _ := serve(t, &standIn{pages: pages})
	_, _, err := c.FetchUsage(context.Background(), mar30, apr1)
	if err == nil || !strings.Contains(err.Error(), "paging does not end") {
		t.Fatalf("err = %v", err)
	}
}

// rawOrString serves invalid JSON as it is.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func rawOrString(s string) any { return rawJSON(s) }

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 4, 1, 6, 30, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{"Wed, 01 Apr 2026 06:30:20 GMT", 20 * time.Second, true},
		{"Wed, 01 Apr 2026 06:00:00 GMT", 0, true}, // in the past
		{"86400", 5 * time.Minute, true},           // capped
		{"", 0, false},
		{"soon", 0, false},
		{"-3", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		if got := backoff(n + 1); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n+1, got, want)
		}
	}
}

func TestEmptyRange(t *testing.T) {
	c, _ := serve(t, &standIn{pages: names(t)})
	if _, _, err := c.FetchUsage(context.Background(), apr1, mar30); err == nil || !strings.Contains(err.Error(), "empty range") {
		t.Errorf("err = %v", err)
	}
}
