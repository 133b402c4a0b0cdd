package billing

import (
	"math"
	"strings"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// RowKeyPrefix starts the Key of every Console usage- and cost-export record.
const RowKeyPrefix = "bill:"

// Rows of a Console export that share their identity are one row of the bill:
// within a file they are summed (the cost export repeats some), and across
// files the copy of the newest export replaces the others.
//
// The identity is the file's format, the --csv NAME label, the date or hour
// (with which of the two), and as written (trimmed, "--" read as empty) the
// model, API key, workspace, usage_type, inference_geo and speed, the context
// band as read (a file without the column is the standard band), and for cost
// exports the token_type and cost_type (lower-cased; a file without cost_type
// has "token").
//
// The Key is RowKey of the row's RowID, the same key the Admin API's rows get
// (billing/adminapi), so the same day read from a CSV and pulled from the API
// is one row, the newer copy winning.

// merge adds the record just read from row to the file's pending records:
// a new one for a new identity, else summed into the earlier one.
func (rd *Reader) merge(row []string) {
	id := rd.identity(row)
	if end := rd.rec.Time.Add(rd.lastPeriod); end.After(rd.lastEnd) {
		rd.lastEnd = end
	}
	if i, ok := rd.pendIdx[id]; ok {
		sumInto(&rd.pend[i], &rd.rec)
		rd.stats.Merged++
		return
	}
	if rd.pendIdx == nil {
		rd.pendIdx = make(map[string]int)
	}
	r := rd.rec
	if r.Billed != nil {
		b := *r.Billed
		r.Billed = &b
	}
	r.Key = id
	rd.pendIdx[r.Key] = len(rd.pend)
	rd.pend = append(rd.pend, r)
}

// sumInto adds the counts and amounts of o to r.
func sumInto(r, o *usage.Request) {
	r.Tokens.Add(o.Tokens)
	r.WebSearch = usage.AddCount32(r.WebSearch, o.WebSearch)
	r.WebFetch = usage.AddCount32(r.WebFetch, o.WebFetch)
	if o.Billed != nil {
		b := r.Billed
		b.Input += o.Billed.Input
		b.Output += o.Billed.Output
		b.CacheWrite += o.Billed.CacheWrite
		b.CacheRead += o.Billed.CacheRead
		b.WebSearch += o.Billed.WebSearch
	}
}

// finish gives every pending record the file's Rev.
func (rd *Reader) finish() {
	rev := Rev(rd.lastEnd, rd.opt.ModTime)
	for i := range rd.pend {
		rd.pend[i].Rev = rev
	}
	rd.pendIdx = nil
}

// Rev is the revision of an export whose rows cover time up to lastEnd (the
// end of its last day or hour), read from a file last modified at mtime: the
// hours from 1970 to lastEnd in the high bits, mtime's Unix seconds (clamped
// to 0..2^32-1) in the low 32. So an export covering a later day is newer
// whatever its file time, and of two exports ending on the same hour the one
// modified later is newer. usage.Better keeps the record with the larger Rev.
func Rev(lastEnd, mtime time.Time) int64 {
	var hours, secs int64
	if !lastEnd.IsZero() {
		hours = max(0, min(lastEnd.Unix()/3600, math.MaxInt64>>32))
	}
	if !mtime.IsZero() {
		secs = max(0, min(mtime.Unix(), math.MaxUint32))
	}
	return hours<<32 | secs
}

// identity is the identity of the record just read from row: its RowKey.
func (rd *Reader) identity(row []string) string {
	id := RowID{
		Source: rd.rec.Source, Time: rd.rec.Time, Hourly: rd.lastPeriod == time.Hour,
		Model: rd.rec.Model, APIKey: rd.cell(row, fKey), Workspace: rd.cell(row, fWorkspace),
		Tier: rd.cell(row, fTier), Context: rd.rec.Context, Geo: rd.cell(row, fGeo), Speed: rd.cell(row, fSpeed),
	}
	if rd.lay.Format == FormatCost {
		id.TokenType = strings.ToLower(na(rd.cell(row, fTokenType)))
		if rd.lay.idx[fCostType] >= 0 {
			if ct := strings.ToLower(na(rd.cell(row, fCostType))); ct != "" && ct != "token" && ct != "tokens" {
				id.TokenType = ct // web_search, code_execution, ...
			}
		}
	}
	return RowKey(id)
}
