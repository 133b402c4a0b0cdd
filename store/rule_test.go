package store

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/usagescan/usagescan/usage"
)

// The rule the database applies (usage.RuleSQL, in the writer's upsert) and
// the rule Go applies (usage.Better, usage.Replaces) agree on every pair: the
// SQL is evaluated by SQLite over two stored rows.
func TestRuleSQLMatchesGo(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "u.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rnd.IntN(len(xs))] }
	mk := func() usage.Request {
		// Few distinct values, so that ties reach every criterion.
		return usage.Request{
			Time: time.Date(2026, 6, 10, 9, 0, rnd.IntN(2), 0, time.UTC),
			User: pick("a", "b"), Source: "claude-code", Model: "m",
			Tokens:    usage.Tokens{Input: int64(rnd.IntN(2)), Output: int64(rnd.IntN(2)), CacheRead: int64(rnd.IntN(2))},
			WebSearch: int32(rnd.IntN(2)), Sidechain: rnd.IntN(2) == 0,
			SessionID: pick("s", "t"), Cwd: pick("/x", "/y"), Rev: int64(rnd.IntN(2)), Count: 1,
		}
	}
	for labels, want := range map[bool]func(a, b *usage.Request) bool{true: usage.Better, false: usage.Replaces} {
		cond := usage.RuleSQL("a", "b", labels)
		for i := 0; i < 400; i++ {
			x, y := mk(), mk()
			var got bool
			err := s.db.QueryRow(`WITH a(rev, input, output, cache_write_5m, cache_write_1h, cache_read, sidechain, web_search, web_fetch, time, user, session, cwd)
	AS (VALUES (?, ?, ?, 0, 0, ?, ?, ?, 0, ?, ?, ?, ?)),
	b(rev, input, output, cache_write_5m, cache_write_1h, cache_read, sidechain, web_search, web_fetch, time, user, session, cwd)
	AS (VALUES (?, ?, ?, 0, 0, ?, ?, ?, 0, ?, ?, ?, ?))
SELECT `+cond+` FROM a, b`,
				x.Rev, x.Input, x.Output, x.CacheRead, b2i(x.Sidechain), x.WebSearch, x.Time.UnixNano(), x.User, x.SessionID, x.Cwd,
				y.Rev, y.Input, y.Output, y.CacheRead, b2i(y.Sidechain), y.WebSearch, y.Time.UnixNano(), y.User, y.SessionID, y.Cwd,
			).Scan(&got)
			if err != nil {
				t.Fatal(err)
			}
			if w := want(&x, &y); got != w {
				t.Fatalf("labels %v: SQL says %v, Go says %v for\n%+v\n%+v", labels, got, w, x, y)
			}
		}
	}
}
