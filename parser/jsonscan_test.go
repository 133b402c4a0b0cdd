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

func TestLineType(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"parentUuid":null,"isSidechain":false,"type":"user","message":{"content":"x"}}`, `"user"`},
		{`{"message":{"type":"x"},"type":"assistant"}`, ``}, // an object comes first: not known cheaply
		{`{"a":[1],"type":"progress"}`, ``},
		{`{"uuid":"1","type":"progress","data":{}}`, `"progress"`},
		{`{"type":1}`, `1`},
	}
	for _, tc := range tests {
		if got := string(lineType([]byte(tc.in))); got != tc.want {
			t.Errorf("lineType(%s) = %q, want %q", tc.in, got, tc.want)
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
