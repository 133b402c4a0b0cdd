package parser

import (
	"encoding/json"
	"testing"

	"github.com/tidwall/gjson"
)

func TestScanFieldsStructure(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`{}`, true},
		{` { "a" : [1, -2.5e3, true, false, null, "x\"y\\", {"b":{}}, []] } `, true},
		{`{"a":"\\\\"}`, true},
		{`{"a":1,}`, false},
		{`{"a" 1}`, false},
		{`{"a":tru}`, false},
		{`{"a":[1 2]}`, false},
		{`{"a":"unterminated}`, false},
		{`{"a":{"b":1}`, false},
		{`{"a":1}}`, false},
		{`{"a":-}`, false},
		{`{a:1}`, false},
	}
	for _, tc := range tests {
		var f fields
		if got := scanFields([]byte(tc.in), &f); got != tc.ok {
			t.Errorf("scanFields(%s) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

// TestWalkFieldsEarly: a type before any object or array value that is not
// "assistant" stops the walk (the rest of the line is never read, so a broken
// tail does not matter); any other line is walked whole.
func TestWalkFieldsEarly(t *testing.T) {
	tests := []struct {
		in         string
		ok, skip   bool
		typ, model string
	}{
		{`{"parentUuid":null,"isSidechain":false,"type":"user","message":{"content":"x"}}`, true, true, `"user"`, ``},
		{`{"uuid":"1","type":"progress","data":{"broken":`, true, true, `"progress"`, ``},
		{`{"type":1,"x":[}`, true, true, `1`, ``},
		{`{"message":{"model":"m"},"type":"user"}`, true, false, `"user"`, `"m"`}, // an object first: walked whole
		{`{"a":[1],"type":"progress","b":`, false, false, `"progress"`, ``},
		{`{"type":"assistant","message":{"model":"m"}}`, true, false, `"assistant"`, `"m"`},
		{`{"type":"assistant","message":{"model":"m"}`, false, false, `"assistant"`, `"m"`},
	}
	for _, tc := range tests {
		var f fields
		ok := walkFields([]byte(tc.in), &f, true)
		if ok != tc.ok || f.skip != tc.skip || string(f.typ) != tc.typ || string(f.model) != tc.model {
			t.Errorf("walkFields(%s, early) = %v, skip %v, type %s, model %s; want %v, %v, %s, %s",
				tc.in, ok, f.skip, f.typ, f.model, tc.ok, tc.skip, tc.typ, tc.model)
		}
		var g fields
		if scanFields([]byte(tc.in), &g); g.skip {
			t.Errorf("scanFields(%s) stopped early", tc.in)
		}
	}
}

// FuzzScanFields: every valid JSON object is accepted, and the fields it keeps
// are what gjson reads at the same paths.
func FuzzScanFields(f *testing.F) {
	f.Add([]byte(line("msg_1", "req_1", "claude-opus-4-6", ts, `{"input_tokens":1}`, `"entrypoint":"cli"`)))
	f.Add([]byte(`{"type":"assistant","message":{"id":"a\"b","usage":{}},"timestamp":"x"}`))
	f.Add([]byte(`{"a":[{"b":[null,true,false,1e-5]}],"type":"user"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fl fields
		ok := scanFields(data, &fl)
		var v any
		isObj := json.Unmarshal(data, &v) == nil
		if isObj {
			_, isObj = v.(map[string]any)
		}
		if isObj && !ok {
			t.Fatalf("valid object rejected: %q", data)
		}
		if !ok || !gjson.ValidBytes(data) {
			return
		}
		for _, c := range []struct {
			path string
			got  []byte
		}{{"type", fl.typ}, {"timestamp", fl.ts}, {"requestId", fl.reqID}, {"message.id", fl.id}, {"message.model", fl.model}, {"message.usage", fl.usage}} {
			want := gjson.GetBytes(data, c.path)
			// gjson takes the first of repeated keys; the scanner the last: only
			// compare when the key appears once.
			if want.Exists() && string(c.got) != want.Raw && gjson.GetBytes(data, c.path+"|@this").Raw == want.Raw {
				if countKey(data, c.path) == 1 {
					t.Fatalf("%s: got %q, gjson %q in %q", c.path, c.got, want.Raw, data)
				}
			}
		}
	})
}

func countKey(data []byte, path string) int {
	n := 0
	gjson.ParseBytes(data).ForEach(func(k, v gjson.Result) bool {
		if k.Str == path {
			n++
		}
		return true
	})
	if n == 0 { // a message.* path
		gjson.GetBytes(data, "message").ForEach(func(k, v gjson.Result) bool {
			if "message."+k.Str == path {
				n++
			}
			return true
		})
	}
	return n
}
