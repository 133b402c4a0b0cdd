package store

import (
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
)

// The two backends share the store's code and SQL. Everything that differs
// between SQLite and PostgreSQL is here: the SQL is written for SQLite (with ?
// placeholders) and rewritten for PostgreSQL by the dialect; the schema's
// version lives in PRAGMA user_version on SQLite and in the meta table on
// PostgreSQL; SQLite writers take a flock, PostgreSQL writers rely on row locks
// (and an advisory lock while the schema is made).

// dialect is what one backend needs done differently.
type dialect struct {
	pg    bool
	cache sync.Map // SQL as written -> SQL for this backend
}

var (
	sqliteDialect   = &dialect{}
	postgresDialect = &dialect{pg: true}
)

// IsURL reports whether a --db value names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsURL(db string) bool {
	l := strings.ToLower(db)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Redact returns db fit to print: a PostgreSQL URL without its password (in
// the user info or a password parameter); a path as it is.
func Redact(db string) string {
	if !IsURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// secrets are the passwords a PostgreSQL connection may use: the URL's, the
// PGPASSWORD variable's and those of the password file. No message may hold
// one (see scrub).
func secrets(db string) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 3 {
			out = append(out, s)
		}
	}
	if u, err := url.Parse(db); err == nil {
		if u.User != nil {
			p, _ := u.User.Password()
			add(p)
		}
		add(u.Query().Get("password"))
		if v := u.Query().Get("passfile"); v != "" {
			out = append(out, passfile(v)...)
		}
	}
	add(os.Getenv("PGPASSWORD"))
	pf := os.Getenv("PGPASSFILE")
	if pf == "" {
		if home, err := os.UserHomeDir(); err == nil {
			pf = filepath.Join(home, ".pgpass")
		}
	}
	if pf != "" {
		out = append(out, passfile(pf)...)
	}
	return out
}

// passfile returns the passwords of a .pgpass file (host:port:db:user:password).
func passfile(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		// The fifth field; \: and \\ are escapes in the first four.
		n, i := 0, 0
		for ; i < len(line) && n < 4; i++ {
			switch line[i] {
			case '\\':
				i++
			case ':':
				n++
			}
		}
		if n == 4 && len(line)-i >= 3 {
			out = append(out, line[i:])
		}
	}
	return out
}

// scrub replaces every secret in msg.
func scrub(msg string, secrets []string) string {
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
		if e := url.QueryEscape(s); e != s {
			msg = strings.ReplaceAll(msg, e, "xxxxx")
		}
		if e := url.PathEscape(s); e != s {
			msg = strings.ReplaceAll(msg, e, "xxxxx")
		}
	}
	return msg
}

// redactedError is an error whose message has had the secrets removed; the
// error it wraps is kept for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Retryable reports whether err is a PostgreSQL serialization failure or
// deadlock (SQLSTATE 40001, 40P01): the transaction was rolled back and the
// whole run may be tried again.
func Retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Denied reports whether err is PostgreSQL refusing a write: the role may
// only read (SQLSTATE 42501 insufficient privilege, 25006 read-only transaction).
func Denied(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42501" || pe.Code == "25006")
}

// reserved are column names that PostgreSQL reserves: quoted there.
var reserved = map[string]bool{"user": true, "offset": true}

// q is query as this backend takes it. On PostgreSQL: ? placeholders become
// $1, $2, ...; the columns user and offset are quoted (they are reserved
// words, so the SQL spells them in lower case and keywords in upper case).
func (d *dialect) q(query string) string {
	if !d.pg {
		return query
	}
	if v, ok := d.cache.Load(query); ok {
		return v.(string)
	}
	key := query
	// SQLite's conflict clause on an insert: PostgreSQL's conflicts are handled
	// by the ON CONFLICT the PostgreSQL paths add.
	query = strings.Replace(query, "INSERT OR FAIL INTO", "INSERT INTO", 1)
	var b strings.Builder
	b.Grow(len(query) + len(query)/8)
	n := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"': // a literal or quoted name: as it is
			j := i + 1
			for j < len(query) && query[j] != c {
				j++
			}
			if j < len(query) {
				j++
			}
			b.WriteString(query[i:j])
			i = j
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(itoa(n))
			i++
		case isWord(c):
			j := i
			for j < len(query) && isWord(query[j]) {
				j++
			}
			w := query[i:j]
			if reserved[w] {
				b.WriteString(`"` + w + `"`)
			} else {
				b.WriteString(w)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	out := b.String()
	d.cache.Store(key, out)
	return out
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '$'
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var (
	reBlob    = regexp.MustCompile(`\bBLOB\b`)
	reInteger = regexp.MustCompile(`\bINTEGER\b`)
	reReal    = regexp.MustCompile(`\bREAL\b`)
)

// ddl is a schema statement (written for SQLite) for this backend: on
// PostgreSQL BLOB is BYTEA, INTEGER BIGINT, REAL DOUBLE PRECISION, and there is
// no WITHOUT ROWID.
func (d *dialect) ddl(schema string) string {
	if !d.pg {
		return schema
	}
	// SQLite's rowid alias: an identity column on PostgreSQL.
	schema = strings.ReplaceAll(schema, "INTEGER PRIMARY KEY,", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,")
	schema = strings.ReplaceAll(schema, ") WITHOUT ROWID;", ");")
	schema = strings.TrimSuffix(strings.TrimSpace(schema), ") WITHOUT ROWID")
	schema = reBlob.ReplaceAllString(schema, "BYTEA")
	schema = reInteger.ReplaceAllString(schema, "BIGINT")
	schema = reReal.ReplaceAllString(schema, "DOUBLE PRECISION")
	return d.q(schema)
}

// forUpdate ends a select of rows that a writer may change: on PostgreSQL they
// are locked until the transaction ends, so that "keep the best copy" is one
// atomic step however many machines ingest at once. SQLite has one writer.
func (d *dialect) forUpdate() string {
	if d.pg {
		return ` FOR UPDATE`
	}
	return ``
}

// conn is the store's database, speaking its dialect: the methods take SQL as
// written for SQLite.
type conn struct {
	*sql.DB
	d *dialect
}

func (c *conn) Query(q string, args ...any) (*sql.Rows, error) { return c.DB.Query(c.d.q(q), args...) }
func (c *conn) QueryRow(q string, args ...any) *sql.Row        { return c.DB.QueryRow(c.d.q(q), args...) }
func (c *conn) Exec(q string, args ...any) (sql.Result, error) { return c.DB.Exec(c.d.q(q), args...) }
func (c *conn) Prepare(q string) (*sql.Stmt, error)            { return c.DB.Prepare(c.d.q(q)) }

// Begin starts a transaction in the dialect.
func (c *conn) Begin() (*txn, error) {
	tx, err := c.DB.Begin()
	if err != nil {
		return nil, err
	}
	return &txn{tx, c.d}, nil
}

// txn is a transaction speaking its dialect.
type txn struct {
	*sql.Tx
	d *dialect
}

func (t *txn) Query(q string, args ...any) (*sql.Rows, error) { return t.Tx.Query(t.d.q(q), args...) }
func (t *txn) QueryRow(q string, args ...any) *sql.Row        { return t.Tx.QueryRow(t.d.q(q), args...) }
func (t *txn) Exec(q string, args ...any) (sql.Result, error) { return t.Tx.Exec(t.d.q(q), args...) }
func (t *txn) Prepare(q string) (*sql.Stmt, error)            { return t.Tx.Prepare(t.d.q(q)) }
