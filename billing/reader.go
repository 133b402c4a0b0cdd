package billing

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usagescan/usagescan/internal/strutil"
	"github.com/usagescan/usagescan/pricing"
	"github.com/usagescan/usagescan/usage"
)

// Sources of the records a Reader makes.
const (
	SourceUsage      = "api-billing" // Console usage-export rows and mapped rows
	SourceCost       = "api-cost"    // Console cost-export rows
	SourceOpenRouter = "openrouter"  // OpenRouter activity-export rows
)

// Model names of rows that do not name a model.
const (
	WebSearchModel = "<web search>" // cost-export web-search rows
	NoModel        = "<missing>"    // any other row with an empty or "--" model
)

// MaxBadRows is how many bad rows a Reader keeps with Options.SkipBadRows; all
// are counted in Stats.Bad.
const MaxBadRows = 10

// ErrEmpty is the error of a file with no header row (nothing but a BOM, blank
// lines or nothing at all). NewReader wraps it with the file's name.
var ErrEmpty = errors.New("empty file")

// Options say how a Reader attributes and checks rows.
type Options struct {
	// User, if set, is the user of every record (--csv NAME=PATH): it overrides
	// UserFrom and UserMap.
	User string
	// UserFrom is UserFromAPIKey ("" too) or UserFromWorkspace. Formats without
	// a workspace column use the key.
	UserFrom string
	// UserMap maps keys to users (--user-map, see LoadUserMap). It is looked up
	// with the key name (or workspace) as written, then with the user derived
	// from it; the first hit wins.
	UserMap map[string]string
	// Mapping reads files whose header matches no known format (--csv-map).
	Mapping *Mapping
	// SkipBadRows counts bad rows (Stats.Bad, BadRows) and reads on, instead of
	// stopping at the first one.
	SkipBadRows bool
	// Prices resolves model names to canonical ids; nil is pricing.Default().
	Prices *pricing.Table
	// ModTime is when the file was last modified: of two Console exports that
	// end on the same day, the later-modified one revises the other (see Rev).
	// Open sets it from the file when it is zero.
	ModTime time.Time
}

// Stats counts what a Reader read.
type Stats struct {
	Bytes   int64 // bytes read from the input (compressed bytes for gzip)
	Rows    int64 // data rows, the header and rows of empty cells excluded
	Records int64 // records returned by Scan
	Merged  int64 // Console rows summed into an earlier row of the same file with the same identity
	Skipped int64 // rows left out by design: OpenRouter rows of non-Claude models
	Bad     int64 // bad rows skipped with Options.SkipBadRows
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Bytes += o.Bytes
	s.Rows += o.Rows
	s.Records += o.Records
	s.Merged += o.Merged
	s.Skipped += o.Skipped
	s.Bad += o.Bad
}

// RowError is a bad row: a cell that cannot be read, or a row that is not
// well-formed CSV. It prints as "file:line:column: name: message (value "...")",
// or "file:line: message" for a whole row.
type RowError struct {
	File   string
	Line   int    // physical line in the file, 1-based (where the cell starts)
	Column int    // 1-based column (cell) number; 0 when the error is about the whole row
	Name   string // the column's header name; "" when Column is 0
	Value  string // the cell as written (clipped to 80 bytes)
	Msg    string
}

func (e *RowError) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s (value %q)", e.File, e.Line, e.Column, e.Name, e.Msg, e.Value)
}

// Reader reads usage records from one billing CSV, a row at a time. It is
// shaped like bufio.Scanner: NewReader (which reads the header), then Scan until
// it returns false, then Err.
type Reader struct {
	name   string
	opt    Options
	prices *pricing.Table
	lay    *layout
	cr     *csv.Reader
	cnt    *counter
	gz     *gzip.Reader
	closer io.Closer

	rec   usage.Request
	stats Stats
	bad   []*RowError
	err   error
	done  bool

	strs       strutil.Pool      // interned strings (a row's cells share one string)
	models     map[string]string // raw model -> record model
	users      map[string]string // raw key or workspace -> user
	bands      map[string]usage.Context
	lastDate   string // the last date cell parsed, its time, and its period (a day or an hour)
	lastTime   time.Time
	lastPeriod time.Duration

	// Console exports are read whole on the first Scan (see merge).
	merged  bool
	pend    []usage.Request
	pendIdx map[string]int
	next    int
	lastEnd time.Time
	idBuf   []byte
	row0    []string
}

// Open opens the file at path and reads its header (see NewReader). Close
// closes the file.
func Open(path string, opt Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory (list its CSVs with Files)", path)
	} else if err == nil && opt.ModTime.IsZero() {
		opt.ModTime = st.ModTime()
	}
	rd, err := NewReader(f, path, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	rd.closer = f
	return rd, nil
}

// NewReader returns a Reader over r after reading its header row and detecting
// the format. name is used in error messages (a path, or "-" for stdin).
// gzip-compressed input is recognised by its magic bytes and decompressed, and a
// UTF-8 byte-order mark is skipped.
//
// Errors: ErrEmpty (wrapped) when r holds no header row; a *HeaderError when the
// header matches no format; a bad Options value; or a read error.
func NewReader(r io.Reader, name string, opt Options) (*Reader, error) {
	switch opt.UserFrom {
	case "", UserFromAPIKey, UserFromWorkspace:
	default:
		return nil, fmt.Errorf("unknown user source %q: want %s or %s", opt.UserFrom, UserFromAPIKey, UserFromWorkspace)
	}
	if opt.Mapping != nil {
		if err := opt.Mapping.check(); err != nil {
			return nil, fmt.Errorf("csv mapping: %v", err)
		}
	}
	rd := &Reader{
		name: name, opt: opt, prices: opt.Prices, cnt: &counter{r: r},
		strs: make(strutil.Pool), models: make(map[string]string), users: make(map[string]string),
		bands: make(map[string]usage.Context),
	}
	if rd.prices == nil {
		rd.prices = pricing.Default()
	}
	br := bufio.NewReaderSize(rd.cnt, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rd.gz = zr
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	if b, _ := br.Peek(3); bytes.Equal(b, bom) {
		br.Discard(3)
	}
	// csv.NewReader keeps br: it is already a large enough bufio.Reader.
	rd.cr = csv.NewReader(br)
	rd.cr.ReuseRecord = true
	rd.cr.FieldsPerRecord = -1 // until the header is read
	header, err := rd.header()
	if err != nil {
		rd.Close()
		return nil, err
	}
	rd.lay, err = detect(name, header, opt.Mapping)
	if err != nil {
		rd.Close()
		return nil, err
	}
	rd.cr.FieldsPerRecord = len(header)
	return rd, nil
}

var bom = []byte("\uFEFF")

// header reads the first row that is not all blank.
func (rd *Reader) header() ([]string, error) {
	for {
		row, err := rd.cr.Read()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: %w", rd.name, ErrEmpty)
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: header row: %v", rd.name, pe.Line, pe.Err)
			}
			return nil, rd.ioErr(err)
		}
		if !blank(row) {
			h := make([]string, len(row))
			for i, c := range row {
				h[i] = strings.TrimSpace(strings.Clone(c))
			}
			return h, nil
		}
	}
}

// Scan advances to the next record. It returns false at the end of the input,
// on a read error, or on a bad row unless Options.SkipBadRows (see Err).
//
// A Console usage or cost export is read whole on the first call: rows with
// the same identity are summed into one record, and every record gets its Key
// and the file's Rev (see Rev), so that the same export read twice counts
// once and a newer export replaces an older one's rows. Its records come out
// in the order of their first rows; one that stops at a bad row has those of
// the rows before it.
func (rd *Reader) Scan() bool {
	if f := rd.lay.Format; f != FormatUsage && f != FormatCost {
		if rd.scanRow() {
			rd.stats.Records++
			return true
		}
		return false
	}
	if !rd.merged {
		for rd.scanRow() {
			rd.merge(rd.row0)
		}
		rd.finish()
		rd.merged = true
	}
	if rd.next >= len(rd.pend) {
		rd.pend = nil
		return false
	}
	rd.rec = rd.pend[rd.next]
	rd.next++
	rd.stats.Records++
	return true
}

// scanRow reads rows until one becomes a record (in rd.rec, its cells in
// rd.row0).
func (rd *Reader) scanRow() bool {
	for !rd.done && rd.err == nil {
		row, err := rd.cr.Read()
		if err == io.EOF {
			rd.done = true
			return false
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				rd.err = rd.ioErr(err)
				return false
			}
			rd.stats.Rows++
			rd.badRow(rd.csvError(pe, len(row)))
			continue
		}
		if blank(row) { // a row of empty cells, as spreadsheets leave: no data
			continue
		}
		rd.stats.Rows++
		ok, rerr := rd.row(row)
		switch {
		case rerr != nil:
			rd.badRow(rerr)
		case ok:
			rd.row0 = row
			return true
		default:
			rd.stats.Skipped++
		}
	}
	return false
}

// blank reports whether every cell of a row is empty or spaces.
func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Record is the record found by the last Scan. The Reader reuses it: copy the
// value to keep it. Its strings and its Billed amount are safe to keep.
func (rd *Reader) Record() *usage.Request { return &rd.rec }

// Err is the error that stopped the scan: a *RowError for a bad row (without
// Options.SkipBadRows), or a read error; nil at the end of the input.
func (rd *Reader) Err() error { return rd.err }

// Stats counts what was read so far.
func (rd *Reader) Stats() Stats {
	s := rd.stats
	s.Bytes = rd.cnt.n
	return s
}

// BadRows returns the first MaxBadRows bad rows skipped with Options.SkipBadRows.
func (rd *Reader) BadRows() []*RowError { return rd.bad }

// Header returns what the header row says: the format, its version and the
// columns ignored.
func (rd *Reader) Header() Header { return rd.lay.Header }

// Close closes the gzip stream and the file Open opened. It does not close the
// io.Reader given to NewReader.
func (rd *Reader) Close() error {
	var err error
	if rd.gz != nil {
		err = rd.gz.Close()
	}
	if rd.closer != nil {
		if cerr := rd.closer.Close(); err == nil {
			err = cerr
		}
		rd.closer = nil
	}
	return err
}

// ioErr names the file in a read error, unless the error already does.
func (rd *Reader) ioErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("%s: %w", rd.name, err)
}

func (rd *Reader) badRow(e *RowError) {
	if !rd.opt.SkipBadRows {
		rd.err = e
		return
	}
	rd.stats.Bad++
	if len(rd.bad) < MaxBadRows {
		rd.bad = append(rd.bad, e)
	}
}

// csvError turns a CSV syntax error into a RowError.
func (rd *Reader) csvError(pe *csv.ParseError, fields int) *RowError {
	e := &RowError{File: rd.name, Line: pe.StartLine}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		e.Msg = fmt.Sprintf("row has %d cells, the header has %d", fields, len(rd.lay.names))
	} else {
		e.Line = pe.Line
		e.Msg = fmt.Sprintf("%v (byte %d of the line)", pe.Err, pe.Column)
	}
	return e
}

// cellError is a RowError for the cell of field f.
func (rd *Reader) cellError(row []string, f field, msg string) *RowError {
	i := rd.lay.idx[f]
	line, _ := rd.cr.FieldPos(i)
	return &RowError{File: rd.name, Line: line, Column: i + 1, Name: rd.lay.names[i], Value: clip(row[i]), Msg: msg}
}

// clip returns a copy of s cut to 80 bytes (at a rune boundary).
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return strings.Clone(s)
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// stripBOM returns r without a leading UTF-8 byte-order mark.
func stripBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, bom) {
		br.Discard(3)
	}
	return br
}

// Files lists the billing CSVs of a directory: its *.csv and *.csv.gz files
// (any letter case), not those of its subdirectories, nor hidden files (names
// starting with "."), sorted by name. The paths are joined with dir.
func Files(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		l := strings.ToLower(n)
		if strings.HasPrefix(n, ".") || !(strings.HasSuffix(l, ".csv") || strings.HasSuffix(l, ".csv.gz")) {
			continue
		}
		p := filepath.Join(dir, n)
		if e.IsDir() {
			continue
		}
		if e.Type()&os.ModeSymlink != 0 {
			// A broken link is listed: opening it gives a clear error.
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				continue
			}
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}
