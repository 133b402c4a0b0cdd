package billing

import (
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/usagescan/usagescan/aggregate"
	"github.com/usagescan/usagescan/pricing"
)

// samples is where the real exports are kept, outside the repository.
const samples = "../../shared/samples/billing"

// The real cost export: its billed total equals the sum of its cost_usd column,
// computed here with encoding/csv alone.
func TestRealCostExport(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(samples, "claude_api_cost_*.csv"))
	if len(paths) == 0 {
		t.Skipf("no real cost export in %s", samples)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, rows := sumColumn(t, path, "cost_usd")

			rd, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			if h := rd.Header(); h.Format != FormatCost {
				t.Fatalf("read as %v", h.Format)
			}
			var got float64
			byModel := map[string]float64{}
			for rd.Scan() {
				r := rd.Record()
				if r.Source != SourceCost || r.Count != 0 || r.Tokens.Total() != 0 || r.Billed == nil || r.Time.IsZero() {
					t.Errorf("record %+v", r)
					continue
				}
				if r.Model != WebSearchModel {
					if m, ok := pricing.Default().Lookup(r.Model); !ok || m.ID != r.Model {
						t.Errorf("model %q is not a canonical id", r.Model)
					}
				}
				got += r.Billed.Total()
				byModel[r.Model] += r.Billed.Total()
			}
			if err := rd.Err(); err != nil {
				t.Fatal(err)
			}
			if st := rd.Stats(); st.Rows != rows || st.Records+st.Merged != rows || st.Bad != 0 {
				t.Errorf("stats %+v, want %d rows", st, rows)
			}
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("billed total %.12f, cost_usd sums to %.12f", got, want)
			}
			t.Logf("%d rows, $%.2f billed: %v", rows, got, byModel)
		})
	}
}

// sumColumn sums a numeric column of a CSV file and counts its data rows.
func sumColumn(t *testing.T, path, col string) (float64, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	idx := -1
	for i, h := range header {
		if strings.TrimPrefix(h, "\uFEFF") == col {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("%s has no %s column", path, col)
	}
	var sum float64
	var rows int64
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		v, err := strconv.ParseFloat(rec[idx], 64)
		if err != nil {
			t.Fatalf("%s row %d: %v", path, rows+1, err)
		}
		sum += v
		rows++
	}
	return sum, rows
}

// The real cost export read twice (the same file named twice, or two downloads
// of it) through one deduplicating set still bills its cost_usd sum once.
func TestRealCostExportTwice(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(samples, "claude_api_cost_*.csv"))
	if len(paths) == 0 {
		t.Skipf("no real cost export in %s", samples)
	}
	for _, path := range paths {
		want, _ := sumColumn(t, path, "cost_usd")
		copyPath := filepath.Join(t.TempDir(), filepath.Base(path))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(copyPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s := aggregate.NewSet()
		for _, p := range []string{path, path, copyPath} {
			got, _ := readFile(t, p, Options{})
			for i := range got {
				s.Add(&got[i])
			}
		}
		var total float64
		for _, r := range s.Requests() {
			total += r.Billed.Total()
		}
		if math.Abs(total-want) > 1e-9 {
			t.Errorf("%s read three times bills $%.2f, want $%.2f once", filepath.Base(path), total, want)
		}
	}
}
