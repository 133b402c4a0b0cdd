package main

import (
	"io"

	"github.com/usagescan/usagescan/engine"
	"github.com/usagescan/usagescan/htmlreport"
)

// writeReportHTML renders the report page from the rows the JSON is made of
// (toJSONRow), so the page and the JSON cannot disagree.
func writeReportHTML(w io.Writer, o *reportOptions, rep *engine.Report) error {
	u := &htmlreport.Usage{
		Schema: ReportSchema, Timezone: o.tzName, GroupBy: o.by.String(),
		Provider: o.provider, PricesChecked: o.prices.Checked().Format("2006-01-02"),
		Rows: make([]htmlreport.UsageRow, 0, len(rep.Rows)),
	}
	for i := range rep.Rows {
		u.Rows = append(u.Rows, toJSONRow(&rep.Rows[i]).UsageRow)
	}
	return htmlreport.Report(w, u)
}
