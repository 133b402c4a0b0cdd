package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestRev3Child runs the CLI in a child process (REV3_CHILD_ARGS, a JSON
// array), so that the parent can run it as another user. It does nothing in a
// normal run.
func TestRev3Child(t *testing.T) {
	argsJSON := os.Getenv("REV3_CHILD_ARGS")
	if argsJSON == "" {
		t.Skip("only run as a child of a rev3 test")
	}
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		t.Fatal(err)
	}
	code := run(append([]string{"usagescan"}, args...), strings.NewReader(""), os.Stdout, os.Stderr, os.Getenv)
	os.Exit(code)
}
