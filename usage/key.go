package usage

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
)

// KeyHash is the fixed-size identity of a record: the in-memory set and the
// store both key records by it, so a record counts once whichever holds it.
type KeyHash [16]byte

// HashOf is r's KeyHash. A record with a Key (message.id:requestId for a log
// line, a row identity for a billing row) hashes that key. One without (a log
// line without message.id) hashes every field but the user, so identical
// copies of it count once, under whichever label read them first. Its encoding
// is part of the store's format: changing it would count stored records twice.
func HashOf(r *Request) KeyHash {
	var buf [256]byte
	b := buf[:0]
	if r.Key != "" {
		b = append(b, "k\x00"...)
		b = append(b, r.Key...)
		return KeyHash(first16(sha256.Sum256(b)))
	}
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(n int64) { b = binary.AppendVarint(b, n) }
	b = append(b, "usagescan keyless v2\x00"...)
	num(r.Time.UnixNano())
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
	return KeyHash(first16(sha256.Sum256(b)))
}

func first16(s [32]byte) (h [16]byte) {
	copy(h[:], s[:16])
	return h
}
