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

	Requests int64 // stored requests
	Keyless  int64 // of which stored under a synthetic key (see Key)
	Notices  int64
	Files    int64     // log files with a saved position
	First    time.Time // the oldest request (zero when there are none)
	Last     time.Time // the newest request
	LastScan time.Time // the last ingest that read a file (zero: never)

	OK     bool
	Advice string // what to do when !OK
}

// Check verifies the store: SQLite's integrity check, the schema version, and the
// counts of what it holds.
func (s *Store) Check() (CheckResult, error) {
	res := CheckResult{Path: s.path, Latest: SchemaVersion}
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&res.Version); err != nil {
		return res, s.classify(err)
	}
	rows, err := s.db.Query(`PRAGMA integrity_check(20)`)
	if err != nil {
		return res, s.classify(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return res, s.classify(err)
		}
		res.Integrity = append(res.Integrity, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, s.classify(err)
	}
	res.OK = len(res.Integrity) == 1 && res.Integrity[0] == "ok" && res.Version == res.Latest
	if !res.OK {
		res.Advice = "the store is damaged: " + recovery(s.path)
		return res, nil
	}

	var first, last, scanned *string
	err = s.db.QueryRow(`SELECT
	(SELECT count(*) FROM requests),
	(SELECT count(*) FROM requests WHERE key >= '~' AND key < '~~'),
	(SELECT count(*) FROM notices),
	(SELECT count(*) FROM files),
	(SELECT min(time) FROM requests),
	(SELECT max(time) FROM requests),
	(SELECT max(last_scan) FROM files)`).Scan(&res.Requests, &res.Keyless, &res.Notices, &res.Files, &first, &last, &scanned)
	if err != nil {
		return res, s.classify(err)
	}
	if first != nil {
		res.First, _ = parseTime(*first)
	}
	if last != nil {
		res.Last, _ = parseTime(*last)
	}
	if scanned != nil {
		res.LastScan, _ = time.Parse(time.RFC3339, *scanned)
	}
	return res, nil
}

// String is a short report for `usagescan store check`.
func (r CheckResult) String() string {
	if !r.OK {
		return fmt.Sprintf("%s: damaged (schema version %d of %d):\n  %s\n%s", r.Path, r.Version, r.Latest,
			strings.Join(r.Integrity, "\n  "), r.Advice)
	}
	s := fmt.Sprintf("%s: ok, schema version %d, %s (%d without a key of their own), %s, %s",
		r.Path, r.Version, count(r.Requests, "request"), r.Keyless, count(r.Notices, "notice"), count(r.Files, "log file"))
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
