package htmlreport

import (
	"fmt"
	"io"
	"math"

	"github.com/usagescan/usagescan/billing"
)

// Reconcile writes a reconciliation as one self-contained HTML page: how many
// user-months agree, logged against billed cost per user and month as a chart,
// and each user-month's tokens per class with its reading.
func Reconcile(w io.Writer, rows []billing.Reconciled) error {
	p := newPage("Logged vs billed")
	p.heading(1, "", "Logged vs billed")
	p.para("meta", "Per user and UTC month, as the Console bills · logs priced at list price · amounts in USD")

	agree := 0
	for _, r := range rows {
		if r.Cost.Diff != nil && math.Abs(*r.Cost.Diff) <= billing.Tolerance {
			agree++
		}
	}
	p.raw("<section class=\"lead\">\n")
	if len(rows) == 0 {
		p.para("", "No user-month is in both the logs and the bill.")
	} else {
		p.para("", fmt.Sprintf("<strong>%d of %s</strong> agree on cost within %.0f%%.", agree, esc(pluralWord(len(rows), "user-month")), billing.Tolerance))
		var items []string
		for _, r := range rows {
			items = append(items, fmt.Sprintf("%s %s: %s", esc(r.Month), esc(r.User), esc(r.Reading)))
		}
		p.bullets(items)
	}
	p.raw("</section>\n")
	if len(rows) == 0 {
		return p.finish(w, "usagescan · usagescan.reconcile/v1")
	}

	c := &chart{id: "cost", title: "Cost per month: the logs at list price against the bill", xLabel: "Month and user", yLabel: "USD",
		series: []string{"Logged (list price)", "Billed"}}
	t := &table{head: []string{"Month", "User", "Logged", "Billed", "Difference", "Reading"}, num: []bool{false, false, true, true, true, false}}
	for _, r := range rows {
		c.groups = append(c.groups, r.Month+" "+r.User)
		c.values = append(c.values, []float64{r.Cost.Logged, r.Cost.Billed})
		billed := amount(r.Cost.Billed)
		if r.Estimated {
			billed += "<br><small>the bill's tokens at list price</small>"
		}
		t.add("", esc(r.Month), esc(r.User), amount(r.Cost.Logged), billed, pct(r.Cost.Diff), esc(r.Reading))
	}
	c.desc = "Grouped bars, one pair per user-month: the logs priced at list price, and the bill. The table below has the figures."
	p.heading(2, "cost", "Cost")
	p.figure(c, t)

	p.heading(2, "tokens", "Tokens per class")
	for _, r := range rows {
		tt := &table{caption: r.Month + " " + r.User, head: []string{"", "Logged", "Billed", "Difference"}, num: []bool{false, true, true, true}}
		for _, k := range []struct {
			name string
			c    billing.Count
		}{{"Input", r.Input}, {"Output", r.Output}, {"Cache write 5m", r.CacheWrite5m}, {"Cache write 1h", r.CacheWrite1h}, {"Cache read", r.CacheRead}, {"Web searches", r.WebSearch}} {
			billed := "-"
			if r.BillTokens {
				billed = count(k.c.Billed)
			}
			tt.add("", esc(k.name), count(k.c.Logged), billed, pct(k.c.Diff))
		}
		p.raw(tt.html())
	}
	return p.finish(w, "usagescan · usagescan.reconcile/v1 · months are UTC months")
}
