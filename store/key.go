package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"

	"github.com/usagescan/usagescan/usage"
)

// KeylessPrefix starts the stored key of a record that has no key of its own.
const KeylessPrefix = "~"

// KeyRecords gives every record of one file that has no key its store key:
// Key(r) for the first record with those fields, then Key(r) + ".2", ".3", ...
// for identical ones. So identical rows of one billing export (the cost export
// repeats some) all count, while the same export read again, or an overlapping
// one, adds nothing. Call it on each file's records before Ingest (as
// IngestOptions.Records) and before merging fresh records with stored ones.
func KeyRecords(recs []usage.Request) {
	var seen map[string]int
	for i := range recs {
		r := &recs[i]
		if r.Key != "" {
			continue
		}
		if seen == nil {
			seen = make(map[string]int)
		}
		k := Key(r)
		seen[k]++
		if n := seen[k]; n > 1 {
			k += "." + strconv.Itoa(n)
		}
		r.Key = k
	}
}

// Key is the key a record is stored under: its own Key, or for a record without
// one (a log line without message.id, a billing-export row) "~" and 32 hex digits
// of a SHA-256 of every other field. So re-reading the same lines or the same
// export never adds a row twice, and two records differing in any field are two
// rows. Identical copies of a keyless log record are one row (a scan counts each:
// resumed sessions copy earlier lines, and those copies are one API response);
// for billing exports, see KeyRecords.
//
// When merging stored requests with freshly scanned ones in one aggregate.Set,
// give the fresh records their key with Key first, so that a keyless record is
// not counted once from the store and once from the logs. Its encoding is part of
// the store's format: changing it would count stored keyless rows twice.
func Key(r *usage.Request) string {
	if r.Key != "" {
		return r.Key
	}
	h := sha256.New()
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(n int64) { b = binary.AppendVarint(b, n) }
	b = append(b, "usagescan keyless v1\x00"...)
	str(formatTime(r.Time))
	str(r.User)
	str(r.Source)
	str(r.Model)
	num(r.Input)
	num(r.Output)
	num(r.CacheWrite5m)
	num(r.CacheWrite1h)
	num(r.CacheRead)
	num(int64(r.WebSearch))
	num(int64(r.WebFetch))
	if r.Sidechain {
		num(1)
	} else {
		num(0)
	}
	str(r.SessionID)
	str(r.Cwd)
	str(r.Entrypoint)
	str(r.Speed)
	str(r.Geo)
	str(r.Tier)
	num(int64(r.Count))
	num(int64(r.Context))
	if m := r.Billed; m != nil {
		num(1)
		for _, f := range [...]float64{m.Input, m.Output, m.CacheWrite, m.CacheRead, m.WebSearch} {
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(f))
		}
	} else {
		num(0)
	}
	h.Write(b)
	return KeylessPrefix + hex.EncodeToString(h.Sum(nil)[:16])
}

// betterSQL is aggregate's rule for which copy of a request to keep (largest
// total tokens, then the non-sidechain copy, then the other tie-breaks of
// aggregate.better, unexported there) written for the upsert: whether the incoming
// copy (excluded) replaces the stored one (requests). Times are fixed-width UTC
// text, so they compare as strings; TEXT compares bytewise like Go strings.
// TestBetterMatchesAggregate holds the two rules together.
const betterSQL = `CASE
	WHEN excluded.input + excluded.output + excluded.cache_write_5m + excluded.cache_write_1h + excluded.cache_read
	  <> requests.input + requests.output + requests.cache_write_5m + requests.cache_write_1h + requests.cache_read
	THEN excluded.input + excluded.output + excluded.cache_write_5m + excluded.cache_write_1h + excluded.cache_read
	   > requests.input + requests.output + requests.cache_write_5m + requests.cache_write_1h + requests.cache_read
	WHEN excluded.sidechain <> requests.sidechain THEN excluded.sidechain = 0
	WHEN excluded.web_search + excluded.web_fetch <> requests.web_search + requests.web_fetch
	THEN excluded.web_search + excluded.web_fetch > requests.web_search + requests.web_fetch
	WHEN excluded.time <> requests.time THEN excluded.time < requests.time
	WHEN excluded.output <> requests.output THEN excluded.output > requests.output
	WHEN excluded.user <> requests.user THEN excluded.user < requests.user
	WHEN excluded.session <> requests.session THEN excluded.session < requests.session
	ELSE excluded.cwd < requests.cwd
END`
