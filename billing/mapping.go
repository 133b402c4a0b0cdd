package billing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Mapping describes a CSV export that is not a known format: which column holds
// the date, the model, the user, each token class and the cost. It is the JSON
// file of --csv-map; see the package documentation for an example.
type Mapping struct {
	// Name labels the mapping in messages and Header.Version (optional).
	Name string `json:"name,omitempty"`
	// Columns names the columns to read. Date is required, and at least one
	// token column or Cost; every named column must be in the header.
	Columns MapColumns `json:"columns"`
	// DateLayout is a Go time layout for the date column, e.g. "01/02/2006".
	// Empty: YYYY-MM-DD, YYYY-MM-DD HH:MM, YYYY-MM-DD HH:MM:SS (with optional
	// fraction) or RFC 3339. Dates without a zone are UTC.
	DateLayout string `json:"date_layout,omitempty"`
	// DefaultModel is the model of rows without a model column or cell.
	DefaultModel string `json:"default_model,omitempty"`
	// CostScale multiplies the cost column to get USD, e.g. 0.01 for cents.
	// Zero or absent is 1.
	CostScale float64 `json:"cost_scale,omitempty"`
	// Source is the Source of the records; empty is "api-billing".
	Source string `json:"source,omitempty"`
}

// MapColumns names the columns of a mapped CSV. Empty names are not read.
type MapColumns struct {
	Date         string `json:"date"`
	Model        string `json:"model,omitempty"`
	User         string `json:"user,omitempty"` // read like an api_key name (see Options)
	Input        string `json:"input,omitempty"`
	Output       string `json:"output,omitempty"`
	CacheWrite5m string `json:"cache_write_5m,omitempty"` // also for unsplit cache writes
	CacheWrite1h string `json:"cache_write_1h,omitempty"`
	CacheRead    string `json:"cache_read,omitempty"`
	WebSearch    string `json:"web_search,omitempty"` // a count of searches
	Cost         string `json:"cost,omitempty"`       // the billed amount (times CostScale)
}

// LoadMapping reads and checks a mapping file. Errors name the file, and the
// line and column of a JSON syntax error.
func LoadMapping(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseMapping(path, data)
}

func parseMapping(name string, data []byte) (*Mapping, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("%s: empty mapping file", name)
		case errors.As(err, &se):
			line, col := lineCol(data, se.Offset-1) // Offset is just past the bad byte
			return nil, fmt.Errorf("%s:%d:%d: %v", name, line, col, err)
		case errors.As(err, &te):
			line, _ := lineCol(data, te.Offset)
			return nil, fmt.Errorf("%s:%d: %s: want a %s", name, line, te.Field, te.Type)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", name)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return &m, nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// mapFields pairs the mapping's columns with fields, in header-independent order.
func (m *Mapping) mapFields() []column {
	c := &m.Columns
	all := []column{
		{c.Date, fDate, true},
		{c.Model, fModel, true},
		{c.User, fUser, true},
		{c.Input, fInput, true},
		{c.Output, fOutput, true},
		{c.CacheWrite5m, fCW5, true},
		{c.CacheWrite1h, fCW1, true},
		{c.CacheRead, fCacheRead, true},
		{c.WebSearch, fWebSearch, true},
		{c.Cost, fCost, true},
	}
	out := all[:0]
	for _, col := range all {
		if strings.TrimSpace(col.name) != "" {
			out = append(out, col)
		}
	}
	return out
}

// check reports the first problem of a mapping.
func (m *Mapping) check() error {
	c := &m.Columns
	if strings.TrimSpace(c.Date) == "" {
		return errors.New(`columns.date is required`)
	}
	if c.Input+c.Output+c.CacheWrite5m+c.CacheWrite1h+c.CacheRead+c.WebSearch+c.Cost == "" {
		return errors.New("name at least one token column or the cost column in columns")
	}
	seen := map[string]bool{}
	for _, col := range m.mapFields() {
		n := normName(col.name)
		if seen[n] {
			return fmt.Errorf("column %q is named twice in columns", strings.TrimSpace(col.name))
		}
		seen[n] = true
	}
	if m.CostScale < 0 {
		return fmt.Errorf("cost_scale %v is negative", m.CostScale)
	}
	if m.DateLayout != "" {
		ref := time.Date(2026, 2, 13, 14, 5, 6, 0, time.UTC)
		// A layout without a year ("06" or "2006") would read every date as year 0.
		if _, err := time.Parse(m.DateLayout, ref.Format(m.DateLayout)); err != nil ||
			!strings.Contains(m.DateLayout, "06") {
			return fmt.Errorf("date_layout %q is not a Go time layout (like \"01/02/2006\")", m.DateLayout)
		}
	}
	return nil
}

func (m *Mapping) spec() *spec {
	return &spec{format: FormatMapped, cols: m.mapFields()}
}

func (m *Mapping) source() string {
	if m.Source != "" {
		return m.Source
	}
	return SourceUsage
}

func (m *Mapping) scale() float64 {
	if m.CostScale == 0 {
		return 1
	}
	return m.CostScale
}
