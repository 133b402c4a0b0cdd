package csvsafe

import (
	"fmt"
	"testing"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"claude-opus-4-6", "claude-opus-4-6"},
		{"alice@example.com", "alice@example.com"}, // only a leading @
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{" =1", " =1"},
		{"'quoted", "'quoted"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func ExampleText() {
	fmt.Println(Text("=1+1"), Text("claude-sonnet-4-6"))
	// Output: '=1+1 claude-sonnet-4-6
}
