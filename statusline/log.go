package statusline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LogName is the error log's file name, beside the history store.
const LogName = "statusline.log"

// MaxLogBytes is the size past which the log is moved to LogName+".1" (one
// old copy kept) before the next line is written.
const MaxLogBytes = 256 << 10

// LogPath is the error log beside the store file dbPath: by default
// $XDG_DATA_HOME/usagescan/statusline.log.
func LogPath(dbPath string) string { return filepath.Join(filepath.Dir(dbPath), LogName) }

// AppendLog writes one line, "TIME MESSAGE", to the log at path, creating its
// folder, and rotates the log when it has grown past MaxLogBytes.
func AppendLog(path string, now time.Time, msg string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil && st.Size() > MaxLogBytes {
		if err := os.Rename(path, path+".1"); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	msg = strings.Join(strings.Fields(msg), " ") // one line
	_, err = fmt.Fprintf(f, "%s %s\n", now.UTC().Format(time.RFC3339), msg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
