package adminapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/usagescan/usagescan/billing/adminapi"
)

func ExampleClient_FetchUsage() {
	// A local stand-in for https://api.anthropic.com.
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/organizations/api_keys", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"id":"key_1","name":"claude_code_key_alice_ab12"}],"has_more":false}`)
	})
	mux.HandleFunc("/v1/organizations/workspaces", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[],"has_more":false}`)
	})
	mux.HandleFunc("/v1/organizations/usage_report/messages", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"starting_at":"2026-03-30T00:00:00Z","ending_at":"2026-03-31T00:00:00Z","results":[
			{"uncached_input_tokens":120,"output_tokens":30,"cache_read_input_tokens":900,"api_key_id":"key_1",
			 "workspace_id":null,"model":"claude-sonnet-4-5-20250929","service_tier":"batch","context_window":"0-200k"}]}],
			"has_more":false,"next_page":null}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c := &adminapi.Client{BaseURL: srv.URL, Key: "sk-ant-admin01-example"}
	from := time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)
	recs, _, err := c.FetchUsage(context.Background(), from, from.Add(24*time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range recs {
		fmt.Println(r.Time.Format(time.DateOnly), r.User, r.Source, r.Model, r.Tier, r.Input, r.CacheRead, r.Output)
		fmt.Println(r.Key)
	}
	// Output:
	// 2026-03-30 alice api-billing claude-sonnet-4-5-20250929 batch 120 900 30
	// bill:api-billing|2026-03-30|"claude-sonnet-4-5-20250929"|"claude_code_key_alice_ab12"|"Default"|batch|std|||
}
