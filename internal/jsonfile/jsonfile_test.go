package jsonfile

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"{\"a\": 1,\n  \"a\": 2}", "f.json:2:3: a: duplicate field"},
		{`{"a": [1, }`, "f.json:1:11: a[1]: invalid character '}' looking for beginning of value"},
		{`{"a": {"b": `, "f.json:1:13: a.b: unexpected end of JSON input"},
		{`{} []`, "f.json:1:4: invalid character '[' after top-level value"},
	} {
		_, err := Parse("f.json", []byte(tt.text))
		var fe *FileError
		if err == nil || err.Error() != tt.want || !errors.As(err, &fe) {
			t.Errorf("%s:\n got %v\nwant %s", tt.text, err, tt.want)
		}
	}
}

func TestChecks(t *testing.T) {
	text := "{\"s\": \"é\",\n \"n\": -1, \"d\": \"2026-02-30\", \"o\": {\"x\": true},\n \"long\": \"" + strings.Repeat("é", 50) + "\"}"
	d, err := Parse("f.json", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	root := d.Root()
	if s, err := d.Str(root.Get("s")); s != "é" || err != nil {
		t.Errorf("Str = %q, %v", s, err)
	}
	if root.Get("nope").Get("x") != nil {
		t.Error("Get on a missing member's member")
	}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{d.Want(root.Get("n"), String), "f.json:2:2: n: want a string (value -1)"},
		{d.Want(root.Get("o"), Array), `f.json:2:30: o: want an array (value {"x": true})`},
		{d.Want(nil, Array), "<nil>"},
		{d.Object(root.Get("o"), []string{"y"}, []string{"x"}), "f.json:2:35: o.y: missing"},
		{d.Object(root.Get("o"), nil, []string{"z"}), "f.json:2:36: o.x: unknown field (want z)"},
		{d.Object(root, nil, []string{"s", "n", "d", "o", "long"}), "<nil>"},
		{func() error { _, err := d.Date(root.Get("d")); return err }(), `f.json:2:11: d: want a date YYYY-MM-DD (value "2026-02-30")`},
		{func() error { _, err := d.Str(root.Get("long")); return err }(), "<nil>"},
		{func() error { _, err := d.Str(root.Get("n")); return err }(), "f.json:2:2: n: want a non-empty string (value -1)"},
		{d.Errorf(root.Get("long"), "%s", d.Text(root.Get("long"))), `f.json:3:2: long: "` + strings.Repeat("é", 36) + "..."},
		{d.ErrorAt(0, "", "top"), "f.json:1:1: top"},
	} {
		got := "<nil>"
		if tt.err != nil {
			got = tt.err.Error()
		}
		if got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}
