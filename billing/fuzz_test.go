package billing

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seeds adds every fixture, and a few edge cases, to a fuzz corpus.
func seeds(f *testing.F, add func(data []byte)) {
	paths, _ := filepath.Glob("testdata/*.csv*")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
	for _, s := range []string{"", "\uFEFF", "a\n", v2Header, costHeader, v2Header + "2026-03-31,m,k,W,standard,,x,0,0,0,0,0,,\n",
		costHeader + "2026-02-12,--,D,k,--,--,--,1,web_search,,\n", v2Header + "\"unterminated\n"} {
		add([]byte(s))
	}
}

// FuzzReader reads arbitrary input as a billing CSV: no panics, and every record
// and statistic keeps its invariants.
func FuzzReader(f *testing.F) {
	seeds(f, func(data []byte) { f.Add(data, false); f.Add(data, true) })
	m, err := LoadMapping("testdata/mapped.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		rd, err := NewReader(bytes.NewReader(data), "f.csv", Options{Mapping: m, SkipBadRows: skip})
		if err != nil {
			var he *HeaderError
			if !errors.Is(err, ErrEmpty) && !errors.As(err, &he) && !strings.HasPrefix(err.Error(), "f.csv") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		format := rd.Header().Format
		var n int64
		for rd.Scan() {
			n++
			checkRecord(t, rd, format)
		}
		st := rd.Stats()
		if st.Records != n {
			t.Fatalf("Records = %d, scanned %d", st.Records, n)
		}
		err = rd.Err()
		var re *RowError
		switch {
		case errors.As(err, &re):
			if skip {
				t.Fatalf("a bad row stopped the read with SkipBadRows: %v", err)
			}
			if !strings.HasPrefix(re.Error(), "f.csv:") || re.Line < 2 || re.Column < 0 {
				t.Fatalf("bad RowError %+v", re)
			}
			if st.Rows != st.Records+st.Merged+st.Skipped+1 {
				t.Fatalf("stats %+v at a bad row", st)
			}
		case err != nil:
			if !strings.HasPrefix(err.Error(), "f.csv: ") {
				t.Fatalf("error %q does not name the file", err)
			}
		default:
			if st.Rows != st.Records+st.Merged+st.Skipped+st.Bad || (!skip && st.Bad != 0) {
				t.Fatalf("stats %+v", st)
			}
			if len(rd.BadRows()) != int(min(st.Bad, MaxBadRows)) {
				t.Fatalf("%d bad rows kept of %d", len(rd.BadRows()), st.Bad)
			}
		}
	})
}

func checkRecord(t *testing.T, rd *Reader, format Format) {
	t.Helper()
	r := rd.Record()
	if r.Count != countOf(r.Source) || r.Model == "" || r.User == "" || r.Time.IsZero() || r.Time.Location() != time.UTC {
		t.Fatalf("record %+v", r)
	}
	tk := r.Tokens
	if tk.Input < 0 || tk.Output < 0 || tk.CacheWrite5m < 0 || tk.CacheWrite1h < 0 || tk.CacheRead < 0 || r.WebSearch < 0 {
		t.Fatalf("negative count in %+v", r)
	}
	if r.Billed != nil {
		for _, v := range []float64{r.Billed.Input, r.Billed.Output, r.Billed.CacheWrite, r.Billed.CacheRead, r.Billed.WebSearch} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("billed %+v", *r.Billed)
			}
		}
	}
	switch format {
	case FormatUsage:
		if r.Source != SourceUsage || r.Billed != nil || r.Context == 0 {
			t.Fatalf("usage record %+v", r)
		}
	case FormatCost:
		if r.Source != SourceCost || r.Billed == nil || tk.Total() != 0 || r.Context == 0 {
			t.Fatalf("cost record %+v", r)
		}
	case FormatOpenRouter:
		if r.Source != SourceOpenRouter || r.Billed == nil || r.Context != 0 {
			t.Fatalf("OpenRouter record %+v", r)
		}
	case FormatMapped:
		if r.Source != SourceUsage || r.Billed == nil { // the mapping names a cost column
			t.Fatalf("mapped record %+v", r)
		}
	default:
		t.Fatalf("format %v", format)
	}
}

// FuzzHeader detects the format of arbitrary header rows: a detected format has
// every required column, and Ignored lists only columns of the header.
func FuzzHeader(f *testing.F) {
	seeds(f, func(data []byte) {
		line, _, _ := bytes.Cut(data, []byte("\n"))
		f.Add(string(line))
	})
	m, err := LoadMapping("testdata/mapped.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		header := strings.Split(line, ",")
		l, err := detect("h.csv", header, m)
		if err != nil {
			var he *HeaderError
			if !errors.As(err, &he) || len(he.Tried) != len(specs)+1 {
				t.Fatalf("error %v", err)
			}
			return
		}
		have := map[string]bool{}
		for _, h := range header {
			have[normName(h)] = true
		}
		s := m.spec()
		for _, sp := range specs {
			if sp.format == l.Format {
				s = sp
			}
		}
		for _, c := range s.cols {
			if c.required && !have[normName(c.name)] {
				t.Fatalf("%v detected without %s", l.Format, c.name)
			}
		}
		for _, ig := range l.Ignored {
			if !have[normName(ig)] {
				t.Fatalf("ignored %q is not in the header", ig)
			}
		}
		for f, i := range l.idx {
			if i >= len(header) {
				t.Fatalf("field %d at column %d of %d", f, i, len(header))
			}
		}
	})
}

// countOf is the number of responses a record of source stands for: an
// OpenRouter row is one generation; Console rows are totals of unknown count.
func countOf(source string) int32 {
	if source == SourceOpenRouter {
		return 1
	}
	return 0
}
