package usage

import (
	"math"
	"testing"
)

func TestAddCountSaturates(t *testing.T) {
	for _, tc := range []struct{ a, b, want int64 }{
		{1, 2, 3},
		{9e18, 9e18, math.MaxInt64}, // wrapped to -446744073709551616 before
		{math.MaxInt64, 1, math.MaxInt64},
		{math.MaxInt64 - 5, 5, math.MaxInt64},
		{-5, 3, -2},
		{math.MinInt64, -1, math.MinInt64},
	} {
		if got := AddCount(tc.a, tc.b); got != tc.want {
			t.Errorf("AddCount(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	for _, tc := range []struct{ a, b, want int32 }{
		{1, 2, 3},
		{2e9, 1e9, math.MaxInt32}, // 3e9 wrapped to -1294967296 before
		{-2e9, -1e9, math.MinInt32},
	} {
		if got := AddCount32(tc.a, tc.b); got != tc.want {
			t.Errorf("AddCount32(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestTokensAddNeverWraps(t *testing.T) {
	a := Tokens{Input: 9e18, Output: 1, CacheRead: 9e18}
	a.Add(Tokens{Input: 9e18, Output: 2, CacheRead: 9e18})
	if a.Input != math.MaxInt64 || a.Output != 3 || a.CacheRead != math.MaxInt64 {
		t.Errorf("Add = %+v, want Input and CacheRead at MaxInt64, Output 3", a)
	}
	if got := a.Total(); got != math.MaxInt64 {
		t.Errorf("Total = %d, want MaxInt64", got)
	}
	if got := a.PromptInput(); got != math.MaxInt64 {
		t.Errorf("PromptInput = %d, want MaxInt64", got)
	}
}

func TestBetterSearchesDoNotWrap(t *testing.T) {
	// 2e9 + 2e9 wraps an int32 to a negative sum; the copy with more searches wins.
	a := &Request{WebSearch: 2e9, WebFetch: 2e9}
	b := &Request{WebSearch: 1}
	if !Better(a, b) || Better(b, a) {
		t.Error("the copy with more searches and fetches should win")
	}
}
