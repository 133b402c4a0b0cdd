package store

import "github.com/usagescan/usagescan/scan"

// FileStatesOf is FileStates for the given paths only (absolute, as stored):
// a lookup each, for a run that reads a few files (the status line reads one
// transcript), whatever the number of files stored.
func (s *Store) FileStatesOf(paths []string) (map[string]*scan.FileState, error) {
	m := make(map[string]*scan.FileState, len(paths))
	if len(paths) == 0 {
		return m, nil
	}
	q, err := s.db.Prepare(`SELECT ` + fileColumns + ` FROM files WHERE host = ? AND path = ?`)
	if err != nil {
		return nil, s.classify(err)
	}
	defer q.Close()
	for _, p := range paths {
		rows, err := q.Query(s.host, p)
		if err == nil {
			err = readFileStates(rows, m)
		}
		if err != nil {
			return nil, s.classify(err)
		}
	}
	return m, nil
}
