package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/scan"
	"github.com/usagescan/usagescan/store"
	"github.com/usagescan/usagescan/usage"
)

// benchFiles is the tree named by USAGESCAN_BENCH_DIR (see scripts/bench.sh), or
// a generated one of about 60 MB.
func benchFiles(b *testing.B) []scan.File {
	dir := os.Getenv("USAGESCAN_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		genTree(b, dir, 200, 60, 10000, 7)
	}
	files := discover(b, dir)
	scan.Run(files, nil, scan.RunOptions{}) // warm the page cache
	return files
}

func size(files []scan.File) (n int64) {
	for _, f := range files {
		n += f.Size
	}
	return n
}

// BenchmarkScan is the pure scan the first ingest is compared with.
func BenchmarkScan(b *testing.B) {
	files := benchFiles(b)
	b.SetBytes(size(files))
	for b.Loop() {
		scan.Run(files, nil, scan.RunOptions{})
	}
}

// BenchmarkIngestFirst is a first ingest into a new store: open, read, write, close.
func BenchmarkIngestFirst(b *testing.B) {
	files := benchFiles(b)
	dir := b.TempDir()
	b.SetBytes(size(files))
	i := 0
	for b.Loop() {
		i++
		path := filepath.Join(dir, fmt.Sprintf("usage-%d.db", i))
		s, err := store.Open(path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := Ingest(s, files, IngestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.New), "requests")
		b.StopTimer()
		os.Remove(path)
		b.StartTimer()
	}
}

// BenchmarkIngestNoChange is a second ingest with nothing new: open, a stat per
// file, close.
func BenchmarkIngestNoChange(b *testing.B) {
	for _, n := range []int{0, 1000} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			var files []scan.File
			if n == 0 {
				files = benchFiles(b)
			} else {
				dir := b.TempDir()
				genTree(b, dir, n, 5, 2000, 8)
				files = discover(b, dir)
			}
			path := filepath.Join(b.TempDir(), "usage.db")
			s, err := store.Open(path, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Ingest(s, files, IngestOptions{}); err != nil {
				b.Fatal(err)
			}
			s.Close()
			b.ReportMetric(float64(len(files)), "files")
			for b.Loop() {
				s, err := store.Open(path, store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				res, err := Ingest(s, files, IngestOptions{})
				if err != nil || res.Bytes != 0 {
					b.Fatal(err, res.Bytes)
				}
				s.Close()
			}
		})
	}
}

// BenchmarkStoreRead reads a store back: a report's groups (the rollup) and
// recommend's walk of every request in time order.
func BenchmarkStoreRead(b *testing.B) {
	files := benchFiles(b)
	path := filepath.Join(b.TempDir(), "usage.db")
	s, err := store.Open(path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	res, err := Ingest(s, files, IngestOptions{})
	if err != nil {
		b.Fatal(err)
	}
	s.Close()
	b.ReportMetric(float64(res.New), "requests")
	for _, what := range []string{"groups", "requests"} {
		b.Run(what, func(b *testing.B) {
			for b.Loop() {
				s, err := store.Open(path, store.Options{ReadOnly: true})
				if err != nil {
					b.Fatal(err)
				}
				in := &Input{Store: s, Set: aggregate.NewSet()}
				if what == "groups" {
					_, err = in.Groups(aggregate.Range{}, Periods{By: aggregate.Month, Loc: time.UTC})
				} else {
					err = in.Requests(time.Time{}, time.Time{}, func(*usage.Request) {})
				}
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}
