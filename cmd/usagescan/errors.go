package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes, documented in README and --help.
const (
	exitOK     = 0
	exitError  = 1 // bad flags, unreadable input, failed output
	exitNoData = 2 // no usage data found
)

// userError is an error meant for the user: one lower-case line, hints below it,
// and the exit code it ends the run with.
type userError struct {
	code  int
	msg   string
	hints []string
}

func (e *userError) Error() string { return e.msg }

func errorf(format string, args ...any) *userError {
	return &userError{code: exitError, msg: fmt.Sprintf(format, args...)}
}

func (e *userError) hint(format string, args ...any) *userError {
	e.hints = append(e.hints, fmt.Sprintf(format, args...))
	return e
}

func (e *userError) exit(code int) *userError {
	e.code = code
	return e
}

// exitCode prints err and returns its exit code; nil is exitOK.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var ue *userError
	if !errors.As(err, &ue) {
		ue = &userError{code: exitError, msg: err.Error()}
	}
	fmt.Fprintf(stderr, "usagescan: %s\n", ue.msg)
	for _, h := range ue.hints {
		fmt.Fprintf(stderr, "  %s\n", strings.TrimSpace(h))
	}
	return ue.code
}
