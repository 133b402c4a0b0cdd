package store

import (
	"database/sql"
	"errors"
)

// The meta table keeps small named values between runs, such as the last day
// the Admin API pull got whole. On PostgreSQL it also holds the schema's
// version and mark (the keys application and schema_version), which SetMeta
// refuses to change.

// Meta returns the value stored under key, and whether there is one.
func (s *Store) Meta(key string) (string, bool, error) {
	var v string
	err := s.db.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, s.classify(err)
	}
	return v, true, nil
}

// SetMeta stores value under key, with the run.
func (t *Tx) SetMeta(key, value string) error {
	if key == "application" || key == "schema_version" {
		return errors.New("store: meta key " + key + " is the store's own")
	}
	_, err := t.tx.Exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return t.s.classify(err)
}
