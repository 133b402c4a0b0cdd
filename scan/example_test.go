package scan_test

import (
	"fmt"

	"github.com/usagescan/usagescan/scan"
)

// Find the logs of a config root and read them on all cores into one set of
// requests, each response counted once.
func Example() {
	sources := scan.Sources([]string{"alice=../fixtures/basic"}, scan.Env{Getenv: func(string) string { return "" }})
	files, stdin, warnings := scan.Discover(sources)
	res := scan.Run(files, stdin, scan.RunOptions{})
	fmt.Println(len(files), "files,", len(warnings), "warnings")
	fmt.Println(res.Stats.UsageLines, "usage lines,", res.Set.Len(), "requests,", res.Set.Duplicates(), "duplicates")
	for _, n := range res.Notices {
		fmt.Println(n.User, n.Time.Format("2006-01-02"), n.Text)
	}
	// Output:
	// 4 files, 0 warnings
	// 13 usage lines, 7 requests, 6 duplicates
	// alice 2026-06-10 You've hit your session limit · resets 4:20pm (Europe/Rome)
}
