// Command usagescan tells people who use Claude Code and the Claude API what they
// used, what it cost, and which plan they should be paying for.
package main

import (
	"os"
	"runtime/pprof"
)

func main() {
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
