package store

import (
	"database/sql"
	"os"
	"testing"

	"github.com/usagescan/usagescan/internal/pgtest"
)

// On PostgreSQL (USAGESCAN_TEST_PG): the daily rollup sums as on SQLite, and a
// version 3 store (no rollup_day) is migrated by the next run, even a reader's.
func TestPostgresRollupDay(t *testing.T) {
	u := pgtest.URL(t, os.Getenv)
	s, err := Open(u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkGroupsIn(t, s)
	wantDays := pgtest.Count(t, u, "rollup_day")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Back to version 3, as an older usagescan left it.
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DROP TABLE rollup_day; UPDATE meta SET value = '3' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	r, err := Open(u, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := r.Check()
	if err != nil || !res.OK || res.Version != SchemaVersion {
		t.Fatalf("after the migration: %+v, %v", res, err)
	}
	if n := pgtest.Count(t, u, "rollup_day"); n != wantDays || n == 0 {
		t.Errorf("rollup_day has %d rows after the migration, want %d as written", n, wantDays)
	}
}
