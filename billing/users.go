package billing

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Values of Options.UserFrom.
const (
	UserFromAPIKey    = "api_key"   // the user from the API key's name (the default)
	UserFromWorkspace = "workspace" // the workspace is the user
)

// NoUser is the user of a row whose key (or workspace) is empty or "--".
const NoUser = "<none>"

// claudeCodeKeyPrefix starts the names of the keys the Console makes for Claude Code.
const claudeCodeKeyPrefix = "claude_code_key_"

// userFromKey is the user an API key name stands for. A Claude Code key
// "claude_code_key_<user>_<suffix>" stands for <user> (which may itself contain
// underscores: only the last "_" part, the Console's random suffix, is dropped);
// any other name stands for itself.
func userFromKey(key string) string {
	rest, ok := strings.CutPrefix(key, claudeCodeKeyPrefix)
	if !ok {
		return key
	}
	if i := strings.LastIndexByte(rest, '_'); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" {
		return key
	}
	return rest
}

// LoadUserMap reads a --user-map file: CSV rows "key,user" that merge API keys
// (or workspaces, with --user-from workspace) into people. A first row
// "key,user" is a header and skipped; blank lines and lines starting with '#'
// are skipped; cells are trimmed. Errors are "file:line: message".
func LoadUserMap(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readUserMap(f, path)
}

func readUserMap(r io.Reader, name string) (map[string]string, error) {
	cr := csv.NewReader(stripBOM(r))
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.ReuseRecord = true
	m := make(map[string]string)
	lineOf := make(map[string]int)
	first := true
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) != 2 {
			return nil, fmt.Errorf("%s:%d: want 2 cells (key,user), found %d", name, line, len(row))
		}
		key, user := strings.TrimSpace(row[0]), strings.TrimSpace(row[1])
		if first {
			first = false
			if strings.EqualFold(key, "key") && strings.EqualFold(user, "user") {
				continue
			}
		}
		if key == "" || user == "" {
			return nil, fmt.Errorf("%s:%d: empty key or user", name, line)
		}
		if old, ok := m[key]; ok && old != user {
			return nil, fmt.Errorf("%s:%d: key %q is mapped to %q on line %d and to %q here",
				name, line, key, old, lineOf[key], user)
		}
		m[key], lineOf[key] = user, line
	}
}
