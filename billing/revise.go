package billing

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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
// The Key is RowKeyPrefix, "v1:" and the first 32 hex digits of a SHA-256 of
// the identity's fields, each length-prefixed: fixed length, free of
// separators that a cell could contain.

// merge adds the record just read from row to the file's pending records:
// a new one for a new identity, else summed into the earlier one.
func (rd *Reader) merge(row []string) {
	id := rd.identity(row)
	if end := rd.rec.Time.Add(rd.lastPeriod); end.After(rd.lastEnd) {
		rd.lastEnd = end
	}
	if i, ok := rd.pendIdx[string(id)]; ok {
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
	r.Key = string(id) // hashed in finish
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

// finish gives every pending record its Key and the file's Rev.
func (rd *Reader) finish() {
	rev := Rev(rd.lastEnd, rd.opt.ModTime)
	for i := range rd.pend {
		r := &rd.pend[i]
		sum := sha256.Sum256([]byte(r.Key))
		r.Key = RowKeyPrefix + "v1:" + hex.EncodeToString(sum[:16])
		r.Rev = rev
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

// identity is the identity of the record just read from row, as the bytes
// that are hashed into its key.
func (rd *Reader) identity(row []string) []byte {
	b := rd.idBuf[:0]
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, "usagescan bill row v1\x00"...)
	b = append(b, byte(rd.lay.Format))
	str(rd.opt.User)
	if rd.lastPeriod == time.Hour {
		str("h" + rd.rec.Time.Format("2006-01-02T15:04"))
	} else {
		str("d" + rd.rec.Time.Format(time.DateOnly))
	}
	for _, f := range [...]field{fModel, fKey, fWorkspace, fTier, fGeo, fSpeed} {
		str(na(rd.cell(row, f)))
	}
	b = append(b, byte(rd.rec.Context))
	if rd.lay.Format == FormatCost {
		str(strings.ToLower(na(rd.cell(row, fTokenType))))
		ct := "token"
		if rd.lay.idx[fCostType] >= 0 {
			ct = strings.ToLower(na(rd.cell(row, fCostType)))
		}
		if ct == "tokens" || ct == "" {
			ct = "token"
		}
		str(ct)
	}
	rd.idBuf = b
	return b
}
