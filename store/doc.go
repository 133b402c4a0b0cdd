// Package store keeps usage history in a SQLite file, so that nothing is lost when
// Claude Code deletes transcripts after 30 days and nothing is counted twice.
//
// The file is an ordinary SQLite 3 database (modernc.org/sqlite, no cgo) in WAL
// mode, marked with PRAGMA application_id = 0x55534753 ("USGS") and versioned with
// PRAGMA user_version (see SchemaVersion); Open migrates an older store forward and
// refuses any other file without writing to it. Its default place is DefaultPath.
//
// # Writing
//
// The store only stores: engine.Ingest reads the logs (through scan.Read, the
// one reader pool a pure scan uses too) and writes what it found in one
// transaction: Begin, Tx.Add, Tx.AddNotices, Tx.SetFiles, Tx.Commit. Nothing of
// a run that fails is stored, not even the files' positions, so the next run
// reads the same bytes again.
//
// Per file, the files table keeps the device and inode, size, mtime, the offset
// after the last complete line and a SHA-256 of the first 4 KB (see
// scan.FileState): an unchanged file costs a stat; a grown one is read from its
// offset; a truncated, rewritten or replaced one is read whole (safe, since
// every copy of a request dedupes by key). A last line without its line end is
// left for the next run: the offset stays before it, though a complete one
// (valid JSON, as in a file that does not end with a newline) is stored at once,
// as a scan counts it.
//
// What a stat and the head cannot see: a file rewritten in place (same inode)
// with the same size and mtime is taken as unchanged; one rewritten in place
// after its first 4 KB, grown, and with a line end just before the old offset
// is taken as appended, so what changed before the offset is not read. Claude
// Code only appends to its session files; a touch makes such a file read whole.
//
// Each request is stored once under its usage.KeyHash: a 16-byte hash of its
// key (message.id:requestId, or a billing row's identity), or for a record
// without one (a log line without message.id) of every field but the user, so
// that identical copies read under two labels are one request. A later, larger
// copy replaces a stored one by usage.Replaces (usage.Rule: the newer export
// revision, the largest total tokens, the copy that is not a sidechain, ...), so
// a session still being written is updated, not added twice; a copy that differs
// only in who read it (user, session, folder) keeps the stored one.
//
// # Reading
//
// Groups reads the rollup table: the totals per aggregate.GroupKey (15-minute
// slot, user, source, model, speed, geo, tier, long-context flag, billed) that
// every write keeps equal to the requests, so that a report reads totals for
// the range it asks, never the requests. GroupsIn sums a report's periods in
// the database, whole UTC days from rollup_day (the same totals per day) and
// the periods' ragged edges (other time zones) from rollup, so that its cost
// grows with the days asked, not the requests. Requests walks the requests of a range
// in time order through the time index (the status line's short ranges),
// RequestsIn the same rows in row order, each page read once (recommend's
// months, sorted in memory), Lookup finds stored copies
// by key (to merge sources read on top of the store), Notices the notices of a
// range. Check verifies that the rollup sums the requests and the daily rollup the rollup.
//
// # Locking
//
// A writer (Open without ReadOnly) holds an exclusive flock on "<db>.lock" from
// Open to Close, so two runs never interleave; the second waits up to
// Options.LockTimeout and then fails with ErrLocked. Readers take no lock: WAL
// lets them read beside an ingest, and each read sees the last committed run.
//
// # Schema
//
// The tables of schema version 4, as `sqlite3 usage.db .schema` shows them:
//
//	-- One row per API response (a "request"), the best copy seen.
//	CREATE TABLE requests (
//	  id             INTEGER PRIMARY KEY, -- rows are appended: a new request never splits the table's pages
//	  key            BLOB NOT NULL UNIQUE, -- usage.HashOf: 16 bytes of a SHA-256 of the key, or of every field but the user
//	  time           INTEGER NOT NULL, -- unix nanoseconds, UTC
//	  user           TEXT NOT NULL,    -- who the request is attributed to
//	  source         TEXT NOT NULL,    -- claude-code, api-billing, api-cost, openrouter
//	  model          TEXT NOT NULL,
//	  input          INTEGER NOT NULL, -- tokens
//	  output         INTEGER NOT NULL,
//	  cache_write_5m INTEGER NOT NULL,
//	  cache_write_1h INTEGER NOT NULL,
//	  cache_read     INTEGER NOT NULL,
//	  web_search     INTEGER NOT NULL, -- server-side web searches
//	  web_fetch      INTEGER NOT NULL, -- server-side web fetches
//	  sidechain      INTEGER NOT NULL, -- 1: a subagent or side-question copy
//	  session        TEXT NOT NULL,    -- sessionId
//	  cwd            TEXT NOT NULL,
//	  entrypoint     TEXT NOT NULL,    -- cli, sdk-cli, ... ('' in old logs)
//	  speed          TEXT NOT NULL,    -- standard, fast or ''
//	  geo            TEXT NOT NULL,    -- inference_geo: global, us, not_available or ''
//	  tier           TEXT NOT NULL,    -- service_tier: standard, batch, priority or ''
//	  count          INTEGER NOT NULL, -- API responses it stands for: 1, or 0 for a billing-export row
//	  context        INTEGER NOT NULL, -- long-context tier: 0 from its own prompt, 1 billed <= 200k, 2 billed above
//	  long           INTEGER NOT NULL, -- 1: priced at the long-context tier (decided at ingest for context 0)
//	  rev            INTEGER NOT NULL, -- a billing export's revision: a newer export's copy wins
//	  billed_input       REAL,         -- USD a cost export says was billed; NULL for everything else
//	  billed_output      REAL,
//	  billed_cache_write REAL,
//	  billed_cache_read  REAL,
//	  billed_web_search  REAL,
//	  first_seen     INTEGER NOT NULL, -- the ingest that stored it (unix seconds)
//	  last_seen      INTEGER NOT NULL, -- the last ingest that read a copy of it
//	  replaced       INTEGER NOT NULL DEFAULT 0 -- times a better copy replaced the stored one
//	);
//	CREATE INDEX requests_time ON requests (time);
//
//	-- Totals per aggregate.GroupKey, kept equal to the requests by every write.
//	CREATE TABLE rollup (
//	  slot           INTEGER NOT NULL, -- unix seconds / 900: the 15-minute slot
//	  user           TEXT NOT NULL,
//	  source         TEXT NOT NULL,
//	  model          TEXT NOT NULL,
//	  speed          TEXT NOT NULL,
//	  geo            TEXT NOT NULL,
//	  tier           TEXT NOT NULL,
//	  long           INTEGER NOT NULL,
//	  billed         INTEGER NOT NULL, -- 1: the records carry billed amounts
//	  requests       INTEGER NOT NULL, -- sum of count
//	  records        INTEGER NOT NULL, -- rows of requests summed here
//	  input          INTEGER NOT NULL,
//	  output         INTEGER NOT NULL,
//	  cache_write_5m INTEGER NOT NULL,
//	  cache_write_1h INTEGER NOT NULL,
//	  cache_read     INTEGER NOT NULL,
//	  web_search     INTEGER NOT NULL,
//	  web_fetch      INTEGER NOT NULL,
//	  billed_input       REAL NOT NULL,
//	  billed_output      REAL NOT NULL,
//	  billed_cache_write REAL NOT NULL,
//	  billed_cache_read  REAL NOT NULL,
//	  billed_web_search  REAL NOT NULL,
//	  PRIMARY KEY (slot, user, source, model, speed, geo, tier, long, billed)
//	) WITHOUT ROWID;
//
//	-- The same totals per UTC day (slot / 96), kept equal to the rollup.
//	CREATE TABLE rollup_day (
//	  day            INTEGER NOT NULL, -- unix seconds / 86400: the UTC day
//	  user           TEXT NOT NULL,
//	  source         TEXT NOT NULL,
//	  model          TEXT NOT NULL,
//	  speed          TEXT NOT NULL,
//	  geo            TEXT NOT NULL,
//	  tier           TEXT NOT NULL,
//	  long           INTEGER NOT NULL,
//	  billed         INTEGER NOT NULL,
//	  requests       INTEGER NOT NULL,
//	  records        INTEGER NOT NULL,
//	  input          INTEGER NOT NULL,
//	  output         INTEGER NOT NULL,
//	  cache_write_5m INTEGER NOT NULL,
//	  cache_write_1h INTEGER NOT NULL,
//	  cache_read     INTEGER NOT NULL,
//	  web_search     INTEGER NOT NULL,
//	  web_fetch      INTEGER NOT NULL,
//	  billed_input       REAL NOT NULL,
//	  billed_output      REAL NOT NULL,
//	  billed_cache_write REAL NOT NULL,
//	  billed_cache_read  REAL NOT NULL,
//	  billed_web_search  REAL NOT NULL,
//	  PRIMARY KEY (day, user, source, model, speed, geo, tier, long, billed)
//	) WITHOUT ROWID;
//
//	-- Messages Claude Code wrote into the logs itself, such as usage-limit hits.
//	CREATE TABLE notices (
//	  time INTEGER NOT NULL,           -- unix nanoseconds, as requests.time
//	  user TEXT NOT NULL,
//	  text TEXT NOT NULL,
//	  PRIMARY KEY (time, user, text)
//	) WITHOUT ROWID;
//
//	-- Where each log file was left: what the next ingest skips or resumes.
//	CREATE TABLE files (
//	  host        TEXT NOT NULL,       -- the machine (Options.Host), so machines sharing a store keep apart
//	  path        TEXT NOT NULL,       -- absolute
//	  user        TEXT NOT NULL,       -- who its requests were attributed to
//	  device      INTEGER NOT NULL,    -- st_dev and st_ino: a replaced file is read again
//	  inode       INTEGER NOT NULL,
//	  size        INTEGER NOT NULL,    -- bytes, at the last read
//	  mtime       INTEGER NOT NULL,    -- unix nanoseconds, at the last read
//	  offset      INTEGER NOT NULL,    -- bytes through the last complete line read
//	  lines       INTEGER NOT NULL,    -- lines through offset
//	  head_len    INTEGER NOT NULL,    -- bytes hashed into head_sha256: min(size, 4096)
//	  head_sha256 BLOB NOT NULL,       -- SHA-256 of the first head_len bytes
//	  last_scan   INTEGER NOT NULL,    -- the last ingest that read it (unix seconds)
//	  PRIMARY KEY (host, path)
//	);
//
//	-- Status-line snapshots of the plan's usage limits.
//	CREATE TABLE snapshots (
//	  user            TEXT NOT NULL,
//	  five_hour_reset INTEGER NOT NULL,
//	  five_hour_pct   REAL NOT NULL,
//	  week_reset      INTEGER NOT NULL,
//	  week_pct        REAL NOT NULL,
//	  time            INTEGER NOT NULL,
//	  session         TEXT NOT NULL,
//	  model           TEXT NOT NULL,
//	  PRIMARY KEY (user, five_hour_reset, five_hour_pct, week_reset, week_pct)
//	) WITHOUT ROWID;
//
//	CREATE TABLE meta (
//	  key   TEXT PRIMARY KEY,
//	  value TEXT NOT NULL
//	);
//
// For example, tokens per month and model:
//
//	SELECT strftime('%Y-%m', time / 1000000000, 'unixepoch') AS month, model, sum(input), sum(output),
//	       sum(cache_write_5m + cache_write_1h), sum(cache_read), sum(count)
//	FROM requests GROUP BY month, model ORDER BY month, model;
package store
