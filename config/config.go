// Package config reads usagescan's settings file,
// $XDG_CONFIG_HOME/usagescan/config.json (default ~/.config/usagescan/config.json):
//
//	{"plan": "max-5x", "tz": "Europe/Rome", "provider": ["anthropic", "runapi"], "db": "~/usage.db"}
//
// Every key is optional; provider is a name or a list of names. Flags win over
// the file, the file wins over the defaults (Resolve). An unknown key or a bad
// value is an error naming the file, line, column and key.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/usagescan/usagescan/internal/jsonfile"
)

// Keys are the settings a file may hold.
var Keys = []string{"plan", "tz", "provider", "db"}

// File is a settings file's content; empty values were not set.
type File struct {
	Path     string // "" when there was no file
	Plan     string
	TZ       string
	Provider []string
	DB       string
}

// DefaultPath is $XDG_CONFIG_HOME/usagescan/config.json, else
// ~/.config/usagescan/config.json; "" without either variable.
func DefaultPath(getenv func(string) string) string {
	if x := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "usagescan", "config.json")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "usagescan", "config.json")
	}
	return ""
}

// Checks validate values beyond their type; nil members accept anything.
type Checks struct {
	Plan     func(string) error
	Provider func(string) error
}

// Load reads the file at path. With explicit false (the default path), a
// missing file is no error: an empty File is returned.
func Load(path string, explicit bool, chk Checks) (*File, error) {
	if path == "" {
		return &File{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return &File{}, nil
		}
		return nil, err
	}
	return Parse(path, data, chk)
}

// Parse reads a settings file's content; name is used in errors, which are
// *jsonfile.FileError ("config.json:3:5: tz: unknown time zone ...").
func Parse(name string, data []byte, chk Checks) (*File, error) {
	d, err := jsonfile.Parse(name, data)
	if err != nil {
		return nil, err
	}
	root := d.Root()
	if err := d.Object(root, nil, Keys); err != nil {
		return nil, err
	}
	f := &File{Path: name}
	if n := root.Get("plan"); n != nil {
		if f.Plan, err = d.Str(n); err != nil {
			return nil, err
		}
		if chk.Plan != nil {
			if err := chk.Plan(f.Plan); err != nil {
				return nil, d.Errorf(n, "%v", err)
			}
		}
	}
	if n := root.Get("tz"); n != nil {
		if f.TZ, err = d.Str(n); err != nil {
			return nil, err
		}
		if _, err := time.LoadLocation(f.TZ); err != nil {
			return nil, d.Errorf(n, "unknown time zone %q (use an IANA name such as Europe/Rome)", f.TZ)
		}
	}
	if n := root.Get("provider"); n != nil {
		var nodes []*jsonfile.Node
		switch n.Kind {
		case jsonfile.String:
			nodes = []*jsonfile.Node{n}
		case jsonfile.Array:
			nodes = n.Elems
			if len(nodes) == 0 {
				return nil, d.Errorf(n, "want at least one provider")
			}
		default:
			return nil, d.Errorf(n, "want a provider name or a list of them (value %s)", d.Text(n))
		}
		for _, e := range nodes {
			s, err := d.Str(e)
			if err != nil {
				return nil, err
			}
			if chk.Provider != nil {
				if err := chk.Provider(s); err != nil {
					return nil, d.Errorf(e, "%v", err)
				}
			}
			f.Provider = append(f.Provider, s)
		}
	}
	if n := root.Get("db"); n != nil {
		if f.DB, err = d.Str(n); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Setting is one effective value and where it came from: "flag --tz",
// "env USAGESCAN_DB", "file PATH" or "default".
type Setting struct {
	Key    string
	Value  string // a list is joined with ", "
	Source string
}

// Flag is a setting given on the command line (or through its environment
// variable: Source says which); an empty Value is not given.
type Flag struct {
	Value  string
	Source string
}

// Resolve returns the effective settings in Keys order: a flag's value, else
// the file's, else the default's (defaults by key; a missing one is "").
func Resolve(f *File, flags map[string]Flag, defaults map[string]string) []Setting {
	if f == nil {
		f = &File{}
	}
	fileVal := map[string]string{"plan": f.Plan, "tz": f.TZ, "provider": strings.Join(f.Provider, ", "), "db": f.DB}
	var out []Setting
	for _, k := range Keys {
		s := Setting{Key: k}
		switch {
		case flags[k].Value != "":
			s.Value, s.Source = flags[k].Value, flags[k].Source
		case fileVal[k] != "":
			s.Value, s.Source = fileVal[k], "file "+f.Path
		default:
			s.Value, s.Source = defaults[k], "default"
		}
		out = append(out, s)
	}
	return out
}

// Lookup returns the setting with key k from settings.
func Lookup(settings []Setting, k string) Setting {
	for _, s := range settings {
		if s.Key == k {
			return s
		}
	}
	return Setting{Key: k}
}

// String is "key value (source)".
func (s Setting) String() string { return fmt.Sprintf("%s %s (%s)", s.Key, s.Value, s.Source) }
