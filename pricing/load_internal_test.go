package pricing

import (
	"strings"
	"testing"
)

// The embedded table, read with no base, must state everything itself.
func TestBuildWithoutBase(t *testing.T) {
	const rates = `"rates": {"input": 1, "cache_write_5m": 1.25, "cache_write_1h": 2, "cache_read": 0.1, "output": 5}`
	const providers = `"providers": [{"id": "anthropic", "multiplier": 1}]`
	tests := []struct{ text, want string }{
		{`{"models": [{"id": "m", ` + rates + `}], ` + providers + `}`, "p.json:1:1: checked: missing"},
		{`{"checked": "2026-01-02", ` + providers + `}`, "p.json:1:1: models: missing"},
		{`{"checked": "2026-01-02", "models": []}`, `p.json:1:1: providers: no provider "anthropic" (list price)`},
		{`[]`, "p.json:1:1: want an object (value [])"},
		{`{"checked": "2026-01-02", "models": [{"id": "m", "note": "` + strings.Repeat("é", 50) + `", ` + rates + `}], ` + providers + `}`, ""},
		{`{"checked": "2026-01-02", "models": [{"id": "m", "note": ["` + strings.Repeat("é", 50) + `"], ` + rates + `}], ` + providers + `}`,
			`p.json:1:50: models[0].note: want a string (value ["` + strings.Repeat("é", 35) + `...)`},
	}
	for _, tt := range tests {
		tab, err := build(nil, "p.json", []byte(tt.text))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.text, err)
		case tt.want == "" && len(tab.models) != 1:
			t.Errorf("%s: %d models", tt.text, len(tab.models))
		case tt.want != "" && (err == nil || err.Error() != tt.want):
			t.Errorf("%s:\n got %v\nwant %s", tt.text, err, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"claude-opus-4-6":                        "claude-opus-4-6",
		"Claude 3.5 Sonnet 2024-10-22":           "claude-3-5-sonnet-20241022",
		"  Claude   Haiku\t4.5 ":                 "claude-haiku-4-5",
		"global.anthropic.claude-opus-4-6-v1":    "claude-opus-4-6",
		"anthropic.claude-3-haiku-20240307-v1:0": "claude-3-haiku-20240307",
		"claude-3-5-sonnet-v2@20241022":          "claude-3-5-sonnet-v2-20241022",
		"claude-sonnet-4-5@latest":               "claude-sonnet-4-5@latest",
		"anthropic/claude-3.5-haiku":             "claude-3-5-haiku",
		"us.claude-opus-4-6":                     "us-claude-opus-4-6",
		"anthropic.claude-x-v":                   "claude-x-v",
	} {
		if got := key(in); got != want {
			t.Errorf("key(%q) = %q, want %q", in, got, want)
		}
	}
}
