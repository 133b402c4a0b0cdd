// Package strutil holds the small string helpers that more than one reader needs.
package strutil

import "strings"

// Digits reports whether s is one or more ASCII digits.
func Digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Pool interns strings: it keeps one shared copy of each, so that a string cut
// from a larger buffer (a read buffer, a CSV row) does not pin that buffer in
// what keeps it.
type Pool map[string]string

// Intern returns p's copy of s, adding a clone of s when p has none. The empty
// string is returned as it is and not added.
func (p Pool) Intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := p[s]; ok {
		return v
	}
	v := strings.Clone(s)
	p[v] = v
	return v
}
