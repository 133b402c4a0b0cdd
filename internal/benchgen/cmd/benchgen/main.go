// Command benchgen writes a synthetic Claude Code log tree for benchmarks.
//
//	go run ./internal/benchgen/cmd/benchgen -out DIR [-size 1.1GB] [-seed 1] [-truth FILE] [-edge-cases]
//
// The tree goes to DIR/projects (which must not exist); -truth writes the expected
// per month (UTC) and model totals of unique requests as JSON.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/usagescan/usagescan/internal/benchgen"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	outDir := fs.String("out", "", "root of the tree to write (files go to `DIR`/projects)")
	size := fs.String("size", "1.1GB", "total bytes of .jsonl files (1.1GB, 500MB, 2GiB, ...)")
	seed := fs.Int64("seed", 1, "random seed; the same seed and size give the same tree")
	truthPath := fs.String("truth", "", "write the expected totals as JSON to `FILE`")
	edge := fs.Bool("edge-cases", false, "add the cases where ccusage 20.0.24 departs from the counting rule (see benchgen.Config.EdgeCases)")
	quiet := fs.Bool("q", false, "print nothing but errors")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *outDir == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "benchgen: usage: benchgen -out DIR [-size 1.1GB] [-seed 1] [-truth FILE]")
		return 2
	}
	n, err := benchgen.ParseSize(*size)
	if err != nil {
		fmt.Fprintln(stderr, "benchgen:", err)
		return 2
	}
	start := time.Now()
	truth, err := benchgen.Generate(benchgen.Config{Dir: *outDir, Size: n, Seed: *seed, EdgeCases: *edge})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	took := time.Since(start)
	if *truthPath != "" {
		data, err := json.MarshalIndent(truth, "", "  ")
		if err == nil {
			err = os.WriteFile(*truthPath, append(data, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "benchgen: writing truth:", err)
			return 1
		}
	}
	if !*quiet {
		fmt.Fprintf(stderr, "benchgen: %d bytes, %d files, %d lines, %d usage lines, %d unique requests in %.2fs (%.0f MB/s)\n",
			truth.Bytes, truth.Files, truth.Lines, truth.UsageLines, truth.Requests, took.Seconds(),
			float64(truth.Bytes)/1e6/took.Seconds())
		kinds := make([]string, 0, len(truth.KindBytes))
		for k := range truth.KindBytes {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		fmt.Fprint(stderr, "benchgen: bytes by line kind:")
		for _, k := range kinds {
			fmt.Fprintf(stderr, " %s %.1f%%", k, 100*float64(truth.KindBytes[k])/float64(truth.Bytes))
		}
		fmt.Fprintln(stderr)
	}
	return 0
}
