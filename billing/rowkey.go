package billing

import (
	"strconv"
	"strings"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// RowID is what identifies one row of a Console export, or the Admin API
// result that holds the same figures: the same RowID from a CSV and from an
// Admin API pull is the same row, and the newer copy (the larger usage.Request
// Rev) replaces the older one.
//
// The fields are the values as the Console CSVs write them (the Admin API
// reader translates its ids and names to these): Time is the UTC date (midnight)
// or hour the row is for; Model the record's model (canonical id, see
// ResolveModel); APIKey the key's name ("" when none); Workspace the workspace's
// name ("Default" for the default one); Tier the usage_type / service tier;
// Context the context band; Geo the inference_geo; Speed "" or "fast";
// TokenType, for cost rows only, the Console token_type (input_no_cache,
// input_cache_read, input_cache_write_5m, input_cache_write_1h, output) or
// "web_search" for a cost_type web_search row. Source is the record's Source
// (SourceUsage or SourceCost), so a usage row and a cost row never share a key.
type RowID struct {
	Source    string
	Time      time.Time
	Hourly    bool // an hourly bucket (a daily one otherwise)
	Model     string
	APIKey    string
	Workspace string
	Tier      string
	Context   usage.Context
	Geo       string
	Speed     string
	TokenType string
}

// RowKey is the usage.Request Key of the billing row id: a readable string,
// one per distinct RowID, unambiguous whatever the names hold. Tier, Geo, Speed
// and TokenType are compared in lower case; Speed "standard" is "" (the CSVs
// leave it empty); "--" (the exports' "not applicable") is "".
//
// Example: bill:api-billing|2026-03-31|"claude-haiku-4-5-20251001"|"super"|"Default"|standard|std|not_available||
//
// NOTE for merging: this is the one place billing-row keys are built; a second
// helper may have written a similar function for CSV rows. Keep one of them,
// and make both the CSV reader and billing/adminapi call it.
func RowKey(id RowID) string {
	var b strings.Builder
	b.Grow(96 + len(id.Model) + len(id.APIKey) + len(id.Workspace))
	b.WriteString(RowKeyPrefix)
	b.WriteString(keyWord(id.Source))
	b.WriteByte('|')
	t := id.Time.UTC()
	if id.Hourly {
		b.WriteString(t.Format("2006-01-02T15:04"))
	} else {
		b.WriteString(t.Format(time.DateOnly))
	}
	for _, s := range [...]string{id.Model, na(id.APIKey), na(id.Workspace)} {
		b.WriteByte('|')
		b.WriteString(strconv.Quote(s))
	}
	b.WriteByte('|')
	b.WriteString(keyWord(id.Tier))
	b.WriteByte('|')
	switch id.Context {
	case usage.ContextStandard:
		b.WriteString("std")
	case usage.ContextLong:
		b.WriteString("long")
	default:
		b.WriteString("auto")
	}
	speed := keyWord(id.Speed)
	if speed == "standard" {
		speed = ""
	}
	for _, s := range [...]string{keyWord(id.Geo), speed, keyWord(id.TokenType)} {
		b.WriteByte('|')
		b.WriteString(s)
	}
	return b.String()
}

// keyWord is a short label in a key: trimmed, lower case, "--" as "", and
// quoted when it holds anything but letters, digits, "_", "-" and ".".
func keyWord(s string) string {
	s = strings.ToLower(na(strings.TrimSpace(s)))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return strconv.Quote(s)
		}
	}
	return s
}
