package benchgen

import (
	"bufio"
	"encoding/base64"
	"math/rand/v2"
	"sort"
	"strconv"
)

// textPool is a block of code-like text that is already JSON-escaped (it holds
// \n, \t, \" and \\ escapes and raw multi-byte UTF-8 such as "→"), so filler of any
// size is written by copying slices of it. Slices start and end on line starts,
// never inside an escape sequence or a UTF-8 sequence.
type textPool struct {
	buf    []byte
	starts []int // offset of each line start; starts[0] == 0
}

var poolWords = []string{
	"func", "return", "if", "err", "!=", "nil", "{", "}", "for", "range", ":=", "var",
	"const", "type", "struct", "interface", "package", "import", "defer", "go", "select",
	"case", "default", "switch", "map[string]int", "[]byte", "ctx", "context.Context",
	"r.Body", "w.Header()", "json.Unmarshal(data, &v)", "fmt.Errorf(\\\"%w\\\", err)",
	"\\\"github.com/acme/api/internal\\\"", "self", "def", "class", "async", "await",
	"const", "let", "=>", "export", "from", "useState()", "props.children", "// TODO:",
	"# comment", "SELECT", "id,", "name", "FROM", "users", "WHERE", "created_at", ">", "?",
	"x", "y", "i++", "len(s)", "0", "1", "42", "true", "false", "null", "\\\"ok\\\"",
	"C:\\\\Users\\\\dev", "café", "naïve", "✓", "—", "user_id", "assert.Equal(t,", "want,",
	"got)", "log.Printf(\\\"done in %s\\\",", "time.Since(start))", "<div", "className=",
	"\\\"flex", "gap-2\\\">", "</div>", "pub", "fn", "impl", "&mut", "Result<(), Error>",
}

func newTextPool(rng *rand.Rand, size int) *textPool {
	p := &textPool{buf: make([]byte, 0, size+256)}
	lineNo := 1
	for len(p.buf) < size {
		p.starts = append(p.starts, len(p.buf))
		// Read-tool style line numbers: "    12→".
		n := strconv.Itoa(lineNo)
		for i := len(n); i < 6; i++ {
			p.buf = append(p.buf, ' ')
		}
		p.buf = append(p.buf, n...)
		p.buf = append(p.buf, "→"...)
		for i := rng.IntN(4); i > 0; i-- {
			p.buf = append(p.buf, `\t`...)
		}
		words := rng.IntN(14)
		for i := 0; i < words; i++ {
			if i > 0 {
				p.buf = append(p.buf, ' ')
			}
			p.buf = append(p.buf, poolWords[rng.IntN(len(poolWords))]...)
		}
		p.buf = append(p.buf, `\n`...)
		lineNo++
		if lineNo > 2000 || rng.IntN(300) == 0 {
			lineNo = 1
		}
	}
	return p
}

// write copies about n bytes of escaped text (whole pool lines, at least one) to w,
// starting at a random line, wrapping around the pool as often as needed.
// It returns the bytes written.
func (p *textPool) write(w *bufio.Writer, rng *rand.Rand, n int) int {
	written := 0
	start := p.starts[rng.IntN(len(p.starts))]
	for {
		want := start + (n - written)
		if want <= len(p.buf) {
			// End at the first line start at or after want.
			i := sort.SearchInts(p.starts, want)
			end := len(p.buf)
			if i < len(p.starts) {
				end = p.starts[i]
			}
			if end == start { // n - written == 0 at a line start: still write one line
				if i+1 < len(p.starts) {
					end = p.starts[i+1]
				} else {
					end = len(p.buf)
				}
			}
			w.Write(p.buf[start:end])
			return written + end - start
		}
		w.Write(p.buf[start:])
		written += len(p.buf) - start
		start = 0
	}
}

// b64Pool is base64 text for image payloads and thinking signatures.
type b64Pool struct{ buf []byte }

func newB64Pool(rng *rand.Rand, size int) *b64Pool {
	raw := make([]byte, size*3/4)
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	return &b64Pool{buf: []byte(base64.StdEncoding.EncodeToString(raw))}
}

// write copies n bytes of base64 text to w, wrapping around the pool.
func (p *b64Pool) write(w *bufio.Writer, rng *rand.Rand, n int) {
	start := rng.IntN(len(p.buf))
	for n > 0 {
		chunk := len(p.buf) - start
		if chunk > n {
			chunk = n
		}
		w.Write(p.buf[start : start+chunk])
		n -= chunk
		start = 0
	}
}

// appendTo appends n bytes of base64 text to b.
func (p *b64Pool) appendTo(b []byte, rng *rand.Rand, n int) []byte {
	start := rng.IntN(len(p.buf))
	for n > 0 {
		chunk := len(p.buf) - start
		if chunk > n {
			chunk = n
		}
		b = append(b, p.buf[start:start+chunk]...)
		n -= chunk
		start = 0
	}
	return b
}

// appendTo appends about n bytes of escaped text (whole lines) to b.
func (p *textPool) appendTo(b []byte, rng *rand.Rand, n int) []byte {
	start := p.starts[rng.IntN(len(p.starts))]
	written := 0
	for {
		want := start + (n - written)
		if want <= len(p.buf) {
			i := sort.SearchInts(p.starts, want)
			end := len(p.buf)
			if i < len(p.starts) {
				end = p.starts[i]
			}
			return append(b, p.buf[start:end]...)
		}
		b = append(b, p.buf[start:]...)
		written += len(p.buf) - start
		start = 0
	}
}
