package recommend_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/recommend"
)

func TestDefaultCatalog(t *testing.T) {
	c := recommend.Default()
	var ids []string
	for _, p := range c.Plans() {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, " "); got != "pro max-5x max-20x team-standard team-premium api" {
		t.Errorf("plans %s", got)
	}
	for _, tt := range []struct {
		name, id string
	}{
		{"pro", "pro"}, {"max", "max-5x"}, {"max100", "max-5x"}, {"MAX-5X", "max-5x"}, {"Max", "max-5x"},
		{"ultra", "max-20x"}, {"max200", "max-20x"}, {"max-20x", "max-20x"},
		{"team", "team-standard"}, {"team-premium", "team-premium"}, {"api", "api"},
	} {
		p, ok := c.Lookup(tt.name)
		if !ok || p.ID != tt.id {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tt.name, p, ok, tt.id)
		}
	}
	if _, ok := c.Lookup("max 5x $200"); ok {
		t.Error("the seed's wording is explained, not guessed")
	}
	p, _ := c.Lookup("max-5x")
	if !strings.Contains(p.Note, `"Max 5x" at $200`) && !strings.Contains(p.Note, `"Max 5x $200"`) {
		t.Errorf("max-5x note does not explain the seed's wording: %q", p.Note)
	}
	for _, tt := range []struct {
		plan     string
		t        string
		five, wk float64
	}{
		{"pro", "2026-09-01", 15, 130},
		{"pro", "2026-05-05", 7.5, 130}, // before the doubling
		{"pro", "2026-05-06", 15, 130},
		{"max-5x", "2026-01-10", 32.5, 550},
		{"max-20x", "2026-09-01", 250, 1200},
		{"team-standard", "2026-09-01", 18, 160},
		{"team-premium", "2026-09-01", 90, 550},
		{"max-5x", "2025-07-01", 32.5, math.Inf(1)}, // no weekly limit before 2025-08-28
	} {
		p, _ := c.Lookup(tt.plan)
		day, _ := time.Parse(time.DateOnly, tt.t)
		five, wk := p.BudgetsAt(day)
		if five != tt.five || wk != tt.wk {
			t.Errorf("%s at %s: %v / %v, want %v / %v", tt.plan, tt.t, five, wk, tt.five, tt.wk)
		}
	}
	api, _ := c.Lookup("api")
	if five, wk := api.BudgetsAt(time.Now()); !math.IsInf(five, 1) || !math.IsInf(wk, 1) || !api.Metered {
		t.Errorf("api: %v / %v metered %v", five, wk, api.Metered)
	}
	for _, p := range c.Plans() {
		for _, e := range p.Budgets {
			for _, b := range []*recommend.Budget{e.FiveHour, e.Week} {
				if b != nil && b.Source == "" {
					t.Errorf("%s %s: a budget without a source", p.ID, e.From)
				}
			}
		}
	}
}

func TestOverride(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mine.json")
	os.WriteFile(file, []byte(`{
  "plans": [
    {"id": "max-5x", "name": "Max", "aliases": ["max"], "price_usd": 100,
     "budgets": [{"five_hour": {"usd": 100, "source": "my own hits"}, "week": {"usd": 700}}]},
    {"id": "ultra-plus", "name": "Ultra Plus", "price_usd": 400,
     "budgets": [{"week": {"usd": 5000}}]}
  ]
}`), 0o666)
	c, err := recommend.Default().Override(file)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := c.Lookup("max")
	if five, wk := p.BudgetsAt(time.Now()); p.Name != "Max" || five != 100 || wk != 700 {
		t.Errorf("max-5x replaced: %s %v/%v", p.Name, five, wk)
	}
	if _, ok := c.Lookup("max100"); ok {
		t.Error("the replaced plan's old aliases are gone")
	}
	u, ok := c.Lookup("ultra-plus")
	if five, _ := u.BudgetsAt(time.Now()); !ok || !math.IsInf(five, 1) {
		t.Errorf("ultra-plus: %v, 5-hour %v (want no cap)", ok, five)
	}
	if p, _ := recommend.Default().Lookup("max-5x"); p.Name != "Max 5x" {
		t.Error("the default catalogue changed")
	}

	// The override changes the recommendation: a steady $30-a-window user
	// against a $100 plan with a $25 window.
	rep := run(t, steady("sam"), nil, func() recommend.Options {
		o := september()
		var err error
		o.Plans, err = recommend.Default().OverrideData("tight.json", []byte(`{"plans": [
			{"id": "max-5x", "price_usd": 100, "budgets": [{"five_hour": {"usd": 25}, "week": {"usd": 550}}]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}())
	m := userOf(t, rep, "sam").Months[0]
	checkPlans(t, &m, []want{{"max-5x", 100 + 44*5, 44 * 5, 44, 0, false}})
}

func TestOverrideErrors(t *testing.T) {
	for _, tt := range []struct {
		text, want string
	}{
		{`{"plans": [{"id": "pro", "price_usd": 20, "budgets": [{"week": {"usd": -1}}]}]}`,
			`x.json:1:65: plans[0].budgets[0].week.usd: want a number >= 0 (value -1)`},
		{"{\"plans\": [\n  {\"id\": \"pro\",\n   \"price\": 20}]}",
			`x.json:3:4: plans[0].price: unknown field (want id, name, names, aliases, price_usd, price_yearly_usd, team, metered, note, budgets, model_caps)`},
		{`{"plans": [{"id": "pro", "budgets": []}]}`,
			`x.json:1:12: plans[0].price_usd: missing (a plan that is not metered needs a price and budgets)`},
		{`{"plans": [{"id": "pro", "price_usd": 20, "budgets": [{"from": "2026-05-06"}, {"from": "2026-01-01"}]}]}`,
			`x.json:1:80: plans[0].budgets[1].from: want a date after 2026-05-06 (value "2026-01-01")`},
		{`{"plans": [{"id": "pro", "price_usd": 20, "budgets": [{"from": "May 6"}]}]}`,
			`x.json:1:56: plans[0].budgets[0].from: want a date YYYY-MM-DD (value "May 6")`},
		{`{"plans": [{"id": "solo", "aliases": ["ultra"], "price_usd": 20, "budgets": [{}]}]}`,
			`x.json:1:39: plans[0].aliases[0]: "ultra" already names plan "max-20x"`},
		{`{"plans": [{"id": "api2", "metered": true}]}`,
			`x.json:1:12: plans[0]: a second metered plan ("api2"): the catalogue has one API entry`},
		{`{"plans": [{"id": "pro", "price_usd": 20, "budgets": [{"five_hour": {"usd": 15, "low": 20}}]}]}`,
			`x.json:1:81: plans[0].budgets[0].five_hour.low: want at most usd, 15 (value 20)`},
		{`{"plans": [`, `x.json:1:12: plans: unexpected end of JSON input`},
	} {
		_, err := recommend.Default().OverrideData("x.json", []byte(tt.text))
		var fe *recommend.FileError
		if err == nil || err.Error() != tt.want || !errors.As(err, &fe) {
			t.Errorf("%s:\n got %v\nwant %s", tt.text, err, tt.want)
		}
	}
}
