package store

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/usage"
)

// migrateV3 copies a version 2 store's rows into the version 3 tables: each
// request under its new key (usage.HashOf, so that a keyless record read again
// from the logs is the same record), the rollup summed from them, times as
// unix nanoseconds, files as this host's. Then the old tables are dropped.
func (s *Store) migrateV3(tx *txn) error {
	rows, err := tx.Query(`SELECT key, time, user, source, model, input, output, cache_write_5m, cache_write_1h, cache_read,
	web_search, web_fetch, sidechain, session, cwd, entrypoint, speed, geo, tier, count, context,
	billed_input, billed_output, billed_cache_write, billed_cache_read, billed_web_search,
	first_seen, last_seen, replaced FROM requests_v2`)
	if err != nil {
		return err
	}
	type row struct {
		r                   usage.Request
		first, last, replcd int64
	}
	var all []row
	for rows.Next() {
		var (
			x                  row
			key, ts, fs, ls    string
			ws, wf, side       int64
			count, ctx         int64
			bi, bo, bw, br, bs sql.NullFloat64
		)
		if err := rows.Scan(&key, &ts, &x.r.User, &x.r.Source, &x.r.Model, &x.r.Input, &x.r.Output, &x.r.CacheWrite5m,
			&x.r.CacheWrite1h, &x.r.CacheRead, &ws, &wf, &side, &x.r.SessionID, &x.r.Cwd, &x.r.Entrypoint, &x.r.Speed,
			&x.r.Geo, &x.r.Tier, &count, &ctx, &bi, &bo, &bw, &br, &bs, &fs, &ls, &x.replcd); err != nil {
			rows.Close()
			return err
		}
		t, err := time.Parse("2006-01-02T15:04:05.000000000Z", ts)
		if err != nil {
			rows.Close()
			return fmt.Errorf("request %s: bad time %q", key, ts)
		}
		x.r.Time = t
		switch {
		case len(key) > 0 && key[0] != '~': // "~" + hash: a record without a key of its own
			x.r.Key = key
		case x.r.Source != "claude-code":
			// A billing row of version 2, keyed per file ("~hash", "~hash.2"
			// for a repeated row): its old key keeps repeated rows apart.
			x.r.Key = "v2:" + key
		}
		x.r.WebSearch, x.r.WebFetch, x.r.Sidechain = int32(ws), int32(wf), side != 0
		x.r.Count, x.r.Context = int32(count), usage.Context(ctx)
		if bi.Valid || bo.Valid || bw.Valid || br.Valid || bs.Valid {
			x.r.Billed = &usage.Money{Input: bi.Float64, Output: bo.Float64, CacheWrite: bw.Float64, CacheRead: br.Float64, WebSearch: bs.Float64}
		}
		x.first, x.last = unixOf(fs), unixOf(ls)
		all = append(all, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Keyless copies that differed only in their user become one record.
	kept := make(map[usage.KeyHash]int)
	var order []usage.KeyHash
	for i := range all {
		h := usage.HashOf(&all[i].r)
		if j, ok := kept[h]; ok {
			if usage.Better(&all[i].r, &all[j].r) {
				kept[h] = i
			}
			continue
		}
		kept[h] = i
		order = append(order, h)
	}
	deltas := make(aggregate.Groups)
	ins, err := tx.Prepare(`INSERT INTO requests (` + requestColumns + `, first_seen, last_seen, replaced) VALUES (?` +
		repeatArgs(requestFields+3) + `)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, h := range order {
		x := &all[kept[h]]
		args := requestArgs(nil, h, &x.r, s.long(&x.r))
		args = append(args, x.first, x.last, x.replcd)
		if _, err := ins.Exec(args...); err != nil {
			return err
		}
		deltas.Add(aggregate.KeyOf(&x.r, s.long), &x.r, 1)
	}
	// Migration 4 sums this rollup into the daily one.
	if err := writeDeltas(tx, "rollup", "slot", deltas); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO notices (time, user, text) SELECT
	(unixepoch(substr(time, 1, 19)) * 1000000000) + CAST(substr(time, 21, 9) AS INTEGER), user, text FROM notices_v2 WHERE 1
	ON CONFLICT DO NOTHING`); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO files (host, path, user, device, inode, size, mtime, offset, lines, head_len, head_sha256, last_scan)
	SELECT ?, path, user, device, inode, size, mtime, offset, lines, head_len, head_sha256, coalesce(unixepoch(last_scan), 0) FROM files_v2`, s.host); err != nil {
		return err
	}
	_, err = tx.Exec(`DROP TABLE requests_v2; DROP TABLE notices_v2; DROP TABLE files_v2;`)
	return err
}

func repeatArgs(n int) string {
	b := make([]byte, 0, 3*n)
	for i := 1; i < n; i++ {
		b = append(b, ", ?"...)
	}
	return string(b)
}

// unixOf reads an RFC 3339 stamp of version 2 as unix seconds (0 if bad).
func unixOf(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0
	}
	return t.Unix()
}
