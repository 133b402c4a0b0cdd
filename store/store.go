package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/usagescan/usagescan/usage"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// DefaultLockTimeout is how long a writer waits for another run to finish.
const DefaultLockTimeout = 60 * time.Second

// Options tune Open; the zero value opens a writer with the default lock timeout.
type Options struct {
	// ReadOnly opens the store for reading only: no lock is taken (WAL lets
	// readers run beside an ingest; each read sees the last committed run) and
	// the connection refuses writes. A missing store is an error wrapping
	// fs.ErrNotExist. A store from an older schema is migrated first, under the
	// writer's lock.
	ReadOnly bool
	// LockTimeout is how long to wait for the lock: 0 means DefaultLockTimeout,
	// a negative value fails at once when the store is busy.
	LockTimeout time.Duration
	// Long decides whether a logged request (usage.ContextAuto) is priced at its
	// model's long-context tier; the decision is stored with it, so that the
	// rollup can price groups (pricing.Table.LongContext). Nil: never.
	Long func(*usage.Request) bool
	// Host names this machine in the files table (default: os.Hostname), so
	// that machines sharing a store never take each other's files for their own.
	Host string

	failAfter int // test hook: a Tx fails after this many request writes
}

// Store is an open usagescan store. Its methods are not safe for concurrent use.
type Store struct {
	path      string // the file, or the URL without its password
	url       string // a PostgreSQL store's URL, as given ("" for SQLite)
	db        *conn
	d         *dialect
	secrets   []string // passwords no message may hold (PostgreSQL)
	lock      *os.File // held by writers until Close
	readOnly  bool
	schema    int // the schema version as opened: a reader that could not migrate reads version 3 as it is
	host      string
	longFn    func(*usage.Request) bool
	failAfter int
}

// long is Options.Long.
func (s *Store) long(r *usage.Request) bool { return s.longFn != nil && s.longFn(r) }

// DefaultPath is where the store lives unless --db says otherwise: $USAGESCAN_DB,
// else $XDG_DATA_HOME/usagescan/usage.db, else ~/.local/share/usagescan/usage.db.
// getenv is os.Getenv outside tests.
func DefaultPath(getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if p := getenv("USAGESCAN_DB"); p != "" {
		if p == "~" || strings.HasPrefix(p, "~/") { // a crontab does not expand it
			if home == "" {
				return "", fmt.Errorf("USAGESCAN_DB=%s: HOME is not set", p)
			}
			p = filepath.Join(home, p[1:])
		}
		return p, nil
	}
	if x := getenv("XDG_DATA_HOME"); filepath.IsAbs(x) { // the XDG spec ignores relative values
		return filepath.Join(x, "usagescan", "usage.db"), nil
	}
	if home == "" {
		return "", errors.New("cannot find the store: HOME is not set (use --db or USAGESCAN_DB)")
	}
	return filepath.Join(home, ".local", "share", "usagescan", "usage.db"), nil
}

// Open opens the store at path. A writer (the default) creates the file and its
// folder if missing, waits for the lock (see Options.LockTimeout), and migrates an
// older schema. A file that is not a usagescan store is never written to: Open
// returns an *Error of kind ErrForeign, ErrCorrupt or ErrNewer; a writer that
// waited past Options.LockTimeout returns one of kind ErrLocked.
//
// A PostgreSQL URL (see IsURL) opens the tables of a shared database instead:
// see postgres.go. There is no lock file: writers on many machines run at once.
func Open(path string, opt Options) (*Store, error) {
	if opt.LockTimeout == 0 {
		opt.LockTimeout = DefaultLockTimeout
	}
	if IsURL(path) {
		s := &Store{path: Redact(path), url: path, d: postgresDialect, readOnly: opt.ReadOnly, host: opt.Host,
			longFn: opt.Long, failAfter: opt.failAfter}
		if s.host == "" {
			s.host, _ = os.Hostname()
		}
		if err := s.openPG(opt); err != nil {
			return nil, err
		}
		return s, nil
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	s := &Store{path: path, d: sqliteDialect, readOnly: opt.ReadOnly, host: opt.Host, longFn: opt.Long, failAfter: opt.failAfter}
	if s.host == "" {
		s.host, _ = os.Hostname()
	}
	if opt.ReadOnly {
		if err := s.openReader(opt); err != nil {
			return nil, err
		}
		return s, nil
	}
	// Checked before locking too, so that a foreign file gets no lock file beside it.
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the store's folder: %w", err)
	}
	_, lockErr := os.Stat(path + ".lock")
	lk, err := acquire(path, opt.LockTimeout)
	if err != nil {
		return nil, err
	}
	s.lock = lk
	if err := s.openWriter(); err != nil {
		release(lk)
		if errors.Is(lockErr, fs.ErrNotExist) && errors.Is(err, ErrForeign) {
			// Another program's file: leave nothing of ours beside it.
			os.Remove(path + ".lock")
		}
		return nil, err
	}
	return s, nil
}

// Path is the store's file, or its PostgreSQL URL without the password: fit to print.
func (s *Store) Path() string { return s.path }

// Postgres reports whether the store is a PostgreSQL database.
func (s *Store) Postgres() bool { return s.d.pg }

// Close closes the database and releases the lock.
func (s *Store) Close() error {
	var err error
	if s.db != nil {
		err = s.db.Close()
		s.db = nil
	}
	if s.lock != nil {
		release(s.lock)
		s.lock = nil
	}
	return err
}

func (s *Store) openWriter() error {
	if err := checkHeader(s.path); err != nil {
		return err
	}
	db, err := openDB(s.path, false)
	if err != nil {
		return s.classify(err)
	}
	if err := s.prepare(db); err != nil {
		db.Close()
		return err
	}
	s.db = &conn{db, sqliteDialect}
	s.schema = SchemaVersion // prepare migrated it
	return nil
}

func (s *Store) openReader(opt Options) error {
	st, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && st.Size() == 0 { // empty: never written
		return fmt.Errorf("no store at %s: %w", s.path, fs.ErrNotExist)
	}
	if err != nil {
		return fmt.Errorf("cannot open the store: %w", err)
	}
	if err := checkHeader(s.path); err != nil {
		return err
	}
	db, err := openDB(s.path, true)
	if err != nil {
		return s.classify(err)
	}
	v, err := s.version(db)
	if err != nil {
		db.Close()
		return err
	}
	if v == 0 {
		db.Close()
		return fmt.Errorf("no store at %s: %w", s.path, fs.ErrNotExist)
	}
	s.schema = v
	if v < SchemaVersion {
		// An older store: migrate it as a writer would, then read.
		db.Close()
		err := migrateFor(s.path, opt)
		if err != nil && v < readableVersion {
			return err
		}
		if err == nil {
			s.schema = SchemaVersion
		}
		// Else a store of a version readers know, that this user may not
		// write or another run holds: read as it is (the next writer migrates it).
		if db, err = openDB(s.path, true); err != nil {
			return s.classify(err)
		}
	}
	s.db = &conn{db, sqliteDialect}
	return nil
}

// readableVersion is the oldest schema a reader reads as it is when it cannot
// migrate it (version 3: the rollup, without the daily one).
const readableVersion = 3

// migrateFor migrates the store at path (a file or a URL) for a reader: it
// opens it as a writer, waiting for the lock only briefly, since a reader
// that cannot migrate reads a readable version as it is.
func migrateFor(path string, opt Options) error {
	w, err := Open(path, Options{LockTimeout: min(opt.LockTimeout, migrateWait), Long: opt.Long, Host: opt.Host})
	if err != nil {
		return err
	}
	return w.Close()
}

// migrateWait is how long a reader waits for the lock to migrate the store.
const migrateWait = 200 * time.Millisecond

// openDB opens one connection to path. Readers get a connection that refuses
// writes. Nothing here writes to the file: WAL mode is set by prepare, once the
// file is known to be ours.
func openDB(path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	// NORMAL: in WAL mode a power cut may undo the last ingest but never damages
	// the file; an ingest is one transaction with the files' positions, so the
	// next run simply reads those bytes again.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-2000)") // 2 MB of page cache: a larger one buys little time for a run, and costs its memory and the time to free it at close
	// Statement journals (a multi-row insert may need to undo itself) in
	// memory, not in a temporary file written page by page.
	q.Add("_pragma", "temp_store(memory)")
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		if !writableDir(filepath.Dir(path)) {
			// A folder this user cannot write (another owner, a read-only
			// mount): a WAL reader could not make its shared-memory file. No
			// writer can exist there either, so the file is read as immutable.
			q.Set("mode", "ro")
			q.Set("immutable", "1")
		}
	}
	// A file: URI, so that a '?' or '#' in the path is not taken for a parameter.
	u := url.URL{Scheme: "file", Path: path, OmitHost: true}
	db, err := sql.Open("sqlite", u.String()+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one run, one connection: pragmas and transactions stay on it
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

var sqliteMagic = []byte("SQLite format 3\x00")

// checkHeader rejects a file that is not SQLite, or SQLite marked by another
// program, reading its first 100 bytes only. A missing or empty file is fine.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot open the store: %w", err)
	}
	defer f.Close()
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if n == 0 && (err == io.EOF || err == nil) {
		return nil
	}
	if err != nil && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("cannot read the store: %w", err)
	}
	if n < len(h) || !bytes.Equal(h[:16], sqliteMagic) {
		return foreignError(path, "not a SQLite database")
	}
	if id := int32(binary.BigEndian.Uint32(h[68:72])); id != 0 && id != applicationID {
		return foreignError(path, fmt.Sprintf("a SQLite database of another program, application_id %#x", uint32(id)))
	}
	return nil
}

// version checks that the file is ours and returns its schema version; 0 is an
// empty database, a new store.
func (s *Store) version(db *sql.DB) (int, error) {
	var appID int32
	var v, objects int
	err := db.QueryRow(`PRAGMA application_id`).Scan(&appID)
	if err == nil {
		err = db.QueryRow(`PRAGMA user_version`).Scan(&v)
	}
	if err == nil {
		err = db.QueryRow(`SELECT count(*) FROM sqlite_schema`).Scan(&objects)
	}
	if err != nil {
		return 0, s.classify(err)
	}
	switch {
	case appID == 0 && v == 0 && objects == 0:
		return 0, nil
	case appID != applicationID:
		if appID == 0 {
			return 0, foreignError(s.path, "a SQLite database with tables of its own")
		}
		return 0, foreignError(s.path, fmt.Sprintf("a SQLite database of another program, application_id %#x", uint32(appID)))
	case v > SchemaVersion:
		return 0, &Error{Path: s.path, Kind: ErrNewer, Hint: "upgrade usagescan",
			Detail: fmt.Sprintf("schema version %d; this usagescan reads up to %d", v, SchemaVersion)}
	case v < 1:
		return 0, corruptError(s.path, fmt.Sprintf("schema version %d", v))
	}
	return v, nil
}

// prepare makes a new store or migrates an older one, and turns on WAL.
func (s *Store) prepare(db *sql.DB) error {
	v, err := s.version(db)
	if err != nil {
		return err
	}
	if v == 0 {
		// A new store: 16 KB pages (fewer splits as rows arrive, and fewer
		// pages to manage in the cache). Only a database without tables can
		// change its page size.
		if _, err := db.Exec(`PRAGMA page_size = 16384`); err != nil {
			return s.classify(err)
		}
	}
	if v < SchemaVersion {
		if err := s.migrate(db, v, SchemaVersion); err != nil {
			return s.classify(err)
		}
	}
	// journal_mode is kept in the file; set it only when it differs, since it
	// needs the database to itself.
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		return s.classify(err)
	}
	if !strings.EqualFold(mode, "wal") {
		if err := db.QueryRow(`PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
			return s.classify(err)
		}
	}
	return nil
}

// migrate runs migrations from..to-1 in one transaction.
func (s *Store) migrate(db *sql.DB, from, to int) error {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if from == 0 {
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA application_id = %d`, applicationID)); err != nil {
			return err
		}
	}
	for v := from; v < to; v++ {
		if _, err := tx.Exec(migrations[v]); err != nil {
			return fmt.Errorf("migrating the store to version %d: %w", v+1, err)
		}
		if v == 2 {
			if err := s.migrateV3(&txn{tx, sqliteDialect}); err != nil {
				return fmt.Errorf("migrating the store to version 3: %w", err)
			}
		}
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, to)); err != nil {
		return err
	}
	return tx.Commit()
}
