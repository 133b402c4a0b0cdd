package adminapi

import (
	"math"
	"strconv"
	"testing"
)

// FuzzAmount: an amount either fails or is the finite number strconv reads.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{`"123.45"`, `"0"`, `12`, `null`, `""`, `"-3.5"`, `"1e400"`, `"abc"`, `"NaN"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var a amount
		if err := a.UnmarshalJSON([]byte(s)); err != nil {
			return
		}
		if math.IsNaN(a.cents) || math.IsInf(a.cents, 0) {
			t.Fatalf("%q read as %v", s, a.cents)
		}
		if uq, err := strconv.Unquote(s); err == nil {
			s = uq
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil && v != a.cents {
			t.Fatalf("%q read as %v, strconv says %v", s, a.cents, v)
		}
	})
}
