package pricing_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// writeFile writes text to a file named name in a new directory and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(text), 0o666); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestOverride(t *testing.T) {
	file := writeFile(t, "mine.json", `{
  "checked": "2026-08-01",
  "models": [
    {
      "id": "claude-sonnet-4-6",
      "name": "Claude Sonnet 4.6",
      "rates": {"input": 4, "cache_write_5m": 5, "cache_write_1h": 8, "cache_read": 0.40, "output": 20}
    },
    {
      "id": "claude-foo-1",
      "aliases": ["claude-foo", "Foo Large"],
      "rates": {"input": 1, "cache_write_5m": 1.25, "cache_write_1h": 2, "cache_read": 0.10, "output": 2},
      "long_context": {"threshold": 1000, "rates": {"input": 2, "cache_write_5m": 2.50, "cache_write_1h": 4, "cache_read": 0.20, "output": 4}},
      "inference_geo_us": true
    }
  ],
  "providers": [
    {"id": "runapi", "multiplier": 0.6},
    {"id": "acme", "multiplier": 0.8, "note": "our contract"}
  ]
}
`)
	def := pricing.Default()
	tab, err := def.Override(file)
	if err != nil {
		t.Fatal(err)
	}
	cost := func(tab *pricing.Table, model, provider string, tok usage.Tokens) float64 {
		t.Helper()
		c, ok := tab.Cost(&usage.Request{Model: model, Tokens: tok}, provider)
		if !ok {
			t.Fatalf("Cost(%s, %s) not ok", model, provider)
		}
		return c.Total()
	}
	in := usage.Tokens{Input: 1e6}
	for _, tt := range []struct {
		tab             *pricing.Table
		model, provider string
		tok             usage.Tokens
		want            float64
	}{
		{tab, "claude-sonnet-4-6", "", in, 4},           // replaced
		{tab, "anthropic/claude-sonnet-4.6", "", in, 4}, // under all its names
		{def, "claude-sonnet-4-6", "", in, 3},           // the default is untouched
		{tab, "claude-sonnet-4-5", "", in, 6},           // others kept (above 200k: 6)
		{tab, "claude-foo-1", "", usage.Tokens{Input: 1000}, 0.001},
		{tab, "Foo Large", "", usage.Tokens{Input: 1001}, 0.002002}, // its tier
		{tab, "claude-foo", "acme", usage.Tokens{Input: 1000}, 0.0008},
		{tab, "claude-sonnet-4-5", "runapi", usage.Tokens{Input: 1000}, 0.0018},
		{tab, "claude-sonnet-4-5", "anthropic", usage.Tokens{Input: 1000}, 0.003},
	} {
		if got := cost(tt.tab, tt.model, tt.provider, tt.tok); !near(got, tt.want) {
			t.Errorf("%s via %q: %v, want %v", tt.model, tt.provider, got, tt.want)
		}
	}
	m, _ := tab.Lookup("claude-foo")
	if m.Name != "claude-foo-1" || !m.GeoUS {
		t.Errorf("claude-foo-1 = %+v", m)
	}
	if got, want := len(tab.Models()), len(def.Models())+1; got != want {
		t.Errorf("%d models, want %d", got, want)
	}
	if got, want := len(tab.Providers()), 3; got != want {
		t.Errorf("%d providers, want %d", got, want)
	}
	if got := tab.Checked(); !got.Equal(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Checked() = %v, want the earlier date 2026-08-01", got)
	}
	if _, ok := def.Provider("acme"); ok {
		t.Error("the default table has acme")
	}

	// An override of only a provider, without a date, keeps the table's date.
	file = writeFile(t, "p.json", `{"providers": [{"id": "acme", "multiplier": 0.9}]}`)
	tab, err = def.Override(file)
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Checked().Equal(def.Checked()) || len(tab.Models()) != len(def.Models()) {
		t.Errorf("provider-only override changed the date or the models")
	}
}

func TestOverrideErrors(t *testing.T) {
	// Each case puts its text in a file named prices.json inside
	//   {"models": [ <model> ]}
	// laid out so that the model starts on line 3, column 5.
	model := func(body string) string {
		return "{\n  \"models\": [\n    {\n" + body + "\n    }\n  ]\n}\n"
	}
	const rates = `      "rates": {"input": 3, "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.30, "output": 15}`
	tests := []struct {
		name, text string
		want       string // after the file name
	}{
		{"rate not a number", model(`      "id": "claude-x",
      "rates": {
        "input": "abc",
        "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.30, "output": 15
      }`),
			`:6:9: models[0].rates.input: want a number > 0 (value "abc")`},
		{"rate zero", model(`      "id": "claude-x",
      "rates": {"input": 0, "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.30, "output": 15}`),
			`:5:17: models[0].rates.input: want a number > 0 (value 0)`},
		{"rate negative", model(`      "id": "claude-x",
      "rates": {"input": 3, "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": -0.30, "output": 15}`),
			`:5:74: models[0].rates.cache_read: want a number > 0 (value -0.30)`},
		{"missing id", model(rates),
			`:3:5: models[0].id: missing`},
		{"empty id", model(`      "id": "",` + "\n" + rates),
			`:4:7: models[0].id: want a non-empty string (value "")`},
		{"missing rate", model(`      "id": "claude-x",
      "rates": {"input": 3, "cache_write_5m": 3.75, "cache_write_1h": 6, "output": 15}`),
			`:5:16: models[0].rates.cache_read: missing`},
		{"missing rates", model(`      "id": "claude-x"`),
			`:3:5: models[0].rates: missing`},
		{"unknown field", model(`      "id": "claude-x",
      "input": 3,` + "\n" + rates),
			`:5:7: models[0].input: unknown field (want id, rates, name, aliases, changes, long_context, fast, inference_geo_us, note)`},
		{"tier not an object", model(`      "id": "claude-x",` + "\n" + rates + `,
      "long_context": [200000, 6]`),
			`:6:7: models[0].long_context: want an object (value [200000, 6])`},
		{"tier with flat rates", model(`      "id": "claude-x",` + "\n" + rates + `,
      "long_context": {"threshold": 200000, "input": 6}`),
			`:6:45: models[0].long_context.input: unknown field (want threshold, rates)`},
		{"tier without threshold", model(`      "id": "claude-x",` + "\n" + rates + `,
      "long_context": {"rates": {"input": 6, "cache_write_5m": 7.5, "cache_write_1h": 12, "cache_read": 0.6, "output": 22.5}}`),
			`:6:23: models[0].long_context.threshold: missing`},
		{"tier threshold fraction", model(`      "id": "claude-x",` + "\n" + rates + `,
      "long_context": {"threshold": 2.5e5, "rates": {"input": 6, "cache_write_5m": 7.5, "cache_write_1h": 12, "cache_read": 0.6, "output": 22.5}}`),
			`:6:24: models[0].long_context.threshold: want a whole number > 0 (value 2.5e5)`},
		{"fast and tier", model(`      "id": "claude-x",` + "\n" + rates + `,
      "long_context": {"threshold": 200000, "rates": {"input": 6, "cache_write_5m": 7.5, "cache_write_1h": 12, "cache_read": 0.6, "output": 22.5}},
      "fast": {"input": 6, "output": 30}`),
			`:7:7: models[0].fast: a model with long_context cannot have fast rates`},
		{"bad change date", model(`      "id": "claude-x",` + "\n" + rates + `,
      "changes": [{"from": "2026-13-01", "rates": {"input": 3, "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.30, "output": 15}}]`),
			`:6:20: models[0].changes[0].from: want a date YYYY-MM-DD (value "2026-13-01")`},
		{"changes out of order", model(`      "id": "claude-x",` + "\n" + rates + `,
      "changes": [
        {"from": "2026-10-07", "rates": {"input": 3, "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.30, "output": 15}},
        {"from": "2026-10-07", "rates": {"input": 3, "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.30, "output": 15}}
      ]`),
			`:8:10: models[0].changes[1].from: want a date after 2026-10-07 (value "2026-10-07")`},
		{"geo not a boolean", model(`      "id": "claude-x",` + "\n" + rates + `,
      "inference_geo_us": "yes"`),
			`:6:7: models[0].inference_geo_us: want a boolean (value "yes")`},
		{"alias taken", model(`      "id": "claude-x",
      "aliases": ["claude-x-1", "claude-sonnet-4-5"],` + "\n" + rates),
			`:5:33: models[0].aliases[1]: "claude-sonnet-4-5" already names model "claude-sonnet-4-5-20250929"; to replace that model, use its id`},
		{"display name taken", model(`      "id": "claude-x",
      "name": "Claude Haiku 4.5",` + "\n" + rates),
			`:5:7: models[0].name: "Claude Haiku 4.5" already names model "claude-haiku-4-5-20251001"; to replace that model, use its id`},
		{"duplicate field", model(`      "id": "claude-x",
      "id": "claude-y",` + "\n" + rates),
			`:5:7: models[0].id: duplicate field`},
		{"duplicate model", "{\"models\": [\n" +
			`{"id": "claude-x", ` + strings.TrimSpace(rates) + "},\n" +
			`{"id": "claude-x", ` + strings.TrimSpace(rates) + "}\n]}",
			`:3:2: models[1].id: duplicate model id "claude-x" (also models[0])`},
		{"models not an array", `{"models": {"id": "claude-x"}}`,
			`:1:2: models: want an array (value {"id": "claude-x"})`},
		{"bad checked", `{"checked": "Sept 13"}`,
			`:1:2: checked: want a date YYYY-MM-DD (value "Sept 13")`},
		{"unknown top-level field", `{"model": []}`,
			`:1:2: model: unknown field (want checked, models, providers)`},
		{"provider multiplier", "{\"providers\": [\n  {\"id\": \"acme\", \"multiplier\": 0}\n]}",
			`:2:18: providers[0].multiplier: want a number > 0 (value 0)`},
		{"provider without id", "{\"providers\": [\n  {\"multiplier\": 0.5}\n]}",
			`:2:3: providers[0].id: missing`},

		// Syntax errors: the position of the offending byte, and the field being read.
		{"trailing comma", model(`      "id": "claude-x",` + "\n" + rates + ","),
			`:6:5: models[0]: invalid character '}' looking for beginning of object key string`},
		{"bare word", model(`      "id": claude-x,` + "\n" + rates),
			`:4:13: models[0].id: invalid character 'c' looking for beginning of value`},
		{"missing colon", model(`      "id" "claude-x",` + "\n" + rates),
			`:4:12: models[0].id: invalid character '"' after object key`},
		{"truncated", "{\n  \"models\": [\n    {\"id\": \"claude-x\"",
			`:3:22: models[0]: unexpected end of JSON input`},
		{"trailing data", "{}\n{}\n",
			`:2:1: invalid character '{' after top-level value`},
		{"empty file", "",
			`:1:1: unexpected end of JSON input`},
	}
	for _, tt := range tests {
		file := writeFile(t, "prices.json", tt.text)
		_, err := pricing.Default().Override(file)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if want := file + tt.want; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, err, want)
		}
	}

	if _, err := pricing.Default().Override(filepath.Join(t.TempDir(), "none.json")); err == nil ||
		!strings.Contains(err.Error(), "none.json") {
		t.Errorf("missing file: %v", err)
	}
}
