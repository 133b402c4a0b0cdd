package adminapi

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/usage"
)

// Paths of the Admin API endpoints read.
const (
	usagePath      = "/v1/organizations/usage_report/messages"
	costPath       = "/v1/organizations/cost_report"
	keysPath       = "/v1/organizations/api_keys"
	workspacesPath = "/v1/organizations/workspaces"
)

// DefaultWorkspace is the workspace name of results with a null workspace_id,
// as the Console CSVs name the default workspace.
const DefaultWorkspace = "Default"

// maxPages guards against a server that never stops paging.
const maxPages = 100000

// usageGroups are the usage report's group_by: one result per CSV row.
var usageGroups = []string{"model", "api_key_id", "workspace_id", "service_tier", "context_window", "inference_geo", "speed"}

// costGroups are the cost report's group_by (it cannot group by API key).
var costGroups = []string{"workspace_id", "description"}

type usageResult struct {
	Uncached      int64 `json:"uncached_input_tokens"`
	CacheCreation struct {
		W5m int64 `json:"ephemeral_5m_input_tokens"`
		W1h int64 `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
	CacheRead     int64 `json:"cache_read_input_tokens"`
	Output        int64 `json:"output_tokens"`
	ServerToolUse struct {
		WebSearch int64 `json:"web_search_requests"`
	} `json:"server_tool_use"`
	APIKeyID      *string `json:"api_key_id"`
	WorkspaceID   *string `json:"workspace_id"`
	Model         *string `json:"model"`
	ServiceTier   *string `json:"service_tier"`
	ContextWindow *string `json:"context_window"`
	InferenceGeo  *string `json:"inference_geo"`
	Speed         *string `json:"speed"`
}

type costResult struct {
	Amount        amount  `json:"amount"`
	Currency      *string `json:"currency"`
	Description   *string `json:"description"`
	CostType      *string `json:"cost_type"`
	Model         *string `json:"model"`
	TokenType     *string `json:"token_type"`
	ServiceTier   *string `json:"service_tier"`
	ContextWindow *string `json:"context_window"`
	WorkspaceID   *string `json:"workspace_id"`
	InferenceGeo  *string `json:"inference_geo"`
	Speed         *string `json:"speed"`
}

// amount is a decimal amount in cents, written as a string (or a number).
type amount struct{ cents float64 }

func (a *amount) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
	}
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Errorf("amount %s is not a number", clip(string(b)))
	}
	a.cents = v
	return nil
}

type bucket[R any] struct {
	StartingAt string `json:"starting_at"`
	EndingAt   string `json:"ending_at"`
	Results    []R    `json:"results"`
}

type reportPage[R any] struct {
	Data     []bucket[R] `json:"data"`
	HasMore  bool        `json:"has_more"`
	NextPage *string     `json:"next_page"`
}

// report reads every page of a report from..to, calling each for every bucket.
func report[R any](ctx context.Context, c *Client, st *Stats, path string, groups []string, from, to time.Time, each func(start time.Time, rs []R) error) error {
	if !from.Before(to) {
		return fmt.Errorf("admin API: empty range %s to %s", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	q := url.Values{}
	q.Set("starting_at", from.UTC().Format(time.RFC3339))
	q.Set("ending_at", to.UTC().Format(time.RFC3339))
	q.Set("bucket_width", "1d")
	q.Set("limit", "31")
	for _, g := range groups {
		q.Add("group_by[]", g)
	}
	seen := map[string]bool{}
	for {
		var p reportPage[R]
		if err := c.get(ctx, st, path, q, &p); err != nil {
			return err
		}
		st.Pages++
		for _, b := range p.Data {
			start, err := time.Parse(time.RFC3339Nano, b.StartingAt)
			if err != nil {
				return fmt.Errorf("admin API: GET %s: bucket starting_at %q is not an RFC 3339 time", path, clip(b.StartingAt))
			}
			st.Buckets++
			st.Results += len(b.Results)
			if err := each(start.UTC(), b.Results); err != nil {
				return fmt.Errorf("admin API: GET %s: bucket %s: %w", path, b.StartingAt, err)
			}
		}
		if !p.HasMore {
			return nil
		}
		next := ""
		if p.NextPage != nil {
			next = *p.NextPage
		}
		switch {
		case next == "":
			return fmt.Errorf("admin API: GET %s: has_more is true but next_page is empty", path)
		case seen[next] || st.Pages >= maxPages:
			return fmt.Errorf("admin API: GET %s: paging does not end (next_page %q again)", path, clip(next))
		}
		seen[next] = true
		q.Set("page", next)
	}
}

// listPage is a page of a list endpoint (API keys, workspaces).
type listPage struct {
	Data []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"data"`
	HasMore bool    `json:"has_more"`
	LastID  *string `json:"last_id"`
}

// list reads every page of a list endpoint into id -> name.
func (c *Client) list(ctx context.Context, st *Stats, path string, extra url.Values) (map[string]string, error) {
	out := map[string]string{}
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	q.Set("limit", "100")
	for pages := 0; ; pages++ {
		var p listPage
		if err := c.get(ctx, st, path, q, &p); err != nil {
			return nil, err
		}
		for _, d := range p.Data {
			out[d.ID] = d.Name
		}
		if !p.HasMore {
			return out, nil
		}
		if p.LastID == nil || *p.LastID == "" || *p.LastID == q.Get("after_id") || pages >= maxPages {
			return nil, fmt.Errorf("admin API: GET %s: has_more is true but last_id does not move on", path)
		}
		q.Set("after_id", *p.LastID)
	}
}

// names loads the API key and workspace names, once per Client.
func (c *Client) names(ctx context.Context, st *Stats) error {
	if c.keys == nil {
		// Every status: usage of keys since archived is in the report too.
		k, err := c.list(ctx, st, keysPath, nil)
		if err != nil {
			return err
		}
		c.keys = k
	}
	if c.workspaces == nil {
		w, err := c.list(ctx, st, workspacesPath, url.Values{"include_archived": {"true"}})
		if err != nil {
			return err
		}
		c.workspaces = w
	}
	return nil
}

// keyName is the name of API key id (the id itself when unknown; "" for none).
func (c *Client) keyName(st *Stats, id *string) string {
	if id == nil || *id == "" {
		return ""
	}
	if n, ok := c.keys[*id]; ok && n != "" {
		return n
	}
	if !contains(st.UnknownKeys, *id) {
		st.UnknownKeys = append(st.UnknownKeys, *id)
	}
	return *id
}

// workspaceName is the name of workspace id: DefaultWorkspace for none, the
// id itself when unknown.
func (c *Client) workspaceName(id *string) string {
	if id == nil || *id == "" {
		return DefaultWorkspace
	}
	if n, ok := c.workspaces[*id]; ok && n != "" {
		return n
	}
	return *id
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// speed is the CSV form of a speed: "" for standard.
func speed(p *string) string {
	s := strings.ToLower(str(p))
	if s == "standard" {
		return ""
	}
	return s
}

// band reads a context_window (null: the standard band, as for CSV rows).
func band(p *string) (usage.Context, error) {
	c, ok := billing.ParseBand(str(p))
	if !ok {
		return 0, fmt.Errorf("unknown context_window %q (want like \"0-200k\" or \"200k-1M\")", clip(str(p)))
	}
	return c, nil
}

// collector sums records with the same key, in first-seen order.
type collector struct {
	recs []usage.Request
	at   map[string]int
}

func (col *collector) add(r usage.Request) {
	if col.at == nil {
		col.at = map[string]int{}
	}
	if i, ok := col.at[r.Key]; ok {
		o := &col.recs[i]
		o.Tokens.Add(r.Tokens)
		o.WebSearch += r.WebSearch
		if r.Billed != nil {
			if o.Billed == nil {
				o.Billed = &usage.Money{}
			}
			o.Billed.Input += r.Billed.Input
			o.Billed.Output += r.Billed.Output
			o.Billed.CacheWrite += r.Billed.CacheWrite
			o.Billed.CacheRead += r.Billed.CacheRead
			o.Billed.WebSearch += r.Billed.WebSearch
		}
		return
	}
	col.at[r.Key] = len(col.recs)
	col.recs = append(col.recs, r)
}

// FetchUsage pulls the Messages usage report for the daily buckets starting
// in [from, to): one record per bucket, model, API key, workspace, service
// tier, context window, inference geo and speed, as a Console usage export
// row (Source billing.SourceUsage, Count 0, Key billing.RowKey, Rev the pull
// time).
func (c *Client) FetchUsage(ctx context.Context, from, to time.Time) ([]usage.Request, Stats, error) {
	var st Stats
	if err := c.names(ctx, &st); err != nil {
		return nil, st, err
	}
	rev := billing.Rev(minTime(to, c.now()), c.now())
	var col collector
	err := report(ctx, c, &st, usagePath, usageGroups, from, to, func(start time.Time, rs []usageResult) error {
		for i := range rs {
			res := &rs[i]
			ctxBand, err := band(res.ContextWindow)
			if err != nil {
				return err
			}
			if res.ServerToolUse.WebSearch > math.MaxInt32 {
				return fmt.Errorf("web_search_requests %d too large", res.ServerToolUse.WebSearch)
			}
			for _, n := range [...]int64{res.Uncached, res.CacheCreation.W5m, res.CacheCreation.W1h, res.CacheRead, res.Output, res.ServerToolUse.WebSearch} {
				if n < 0 {
					return fmt.Errorf("negative token count %d", n)
				}
			}
			key, ws := c.keyName(&st, res.APIKeyID), c.workspaceName(res.WorkspaceID)
			r := usage.Request{
				Time:   start,
				User:   billing.UserOf(c.Options, key, ws),
				Source: billing.SourceUsage,
				Model:  billing.ResolveModel(c.Options.Prices, str(res.Model)),
				Tokens: usage.Tokens{Input: res.Uncached, Output: res.Output, CacheWrite5m: res.CacheCreation.W5m,
					CacheWrite1h: res.CacheCreation.W1h, CacheRead: res.CacheRead},
				WebSearch: int32(res.ServerToolUse.WebSearch),
				Speed:     speed(res.Speed),
				Geo:       str(res.InferenceGeo),
				Tier:      str(res.ServiceTier),
				Context:   ctxBand,
				Rev:       rev,
			}
			r.Key = billing.RowKey(billing.RowID{Source: r.Source, Time: start, Model: r.Model, APIKey: key, Workspace: ws,
				Tier: r.Tier, Context: r.Context, Geo: r.Geo, Speed: r.Speed})
			col.add(r)
		}
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	st.Records = len(col.recs)
	return col.recs, st, nil
}

// costTokenTypes maps the cost report's token_type to the Console's.
var costTokenTypes = map[string]string{
	"uncached_input_tokens":                    "input_no_cache",
	"output_tokens":                            "output",
	"cache_read_input_tokens":                  "input_cache_read",
	"cache_creation.ephemeral_5m_input_tokens": "input_cache_write_5m",
	"cache_creation.ephemeral_1h_input_tokens": "input_cache_write_1h",
}

// FetchCost pulls the cost report for the daily buckets starting in [from, to),
// grouped by workspace and description: one record per bucket, workspace,
// model, token type, service tier and context window, as a Console cost export
// row (Source billing.SourceCost, Billed in USD, no tokens). The cost report
// names no API key: the records have the user of an empty key (billing.NoUser),
// or with Options.UserFrom workspace the workspace.
func (c *Client) FetchCost(ctx context.Context, from, to time.Time) ([]usage.Request, Stats, error) {
	var st Stats
	if err := c.names(ctx, &st); err != nil {
		return nil, st, err
	}
	rev := billing.Rev(minTime(to, c.now()), c.now())
	var col collector
	err := report(ctx, c, &st, costPath, costGroups, from, to, func(start time.Time, rs []costResult) error {
		for i := range rs {
			res := &rs[i]
			if cur := str(res.Currency); cur != "" && !strings.EqualFold(cur, "USD") {
				return fmt.Errorf("currency %q: only USD amounts are read", clip(cur))
			}
			usd := res.Amount.cents / 100
			ws := c.workspaceName(res.WorkspaceID)
			r := usage.Request{
				Time:   start,
				User:   billing.UserOf(c.Options, "", ws),
				Source: billing.SourceCost,
				Billed: &usage.Money{},
				Speed:  speed(res.Speed),
				Geo:    str(res.InferenceGeo),
				Tier:   str(res.ServiceTier),
				Rev:    rev,
			}
			var err error
			if r.Context, err = band(res.ContextWindow); err != nil {
				return err
			}
			model, tokenType := str(res.Model), ""
			switch ct := strings.ToLower(str(res.CostType)); ct {
			case "tokens", "token", "":
				tt := strings.ToLower(str(res.TokenType))
				tokenType = costTokenTypes[tt]
				switch tokenType {
				case "input_no_cache":
					r.Billed.Input = usd
				case "output":
					r.Billed.Output = usd
				case "input_cache_read":
					r.Billed.CacheRead = usd
				case "input_cache_write_5m", "input_cache_write_1h":
					r.Billed.CacheWrite = usd
				default:
					if tt == "" && ct == "" { // not grouped by description: one amount a bucket
						r.Billed.Input = usd
						break
					}
					return fmt.Errorf("unknown token_type %q", clip(tt))
				}
			case "web_search":
				r.Billed.WebSearch, tokenType = usd, "web_search"
				if model == "" {
					model = billing.WebSearchModel
				}
			default: // code_execution, session_usage, ...: money all the same
				r.Billed.Input, tokenType = usd, ct
				if model == "" {
					model = "<" + ct + ">"
				}
				st.OtherCosts++
			}
			r.Model = billing.ResolveModel(c.Options.Prices, model)
			r.Key = billing.RowKey(billing.RowID{Source: r.Source, Time: start, Model: r.Model, Workspace: ws,
				Tier: r.Tier, Context: r.Context, Geo: r.Geo, Speed: r.Speed, TokenType: tokenType})
			col.add(r)
		}
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	st.Records = len(col.recs)
	return col.recs, st, nil
}

// clip cuts a server-given value for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
