// Package scan finds Claude Code session logs and reads them on all cores into one
// deduplicated set of requests, with the diagnostics of the run.
//
// Discovery: without --logs, every entry of CLAUDE_CONFIG_DIR (comma-separated; a
// root or its projects/ folder), else both ~/.config/claude and ~/.claude; under
// each root every *.jsonl below projects/, recursively. With --logs, each PATH is a
// directory (walked for *.jsonl), one file, or "-" for standard input, and
// NAME=PATH attributes everything under PATH to user NAME.
package scan

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tidwall/gjson"
)

// Stdin is the --logs value that reads standard input.
const Stdin = "-"

// Source is one place to read logs from.
type Source struct {
	Path     string // a directory, a file, or Stdin
	User     string // who the records belong to
	Explicit bool   // named by the user: a missing path is worth a warning
}

// File is one log file to read.
type File struct {
	Path     string
	User     string
	Size     int64
	Mtime    int64  // unix nanoseconds, from the stat that found it
	Dev, Ino uint64 // identity, from the same stat
	Stream   bool   // not a regular file (a pipe or a device named as a source)
}

// Env is what discovery reads from the environment.
type Env struct {
	Getenv func(string) string
	User   string // --user; "" when not given
}

func (e Env) get(k string) string {
	if e.Getenv == nil {
		return os.Getenv(k)
	}
	return e.Getenv(k)
}

// Sources turns --logs values (empty: the default roots) into sources with their
// users resolved: NAME from NAME=PATH, else --user, else the account e-mail of
// the root's .claude.json, else $USER.
func Sources(logs []string, env Env) []Source {
	if len(logs) > 0 {
		var out []Source
		for _, l := range logs {
			name, path := SplitLabel(l)
			path = ExpandHome(path, env)
			user := name
			if user == "" {
				user = env.User
			}
			if user == "" && path != Stdin {
				user = accountEmail(filepath.Join(rootOf(path), ".claude.json"))
			}
			if user == "" {
				user = fallbackUser(env)
			}
			out = append(out, Source{Path: path, User: user, Explicit: true})
		}
		return out
	}
	if dirs := env.get("CLAUDE_CONFIG_DIR"); strings.TrimSpace(dirs) != "" {
		var out []Source
		for _, d := range strings.Split(dirs, ",") {
			d = ExpandHome(strings.TrimSpace(d), env)
			if d == "" {
				continue
			}
			root := rootOf(d)
			user := env.User
			if user == "" {
				user = accountEmail(filepath.Join(root, ".claude.json"))
			}
			if user == "" {
				user = fallbackUser(env)
			}
			out = append(out, Source{Path: filepath.Join(root, "projects"), User: user, Explicit: true})
		}
		return out
	}
	home := env.get("HOME")
	user := env.User
	if user == "" && home != "" {
		user = accountEmail(filepath.Join(home, ".claude.json"))
	}
	if user == "" {
		user = fallbackUser(env)
	}
	var out []Source
	for _, root := range []string{filepath.Join(home, ".config", "claude"), filepath.Join(home, ".claude")} {
		out = append(out, Source{Path: filepath.Join(root, "projects"), User: user})
	}
	return out
}

// SplitLabel splits "NAME=PATH". A value whose part before '=' looks like a path
// (has a separator) or is empty is a plain path.
func SplitLabel(s string) (name, path string) {
	i := strings.IndexByte(s, '=')
	if i <= 0 || strings.ContainsAny(s[:i], `/\`) {
		return "", s
	}
	return s[:i], s[i+1:]
}

// ExpandHome expands a leading ~ to $HOME.
func ExpandHome(p string, env Env) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home := env.get("HOME"); home != "" {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// rootOf is the Claude config root of a path: the parent of a projects/ folder,
// else the path itself (a file's root is its folder).
func rootOf(p string) string {
	p = filepath.Clean(p)
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		p = filepath.Dir(p)
	}
	if filepath.Base(p) == "projects" {
		return filepath.Dir(p)
	}
	return p
}

// accountEmail reads oauthAccount.emailAddress from a .claude.json, and nothing else.
func accountEmail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(gjson.GetBytes(data, "oauthAccount.emailAddress").String())
}

func fallbackUser(env Env) string {
	if u := env.get("USER"); u != "" {
		return u
	}
	return "unknown"
}

// Discover lists the *.jsonl files of the sources, each once (the first source
// naming a file decides its user), sorted by path. Missing or unreadable paths of
// explicit sources come back as warnings; the rest is still listed.
func Discover(sources []Source) (files []File, stdin *Source, warnings []string) {
	seen := make(map[string]bool)
	add := func(path, user string, fi fs.FileInfo) {
		key := path
		if abs, err := filepath.Abs(path); err == nil {
			key = abs
		}
		if seen[key] {
			return
		}
		seen[key] = true
		f := File{Path: path, User: user, Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), Stream: !fi.Mode().IsRegular()}
		f.Dev, f.Ino = Identity(fi)
		files = append(files, f)
	}
	for i := range sources {
		src := sources[i]
		if src.Path == Stdin {
			if stdin == nil {
				stdin = &sources[i]
			}
			continue
		}
		path := src.Path
		if resolved, err := filepath.EvalSymlinks(path); err == nil {
			path = resolved // a symlinked ~/.claude is walked like a folder
		}
		st, err := os.Stat(path)
		if err != nil {
			if src.Explicit {
				warnings = append(warnings, fmt.Sprintf("cannot read %s: %s", src.Path, reason(err)))
			}
			continue
		}
		if !st.IsDir() {
			add(path, src.User, st)
			continue
		}
		warnings = walkLogs(path, src.User, add, warnings)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, stdin, warnings
}

func reason(err error) string {
	switch {
	case os.IsNotExist(err):
		return "no such file or folder"
	case os.IsPermission(err):
		return "permission denied"
	}
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// walkLogs adds every *.jsonl file below root, following symlinked folders
// (people keep projects on other disks): a link under a projects/ folder
// wherever it points, any other link only when it stays inside root. Each
// folder is walked once, by its real path, so a link loop ends.
func walkLogs(root, user string, add func(path, user string, fi fs.FileInfo), warnings []string) []string {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root
	}
	// Only a link can lead back into a folder already walked: the folders a
	// walk reaches without one need no check (and no stat).
	seen := map[string]bool{realRoot: true}
	var walk func(dir string)
	walk = func(dir string) {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("cannot read %s: %s", p, reason(err)))
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if st, err := os.Stat(p); err == nil && st.IsDir() {
					if target, err := filepath.EvalSymlinks(p); err == nil && !seen[target] && (underProjects(p) || within(target, realRoot)) {
						seen[target] = true
						walk(target)
					}
					return nil
				}
			}
			if !strings.HasSuffix(d.Name(), ".jsonl") {
				return nil
			}
			info, err := os.Stat(p) // follows a symlinked file
			if err != nil || !info.Mode().IsRegular() {
				if err != nil {
					warnings = append(warnings, fmt.Sprintf("cannot read %s: %s", p, reason(err)))
				}
				return nil
			}
			add(p, user, info)
			return nil
		})
	}
	walk(root)
	return warnings
}

// underProjects reports whether a folder named "projects" holds path p.
func underProjects(p string) bool {
	for _, el := range strings.Split(filepath.ToSlash(filepath.Dir(filepath.Clean(p))), "/") {
		if el == "projects" {
			return true
		}
	}
	return false
}

// within reports whether path p is dir or below it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
