package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/usagescan/usagescan/usage"
)

const adminTestKey = "sk-ant-admin01-CLITESTSECRET"

// adminStandIn serves the Admin API's documented JSON: a key list, a
// workspace list, a usage report on two pages and a one-item cost report.
// A request with another key gets a 401.
func adminStandIn(t *testing.T, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	page := func(w http.ResponseWriter, r *http.Request, body string) {
		hits.Add(1)
		if r.Header.Get("x-api-key") != adminTestKey {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)
			return
		}
		fmt.Fprint(w, body)
	}
	result := func(in, out int, key string) string {
		return fmt.Sprintf(`{"uncached_input_tokens":%d,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},
			"cache_read_input_tokens":0,"output_tokens":%d,"server_tool_use":{"web_search_requests":0},"api_key_id":%q,
			"workspace_id":"wrkspc_cc","model":"claude-sonnet-4-5-20250929","service_tier":"standard","context_window":"0-200k",
			"inference_geo":"global","speed":null}`, in, out, key)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/organizations/api_keys", func(w http.ResponseWriter, r *http.Request) {
		page(w, r, `{"data":[{"id":"key_a","name":"claude_code_key_alice_x1y2"},{"id":"key_b","name":"claude_code_key_bob_q9r8"}],"has_more":false,"last_id":"key_b"}`)
	})
	mux.HandleFunc("/v1/organizations/workspaces", func(w http.ResponseWriter, r *http.Request) {
		page(w, r, `{"data":[{"id":"wrkspc_cc","name":"Claude Code"}],"has_more":false,"last_id":"wrkspc_cc"}`)
	})
	mux.HandleFunc("/v1/organizations/usage_report/messages", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "" {
			page(w, r, `{"data":[{"starting_at":"2026-11-24T00:00:00Z","ending_at":"2026-11-25T00:00:00Z","results":[`+
				result(1000, 200, "key_a")+","+result(30, 4, "key_b")+`]}],"has_more":true,"next_page":"page_two"}`)
			return
		}
		page(w, r, `{"data":[{"starting_at":"2026-11-25T00:00:00Z","ending_at":"2026-11-26T00:00:00Z","results":[`+
			result(500, 50, "key_a")+`]}],"has_more":false,"next_page":null}`)
	})
	mux.HandleFunc("/v1/organizations/cost_report", func(w http.ResponseWriter, r *http.Request) {
		page(w, r, `{"data":[{"starting_at":"2026-11-24T00:00:00Z","ending_at":"2026-11-25T00:00:00Z","results":[
			{"amount":"250.0","currency":"USD","cost_type":"tokens","model":"claude-sonnet-4-5-20250929",
			 "token_type":"output_tokens","service_tier":"standard","context_window":"0-200k","workspace_id":"wrkspc_cc"}]}],
			"has_more":false,"next_page":null}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// runPull runs pullAdminAPI through a small app with ingest's billing flags.
func runPull(t *testing.T, args []string, key string) ([]usage.Request, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	pinned := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	e := &env{stdout: &stdout, stderr: &stderr, now: func() time.Time { return pinned },
		getenv: func(k string) string {
			if k == "ANTHROPIC_ADMIN_API_KEY" {
				return key
			}
			return ""
		}}
	var got []usage.Request
	app := &cli.App{
		Name: "usagescan", Writer: &stdout, ErrWriter: &stderr,
		Flags: flagSet(adminAPIFlags(), csvFlags()),
		Action: func(c *cli.Context) error {
			since := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
			return pullAdminAPI(c, e, since, pinned, func(r *usage.Request) { got = append(got, *r) })
		},
	}
	err := app.RunContext(context.Background(), append([]string{"usagescan"}, args...))
	code := exitCode(&stderr, err)
	return got, stderr.String(), code
}

func TestPullAdminAPI(t *testing.T) {
	var hits atomic.Int32
	srv := adminStandIn(t, &hits)
	got, stderr, code := runPull(t, []string{"--admin-api", "--admin-api-url", srv.URL}, adminTestKey)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// 5 requests: keys, workspaces, 2 usage pages, 1 cost page (names are fetched once).
	// Served: alice 1000+200 and 500+50 tokens, bob 30+4; and $2.50 of output.
	want := map[string]int64{"alice": 1750, "bob": 34}
	tokens := map[string]int64{}
	var billed float64
	for _, r := range got {
		tokens[r.User] += r.Tokens.Total()
		if r.Billed != nil {
			billed += r.Billed.Total()
		}
	}
	if len(tokens) != 3 || tokens["alice"] != want["alice"] || tokens["bob"] != want["bob"] || tokens["<none>"] != 0 {
		t.Errorf("tokens by user %v, want %v (and the cost row's <none>)", tokens, want)
	}
	if billed != 2.5 {
		t.Errorf("billed $%v, want $2.50", billed)
	}
	if len(got) != 4 {
		t.Errorf("%d records, want 3 usage + 1 cost", len(got))
	}
	if !strings.Contains(stderr, "admin API: 3 usage rows and 1 cost row for 2026-11-24 to 2026-11-26 (5 requests, 0 retried)") {
		t.Errorf("stderr: %s", stderr)
	}
}

func TestPullAdminAPIErrors(t *testing.T) {
	var hits atomic.Int32
	srv := adminStandIn(t, &hits)
	tests := []struct {
		name string
		args []string
		key  string
		code int
		want []string
	}{
		{"no key", []string{"--admin-api", "--admin-api-url", srv.URL}, "", 1,
			[]string{"usagescan: --admin-api: ANTHROPIC_ADMIN_API_KEY is not set", "export ANTHROPIC_ADMIN_API_KEY="}},
		{"rejected key", []string{"--admin-api", "--admin-api-url", srv.URL}, "sk-ant-admin01-WRONG-CLITESTSECRET", 1,
			[]string{"401 Unauthorized", "check ANTHROPIC_ADMIN_API_KEY", "set ANTHROPIC_ADMIN_API_KEY to an Admin API key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, stderr, code := runPull(t, tt.args, tt.key)
			if code != tt.code || len(got) != 0 {
				t.Errorf("exit %d with %d records, want %d and none", code, len(got), tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "CLITESTSECRET") {
				t.Errorf("stderr shows the key:\n%s", stderr)
			}
		})
	}
	before := hits.Load()
	if got, stderr, code := runPull(t, []string{"--admin-api-url", srv.URL}, adminTestKey); code != 0 || len(got) != 0 || hits.Load() != before {
		t.Errorf("without --admin-api: exit %d, %d records, %d requests: %s", code, len(got), hits.Load()-before, stderr)
	}
}
