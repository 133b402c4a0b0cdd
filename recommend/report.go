package recommend

// Schema names the JSON contract of a Report; fields are added, never renamed.
const Schema = "usagescan.recommend/v1"

// Report is the recommendation for every user in the logs, and for them as a
// team when there are several. All amounts are USD; JSON amounts are rounded to
// millionths of a dollar.
type Report struct {
	Schema    string   `json:"schema"`
	Providers []string `json:"providers"`
	// Budgets is "default" (the catalogue's estimates), "calibrated" (scaled
	// to the limits the user actually hit) or "measured" (some user's budgets
	// measured from status-line snapshots: User.Measured).
	Budgets  string `json:"budgets"`
	Timezone string `json:"timezone"`
	// Since and Until are the first and last day covered (inclusive).
	Since        string `json:"since"`
	Until        string `json:"until"`
	AsOf         string `json:"as_of"` // the "now" the current month is projected from (RFC 3339)
	NoExtraUsage bool   `json:"no_extra_usage"`
	// Billing is "monthly" or "yearly": the prices the totals use.
	Billing string `json:"billing,omitempty"`
	Users   []User `json:"users"`
	// Team compares ways to pay for all users together; nil for one user.
	Team *Team `json:"team,omitempty"`
	// BreakEven is the pricing pages' rule of thumb: how many output tokens a
	// month at the reference model's output rate cost as much as each plan.
	BreakEven []BreakEven `json:"break_even"`
	// PlanBudgets are the budgets the report used (estimates).
	PlanBudgets []PlanBudget `json:"plan_budgets"`
	// Calibration is set when a current plan was given.
	Calibration *Calibration `json:"calibration,omitempty"`
	// UnpricedRequests counts requests of models without a price, left out of
	// every cost (but counted as use that opens windows).
	UnpricedRequests int64    `json:"unpriced_requests,omitempty"`
	Notes            []string `json:"notes,omitempty"`
	// Rules describe the catalogue's dated rules the figures follow, each with
	// its date and mark ([V] Anthropic, [3P] third parties).
	Rules []string `json:"rules,omitempty"`
}

// User is one user's recommendation.
type User struct {
	User string `json:"user"`
	// Recommended is the plan id of the cheapest option over the months: a
	// subscription id, or "api" (the API at list price) / "api:PROVIDER".
	Recommended     string   `json:"recommended"`
	RecommendedName string   `json:"recommended_name"`
	Confidence      string   `json:"confidence"` // high, medium or low
	ConfidenceNotes []string `json:"confidence_notes,omitempty"`
	Reason          string   `json:"reason"`
	// SavingsUSDPerMonth is what the recommendation saves against the next best
	// option, on average per month over the months (0 when there is none).
	SavingsUSDPerMonth float64       `json:"savings_usd_per_month"`
	SavingsUSDPerYear  float64       `json:"savings_usd_per_year"`
	NextBest           string        `json:"next_best,omitempty"`
	TotalUSDPerMonth   float64       `json:"total_usd_per_month"` // the recommendation's average
	Alternatives       []Alternative `json:"alternatives"`
	// APICostUSDPerMonth is the average API-equivalent use at list price.
	APICostUSDPerMonth float64 `json:"api_cost_usd_per_month"`
	// BusiestWindowUSD and BusiestWeekUSD are the largest API-equivalent use of
	// one 5-hour window and one week in the months.
	BusiestWindowUSD float64       `json:"busiest_window_usd"`
	BusiestWeekUSD   float64       `json:"busiest_week_usd"`
	LimitHits        int           `json:"limit_hits"` // limit messages in the months (see Month.LimitHits)
	Programmatic     *Programmatic `json:"programmatic,omitempty"`
	Mix              *Mix          `json:"mix,omitempty"`
	Notes            []string      `json:"notes,omitempty"`
	Months           []Month       `json:"months"`
	// Measured is the budgets measured from status-line snapshots of the
	// plan's own meter (see package measure); nil without snapshots.
	Measured *Measured `json:"measured,omitempty"`
	// Weeks and Windows are the user's weeks and 5-hour windows in the months,
	// in time order, with their API-equivalent use: what the HTML charts draw.
	Weeks   []SpanUse `json:"weeks,omitempty"`
	Windows []SpanUse `json:"windows,omitempty"`
	// MonthsActive of MonthsInRange had use; the per-month figures average the
	// active months (said in Notes when they are fewer).
	MonthsActive  int `json:"months_active,omitempty"`
	MonthsInRange int `json:"months_in_range,omitempty"`
	// Binding is the budget that decides the answer: "5-hour", "week",
	// "model cap (opus)", "1M context", or "" when none binds.
	Binding string `json:"binding,omitempty"`
	// BlockedHours is the time the user's own limit messages stopped them (from
	// each message to the reset it showed, or to the end of its window or week),
	// overlaps counted once: their logged use understates what they wanted.
	BlockedHours float64 `json:"blocked_hours,omitempty"`
}

// Measured is a plan's budgets as measured from status-line snapshots.
type Measured struct {
	Plan        string  `json:"plan"`
	FiveHourUSD float64 `json:"five_hour_usd"`
	WeekUSD     float64 `json:"week_usd"`
	Snapshots   int     `json:"snapshots"`
	From        string  `json:"from"` // RFC 3339, first snapshot used
	To          string  `json:"to"`   // RFC 3339, last snapshot used
}

// SpanUse is one 5-hour window or week of one user's use.
type SpanUse struct {
	Start string  `json:"start"` // RFC 3339 in the report's time zone
	End   string  `json:"end"`
	USD   float64 `json:"usd"` // API-equivalent use at list price
	// Budgets is each subscription plan's budget for this span (plan id ->
	// USD; the rule in force at the span's start; 0 or absent: no cap).
	Budgets map[string]float64 `json:"budgets,omitempty"`
	// Hits counts the limit messages logged inside the span.
	Hits int `json:"hits,omitempty"`
}

// Alternative is an option that was not recommended, and what it would cost more.
type Alternative struct {
	Plan             string  `json:"plan"`
	Name             string  `json:"name"`
	TotalUSDPerMonth float64 `json:"total_usd_per_month"`
	ExtraUSDPerMonth float64 `json:"extra_usd_per_month"` // over the recommendation
	ExtraUSDPerYear  float64 `json:"extra_usd_per_year"`
	// Fits is false when the plan ran out of budget in some month.
	Fits bool `json:"fits"`
	// Eligible is false when the plan cannot be chosen: with NoExtraUsage, a plan
	// that does not fit every month; with a current plan the user was stopped
	// on (limit hits), that plan and every smaller one, when another option
	// fits (said in Reason).
	Eligible bool `json:"eligible"`
	// Reason says why an option is not eligible when the user was stopped on
	// it (or it is smaller than the plan they were stopped on).
	Reason string `json:"reason,omitempty"`
}

// Month is one calendar month of one user's use, priced under every option.
type Month struct {
	Period string `json:"period"` // YYYY-MM
	// Projected months are the current month scaled from its daily rate so far to
	// the month's end (by ProjectionFactor); price is not scaled, limit hits are
	// not either (they are what happened).
	Projected        bool    `json:"projected"`
	ProjectionFactor float64 `json:"projection_factor,omitempty"`
	APICostUSD       float64 `json:"api_cost_usd"` // at list price
	// LimitHits counts the limit messages in the logs (usage limits of every
	// kind, not fallbacks or server throttling), each limit once.
	LimitHits       int            `json:"limit_hits"`
	LimitHitsByKind map[string]int `json:"limit_hits_by_kind,omitempty"`
	Requests        int64          `json:"requests"`
	ActiveDays      int            `json:"active_days"`
	CIUSD           float64        `json:"ci_usd,omitempty"`  // programmatic use priced on the API only
	SDKUSD          float64        `json:"sdk_usd,omitempty"` // sdk-* entrypoints, counted toward the plan
	Plans           []PlanCost     `json:"plans"`
}

// PlanCost is one option's cost in one month.
type PlanCost struct {
	Plan     string  `json:"plan"`
	Name     string  `json:"name"`
	Provider string  `json:"provider,omitempty"` // API options only
	Team     bool    `json:"team,omitempty"`     // team seat plans, listed for comparison only
	PriceUSD float64 `json:"price_usd"`
	// PriceMonthlyUSD and PriceYearlyUSD are the plan's prices billed monthly
	// and yearly (a month's worth), where it has both; PriceUSD is the one used.
	PriceMonthlyUSD float64 `json:"price_monthly_usd,omitempty"`
	PriceYearlyUSD  float64 `json:"price_yearly_usd,omitempty"`
	// Seats is, for team seat plans, the seats this user's share pays for: a
	// team pays for at least 5 (a solo user 5, each of a team of 3 5/3).
	Seats float64 `json:"seats,omitempty"`
	// OverflowUSD is the use past the budgets at API list price: extra usage.
	// It includes LongContextUSD.
	OverflowUSD float64 `json:"overflow_usd"`
	// LongContextUSD is the 1M-context requests (prompt input above 200k): extra
	// usage on a subscription whatever the budgets.
	LongContextUSD float64 `json:"long_context_usd,omitempty"`
	// APIOnlyUSD is CI use, priced on the API (first provider) whatever the plan.
	APIOnlyUSD float64 `json:"api_only_usd,omitempty"`
	// TotalUSD is price + overflow + API-only use; with NoExtraUsage, price +
	// API-only use (the plan does not fit if it has cap hits or overflow:
	// a budget can run out in the month before, in a window or week that spans
	// the boundary).
	TotalUSD    float64 `json:"total_usd"`
	CapHits5h   int     `json:"cap_hits_5h"`
	CapHitsWeek int     `json:"cap_hits_week"`
	// CapHitsModel counts weeks in which a model cap (Opus, Sonnet only, Fable)
	// ran out, per model.
	CapHitsModel int `json:"cap_hits_model,omitempty"`
	// ObservedHits counts the limit messages in the logs that stopped the
	// user on this plan (the current one) this month: observed, not
	// simulated. The cap hits are then at least the observed ones of each
	// kind, and the month does not fit (the logged use is what was left
	// after the blocking).
	ObservedHits int  `json:"observed_hits,omitempty"`
	Fits         bool `json:"fits"`
	// WaitHours is the time the user would have waited for resets without extra usage.
	WaitHours float64 `json:"wait_hours,omitempty"`
	// Cheapest marks the cheapest option the user can choose that month.
	Cheapest bool `json:"cheapest,omitempty"`
}

// Programmatic is the use that did not come from a person at a terminal.
type Programmatic struct {
	// CIUSD is the list cost of requests from CI (entrypoint
	// claude-code-github-action, or source or user "ci"): priced on the API only.
	CIUSD      float64 `json:"ci_usd"`
	CIRequests int64   `json:"ci_requests"`
	// SDKUSD is the list cost of sdk-* entrypoints (claude -p, Agent SDK): it
	// counts toward the subscription today, but is at risk of moving to separate
	// credits.
	SDKUSD      float64  `json:"sdk_usd"`
	SDKRequests int64    `json:"sdk_requests"`
	SDKAtRisk   bool     `json:"sdk_at_risk"`
	Entrypoints []string `json:"entrypoints,omitempty"` // the programmatic ones seen
}

// Mix is the user's own break-even: what their token mix (cache reads and writes
// included) costs per million output tokens.
type Mix struct {
	OutputTokensPerMonth float64 `json:"output_tokens_per_month"`
	// USDPerMOutput is the user's list cost per million output tokens.
	USDPerMOutput float64        `json:"usd_per_m_output"`
	BreakEven     []MixBreakEven `json:"break_even"`
}

// MixBreakEven compares a plan's price with the user's mix.
type MixBreakEven struct {
	Plan     string  `json:"plan"`
	Provider string  `json:"provider"`
	PriceUSD float64 `json:"price_usd"`
	// OutputTokens is how many output tokens a month, with the user's mix of
	// other tokens, cost the plan's price through the provider.
	OutputTokens float64 `json:"output_tokens"`
	// RuleOutputTokens is the output-only rule of thumb (see BreakEven), and
	// RuleOverMix how many times larger it is than OutputTokens.
	RuleOutputTokens float64 `json:"rule_output_tokens"`
	RuleOverMix      float64 `json:"rule_over_mix"`
}

// BreakEven is the output-only rule of thumb for one plan and provider: Sonnet
// 4.6 at $15 per million output tokens makes $100 = 6.67M output tokens.
type BreakEven struct {
	Plan          string  `json:"plan"`
	Provider      string  `json:"provider"`
	PriceUSD      float64 `json:"price_usd"`
	Model         string  `json:"model"`
	OutputUSDPerM float64 `json:"output_usd_per_m"` // list rate x provider multiplier
	OutputTokens  float64 `json:"output_tokens"`
}

// PlanBudget is the budgets a plan had in the report (the latest era, scaled
// when calibrated).
type PlanBudget struct {
	Plan     string  `json:"plan"`
	Name     string  `json:"name"`
	PriceUSD float64 `json:"price_usd"`
	Team     bool    `json:"team,omitempty"`
	// PriceYearlyUSD is a month's price billed yearly, where offered.
	PriceYearlyUSD float64 `json:"price_yearly_usd,omitempty"`
	FiveHourUSD    float64 `json:"five_hour_usd,omitempty"` // 0: no 5-hour cap
	// WeekUSD is the weekly budget of a week starting now, with WeekFactor.
	WeekUSD    float64 `json:"week_usd,omitempty"` // 0: no weekly cap
	WeekFactor float64 `json:"week_factor,omitempty"`
	// ModelCapsUSD are the model caps of a week starting now (family -> USD).
	ModelCapsUSD map[string]float64 `json:"model_caps_usd,omitempty"`
	From         string             `json:"from,omitempty"`
	Source       string             `json:"source,omitempty"`
}

// Calibration compares the budgets of the user's current plan with the use at
// the limits they hit.
type Calibration struct {
	Plan string `json:"plan"`
	// Applied says the observed figures replaced the defaults (Options.Calibrate
	// with at least one observation).
	Applied      bool          `json:"applied"`
	FiveHour     *Observed     `json:"five_hour,omitempty"`
	Week         *Observed     `json:"week,omitempty"`
	Observations []Observation `json:"observations"`
}

// Observed is the evidence for one budget.
type Observed struct {
	DefaultUSD  float64 `json:"default_usd"`
	ObservedUSD float64 `json:"observed_usd"`
	// Factor is ObservedUSD / DefaultUSD: every plan's budget of this kind is
	// scaled by it when applied.
	Factor float64 `json:"factor"`
	Hits   int     `json:"hits"`
}

// Observation is the use in the window or week of one limit hit.
type Observation struct {
	User       string  `json:"user"`
	Time       string  `json:"time"`
	Budget     string  `json:"budget"` // "5h" or "week"
	USD        float64 `json:"usd"`
	DefaultUSD float64 `json:"default_usd"` // the plan's default at that time
}

// Team compares ways to pay for all users together.
type Team struct {
	Users       []string `json:"users"`
	Recommended string   `json:"recommended"`
	// SavingsUSDPerMonth is against the next best option.
	SavingsUSDPerMonth float64      `json:"savings_usd_per_month"`
	SavingsUSDPerYear  float64      `json:"savings_usd_per_year"`
	Options            []TeamOption `json:"options"`
	Months             []TeamMonth  `json:"months"`
}

// TeamOption is one way to pay for the team:
//
//	own-best        each user on their own recommended option
//	team-standard   a Team Standard seat each (price + overflow + CI on the API)
//	team-premium    a Team Premium seat each
//	team-mixed      each user on the cheaper of the team seat types
//	api, api:NAME   one pooled API balance (no seat fee)
type TeamOption struct {
	Option           string  `json:"option"`
	TotalUSDPerMonth float64 `json:"total_usd_per_month"`
	// Seats is how many seats a seat option pays for: at least the minimum (5).
	Seats int `json:"seats,omitempty"`
	// Billing is "yearly" for a seat option priced billed yearly.
	Billing string `json:"billing,omitempty"`
	// Fits is false when some user's budgets ran out in some month (own-best
	// always fits: each user's choice is one they can make).
	Fits        bool              `json:"fits"`
	Assignments map[string]string `json:"assignments,omitempty"` // user -> plan
}

// TeamMonth is the team's cost in one month under each option.
type TeamMonth struct {
	Period    string           `json:"period"`
	Projected bool             `json:"projected"`
	Options   []TeamMonthTotal `json:"options"`
}

// TeamMonthTotal is one option's team total in one month.
type TeamMonthTotal struct {
	Option   string  `json:"option"`
	TotalUSD float64 `json:"total_usd"`
	Cheapest bool    `json:"cheapest,omitempty"`
}
