package main

import "github.com/usagescan/usagescan/scan"

// streamLogs returns the first log file named that is not a regular file: a
// pipe (--logs <(cmd), /dev/stdin fed by a pipe), a device or a socket; ""
// when there is none. report reads such a stream to its end; ingest, which
// keeps its place in each file by size and offset, refuses it.
func streamLogs(files []scan.File) string {
	for _, f := range files {
		if f.Stream { // from the stat that found it: no second stat per file
			return f.Path
		}
	}
	return ""
}

// refuseStreams is ingest's error for a log stream, nil without one.
func refuseStreams(files []scan.File) error {
	p := streamLogs(files)
	if p == "" {
		return nil
	}
	return errorf("ingest reads files, and %s is a pipe or device, not a file", p).
		hint("save the output to a file and name it with --logs, or read the stream once with report --logs")
}
