package store

import (
	"fmt"
	"strings"
	"time"
)

// CheckResult is what Check found.
type CheckResult struct {
	Path      string
	Version   int      // the store's schema version
	Latest    int      // the version this build writes
	Integrity []string // PRAGMA integrity_check: "ok", or the problems found (at most 20)

	Requests  int64 // stored requests
	Groups    int64 // rollup rows
	Snapshots int64 // status-line snapshots
	Notices   int64
	Files     int64     // log files with a saved position
	First     time.Time // the oldest request (zero when there are none)
	Last      time.Time // the newest request
	LastScan  time.Time // the last ingest that read a file (zero: never)

	OK     bool
	Advice string // what to do when !OK
}

// Check verifies the store: SQLite's integrity check, the schema version, and the
// counts of what it holds.
func (s *Store) Check() (CheckResult, error) {
	res := CheckResult{Path: s.path, Latest: SchemaVersion}
	if s.d.pg {
		// PostgreSQL looks after its own pages; the version is the meta table's.
		v, err := s.pgVersion(s.db)
		if err != nil {
			return res, err
		}
		res.Version, res.Integrity = v, []string{"ok"}
	} else if err := s.sqliteIntegrity(&res); err != nil {
		return res, err
	}
	res.OK = len(res.Integrity) == 1 && res.Integrity[0] == "ok" && res.Version == res.Latest
	if !res.OK {
		res.Advice = "the store is damaged: " + recovery(s.path)
		return res, nil
	}

	var first, last, scanned *int64
	err := s.db.QueryRow(`SELECT
	(SELECT count(*) FROM requests),
	(SELECT count(*) FROM rollup),
	(SELECT count(*) FROM snapshots),
	(SELECT count(*) FROM notices),
	(SELECT count(*) FROM files),
	(SELECT min(time) FROM requests),
	(SELECT max(time) FROM requests),
	(SELECT max(last_scan) FROM files)`).Scan(&res.Requests, &res.Groups, &res.Snapshots, &res.Notices, &res.Files, &first, &last, &scanned)
	if err != nil {
		return res, s.classify(err)
	}
	if first != nil {
		res.First = time.Unix(0, *first).UTC()
	}
	if last != nil {
		res.Last = time.Unix(0, *last).UTC()
	}
	if scanned != nil {
		res.LastScan = time.Unix(*scanned, 0).UTC()
	}
	// The rollup must equal the requests it sums: a report reads only the rollup.
	var bad int64
	err = s.db.QueryRow(`SELECT count(*) FROM (
	SELECT slot, user, source, model, speed, geo, tier, long, billed
	FROM (
		SELECT slot, user, source, model, speed, geo, tier, long, billed, records, input, output, cache_read AS cr, cache_write_5m + cache_write_1h AS cw, web_search + web_fetch AS ws FROM rollup
		UNION ALL
		SELECT (time / 1000000000 - (CASE WHEN time < 0 AND time % 900000000000 != 0 THEN 900 ELSE 0 END)) / 900, user, source, model, speed, geo, tier,
			CASE WHEN context = 2 THEN 1 WHEN context = 1 THEN 0 ELSE long END,
			CASE WHEN billed_input IS NOT NULL OR billed_output IS NOT NULL OR billed_cache_write IS NOT NULL OR billed_cache_read IS NOT NULL OR billed_web_search IS NOT NULL THEN 1 ELSE 0 END,
			-1, -input, -output, -cache_read, -(cache_write_5m + cache_write_1h), -(web_search + web_fetch) FROM requests
	) AS both_ GROUP BY slot, user, source, model, speed, geo, tier, long, billed
	HAVING sum(records) != 0 OR sum(input) != 0 OR sum(output) != 0 OR sum(cr) != 0 OR sum(cw) != 0 OR sum(ws) != 0) AS bad_`).Scan(&bad)
	if err != nil {
		return res, s.classify(err)
	}
	if bad > 0 {
		res.OK = false
		res.Advice = fmt.Sprintf("the rollup disagrees with the requests in %d groups: %s", bad, recovery(s.path))
		return res, nil
	}
	if s.schema < 4 {
		return res, nil // no daily rollup yet (a reader could not migrate the store)
	}
	// The daily rollup must equal the 15-minute one, summed per day.
	err = s.db.QueryRow(`SELECT count(*) FROM (
	SELECT day, user, source, model, speed, geo, tier, long, billed
	FROM (
		SELECT day, user, source, model, speed, geo, tier, long, billed, requests, records, input, output, cache_read AS cr,
			cache_write_5m + cache_write_1h AS cw, web_search + web_fetch AS ws FROM rollup_day
		UNION ALL
		SELECT ` + dayOfSlotSQL + ` AS day, user, source, model, speed, geo, tier, long, billed, -requests, -records, -input, -output,
			-cache_read, -(cache_write_5m + cache_write_1h), -(web_search + web_fetch) FROM rollup
	) AS both_ GROUP BY day, user, source, model, speed, geo, tier, long, billed
	HAVING sum(requests) != 0 OR sum(records) != 0 OR sum(input) != 0 OR sum(output) != 0 OR sum(cr) != 0 OR sum(cw) != 0 OR sum(ws) != 0) AS bad_`).Scan(&bad)
	if err != nil {
		return res, s.classify(err)
	}
	if bad > 0 {
		res.OK = false
		res.Advice = fmt.Sprintf("the daily rollup disagrees with the 15-minute rollup in %d groups: %s", bad, recovery(s.path))
	}
	return res, nil
}

// sqliteIntegrity reads the version and runs SQLite's integrity check.
func (s *Store) sqliteIntegrity(res *CheckResult) error {
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&res.Version); err != nil {
		return s.classify(err)
	}
	rows, err := s.db.Query(`PRAGMA integrity_check(20)`)
	if err != nil {
		return s.classify(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return s.classify(err)
		}
		res.Integrity = append(res.Integrity, line)
	}
	rows.Close()
	return s.classify(rows.Err())
}

// String is a short report for `usagescan store check`.
func (r CheckResult) String() string {
	if !r.OK {
		return fmt.Sprintf("%s: damaged (schema version %d of %d):\n  %s\n%s", r.Path, r.Version, r.Latest,
			strings.Join(r.Integrity, "\n  "), r.Advice)
	}
	s := fmt.Sprintf("%s: ok, schema version %d, %s in %s, %s, %s, %s",
		r.Path, r.Version, count(r.Requests, "request"), count(r.Groups, "rollup group"), count(r.Notices, "notice"),
		count(r.Snapshots, "status-line snapshot"), count(r.Files, "log file"))
	if !r.First.IsZero() {
		s += fmt.Sprintf("; requests from %s to %s", r.First.Format(time.DateOnly), r.Last.Format(time.DateOnly))
	}
	if !r.LastScan.IsZero() {
		s += "; last ingest " + r.LastScan.Format(time.RFC3339)
	}
	return s
}

func count(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
