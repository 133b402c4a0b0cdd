// Command usagescan tells people who use Claude Code and the Claude API what they
// used, what it cost, and which plan they should be paying for.
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
