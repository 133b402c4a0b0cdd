package billing

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkReader reads a v2 usage export of 100,000 hourly rows.
func BenchmarkReader(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(v2Header)
	models := []string{"claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "claude-opus-4-6"}
	for i := 0; i < 100_000; i++ {
		fmt.Fprintf(&buf, "2026-03-%02d %02d:00,%s,claude_code_key_user%d_ab12,Claude Code,standard,≤ 200k,%d,%d,0,%d,%d,0,not_available,\n",
			1+i/4000, i/100%24, models[i%3], i%7, i, 2*i, 10*i, i/3)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(data), "bench.csv", Options{})
		if err != nil {
			b.Fatal(err)
		}
		for rd.Scan() {
		}
		if rd.Err() != nil || rd.Stats().Records != 100_000 {
			b.Fatal(rd.Err(), rd.Stats())
		}
	}
}
