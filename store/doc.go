// Package store keeps usage history in a SQLite file, so that nothing is lost when
// Claude Code deletes transcripts after 30 days and nothing is counted twice.
//
// The file is an ordinary SQLite 3 database (modernc.org/sqlite, no cgo) in WAL
// mode, marked with PRAGMA application_id = 0x55534753 ("USGS") and versioned with
// PRAGMA user_version (see SchemaVersion); Open migrates an older store forward and
// refuses any other file without writing to it. Its default place is DefaultPath.
//
// # Ingest
//
// Ingest reads what changed in the log files since the last run and adds it in
// one transaction. Per file it keeps the device and inode, size, mtime, the
// offset after the last complete line and a SHA-256 of the first 4 KB: an
// unchanged file costs a stat; a grown one is read from its offset; a truncated,
// rewritten or replaced one is read whole (safe, since every copy of a request
// dedupes by key). A last line without its line end is left for the next run:
// the offset stays before it, though a complete one (valid JSON, as in a file
// that does not end with a newline) is stored at once, as a scan counts it.
//
// What a stat and the head cannot see: a file rewritten in place (same inode)
// with the same size and mtime is taken as unchanged; one rewritten in place
// after its first 4 KB, grown, and with a line end just before the old offset
// is taken as appended, so what changed before the offset is not read. Claude
// Code only appends to its session files; a touch makes such a file read whole.
//
// Each request is stored once under its key (message.id:requestId). A later,
// larger copy replaces a stored one by aggregate's rule (largest total tokens,
// then the non-sidechain copy, ...), so a session still being written is updated,
// not added twice. A record without a key of its own (a log line without
// message.id, a billing-export row) is stored under a hash of all its fields: see
// Key and KeyRecords.
//
// # Reading
//
// Load (or Requests) returns what is stored. A report adds them to an
// aggregate.Set together with a scan.Run of the logs, whose keyless records are
// given their Key first.
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
// The tables, as `sqlite3 usage.db .schema` shows them (the billing columns come
// from migration 2, so sqlite3 prints them at the end of requests):
//
//	-- One row per API response (a "request"), the best copy seen.
//	CREATE TABLE requests (
//	  key            TEXT PRIMARY KEY, -- "message.id:requestId", message.id, or "~" + 32 hex digits (no key of its own)
//	  time           TEXT NOT NULL,    -- UTC, fixed width: 2026-06-10T09:00:01.467000000Z
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
//	  first_seen     TEXT NOT NULL,    -- the ingest that stored it (UTC, RFC 3339)
//	  last_seen      TEXT NOT NULL,    -- the last ingest that read a copy of it
//	  replaced       INTEGER NOT NULL DEFAULT 0, -- times a larger copy replaced the stored one
//	  count          INTEGER NOT NULL DEFAULT 1, -- API responses it stands for: 1, or 0 for a billing-export row
//	  context        INTEGER NOT NULL DEFAULT 0, -- long-context tier: 0 from its own prompt, 1 billed <= 200k, 2 billed above
//	  billed_input       REAL,         -- USD a cost export says was billed; NULL for everything else
//	  billed_output      REAL,
//	  billed_cache_write REAL,
//	  billed_cache_read  REAL,
//	  billed_web_search  REAL
//	) WITHOUT ROWID;
//
//	-- Messages Claude Code wrote into the logs itself, such as usage-limit hits.
//	CREATE TABLE notices (
//	  time TEXT NOT NULL,              -- UTC, as requests.time
//	  user TEXT NOT NULL,
//	  text TEXT NOT NULL,
//	  PRIMARY KEY (time, user, text)
//	) WITHOUT ROWID;
//
//	-- Where each log file was left: what the next ingest skips or resumes.
//	CREATE TABLE files (
//	  path        TEXT PRIMARY KEY,    -- absolute
//	  user        TEXT NOT NULL,       -- who its requests were attributed to
//	  device      INTEGER NOT NULL,    -- st_dev and st_ino: a replaced file is read again
//	  inode       INTEGER NOT NULL,
//	  size        INTEGER NOT NULL,    -- bytes, at the last read
//	  mtime       INTEGER NOT NULL,    -- unix nanoseconds, at the last read
//	  offset      INTEGER NOT NULL,    -- bytes through the last complete line read
//	  lines       INTEGER NOT NULL,    -- lines through offset
//	  head_len    INTEGER NOT NULL,    -- bytes hashed into head_sha256: min(size, 4096)
//	  head_sha256 BLOB NOT NULL,       -- SHA-256 of the first head_len bytes
//	  last_scan   TEXT NOT NULL        -- the last ingest that read it (UTC, RFC 3339)
//	);
//
// For example, tokens per month and model:
//
//	SELECT substr(time, 1, 7) AS month, model, sum(input), sum(output),
//	       sum(cache_write_5m + cache_write_1h), sum(cache_read), sum(count)
//	FROM requests GROUP BY month, model ORDER BY month, model;
package store
