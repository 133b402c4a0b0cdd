// Package adminapi pulls what the Anthropic Console's billing CSV exports hold
// from the Admin API instead, so a cron job needs no manual download: the
// Messages usage report (tokens, like claude_api_tokens_*.csv) and the cost
// report (billed money, like claude_api_cost_*.csv).
//
// A Client makes the records the billing CSV Reader makes for the equivalent
// rows: Source "api-billing" with tokens and Count 0 for usage, "api-cost" with
// Billed money for cost; models resolved like billing does; the context band,
// service tier, inference geo and speed; users from the API key's name by the
// rules of billing.Options (claude_code_key_<user>_xxxx, UserFrom, UserMap).
// Each record's Key is billing.RowKey of the row, the same key a CSV row of the
// same day gets, and its Rev the pull time in unix seconds: a newer pull (or
// export) of the same day replaces an older one, and the same day from a CSV
// and from the API is counted once.
//
// The key (ANTHROPIC_ADMIN_API_KEY) is sent in the x-api-key header only; it
// never appears in an error. 429 and 5xx responses (and transport errors) are
// retried with exponential backoff, honouring retry-after; 401 and 403 are an
// *Error that says to check ANTHROPIC_ADMIN_API_KEY. Pages are followed through
// has_more/next_page (reports) and has_more/last_id (lists).
package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/usagescan/usagescan/billing"
)

// EnvKey is the environment variable that holds the Admin API key.
const EnvKey = "ANTHROPIC_ADMIN_API_KEY"

// DefaultBaseURL is the Admin API's base URL.
const DefaultBaseURL = "https://api.anthropic.com"

// APIVersion is the anthropic-version header sent.
const APIVersion = "2023-06-01"

// SpeedBeta is the anthropic-beta header that grouping the usage report by
// speed needs (fast mode is priced apart, and the Console CSV has a speed column).
const SpeedBeta = "fast-mode-2026-02-01"

// DefaultRetries is how many times a request is retried when Client.Retries is 0.
const DefaultRetries = 5

// maxBody caps a response body.
const maxBody = 64 << 20

// Client pulls usage and cost from the Admin API. The zero value, with Key set,
// works: BaseURL defaults to DefaultBaseURL, HTTP to a client with a one-minute
// timeout, Sleep to a real sleep, Now to time.Now.
type Client struct {
	BaseURL string
	Key     string // the Admin API key (sk-ant-admin...): never printed, never in errors
	HTTP    *http.Client
	// Sleep waits between retries; tests make it record and return at once.
	Sleep func(time.Duration)
	// Now is the clock: the pull time, which is every record's Rev.
	Now func() time.Time
	// Options attributes records to users (User, UserFrom, UserMap) and
	// resolves models (Prices), as for CSV rows. Mapping and SkipBadRows are
	// not used.
	Options billing.Options
	// Retries is how many times a 429, a 5xx or a transport error is retried
	// (0: DefaultRetries; negative: none).
	Retries int

	keys       map[string]string // api key id -> name
	workspaces map[string]string // workspace id -> name
}

// Stats counts what a pull did.
type Stats struct {
	Requests int // HTTP requests sent, retries included
	Retries  int // of which retries
	Pages    int // report pages read
	Buckets  int // time buckets read
	Results  int // result items read
	Records  int // records made (results with the same key are summed into one)
	// UnknownKeys are API key ids the key list does not hold (deleted keys):
	// their id stands for the name.
	UnknownKeys []string
	// OtherCosts counts cost items of cost types other than tokens and
	// web_search (code_execution, ...): their amount is in Billed.Input, under
	// the model "<cost_type>".
	OtherCosts int
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Requests += o.Requests
	s.Retries += o.Retries
	s.Pages += o.Pages
	s.Buckets += o.Buckets
	s.Results += o.Results
	s.Records += o.Records
	s.OtherCosts += o.OtherCosts
	for _, k := range o.UnknownKeys {
		if !contains(s.UnknownKeys, k) {
			s.UnknownKeys = append(s.UnknownKeys, k)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ErrAuth is matched (errors.Is) by the *Error of a 401 or 403 response.
var ErrAuth = errors.New("admin API key rejected")

// Error is an error response of the Admin API.
type Error struct {
	Status  int    // HTTP status
	Path    string // the request path, e.g. /v1/organizations/cost_report
	Type    string // the API's error type, e.g. authentication_error ("" if none)
	Message string // the API's message (any copy of the key removed)
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("admin API: GET %s: %d %s", e.Path, e.Status, http.StatusText(e.Status))
	if e.Type != "" {
		msg += ": " + e.Type
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	switch e.Status {
	case http.StatusUnauthorized:
		msg += "; check " + EnvKey + ": it must hold a valid Admin API key (sk-ant-admin..., made by an organization admin in the Console)"
	case http.StatusForbidden:
		msg += "; check " + EnvKey + ": the key lacks access to this report (it must be an Admin API key of the organization)"
	}
	return msg
}

// Is makes errors.Is(err, ErrAuth) true for 401 and 403.
func (e *Error) Is(target error) bool {
	return target == ErrAuth && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden)
}

func (c *Client) baseURL() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Client) retries() int {
	switch {
	case c.Retries < 0:
		return 0
	case c.Retries == 0:
		return DefaultRetries
	}
	return c.Retries
}

// redact removes the key from s, wherever a server or transport echoed it.
func (c *Client) redact(s string) string {
	if len(c.Key) >= 4 {
		s = strings.ReplaceAll(s, c.Key, "<redacted>")
	}
	return s
}

// backoff is the wait before retry n (1-based): 1s, 2s, 4s, ... at most 30s.
func backoff(n int) time.Duration {
	d := time.Second << (n - 1)
	if n > 6 || d > 30*time.Second {
		d = 30 * time.Second
	}
	return d
}

// maxRetryAfter caps a server's retry-after.
const maxRetryAfter = 5 * time.Minute

// retryAfter reads a retry-after header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(h, 64); err == nil && s >= 0 {
		return min(time.Duration(s*float64(time.Second)), maxRetryAfter), true
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		c.Sleep(d)
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// get sends GET path?query and decodes a 200 response into out, retrying 429,
// 5xx and transport errors.
func (c *Client) get(ctx context.Context, st *Stats, path string, query url.Values, out any) error {
	if c.Key == "" {
		return fmt.Errorf("admin API: %s is not set; put an Admin API key (sk-ant-admin...) in it", EnvKey)
	}
	u := c.baseURL() + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return fmt.Errorf("admin API: bad URL %q: %v (check --admin-api-url)", c.redact(u), err)
		}
		req.Header.Set("x-api-key", c.Key)
		req.Header.Set("anthropic-version", APIVersion)
		if path == usagePath {
			req.Header.Set("anthropic-beta", SpeedBeta)
		}
		req.Header.Set("accept", "application/json")
		req.Header.Set("user-agent", "usagescan")
		st.Requests++
		resp, err := hc.Do(req)
		var wait time.Duration
		var failure error
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("admin API: GET %s: %w", path, ctx.Err())
			}
			failure = fmt.Errorf("admin API: GET %s: %s", path, c.redact(err.Error()))
			wait = backoff(attempt + 1)
		} else {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusOK && rerr == nil && len(body) > maxBody:
				return fmt.Errorf("admin API: GET %s: response larger than %d MB", path, maxBody>>20)
			case resp.StatusCode == http.StatusOK && rerr == nil:
				if err := json.Unmarshal(body, out); err != nil {
					return fmt.Errorf("admin API: GET %s: unexpected response: %s", path, c.redact(err.Error()))
				}
				return nil
			case resp.StatusCode == http.StatusOK:
				failure = fmt.Errorf("admin API: GET %s: reading the response: %s", path, c.redact(rerr.Error()))
				wait = backoff(attempt + 1)
			default:
				ae := c.apiError(resp.StatusCode, path, body)
				if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
					return ae
				}
				failure = ae
				wait = backoff(attempt + 1)
				if d, ok := retryAfter(resp.Header.Get("retry-after"), c.now()); ok {
					wait = d
				}
			}
		}
		if attempt >= c.retries() {
			if attempt > 0 {
				return fmt.Errorf("%w (gave up after %d tries)", failure, attempt+1)
			}
			return failure
		}
		st.Retries++
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("admin API: GET %s: %w", path, err)
		}
	}
}

// apiError reads an error response: {"type":"error","error":{"type","message"}}.
func (c *Client) apiError(status int, path string, body []byte) *Error {
	e := &Error{Status: status, Path: path}
	var doc struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) == nil {
		e.Type, e.Message = c.redact(doc.Error.Type), c.redact(doc.Error.Message)
	}
	if len(e.Message) > 300 {
		e.Message = e.Message[:300] + "..."
	}
	return e
}
