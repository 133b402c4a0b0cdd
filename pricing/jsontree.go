package pricing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The price file is read in two steps: this file turns the JSON text into a tree
// of values that remember their byte offsets, and load.go checks the tree field by
// field. Decoding straight into structs would lose the offsets that a message like
// "prices.json:12:5: models[3].rates.input: ..." needs.

type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

var kindNames = [...]string{"null", "boolean", "number", "string", "array", "object"}

func (k kind) String() string { return kindNames[k] }

// A node is one JSON value.
type node struct {
	kind kind
	path string // models[3].rates.input
	pos  int    // offset of the member's key, or of the value when it has none
	off  int    // offset of the value's first byte
	end  int    // offset just past the value
	num  json.Number
	str  string
	b    bool
	elem []*node  // array elements
	mem  []member // object members, in file order
}

type member struct {
	key string
	val *node
}

// get returns the member named key, or nil.
func (n *node) get(key string) *node {
	for _, m := range n.mem {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// fileError is a problem at one place in a price file, printed as
// "file:line:col: field: message".
type fileError struct {
	file      string
	line, col int
	field     string
	msg       string
}

func (e *fileError) Error() string {
	if e.field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.file, e.line, e.col, e.msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.file, e.line, e.col, e.field, e.msg)
}

// doc is a price file being read.
type doc struct {
	name string
	data []byte
}

// errAt returns a fileError at byte offset off.
func (d *doc) errAt(off int, field, format string, args ...any) error {
	off = max(0, min(off, len(d.data)))
	line := 1 + bytes.Count(d.data[:off], []byte("\n"))
	start := bytes.LastIndexByte(d.data[:off], '\n') + 1
	col := 1 + utf8.RuneCount(d.data[start:off])
	return &fileError{file: d.name, line: line, col: col, field: field, msg: fmt.Sprintf(format, args...)}
}

// errNode returns a fileError at n (its key, when n is an object member).
func (d *doc) errNode(n *node, format string, args ...any) error {
	return d.errAt(n.pos, n.path, format, args...)
}

// text returns n's source text, shortened for a message.
func (d *doc) text(n *node) string {
	s := string(d.data[n.off:n.end])
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:37]) + "..."
	}
	return s
}

// tree parses d into a tree of nodes.
func (d *doc) tree() (*node, error) {
	t := &treeReader{doc: d, dec: json.NewDecoder(bytes.NewReader(d.data))}
	t.dec.UseNumber()
	root, err := t.value("", -1)
	if err == nil {
		if _, err = t.dec.Token(); err == io.EOF {
			return root, nil
		}
		if err == nil {
			err = errors.New("unexpected data after the top-level value")
		}
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return nil, err
	}
	// The decoder's own offsets are not reliable once it has failed;
	// a whole-buffer check reports the exact byte.
	off := t.skip()
	var se *json.SyntaxError
	if e := json.Unmarshal(d.data, new(json.RawMessage)); errors.As(e, &se) {
		err, off = e, int(se.Offset)-1
		if strings.HasPrefix(se.Error(), "unexpected end") {
			off = len(d.data)
		}
	}
	return nil, d.errAt(off, t.path, "%v", err)
}

type treeReader struct {
	*doc
	dec  *json.Decoder
	path string // of the value being read, for syntax errors
}

// skip returns the offset of the next token: the decoder's offset after
// white space, commas and colons.
func (t *treeReader) skip() int {
	off := int(t.dec.InputOffset())
	for off < len(t.data) {
		switch t.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// value reads one value whose member key, if any, starts at keyOff.
func (t *treeReader) value(path string, keyOff int) (*node, error) {
	t.path = path
	n := &node{path: path, off: t.skip()}
	n.pos = n.off
	if keyOff >= 0 {
		n.pos = keyOff
	}
	tok, err := t.dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case nil:
		n.kind = kNull
	case bool:
		n.kind, n.b = kBool, v
	case json.Number:
		n.kind, n.num = kNumber, v
	case string:
		n.kind, n.str = kString, v
	case json.Delim:
		if v == '[' {
			n.kind = kArray
			for t.dec.More() {
				e, err := t.value(path+"["+strconv.Itoa(len(n.elem))+"]", -1)
				if err != nil {
					return nil, err
				}
				n.elem = append(n.elem, e)
			}
		} else {
			n.kind = kObject
			for t.dec.More() {
				t.path = path
				koff := t.skip()
				tok, err := t.dec.Token()
				if err != nil {
					return nil, err
				}
				key := tok.(string) // the decoder only returns strings as keys
				child := key
				if path != "" {
					child = path + "." + key
				}
				if n.get(key) != nil {
					return nil, t.errAt(koff, child, "duplicate field")
				}
				val, err := t.value(child, koff)
				if err != nil {
					return nil, err
				}
				n.mem = append(n.mem, member{key, val})
			}
		}
		t.path = path
		if _, err := t.dec.Token(); err != nil { // the closing ] or }
			return nil, err
		}
	}
	n.end = int(t.dec.InputOffset())
	return n, nil
}
