// Command usagescan tells people who use Claude Code and the Claude API what they
// used, what it cost, and which plan they should be paying for.
package main

import (
	"os"
	"runtime/debug"
	"runtime/pprof"
)

func main() {
	// Most of what a run holds is pointer-free (compact records, their index),
	// which the collector marks for almost nothing: collect more often, and
	// keep the peak memory near what is live. GOGC still wins when set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(40)
	}
	// USAGESCAN_CPUPROFILE=FILE writes a CPU profile of the run (for go tool pprof).
	if p := os.Getenv("USAGESCAN_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			code := run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
