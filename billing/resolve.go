package billing

import (
	"strings"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// This file exports, for other readers of billing data (billing/adminapi), the
// rules the CSV Reader applies to a row, so both give the same record.

// ParseBand reads a context_window band as the exports and the Admin API write
// it: "≤ 200k", "0-200k" (and "" ) are usage.ContextStandard; "200k-1M", "> 200k"
// are usage.ContextLong. ok is false for a band it cannot read.
func ParseBand(s string) (c usage.Context, ok bool) { return parseBand(na(strings.TrimSpace(s))) }

// UserFromKey is the user an API key name stands for by default:
// "claude_code_key_<user>_<suffix>" gives <user>, any other name itself.
func UserFromKey(key string) string { return userFromKey(key) }

// ResolveModel is the record model of a raw model name: NoModel for "" or "--",
// the canonical id when the price table t (nil: pricing.Default()) knows the
// name, else the name as written.
func ResolveModel(t *pricing.Table, raw string) string {
	raw = na(strings.TrimSpace(raw))
	if raw == "" {
		return NoModel
	}
	if t == nil {
		t = pricing.Default()
	}
	if m, ok := lookup(t, raw); ok {
		return m.ID
	}
	return raw
}

// UserOf is the user of a row with API key name key and workspace name
// workspace under opt, by the rules of the Reader (see Options and the package
// documentation): opt.User overrides; with UserFromWorkspace the workspace is
// the user (when workspace is not ""), else the key's user (UserFromKey);
// an empty key (or workspace) is NoUser; opt.UserMap renames, looked up with the
// name as written, then with the derived user.
func UserOf(opt Options, key, workspace string) string {
	if opt.User != "" {
		return opt.User
	}
	raw, fromKey := na(strings.TrimSpace(key)), true
	if opt.UserFrom == UserFromWorkspace && workspace != "" {
		raw, fromKey = na(strings.TrimSpace(workspace)), false
	}
	if raw == "" {
		return NoUser
	}
	u := raw
	if fromKey {
		u = userFromKey(raw)
	}
	if m, ok := opt.UserMap[raw]; ok {
		return m
	}
	if m, ok := opt.UserMap[u]; ok {
		return m
	}
	return u
}
