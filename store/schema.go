package store

import "strings"

// The schema is versioned with SQLite's user_version pragma, and the file is marked
// as a usagescan store with the application_id pragma. A new store runs every
// migration in order; an older one runs those above its version, all in one
// transaction, so a store is never left between two versions.

// applicationID marks a SQLite file as a usagescan store ("USGS").
const applicationID int32 = 0x55534753

// migrations[i] takes a store from version i to version i+1. Append only: a
// released migration is never edited, since stores in the wild have run it.
// Migrations after 2 run Go code (migrateFuncs) after their SQL.
var migrations = []string{
	// 1: session-log requests, notices and per-file scan state.
	`CREATE TABLE requests (
	key            TEXT PRIMARY KEY,
	time           TEXT NOT NULL,
	user           TEXT NOT NULL,
	source         TEXT NOT NULL,
	model          TEXT NOT NULL,
	input          INTEGER NOT NULL,
	output         INTEGER NOT NULL,
	cache_write_5m INTEGER NOT NULL,
	cache_write_1h INTEGER NOT NULL,
	cache_read     INTEGER NOT NULL,
	web_search     INTEGER NOT NULL,
	web_fetch      INTEGER NOT NULL,
	sidechain      INTEGER NOT NULL,
	session        TEXT NOT NULL,
	cwd            TEXT NOT NULL,
	entrypoint     TEXT NOT NULL,
	speed          TEXT NOT NULL,
	geo            TEXT NOT NULL,
	tier           TEXT NOT NULL,
	first_seen     TEXT NOT NULL,
	last_seen      TEXT NOT NULL,
	replaced       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE notices (
	time TEXT NOT NULL,
	user TEXT NOT NULL,
	text TEXT NOT NULL,
	PRIMARY KEY (time, user, text)
) WITHOUT ROWID;
CREATE TABLE files (
	path        TEXT PRIMARY KEY,
	user        TEXT NOT NULL,
	device      INTEGER NOT NULL,
	inode       INTEGER NOT NULL,
	size        INTEGER NOT NULL,
	mtime       INTEGER NOT NULL,
	offset      INTEGER NOT NULL,
	lines       INTEGER NOT NULL,
	head_len    INTEGER NOT NULL,
	head_sha256 BLOB NOT NULL,
	last_scan   TEXT NOT NULL
);`,

	// 2: billing-export rows (usage.Request.Count, Context and Billed).
	`ALTER TABLE requests ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE requests ADD COLUMN context INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN billed_input REAL;
ALTER TABLE requests ADD COLUMN billed_output REAL;
ALTER TABLE requests ADD COLUMN billed_cache_write REAL;
ALTER TABLE requests ADD COLUMN billed_cache_read REAL;
ALTER TABLE requests ADD COLUMN billed_web_search REAL;`,

	// 3: the engine's store. Keys become 16-byte hashes (usage.HashOf), times
	// unix nanoseconds; the rollup table keeps totals per aggregate.GroupKey so
	// that a report reads totals, not requests; files are keyed by host and path.
	// The old tables are copied over by migrateV3.
	`ALTER TABLE requests RENAME TO requests_v2;
ALTER TABLE notices RENAME TO notices_v2;
ALTER TABLE files RENAME TO files_v2;
` + schemaV3,

	// 4: a daily rollup beside the 15-minute one, so that a report over a long
	// range sums whole UTC days (a few rows a day) and reads 15-minute slots
	// only at its edges. Filled from the 15-minute rollup.
	rollupDayV4,
}

// rollupDayV4 is migration 4 (a PostgreSQL store runs it too): rollup_day
// has the columns of schema 3's rollup, the day (slot / 96) in place of the slot.
var rollupDayV4 = rollupDayTable() + `;
INSERT INTO rollup_day SELECT ` + dayOfSlotSQL + `, user, source, model, speed, geo, tier, long, billed,
	sum(requests), sum(records), sum(input), sum(output), sum(cache_write_5m), sum(cache_write_1h), sum(cache_read),
	sum(web_search), sum(web_fetch), sum(billed_input), sum(billed_output), sum(billed_cache_write),
	sum(billed_cache_read), sum(billed_web_search)
FROM rollup GROUP BY 1, user, source, model, speed, geo, tier, long, billed`

// rollupDayTable is schema 3's CREATE TABLE rollup, made rollup_day.
func rollupDayTable() string {
	start := strings.Index(schemaV3, "CREATE TABLE rollup (")
	end := start + strings.Index(schemaV3[start:], ") WITHOUT ROWID;") + len(") WITHOUT ROWID")
	return strings.NewReplacer("CREATE TABLE rollup (", "CREATE TABLE rollup_day (",
		"\tslot           INTEGER", "\tday            INTEGER",
		"PRIMARY KEY (slot,", "PRIMARY KEY (day,").Replace(schemaV3[start:end])
}

// dayOfSlotSQL is aggregate.DayOfSlot(slot) in SQL: floor division (a bad
// log line's time before 1970 is stored too).
const dayOfSlotSQL = `(slot - (CASE WHEN slot < 0 AND slot % 96 != 0 THEN 95 ELSE 0 END)) / 96`

// schemaV3 is the schema of version 3 (see the package documentation).
const schemaV3 = `CREATE TABLE requests (
	id             INTEGER PRIMARY KEY,
	key            BLOB NOT NULL UNIQUE,
	time           INTEGER NOT NULL,
	user           TEXT NOT NULL,
	source         TEXT NOT NULL,
	model          TEXT NOT NULL,
	input          INTEGER NOT NULL,
	output         INTEGER NOT NULL,
	cache_write_5m INTEGER NOT NULL,
	cache_write_1h INTEGER NOT NULL,
	cache_read     INTEGER NOT NULL,
	web_search     INTEGER NOT NULL,
	web_fetch      INTEGER NOT NULL,
	sidechain      INTEGER NOT NULL,
	session        TEXT NOT NULL,
	cwd            TEXT NOT NULL,
	entrypoint     TEXT NOT NULL,
	speed          TEXT NOT NULL,
	geo            TEXT NOT NULL,
	tier           TEXT NOT NULL,
	count          INTEGER NOT NULL,
	context        INTEGER NOT NULL,
	long           INTEGER NOT NULL,
	rev            INTEGER NOT NULL,
	billed_input       REAL,
	billed_output      REAL,
	billed_cache_write REAL,
	billed_cache_read  REAL,
	billed_web_search  REAL,
	first_seen     INTEGER NOT NULL,
	last_seen      INTEGER NOT NULL,
	replaced       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_time ON requests (time);
CREATE TABLE rollup (
	slot           INTEGER NOT NULL,
	user           TEXT NOT NULL,
	source         TEXT NOT NULL,
	model          TEXT NOT NULL,
	speed          TEXT NOT NULL,
	geo            TEXT NOT NULL,
	tier           TEXT NOT NULL,
	long           INTEGER NOT NULL,
	billed         INTEGER NOT NULL,
	requests       INTEGER NOT NULL,
	records        INTEGER NOT NULL,
	input          INTEGER NOT NULL,
	output         INTEGER NOT NULL,
	cache_write_5m INTEGER NOT NULL,
	cache_write_1h INTEGER NOT NULL,
	cache_read     INTEGER NOT NULL,
	web_search     INTEGER NOT NULL,
	web_fetch      INTEGER NOT NULL,
	billed_input       REAL NOT NULL,
	billed_output      REAL NOT NULL,
	billed_cache_write REAL NOT NULL,
	billed_cache_read  REAL NOT NULL,
	billed_web_search  REAL NOT NULL,
	PRIMARY KEY (slot, user, source, model, speed, geo, tier, long, billed)
) WITHOUT ROWID;
CREATE TABLE notices (
	time INTEGER NOT NULL,
	user TEXT NOT NULL,
	text TEXT NOT NULL,
	PRIMARY KEY (time, user, text)
) WITHOUT ROWID;
CREATE TABLE files (
	host        TEXT NOT NULL,
	path        TEXT NOT NULL,
	user        TEXT NOT NULL,
	device      INTEGER NOT NULL,
	inode       INTEGER NOT NULL,
	size        INTEGER NOT NULL,
	mtime       INTEGER NOT NULL,
	offset      INTEGER NOT NULL,
	lines       INTEGER NOT NULL,
	head_len    INTEGER NOT NULL,
	head_sha256 BLOB NOT NULL,
	last_scan   INTEGER NOT NULL,
	PRIMARY KEY (host, path)
);
CREATE TABLE snapshots (
	user            TEXT NOT NULL,
	five_hour_reset INTEGER NOT NULL,
	five_hour_pct   REAL NOT NULL,
	week_reset      INTEGER NOT NULL,
	week_pct        REAL NOT NULL,
	time            INTEGER NOT NULL,
	session         TEXT NOT NULL,
	model           TEXT NOT NULL,
	PRIMARY KEY (user, five_hour_reset, five_hour_pct, week_reset, week_pct)
) WITHOUT ROWID;
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);`

// SchemaVersion is the schema version this build writes (PRAGMA user_version):
// the number of migrations.
const SchemaVersion = 4
