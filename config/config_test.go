package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	chk := Checks{
		Plan: func(s string) error {
			if s != "pro" && s != "max" {
				return errors.New("unknown plan " + s)
			}
			return nil
		},
		Provider: func(s string) error {
			if s == "acme" {
				return errors.New("unknown provider acme")
			}
			return nil
		},
	}
	f, err := Parse("c.json", []byte(`{"plan":"max","tz":"Europe/Rome","provider":["anthropic","runapi"],"db":"~/u.db"}`), chk)
	if err != nil || f.Plan != "max" || f.TZ != "Europe/Rome" || strings.Join(f.Provider, "+") != "anthropic+runapi" || f.DB != "~/u.db" {
		t.Fatalf("got %+v, %v", f, err)
	}
	if f, err := Parse("c.json", []byte(`{"provider":"runapi"}`), chk); err != nil || len(f.Provider) != 1 {
		t.Errorf("a single provider: %+v %v", f, err)
	}
	bad := []struct{ in, want string }{
		{"{\n  \"plan\": \"pro\",\n  \"colour\": true\n}", "c.json:3:3: colour: unknown field (want plan, tz, provider, db)"},
		{`{"plan": "gold"}`, "c.json:1:2: plan: unknown plan gold"},
		{`{"plan": 5}`, "c.json:1:2: plan: want a non-empty string (value 5)"},
		{`{"tz": "Mars/Olympus"}`, `c.json:1:2: tz: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Rome)`},
		{`{"provider": ["anthropic", "acme"]}`, "c.json:1:28: provider[1]: unknown provider acme"},
		{`{"provider": []}`, "c.json:1:2: provider: want at least one provider"},
		{`{"provider": {}}`, "c.json:1:2: provider: want a provider name or a list of them (value {})"},
		{`{"db": ""}`, `c.json:1:2: db: want a non-empty string (value "")`},
		{`[]`, "c.json:1:1: want an object (value [])"},
		{`{"plan": "pro",}`, "c.json:1:16"},
	}
	for _, b := range bad {
		_, err := Parse("c.json", []byte(b.in), chk)
		if err == nil || !strings.HasPrefix(err.Error(), b.want) {
			t.Errorf("Parse(%s) = %v, want %q", b.in, err, b.want)
		}
	}
}

func TestLoadAndPath(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": "/home/x"}
	getenv := func(k string) string { return env[k] }
	p := DefaultPath(getenv)
	if p != filepath.Join(dir, "usagescan", "config.json") {
		t.Errorf("DefaultPath = %s", p)
	}
	env["XDG_CONFIG_HOME"] = "relative" // ignored, as the XDG spec says
	if p := DefaultPath(getenv); p != "/home/x/.config/usagescan/config.json" {
		t.Errorf("DefaultPath = %s", p)
	}
	if f, err := Load(filepath.Join(dir, "none.json"), false, Checks{}); err != nil || f.Path != "" {
		t.Errorf("missing default file: %+v %v", f, err)
	}
	if _, err := Load(filepath.Join(dir, "none.json"), true, Checks{}); err == nil {
		t.Error("missing --config file: no error")
	}
	path := filepath.Join(dir, "c.json")
	os.WriteFile(path, []byte(`{"tz":"UTC"}`), 0o644)
	if f, err := Load(path, false, Checks{}); err != nil || f.TZ != "UTC" || f.Path != path {
		t.Errorf("Load: %+v %v", f, err)
	}
}

func TestResolve(t *testing.T) {
	f := &File{Path: "/c.json", Plan: "max", TZ: "Europe/Rome", Provider: []string{"a", "b"}}
	got := Resolve(f, map[string]Flag{"tz": {"UTC", "flag --tz"}, "db": {"/x.db", "env USAGESCAN_DB"}, "plan": {}}, map[string]string{"provider": "anthropic", "db": "/d.db"})
	want := []string{
		"plan max (file /c.json)",
		"tz UTC (flag --tz)",
		"provider a, b (file /c.json)",
		"db /x.db (env USAGESCAN_DB)",
	}
	for i, s := range got {
		if s.String() != want[i] {
			t.Errorf("setting %d = %q, want %q", i, s, want[i])
		}
	}
	got = Resolve(nil, nil, map[string]string{"provider": "anthropic"})
	if s := Lookup(got, "provider"); s.Value != "anthropic" || s.Source != "default" {
		t.Errorf("default: %+v", s)
	}
	if s := Lookup(got, "plan"); s.Value != "" || s.Source != "default" {
		t.Errorf("no plan: %+v", s)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"plan":"max","tz":"UTC","provider":["a"],"db":"x"}`))
	f.Add([]byte(`{"provider":"a"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("c.json", data, Checks{})
		if err == nil && c.Path != "c.json" {
			t.Fatalf("path %q", c.Path)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "c.json:") {
			t.Fatalf("error without file:line:col: %v", err)
		}
	})
}
