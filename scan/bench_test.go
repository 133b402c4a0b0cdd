package scan

import (
	"os"
	"testing"
)

// BenchmarkRun reads the tree named by USAGESCAN_BENCH_DIR (see scripts/bench.sh).
func BenchmarkRun(b *testing.B) {
	dir := os.Getenv("USAGESCAN_BENCH_DIR")
	if dir == "" {
		b.Skip("set USAGESCAN_BENCH_DIR to a log tree")
	}
	files, _, _ := Discover([]Source{{Path: dir, User: "u"}})
	var size int64
	for _, f := range files {
		size += f.Size
	}
	b.SetBytes(size)
	for b.Loop() {
		Run(files, nil, RunOptions{})
	}
}
