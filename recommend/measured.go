package recommend

import (
	"fmt"
	"math"
	"time"
)

// SessionRatios are Anthropic's published 5-hour multipliers over Pro, by plan
// id: Max 5x is "5x Pro" per session, Max 20x "20x", Team Standard 1.25x and
// Team Premium 6.25x. Measured 5-hour budgets of one plan are carried to the
// others by them; weekly budgets, for which Anthropic publishes no ratio, by
// the catalogue's (every plan's default scaled by the same factor).
var SessionRatios = map[string]float64{"pro": 1, "max-5x": 5, "max-20x": 20, "team-standard": 1.25, "team-premium": 6.25}

// measuredScale is one plan's budgets for a measured user, as factors over
// the catalogue's defaults.
type measuredScale struct{ five, week float64 }

// measuredFor returns user's measured budgets with the plan resolved, or nil.
func (e *engine) measuredFor(user string) *Measured {
	m := e.opt.Measured[user]
	if m == nil || (m.FiveHourUSD <= 0 && m.WeekUSD <= 0) {
		return nil
	}
	if e.measuredPlans == nil {
		e.measuredPlans = map[string]*Plan{}
	}
	if p, ok := e.measuredPlans[user]; ok {
		if p == nil {
			return nil
		}
		out := *m
		out.Plan = p.ID
		return &out
	}
	var p *Plan
	switch {
	case m.Plan != "":
		if q, ok := e.cat.Lookup(m.Plan); ok && !q.Metered {
			p = q
		}
	case e.current != nil:
		p = e.current
	default:
		p = e.nearestPlan(m)
	}
	e.measuredPlans[user] = p
	if p == nil {
		e.notes = append(e.notes, fmt.Sprintf("the measured budgets of %s are for plan %q, which is not a subscription in the catalogue: left out", user, m.Plan))
		return nil
	}
	out := *m
	out.Plan = p.ID
	return &out
}

// nearestPlan is the individual plan whose default 5-hour budget (else weekly)
// is nearest the measured one, in ratio: the plan the user is presumably on.
func (e *engine) nearestPlan(m *Measured) *Plan {
	at := measuredAt(m, e.now)
	var best *Plan
	bestD := math.Inf(1)
	for _, p := range e.subs {
		if p.Team {
			continue
		}
		d5, dWk := p.BudgetsAt(at)
		d := math.Inf(1)
		if m.FiveHourUSD > 0 && !math.IsInf(d5, 1) && d5 > 0 {
			d = math.Abs(math.Log(m.FiveHourUSD / d5))
		} else if m.WeekUSD > 0 && !math.IsInf(dWk, 1) && dWk > 0 {
			d = math.Abs(math.Log(m.WeekUSD / dWk))
		}
		if d < bestD {
			best, bestD = p, d
		}
	}
	return best
}

// measuredAt is the time the measurement stands for: its last snapshot.
func measuredAt(m *Measured, now time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339, m.To); err == nil {
		return t
	}
	return now
}

// measuredScales returns plan p's budgets for user as factors over the
// defaults; false when the user has no measured budgets.
func (e *engine) measuredScales(user string, p *Plan) (measuredScale, bool) {
	m := e.measuredFor(user)
	if m == nil {
		return measuredScale{}, false
	}
	cur, _ := e.cat.Lookup(m.Plan)
	at := measuredAt(m, e.now)
	c5, _ := cur.BudgetsAt(at)
	// The meter's week is the budget in force at the time measured, its week
	// factor included: the scale is over that, so weeks under another factor
	// get the measured budget moved by the ratio of the factors.
	cWk, _ := e.cat.WeekLimits(cur, at)
	p5, _ := p.BudgetsAt(at)
	s := measuredScale{five: e.scale5, week: e.scaleWk} // unmeasured: as calibrated, or 1
	if m.FiveHourUSD > 0 && finite(c5) && finite(p5) {
		target := m.FiveHourUSD * p5 / c5
		rc, okc := SessionRatios[cur.ID]
		rp, okp := SessionRatios[p.ID]
		if okc && okp {
			target = m.FiveHourUSD * rp / rc
		}
		s.five = target / p5
	}
	if m.WeekUSD > 0 && finite(cWk) {
		s.week = m.WeekUSD / cWk
	}
	return s, true
}

func finite(x float64) bool { return x > 0 && !math.IsInf(x, 0) && !math.IsNaN(x) }

// planScales returns the budget scales of plan p for user u: s5 and sWk as
// given, unless u has measured budgets, which outrank the defaults and a
// limit-hit calibration; a perturbation of s5 and sWk (the confidence check)
// carries over.
func (e *engine) planScales(user string, p *Plan, s5, sWk float64) (float64, float64) {
	ms, ok := e.measuredScales(user, p)
	if !ok {
		return s5, sWk
	}
	return ms.five * s5 / nonZero(e.scale5), ms.week * sWk / nonZero(e.scaleWk)
}

func nonZero(x float64) float64 {
	if x == 0 {
		return 1
	}
	return x
}

// applyMeasured finishes user out when it has measured budgets: the Measured
// field, a note, and a confidence check at ±10% (the estimator's error is a
// few percent) in place of the ±25% of default budgets.
func (e *engine) applyMeasured(u *userData, out *User) {
	m := e.measuredFor(u.name)
	if m == nil {
		return
	}
	mm := *m
	mm.FiveHourUSD, mm.WeekUSD = usd(mm.FiveHourUSD), usd(mm.WeekUSD)
	out.Measured = &mm
	cur, _ := e.cat.Lookup(m.Plan)
	var parts []string
	if m.FiveHourUSD > 0 {
		parts = append(parts, fmt.Sprintf("5-hour window %s", money(m.FiveHourUSD)))
	}
	if m.WeekUSD > 0 {
		parts = append(parts, fmt.Sprintf("week %s", money(m.WeekUSD)))
	}
	span := ""
	if m.From != "" && m.To != "" {
		span = fmt.Sprintf(", %s to %s", m.From[:min(10, len(m.From))], m.To[:min(10, len(m.To))])
	}
	out.Notes = append(out.Notes, fmt.Sprintf("budgets measured from %s of %s's meter (status line%s): %s; other plans scaled by Anthropic's published per-session ratios (Max 5x = 5x Pro, Max 20x = 20x, Team Standard 1.25x, Team Premium 6.25x)",
		pluralWord(m.Snapshots, "snapshot"), cur.Name, span, joinAnd(parts)))
	if len(e.subs) == 0 || len(u.opts) == 0 {
		return
	}
	best := u.best
	for _, s := range []struct {
		f    float64
		word string
	}{{0.9, "lower"}, {1.1, "higher"}} {
		alt := ranked(e.options(u, e.scale5*s.f, e.scaleWk*s.f))[0]
		if alt.id != best.id {
			note := fmt.Sprintf("with measured budgets 10%% %s, %s would be cheapest", s.word, alt.id)
			out.ConfidenceNotes = append(out.ConfidenceNotes, note)
			if out.Confidence == "high" {
				out.Confidence = "medium"
			}
		}
	}
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	s := parts[0]
	for _, p := range parts[1 : len(parts)-1] {
		s += ", " + p
	}
	return s + " and " + parts[len(parts)-1]
}

// applyMeasuredReport marks the report: Budgets "measured" when some user's
// budgets were, and with one user, the plan budgets listed are theirs.
func (e *engine) applyMeasuredReport(rep *Report) {
	found := false
	for _, u := range rep.Users {
		found = found || u.Measured != nil
	}
	if !found {
		return
	}
	rep.Budgets = "measured"
	if len(rep.Users) != 1 {
		return
	}
	user := rep.Users[0].User
	for i := range rep.PlanBudgets {
		pb := &rep.PlanBudgets[i]
		p, ok := e.cat.Lookup(pb.Plan)
		if !ok {
			continue
		}
		ms, _ := e.measuredScales(user, p)
		era := p.EraAt(e.now)
		if era == nil {
			continue
		}
		if era.FiveHour != nil {
			pb.FiveHourUSD = usd(era.FiveHour.USD * ms.five)
		}
		if era.Week != nil {
			wk, caps := e.cat.WeekLimits(p, e.now)
			pb.WeekUSD = usd(wk * ms.week)
			for k, v := range caps {
				if pb.ModelCapsUSD == nil {
					pb.ModelCapsUSD = map[string]float64{}
				}
				pb.ModelCapsUSD[k] = usd(v * ms.week)
			}
		}
		m := e.measuredFor(user)
		if p.ID == m.Plan {
			pb.Source = "measured from " + pluralWord(m.Snapshots, "status-line snapshot")
		} else {
			pb.Source = "measured on " + m.Plan + ", scaled by Anthropic's per-session ratio (5-hour) and the catalogue's (week)"
		}
	}
}
