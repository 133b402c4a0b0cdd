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
	q, err := s.db.Prepare(`SELECT path, user, device, inode, size, mtime, offset, lines, head_len, head_sha256 FROM files WHERE host = ? AND path = ?`)
	if err != nil {
		return nil, s.classify(err)
	}
	defer q.Close()
	for _, p := range paths {
		rows, err := q.Query(s.host, p)
		if err != nil {
			return nil, s.classify(err)
		}
		for rows.Next() {
			var f scan.FileState
			var dev, ino int64
			if err := rows.Scan(&f.Path, &f.User, &dev, &ino, &f.Size, &f.Mtime, &f.Offset, &f.Lines, &f.HeadLen, &f.Head); err != nil {
				rows.Close()
				return nil, s.classify(err)
			}
			f.Dev, f.Ino = uint64(dev), uint64(ino)
			m[f.Path] = &f
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, s.classify(err)
		}
	}
	return m, nil
}
