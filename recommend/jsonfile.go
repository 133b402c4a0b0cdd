package recommend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The plan file is read in two steps, as pricing reads its price file: the JSON
// text becomes a tree of values that remember their byte offsets, then plans.go
// checks the tree field by field, so that a problem is reported as
// "plans.json:12:7: plans[2].budgets[1].week.usd: want a number >= 0 (value -1)".
// (pricing's reader is unexported; this is a smaller copy of it.)

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

// node is one JSON value.
type node struct {
	kind kind
	path string // plans[3].budgets[0].week.usd
	pos  int    // offset of the member's key, or of the value when it has none
	off  int    // offset of the value's first byte
	end  int    // offset just past the value
	num  json.Number
	str  string
	b    bool
	elem []*node
	mem  []member
}

type member struct {
	key string
	val *node
}

func (n *node) get(key string) *node {
	if n == nil {
		return nil
	}
	for _, m := range n.mem {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// FileError is a problem at one place in a plan file, printed as
// "file:line:col: field: message".
type FileError struct {
	File      string
	Line, Col int
	Field     string // JSON path, e.g. plans[1].budgets[0].week.usd
	Msg       string
}

func (e *FileError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Col, e.Field, e.Msg)
}

// doc is a file being read.
type doc struct {
	name string
	data []byte
}

func (d *doc) errAt(off int, field, format string, args ...any) error {
	off = max(0, min(off, len(d.data)))
	line := 1 + bytes.Count(d.data[:off], []byte("\n"))
	start := bytes.LastIndexByte(d.data[:off], '\n') + 1
	col := 1 + utf8.RuneCount(d.data[start:off])
	return &FileError{File: d.name, Line: line, Col: col, Field: field, Msg: fmt.Sprintf(format, args...)}
}

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

// tree parses the whole file.
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
	var fe *FileError
	if errors.As(err, &fe) {
		return nil, err
	}
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
	path string
}

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
				key := tok.(string)
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
		if _, err := t.dec.Token(); err != nil {
			return nil, err
		}
	}
	n.end = int(t.dec.InputOffset())
	return n, nil
}

// object checks that n is an object with every required field and nothing
// outside required and optional.
func (d *doc) object(n *node, required, optional []string) error {
	if err := d.kind(n, kObject); err != nil {
		return err
	}
	for _, m := range n.mem {
		if !slices.Contains(required, m.key) && !slices.Contains(optional, m.key) {
			return d.errNode(m.val, "unknown field (want %s)", strings.Join(append(slices.Clone(required), optional...), ", "))
		}
	}
	for _, f := range required {
		if n.get(f) == nil {
			path := f
			if n.path != "" {
				path = n.path + "." + f
			}
			return d.errAt(n.off, path, "missing")
		}
	}
	return nil
}

// kind checks that n, if present, is a k.
func (d *doc) kind(n *node, k kind) error {
	if n == nil || n.kind == k {
		return nil
	}
	article := "a"
	if k == kArray || k == kObject {
		article = "an"
	}
	return d.errNode(n, "want %s %s (value %s)", article, k, d.text(n))
}

// str reads a non-empty string.
func (d *doc) str(n *node) (string, error) {
	if n.kind != kString || strings.TrimSpace(n.str) == "" {
		return "", d.errNode(n, "want a non-empty string (value %s)", d.text(n))
	}
	return n.str, nil
}

// optStr reads an optional string (any, even empty).
func (d *doc) optStr(n *node) (string, error) {
	if n == nil {
		return "", nil
	}
	if err := d.kind(n, kString); err != nil {
		return "", err
	}
	return n.str, nil
}

// nonNegative reads a number >= 0.
func (d *doc) nonNegative(n *node) (float64, error) {
	if n.kind == kNumber {
		if v, err := n.num.Float64(); err == nil && v >= 0 && !math.IsInf(v, 0) {
			return v, nil
		}
	}
	return 0, d.errNode(n, "want a number >= 0 (value %s)", d.text(n))
}

// date reads a "YYYY-MM-DD" date as a UTC midnight.
func (d *doc) date(n *node) (time.Time, error) {
	if n.kind == kString {
		if t, err := time.Parse(time.DateOnly, n.str); err == nil {
			return t, nil
		}
	}
	return time.Time{}, d.errNode(n, "want a date YYYY-MM-DD (value %s)", d.text(n))
}
