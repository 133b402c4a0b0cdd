package store

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// requestColumns are the columns a request is written to, in requestArgs' order.
const requestColumns = `key, time, user, source, model,
	input, output, cache_write_5m, cache_write_1h, cache_read, web_search, web_fetch,
	sidechain, session, cwd, entrypoint, speed, geo, tier, count, context,
	billed_input, billed_output, billed_cache_write, billed_cache_read, billed_web_search`

// requestFields is the number of requestColumns; plainFields how many of them a
// log record binds: the rest are constant (count 1, context 0, nothing billed).
const (
	requestFields = 26
	plainFields   = 19
)

func isPlain(r *usage.Request) bool {
	return r.Count == 1 && r.Context == usage.ContextAuto && r.Billed == nil
}

// requestArgs appends the values of requestColumns for r.
func requestArgs(args []any, r *usage.Request) []any {
	side := 0
	if r.Sidechain {
		side = 1
	}
	args = append(args, r.Key, formatTime(r.Time), r.User, r.Source, r.Model,
		r.Input, r.Output, r.CacheWrite5m, r.CacheWrite1h, r.CacheRead, int64(r.WebSearch), int64(r.WebFetch),
		side, r.SessionID, r.Cwd, r.Entrypoint, r.Speed, r.Geo, r.Tier, int64(r.Count), int64(r.Context))
	if m := r.Billed; m != nil {
		return append(args, m.Input, m.Output, m.CacheWrite, m.CacheRead, m.WebSearch)
	}
	return append(args, nil, nil, nil, nil, nil)
}

// insertSQL adds n new requests, plain ones (see isPlain) or any; stamp is
// their first_seen and last_seen.
func insertSQL(n int, plain bool, stamp string) string {
	row := "(" + strings.Repeat("?, ", requestFields)
	if plain {
		row = "(" + strings.Repeat("?, ", plainFields) + "1, 0, NULL, NULL, NULL, NULL, NULL, "
	}
	lit := "'" + strings.ReplaceAll(stamp, "'", "''") + "'"
	row += lit + ", " + lit + ")"
	return `INSERT INTO requests (` + requestColumns + `, first_seen, last_seen) VALUES ` +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// upsertSQL stores another copy of a stored request: a better copy replaces it
// (replaced counts how often); a copy that is not better changes nothing (no row
// affected).
const upsertSQL = `INSERT INTO requests (` + requestColumns + `, first_seen, last_seen)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET
	time = excluded.time, user = excluded.user, source = excluded.source, model = excluded.model,
	input = excluded.input, output = excluded.output,
	cache_write_5m = excluded.cache_write_5m, cache_write_1h = excluded.cache_write_1h,
	cache_read = excluded.cache_read, web_search = excluded.web_search, web_fetch = excluded.web_fetch,
	sidechain = excluded.sidechain, session = excluded.session, cwd = excluded.cwd,
	entrypoint = excluded.entrypoint, speed = excluded.speed, geo = excluded.geo, tier = excluded.tier,
	count = excluded.count, context = excluded.context,
	billed_input = excluded.billed_input, billed_output = excluded.billed_output,
	billed_cache_write = excluded.billed_cache_write, billed_cache_read = excluded.billed_cache_read,
	billed_web_search = excluded.billed_web_search,
	last_seen = excluded.last_seen, replaced = replaced + 1
WHERE ` + betterSQL

const filesSQL = `INSERT INTO files (path, user, device, inode, size, mtime, offset, lines, head_len, head_sha256, last_scan)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (path) DO UPDATE SET user = excluded.user, device = excluded.device, inode = excluded.inode,
	size = excluded.size, mtime = excluded.mtime, offset = excluded.offset, lines = excluded.lines,
	head_len = excluded.head_len, head_sha256 = excluded.head_sha256, last_scan = excluded.last_scan`

// Batches: new requests wait in a batch of up to pendingMax, are sorted by key
// (the table's order) and inserted insertBatch rows per statement.
const (
	pendingMax  = 1024
	insertBatch = 64
	lookupBatch = 500 // keys per lookup of what is stored
)

var errInjected = errors.New("injected failure (test hook)")

// keyState is what a run did to one key.
type keyState struct {
	before  bool // stored before this run
	changed bool // a copy read this run replaced the stored one
	pending bool // waiting in a batch, not inserted yet
}

// writer stores one run's requests in a transaction, as files are read. A key
// new to the store is inserted in bulk; any other copy goes through upsertSQL,
// which keeps the better copy. So the store ends with the best copy of each
// request whatever order the files come in, and a run is counted per key: new,
// updated or unchanged.
type writer struct {
	tx        *sql.Tx
	stamp     string
	empty     bool // no request was stored when the run began: nothing to look up
	keys      map[string]*keyState
	pending   [2][]*usage.Request  // new keys to insert: plain ones, the others
	inserts   map[[2]int]*sql.Stmt // by rows and plainness
	upsert    *sql.Stmt
	args      []any
	written   int // rows written, for the failAfter hook
	failAfter int
}

func newWriter(tx *sql.Tx, stamp string, failAfter int) (*writer, error) {
	w := &writer{tx: tx, stamp: stamp, keys: make(map[string]*keyState), inserts: make(map[[2]int]*sql.Stmt),
		failAfter: failAfter, args: make([]any, 0, insertBatch*requestFields)}
	if err := tx.QueryRow(`SELECT NOT EXISTS (SELECT 1 FROM requests)`).Scan(&w.empty); err != nil {
		return nil, err
	}
	return w, nil
}

// close closes the prepared statements.
func (w *writer) close() {
	for _, st := range w.inserts {
		st.Close()
	}
	if w.upsert != nil {
		w.upsert.Close()
	}
}

// add stores reqs, one copy per key; the writer keeps them until finish.
func (w *writer) add(reqs []usage.Request) error {
	stored, err := w.lookup(reqs)
	if err != nil {
		return err
	}
	for i := range reqs {
		r := &reqs[i]
		st := w.keys[r.Key]
		if st == nil {
			st = &keyState{before: stored[r.Key]}
			w.keys[r.Key] = st
			if !st.before {
				st.pending = true
				k := 0
				if !isPlain(r) {
					k = 1
				}
				w.pending[k] = append(w.pending[k], r)
				if len(w.pending[k]) >= pendingMax {
					if err := w.flush(); err != nil {
						return err
					}
				}
				continue
			}
		} else if st.pending {
			// Another copy of a key waiting to be inserted: insert the batch
			// first, then let the upsert choose between the two.
			if err := w.flush(); err != nil {
				return err
			}
		}
		if err := w.store(r, st); err != nil {
			return err
		}
	}
	return nil
}

// lookup returns which keys of reqs, new to this run, the store held before it.
func (w *writer) lookup(reqs []usage.Request) (map[string]bool, error) {
	if w.empty {
		return nil, nil
	}
	var keys []any
	for i := range reqs {
		if w.keys[reqs[i].Key] == nil {
			keys = append(keys, reqs[i].Key)
		}
	}
	stored := make(map[string]bool)
	for len(keys) > 0 {
		n := min(len(keys), lookupBatch)
		rows, err := w.tx.Query(`SELECT key FROM requests WHERE key IN (?`+strings.Repeat(", ?", n-1)+`)`, keys[:n]...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			stored[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		keys = keys[n:]
	}
	return stored, nil
}

// store writes a copy of a stored key: it replaces the stored copy if better.
func (w *writer) store(r *usage.Request, st *keyState) error {
	if w.upsert == nil {
		var err error
		if w.upsert, err = w.tx.Prepare(upsertSQL); err != nil {
			return err
		}
	}
	w.args = requestArgs(w.args[:0], r)
	w.args = append(w.args, w.stamp, w.stamp)
	res, err := w.upsert.Exec(w.args...)
	if err != nil {
		return fmt.Errorf("storing %s: %w", r.Key, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		st.changed = true
	}
	return w.wrote(1)
}

func (w *writer) wrote(n int) error {
	w.written += n
	if w.failAfter > 0 && w.written >= w.failAfter {
		return errInjected
	}
	return nil
}

// flush inserts the pending requests.
func (w *writer) flush() error {
	for k, rows := range w.pending {
		sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
		for len(rows) > 0 {
			n := 1 // insertBatch at a time, then 8, then one: three statements cover any count
			for _, size := range [...]int{insertBatch, 8} {
				if len(rows) >= size {
					n = size
					break
				}
			}
			if err := w.insert(rows[:n], k == 0); err != nil {
				return err
			}
			for _, r := range rows[:n] {
				w.keys[r.Key].pending = false
			}
			rows = rows[n:]
		}
		w.pending[k] = w.pending[k][:0]
	}
	return nil
}

func (w *writer) insert(rows []*usage.Request, plain bool) error {
	shape := [2]int{len(rows), 0}
	if plain {
		shape[1] = 1
	}
	st := w.inserts[shape]
	if st == nil {
		var err error
		if st, err = w.tx.Prepare(insertSQL(len(rows), plain, w.stamp)); err != nil {
			return err
		}
		w.inserts[shape] = st
	}
	w.args = w.args[:0]
	for _, r := range rows {
		w.args = requestArgs(w.args, r)
		if plain {
			w.args = w.args[:len(w.args)-(requestFields-plainFields)]
		}
	}
	if _, err := st.Exec(w.args...); err != nil {
		return fmt.Errorf("storing %d requests from %s: %w", len(rows), rows[0].Key, err)
	}
	return w.wrote(len(rows))
}

// finish inserts what is pending, marks the requests seen again, stores the
// notices and the files' states, and counts what the run did.
func (w *writer) finish(notices []usage.Notice, files []*fileState, res *IngestResult) error {
	if err := w.flush(); err != nil {
		return err
	}
	var seen []any // stored before, and not replaced: only last_seen changes
	for k, st := range w.keys {
		switch {
		case !st.before:
			res.New++
		case st.changed:
			res.Updated++
		default:
			res.Unchanged++
			seen = append(seen, k)
		}
	}
	for len(seen) > 0 {
		n := min(len(seen), lookupBatch)
		args := append([]any{w.stamp}, seen[:n]...)
		if _, err := w.tx.Exec(`UPDATE requests SET last_seen = ? WHERE key IN (?`+strings.Repeat(", ?", n-1)+`)`, args...); err != nil {
			return err
		}
		seen = seen[n:]
	}

	if len(notices) > 0 {
		ins, err := w.tx.Prepare(`INSERT INTO notices (time, user, text) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, n := range notices {
			r, err := ins.Exec(formatTime(n.Time), n.User, n.Text)
			if err != nil {
				return err
			}
			if k, _ := r.RowsAffected(); k > 0 {
				res.Notices++
			}
		}
	}

	if len(files) > 0 {
		up, err := w.tx.Prepare(filesSQL)
		if err != nil {
			return err
		}
		defer up.Close()
		for _, f := range files {
			if _, err := up.Exec(f.path, f.user, int64(f.dev), int64(f.ino), f.size, f.mtime, f.offset, f.lines,
				f.headLen, f.head, f.lastScan); err != nil {
				return err
			}
		}
	}
	return nil
}

// timeLayout is how times are stored: UTC, fixed width, so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a time written by formatTime; the fixed layout is read
// directly, since Load parses one per stored request.
func parseTime(s string) (time.Time, error) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		s[19] != '.' || s[29] != 'Z' {
		return time.Parse(timeLayout, s)
	}
	n := func(i, j int) int {
		v := 0
		for ; i < j; i++ {
			c := s[i] - '0'
			if c > 9 {
				return -1
			}
			v = v*10 + int(c)
		}
		return v
	}
	y, mo, d, h, mi, sec, ns := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 29)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ns < 0 {
		return time.Parse(timeLayout, s) // for its error
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), nil
}
