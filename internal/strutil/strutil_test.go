package strutil

import (
	"testing"
	"unsafe"
)

func TestDigits(t *testing.T) {
	for s, want := range map[string]bool{"": false, "0": true, "20250929": true, "1a": false, "-1": false, " 1": false, "١": false} {
		if got := Digits(s); got != want {
			t.Errorf("Digits(%q) = %v", s, got)
		}
	}
}

func TestPool(t *testing.T) {
	p := Pool{}
	buf := []byte("abcabc")
	a := p.Intern(string(buf[:3]))
	b := p.Intern(string(buf[3:]))
	if a != "abc" || b != "abc" || len(p) != 1 || unsafeData(a) != unsafeData(b) {
		t.Errorf("Intern: %q %q, %d entries", a, b, len(p))
	}
	if p.Intern("") != "" || len(p) != 1 {
		t.Error(`Intern("") added an entry`)
	}
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }
