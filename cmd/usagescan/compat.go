package main

import "strings"

// ccusage users type `ccusage daily -s 20260601 -j`; usagescan takes the same
// words and rewrites them into its own flags before parsing (README: "Coming
// from ccusage"):
//
//	daily, weekly, monthly      report --by day|week|month
//	-j, --json                  --format json
//	-s, --since / -u, --until   --since / --until, also as YYYYMMDD
//	-z, --timezone              --tz
//	-b                          --breakdown
//	-O, --offline               nothing (usagescan never fetches prices)
var periodCommands = map[string]string{"daily": "day", "weekly": "week", "monthly": "month"}

// valueFlags take a value as the next argument, which is left as it is.
var valueFlags = map[string]bool{
	"logs": true, "user": true, "csv": true, "csv-map": true, "user-map": true, "user-from": true,
	"current-plan": true, "db": true, "format": true, "f": true, "lock-timeout": true, "out": true,
	"o": true, "plans": true, "pricing": true, "provider": true, "since": true, "until": true,
	"tz": true, "by": true,
}

// ccusageArgs rewrites ccusage's spellings in args (args[0] is the program).
func ccusageArgs(args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	if by, ok := periodCommands[rest[0]]; ok {
		out = append(out, "report", "--by", by)
		rest = rest[1:]
	}
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			out = append(out, rest[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || a == "-" {
			out = append(out, a)
			continue
		}
		switch name {
		case "j", "json":
			out = append(out, "--format", "json")
			continue
		case "O", "offline":
			continue
		case "b":
			out = append(out, "--breakdown")
			continue
		case "z", "timezone":
			name = "tz"
		case "s":
			name = "since"
		case "u":
			name = "until"
		}
		if !valueFlags[name] {
			out = append(out, a)
			continue
		}
		flag := "--" + name
		if len(name) == 1 {
			flag = "-" + name
		}
		if !hasValue {
			if i+1 >= len(rest) {
				out = append(out, flag)
				continue
			}
			i++
			value = rest[i]
		}
		if name == "since" || name == "until" {
			value = compactDate(value)
		}
		out = append(out, flag, value)
	}
	return out
}

// compactDate turns YYYYMMDD into YYYY-MM-DD; anything else is left as it is.
func compactDate(s string) string {
	if len(s) != 8 {
		return s
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return s
		}
	}
	return s[:4] + "-" + s[4:6] + "-" + s[6:]
}
