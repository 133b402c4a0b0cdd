package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/usagescan/usagescan/billing"
	"github.com/usagescan/usagescan/htmlreport"
	"github.com/usagescan/usagescan/recommend"
)

// stdoutOf runs the CLI and returns its stdout, failing on a non-zero exit.
func stdoutOf(t *testing.T, tc cliCase) string {
	t.Helper()
	out := runCLI(t, tc)
	if !strings.HasPrefix(out, "exit: 0\n") {
		t.Fatalf("%v: %s", tc.args, out)
	}
	out = strings.TrimPrefix(out, "exit: 0\n-- stdout --\n")
	return out[:strings.LastIndex(out, "-- stderr --\n")]
}

// TestHTMLFromJSON: the page --format html prints is the page rendered from
// what --format json prints, byte for byte: every figure on it is a JSON value.
func TestHTMLFromJSON(t *testing.T) {
	trio := []string{"--logs", "light=" + fixtures + "/recommend/light", "--logs", "steady=" + fixtures + "/recommend/steady", "--logs", "heavy=" + fixtures + "/recommend/heavy"}
	for _, c := range []struct {
		name   string
		args   []string
		render func(data []byte, w *bytes.Buffer) error
	}{
		{"recommend", append([]string{"recommend"}, trio...), func(data []byte, w *bytes.Buffer) error {
			var r recommend.Report
			if err := json.Unmarshal(data, &r); err != nil {
				return err
			}
			if err := htmlreport.Recommend(w, &r); err != nil {
				return err
			}
			for _, u := range r.Users { // each user's plan, in words
				if !strings.Contains(w.String(), "<strong>Recommended: "+u.RecommendedName+"</strong>") {
					t.Errorf("no recommendation in text for %s", u.User)
				}
			}
			return nil
		}},
		{"report", []string{"report", "--logs", fixtures + "/pricing", "--by", "day"}, func(data []byte, w *bytes.Buffer) error {
			var u htmlreport.Usage
			if err := json.Unmarshal(data, &u); err != nil {
				return err
			}
			return htmlreport.Report(w, &u)
		}},
		{"reconcile", []string{"reconcile", "--logs", fixtures + "/basic", "--csv", fixtures + "/billing/claude_api_tokens_2026_06.csv", "--user-map", fixtures + "/billing-users.csv"}, func(data []byte, w *bytes.Buffer) error {
			var r struct{ Rows []billing.Reconciled }
			if err := json.Unmarshal(data, &r); err != nil {
				return err
			}
			return htmlreport.Reconcile(w, r.Rows)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			js := stdoutOf(t, cliCase{args: append(c.args, "--format", "json"), env: now})
			page := stdoutOf(t, cliCase{args: append(c.args, "--format", "html"), env: now})
			var want bytes.Buffer
			if err := c.render([]byte(js), &want); err != nil {
				t.Fatal(err)
			}
			if page != want.String() {
				t.Errorf("the HTML differs from the page rendered from the JSON")
			}
			if !strings.Contains(page, "<svg ") || !strings.Contains(page, "<rect ") {
				t.Error("no chart")
			}
		})
	}
}
