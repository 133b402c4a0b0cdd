package store_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
)

// Ingest a log tree twice: the second run finds every file unchanged and adds
// nothing. Load returns what is stored, each request once.
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
		res, err := st.Ingest(files, store.IngestOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("run %d: %d new, %d files unchanged\n", run, res.New, res.Skipped)
	}
	reqs, notices, _ := st.Load()
	fmt.Println(len(reqs), "requests,", len(notices), "notice")
	// Output:
	// run 1: 7 new, 0 files unchanged
	// run 2: 0 new, 4 files unchanged
	// 7 requests, 1 notice
}
