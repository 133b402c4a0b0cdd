package store

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The kinds of *Error; test with errors.Is.
var (
	// ErrLocked: another run held the store past Options.LockTimeout (the CLI's exit 4).
	ErrLocked = errors.New("store is locked")
	// ErrForeign: the file is not a usagescan store (another program's file, or
	// not SQLite at all). It is left untouched.
	ErrForeign = errors.New("not a usagescan store")
	// ErrCorrupt: the file is a damaged SQLite database. It is left untouched.
	ErrCorrupt = errors.New("store is damaged")
	// ErrNewer: the store was written by a newer usagescan (a higher schema version).
	ErrNewer = errors.New("store is from a newer usagescan")
)

// Error is a store that cannot be used, and what to do about it. Its message is
// "PATH: KIND (DETAIL): HINT"; a CLI may print Hint on a line of its own.
type Error struct {
	Path   string
	Kind   error  // ErrLocked, ErrForeign, ErrCorrupt or ErrNewer
	Detail string // what was found
	Hint   string // what to do
}

func (e *Error) Error() string {
	msg := e.Path + ": " + e.Kind.Error()
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Kind }

func foreignError(path, detail string) error {
	return &Error{Path: path, Kind: ErrForeign, Detail: detail,
		Hint: "it was left untouched; choose another file with --db or USAGESCAN_DB"}
}

func corruptError(path, detail string) error {
	return &Error{Path: path, Kind: ErrCorrupt, Detail: detail, Hint: recovery(path)}
}

// recovery says how to get a working store back.
func recovery(path string) string {
	if IsURL(path) {
		return "restore the database from a backup, or drop the store's tables (requests, rollup, notices, files, snapshots, meta) " +
			"and run usagescan ingest on each machine to build it again from the logs still on disk"
	}
	return fmt.Sprintf("move it aside (mv %s %s.broken) and run usagescan ingest to build a new one from the logs still on disk; "+
		"sqlite3 %s.broken .recover may save older rows", path, path, path)
}

// classify turns SQLite's "not a database" and "malformed" errors into an
// ErrCorrupt, and names the store in the others.
func (s *Store) classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if s.d != nil && s.d.pg {
		var re *redactedError
		if errors.As(err, &re) {
			return err
		}
		return s.scrubbed(err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return corruptError(s.path, err.Error())
		}
	}
	return fmt.Errorf("%s: %w", s.path, err)
}
