// Package pgtest gives tests a fresh PostgreSQL schema of their own, in the
// database that USAGESCAN_TEST_PG names, and skips them when it is not set.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Env is the variable naming the test database, e.g.
// postgres://root@127.0.0.1:5432/test?sslmode=disable.
const Env = "USAGESCAN_TEST_PG"

// Base returns USAGESCAN_TEST_PG, or skips t with one line when it is unset.
func Base(t testing.TB, getenv func(string) string) string {
	t.Helper()
	base := getenv(Env)
	if base == "" {
		t.Skip(Env + " is not set: skipping the PostgreSQL test (set it to e.g. postgres://root@127.0.0.1:5432/test?sslmode=disable)")
	}
	return base
}

// URL creates a schema of a random name in the test database and returns the
// database's URL with search_path set to it; the schema is dropped when the
// test ends. It skips t when USAGESCAN_TEST_PG is unset.
func URL(t testing.TB, getenv func(string) string) string {
	t.Helper()
	base := Base(t, getenv)
	var b [6]byte
	rand.Read(b[:])
	schema := "usagescan_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("%s: creating a test schema: %v", Env, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("dropping the test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Count returns SELECT count(*) FROM table in the schema of u.
func Count(t testing.TB, u, table string) int64 {
	t.Helper()
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Exec runs statements in the schema of u, failing t on an error.
func Exec(t testing.TB, u string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// Role creates a login role of a random name starting with prefix, dropped
// when the test ends, and returns it with u's URL logging in as it.
func Role(t testing.TB, u, prefix string) (name, roleURL string) {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	name = prefix + "_" + hex.EncodeToString(b[:])
	Exec(t, u, `CREATE ROLE `+name+` LOGIN`)
	t.Cleanup(func() {
		db, err := sql.Open("pgx", u)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec(`DROP OWNED BY ` + name)
		db.Exec(`DROP ROLE ` + name)
	})
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.User = url.User(name)
	return name, p.String()
}

// Schema is the search_path of u.
func Schema(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Query().Get("search_path")
}
