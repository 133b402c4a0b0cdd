// Package recommend prices each month of Claude Code use under every plan and
// says which one to buy.
//
// # Plans
//
// The plans live in plans.json, embedded (Default): pro, max-5x, max-20x,
// team-standard and team-premium, with their monthly price and their budgets,
// plus api, the metered API. Anthropic publishes no quotas, so a budget is an
// estimate of how much a plan lets through per 5-hour window and per week in
// API-equivalent USD at list price (what the same tokens would cost on the
// API), with its range and source. Budgets come in eras (Era): 5-hour budgets
// were half before 2026-05-06, and there were no weekly limits before
// 2025-08-28. Catalog.Override reads a file of the same shape (--plans FILE)
// that adds plans or replaces them by id; its errors are *FileError,
// "file:line:col: field: problem". Catalog.Lookup takes ids and aliases: max
// and max100 are max-5x, ultra and max200 are max-20x. The seed page this
// project started from called the $200 plan "Max 5x"; here max-5x is always
// the $100 plan (see the notes in plans.json).
//
// # Windows
//
// Windows cuts a user's request times into 5-hour session windows (a window
// opens at the first request at or after the previous one's end, its start
// rounded down to the hour, and lasts 5 elapsed hours) and Weeks into weekly
// windows (168 elapsed hours from the first request after the previous week).
// Run cuts by the catalogue's dated rules instead (Rules): from 2026 a window
// starts at its first request to the minute, and a reset time shown in the
// user's own limit message ends its window or week there. Weekly budgets take
// the week factor in force at the week's start (x1.5 from 2026-05-13, x1.25
// from 2026-09-14); model caps (Plan.ModelCaps) are shares of that week; a
// request above the long_context threshold is extra usage on every plan; team
// seats are paid for at least team_min_seats. The cutting depends only on the
// times and the user's limit messages, never on the plan.
//
// For each plan, every request's list price is covered up to the room left in
// both its window and its week; what does not fit is overflow, billed as extra
// usage at API list rates. Overflow uses up no budget, so a dollar past both
// budgets is counted once. A window or week is a cap hit when its own budget is
// the one that ran out (when both run out at the same request, both count); the
// user would have waited from that request to the window's or week's end.
//
// # Limit messages
//
// ParseLimit reads the limit messages Claude Code writes as <synthetic> log
// lines, in every form since 2025, into a Hit with its Kind and reset time.
// LimitHits counts each limit once however often it was repeated. With a
// current plan, the use in the window or week at each session or weekly hit is
// evidence of that plan's budget (Report.Calibration); Options.Calibrate scales
// every plan's budgets by the median observed/default ratio.
//
// # The recommendation
//
// Run prices each user's months (by default the last 3 complete months and the
// current one, projected to its end from its rate so far) under every plan:
// price + overflow (or, with NoExtraUsage, price and "does not fit"), and the
// API at list price times each provider's multiplier. CI use (entrypoint
// claude-code-github-action, or source or user "ci") runs on an API key and is
// priced on the API in every option; sdk-* use counts toward a plan but is
// flagged at risk. The option with the lowest total over the months wins, with
// the savings against the others, a confidence, a one-sentence reason and
// break-even lines. With several users, Report.Team compares each on their own
// best plan, team seats and one pooled API balance.
//
// Render writes a Report as a table, markdown or JSON (the
// usagescan.recommend/v1 contract: fields are added, never renamed).
package recommend
