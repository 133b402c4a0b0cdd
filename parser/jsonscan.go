package parser

import (
	"bytes"

	"github.com/tidwall/gjson"
)

// This file walks one JSON line in a single pass without building anything: it
// checks the structure (strings closed, brackets balanced, separators, literals
// and numbers as JSON writes them) and keeps the raw bytes of the few fields a
// usage record needs. It does not check UTF-8 or escape sequences inside strings:
// a line with a broken string body (a message text with "\q" in it) is still a
// response the API answered and billed, whose numbers can be read, and the check
// must run at memory speed over multi-megabyte lines (strings are skipped with
// bytes.IndexByte).

const maxDepth = 512

type jscan struct {
	s []byte
	i int
}

func (p *jscan) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// str skips a string starting at p.i (a '"') and returns its raw bytes, quotes included.
func (p *jscan) str() ([]byte, bool) {
	start := p.i
	i := p.i + 1
	for {
		j := bytes.IndexByte(p.s[i:], '"')
		if j < 0 {
			return nil, false
		}
		j += i
		k := j - 1
		for k >= i && p.s[k] == '\\' {
			k--
		}
		i = j + 1
		if (j-1-k)%2 == 0 { // an even run of backslashes: the quote is real
			p.i = i
			return p.s[start:i], true
		}
	}
}

// value skips any value at p.i and returns its raw bytes.
func (p *jscan) value(depth int) ([]byte, bool) {
	if p.i >= len(p.s) || depth > maxDepth {
		return nil, false
	}
	start := p.i
	switch c := p.s[p.i]; c {
	case '"':
		return p.str()
	case '{':
		ok := p.members(depth+1, nil)
		return p.s[start:p.i], ok
	case '[':
		p.i++
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return p.s[start:p.i], true
		}
		for {
			p.ws()
			if _, ok := p.value(depth + 1); !ok {
				return nil, false
			}
			p.ws()
			if p.i >= len(p.s) {
				return nil, false
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == ']' {
				p.i++
				return p.s[start:p.i], true
			}
			return nil, false
		}
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	default:
		return p.number()
	}
}

// number reads a JSON number at p.i: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jscan) number() ([]byte, bool) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++ // a leading zero stands alone
	} else if digits() == 0 {
		return nil, false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return p.s[start:p.i], true
}

func (p *jscan) literal(lit string) ([]byte, bool) {
	if !bytes.HasPrefix(p.s[p.i:], []byte(lit)) {
		return nil, false
	}
	p.i += len(lit)
	return p.s[p.i-len(lit) : p.i], true
}

// members walks an object starting at p.i (a '{'). For each member, visit (when
// not nil) is called with the raw key (no quotes) before the value is read; it
// may read the value itself and return handled, or stop the walk early.
func (p *jscan) members(depth int, visit func(key []byte) (handled, stop, ok bool)) bool {
	if depth > maxDepth {
		return false
	}
	p.i++ // '{'
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return true
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return false
		}
		k, ok := p.str()
		if !ok {
			return false
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return false
		}
		p.i++
		p.ws()
		handled := false
		if visit != nil {
			var stop bool
			handled, stop, ok = visit(k[1 : len(k)-1])
			if !ok {
				return false
			}
			if stop {
				return true
			}
		}
		if !handled {
			if _, ok := p.value(depth); !ok {
				return false
			}
		}
		p.ws()
		if p.i >= len(p.s) {
			return false
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == '}' {
			p.i++
			return true
		}
		return false
	}
}

// fields are the raw values of one log line that a usage record is made from.
type fields struct {
	typ, ts, reqID, side, sess, cwd, entry []byte
	model, id, usage, content              []byte
	message                                bool // message is an object
	skip                                   bool // walkFields stopped early at a type that is not "assistant"
}

// scanFields walks the whole line, checking its structure, and fills f.
func scanFields(s []byte, f *fields) bool { return walkFields(s, f, false) }

// walkFields is scanFields; with early, a line whose top-level "type" comes
// before any object or array value (where Claude Code writes it on user,
// progress and system lines: most bytes, none of them records) and is not
// "assistant" stops there, with f.skip set and the rest of the line unread.
func walkFields(s []byte, f *fields, early bool) bool {
	p := jscan{s: s}
	p.ws()
	if p.i >= len(s) || s[p.i] != '{' {
		return false
	}
	composite := false // an object or array value came before
	ok := p.members(1, func(k []byte) (handled, stop, ok bool) {
		var dst *[]byte
		switch string(k) {
		case "type":
			if f.typ, ok = p.value(1); ok && early && !composite && !isAssistant(f.typ) {
				f.skip = true
				return true, true, true
			}
			return true, false, ok
		case "timestamp":
			dst = &f.ts
		case "requestId":
			dst = &f.reqID
		case "isSidechain":
			dst = &f.side
		case "sessionId":
			dst = &f.sess
		case "cwd":
			dst = &f.cwd
		case "entrypoint":
			dst = &f.entry
		case "message":
			if p.i < len(p.s) && p.s[p.i] == '{' {
				f.message, composite = true, true
				return true, false, p.members(2, func(k []byte) (handled, stop, ok bool) {
					switch string(k) {
					case "model":
						f.model, ok = p.value(2)
					case "id":
						f.id, ok = p.value(2)
					case "usage":
						f.usage, ok = p.value(2)
					case "content":
						f.content, ok = p.value(2)
					default:
						return false, false, true
					}
					return true, false, ok
				})
			}
			composite = composite || p.i < len(p.s) && p.s[p.i] == '['
			return false, false, true
		default:
			composite = composite || p.i < len(p.s) && (p.s[p.i] == '{' || p.s[p.i] == '[')
			return false, false, true
		}
		*dst, ok = p.value(1)
		return true, false, ok
	})
	if !ok {
		return false
	}
	if f.skip {
		return true
	}
	p.ws()
	return p.i == len(s)
}

// isAssistant reports whether a raw JSON value is the string "assistant",
// however it is escaped.
func isAssistant(raw []byte) bool {
	if bytes.Equal(raw, assistantTyp) {
		return true
	}
	return bytes.IndexByte(raw, '\\') >= 0 && text(raw) == "assistant"
}

// text decodes a raw JSON string; anything else is "".
func text(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return string(body)
	}
	return gjson.ParseBytes(raw).Str
}
