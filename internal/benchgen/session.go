package benchgen

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

var projects = []string{
	"/home/dev/src/api", "/home/dev/src/web-app", "/home/dev/src/infra", "/home/dev/src/ml/pipeline",
	"/home/dev/src/mobile_client", "/home/dev/work/billing.service", "/home/dev/notes",
	"/home/dev/src/cli", "/home/dev/src/docs-site", "/home/dev/oss/parser-go",
}

var branches = []string{"main", "main", "develop", "feat/usage-report", "fix/login-loop", "HEAD"}

// Models and their weights for main sessions.
var mainModels = []string{
	"claude-opus-4-6", "claude-opus-4-6", "claude-opus-4-6",
	"claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929",
	"claude-sonnet-4-6", "claude-sonnet-4-6",
	"claude-opus-4-5-20251101",
	"claude-haiku-4-5-20251001",
}

var subModels = []string{
	"claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001",
	"claude-sonnet-4-5-20250929", "claude-sonnet-4-6",
}

var slugWords = []string{"radiant", "floating", "music", "quiet", "amber", "river", "clever", "otter",
	"rapid", "cedar", "lunar", "pixel", "gentle", "storm", "velvet", "harbor"}

var prompts = []string{
	"Fix the failing tests in the parser package and explain the root cause.",
	"Add a --since flag to the report command. Keep the output format unchanged.",
	"Why is the dashboard slow on first load? Profile it and propose a fix.",
	"Refactor the billing service so that invoices are computed per request.",
	"Write integration tests for the login flow, including the \\\"remember me\\\" path.",
	"Review this diff and point out anything risky:\\n\\n```diff\\n- old\\n+ new\\n```",
	"continue",
	"Run the linter and fix everything it reports.",
}

type usage struct {
	input, output, cacheCreate, cw5m, cw1h, cacheRead int64
	webSearch, webFetch                               int64
	breakdown, serverTool                             bool
	geo, speed                                        string
}

// cacheWrites applies the counting rule: writes = max(cache_creation_input_tokens,
// 5m + 1h), the excess counted as 5m; no breakdown means all 5m.
func (u usage) cacheWrites() (w5, w1 int64) {
	if !u.breakdown {
		return u.cacheCreate, 0
	}
	if sum := u.cw5m + u.cw1h; u.cacheCreate > sum {
		return u.cw5m + u.cacheCreate - sum, u.cw1h
	}
	return u.cw5m, u.cw1h
}

// sess writes one transcript: a main session or a subagent.
type sess struct {
	g      *gen
	o      *out
	parent *sess // subagents: the main session (progress lines go to parent.o)

	id, cwd, branch, version, slug string
	project                        int
	major                          int // 10 (1.0.x, inline sidechains), 20 (flat agent files), 21 (subagents/ folders)
	agentID                        string
	sidechain                      bool
	finalOutput                    bool // the last copy of a response carries the final output count
	breakdown, serverTool          bool
	ttl                            int // 0: 5m writes, 1: 1h writes, 2: mixed
	geo                            string
	speed                          bool
	noReqRate                      float64
	model                          string
	forceTask                      bool

	now     time.Time
	ctx     int64 // context tokens (cached prefix)
	pending int64 // tokens added since the last response
	last    string
	tail    []byte // line prefix after the parentUuid value

	progressToolID string // subagents: the Task tool_use id in the parent
	ended          bool
}

type versionInfo struct {
	v     string
	major int
	final bool
}

var versions = []versionInfo{
	{"2.1.39", 21, false}, {"2.1.92", 21, false}, {"2.1.97", 21, true}, {"2.1.104", 21, true}, {"2.1.118", 21, true},
	{"2.1.118", 21, true}, {"2.0.31", 20, false}, {"2.0.76", 20, false}, {"2.0.76", 20, false},
	{"1.0.108", 10, false}, {"1.0.120", 10, false},
}

func (g *gen) session() error {
	idx := g.sessions
	g.sessions++
	rng := g.rng

	var vi versionInfo
	switch idx { // the first sessions cover every layout, so small trees hold every feature
	case 0:
		vi = versions[3]
	case 1:
		vi = versions[7]
	case 2:
		vi = versions[9]
	default:
		vi = versions[g.pickVersion()]
	}
	var resumeFrom *doneSession
	if len(g.done) > 0 && (idx == 3 || (idx > 3 && g.chance(0.1))) {
		d := g.done[0]
		if idx > 3 {
			d = g.done[rng.IntN(len(g.done))]
		}
		resumeFrom = &d
		for _, v := range versions {
			if v.v == d.version {
				vi = v
			}
		}
	}

	s := &sess{g: g, version: vi.v, major: vi.major, finalOutput: vi.final, forceTask: idx < 3}
	s.id = g.uuid()
	s.project = rng.IntN(len(projects))
	if resumeFrom != nil {
		s.project = resumeFrom.project
	}
	s.cwd = projects[s.project]
	s.branch = branches[rng.IntN(len(branches))]
	s.model = mainModels[rng.IntN(len(mainModels))]
	s.breakdown = vi.major >= 20
	s.serverTool = vi.major >= 20 && g.chance(g.p.ServerToolRate)
	s.ttl = []int{0, 0, 0, 1, 1, 2}[rng.IntN(6)]
	if vi.major == 21 {
		s.geo = []string{"global", "global", "us", "not_available"}[rng.IntN(4)]
		s.speed = g.chance(0.4)
		s.slug = slugWords[rng.IntN(len(slugWords))] + "-" + slugWords[rng.IntN(len(slugWords))] + "-" + slugWords[rng.IntN(len(slugWords))]
	}
	s.noReqRate = 0.02
	if vi.major == 10 {
		s.noReqRate = 0.3
	}
	span := g.cfg.End.Sub(g.cfg.Start) - 48*time.Hour
	s.now = g.cfg.Start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Millisecond)
	if resumeFrom != nil {
		s.now = resumeFrom.end.Add(10*time.Minute + time.Duration(rng.Int64N(int64(48*time.Hour))))
		if s.now.After(g.cfg.End.Add(-24 * time.Hour)) {
			s.now = resumeFrom.end.Add(10 * time.Minute)
		}
	}
	s.buildTail()

	var err error
	path := filepath.Join(g.root, encodeCwd(s.cwd), s.id+".jsonl")
	if s.o, err = g.create(path); err != nil {
		return err
	}
	budget := int64(g.logUniform(int(g.maxSession/40), int(g.maxSession)))
	if rest := g.cfg.Size - g.bytes; g.cfg.Size > 0 && budget > rest {
		budget = rest
	}

	if resumeFrom != nil {
		if err := s.copyHistory(resumeFrom); err != nil {
			return err
		}
		s.ctx = 20000 + rng.Int64N(30000)
	} else {
		s.fileHistorySnapshot()
		if s.major == 21 {
			s.hookProgress()
		}
		if s.major == 10 && g.chance(0.5) {
			s.summaryLine()
		}
	}
	for !s.ended && s.o.n < budget && !g.full() {
		if err := s.turn(budget); err != nil {
			return err
		}
	}
	if err := s.o.close(); err != nil {
		return err
	}
	g.done = append(g.done, doneSession{path: path, id: s.id, project: s.project, version: s.version,
		end: s.now, sizeBytes: s.o.n, noReqAt: s.o.noReqAt, usageEnds: s.o.usageEnds, synthEnds: s.o.synthEnds})
	return nil
}

// pickVersion draws an index into versions, by Profile.VersionWeights when set.
func (g *gen) pickVersion() int {
	w := g.p.VersionWeights
	if len(w) != len(versions) {
		return g.rng.IntN(len(versions))
	}
	total := 0
	for _, x := range w {
		total += x
	}
	r := g.rng.IntN(total)
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

func encodeCwd(cwd string) string {
	b := []byte(cwd)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '-'
		}
	}
	return string(b)
}

func (s *sess) buildTail() {
	b := []byte(`,"isSidechain":`)
	b = strconv.AppendBool(b, s.sidechain)
	b = append(b, `,"userType":"external"`...)
	if s.major == 21 && s.finalOutput {
		b = append(b, `,"entrypoint":"cli"`...)
	}
	b = append(b, `,"cwd":`...)
	b = appendStr(b, s.cwd)
	b = append(b, `,"sessionId":`...)
	b = appendStr(b, s.id)
	b = append(b, `,"version":`...)
	b = appendStr(b, s.version)
	b = append(b, `,"gitBranch":`...)
	b = appendStr(b, s.branch)
	if s.agentID != "" {
		b = append(b, `,"agentId":`...)
		b = appendStr(b, s.agentID)
	}
	if s.slug != "" {
		b = append(b, `,"slug":`...)
		b = appendStr(b, s.slug)
	}
	s.tail = append(b, ',')
}

// begin starts a line with the common fields and returns the new line's uuid.
func (s *sess) begin(b []byte, parentNull bool) ([]byte, string) {
	b = append(b, `{"parentUuid":`...)
	if parentNull || s.last == "" {
		b = append(b, "null"...)
	} else {
		b = appendStr(b, s.last)
	}
	b = append(b, s.tail...)
	return b, s.g.uuid()
}

func (s *sess) step(lo, hi time.Duration) {
	s.now = s.now.Add(lo + time.Duration(s.g.rng.Int64N(int64(hi-lo)))).Truncate(time.Millisecond)
}

// guard moves the clock so that the next span stays inside one quarter hour: all copies
// of a response then fall on the same day and month in every time zone.
func (s *sess) guard(span time.Duration) {
	if s.now.Truncate(15*time.Minute) != s.now.Add(span).Truncate(15*time.Minute) {
		s.now = s.now.Truncate(15 * time.Minute).Add(15*time.Minute + time.Duration(1+s.g.rng.IntN(5000))*time.Millisecond)
	}
}

func (s *sess) endMeta(b []byte, uuid string) []byte {
	b = append(b, `,"uuid":`...)
	b = appendStr(b, uuid)
	b = append(b, `,"timestamp":"`...)
	b = appendTime(b, s.now)
	return append(b, '"')
}

func (s *sess) fileHistorySnapshot() {
	g := s.g
	id := g.uuid()
	b := append(g.line[:0], `{"type":"file-history-snapshot","messageId":"`...)
	b = append(b, id...)
	b = append(b, `","snapshot":{"messageId":"`...)
	b = append(b, id...)
	b = append(b, `","trackedFileBackups":{},"timestamp":"`...)
	b = appendTime(b, s.now)
	b = append(b, `"},"isSnapshotUpdate":false}`...)
	g.line = b
	s.o.line(b, "file-history-snapshot")
}

func (s *sess) summaryLine() {
	g := s.g
	b := append(g.line[:0], `{"type":"summary","summary":"Fix flaky parser tests and add since flag","leafUuid":"`...)
	b = append(b, g.uuid()...)
	b = append(b, `"}`...)
	g.line = b
	s.o.line(b, "summary")
}

func (s *sess) hookProgress() {
	g := s.g
	b, u := s.begin(g.line[:0], false)
	id := g.uuid()
	b = append(b, `"type":"progress","data":{"type":"hook_progress","hookEvent":"SessionStart","hookName":"SessionStart:startup","command":"$HOME/.claude/hooks/notify.sh clear"},"parentToolUseID":"`...)
	b = append(b, id...)
	b = append(b, `","toolUseID":"`...)
	b = append(b, id...)
	b = append(b, '"')
	b = s.endMeta(b, u)
	b = append(b, '}')
	g.line = b
	s.o.line(b, "progress")
	s.last = u
}

func (s *sess) systemLine(subtype string) {
	g := s.g
	b, u := s.begin(g.line[:0], false)
	b = append(b, `"type":"system","subtype":"`...)
	b = append(b, subtype...)
	b = append(b, `","content":"","isMeta":false,"level":"info"`...)
	b = s.endMeta(b, u)
	b = append(b, `,"toolUseID":"`...)
	b = append(b, g.uuid()...)
	b = append(b, `"}`...)
	g.line = b
	s.o.line(b, "system")
	s.last = u
}

// prompt writes a user line typed by the person (or the subagent's task prompt).
func (s *sess) prompt(first bool) {
	g := s.g
	s.step(20*time.Second, 10*time.Minute)
	b, u := s.begin(g.line[:0], first)
	b = append(b, `"type":"user","message":{"role":"user","content":`...)
	n := 0
	switch {
	case g.chance(0.02): // a pasted screenshot
		b = append(b, `[{"type":"text","text":"What is wrong in this screenshot?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"`...)
		g.line = b
		s.o.raw(b)
		n = g.scaled(20<<10, clamp(g.maxResult/2, 21<<10, 1500<<10), g.p.ResultScale, 256)
		s.o.base64(n)
		b = append(g.line[:0], `"}}]`...)
		n /= 8 // images cost far fewer tokens than their base64 bytes
	case g.chance(0.5):
		b = append(b, '"')
		b = append(b, prompts[g.rng.IntN(len(prompts))]...)
		b = append(b, '"')
		n = 60
	default:
		b = append(b, '"')
		b = append(b, "Here is the context:\\n"...)
		k := len(b)
		b = g.text.appendTo(b, g.rng, g.scaled(100, 8000, g.p.TextScale, 20))
		n = len(b) - k
		b = append(b, '"')
	}
	b = append(b, '}')
	b = s.endMeta(b, u)
	if s.major >= 20 && !s.sidechain {
		b = append(b, `,"thinkingMetadata":{"maxThinkingTokens":31999},"todos":[],"permissionMode":"acceptEdits"`...)
	}
	b = append(b, '}')
	g.line = b
	s.o.line(b, "user")
	s.last = u
	s.pending += int64(n/4) + 10
}

// turn is one prompt and the responses and tool calls that answer it.
func (s *sess) turn(budget int64) error {
	g := s.g
	s.prompt(false)
	if s.major >= 20 && g.chance(0.3) {
		s.fileHistorySnapshot()
	}
	nresp := 1 + g.rng.IntN(g.p.MaxResponses)
	if s.forceTask && nresp < 2 {
		nresp = 2
	}
	for i := 0; i < nresp; i++ {
		tools := 0
		if i < nresp-1 && s.o.n < budget && (g.p.ToolRate == 0 || s.forceTask && i == 0 || g.chance(g.p.ToolRate)) {
			tools = []int{1, 1, 1, 1, 1, 1, 1, 2, 2, 3}[g.rng.IntN(10)]
		}
		if err := s.response(tools, s.forceTask && i == 0); err != nil {
			return err
		}
		if tools == 0 && g.p.ToolRate == 0 || g.cfg.Requests > 0 && g.full() {
			break
		}
	}
	showcase := s.forceTask
	s.forceTask = false
	switch {
	case showcase:
		s.synthetic("No response requested.", false)
	case g.chance(0.015):
		s.synthetic("You've hit your session limit · resets 3pm (UTC)", true)
		s.ended = true
		return nil
	case g.chance(0.02):
		s.synthetic("No response requested.", false)
	}
	if s.major == 21 && g.chance(0.3) {
		s.systemLine("stop_hook_summary")
	}
	if s.ctx > 160000 {
		return s.compact()
	}
	return nil
}

type block struct {
	kind   string // thinking, text, tool_use
	tool   string
	toolID string
	path   string
}

var toolPick = []string{
	"Read", "Read", "Read", "Read", "Read", "Read", "Read",
	"Bash", "Bash", "Bash", "Bash", "Bash",
	"Grep", "Grep", "Glob", "Edit", "Edit", "Write", "TodoWrite", "WebFetch",
}

var files = []string{"internal/parser/reader.go", "cmd/server/main.go", "src/components/Dashboard.tsx",
	"lib/billing/invoice.ex", "README.md", "pkg/api/handlers_test.go", "scripts/deploy.sh", "models/train.py"}

// response writes one API response, one line per content block, then its tool results.
func (s *sess) response(tools int, forceTask bool) error {
	g := s.g
	rng := g.rng
	s.step(800*time.Millisecond, 8*time.Second) // time to first token
	s.guard(45 * time.Second)
	if !s.sidechain && g.chance(0.01) { // /model switch
		s.model = mainModels[rng.IntN(len(mainModels))]
	}
	msgID := g.id("msg_01", 22)
	reqID := ""
	// Showcase responses (the first of each of the first sessions) carry the rare cases,
	// so that small trees hold them too: 1.0.x and, with EdgeCases, 2.1.x (whose session
	// gets resumed) lack requestId; 2.0.x has cache writes below 5m + 1h; 2.1.x with
	// EdgeCases has them above.
	noReq := forceTask && (s.major == 10 || s.major == 21 && g.cfg.EdgeCases)
	if !noReq && !g.chance(s.noReqRate) {
		reqID = g.id("req_011C", 18)
	}

	var blocks []block
	if !s.isHaiku() && g.chance(g.p.ThinkingRate) {
		blocks = append(blocks, block{kind: "thinking"})
	}
	if tools == 0 || g.chance(0.6) {
		blocks = append(blocks, block{kind: "text"})
	}
	for i := 0; i < tools; i++ {
		t := toolPick[rng.IntN(len(toolPick))]
		if (forceTask && i == 0) || (!s.sidechain && g.chance(g.p.TaskRate)) {
			t = "Task"
		}
		blocks = append(blocks, block{kind: "tool_use", tool: t, toolID: g.id("toolu_01", 22),
			path: s.cwd + "/" + files[rng.IntN(len(files))]})
	}

	// The usage of this response: same input and cache figures on every copy.
	u := usage{breakdown: s.breakdown && !g.chance(0.02), serverTool: s.serverTool, geo: s.geo}
	newTok := s.pending + 20 + rng.Int64N(500)
	s.pending = 0
	switch {
	case s.ctx == 0:
		// The first response of a transcript: system prompt and tools, of which a
		// prefix is often cached already by other sessions.
		sys := 8000 + rng.Int64N(18000)
		if g.chance(0.5) {
			u.cacheRead = sys * 2 / 3
		}
		u.cacheCreate = sys - u.cacheRead + newTok
		s.ctx = u.cacheRead
	case g.chance(0.03): // cache miss
		u.cacheRead, u.cacheCreate = 0, s.ctx+newTok
	default:
		u.cacheRead, u.cacheCreate = s.ctx, newTok
	}
	u.input = 1 + rng.Int64N(12)
	if g.chance(0.03) {
		u.input = 100 + rng.Int64N(20000)
	}
	switch s.ttl {
	case 0:
		u.cw5m = u.cacheCreate
	case 1:
		u.cw1h = u.cacheCreate
	default:
		u.cw1h = rng.Int64N(u.cacheCreate + 1)
		u.cw5m = u.cacheCreate - u.cw1h
	}
	switch {
	case u.breakdown && g.cfg.EdgeCases && (g.chance(0.01) || forceTask && s.major == 21):
		// Total above the breakdown: the excess counts as 5m.
		u.cacheCreate += 1 + rng.Int64N(2000)
	case u.breakdown && u.cacheCreate > 0 && (g.chance(0.005) || forceTask && s.major == 20):
		// Total below the breakdown: cache writes are 5m + 1h.
		u.cacheCreate -= 1 + rng.Int64N(u.cacheCreate)
	}
	if u.serverTool && g.chance(0.03) {
		u.webSearch = 1 + rng.Int64N(5)
	}
	if u.serverTool && g.chance(0.01) {
		u.webFetch = 1 + rng.Int64N(3)
	}
	if s.speed {
		u.speed = "standard"
		if s.model == "claude-opus-4-6" && g.chance(0.1) {
			u.speed = "fast"
		}
	}

	growing := s.finalOutput || g.chance(0.3)
	stale := 1 + rng.Int64N(30)
	var outSoFar int64
	var finalTS time.Time
	for i := range blocks {
		bl := &blocks[i]
		if i > 0 {
			s.step(300*time.Millisecond, 5*time.Second)
		}
		if i > 0 && g.chance(0.08) && !s.sidechain && s.major >= 20 { // interleaved line
			s.hookProgress()
		}
		m := append(g.msg[:0], `{"model":`...)
		m = appendStr(m, s.model)
		m = append(m, `,"id":`...)
		m = appendStr(m, msgID)
		m = append(m, `,"type":"message","role":"assistant","content":[`...)
		k := len(m)
		m = s.appendBlock(m, bl)
		blockTok := int64(len(m)-k)/4 + 1
		outSoFar += blockTok
		out := stale
		if growing {
			out = outSoFar
		}
		m = append(m, `],"stop_reason":`...)
		if i == len(blocks)-1 && s.finalOutput {
			if tools > 0 {
				m = append(m, `"tool_use"`...)
			} else {
				m = append(m, `"end_turn"`...)
			}
		} else {
			m = append(m, "null"...)
		}
		m = append(m, `,"stop_sequence":null,"usage":`...)
		m = appendUsage(m, u, out)
		if s.major == 21 {
			m = append(m, `,"context_management":null`...)
		}
		m = append(m, '}')
		g.msg = m

		if reqID == "" && i == 0 && s.o.noReqAt < 0 {
			s.o.noReqAt = s.o.n
		}
		b, uid := s.begin(g.line[:0], false)
		b = append(b, `"message":`...)
		b = append(b, m...)
		if reqID != "" {
			b = append(b, `,"requestId":`...)
			b = appendStr(b, reqID)
		}
		b = append(b, `,"type":"assistant"`...)
		b = s.endMeta(b, uid)
		b = append(b, '}')
		g.line = b
		s.o.line(b, "assistant")
		s.o.usageEnds = append(s.o.usageEnds, s.o.n)
		g.usageLines++
		s.last = uid
		finalTS = s.now
		if s.parent != nil && s.parent.major >= 20 {
			s.parent.agentProgress(m, reqID, s)
		}
		if i == len(blocks)-1 {
			u.output = out
		}
	}
	key := msgID
	if reqID != "" {
		key += ":" + reqID
	}
	g.record(key, finalTS, s.model, u)
	s.ctx += u.cacheCreate + u.output

	for i := range blocks {
		if blocks[i].kind == "tool_use" {
			if err := s.toolResult(&blocks[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *sess) isHaiku() bool { return s.model == "claude-haiku-4-5-20251001" }

func appendUsage(b []byte, u usage, output int64) []byte {
	b = append(b, '{')
	b = appendKV(b, "input_tokens", u.input)
	b = append(b, ',')
	b = appendKV(b, "cache_creation_input_tokens", u.cacheCreate)
	b = append(b, ',')
	b = appendKV(b, "cache_read_input_tokens", u.cacheRead)
	if u.breakdown {
		b = append(b, `,"cache_creation":{`...)
		b = appendKV(b, "ephemeral_5m_input_tokens", u.cw5m)
		b = append(b, ',')
		b = appendKV(b, "ephemeral_1h_input_tokens", u.cw1h)
		b = append(b, '}')
	}
	b = append(b, ',')
	b = appendKV(b, "output_tokens", output)
	if u.serverTool {
		b = append(b, `,"server_tool_use":{`...)
		b = appendKV(b, "web_search_requests", u.webSearch)
		b = append(b, ',')
		b = appendKV(b, "web_fetch_requests", u.webFetch)
		b = append(b, '}')
	}
	b = append(b, `,"service_tier":"standard"`...)
	if u.geo != "" {
		b = append(b, `,"inference_geo":`...)
		b = appendStr(b, u.geo)
	}
	if u.speed != "" {
		b = append(b, `,"speed":`...)
		b = appendStr(b, u.speed)
	}
	return append(b, '}')
}

func (s *sess) appendBlock(m []byte, bl *block) []byte {
	g := s.g
	switch bl.kind {
	case "thinking":
		m = append(m, `{"type":"thinking","thinking":"`...)
		m = g.text.appendTo(m, g.rng, g.scaled(200, 8000, g.p.TextScale, 10))
		m = append(m, `","signature":"`...)
		sig := 300 + g.rng.IntN(900)
		if g.p.TextScale < 0.1 {
			sig = 40 + sig/20
		}
		m = g.b64.appendTo(m, g.rng, sig)
		return append(m, `"}`...)
	case "text":
		m = append(m, `{"type":"text","text":"`...)
		m = g.text.appendTo(m, g.rng, g.scaled(50, 5000, g.p.TextScale, 10))
		return append(m, `"}`...)
	}
	m = append(m, `{"type":"tool_use","id":`...)
	m = appendStr(m, bl.toolID)
	m = append(m, `,"name":`...)
	m = appendStr(m, bl.tool)
	m = append(m, `,"input":{`...)
	switch bl.tool {
	case "Read":
		m = append(m, `"file_path":`...)
		m = appendStr(m, bl.path)
	case "Bash":
		m = append(m, `"command":"go test ./... 2>&1 | tail -50","description":"Run the tests"`...)
	case "Grep":
		m = append(m, `"pattern":"func .*Handler\\(","path":`...)
		m = appendStr(m, s.cwd)
		m = append(m, `,"output_mode":"content"`...)
	case "Glob":
		m = append(m, `"pattern":"**/*.go"`...)
	case "Edit":
		m = append(m, `"file_path":`...)
		m = appendStr(m, bl.path)
		m = append(m, `,"old_string":"`...)
		m = g.text.appendTo(m, g.rng, g.scaled(50, 3000, g.p.TextScale, 10))
		m = append(m, `","new_string":"`...)
		m = g.text.appendTo(m, g.rng, g.scaled(50, 4000, g.p.TextScale, 10))
		m = append(m, '"')
	case "Write":
		m = append(m, `"file_path":`...)
		m = appendStr(m, bl.path)
		m = append(m, `,"content":"`...)
		m = g.text.appendTo(m, g.rng, g.scaled(500, 40000, g.p.TextScale, 20))
		m = append(m, '"')
	case "TodoWrite":
		m = append(m, `"todos":[{"content":"Fix the parser","status":"in_progress","activeForm":"Fixing the parser"},{"content":"Run tests","status":"pending","activeForm":"Running tests"}]`...)
	case "WebFetch":
		m = append(m, `"url":"https://pkg.go.dev/bufio","prompt":"How does Scanner handle long lines?"`...)
	case "Task":
		m = append(m, `"description":"Explore the code","prompt":"`...)
		m = g.text.appendTo(m, g.rng, g.scaled(200, 3000, g.p.TextScale, 20))
		m = append(m, `","subagent_type":"Explore"`...)
	}
	m = append(m, '}')
	if s.major == 21 {
		m = append(m, `,"caller":{"type":"direct"}`...)
	}
	return append(m, '}')
}

// resultSize draws the size of a tool result: mostly small, a long tail up to MBs.
func (g *gen) resultSize() int {
	var n int
	sc := g.p.ResultScale
	switch r := g.rng.Float64(); {
	case r < 0.60:
		n = g.scaled(100, 2000, sc, 20)
	case r < 0.85:
		n = g.scaled(2000, 20000, sc, 40)
	case r < 0.98:
		n = g.scaled(20000, 100000, sc, 80)
	case r < 0.996:
		n = g.scaled(100000, 1000000, sc, 160)
	default:
		n = g.scaled(1000000, 3000000, sc, 320)
	}
	return clamp(n, 50, g.maxResult)
}

func (s *sess) toolResult(bl *block) error {
	g := s.g
	if bl.tool == "Task" {
		if err := s.subagent(bl); err != nil {
			return err
		}
	}
	var n int
	switch bl.tool {
	case "Read", "Bash":
		n = g.resultSize()
	case "Grep", "Glob", "WebFetch":
		n = clamp(g.scaled(100, 30000, g.p.ResultScale, 20), 50, g.maxResult)
	case "Task":
		n = g.scaled(500, 8000, g.p.TextScale, 20)
	default:
		n = 0
	}
	if bl.tool == "Bash" && s.major >= 20 && g.chance(0.5) {
		for i := 1 + g.rng.IntN(3); i > 0; i-- {
			s.bashProgress(bl.toolID)
		}
	}
	s.step(200*time.Millisecond, 20*time.Second)
	assistantUUID := s.last
	b, u := s.begin(g.line[:0], false)
	b = append(b, `"type":"user","message":{"role":"user","content":[{"tool_use_id":`...)
	b = appendStr(b, bl.toolID)
	b = append(b, `,"type":"tool_result","content":"`...)
	g.line = b
	s.o.raw(b)
	written := 0
	switch bl.tool {
	case "Edit", "Write":
		s.o.rawString("The file " + bl.path + " has been updated successfully.")
	case "TodoWrite":
		s.o.rawString("Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress.")
	default:
		written = s.o.text(n)
	}
	b = append(g.line[:0], '"')
	if g.chance(0.03) {
		b = append(b, `,"is_error":true`...)
	}
	b = append(b, `}]}`...)
	b = s.endMeta(b, u)
	switch bl.tool {
	case "Read":
		b = append(b, `,"toolUseResult":{"type":"text","file":{"filePath":`...)
		b = appendStr(b, bl.path)
		b = append(b, `,"content":"`...)
		s.o.raw(b)
		s.o.text(n * 7 / 8) // the file again, without line numbers
		b = append(g.line[:0], `","numLines":`...)
		b = strconv.AppendInt(b, int64(n/40+1), 10)
		b = append(b, `,"startLine":1,"totalLines":`...)
		b = strconv.AppendInt(b, int64(n/40+1), 10)
		b = append(b, `}}`...)
	case "Bash":
		b = append(b, `,"toolUseResult":{"stdout":"`...)
		s.o.raw(b)
		s.o.text(n)
		b = append(g.line[:0], `","stderr":"","interrupted":false,"isImage":false}`...)
	case "Task":
		b = append(b, `,"toolUseResult":{"status":"completed","agentId":"a1b2c3d","totalDurationMs":73120,"totalTokens":48211,"totalToolUseCount":12}`...)
	case "Edit", "Write":
		b = append(b, `,"toolUseResult":{"filePath":`...)
		b = appendStr(b, bl.path)
		b = append(b, `,"structuredPatch":[],"userModified":false}`...)
	}
	if s.major == 21 {
		b = append(b, `,"sourceToolAssistantUUID":`...)
		b = appendStr(b, assistantUUID)
	}
	b = append(b, '}')
	g.line = b
	s.o.raw(b)
	s.o.end("user")
	s.last = u
	s.pending += int64(clamp(written/4, 0, 25000)) + 10
	return nil
}

func (s *sess) bashProgress(toolID string) {
	g := s.g
	s.step(time.Second, 5*time.Second)
	b, u := s.begin(g.line[:0], false)
	b = append(b, `"type":"progress","data":{"type":"bash_progress","output":"`...)
	b = g.text.appendTo(b, g.rng, g.scaled(50, 2000, g.p.ResultScale, 10))
	b = append(b, `","fullOutput":"`...)
	b = g.text.appendTo(b, g.rng, g.scaled(500, 20000, g.p.ResultScale, 20))
	b = append(b, `","elapsedTimeSeconds":3,"totalLines":149,"timeoutMs":120000},"toolUseID":"bash-progress-0","parentToolUseID":`...)
	b = appendStr(b, toolID)
	b = s.endMeta(b, u)
	b = append(b, '}')
	g.line = b
	s.o.line(b, "progress")
}

// agentProgress writes, into this (main) session, a progress line embedding a copy of a
// subagent's assistant message with its usage. Such copies must never be counted.
func (s *sess) agentProgress(msg []byte, reqID string, sub *sess) {
	g := s.g
	// msg lives in g.msg; build into a separate buffer.
	b, u := s.begin(nil, false)
	b = append(b, `"type":"progress","data":{"message":{"type":"assistant","timestamp":"`...)
	b = appendTime(b, sub.now)
	b = append(b, `","message":`...)
	b = append(b, msg...)
	if reqID != "" {
		b = append(b, `,"requestId":`...)
		b = appendStr(b, reqID)
	}
	b = append(b, `,"uuid":`...)
	b = appendStr(b, sub.last)
	b = append(b, `},"normalizedMessages":[],"type":"agent_progress","prompt":"","agentId":`...)
	b = appendStr(b, sub.agentID)
	b = append(b, `},"toolUseID":"agent_msg_`...)
	b = append(b, g.id("", 22)...)
	b = append(b, `","parentToolUseID":`...)
	b = appendStr(b, sub.progressToolID)
	b = append(b, `,"uuid":`...)
	b = appendStr(b, u)
	b = append(b, `,"timestamp":"`...)
	b = appendTime(b, sub.now)
	b = append(b, `"}`...)
	s.o.line(b, "progress")
}

// subagent runs a Task: its own transcript (a file of its own in 2.x, inline in 1.0.x).
func (s *sess) subagent(bl *block) error {
	g := s.g
	sub := &sess{g: g, parent: s, id: s.id, cwd: s.cwd, branch: s.branch, version: s.version, slug: s.slug,
		major: s.major, sidechain: true, finalOutput: s.finalOutput, breakdown: s.breakdown,
		serverTool: s.serverTool, ttl: s.ttl, geo: s.geo, speed: s.speed, noReqRate: s.noReqRate,
		now: s.now, progressToolID: bl.toolID}
	sub.agentID = "a" + g.hex(6)
	sub.model = subModels[g.rng.IntN(len(subModels))]
	if g.chance(0.2) {
		sub.model = s.model
	}
	sub.buildTail()
	subMax := g.maxSession / 4
	if g.p.MaxSubagent > 0 {
		subMax = min(subMax, g.p.MaxSubagent)
	}
	budget := int64(g.logUniform(int(g.maxSession/100), int(subMax)))
	switch s.major {
	case 10:
		sub.o = s.o
		budget += s.o.n
	case 20:
		o, err := g.create(filepath.Join(g.root, encodeCwd(s.cwd), "agent-"+sub.agentID+".jsonl"))
		if err != nil {
			return err
		}
		sub.o = o
	default:
		o, err := g.create(filepath.Join(g.root, encodeCwd(s.cwd), s.id, "subagents", "agent-"+sub.agentID+".jsonl"))
		if err != nil {
			return err
		}
		sub.o = o
	}
	sub.prompt(true)
	for n := 0; n < 40 && sub.o.n < budget && !g.full(); n++ {
		tools := 1 + g.rng.IntN(3)
		if g.chance(0.1) || g.p.ToolRate > 0 && !g.chance(g.p.ToolRate) {
			tools = 0
		}
		if err := sub.response(tools, false); err != nil {
			return err
		}
	}
	if err := sub.response(0, false); err != nil {
		return err
	}
	s.now = sub.now
	if sub.o != s.o {
		return sub.o.close()
	}
	return nil
}

// compact resets the context: in 2.1.x through an agent-acompact transcript.
func (s *sess) compact() error {
	g := s.g
	if s.major == 21 && !s.sidechain {
		sub := &sess{g: g, id: s.id, cwd: s.cwd, branch: s.branch, version: s.version, slug: s.slug,
			major: s.major, sidechain: true, finalOutput: s.finalOutput, breakdown: s.breakdown,
			serverTool: s.serverTool, ttl: s.ttl, geo: s.geo, speed: s.speed, model: s.model,
			now: s.now, ctx: s.ctx}
		sub.agentID = "acompact-" + g.hex(6)
		sub.buildTail()
		o, err := g.create(filepath.Join(g.root, encodeCwd(s.cwd), s.id, "subagents", "agent-"+sub.agentID+".jsonl"))
		if err != nil {
			return err
		}
		sub.o = o
		sub.prompt(true)
		if err := sub.response(0, false); err != nil {
			return err
		}
		if err := o.close(); err != nil {
			return err
		}
		s.now = sub.now
	}
	s.systemLine("compact_boundary")
	s.ctx = 15000 + g.rng.Int64N(15000)
	return nil
}

func (s *sess) synthetic(text string, rateLimit bool) {
	g := s.g
	s.step(time.Second, 10*time.Second)
	b, u := s.begin(g.line[:0], false)
	b = append(b, `"type":"assistant"`...)
	b = s.endMeta(b, u)
	b = append(b, `,"message":{"id":`...)
	b = appendStr(b, g.uuid())
	b = append(b, `,"container":null,"model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","stop_sequence":"","type":"message","usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":null,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0}},"content":[{"type":"text","text":`...)
	b = appendStr(b, text)
	b = append(b, `}],"context_management":null}`...)
	if rateLimit {
		b = append(b, `,"error":"rate_limit","isApiErrorMessage":true`...)
	}
	b = append(b, '}')
	g.line = b
	s.o.line(b, "assistant")
	s.o.synthEnds = append(s.o.synthEnds, s.o.n)
	g.synthLines++
	s.last = u
}

// copyHistory starts a resumed session with a verbatim copy of the start of an earlier
// one (its sessionId rewritten), as Claude Code does on --resume: the same responses
// (message.id, requestId) now sit in two files.
func (s *sess) copyHistory(d *doneSession) error {
	g := s.g
	f, err := os.Open(d.path)
	if err != nil {
		return err
	}
	defer f.Close()
	want := d.sizeBytes * int64(20+g.rng.IntN(70)) / 100
	if want > 16<<20 {
		want = 16 << 20
	}
	if !g.cfg.EdgeCases && d.noReqAt >= 0 && want > d.noReqAt {
		want = d.noReqAt // keep responses without requestId in one file (see Config.EdgeCases)
	}
	buf := make([]byte, want)
	if _, err := io.ReadFull(f, buf); err != nil {
		return err
	}
	cut := bytes.LastIndexByte(buf, '\n') + 1
	buf = buf[:cut]
	if cut == 0 {
		return nil
	}
	buf = bytes.ReplaceAll(buf, []byte(`"sessionId":"`+d.id+`"`), []byte(`"sessionId":"`+s.id+`"`)) // same length
	start := s.o.n
	s.o.raw(buf)
	lines := int64(bytes.Count(buf, []byte{'\n'}))
	// Book the copy as one block; count the copied usage lines from the source's marks.
	sz := s.o.n - s.o.mark
	s.o.mark = s.o.n
	g.bytes += sz
	g.lines += lines
	g.kindBytes["resumed_copy"] += sz
	nu := int64(sort.Search(len(d.usageEnds), func(i int) bool { return d.usageEnds[i] > int64(cut) }))
	ns := int64(sort.Search(len(d.synthEnds), func(i int) bool { return d.synthEnds[i] > int64(cut) }))
	g.usageLines += nu
	g.synthLines += ns
	// The copy's marks, for a later resume of this session.
	for _, e := range d.usageEnds[:nu] {
		s.o.usageEnds = append(s.o.usageEnds, start+e)
	}
	for _, e := range d.synthEnds[:ns] {
		s.o.synthEnds = append(s.o.synthEnds, start+e)
	}
	if d.noReqAt >= 0 && d.noReqAt < int64(cut) && s.o.noReqAt < 0 {
		s.o.noReqAt = start + d.noReqAt
	}
	s.now = s.now.Add(time.Minute)
	return nil
}
