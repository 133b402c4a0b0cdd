package aggregate

import (
	"math"
	"testing"

	"github.com/usagescan/usagescan/usage"
)

// Sums of counts saturate instead of wrapping to a negative total.
func TestRowSumsNeverWrap(t *testing.T) {
	var row Row
	r := &usage.Request{Tokens: usage.Tokens{Output: 9e18}, WebSearch: math.MaxInt32, Count: 1}
	row.AddRequest(r)
	row.AddRequest(r)
	if row.Output != math.MaxInt64 {
		t.Errorf("Output = %d, want MaxInt64", row.Output)
	}
	if want := int64(2 * math.MaxInt32); row.WebSearch != want {
		t.Errorf("WebSearch = %d, want %d", row.WebSearch, want)
	}
	big := Row{Tokens: usage.Tokens{Input: math.MaxInt64}, WebSearch: math.MaxInt64, Requests: math.MaxInt64}
	row.AddRow(&big)
	if row.Input != math.MaxInt64 || row.WebSearch != math.MaxInt64 || row.Requests != math.MaxInt64 {
		t.Errorf("AddRow = %+v, want Input, WebSearch and Requests at MaxInt64", row)
	}
}
