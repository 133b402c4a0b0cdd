package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// Ingest a log tree twice (engine.Ingest reads it into the store): the second
// run finds every file unchanged and adds nothing. The store keeps each
// request once, and totals per 15-minute group for reports.
func Example() {
	dir, _ := os.MkdirTemp("", "store-example")
	defer os.RemoveAll(dir)
	files, _, _ := scan.Discover([]scan.Source{{Path: "../fixtures/basic", User: "alice"}})

	st, err := store.Open(filepath.Join(dir, "usage.db"), store.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	for run := 1; run <= 2; run++ {
		res, err := engine.Ingest(st, files, engine.IngestOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("run %d: %d new, %d files unchanged\n", run, res.New, res.Skipped)
	}
	var reqs, records int64
	st.Requests(time.Time{}, time.Time{}, func(usage.KeyHash, *usage.Request) error { reqs++; return nil })
	st.Groups(time.Time{}, time.Time{}, func(_ aggregate.GroupKey, s *aggregate.Sums) { records += s.Records })
	notices, _ := st.Notices(time.Time{}, time.Time{})
	fmt.Println(reqs, "requests,", records, "in the rollup,", len(notices), "notice")
	// Output:
	// run 1: 7 new, 0 files unchanged
	// run 2: 0 new, 4 files unchanged
	// 7 requests, 7 in the rollup, 1 notice
}
