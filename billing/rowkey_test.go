package billing

import (
	"strings"
	"testing"
	"time"

	"github.com/usagescan/usagescan/usage"
)

func TestRowKey(t *testing.T) {
	day := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	base := RowID{Source: SourceUsage, Time: day, Model: "claude-haiku-4-5-20251001", APIKey: "super", Workspace: "Default",
		Tier: "standard", Context: usage.ContextStandard, Geo: "not_available"}
	tests := []struct {
		name string
		edit func(*RowID)
		want string
	}{
		{"console v2 row", func(*RowID) {},
			`bill:api-billing|2026-03-31|"claude-haiku-4-5-20251001"|"super"|"Default"|standard|std|not_available||`},
		{"hourly", func(r *RowID) { r.Time, r.Hourly = day.Add(2*time.Hour), true },
			`bill:api-billing|2026-03-31T02:00|"claude-haiku-4-5-20251001"|"super"|"Default"|standard|std|not_available||`},
		{"another zone, same instant", func(r *RowID) { r.Time = day.In(time.FixedZone("X", 7200)) },
			`bill:api-billing|2026-03-31|"claude-haiku-4-5-20251001"|"super"|"Default"|standard|std|not_available||`},
		{"speed standard is empty, case ignored", func(r *RowID) { r.Speed, r.Tier, r.Geo = "Standard", "STANDARD", "Not_Available" },
			`bill:api-billing|2026-03-31|"claude-haiku-4-5-20251001"|"super"|"Default"|standard|std|not_available||`},
		{"not applicable", func(r *RowID) { r.APIKey, r.Geo = "--", "--" },
			`bill:api-billing|2026-03-31|"claude-haiku-4-5-20251001"|""|"Default"|standard|std|||`},
		{"cost row, long, fast", func(r *RowID) {
			r.Source, r.Context, r.Speed, r.TokenType = SourceCost, usage.ContextLong, "fast", "input_cache_write_5m"
		}, `bill:api-cost|2026-03-31|"claude-haiku-4-5-20251001"|"super"|"Default"|standard|long|not_available|fast|input_cache_write_5m`},
		{"names with separators are quoted", func(r *RowID) { r.APIKey, r.Workspace = `a|b"c`, "x|y" },
			`bill:api-billing|2026-03-31|"claude-haiku-4-5-20251001"|"a|b\"c"|"x|y"|standard|std|not_available||`},
		{"odd tier quoted", func(r *RowID) { r.Tier = "a|b" },
			`bill:api-billing|2026-03-31|"claude-haiku-4-5-20251001"|"super"|"Default"|"a|b"|std|not_available||`},
	}
	for _, tt := range tests {
		id := base
		tt.edit(&id)
		if got := RowKey(id); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	// Moving a "|" from one name to the next must not give the same key.
	a := RowKey(RowID{APIKey: "a|", Workspace: "b"})
	b := RowKey(RowID{APIKey: "a", Workspace: "|b"})
	if a == b {
		t.Errorf("ambiguous keys: %s", a)
	}
}

// UserOf must attribute like the Reader does for the same key and workspace.
func TestUserOfLikeReader(t *testing.T) {
	csv := "usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count\n" +
		"2026-03-31,m,claude_code_key_alice_ab12,Claude Code,standard,1,0,0,0,0,0\n" +
		"2026-03-31,m,claude_code_key_bob_smith_zz99,Team,standard,1,0,0,0,0,0\n" +
		"2026-03-31,m,ci-bot,Default,standard,1,0,0,0,0,0\n" +
		"2026-03-31,m,--,Default,standard,1,0,0,0,0,0\n" +
		"2026-03-31,m,claude_code_key_,Default,standard,1,0,0,0,0,0\n"
	want := map[string][]string{ // hand-derived from the rules in doc.go
		UserFromAPIKey:    {"alice@example.com", "bob_smith", "robots", NoUser, "claude_code_key_"},
		UserFromWorkspace: {"Claude Code", "Team", "Default", "Default", "Default"},
	}
	userMap := map[string]string{"alice": "alice@example.com", "ci-bot": "robots"}
	for from, users := range want {
		opt := Options{UserFrom: from, UserMap: userMap}
		rd, err := NewReader(strings.NewReader(csv), "u.csv", opt)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(csv), "\n")[1:]
		for i := 0; rd.Scan(); i++ {
			cells := strings.Split(lines[i], ",")
			got, viaReader := UserOf(opt, cells[2], cells[3]), rd.Record().User
			if got != users[i] || viaReader != users[i] {
				t.Errorf("%s row %d: UserOf %q, Reader %q, want %q", from, i, got, viaReader, users[i])
			}
		}
		if err := rd.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if u := UserOf(Options{User: "me", UserFrom: UserFromWorkspace}, "k", "w"); u != "me" {
		t.Errorf("Options.User: %q", u)
	}
}

func TestResolveModelAndBand(t *testing.T) {
	for in, want := range map[string]string{
		"claude-haiku-4-5-20251001": "claude-haiku-4-5-20251001",
		"Claude Sonnet 4.5":         "claude-sonnet-4-5-20250929",
		"":                          NoModel,
		"--":                        NoModel,
		"gpt-x":                     "gpt-x",
	} {
		if got := ResolveModel(nil, in); got != want {
			t.Errorf("ResolveModel(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]usage.Context{"0-200k": usage.ContextStandard, "200k-1M": usage.ContextLong,
		"≤ 200k": usage.ContextStandard, "": usage.ContextStandard} {
		if got, ok := ParseBand(in); !ok || got != want {
			t.Errorf("ParseBand(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := ParseBand("huge"); ok {
		t.Error(`ParseBand("huge") ok`)
	}
}
