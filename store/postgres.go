package store

import (
	"database/sql"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A PostgreSQL store is the tables of one schema (the first of the URL's
// search_path, by default public) in a database that several machines share.
// Its version is the meta table's schema_version row, and its meta row
// application = usagescan marks it as ours. A store is made at version 3
// directly and migrated from there, under an advisory lock so that two first runs do not both make it.

// pgAdvisoryKey is the advisory lock taken while the schema is made or
// migrated ("USGS").
const pgAdvisoryKey = 0x55534753

// openPG opens the PostgreSQL store at s.url.
func (s *Store) openPG(opt Options) error {
	cfg, err := pgx.ParseConfig(s.url)
	if err != nil {
		return s.classify(fmt.Errorf("not a PostgreSQL URL: %w", err))
	}
	if opt.ReadOnly { // the connection refuses writes
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "usagescan"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	if err := db.Ping(); err != nil {
		db.Close()
		return s.classify(fmt.Errorf("cannot connect: %w", err))
	}
	c := &conn{db, postgresDialect}
	v, err := s.pgVersion(c)
	if err == nil && v == 0 && opt.ReadOnly {
		err = fmt.Errorf("no store at %s: %w", s.path, fs.ErrNotExist)
	}
	s.schema = v
	if err == nil && v > 0 && v < SchemaVersion && opt.ReadOnly {
		// An older store: migrate it as a writer would, then read; a role
		// that may only read reads it as it is (the next writer migrates it).
		if merr := migrateFor(s.url, opt); merr == nil {
			s.schema = SchemaVersion
		} else if v < readableVersion {
			err = merr
		}
	}
	if err == nil && v < SchemaVersion && !opt.ReadOnly {
		err = s.pgCreate(c)
		s.schema = SchemaVersion
	}
	if err != nil {
		db.Close()
		return err
	}
	s.db = c
	return nil
}

// pgVersion is the schema version of the store, 0 when the schema holds no
// table yet. A schema with tables of another program is ErrForeign.
func (s *Store) pgVersion(c interface {
	QueryRow(string, ...any) *sql.Row
}) (int, error) {
	var hasMeta bool
	var tables int
	err := c.QueryRow(`SELECT to_regclass('meta') IS NOT NULL,
	(SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema())`).Scan(&hasMeta, &tables)
	if err != nil {
		return 0, s.classify(err)
	}
	if !hasMeta {
		if tables == 0 {
			return 0, nil
		}
		return 0, foreignError(s.path, "a PostgreSQL schema with tables of its own")
	}
	var app, ver sql.NullString
	err = c.QueryRow(`SELECT (SELECT value FROM meta WHERE key = 'application'), (SELECT value FROM meta WHERE key = 'schema_version')`).Scan(&app, &ver)
	if err != nil {
		return 0, s.classify(err)
	}
	if app.String != "usagescan" {
		return 0, foreignError(s.path, "a PostgreSQL schema with a meta table of another program")
	}
	v, err := strconv.Atoi(ver.String)
	switch {
	case err != nil || v < 1:
		return 0, corruptError(s.path, fmt.Sprintf("schema version %q", ver.String))
	case v > SchemaVersion:
		return 0, &Error{Path: s.path, Kind: ErrNewer, Hint: "upgrade usagescan",
			Detail: fmt.Sprintf("schema version %d; this usagescan reads up to %d", v, SchemaVersion)}
	case v < 3:
		// PostgreSQL stores start at version 3; later versions migrate here.
		return 0, corruptError(s.path, fmt.Sprintf("schema version %d has no migration on PostgreSQL", v))
	}
	return v, nil
}

// pgCreate makes the schema at version 3 (unless another run made it while
// this one waited for the advisory lock) and migrates it to SchemaVersion.
func (s *Store) pgCreate(c *conn) error {
	tx, err := c.Begin()
	if err != nil {
		return s.classify(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(?)`, int64(pgAdvisoryKey)); err != nil {
		return s.classify(err)
	}
	v, err := s.pgVersion(tx)
	if err != nil || v >= SchemaVersion {
		return err
	}
	run := func(schema, what string) error {
		for _, stmt := range strings.Split(postgresDialect.ddl(schema), ";\n") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.Tx.Exec(stmt); err != nil {
				return s.classify(fmt.Errorf("%s: %w", what, err))
			}
		}
		return nil
	}
	if v == 0 {
		if err := run(schemaV3, "making the store's tables"); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO meta (key, value) VALUES ('application', 'usagescan'), ('schema_version', '3')`); err != nil {
			return s.classify(err)
		}
		v = 3
	}
	for ; v < SchemaVersion; v++ {
		if err := run(migrations[v], fmt.Sprintf("migrating the store to version %d", v+1)); err != nil {
			return err
		}
		if v == 3 {
			// The roles granted rights on rollup (a team's writers and
			// readers) get the same on the table that joins it.
			if err := pgCopyGrants(tx, "rollup", "rollup_day"); err != nil {
				return s.classify(fmt.Errorf("migrating the store to version 4: granting on rollup_day as on rollup: %w", err))
			}
		}
	}
	if _, err := tx.Exec(`UPDATE meta SET value = ? WHERE key = 'schema_version'`, strconv.Itoa(SchemaVersion)); err != nil {
		return s.classify(err)
	}
	return s.classify(tx.Commit())
}

// pgCopyGrants grants on table to every role (and PUBLIC) what it holds on
// from, but for the owner's own rights.
func pgCopyGrants(tx *txn, from, to string) error {
	rows, err := tx.Tx.Query(`SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
	a.privilege_type
FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE c.oid = $1::regclass AND a.grantee <> c.relowner`, from)
	if err != nil {
		return err
	}
	var grants [][2]string
	for rows.Next() {
		var role, priv string
		if err := rows.Scan(&role, &priv); err != nil {
			rows.Close()
			return err
		}
		grants = append(grants, [2]string{role, priv})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range grants { // privilege names are SQL keywords (SELECT, INSERT, ...)
		if _, err := tx.Tx.Exec(`GRANT ` + g[1] + ` ON ` + to + ` TO ` + g[0]); err != nil {
			return err
		}
	}
	return nil
}

// scrubbed is err named by the store, without any password (see secrets).
func (s *Store) scrubbed(err error) error {
	if s.secrets == nil {
		s.secrets = secrets(s.url)
		if s.secrets == nil {
			s.secrets = []string{}
		}
	}
	msg := scrub(s.path+": "+err.Error(), s.secrets)
	return &redactedError{msg: msg, err: err}
}
