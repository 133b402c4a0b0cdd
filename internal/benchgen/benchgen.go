// Package benchgen writes synthetic Claude Code log trees for benchmarks and tests.
//
// A tree is shaped like a CLAUDE_CONFIG_DIR: projects/<encoded-cwd>/<sessionId>.jsonl,
// subagent transcripts in projects/<slug>/<sessionId>/subagents/agent-<id>.jsonl (2.1.x)
// or flat projects/<slug>/agent-<id>.jsonl (2.0.x) or inline in the session (1.0.x).
// Its lines follow what real transcripts hold: most bytes in user lines carrying large
// tool results, one assistant line per content block of a response (same message.id and
// requestId, growing output_tokens), progress lines embedding copies of subagent
// messages, <synthetic> lines, lines without requestId, resumed sessions copying earlier
// history into a new file.
//
// Generate also returns the ground truth: per month (UTC) and model totals of the
// unique API responses, taken from the generator's own model of each response's final
// copy, never from parsing what it wrote. The output is a pure function of Config.
package benchgen

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config says what to generate.
type Config struct {
	// Dir is the root of the tree (the CLAUDE_CONFIG_DIR); files go under Dir/projects.
	Dir string
	// Size is the total bytes of .jsonl files to write; the tree ends at the first
	// line boundary at or after it (within a few MB on large trees).
	Size int64
	// Requests, when above zero, also ends the tree: soon after that many unique
	// responses are written (a subagent in progress still writes its final response,
	// so a tree may hold a few more). Set Size or Requests, or both: the first reached
	// ends the tree.
	Requests int64
	// Seed makes the tree: the same Config gives the same bytes.
	Seed int64
	// Profile shapes the tree (line sizes, responses per file, files per session).
	// Zero (no Name): Realistic().
	Profile Profile
	// Start and End bound the session timestamps (UTC). Zero: the profile's span.
	Start, End time.Time
	// EdgeCases adds two cases where ccusage 20.0.24 departs from the counting rule, so
	// its totals no longer equal the truth: cache_creation_input_tokens above 5m + 1h
	// (the excess counts as 5m; ccusage counts 5m + 1h only) and resumed sessions that
	// copy responses without requestId into a new file (the key is message.id across all
	// files; ccusage dedupes those within one file only). Off, the tree holds neither
	// and ccusage's per month and model token totals equal the truth.
	EdgeCases bool
}

// Row is one (month, model) total of unique API responses. Field names follow the
// rows of `usagescan report --format json`.
type Row struct {
	Period       string `json:"period"` // "YYYY-MM", UTC
	Model        string `json:"model"`
	Input        int64  `json:"input_tokens"`
	Output       int64  `json:"output_tokens"`
	CacheWrite5m int64  `json:"cache_write_5m_tokens"`
	CacheWrite1h int64  `json:"cache_write_1h_tokens"`
	CacheRead    int64  `json:"cache_read_tokens"`
	WebSearch    int64  `json:"web_search_requests"`
	Requests     int64  `json:"requests"`
}

// Truth is what a correct scanner must report for the generated tree.
type Truth struct {
	Schema  string `json:"schema"` // "benchgen.truth/v1"
	Profile string `json:"profile"`
	Seed    int64  `json:"seed"`
	Bytes   int64  `json:"bytes"` // total bytes of .jsonl files
	Files   int    `json:"files"` // .jsonl files
	Lines   int64  `json:"lines"`
	// UsageLines counts top-level assistant lines with usage, <synthetic> excluded.
	UsageLines int64 `json:"usage_lines"`
	// SyntheticLines counts top-level assistant lines of model <synthetic>.
	SyntheticLines int64 `json:"synthetic_lines"`
	// Requests counts unique API responses (the sum of Rows[].Requests);
	// UsageLines - Requests is the number of duplicate copies.
	Requests int64 `json:"requests"`
	Rows     []Row `json:"rows"`
	// KindBytes is bytes written per line kind (user, assistant, progress, ...),
	// for a look at the tree's shape.
	KindBytes map[string]int64 `json:"kind_bytes"`
}

// ParseSize reads "1.1GB", "500MB", "64KiB", "2GiB" or plain bytes (case-insensitive).
// KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mult   float64
	}{
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1},
	}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			mult = u.mult
			t = strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("bad size %q (want e.g. 1.1GB, 500MB, 2GiB or bytes)", s)
	}
	return int64(v * mult), nil
}

// Generate writes the tree and returns its truth. Dir/projects must not exist yet.
func Generate(cfg Config) (*Truth, error) {
	if cfg.Dir == "" {
		return nil, errors.New("benchgen: no output directory")
	}
	if cfg.Size < 0 || cfg.Requests < 0 || cfg.Size == 0 && cfg.Requests == 0 {
		return nil, errors.New("benchgen: size or requests must be positive")
	}
	if cfg.Profile.Name == "" {
		cfg.Profile = Realistic()
	}
	p := cfg.Profile
	if p.BytesPerRequest <= 0 || p.MaxSession <= 0 || p.MaxResult <= 0 || p.ResultScale <= 0 ||
		p.TextScale <= 0 || p.MaxResponses <= 0 {
		return nil, fmt.Errorf("benchgen: profile %q: sizes and scales must be positive", p.Name)
	}
	if cfg.Start.IsZero() {
		cfg.Start = p.Start
	}
	if cfg.End.IsZero() {
		cfg.End = p.End
	}
	if !cfg.End.After(cfg.Start.Add(72 * time.Hour)) {
		return nil, errors.New("benchgen: the time range must span more than 3 days")
	}
	root := filepath.Join(cfg.Dir, "projects")
	if _, err := os.Stat(root); err == nil {
		return nil, fmt.Errorf("benchgen: %s already exists; generate into a fresh directory", root)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}

	g := newGen(cfg, root)
	if err := g.run(); err != nil {
		return nil, err
	}
	return g.truth(), nil
}

type rowKey struct{ period, model string }

type doneSession struct {
	path, id  string
	project   int
	version   string
	end       time.Time
	sizeBytes int64
	noReqAt   int64 // see out.noReqAt
	// End offsets of the file's usage lines and <synthetic> lines, to count what a
	// resumed session's copy of a prefix holds.
	usageEnds, synthEnds []int64
}

type gen struct {
	cfg  Config
	root string
	rng  *rand.Rand
	text *textPool
	b64  *b64Pool

	p Profile
	// size is the bytes aimed at: Config.Size, else Requests x BytesPerRequest.
	size int64
	// Limits scaled to the tree size, so that small test trees still hold many lines.
	maxResult  int // largest tool result, bytes
	maxSession int64

	bytes, lines           int64
	files                  int
	usageLines, synthLines int64
	kindBytes              map[string]int64
	rows                   map[rowKey]*Row
	keys                   map[string]struct{} // keys of unique responses, to be sure they are unique
	done                   []doneSession
	sessions               int

	line []byte // scratch: the line being built
	msg  []byte // scratch: an assistant message object
}

func newGen(cfg Config, root string) *gen {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15))
	size := cfg.Size
	if size == 0 {
		size = cfg.Requests * cfg.Profile.BytesPerRequest
	}
	poolSize := clamp(int(size/16), 256<<10, 16<<20)
	g := &gen{
		cfg:        cfg,
		p:          cfg.Profile,
		size:       size,
		root:       root,
		rng:        rng,
		text:       newTextPool(rng, poolSize),
		b64:        newB64Pool(rng, clamp(poolSize/4, 64<<10, 2<<20)),
		maxResult:  clamp(int(size/40), min(4<<10, cfg.Profile.MaxResult), cfg.Profile.MaxResult),
		maxSession: clamp(size/8, min(64<<10, cfg.Profile.MaxSession), cfg.Profile.MaxSession),
		kindBytes:  map[string]int64{},
		rows:       map[rowKey]*Row{},
		keys:       map[string]struct{}{},
		line:       make([]byte, 0, 64<<10),
		msg:        make([]byte, 0, 64<<10),
	}
	return g
}

func (g *gen) run() error {
	for !g.full() {
		if err := g.session(); err != nil {
			return err
		}
	}
	return nil
}

// full says the tree has reached Config.Size or Config.Requests.
func (g *gen) full() bool {
	return g.cfg.Size > 0 && g.bytes >= g.cfg.Size || g.cfg.Requests > 0 && int64(len(g.keys)) >= g.cfg.Requests
}

func (g *gen) truth() *Truth {
	t := &Truth{
		Schema:         "benchgen.truth/v1",
		Profile:        g.p.Name,
		Seed:           g.cfg.Seed,
		Bytes:          g.bytes,
		Files:          g.files,
		Lines:          g.lines,
		UsageLines:     g.usageLines,
		SyntheticLines: g.synthLines,
		KindBytes:      g.kindBytes,
	}
	for _, r := range g.rows {
		t.Rows = append(t.Rows, *r)
		t.Requests += r.Requests
	}
	sort.Slice(t.Rows, func(i, j int) bool {
		if t.Rows[i].Period != t.Rows[j].Period {
			return t.Rows[i].Period < t.Rows[j].Period
		}
		return t.Rows[i].Model < t.Rows[j].Model
	})
	return t
}

// out is one .jsonl file being written.
type out struct {
	g    *gen
	path string
	f    *os.File
	w    *bufio.Writer
	n    int64 // bytes written
	mark int64 // n at the start of the current line
	// noReqAt is the offset of the first line of a response without requestId (-1: none).
	noReqAt int64

	usageEnds, synthEnds []int64 // see doneSession
}

func (g *gen) create(path string) (*out, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	g.files++
	return &out{g: g, path: path, f: f, w: bufio.NewWriterSize(f, 128<<10), noReqAt: -1}, nil
}

// raw writes part of a line.
func (o *out) raw(b []byte) { o.w.Write(b); o.n += int64(len(b)) }

func (o *out) rawString(s string) { o.w.WriteString(s); o.n += int64(len(s)) }

// text writes about n bytes of escaped filler text, returning the bytes written.
func (o *out) text(n int) int {
	k := o.g.text.write(o.w, o.g.rng, n)
	o.n += int64(k)
	return k
}

func (o *out) base64(n int) { o.g.b64.write(o.w, o.g.rng, n); o.n += int64(n) }

// end finishes the current line and books its bytes to kind.
func (o *out) end(kind string) {
	o.w.WriteByte('\n')
	o.n++
	sz := o.n - o.mark
	o.mark = o.n
	o.g.bytes += sz
	o.g.lines++
	o.g.kindBytes[kind] += sz
}

// line writes a whole line.
func (o *out) line(b []byte, kind string) { o.raw(b); o.end(kind) }

func (o *out) close() error {
	err := o.w.Flush()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("benchgen: writing %s: %w", o.path, err)
	}
	return nil
}

// record books one unique response's final figures into the truth.
func (g *gen) record(key string, ts time.Time, model string, u usage) {
	if _, dup := g.keys[key]; dup {
		panic("benchgen: duplicate response key " + key)
	}
	g.keys[key] = struct{}{}
	k := rowKey{ts.UTC().Format("2006-01"), model}
	r := g.rows[k]
	if r == nil {
		r = &Row{Period: k.period, Model: model}
		g.rows[k] = r
	}
	w5, w1 := u.cacheWrites()
	r.Input += u.input
	r.Output += u.output
	r.CacheWrite5m += w5
	r.CacheWrite1h += w1
	r.CacheRead += u.cacheRead
	r.WebSearch += u.webSearch
	r.Requests++
}

// --- small helpers ---

// clamp returns v limited to lo..hi (lo when v < lo, else hi when v > hi).
func clamp[T cmp.Ordered](v, lo, hi T) T {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// logUniform returns an int in [lo, hi] whose logarithm is uniform.
func (g *gen) logUniform(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return int(math.Exp(math.Log(float64(lo)) + g.rng.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func (g *gen) appendBase62(b []byte, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, base62[g.rng.IntN(62)])
	}
	return b
}

func (g *gen) id(prefix string, n int) string {
	return string(g.appendBase62([]byte(prefix), n))
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

func (g *gen) uuid() string {
	h := []byte(g.hex(32))
	h[12] = '4'
	h[16] = "89ab"[g.rng.IntN(4)]
	return string(h[0:8]) + "-" + string(h[8:12]) + "-" + string(h[12:16]) + "-" + string(h[16:20]) + "-" + string(h[20:32])
}

func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
}

func appendStr(b []byte, s string) []byte { // s must need no escaping
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendKV(b []byte, k string, v int64) []byte {
	b = append(b, '"')
	b = append(b, k...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, v, 10)
}
