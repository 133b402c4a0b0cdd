package adminapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "sk-ant-admin01-TESTSECRET-0123456789"

// standIn is a local Admin API: it serves fixed JSON per path and page, and
// can fail chosen requests first.
type standIn struct {
	t    *testing.T
	mu   sync.Mutex
	seen []*http.Request
	// fail maps "path?page" to the statuses to answer, in order, before the data.
	fail map[string][]int
	// retryAfter is the retry-after header sent with a 429.
	retryAfter string
	// errBody is the body of failures.
	errBody string
	pages   map[string]any // "path?page" (or "path?after_id") -> JSON document
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.seen = append(s.seen, r)
	id := r.URL.Path + "?" + r.URL.Query().Get("page") + r.URL.Query().Get("after_id")
	var status int
	if f := s.fail[id]; len(f) > 0 {
		status, s.fail[id] = f[0], f[1:]
	}
	doc, ok := s.pages[id]
	s.mu.Unlock()
	if r.Header.Get("x-api-key") != testKey {
		status = http.StatusUnauthorized
	}
	if status != 0 {
		if status == http.StatusTooManyRequests && s.retryAfter != "" {
			w.Header().Set("retry-after", s.retryAfter)
		}
		w.WriteHeader(status)
		body := s.errBody
		if body == "" {
			body = `{"type":"error","error":{"type":"api_error","message":"try later"}}`
		}
		fmt.Fprint(w, body)
		return
	}
	if !ok {
		s.t.Errorf("stand-in: unexpected request %s", r.URL)
		http.NotFound(w, r)
		return
	}
	w.Header().Set("content-type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

func (s *standIn) requests(path string) []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*http.Request
	for _, r := range s.seen {
		if r.URL.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// raw parses a JSON literal for a page.
func raw(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON: %v\n%s", err, s)
	}
	return v
}

// names are the key and workspace lists: keys on two pages.
func names(t *testing.T) map[string]any {
	return map[string]any{
		keysPath + "?": raw(t, `{"data":[
			{"id":"apikey_01","type":"api_key","name":"claude_code_key_alice_ab12","workspace_id":"wrkspc_01","status":"active"},
			{"id":"apikey_02","type":"api_key","name":"claude_code_key_bob_smith_zz99","workspace_id":"wrkspc_01","status":"archived"}],
			"has_more":true,"first_id":"apikey_01","last_id":"apikey_02"}`),
		keysPath + "?apikey_02": raw(t, `{"data":[
			{"id":"apikey_03","type":"api_key","name":"ci-bot","workspace_id":null,"status":"active"}],
			"has_more":false,"first_id":"apikey_03","last_id":"apikey_03"}`),
		workspacesPath + "?": raw(t, `{"data":[{"id":"wrkspc_01","type":"workspace","name":"Claude Code"}],
			"has_more":false,"first_id":"wrkspc_01","last_id":"wrkspc_01"}`),
	}
}

// usagePages is the usage report on two pages.
func usagePages(t *testing.T) map[string]any {
	return map[string]any{
		usagePath + "?": raw(t, `{"data":[{"starting_at":"2026-03-30T00:00:00Z","ending_at":"2026-03-31T00:00:00Z","results":[
			{"uncached_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":5},
			 "cache_read_input_tokens":1000,"output_tokens":50,"server_tool_use":{"web_search_requests":2},
			 "api_key_id":"apikey_01","workspace_id":"wrkspc_01","model":"claude-sonnet-4-5-20250929",
			 "service_tier":"standard","context_window":"0-200k","inference_geo":"global","speed":"standard"},
			{"uncached_input_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},
			 "cache_read_input_tokens":0,"output_tokens":3,"server_tool_use":{"web_search_requests":0},
			 "api_key_id":"apikey_03","workspace_id":null,"model":"claude-haiku-4-5-20251001",
			 "service_tier":"batch","context_window":"200k-1M","inference_geo":"not_available","speed":null}]}],
			"has_more":true,"next_page":"page_Mg=="}`),
		usagePath + "?page_Mg==": raw(t, `{"data":[{"starting_at":"2026-03-31T00:00:00Z","ending_at":"2026-04-01T00:00:00Z","results":[
			{"uncached_input_tokens":20,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},
			 "cache_read_input_tokens":0,"output_tokens":4,"server_tool_use":{"web_search_requests":0},
			 "api_key_id":"apikey_02","workspace_id":"wrkspc_01","model":"claude-opus-4-6",
			 "service_tier":"priority","context_window":"0-200k","inference_geo":"us","speed":"fast"},
			{"uncached_input_tokens":1,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},
			 "cache_read_input_tokens":0,"output_tokens":1,"server_tool_use":{"web_search_requests":0},
			 "api_key_id":"apikey_99","workspace_id":"wrkspc_01","model":"claude-sonnet-4-5-20250929",
			 "service_tier":"standard","context_window":"0-200k","inference_geo":"global","speed":"standard"}]}],
			"has_more":false,"next_page":null}`),
	}
}

// costPages is the cost report, one page.
func costPages(t *testing.T) map[string]any {
	return map[string]any{
		costPath + "?": raw(t, `{"data":[{"starting_at":"2026-03-30T00:00:00Z","ending_at":"2026-03-31T00:00:00Z","results":[
			{"amount":"123.45","currency":"USD","description":"Claude Sonnet 4.5 Usage - Input Tokens","cost_type":"tokens",
			 "model":"claude-sonnet-4-5-20250929","token_type":"uncached_input_tokens","service_tier":"standard",
			 "context_window":"0-200k","workspace_id":"wrkspc_01"},
			{"amount":"1.55","currency":"USD","description":"Claude Sonnet 4.5 Usage - Input Tokens","cost_type":"tokens",
			 "model":"claude-sonnet-4-5-20250929","token_type":"uncached_input_tokens","service_tier":"standard",
			 "context_window":"0-200k","workspace_id":"wrkspc_01"},
			{"amount":"10.5","currency":"USD","description":"Claude Sonnet 4.5 Usage - 1h Cache Write","cost_type":"tokens",
			 "model":"claude-sonnet-4-5-20250929","token_type":"cache_creation.ephemeral_1h_input_tokens","service_tier":"standard",
			 "context_window":"200k-1M","workspace_id":"wrkspc_01"},
			{"amount":"50","currency":"USD","description":"Web Search","cost_type":"web_search",
			 "model":null,"token_type":null,"service_tier":null,"context_window":null,"workspace_id":null},
			{"amount":"3","currency":"USD","description":"Code Execution","cost_type":"code_execution",
			 "model":null,"token_type":null,"service_tier":null,"context_window":null,"workspace_id":null}]}],
			"has_more":false,"next_page":null}`),
	}
}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// serve starts a stand-in and a Client for it that records its sleeps.
func serve(t *testing.T, s *standIn) (*Client, *[]time.Duration) {
	t.Helper()
	s.t = t
	if s.fail == nil {
		s.fail = map[string][]int{}
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	var sleeps []time.Duration
	c := &Client{
		BaseURL: srv.URL, Key: testKey, HTTP: srv.Client(),
		Sleep: func(d time.Duration) { sleeps = append(sleeps, d) },
		Now:   func() time.Time { return pullTime },
	}
	return c, &sleeps
}

var pullTime = time.Date(2026, 4, 1, 6, 30, 0, 0, time.UTC)

func query(r *http.Request) url.Values { return r.URL.Query() }

func noKey(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Errorf("error shows the key: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "TESTSECRET") {
		t.Errorf("error shows part of the key: %v", err)
	}
}
