package pricing

import (
	"strings"
	"time"

	"github.com/usagescan/usagescan/internal/strutil"
)

// bedrockRegions are the cross-region inference prefixes of Bedrock model ids.
var bedrockRegions = []string{"us.", "eu.", "apac.", "global."}

// key reduces one of the forms a model id takes in logs and billing exports to the
// form the table is indexed by: the lower-case Anthropic API id. Each step undoes
// one exact naming rule:
//
//	Claude Sonnet 4.5                          -> claude-sonnet-4-5      (Console; case, spaces, dots)
//	Claude 3.5 Sonnet 2024-10-22               -> claude-3-5-sonnet-20241022
//	anthropic/claude-opus-4.7                  -> claude-opus-4-7        (OpenRouter)
//	claude-sonnet-4-5@20250929                 -> claude-sonnet-4-5-20250929 (Vertex)
//	us.anthropic.claude-sonnet-4-5-20250929-v1:0 -> claude-sonnet-4-5-20250929 (Bedrock)
//
// A canonical id is returned as it is, without allocating.
func key(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "anthropic/"); ok {
		s = rest
	} else {
		for _, r := range bedrockRegions {
			if strings.HasPrefix(s, r+"anthropic.") {
				s = s[len(r):]
				break
			}
		}
		if rest, ok := strings.CutPrefix(s, "anthropic."); ok {
			s = trimBedrockVersion(rest)
		}
	}
	if base, date, ok := strings.Cut(s, "@"); ok && len(date) == 8 && strutil.Digits(date) {
		s = base + "-" + date
	}
	if strings.ContainsAny(s, ". \t") {
		s = strings.ReplaceAll(strings.Join(strings.Fields(s), "-"), ".", "-")
	}
	// A display date: "...-2024-10-22" -> "...-20241022".
	if n := len(s); n > 11 && s[n-11] == '-' && s[n-6] == '-' && s[n-3] == '-' &&
		strutil.Digits(s[n-10:n-6]) && strutil.Digits(s[n-5:n-3]) && strutil.Digits(s[n-2:]) {
		s = s[:n-6] + s[n-5:n-3] + s[n-2:]
	}
	return s
}

// trimBedrockVersion removes a Bedrock version suffix: "-v1:0", "-v2:0" or "-v1".
func trimBedrockVersion(s string) string {
	if i := strings.LastIndex(s, ":"); i >= 0 && strutil.Digits(s[i+1:]) {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "-v"); i >= 0 && strutil.Digits(s[i+2:]) {
		s = s[:i]
	}
	return s
}

// cutDate splits a "-YYYYMMDD" snapshot date, a real calendar date, off id.
func cutDate(id string) (base string, ok bool) {
	n := len(id)
	if n < 10 || id[n-9] != '-' || !strutil.Digits(id[n-8:]) {
		return "", false
	}
	if _, err := time.Parse("20060102", id[n-8:]); err != nil {
		return "", false
	}
	return id[:n-9], true
}
