package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/usage"
)

// requestColumns are the columns a request is written to, in requestArgs' order.
const requestColumns = `key, time, user, source, model,
	input, output, cache_write_5m, cache_write_1h, cache_read, web_search, web_fetch,
	sidechain, session, cwd, entrypoint, speed, geo, tier, count, context, long, rev,
	billed_input, billed_output, billed_cache_write, billed_cache_read, billed_web_search`

const requestFields = 28

// requestArgs appends the values of requestColumns for r.
func requestArgs(args []any, h usage.KeyHash, r *usage.Request, long bool) []any {
	args = append(args, h[:], r.Time.UnixNano(), r.User, r.Source, r.Model,
		r.Input, r.Output, r.CacheWrite5m, r.CacheWrite1h, r.CacheRead, int64(r.WebSearch), int64(r.WebFetch),
		b2i(r.Sidechain), r.SessionID, r.Cwd, r.Entrypoint, r.Speed, r.Geo, r.Tier, int64(r.Count), int64(r.Context),
		b2i(long), r.Rev)
	if m := r.Billed; m != nil {
		return append(args, m.Input, m.Output, m.CacheWrite, m.CacheRead, m.WebSearch)
	}
	return append(args, nil, nil, nil, nil, nil)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Counts is what a transaction did to the requests it was given: each unique
// key is new, updated (a better copy replaced the stored one) or unchanged.
type Counts struct {
	New, Updated, Unchanged int
	Notices                 int // notices not stored before
}

// Tx is one run's writes, committed at once or not at all.
type Tx struct {
	s       *Store
	tx      *txn
	stamp   int64 // unix seconds: first_seen, last_seen, last_scan
	deltas  aggregate.Groups
	counts  Counts
	empty   bool                       // nothing was stored when the run began
	run     map[usage.KeyHash]keyState // what this run did to each key it was given
	seen    [][]byte                   // stored keys read again, unchanged: their last_seen moves
	args    []any
	stmts   map[string]*sql.Stmt  // prepared once per run, by SQL
	batch   []pending             // add's buffer, reused
	index   map[usage.KeyHash]int // add's index, reused
	inserts map[[2]int]string     // insertSQL's statements, by rows and plainness

	failAfter int // test hook: fail after this many request writes
	written   int
}

// Begin starts a run's transaction; now stamps first_seen, last_seen and
// last_scan. Only a writer (Open without ReadOnly) may begin one.
func (s *Store) Begin(now time.Time) (*Tx, error) {
	if s.readOnly {
		return nil, errors.New("store opened read-only")
	}
	tx, err := s.db.Begin()
	if err != nil {
		return nil, s.classify(err)
	}
	t := &Tx{s: s, tx: tx, stamp: now.Unix(), deltas: make(aggregate.Groups), failAfter: s.failAfter, stmts: map[string]*sql.Stmt{}}
	// On PostgreSQL other machines may store keys meanwhile: always look.
	if err := tx.QueryRow(`SELECT NOT EXISTS (SELECT 1 FROM requests)`).Scan(&t.empty); err != nil {
		tx.Rollback()
		return nil, s.classify(err)
	}
	t.empty = t.empty && !s.d.pg
	t.run = make(map[usage.KeyHash]keyState)
	return t, nil
}

// keyState is what a run did to one key: each key counts once, as new,
// updated or unchanged, however many copies the run read.
type keyState uint8

const (
	keyUnchanged keyState = iota + 1
	keyUpdated
	keyNew
)

// mark records what happened to h, keeping the strongest (new > updated > unchanged).
func (t *Tx) mark(h usage.KeyHash, s keyState) {
	if t.run[h] < s {
		t.run[h] = s
	}
}

// Rollback abandons the run: nothing of it is stored.
func (t *Tx) Rollback() {
	t.closeStmts()
	t.tx.Rollback()
}

func (t *Tx) closeStmts() {
	for q, st := range t.stmts {
		st.Close()
		delete(t.stmts, q)
	}
}

// exec runs q through a statement prepared once per run.
func (t *Tx) exec(q string, args ...any) (sql.Result, error) {
	st := t.stmts[q]
	if st == nil {
		var err error
		if st, err = t.tx.Prepare(q); err != nil {
			return nil, err
		}
		t.stmts[q] = st
	}
	return st.Exec(args...)
}

// batchSize is how many requests one statement writes or looks up.
const batchSize = 64

// pending is a record of a batch with its key.
type pending struct {
	h usage.KeyHash
	r usage.Request
}

// Add stores reqs: a request new to the store is inserted, a copy of a stored
// one replaces it when usage.Replaces says so, and the rollup follows. Copies of
// one key inside reqs are fine (the best is kept).
func (t *Tx) Add(reqs []usage.Request) error { return t.add(nil, reqs) }

// AddKeyed is Add for records read from another store (Store.Requests), under
// the keys they are stored with there: hs[i] is reqs[i]'s.
func (t *Tx) AddKeyed(hs []usage.KeyHash, reqs []usage.Request) error {
	if len(hs) != len(reqs) {
		return errors.New("store: AddKeyed needs one key per request")
	}
	return t.add(hs, reqs)
}

func (t *Tx) add(hs []usage.KeyHash, reqs []usage.Request) error {
	// One buffer and one index for the whole run: a run adds many batches.
	if cap(t.batch) < len(reqs) {
		t.batch = make([]pending, 0, len(reqs))
	}
	if t.index == nil {
		t.index = make(map[usage.KeyHash]int, len(reqs))
	}
	clear(t.index)
	batch, index := t.batch[:0], t.index
	for i := range reqs {
		r := &reqs[i]
		var h usage.KeyHash
		if hs != nil {
			h = hs[i]
		} else {
			h = usage.HashOf(r)
		}
		if j, ok := index[h]; ok {
			if usage.Better(r, &batch[j].r) {
				batch[j].r = *r
			}
			continue
		}
		index[h] = len(batch)
		batch = append(batch, pending{h, *r})
	}
	slices.SortFunc(batch, func(a, b pending) int { return strings.Compare(string(a.h[:]), string(b.h[:])) })
	for len(batch) > 0 {
		n := min(len(batch), 512)
		if err := t.addBatch(batch[:n]); err != nil {
			return t.s.classify(err)
		}
		batch = batch[n:]
	}
	return nil
}

func (t *Tx) addBatch(batch []pending) error {
	stored, err := t.lookup(batch)
	if err != nil {
		return err
	}
	var inserts []*pending
	for i := range batch {
		p := &batch[i]
		old, ok := stored[p.h]
		if !ok {
			inserts = append(inserts, p)
			continue
		}
		// A copy stored before this run keeps its label (usage.Replaces); one
		// this run stored is weighed by usage.Better, as a pure scan weighs
		// copies, so the result does not depend on which file came first.
		replaces := usage.Replaces
		if t.run[p.h] >= keyUpdated {
			replaces = usage.Better
		}
		if !replaces(&p.r, old) {
			if t.run[p.h] == 0 {
				t.seen = append(t.seen, p.h[:])
			}
			t.mark(p.h, keyUnchanged)
			continue
		}
		if err := t.replace(p, old, t.run[p.h] >= keyUpdated); err != nil {
			return err
		}
	}
	for len(inserts) > 0 {
		n := min(len(inserts), batchSize)
		if err := t.insert(inserts[:n]); err != nil {
			return err
		}
		inserts = inserts[n:]
	}
	return nil
}

// lookup returns the stored copies of the batch's keys.
func (t *Tx) lookup(batch []pending) (map[usage.KeyHash]*usage.Request, error) {
	out := make(map[usage.KeyHash]*usage.Request)
	var keys []any
	for i := range batch {
		if t.empty && t.run[batch[i].h] == 0 {
			continue // nothing was stored before, and this run has not stored it
		}
		keys = append(keys, batch[i].h[:])
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		err := t.s.scanRequests(t.tx, ` WHERE key IN (?`+strings.Repeat(", ?", n-1)+`) ORDER BY key`+t.s.d.forUpdate(), keys[:n], func(h usage.KeyHash, r *usage.Request) error {
			c := *r
			out[h] = &c
			return nil
		})
		if err != nil {
			return nil, err
		}
		keys = keys[n:]
	}
	return out, nil
}

func (t *Tx) insert(rows []*pending) error {
	// Log records (count 1, no stated context, no revision, nothing billed)
	// bind 20 values a row, the constants written into the statement; any
	// other record binds all 30. Binding is most of an insert's cost.
	var plain, other []*pending
	for _, p := range rows {
		if isPlain(&p.r) {
			plain = append(plain, p)
		} else {
			other = append(other, p)
		}
	}
	for _, part := range [2][]*pending{plain, other} {
		if len(part) == 0 {
			continue
		}
		isP := len(plain) > 0 && &part[0] == &plain[0]
		q := t.insertSQL(len(part), isP)
		t.args = t.args[:0]
		for _, p := range part {
			long := t.s.long(&p.r)
			if isP {
				t.args = plainArgs(t.args, p.h, &p.r, long)
			} else {
				t.args = requestArgs(t.args, p.h, &p.r, long)
			}
		}
		if t.s.d.pg {
			if err := t.insertPG(q, part); err != nil {
				return err
			}
			continue
		}
		if _, err := t.exec(q, t.args...); err != nil {
			return fmt.Errorf("storing %d requests: %w", len(part), err)
		}
		for _, p := range part {
			t.deltas.Add(aggregate.KeyOf(&p.r, t.s.long), &p.r, 1)
			t.mark(p.h, keyNew)
		}
		if err := t.wrote(len(part)); err != nil {
			return err
		}
	}
	return nil
}

// isPlain: a log record, whose count, context, revision and billed amounts
// are the constants plainArgs leaves out.
func isPlain(r *usage.Request) bool {
	return r.Count == 1 && r.Context == usage.ContextAuto && r.Rev == 0 && r.Billed == nil
}

// plainArgs appends the values a plain record binds (see insertSQL).
func plainArgs(args []any, h usage.KeyHash, r *usage.Request, long bool) []any {
	return append(args, h[:], r.Time.UnixNano(), r.User, r.Source, r.Model,
		r.Input, r.Output, r.CacheWrite5m, r.CacheWrite1h, r.CacheRead, int64(r.WebSearch), int64(r.WebFetch),
		b2i(r.Sidechain), r.SessionID, r.Cwd, r.Entrypoint, r.Speed, r.Geo, r.Tier, b2i(long))
}

// insertSQL inserts n rows, plain (see isPlain) or not, made once a run.
// OR FAIL: the keys were looked up first, so no row can conflict; were one to,
// the run fails and rolls back whole. (Plain ABORT would make SQLite keep a
// statement journal of every page the statement touches.)
func (t *Tx) insertSQL(n int, plain bool) string {
	k := [2]int{n, int(b2i(plain))}
	if q, ok := t.inserts[k]; ok {
		return q
	}
	stamp := strconv.FormatInt(t.stamp, 10)
	row := "(" + strings.Repeat("?, ", requestFields) + stamp + ", " + stamp + ")"
	if plain {
		row = "(" + strings.Repeat("?, ", 19) + "1, 0, ?, 0, NULL, NULL, NULL, NULL, NULL, " + stamp + ", " + stamp + ")"
	}
	q := `INSERT OR FAIL INTO requests (` + requestColumns + `, first_seen, last_seen) VALUES ` +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	if t.inserts == nil {
		t.inserts = make(map[[2]int]string)
	}
	t.inserts[k] = q
	return q
}

// insertPG inserts the rows whose keys no other machine stored meanwhile; a
// key that lost the race (committed by another run after this one looked) is
// looked up again, locked, and kept or replaced like any stored copy.
func (t *Tx) insertPG(q string, rows []*pending) error {
	res, err := t.tx.Query(q+` ON CONFLICT (key) DO NOTHING RETURNING key`, t.args...)
	if err != nil {
		return fmt.Errorf("storing %d requests: %w", len(rows), err)
	}
	stored := make(map[usage.KeyHash]bool, len(rows))
	for res.Next() {
		var k []byte
		var h usage.KeyHash
		if err := res.Scan(&k); err != nil {
			res.Close()
			return err
		}
		copy(h[:], k)
		stored[h] = true
	}
	res.Close()
	if err := res.Err(); err != nil {
		return fmt.Errorf("storing %d requests: %w", len(rows), err)
	}
	var lost []pending
	for _, p := range rows {
		if !stored[p.h] {
			lost = append(lost, *p)
			continue
		}
		t.deltas.Add(aggregate.KeyOf(&p.r, t.s.long), &p.r, 1)
		t.mark(p.h, keyNew)
	}
	if err := t.wrote(len(stored)); err != nil {
		return err
	}
	if len(lost) > 0 {
		return t.addBatch(lost)
	}
	return nil
}

// replace writes a better copy over the stored one.
// replaceSQL writes a better copy over a stored one: an upsert whose
// condition is usage.RuleSQL (with the label criteria for a copy this run
// stored), so the database replaces a row only as the rule says.
func replaceSQL(labels bool) string {
	cols := strings.Split(requestColumns, ",")
	set := make([]string, 0, len(cols))
	for _, c := range cols[1:] {
		c = strings.TrimSpace(c)
		set = append(set, c+" = excluded."+c)
	}
	return `INSERT INTO requests (` + requestColumns + `, first_seen, last_seen) VALUES (?` + strings.Repeat(", ?", requestFields+1) + `)
ON CONFLICT (key) DO UPDATE SET ` + strings.Join(set, ", ") + `, last_seen = excluded.last_seen, replaced = requests.replaced + 1
WHERE ` + usage.RuleSQL("excluded", "requests", labels)
}

// replaceSQLs are replaceSQL without and with the label criteria.
var replaceSQLs = [2]string{replaceSQL(false), replaceSQL(true)}

// replace writes p over the stored copy old, which the rule says it beats
// (with labels: usage.Better, else usage.Replaces), and moves the rollup.
func (t *Tx) replace(p *pending, old *usage.Request, labels bool) error {
	t.args = append(requestArgs(t.args[:0], p.h, &p.r, t.s.long(&p.r)), t.stamp, t.stamp)
	q := replaceSQLs[0]
	if labels {
		q = replaceSQLs[1]
	}
	res, err := t.exec(q, t.args...)
	if err != nil {
		return fmt.Errorf("storing a request: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// The database's copy of the rule disagrees: nothing changed, and the
		// rollup must not move. (It cannot happen while both follow Rule.)
		t.mark(p.h, keyUnchanged)
		return nil
	}
	t.deltas.Add(aggregate.KeyOf(old, t.s.long), old, -1)
	t.deltas.Add(aggregate.KeyOf(&p.r, t.s.long), &p.r, 1)
	t.mark(p.h, keyUpdated)
	return t.wrote(1)
}

var errInjected = errors.New("injected failure (test hook)")

func (t *Tx) wrote(n int) error {
	t.written += n
	if t.failAfter > 0 && t.written >= t.failAfter {
		return errInjected
	}
	return nil
}

// AddNotices stores notices not stored before.
func (t *Tx) AddNotices(ns []usage.Notice) error {
	if len(ns) == 0 {
		return nil
	}
	ins, err := t.tx.Prepare(`INSERT INTO notices (time, user, text) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return t.s.classify(err)
	}
	defer ins.Close()
	for _, n := range ns {
		r, err := ins.Exec(n.Time.UnixNano(), n.User, n.Text)
		if err != nil {
			return t.s.classify(err)
		}
		if k, _ := r.RowsAffected(); k > 0 {
			t.counts.Notices++
		}
	}
	return nil
}

// SetFiles saves where each file was left, for the next incremental read.
func (t *Tx) SetFiles(files []scan.FileState) error {
	if len(files) == 0 {
		return nil
	}
	up, err := t.tx.Prepare(`INSERT INTO files (host, path, user, device, inode, size, mtime, offset, lines, head_len, head_sha256, last_scan)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (host, path) DO UPDATE SET user = excluded.user, device = excluded.device, inode = excluded.inode,
	size = excluded.size, mtime = excluded.mtime, offset = excluded.offset, lines = excluded.lines,
	head_len = excluded.head_len, head_sha256 = excluded.head_sha256, last_scan = excluded.last_scan`)
	if err != nil {
		return t.s.classify(err)
	}
	defer up.Close()
	for _, f := range files {
		if _, err := up.Exec(t.s.host, f.Path, f.User, int64(f.Dev), int64(f.Ino), f.Size, f.Mtime, f.Offset, f.Lines,
			f.HeadLen, f.Head, t.stamp); err != nil {
			return t.s.classify(err)
		}
	}
	return nil
}

// Commit writes the rollup's changes and the last_seen of requests read again,
// and commits the run. It returns what the run did.
func (t *Tx) Commit() (Counts, error) {
	if err := t.flushRollup(); err != nil {
		t.tx.Rollback()
		return Counts{}, t.s.classify(err)
	}
	for len(t.seen) > 0 {
		n := min(len(t.seen), 500)
		args := []any{t.stamp}
		for _, k := range t.seen[:n] {
			args = append(args, k)
		}
		if _, err := t.tx.Exec(`UPDATE requests SET last_seen = ? WHERE key IN (?`+strings.Repeat(", ?", n-1)+`)`, args...); err != nil {
			t.tx.Rollback()
			return Counts{}, t.s.classify(err)
		}
		t.seen = t.seen[n:]
	}
	t.closeStmts()
	if err := t.tx.Commit(); err != nil {
		return Counts{}, t.s.classify(err)
	}
	for _, st := range t.run {
		switch st {
		case keyNew:
			t.counts.New++
		case keyUpdated:
			t.counts.Updated++
		default:
			t.counts.Unchanged++
		}
	}
	return t.counts, nil
}

// rollupUpsert adds a delta to a row of table (rollup, by slot, or
// rollup_day, by day; its first column is col).
func rollupUpsert(table, col string) string {
	return `INSERT INTO ` + table + ` (` + col + `, ` + rollupColumns + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (` + col + `, user, source, model, speed, geo, tier, long, billed) DO UPDATE SET
	requests = T.requests + excluded.requests, records = T.records + excluded.records,
	input = T.input + excluded.input, output = T.output + excluded.output,
	cache_write_5m = T.cache_write_5m + excluded.cache_write_5m,
	cache_write_1h = T.cache_write_1h + excluded.cache_write_1h,
	cache_read = T.cache_read + excluded.cache_read,
	web_search = T.web_search + excluded.web_search, web_fetch = T.web_fetch + excluded.web_fetch,
	billed_input = T.billed_input + excluded.billed_input, billed_output = T.billed_output + excluded.billed_output,
	billed_cache_write = T.billed_cache_write + excluded.billed_cache_write,
	billed_cache_read = T.billed_cache_read + excluded.billed_cache_read,
	billed_web_search = T.billed_web_search + excluded.billed_web_search`
}

func (t *Tx) flushRollup() error {
	return writeRollup(t.tx, t.deltas, t.empty)
}

// writeRollup adds deltas to the rollups; fresh: they are empty (nothing was
// stored before), so rows are inserted many at a time instead of upserted.
func writeRollup(tx *txn, deltas aggregate.Groups, fresh bool) error {
	if len(deltas) == 0 {
		return nil
	}
	// The daily rollup moves by the same deltas, summed per UTC day.
	days := make(aggregate.Groups)
	for k, s := range deltas {
		k.Slot = aggregate.DayOfSlot(k.Slot)
		days.AddSums(k, s)
	}
	if fresh {
		if err := insertGroups(tx, "rollup", "slot", deltas); err != nil {
			return err
		}
		return insertGroups(tx, "rollup_day", "day", days)
	}
	if err := writeDeltas(tx, "rollup", "slot", deltas); err != nil {
		return err
	}
	return writeDeltas(tx, "rollup_day", "day", days)
}

// rollupColumns are a rollup row's columns after its first (slot or day), in
// groupArgs' order.
const rollupColumns = `user, source, model, speed, geo, tier, long, billed,
	requests, records, input, output, cache_write_5m, cache_write_1h, cache_read, web_search, web_fetch,
	billed_input, billed_output, billed_cache_write, billed_cache_read, billed_web_search`

// groupArgs appends the values of a rollup row: k.Slot, then rollupColumns.
func groupArgs(args []any, k *aggregate.GroupKey, s *aggregate.Sums) []any {
	return append(args, k.Slot, k.User, k.Source, k.Model, k.Speed, k.Geo, k.Tier, b2i(k.Long), b2i(k.Billed),
		s.Requests, s.Records, s.Input, s.Output, s.CacheWrite5m, s.CacheWrite1h, s.CacheRead, s.WebSearch, s.WebFetch,
		s.Billed.Input, s.Billed.Output, s.Billed.CacheWrite, s.Billed.CacheRead, s.Billed.WebSearch)
}

// insertGroups inserts the rows of an empty rollup table, groupsPerInsert a
// statement (one round trip for many rows: a first fill writes thousands).
func insertGroups(tx *txn, table, col string, groups aggregate.Groups) error {
	const groupsPerInsert = 40 // x 23 values, well below SQLite's 32766
	keys := make([]aggregate.GroupKey, 0, len(groups))
	for k, s := range groups {
		if s.Records != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, aggregate.CompareKeys)
	row := "(" + strings.Repeat("?, ", 22) + "?)"
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	args := make([]any, 0, 23*groupsPerInsert)
	for len(keys) > 0 {
		n := min(len(keys), groupsPerInsert)
		st := stmts[n]
		if st == nil {
			var err error
			st, err = tx.Prepare(`INSERT INTO ` + table + ` (` + col + `, ` + rollupColumns + `) VALUES ` +
				strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
			if err != nil {
				return err
			}
			stmts[n] = st
		}
		args = args[:0]
		for i := range keys[:n] {
			args = groupArgs(args, &keys[i], groups[keys[i]])
		}
		if _, err := st.Exec(args...); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// writeDeltas adds deltas to table (whose first key column, col, holds
// GroupKey.Slot), in key order (so that concurrent writers on a shared
// database take row locks in one order), and drops the rows left without
// records.
func writeDeltas(tx *txn, table, col string, deltas aggregate.Groups) error {
	keys := make([]aggregate.GroupKey, 0, len(deltas))
	for k, s := range deltas {
		if *s != (aggregate.Sums{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, aggregate.CompareKeys)
	up, err := tx.Prepare(strings.ReplaceAll(rollupUpsert(table, col), "T.", table+"."))
	if err != nil {
		return err
	}
	defer up.Close()
	for _, k := range keys {
		if _, err := up.Exec(groupArgs(nil, &k, deltas[k])...); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if deltas[k].Records < 0 { // records went away here: the group may be empty now
			if _, err := tx.Exec(`DELETE FROM `+table+` WHERE `+col+` = ? AND user = ? AND source = ? AND model = ? AND speed = ? AND geo = ?
	AND tier = ? AND long = ? AND billed = ? AND records = 0`, k.Slot, k.User, k.Source, k.Model, k.Speed, k.Geo, k.Tier, b2i(k.Long), b2i(k.Billed)); err != nil {
				return err
			}
		}
	}
	return nil
}
