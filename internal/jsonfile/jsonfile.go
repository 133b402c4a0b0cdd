// Package jsonfile reads a JSON file into a tree of values that remember where
// they stand, so that a problem is reported as "file:line:col: field: message".
package jsonfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Decoding straight into structs would lose the byte offsets that a message like
// "prices.json:12:5: models[3].rates.input: ..." needs; a Doc keeps them, and its
// checks (Object, Want, Str, Date) report a problem at the value it is about.

// Kind is the kind of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"null", "boolean", "number", "string", "array", "object"}

func (k Kind) String() string { return kindNames[k] }

// A Node is one JSON value.
type Node struct {
	Kind  Kind
	Path  string // models[3].rates.input; "" for the top-level value
	Off   int    // byte offset of the value's first byte
	Num   json.Number
	Str   string
	Bool  bool
	Elems []*Node // array elements

	pos int      // offset of the member's key, or of the value when it has none
	end int      // offset just past the value
	mem []member // object members, in file order
}

type member struct {
	key string
	val *Node
}

// Get returns the member of object n named key, or nil (also when n is nil).
func (n *Node) Get(key string) *Node {
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

// FileError is a problem at one place in a file, printed as
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

// A Doc is a parsed file. Its errors are *FileError.
type Doc struct {
	name string
	data []byte
	root *Node
}

// Parse reads data, the content of the file called name, into a tree; an error
// in the JSON text is a *FileError.
func Parse(name string, data []byte) (*Doc, error) {
	d := &Doc{name: name, data: data}
	t := &treeReader{Doc: d, dec: json.NewDecoder(bytes.NewReader(data))}
	t.dec.UseNumber()
	root, err := t.value("", -1)
	if err == nil {
		if _, err = t.dec.Token(); err == io.EOF {
			d.root = root
			return d, nil
		}
		if err == nil {
			err = errors.New("unexpected data after the top-level value")
		}
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return nil, err
	}
	// The decoder's own offsets are not reliable once it has failed;
	// a whole-buffer check reports the exact byte.
	off := t.skip()
	var se *json.SyntaxError
	if e := json.Unmarshal(data, new(json.RawMessage)); errors.As(e, &se) {
		err, off = e, int(se.Offset)-1
		if strings.HasPrefix(se.Error(), "unexpected end") {
			off = len(data)
		}
	}
	return nil, d.ErrorAt(off, t.path, "%v", err)
}

// Root returns the top-level value.
func (d *Doc) Root() *Node { return d.root }

// ErrorAt returns a *FileError at byte offset off about field.
func (d *Doc) ErrorAt(off int, field, format string, args ...any) error {
	off = max(0, min(off, len(d.data)))
	line := 1 + bytes.Count(d.data[:off], []byte("\n"))
	start := bytes.LastIndexByte(d.data[:off], '\n') + 1
	col := 1 + utf8.RuneCount(d.data[start:off])
	return &FileError{File: d.name, Line: line, Col: col, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Errorf returns a *FileError about n, at its key when n is an object member.
func (d *Doc) Errorf(n *Node, format string, args ...any) error {
	return d.ErrorAt(n.pos, n.Path, format, args...)
}

// Text returns n's source text, shortened for a message.
func (d *Doc) Text(n *Node) string {
	s := string(d.data[n.Off:n.end])
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:37]) + "..."
	}
	return s
}

// Object checks that n is an object with every required field and no field
// outside required and optional.
func (d *Doc) Object(n *Node, required, optional []string) error {
	if err := d.Want(n, Object); err != nil {
		return err
	}
	for _, m := range n.mem {
		if !slices.Contains(required, m.key) && !slices.Contains(optional, m.key) {
			return d.Errorf(m.val, "unknown field (want %s)", strings.Join(append(slices.Clone(required), optional...), ", "))
		}
	}
	for _, f := range required {
		if n.Get(f) == nil {
			return d.Missing(n, f)
		}
	}
	return nil
}

// Missing reports that object n lacks field f.
func (d *Doc) Missing(n *Node, f string) error {
	path := f
	if n.Path != "" {
		path = n.Path + "." + f
	}
	return d.ErrorAt(n.Off, path, "missing")
}

// Want checks that n, if present, is a k.
func (d *Doc) Want(n *Node, k Kind) error {
	if n == nil || n.Kind == k {
		return nil
	}
	article := "a"
	if k == Array || k == Object {
		article = "an"
	}
	return d.Errorf(n, "want %s %s (value %s)", article, k, d.Text(n))
}

// Str reads a non-empty string.
func (d *Doc) Str(n *Node) (string, error) {
	if n.Kind != String || strings.TrimSpace(n.Str) == "" {
		return "", d.Errorf(n, "want a non-empty string (value %s)", d.Text(n))
	}
	return n.Str, nil
}

// Date reads a "YYYY-MM-DD" date as a UTC midnight.
func (d *Doc) Date(n *Node) (time.Time, error) {
	if n.Kind == String {
		if t, err := time.Parse(time.DateOnly, n.Str); err == nil {
			return t, nil
		}
	}
	return time.Time{}, d.Errorf(n, "want a date YYYY-MM-DD (value %s)", d.Text(n))
}

type treeReader struct {
	*Doc
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
func (t *treeReader) value(path string, keyOff int) (*Node, error) {
	t.path = path
	n := &Node{Path: path, Off: t.skip()}
	n.pos = n.Off
	if keyOff >= 0 {
		n.pos = keyOff
	}
	tok, err := t.dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case nil:
		n.Kind = Null
	case bool:
		n.Kind, n.Bool = Bool, v
	case json.Number:
		n.Kind, n.Num = Number, v
	case string:
		n.Kind, n.Str = String, v
	case json.Delim:
		if v == '[' {
			n.Kind = Array
			for t.dec.More() {
				e, err := t.value(path+"["+strconv.Itoa(len(n.Elems))+"]", -1)
				if err != nil {
					return nil, err
				}
				n.Elems = append(n.Elems, e)
			}
		} else {
			n.Kind = Object
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
				if n.Get(key) != nil {
					return nil, t.ErrorAt(koff, child, "duplicate field")
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
