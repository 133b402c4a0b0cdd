// Package parser reads Claude Code session logs (JSON lines) into usage records.
//
// A Reader is shaped like bufio.Scanner: NewReader, then Scan until it returns false,
// reading each record with Request and any I/O error with Err. It has no line length
// limit (real lines reach several MB), reuses one buffer (Reset moves it to the next
// file), tolerates CRLF, and never stops on a bad line: a line that is not JSON, or a
// is counted as malformed and kept as a *SyntaxError. A cut-off last line (a file
// still being written) is not malformed: see CutOff.
//
// Only top-level "type":"assistant" lines with a message.usage object become
// records; "<synthetic>" messages (written locally, no API call) and every other
// line type are skipped. "progress" lines embed copies of subagent messages and are
// never counted. Lines that cannot carry usage are skipped cheaply: a line is only
// parsed when it contains the bytes `"usage"`.
package parser

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"
	"github.com/usagescan/usagescan/internal/strutil"
	"github.com/usagescan/usagescan/usage"
)

// SourceClaudeCode is the Source of records read from session logs.
const SourceClaudeCode = "claude-code"

// NoModel is the model of a usage line that names none.
const NoModel = "<missing>"

// MaxErrors is how many malformed lines a Reader keeps per file; all are counted.
const MaxErrors = 10

// SyntaxError is a line that could not be read; the scan goes on after it.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Stats counts what a Reader saw.
type Stats struct {
	Bytes      int64 // bytes read
	Lines      int64 // non-blank lines
	UsageLines int64 // assistant lines with usage that became records (duplicates included)
	Synthetic  int64 // <synthetic> assistant lines, skipped
	Empty      int64 // assistant lines whose usage is all zero (no tokens, no searches), skipped
	Malformed  int64 // lines that are not JSON, cut off, or lack a usable timestamp
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Bytes += o.Bytes
	s.Lines += o.Lines
	s.UsageLines += o.UsageLines
	s.Synthetic += o.Synthetic
	s.Empty += o.Empty
	s.Malformed += o.Malformed
}

// Reader reads usage records from one stream of session-log lines.
type Reader struct {
	r    io.Reader
	name string
	user string

	buf        []byte
	start, end int // unread bytes are buf[start:end]
	scanned    int // bytes of buf[start:end] already searched for '\n'
	eof        bool
	lineNo     int
	err        error
	consumed   int64 // bytes through the last complete line
	cutOff     bool  // the input ended in a cut-off line
	atStart    bool  // the input starts at the file's first byte (a BOM may stand there)

	mem   []byte // the unread input held in memory (ResetBytes)
	inMem bool

	notices []usage.Notice
	req     usage.Request
	stats   Stats
	errs    []*SyntaxError
	// Every string a record keeps is interned here: gjson strings may point
	// into the read buffer.
	strs   strutil.Pool
	keyBuf []byte // the last record's Key
}

const initialBuf = 1 << 20

// NewReader returns a Reader over r. name is used in error messages (a path, or
// "-" for stdin) and user is stamped on every record.
func NewReader(r io.Reader, name, user string) *Reader {
	rd := &Reader{buf: make([]byte, initialBuf), strs: make(strutil.Pool)}
	rd.Reset(r, name, user)
	return rd
}

// Reset makes the Reader read from r, keeping its buffer and interned strings.
// Stats and errors start again from zero.
func (rd *Reader) Reset(r io.Reader, name, user string) {
	rd.r, rd.name, rd.user = r, name, user
	rd.mem, rd.inMem = nil, false
	rd.start, rd.end, rd.scanned = 0, 0, 0
	rd.eof, rd.lineNo, rd.err = false, 0, nil
	rd.consumed = 0
	rd.atStart = true
	rd.cutOff = false
	rd.stats = Stats{}
	rd.errs = rd.errs[:0]
	rd.notices = rd.notices[:0]
}

// ResetBytes is ResetAt for input held in memory (a file read whole): lines
// are cut from data in place, with no copy. data must not change while the
// Reader uses it.
func (rd *Reader) ResetBytes(data []byte, name, user string, lines int64) {
	rd.ResetAt(nil, name, user, lines)
	rd.mem, rd.inMem = data, true
}

// ResetAt is Reset for the part of a file after a resume point: lines is the
// number of lines before r in its file. Line numbers go on from there, and
// only input at a file's start (lines == 0) may begin with a byte-order mark.
func (rd *Reader) ResetAt(r io.Reader, name, user string, lines int64) {
	rd.Reset(r, name, user)
	rd.lineNo = int(lines)
	rd.atStart = lines == 0
}

// Scan advances to the next usage record. It returns false at the end of the input
// or on an I/O error (see Err).
func (rd *Reader) Scan() bool {
	for {
		line, complete, ok := rd.nextLine()
		if !ok {
			return false
		}
		if rd.parseLine(line, complete) {
			return true
		}
	}
}

// Request is the record found by the last Scan. The Reader reuses it: copy the
// value to keep it. Its strings are safe to keep, except Key, which lives in a
// buffer the next Scan reuses: hash it (usage.HashOf) or strings.Clone it.
func (rd *Reader) Request() *usage.Request { return &rd.req }

// Err is the first I/O error, or nil. Malformed lines are not errors.
func (rd *Reader) Err() error { return rd.err }

// Stats counts the lines read so far.
func (rd *Reader) Stats() Stats { return rd.stats }

// Malformed returns the first MaxErrors malformed lines (Stats.Malformed counts all).
// The slice is reused by Reset.
func (rd *Reader) Malformed() []*SyntaxError { return rd.errs }

// Offset is the number of bytes through the last complete (newline-ended) line
// read so far: where an incremental reader resumes. A cut-off last line is not
// included.
func (rd *Reader) Offset() int64 { return rd.consumed }

// Notices returns the <synthetic> messages read so far (limit messages and the
// like), oldest first as in the file. The slice is reused by Reset.
func (rd *Reader) Notices() []usage.Notice { return rd.notices }

// Line is the number of the line last read (1-based).
func (rd *Reader) Line() int { return rd.lineNo }

// nextLine returns the next line without its '\n', and whether it ended with one.
func (rd *Reader) nextLine() (line []byte, complete, ok bool) {
	if rd.inMem {
		if len(rd.mem) == 0 {
			return nil, false, false
		}
		rd.lineNo++
		if i := bytes.IndexByte(rd.mem, '\n'); i >= 0 {
			line, rd.mem = rd.mem[:i], rd.mem[i+1:]
			rd.consumed += int64(i + 1)
			rd.stats.Bytes += int64(i + 1)
			return line, true, true
		}
		line, rd.mem = rd.mem, nil
		rd.stats.Bytes += int64(len(line))
		return line, false, true
	}
	for {
		if i := bytes.IndexByte(rd.buf[rd.start+rd.scanned:rd.end], '\n'); i >= 0 {
			j := rd.start + rd.scanned + i
			line = rd.buf[rd.start:j]
			rd.consumed += int64(j + 1 - rd.start)
			rd.start, rd.scanned = j+1, 0
			rd.lineNo++
			return line, true, true
		}
		rd.scanned = rd.end - rd.start
		if rd.eof || rd.err != nil {
			if rd.start < rd.end {
				line = rd.buf[rd.start:rd.end]
				rd.start, rd.scanned = rd.end, 0
				rd.lineNo++
				return line, false, true
			}
			return nil, false, false
		}
		rd.fill()
	}
}

// fill reads more input, moving the unread bytes to the front or growing the buffer.
func (rd *Reader) fill() {
	if rd.start > 0 {
		n := copy(rd.buf, rd.buf[rd.start:rd.end])
		rd.start, rd.end = 0, n
	}
	if rd.end == len(rd.buf) {
		nb := make([]byte, 2*len(rd.buf))
		copy(nb, rd.buf[:rd.end])
		rd.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := rd.r.Read(rd.buf[rd.end:])
		rd.end += n
		rd.stats.Bytes += int64(n)
		if err == io.EOF {
			rd.eof = true
			return
		}
		if err != nil {
			rd.err = fmt.Errorf("%s: %w", rd.name, err)
			return
		}
		if n > 0 {
			return
		}
	}
	rd.err = fmt.Errorf("%s: %w", rd.name, io.ErrNoProgress)
}

func (rd *Reader) malformed(msg string) {
	rd.stats.Malformed++
	if len(rd.errs) < MaxErrors {
		rd.errs = append(rd.errs, &SyntaxError{File: rd.name, Line: rd.lineNo, Msg: msg})
	}
}

var (
	utf8BOM      = []byte("\ufeff")
	usageKey     = []byte(`"usage"`)
	assistantTyp = []byte(`"assistant"`)
	// syntheticModel is the raw message.model of a line Claude Code wrote itself.
	syntheticModel = []byte(`"<synthetic>"`)
)

// parseLine fills rd.req from one line and reports whether it is a usage record.
func (rd *Reader) parseLine(line []byte, complete bool) bool {
	line = bytes.TrimSpace(line) // also drops the '\r' of CRLF
	if rd.lineNo == 1 && rd.atStart {
		line = bytes.TrimPrefix(line, utf8BOM) // a file saved by an editor; only its first byte can carry one
	}
	if len(line) == 0 {
		return false
	}
	rd.stats.Lines++
	if !complete && !gjson.ValidBytes(line) {
		// A last line without its line end that is not whole JSON: still being
		// written. It is not malformed (the next read finds it whole); the
		// caller decides what a tail that never completes is (see CutOff).
		rd.cutOff = true
		return false
	}
	if line[0] != '{' || line[len(line)-1] != '}' {
		rd.malformedLine(complete, "not a JSON object")
		return false
	}
	// The fast path: most bytes are user and progress lines, which never count.
	// Claude Code writes their "type" before their large values, so the walk
	// stops there without touching the rest. A line that does not walk is
	// malformed only if it could have been a record (it holds the bytes
	// "usage" or "<synthetic>"); others are skipped unread, as ever.
	var f fields
	if !walkFields(line, &f, true) {
		if bytes.Contains(line, usageKey) || bytes.Contains(line, syntheticModel) {
			rd.malformedLine(complete, "invalid JSON")
		}
		return false
	}
	if f.skip {
		return false
	}
	if !isAssistant(f.typ) || !f.message {
		return false
	}
	if len(f.usage) == 0 || f.usage[0] != '{' {
		// Some versions write a limit message with no usage object at all.
		if bytes.Equal(f.model, syntheticModel) {
			rd.stats.Synthetic++
			rd.notice(&f)
		}
		return false
	}
	return rd.record(&f)
}

func (rd *Reader) malformedLine(_ bool, msg string) { rd.malformed(msg) }

// CutOff reports whether the input ended in a line without its line end that
// is not whole JSON: a line still being written. It is not counted as
// malformed.
func (rd *Reader) CutOff() bool { return rd.cutOff }

// record makes rd.req from the fields of an assistant line with usage.
func (rd *Reader) record(f *fields) bool {
	model := rd.str(f.model)
	if model == "<synthetic>" {
		rd.stats.Synthetic++
		rd.notice(f)
		return false
	}
	r := &rd.req
	*r = usage.Request{Source: SourceClaudeCode, User: rd.user, Count: 1}
	var cc, cc5, cc1 int64
	hasBreakdown := false
	var bad badCount
	// The usage object was checked by the line's structural pass: walk it in
	// place, reading whole numbers directly (gjson reads any other value).
	p := jscan{s: f.usage}
	num := func(field string, max int64) int64 {
		raw, _ := p.value(2)
		if n, ok := digits(raw); ok && n <= max {
			return n
		}
		return bad.count(gjson.ParseBytes(raw), field, max)
	}
	nested := func(visit func(k []byte) bool) bool {
		if p.i >= len(p.s) || p.s[p.i] != '{' {
			return false
		}
		p.members(2, func(k []byte) (handled, stop, ok bool) { return visit(k), false, true })
		return true
	}
	p.members(1, func(k []byte) (handled, stop, ok bool) {
		switch string(k) {
		case "input_tokens":
			r.Input = num("input_tokens", usage.MaxTokens)
		case "output_tokens":
			r.Output = num("output_tokens", usage.MaxTokens)
		case "cache_read_input_tokens":
			r.CacheRead = num("cache_read_input_tokens", usage.MaxTokens)
		case "cache_creation_input_tokens":
			cc = num("cache_creation_input_tokens", usage.MaxTokens)
		case "cache_creation":
			var seen5, seen1 bool // as gjson's Get: the first of a repeated key
			if !nested(func(k []byte) bool {
				switch {
				case string(k) == "ephemeral_5m_input_tokens" && !seen5:
					cc5, seen5 = num("cache_creation.ephemeral_5m_input_tokens", usage.MaxTokens), true
				case string(k) == "ephemeral_1h_input_tokens" && !seen1:
					cc1, seen1 = num("cache_creation.ephemeral_1h_input_tokens", usage.MaxTokens), true
				default:
					return false
				}
				return true
			}) {
				return false, false, true
			}
			hasBreakdown = true
		case "server_tool_use":
			var seenS, seenF bool
			if !nested(func(k []byte) bool {
				switch {
				case string(k) == "web_search_requests" && !seenS:
					r.WebSearch, seenS = int32(num("server_tool_use.web_search_requests", usage.MaxSearches)), true
				case string(k) == "web_fetch_requests" && !seenF:
					r.WebFetch, seenF = int32(num("server_tool_use.web_fetch_requests", usage.MaxSearches)), true
				default:
					return false
				}
				return true
			}) {
				return false, false, true
			}
		case "service_tier", "inference_geo", "speed":
			raw, _ := p.value(2)
			v := rd.str(raw)
			switch string(k) {
			case "service_tier":
				r.Tier = v
			case "inference_geo":
				r.Geo = v
			default:
				r.Speed = v
			}
		default:
			return false, false, true
		}
		return true, bad.field != "", true
	})
	if bad.field != "" {
		rd.malformed(bad.msg())
		return false
	}
	r.CacheWrite5m, r.CacheWrite1h = SplitCacheWrites(cc, cc5, cc1, hasBreakdown)
	if !r.Billable() {
		rd.stats.Empty++
		return false
	}
	t, err := parseTime(f.ts)
	if err != nil {
		rd.malformed(err.Error())
		return false
	}
	r.Time = t
	r.Model = model
	if r.Model == "" {
		r.Model = NoModel
	}
	r.Key = rd.key(f.id, f.reqID)
	r.Sidechain = string(f.side) == "true"
	r.SessionID = rd.str(f.sess)
	r.Cwd = rd.str(f.cwd)
	r.Entrypoint = rd.str(f.entry)
	rd.stats.UsageLines++
	return true
}

// key is Key(message id, request id) in a buffer the Reader reuses: the
// record's Key is valid until the next Scan (the sinks hash it at once).
func (rd *Reader) key(id, reqID []byte) string {
	if len(id) < 2 || len(reqID) < 2 || id[0] != '"' || reqID[0] != '"' ||
		bytes.IndexByte(id, '\\') >= 0 || bytes.IndexByte(reqID, '\\') >= 0 {
		return Key(text(id), text(reqID))
	}
	id, reqID = id[1:len(id)-1], reqID[1:len(reqID)-1]
	if len(id) == 0 {
		return ""
	}
	if len(reqID) == 0 {
		return string(id)
	}
	rd.keyBuf = append(append(append(rd.keyBuf[:0], id...), ':'), reqID...)
	return unsafe.String(&rd.keyBuf[0], len(rd.keyBuf))
}

// notice keeps the text of a <synthetic> line.
func (rd *Reader) notice(f *fields) {
	if len(f.content) == 0 {
		return
	}
	var txt string
	c := gjson.Parse(unsafe.String(&f.content[0], len(f.content)))
	if c.Type == gjson.String {
		txt = c.Str
	} else {
		c.ForEach(func(_, v gjson.Result) bool {
			if v.Get("type").Str == "text" {
				txt = v.Get("text").Str
				return false
			}
			return true
		})
	}
	t, err := parseTime(f.ts)
	if txt == "" || err != nil {
		return
	}
	rd.notices = append(rd.notices, usage.Notice{Time: t, User: rd.user, Text: strings.Clone(txt)})
}

// Key is the dedupe key of one API response: "messageID:requestID", or the message
// id alone when there is no request id. Without a message id there is no key ("")
// and the record is never merged with another.
func Key(messageID, requestID string) string {
	if messageID == "" {
		return ""
	}
	if requestID == "" {
		return messageID
	}
	return messageID + ":" + requestID
}

// SplitCacheWrites splits a request's cache writes into 5-minute and 1-hour writes.
// total is cache_creation_input_tokens; b5 and b1 the ephemeral breakdown when present.
// Cache writes are max(total, b5+b1); without a breakdown all are 5-minute writes,
// and any excess of total over the breakdown counts as 5-minute writes.
func SplitCacheWrites(total, b5, b1 int64, hasBreakdown bool) (w5, w1 int64) {
	if !hasBreakdown {
		return total, 0
	}
	if total > b5+b1 {
		b5 += total - (b5 + b1)
	}
	return b5, b1
}

// badCount is the first count of a usage object that no real request can have.
type badCount struct {
	field, raw string
	max        int64
}

// digits reads a whole number written as plain digits (at most 15 of them,
// no sign, no fraction, no exponent): the common case, read without gjson.
func digits(raw []byte) (int64, bool) {
	if len(raw) == 0 || len(raw) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// count reads a count of at most max: a whole, non-negative JSON number
// (2.0 and 1e3 are whole). A missing or null value is zero. Anything else is
// kept in b, the first such field only, and reads as zero.
func (b *badCount) count(v gjson.Result, field string, max int64) int64 {
	switch v.Type {
	case gjson.Null:
		return 0
	case gjson.Number:
		if n, err := strconv.ParseInt(v.Raw, 10, 64); err == nil {
			if n >= 0 && n <= max {
				return n
			}
		} else if f := v.Num; f >= 0 && f <= float64(max) && f == math.Trunc(f) {
			return int64(f)
		}
	}
	if b.field == "" {
		b.field, b.raw, b.max = field, v.Raw, max
	}
	return 0
}

func (b *badCount) msg() string {
	raw := b.raw
	if len(raw) > 40 {
		raw = raw[:40] + "..."
	}
	return fmt.Sprintf("usage line with a bad count: message.usage.%s is %s (want a whole number from 0 to %s)",
		b.field, raw, strconv.FormatInt(b.max, 10))
}

// utcStamp reads the form Claude Code writes, 2026-02-12T16:02:51.467Z (any
// number of fraction digits, or none), without time.Parse; anything else is
// left to time.Parse.
func utcStamp(s string) (time.Time, bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	n := func(i, j int) int {
		v := 0
		for ; i < j; i++ {
			c := s[i] - '0'
			if c > 9 {
				return -1
			}
			v = v*10 + int(c)
		}
		return v
	}
	y, mo, d, h, mi, sec := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	ns := 0
	if frac := s[19 : len(s)-1]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		ns = n(20, len(s)-1)
		if ns < 0 {
			return time.Time{}, false
		}
		for k := len(frac) - 1; k < 9; k++ {
			ns *= 10
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d { // February 30th and the like: time.Parse says why
		return time.Time{}, false
	}
	return t, true
}

func parseTime(raw []byte) (time.Time, error) {
	s := text(raw)
	if s == "" {
		return time.Time{}, fmt.Errorf("usage line without a timestamp")
	}
	t, ok := utcStamp(s)
	if !ok {
		var err error
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, fmt.Errorf("usage line with a bad timestamp %q", s)
		}
	}
	if !usage.TimeFits(t) {
		return time.Time{}, fmt.Errorf("usage line with a timestamp out of range %q (want a year from 1678 to 2261)", s)
	}
	return t.UTC(), nil
}

// str decodes and interns a raw JSON string value ("" for anything else).
func (rd *Reader) str(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	if body := raw[1 : len(raw)-1]; bytes.IndexByte(body, '\\') < 0 {
		if s, ok := rd.strs[string(body)]; ok { // no allocation on a hit
			return s
		}
	}
	return rd.strs.Intern(text(raw))
}
