// Command benchgen writes a synthetic Claude Code log tree for benchmarks.
//
//	go run ./internal/benchgen/cmd/benchgen -out DIR [-profile realistic|lean|legacy]
//	    [-size 1.2GB] [-requests N] [-seed 1] [-start 2025-12-01 -end 2026-11-01] [-truth FILE] [-edge-cases]
//
// The tree goes to DIR/projects (which must not exist); -truth writes the expected
// per month (UTC) and model totals of unique requests as JSON. Without -size and
// -requests a profile writes its default tree: realistic 1.2GB, lean 1M requests
// (about 950 MB), legacy 1.1GB.
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
	profile := fs.String("profile", "realistic", "tree shape: realistic (one response per ~9 KB, thousands of files), lean (one per ~1 KB) or legacy (one per ~58 KB, the first generator)")
	size := fs.String("size", "", "total bytes of .jsonl files (1.2GB, 500MB, 2GiB, ...; default: the profile's)")
	requests := fs.Int64("requests", 0, "stop after about `N` unique requests (with -size: whichever comes first)")
	startS := fs.String("start", "", "first day of the sessions, YYYY-MM-DD UTC (default: the profile's)")
	endS := fs.String("end", "", "end of the time span, YYYY-MM-DD UTC, exclusive (default: the profile's)")
	seed := fs.Int64("seed", 1, "random seed; the same seed and size give the same tree")
	truthPath := fs.String("truth", "", "write the expected totals as JSON to `FILE`")
	edge := fs.Bool("edge-cases", false, "add the cases where ccusage 20.0.24 departs from the counting rule (see benchgen.Config.EdgeCases)")
	quiet := fs.Bool("q", false, "print nothing but errors")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *outDir == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "benchgen: usage: benchgen -out DIR [-profile realistic|lean|legacy] [-size 1.2GB] [-requests N] [-seed 1] [-truth FILE]")
		return 2
	}
	prof, err := benchgen.ProfileByName(*profile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	cfg := benchgen.Config{Dir: *outDir, Seed: *seed, EdgeCases: *edge, Profile: prof, Requests: *requests}
	if *size != "" {
		if cfg.Size, err = benchgen.ParseSize(*size); err != nil || cfg.Size == 0 {
			fmt.Fprintln(stderr, "benchgen: bad -size:", *size)
			return 2
		}
	}
	if *requests < 0 {
		fmt.Fprintln(stderr, "benchgen: -requests must be positive")
		return 2
	}
	if cfg.Size == 0 && cfg.Requests == 0 {
		switch prof.Name {
		case "lean":
			cfg.Requests = 1_000_000
		case "legacy":
			cfg.Size = 1_100_000_000
		default:
			cfg.Size = 1_200_000_000
		}
	}
	for _, d := range []struct {
		s string
		t *time.Time
	}{{*startS, &cfg.Start}, {*endS, &cfg.End}} {
		if d.s == "" {
			continue
		}
		if *d.t, err = time.Parse("2006-01-02", d.s); err != nil {
			fmt.Fprintf(stderr, "benchgen: bad date %q (want YYYY-MM-DD)\n", d.s)
			return 2
		}
	}
	start := time.Now()
	truth, err := benchgen.Generate(cfg)
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
		fmt.Fprintf(stderr, "benchgen: %s: %d bytes, %d files, %d lines, %d usage lines, %d unique requests (%.0f per MB) in %.2fs (%.0f MB/s)\n",
			truth.Profile, truth.Bytes, truth.Files, truth.Lines, truth.UsageLines, truth.Requests,
			float64(truth.Requests)/(float64(truth.Bytes)/1e6), took.Seconds(), float64(truth.Bytes)/1e6/took.Seconds())
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
