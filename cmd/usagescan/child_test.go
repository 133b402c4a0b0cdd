package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runCmd runs cmd and returns its exit code, stdout and stderr; a command
// that could not start fails t.
func runCmd(t testing.TB, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var out, errs strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errs.String()
}

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
